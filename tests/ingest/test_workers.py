"""Ingest worker processes: same index whatever the number of workers, limits that fail one file only,
workers that die with the parent. Real files from the shared corpus; real slow inputs, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.writer import IndexWriter
from ingest.pipeline import StageClock, ingest_paths
from ingest.records import IngestSummary
from ingest.settings import Settings
from ingest.workers import WorkerPool
from tests.conftest import DEMO, ROOT, SHARED, index_content, needs_shared

pytestmark = needs_shared

SMALL = [
    SHARED / "cjeu_migration" / "62006CJ0072.txt",
    SHARED / "cjeu_migration" / "62008CJ0322.txt",
    SHARED / "seeds" / "calais-harassment-statement-2013.txt",
    SHARED / "judilibre_fr" / "tcom_sample_detail_resolved.json",  # several decisions in one file
    SHARED / "pdf" / "fixtures" / "san-jose-pd-firearm-sample.pdf",
    SHARED / "tribunal_transcripts" / "YUG-Lukic__IT-98-32_1-104.txt",
    DEMO / "judgment-r-on-the-application-of-a-2021.html",
    DEMO / "press-statement-2021-04.md",
]
# A real slow input: the 2.4 MB Gacumbitsi transcript takes over a minute of NLP on one core.
SLOW = SHARED / "tribunal_transcripts" / "post-cleaning__RWA-Gacumbitsi-full.txt"
MODELS = Settings().models


@pytest.fixture(scope="module")
def pool2() -> Iterator[WorkerPool]:
    with WorkerPool(2, MODELS, memory_mb=2048) as pool:
        yield pool


@pytest.fixture(scope="module")
def pool1() -> Iterator[WorkerPool]:
    """One worker, with a memory limit small enough for a real input to exhaust (the models need ~600 MB)."""
    with WorkerPool(1, MODELS, memory_mb=900) as pool:
        yield pool


def ingest(paths: list[Path], index_dir: Path, pool: WorkerPool, timeout: float = 600) -> IngestSummary:
    writer = IndexWriter(index_dir)
    try:
        return ingest_paths(paths, writer, {}, workers=pool, file_timeout=timeout, progress=False)
    finally:
        writer.close()


def test_one_and_two_workers_build_the_same_index(tmp_path: Path, pool2: WorkerPool) -> None:
    # The default memory limit: pool1's 900 MB is for the test that exhausts it, and leaves a worker (models,
    # BLAS and malloc arenas counted in its address space) too little headroom to build ordinary files.
    with WorkerPool(1, MODELS, memory_mb=2048) as pool1:
        one = ingest(SMALL, tmp_path / "one", pool1)
    two = ingest(SMALL, tmp_path / "two", pool2)
    assert [r.path for r in one.results] == [str(p.resolve()) for p in SMALL]  # input order
    assert one.results == two.results
    assert all(r.status == "added" for r in two.results), two.results
    first, second = index_content(tmp_path / "one"), index_content(tmp_path / "two")
    assert len(first["documents"]) >= len(SMALL)
    assert all(doc["passages"] for doc in first["documents"].values())
    assert first == second
    # Unchanged files are skipped before any parsing, in their place in the order.
    again = ingest(SMALL, tmp_path / "two", pool2)
    assert [r.status for r in again.results] == ["unchanged"] * len(SMALL)


def test_a_slow_file_and_a_killed_worker_fail_one_file_each_and_the_batch_goes_on(
    tmp_path: Path, pool2: WorkerPool
) -> None:
    # Two copies of a real slow input: the test kills the worker reading the first; the second runs into
    # the time limit. Both workers are replaced; the small files around them are indexed.
    killed_copy, slow_copy = tmp_path / "killed" / SLOW.name, tmp_path / "slow" / SLOW.name
    for copy in (killed_copy, slow_copy):
        copy.parent.mkdir()
        copy.write_bytes(SLOW.read_bytes())
    paths = [SMALL[0], killed_copy, SMALL[1], slow_copy, SMALL[2], SMALL[3]]
    killed: list[int] = []

    def kill_when_busy() -> None:
        for _ in range(6000):  # gives up after about 10 minutes: the asserts below then fail
            for pid, path in pool2.busy():
                if path == str(killed_copy):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.1)

    killer = threading.Thread(target=kill_when_busy, daemon=True)
    killer.start()
    before = pool2.replaced
    summary = ingest(paths, tmp_path / "ix", pool2, timeout=10)
    killer.join()
    assert [(r.status, r.reason) for r in summary.results] == [
        ("added", None),
        ("failed", "the worker reading it crashed (signal 9, SIGKILL)"),
        ("added", None),
        ("failed", "took longer than 10 s (file_timeout)"),
        ("added", None),
        ("added", None),
    ]
    assert killed and killed[0] not in pool2.pids() and pool2.replaced == before + 2
    content = index_content(tmp_path / "ix")
    assert sorted(path for path, _ in content["failures"]) == sorted([str(killed_copy), str(slow_copy)])
    assert {d["document"]["source"] for d in content["documents"].values()} == {
        str(p.resolve()) for p in SMALL[:4]
    }


def test_a_file_sent_ahead_to_a_worker_that_is_killed_or_too_slow_is_built_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker holds the file it builds and the next (IN_FLIGHT): when it is killed, or runs into the time
    limit, only the file it was building fails; the one sent ahead goes back and is built."""
    monkeypatch.setattr("ingest.workers.BIG_FILE_BYTES", 10**12)  # input order: the slow inputs are big files
    killed_copy, slow_copy = tmp_path / "killed" / SLOW.name, tmp_path / "slow" / SLOW.name
    for copy in (killed_copy, slow_copy):
        copy.parent.mkdir()
        copy.write_bytes(SLOW.read_bytes())
    paths = [killed_copy, SMALL[0], SMALL[1], slow_copy, SMALL[2], SMALL[6]]
    held: list[int] = []
    with WorkerPool(1, MODELS, memory_mb=2048) as pool:

        def kill_when_busy() -> None:
            for _ in range(6000):
                for pid, path in pool.busy():
                    if path == str(killed_copy):
                        held.append(len(pool._workers[0].tasks))
                        os.kill(pid, signal.SIGKILL)
                        return
                time.sleep(0.1)

        killer = threading.Thread(target=kill_when_busy, daemon=True)
        killer.start()
        summary = ingest(paths, tmp_path / "ix", pool, timeout=10)
        killer.join()
        assert pool.replaced == 2
    assert held == [2]  # the next file was already sent when the worker was killed
    assert [(r.status, r.reason) for r in summary.results] == [
        ("failed", "the worker reading it crashed (signal 9, SIGKILL)"),
        ("added", None),
        ("added", None),
        ("failed", "took longer than 10 s (file_timeout)"),
        ("added", None),
        ("added", None),
    ]


