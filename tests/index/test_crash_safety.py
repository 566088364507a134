"""Nothing committed is lost when `temoin ingest` is killed, and two ingests never interleave.

A real `temoin ingest` of the demo corpus runs in a child process, committing after every file, and is
killed with SIGKILL after a commit or while a commit's segment is being written. After each kill the index
opens, every document in it is whole and equal to a clean build's, a search works, and ingesting again
ends with an index equal to the clean build (same documents, passages, entities).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench.kill_harness import INGEST, KillPoint, ingest_env, partial_ok, run_and_kill, snapshot
from index.search import Searcher
from index.writer import IndexBusy, IndexWriter
from tests.conftest import DEMO, FIXTURES, build_index

# After commit n, and while the n-th commit's files are written: the start, the middle and the end of a run
KILL_POINTS = [
    KillPoint("writing", 1),
    KillPoint("commit", 1),
    KillPoint("writing", 3),
    KillPoint("commit", 4),
    KillPoint("writing", 6),
    KillPoint("commit", 7),
]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> dict[str, Any]:
    index_dir = tmp_path_factory.mktemp("clean") / "index"
    build_index([DEMO], index_dir, pipelines)
    return snapshot(index_dir)


@pytest.mark.parametrize("point", KILL_POINTS, ids=str)
def test_a_killed_ingest_keeps_what_it_committed(
    point: KillPoint, tmp_path: Path, clean: dict[str, Any], pipelines: dict[str, Any]
) -> None:
    index_dir = tmp_path / "index"
    run = run_and_kill([DEMO], index_dir, point)
    assert run["killed"], f"the ingest ended before {point}: {run}"
    assert run["orphans"] == [], "processes of the killed ingest outlived it"

    left = snapshot(index_dir)  # the index opens after any kill
    assert partial_ok(left, clean) == []
    if point.kind == "commit":  # one file per commit: at least that many documents were committed
        assert len(left["documents"]) >= point.value
    searcher = Searcher(index_dir)
    try:
        hits = searcher.search("Calais", limit=50).hits
    finally:
        searcher.close()
    assert {h.doc_id for h in hits} <= set(left["documents"])
    if left["documents"]:
        assert hits, "a committed document mentioning Calais is not found"

    summary = build_index([DEMO], index_dir, pipelines)  # the lock died with the killed ingest
    statuses = [r.status for r in summary.results]
    assert statuses.count("unchanged") == len({d["source"] for d in left["documents"].values()})
    assert snapshot(index_dir) == clean


def test_searches_during_an_ingest_see_whole_documents(tmp_path: Path, clean: dict[str, Any]) -> None:
    """A reader opening the index at any moment of an ingest sees committed documents whole, never a part,
    and never fewer documents than it saw before."""
    index_dir = tmp_path / "index"
    log = (tmp_path / "ingest.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", INGEST, "ingest", str(DEMO)], env=ingest_env(index_dir), stdout=log, stderr=log
    )
    seen: list[int] = []
    try:
        while proc.poll() is None:
            if (index_dir / "TEMOIN_SCHEMA").exists():
                state = snapshot(index_dir)
                assert partial_ok(state, clean) == []
                seen.append(len(state["documents"]))
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        log.close()
    assert proc.returncode == 0, (tmp_path / "ingest.log").read_text()
    assert seen == sorted(seen), "a reader saw documents disappear during the ingest"
    assert len(set(seen)) > 2, f"the readers saw too few states to tell: {seen}"
    assert snapshot(index_dir) == clean


def test_a_second_writer_is_refused_until_the_first_ends(tmp_path: Path) -> None:
    first = IndexWriter(tmp_path / "index")
    try:
        with pytest.raises(IndexBusy, match=rf"another ingest is writing to this index \(pid {os.getpid()}, since"):
            IndexWriter(tmp_path / "index", lock_timeout=0.3)
    finally:
        first.close()
    IndexWriter(tmp_path / "index").close()


def test_temoin_ingest_refuses_while_another_holds_the_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI says who holds the index and exits non-zero; once the holder dies (SIGKILL), ingest works."""
    from search_app.cli import main

    index_dir = tmp_path / "index"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from index.writer import IndexWriter; "
         "w = IndexWriter(Path(sys.argv[1])); print('held', flush=True); time.sleep(120)", str(index_dir)],
        stdout=subprocess.PIPE, env=ingest_env(index_dir),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        code = main(["ingest", "--index", str(index_dir), str(FIXTURES / "dunkirk-notes.txt")])
        err = capsys.readouterr().err
        assert code != 0
        assert f"another ingest is writing to this index (pid {holder.pid}" in err
        assert "Traceback" not in err
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    assert main(["ingest", "--index", str(index_dir), str(FIXTURES / "dunkirk-notes.txt")]) == 0
    assert "added 1" in capsys.readouterr().out
