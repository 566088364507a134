"""Ingestion on a Dask cluster: a real `LocalCluster` of worker processes on loopback builds the same index
as local ingestion, fails a bad file with the same reason, and the CLI says plainly when it cannot be used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.search import Searcher
from index.writer import IndexWriter
from ingest.pipeline import ingest_paths
from ingest.records import IngestSummary
from ingest.settings import Settings
from search_app.cli import main
from tests.conftest import DEMO

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
    """Two single-threaded worker processes on 127.0.0.1, as `dask worker --nthreads 1` would run them."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
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


def index_content(index_dir: Path) -> dict[str, Any]:
    searcher = Searcher(index_dir)
    try:
        ids = sorted(d["id"] for d in searcher.documents())
        return {
            "documents": {i: searcher.document(i) for i in ids},
            "entities": searcher.entities(limit=10_000),
            "failures": sorted((f["path"], f["reason"]) for f in searcher.failures()),
        }
    finally:
        searcher.close()


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
