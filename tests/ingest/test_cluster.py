"""Ingestion on a Dask cluster: a real `LocalCluster` of worker processes on loopback builds the same index
as local ingestion, fails a bad file with the same reason, and the CLI says plainly when it cannot be used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.writer import IndexWriter
from ingest.pipeline import ingest_paths
from ingest.records import IngestSummary
from ingest.settings import Settings
from search_app.cli import main
from tests.conftest import DEMO, SHARED, index_content, needs_shared

distributed = pytest.importorskip("distributed", reason="the temoin[cluster] extra is not installed")

# Our demo corpus: three formats, sidecars beside two files (they must travel with the bytes).
FILES = [
    DEMO / "press-statement-2021-04.md",
    DEMO / "testimonies-grande-synthe-2020.md",
    DEMO / "temoignage-calais-2022.txt",
    DEMO / "judgment-r-on-the-application-of-a-2021.html",
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two single-threaded worker processes on 127.0.0.1, started as the README says (`dask worker --nthreads 1`,
    not daemons so that each can start its ingest process), and a scheduler that sends a worker one file at a
    time."""
    import dask

    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0, "distributed.worker.daemon": False}):
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0",
            memory_limit="3GiB",
        ) as local:
            yield local


def ingest(paths: list[Path], index_dir: Path, pool: Any, pipelines: dict[str, Any] | None = None) -> IngestSummary:
    writer = IndexWriter(index_dir)
    try:
        if pool is None:
            return ingest_paths(paths, writer, pipelines or {}, progress=False)
        return ingest_paths(paths, writer, {}, workers=pool, file_timeout=300, progress=False)
    finally:
        writer.close()


def test_a_local_cluster_builds_the_same_index_as_local_ingestion(
    tmp_path: Path, cluster: Any, pipelines: dict[str, Any]
) -> None:
    from ingest.cluster import ClusterPool, open_cluster

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n this is not a PDF body at all\n")
    paths = [FILES[0], broken, *FILES[1:]]
    local = ingest(paths, tmp_path / "local", None, pipelines)
    client = open_cluster(cluster.scheduler_address)
    try:
        pool = ClusterPool(client, Settings().models)
        remote = ingest(paths, tmp_path / "cluster", pool)
        assert [r.path for r in remote.results] == [str(p.resolve()) for p in paths]  # input order
        assert remote.results == local.results
        assert remote.results[1].status == "failed" and remote.results[1].reason
        assert [r.status for r in remote.results if r.path != str(broken)] == ["added"] * len(FILES)
        first, second = index_content(tmp_path / "local"), index_content(tmp_path / "cluster")
        assert len(first["documents"]) == len(FILES) and first == second
        # The sidecar travelled with its file: its title is the sidecar's, on both sides.
        titles = {d["document"]["source"]: d["document"]["title"] for d in second["documents"].values()}
        sidecar = (DEMO / "press-statement-2021-04.meta.json").read_text(encoding="utf-8")
        assert titles[str(FILES[0].resolve())] in sidecar
        # Unchanged files are skipped here, before anything is sent.
        again = ingest(paths, tmp_path / "cluster", pool)
        assert [r.status for r in again.results] == ["unchanged"] * len(paths)
    finally:
        client.close()


def test_cli_ingest_on_a_cluster(tmp_path: Path, cluster: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ingest", "--index", str(tmp_path / "ix"), "--cluster", cluster.scheduler_address,
                 str(FILES[2])])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("added 1, updated 0, unchanged 0, failed 0")


def test_an_unreachable_scheduler_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = main(["ingest", "--index", str(tmp_path / "ix"), "--cluster", f"tcp://127.0.0.1:{port}", str(FILES[0])])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"temoin: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")
    assert "Traceback" not in err and not (tmp_path / "ix").exists()


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # what an install without the extra looks like
    code = main(["ingest", "--index", str(tmp_path / "ix"), "--cluster", "tcp://127.0.0.1:8786", str(FILES[0])])
    assert code == 1
    assert "pip install 'temoin[cluster]'" in capsys.readouterr().err


@needs_shared
def test_a_killed_reader_and_a_slow_file_fail_one_file_each_and_the_batch_goes_on(
    tmp_path: Path, cluster: Any
) -> None:
    import os
    import signal
    import threading
    import time

    from ingest.cluster import ClusterPool, open_cluster
    from ingest.cluster_worker import PLUGIN_NAME

    # A real slow input (over a minute of NLP on one core), twice, each copy with its own hash.
    slow = SHARED / "tribunal_transcripts" / "post-cleaning__RWA-Gacumbitsi-full.txt"
    killed_copy, slow_copy = tmp_path / "killed.txt", tmp_path / "slow.txt"
    killed_copy.write_bytes(slow.read_bytes() + b"\n\nCopy one.\n")
    slow_copy.write_bytes(slow.read_bytes() + b"\n\nCopy two.\n")
    paths = [FILES[0], killed_copy, FILES[1], slow_copy, FILES[2]]
    client = open_cluster(cluster.scheduler_address)
    killed: list[int] = []

    def busy(dask_worker: Any) -> list[tuple[int, str]]:
        return dask_worker.plugins[PLUGIN_NAME].pool.busy()

    def kill_when_busy() -> None:
        for _ in range(3000):  # gives up after about 5 minutes: the asserts below then fail
            for reading in client.run(busy).values():
                for pid, path in reading:
                    if Path(path).name == killed_copy.name:
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                        return
            time.sleep(0.1)

    try:
        pool = ClusterPool(client, Settings().models, memory_mb=2048)
        killer = threading.Thread(target=kill_when_busy, daemon=True)
        killer.start()
        writer = IndexWriter(tmp_path / "ix")
        try:
            summary = ingest_paths(paths, writer, {}, workers=pool, file_timeout=10, progress=False)
        finally:
            writer.close()
        killer.join()
        # The reasons of local ingestion: the Dask workers read each file in a child process they can kill.
        assert [(r.status, r.reason) for r in summary.results] == [
            ("added", None),
            ("failed", "the worker reading it crashed (signal 9, SIGKILL)"),
            ("added", None),
            ("failed", "took longer than 10 s (file_timeout)"),
            ("added", None),
        ]
        content = index_content(tmp_path / "ix")
        assert sorted(p for p, _ in content["failures"]) == sorted([str(killed_copy), str(slow_copy)])
        assert {d["document"]["source"] for d in content["documents"].values()} == {
            str(p.resolve()) for p in FILES[:3]
        }
    finally:
        client.close()


def test_daemon_workers_are_refused_with_what_to_do(tmp_path: Path) -> None:
    import dask

    from ingest.cluster import ClusterError, ClusterPool, open_cluster

    with dask.config.set({"distributed.worker.daemon": True}), distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0",
    ) as local:
        client = open_cluster(local.scheduler_address)
        try:
            pool = ClusterPool(client, Settings().models)
            writer = IndexWriter(tmp_path / "ix")
            try:
                with pytest.raises(ClusterError, match="DASK_DISTRIBUTED__WORKER__DAEMON=False"):
                    ingest_paths([FILES[0]], writer, {}, workers=pool, progress=False)
            finally:
                writer.cancel()
                writer.close()
        finally:
            client.close()
