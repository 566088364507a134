"""Robustness report: every bad input from `tests/robustness/badfiles.py`, ingested with the real CLI code
path (`temoin ingest --json --verbose`, worker processes and limits) after good documents.

    .venv/bin/python bench/robustness.py [--seed N] [--workers N] [--file-timeout S] [--light] [--keep DIR]

Prints inputs by kind, outcomes (ok, failed by reason), crashes (must be 0), documents lost (must be 0),
kill points tried, the slowest inputs and peak memory. Exit 1 when a crash or a lost document is found.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.search import Searcher  # noqa: E402
from search_app.cli import main as temoin  # noqa: E402
from tests.robustness.badfiles import SHARED, make_bad_files  # noqa: E402

GOOD = [
    SHARED / "seeds" / "calais-harassment-statement-2013.txt",
    SHARED / "seeds" / "amnesty-2019-targeting-solidarity.txt",
    SHARED / "cjeu_migration" / "62006CJ0072.txt",
    SHARED / "judilibre_fr" / "tcom_sample_detail_resolved.json",
    SHARED / "pdf" / "fixtures" / "2023-06-20-PV.pdf",
]
_CRASH = re.compile(r"crashed|exited unexpectedly|Traceback|File \"")


def kill_points_report(count: int, work: Path) -> str | None:
    """SIGKILL a real `temoin ingest` of the demo corpus at `count` points (after commit n, and while
    commit n is being written) and check each time that the index left is whole, that its workers died with
    it, and that a re-run ends equal to a clean build. None when `count` is 0."""
    if count <= 0:
        return None
    from bench.kill_harness import KillPoint, partial_ok, run_and_kill, snapshot
    from index.writer import IndexWriter
    from ingest.entities import load_pipelines
    from ingest.pipeline import ingest_paths

    demo = ROOT / "corpus"
    pipelines = load_pipelines()

    def build(index_dir: Path) -> Any:
        writer = IndexWriter(index_dir)
        try:
            return ingest_paths([demo], writer, pipelines, progress=False)
        finally:
            writer.close()

    build(work / "kill-clean")
    clean = snapshot(work / "kill-clean")
    points = [KillPoint("writing" if n % 2 else "commit", 1 + n // 2) for n in range(count)]
    killed = whole = equal = 0
    orphans: list[int] = []
    for n, point in enumerate(points):
        index_dir = work / f"kill-{n}"
        run = run_and_kill([demo], index_dir, point)
        killed += run["killed"]
        orphans += run["orphans"]
        whole += not partial_ok(snapshot(index_dir), clean)
        build(index_dir)
        equal += snapshot(index_dir) == clean
    return (
        f"{count} ({killed} killed before the end, {whole} left a whole index, {equal} equal to a clean build "
        f"after a re-run, {len(orphans)} worker processes outlived the kill)"
    )


def cli_ingest(paths: list[Path], index_dir: Path, workers: int | None) -> tuple[int, dict[str, Any], str]:
    """`temoin ingest --json --verbose`, in this process: its exit code, its JSON and what it wrote to stderr."""
    argv = ["ingest", *map(str, paths), "--index", str(index_dir), "--json", "--verbose"]
    if workers is not None:
        argv += ["--workers", str(workers)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = temoin(argv)
    return code, json.loads(out.getvalue() or "{}"), err.getvalue()


def documents(index_dir: Path) -> dict[str, tuple[str, int, str]]:
    """Every document: its source, passage count and a word from its first passage to search for."""
    searcher = Searcher(index_dir)
    try:
        out = {}
        for doc in searcher.documents():
            record = searcher.document(doc["id"]) or {}
            passages = record.get("passages", [])
            words = re.findall(r"[A-Za-zÀ-ÿ]{6,}", passages[0]["text"]) if passages else []
            out[doc["id"]] = (doc["source"], len(passages), words[0] if words else "")
        return out
    finally:
        searcher.close()


def lost_documents(index_dir: Path, before: dict[str, tuple[str, int, str]]) -> list[str]:
    after = documents(index_dir)
    lost = [f"{doc_id} ({src}): gone or changed" for doc_id, (src, n, _w) in before.items()
            if after.get(doc_id, ("", 0, ""))[:2] != (src, n)]
    searcher = Searcher(index_dir)
    try:
        for doc_id, (src, _n, word) in before.items():
            if word and not any(h.doc_id == doc_id for h in searcher.search(word, limit=1000).hits):
                lost.append(f"{doc_id} ({src}): not found searching {word!r}")
    finally:
        searcher.close()
    return lost


def short_reason(reason: str) -> str:
    """A reason without its details, to count reasons by kind."""
    reason = re.sub(r"\s*\(.*", "", reason)
    return re.sub(r"(?<![\w-])\d+(?![\w-])", "N", reason)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kill-points", type=int, default=10, help="SIGKILLs of a real ingest (0: none)")
    parser.add_argument("--workers", type=int, default=None, help="default: the workers setting")
    parser.add_argument("--file-timeout", type=int, default=120, help="seconds per file (default 120)")
    parser.add_argument("--light", action="store_true", help="leave out the heavy inputs (50 MB text ...)")
    parser.add_argument("--keep", type=Path, help="write the bad files and the index here, and keep them")
    args = parser.parse_args(argv)
    os.environ["TEMOIN_FILE_TIMEOUT"] = str(args.file_timeout)
    os.environ.setdefault("TEMOIN_OCR_CACHE", str(Path(tempfile.gettempdir()) / "temoin-robustness-ocr"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="temoin-robustness-"))
    bad_dir, good_dir, index_dir = work / "bad", work / "good", work / "index"
    for d in (bad_dir, good_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    try:
        for source in GOOD:
            shutil.copy(source, good_dir / source.name)
        t0 = time.perf_counter()
        bad = make_bad_files(bad_dir, seed=args.seed, heavy=not args.light)
        print(f"made {len(bad)} bad inputs in {time.perf_counter() - t0:.1f} s (seed {args.seed}) under {bad_dir}")

        code, good_run, _ = cli_ingest([good_dir], index_dir, args.workers)
        before = documents(index_dir)
        print(f"good documents indexed first: {len(before)} from {len(GOOD)} files (exit {code})")
        # One good file goes bad: its failure must keep its earlier records.
        goes_bad = good_dir / GOOD[0].name
        goes_bad.write_bytes(goes_bad.read_bytes()[: len(goes_bad.read_bytes()) // 3] + b"\xff\xfe\x00\x81" * 50)

        t0 = time.perf_counter()
        crashed_batch = ""
        try:
            code, run, stderr = cli_ingest([b.path for b in bad] + [goes_bad], index_dir, args.workers)
        except Exception as exc:  # noqa: BLE001 - a crash of the batch is what this report counts
            code, run, stderr, crashed_batch = 1, {"files": []}, "", f"{type(exc).__name__}: {exc}"
        wall = time.perf_counter() - t0
        files = {Path(f["path"]).name: f for f in run.get("files", [])}
        report(args, bad, files, wall, code, crashed_batch, stderr)
        lost = lost_documents(index_dir, before)
        crashes = sum(1 for f in files.values() if f["status"] == "failed" and _CRASH.search(f.get("reason") or ""))
        crashes += 1 if crashed_batch or code != 0 else 0
        print(f"\ncrashes: {crashes}")
        print(f"documents lost: {len(lost)}" + "".join(f"\n  {line}" for line in lost))
        kills = kill_points_report(args.kill_points, work)
        print(f"kill points tried: {'not run' if kills is None else kills}")
        self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak RSS: ingesting process {self_rss:.0f} MB, largest worker {child_rss:.0f} MB")
        return 1 if crashes or lost else 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def report(
    args: argparse.Namespace, bad: list[Any], files: dict[str, Any], wall: float, code: int, crashed: str, stderr: str
) -> None:
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    missing = 0
    for b in bad:
        f = files.get(b.path.name)
        if f is None:
            missing += 1
            by_kind[b.kind]["no result"] += 1
            continue
        ok = f["status"] in ("added", "updated", "unchanged")
        by_kind[b.kind]["ok" if ok else "failed"] += 1
        if not ok:
            reasons[short_reason(f.get("reason") or "(no reason)")] += 1
    outcome = Counter(f["status"] for f in files.values())
    print(f"\nbad batch: {len(bad)} inputs (+1 good file gone bad), {len(files)} results, {missing} inputs without "
          f"a result; exit {code}; {wall:.0f} s wall; file_timeout {args.file_timeout} s")
    if crashed:
        print(f"BATCH CRASHED: {crashed}")
    print("\ninputs by kind                          ok  failed")
    for kind in sorted(by_kind):
        c = by_kind[kind]
        print(f"  {kind:<36} {c['ok']:4d}  {c['failed']:6d}" + (f"  no result {c['no result']}" if c["no result"] else ""))
    print("\noutcomes: " + ", ".join(f"{status} {n}" for status, n in sorted(outcome.items())))
    print("failed by reason:")
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason}")
    slowest = sorted((f for f in files.values() if "seconds" in f), key=lambda f: -f["seconds"])[:8]
    print("\nslowest inputs:")
    for f in slowest:
        print(f"  {f['seconds']:7.1f} s  {Path(f['path']).name}: {f['status']} {f.get('reason') or ''}"[:160])
    if stderr.strip():
        print(f"\n(stderr of the ingest: {len(stderr.splitlines())} lines, e.g. {stderr.splitlines()[0][:120]!r})")


if __name__ == "__main__":
    sys.exit(main())
