"""Crash safety: run `temoin ingest` in a child process, SIGKILL it at chosen points, and compare what the
index holds with a clean build. Used by tests/index/test_crash_safety.py and bench/robustness.py.

A kill point is either a time after the start ("at 4.5 s") or an event seen in the index folder: the n-th
commit's table of contents appearing ("after commit 3"), or a new segment being written before its commit
("while writing 2"). Events make the points reproducible on a slow or a fast machine alike.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ORPHAN_GRACE = 5.0  # seconds a killed ingest's workers may take to exit after it
INGEST = "import sys; from search_app.cli import main; sys.exit(main(sys.argv[1:]))"


@dataclass(frozen=True)
class KillPoint:
    kind: str  # "time", "commit" (after the n-th commit) or "writing" (a new segment file, n-th commit to come)
    value: float

    def __str__(self) -> str:
        return {
            "time": f"at {self.value:.1f} s",
            "commit": f"after commit {int(self.value)}",
            "writing": f"while writing commit {int(self.value)}",
        }[self.kind]


def _tocs(index_dir: Path) -> int:
    """The index's generation: Whoosh writes `_MAIN_<n>.toc` at each commit and deletes older ones."""
    gens = [int(p.name[6:-4]) for p in index_dir.glob("_MAIN_*.toc") if p.name[6:-4].isdigit()]
    return max(gens, default=-1)


def _tantivy_opstamp(index_dir: Path) -> int | None:
    """Tantivy replaces `meta.json` at each commit; its opstamp changes with every commit that did anything."""
    try:
        return int(json.loads((index_dir / "meta.json").read_text())["opstamp"])
    except (OSError, ValueError, KeyError):
        return None


class _Commits:
    """Commits seen since the start: Whoosh numbers them; Tantivy's are counted as `meta.json` changes."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.before = _tocs(index_dir) if index_dir.is_dir() else -1
        self.opstamp = _tantivy_opstamp(index_dir)
        self.tantivy = 0

    def count(self) -> int:
        opstamp = _tantivy_opstamp(self.index_dir)
        if opstamp is None:
            return _tocs(self.index_dir) - max(self.before, 0)
        if self.opstamp is None:
            self.opstamp = opstamp  # the index was just made (or its first commit missed: kill a bit later)
        elif opstamp != self.opstamp:
            self.opstamp, self.tantivy = opstamp, self.tantivy + 1
        return self.tantivy


_NOT_DATA = ("_MAIN_", "INGEST.lock", "MAIN_WRITELOCK", "TEMOIN_SCHEMA", "meta.json", ".managed.json", ".tantivy")


def _segment_files(index_dir: Path) -> set[str]:
    """The files a commit in progress writes: segment parts, in the folder or its MAIN.tmp."""
    return {
        str(p.relative_to(index_dir)) for p in index_dir.rglob("*")
        if p.is_file() and not p.name.startswith(_NOT_DATA)
    }


def ingest_env(index_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(TEMOIN_INDEX=str(index_dir), TEMOIN_COMMIT_EVERY="1", PYTHONPATH=str(ROOT))
    env.update(extra or {})
    return env


def run_and_kill(
    paths: list[Path], index_dir: Path, point: KillPoint, limit: float = 300.0, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Start an ingest of `paths` into `index_dir`, kill it (SIGKILL) at `point`. Returns what happened:
    whether the kill landed before the ingest ended, and after how many seconds."""
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    # a process group of its own, so the kill reaches the ingest's worker processes too if any outlive it
    log = index_dir.parent / f"ingest-{time.time_ns()}.log"
    with log.open("wb") as err:  # a file, not a pipe: a pipe nobody reads could stall the child
        proc = subprocess.Popen(
            [sys.executable, "-c", INGEST, "ingest", *map(str, paths)],
            env=env or ingest_env(index_dir), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err,
            start_new_session=True,
        )
    seen = _Commits(index_dir)
    baseline: set[str] | None = None  # for "writing": the data files when the commit before had landed
    killed = False
    try:
        while proc.poll() is None and time.monotonic() - start < limit:
            fire = False
            if point.kind == "time":
                fire = time.monotonic() - start >= point.value
            elif index_dir.is_dir():
                commits = seen.count()
                if point.kind == "commit":
                    fire = commits >= point.value
                elif commits >= point.value - 1:
                    files = _segment_files(index_dir)
                    if baseline is None:
                        baseline = files
                    fire = bool(files - baseline)
            if fire:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.005 if point.kind != "time" else 0.02)
    finally:
        if proc.poll() is None and not killed:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stderr = log.read_text(encoding="utf-8", errors="replace")
    # Workers notice their parent's death (PR_SET_PDEATHSIG) and exit; give them a moment to finish dying.
    deadline = time.monotonic() + ORPHAN_GRACE
    while (orphans := _orphans(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in orphans:  # the test reports them; they must not linger for the next run
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return {
        "point": str(point),
        "killed": killed,
        "seconds": round(time.monotonic() - start, 2),
        "returncode": proc.returncode,
        "stderr": stderr[-2000:],
        "orphans": orphans,
    }


def _orphans(session: int) -> list[int]:
    """Processes still alive in the killed ingest's session (its workers, if it had any)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":  # field 6 of stat: the session id
            alive.append(int(entry.name))
    return alive


def snapshot(index_dir: Path) -> dict[str, Any]:
    """What a user can see in an index: each document with its passages, the entities with their aliases
    and counts, and the failures. Two snapshots are equal when the indexes answer alike."""
    from index.engine import open_searcher

    searcher = open_searcher(index_dir)
    try:
        docs: dict[str, Any] = {}
        for meta in searcher.documents():
            record = searcher.document(meta["id"]) or {}
            docs[meta["id"]] = {
                "source": meta["source"],
                "title": meta.get("title"),
                "passages": [(p["id"], p.get("page"), p["text"]) for p in record.get("passages", [])],
                "mentions": len(record.get("mentions", [])),
                "quotes": len(record.get("quotes", [])),
            }
        return {
            "documents": docs,
            "entities": sorted(
                (e["label"], e["name"], tuple(sorted(e["aliases"])), e["count"], e["documents"])
                for e in searcher.entities(limit=100_000)
                if e["count"]  # a name whose passages were all deleted is not an entity any more
            ),
            "stats": searcher.stats(),
            "failures": sorted((f["path"], f["reason"]) for f in searcher.failures()),
        }
    finally:
        searcher.close()


def partial_ok(partial: dict[str, Any], clean: dict[str, Any]) -> list[str]:
    """What is wrong with an index left by a kill: every document in it must be whole, exactly as in the
    clean build (no half-written document), and nothing may be there that the clean build lacks."""
    problems = []
    for doc_id, doc in partial["documents"].items():
        if doc_id not in clean["documents"]:
            problems.append(f"{doc_id}: not in the clean build")
        elif doc != clean["documents"][doc_id]:
            problems.append(f"{doc_id}: differs from the clean build")
    if partial["stats"]["passages"] != sum(len(d["passages"]) for d in partial["documents"].values()):
        problems.append("passage records do not match the documents' passages")
    return problems