def test_a_worker_that_runs_out_of_memory_fails_its_file(tmp_path: Path, pool1: WorkerPool) -> None:
    big = tmp_path / "big.txt"
    # 200 MB of text: decoding and cleaning it needs far more than 900 MB of address space.
    line = ("Witness statement recorded in Calais by the association. " * 20 + "\n\n").encode()
    with big.open("wb") as fh:
        for _ in range(200 * 1024 * 1024 // len(line)):
            fh.write(line)
    summary = ingest([big, SMALL[0]], tmp_path / "ix", pool1)
    assert [(r.status, r.reason) for r in summary.results] == [
        ("failed", "needed more than 900 MB of memory (worker_memory_mb)"),
        ("added", None),
    ]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_die_with_a_killed_ingest(tmp_path: Path) -> None:
    env = dict(os.environ, TEMOIN_INDEX=str(tmp_path / "ix"), PYTHONPATH=str(ROOT))
    parent = subprocess.Popen(
        [sys.executable, "-m", "search_app.cli", "ingest", str(SLOW), str(SMALL[0]), "--workers", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        children: list[int] = []
        for _ in range(600):
            children = [int(pid) for task in Path(f"/proc/{parent.pid}/task").iterdir()
                        for pid in (task / "children").read_text().split()]
            workers = [pid for pid in children if "spawn_main" in _cmdline(pid)]
            if len(workers) == 2:
                break
            time.sleep(0.1)
        assert len(workers) == 2
        time.sleep(1)  # let them get into loading the models
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        for _ in range(300):  # they go within a second; allow for a loaded machine
            if not any(_alive(pid) for pid in workers):
                break
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
    finally:
        if parent.poll() is None:
            parent.kill()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_stage_seconds_and_file_seconds_come_back_from_the_workers(tmp_path: Path, pool2: WorkerPool) -> None:
    clock = StageClock()
    writer = IndexWriter(tmp_path / "ix")
    try:
        ingest_paths(SMALL[:2], writer, {}, workers=pool2, clock=clock, progress=False)
    finally:
        writer.close()
    assert clock.seconds["entities"] > 0 and clock.seconds["index"] > 0
    assert set(clock.file_seconds) == {str(p.resolve()) for p in SMALL[:2]}


@pytest.mark.parametrize(
    ("sizes", "first"),
    [
        ([10, 20, 30], 0),  # small files: input order
        ([10, 20, 2_000_000], 2),  # a big file waiting goes first, wherever it is in the look-ahead
        ([1_500_000, 10, 3_000_000], 2),  # the biggest of them first
        ([10] * 20 + [2_000_000], 0),  # beyond the look-ahead (16 files for 2 workers): not yet seen
    ],
)
def test_a_big_file_among_the_next_ones_is_built_first(tmp_path: Path, sizes: list[int], first: int) -> None:
    from types import SimpleNamespace

    from ingest.workers import _Run

    paths = []
    for n, size in enumerate(sizes):
        path = tmp_path / f"f{n}.txt"
        with path.open("wb") as fh:
            fh.truncate(size)
        paths.append(path)
    run: Any = _Run(SimpleNamespace(count=2), iter([(n, p, "digest") for n, p in enumerate(paths)]), 10.0)
    run._take()
    assert run.queue[run._next()][0] == first
