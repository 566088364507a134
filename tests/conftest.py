"""Shared fixtures: the real corpus beside the project, spaCy pipelines loaded once, indexes built once."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO = ROOT / "corpus"
APP = ROOT / "search_app" / "app.py"
APP_TIMEOUT = 60  # seconds for one run of the app under AppTest

# Tests of keyword search pin its exact results: they ingest without embeddings unless they ask for them
# (tests/index/test_semantic_search.py does, with monkeypatch.setenv("TEMOIN_ENCODER", ...)).
os.environ.setdefault("TEMOIN_ENCODER", "off")

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the real corpus is not beside the project ({SHARED} is absent)"
)


@pytest.fixture(scope="session")
def pipelines() -> dict[str, Any]:
    from ingest.entities import load_pipelines

    return load_pipelines()


def build_index(paths: list[Path], index_dir: Path, pipelines: dict[str, Any]) -> Any:
    from index.writer import IndexWriter
    from ingest.pipeline import ingest_paths

    writer = IndexWriter(index_dir)
    try:
        return ingest_paths(paths, writer, pipelines, progress=False)
    finally:
        writer.close()


def build_embedded(
    paths: list[Path], index_dir: Path, pipelines: dict[str, Any], encoder: Any, **vector_options: Any
) -> Any:
    """Ingest `paths` with their embeddings (`encoder`), as `temoin ingest` does with the encoder setting on;
    `vector_options` go to the vector store (`ann_min_rows`)."""
    from index.semantic import attach_vectors
    from index.writer import IndexWriter
    from ingest.pipeline import ingest_paths

    writer = IndexWriter(index_dir)
    try:
        attach_vectors(writer, encoder, **vector_options)
        return ingest_paths(paths, writer, {**pipelines, "encoder": encoder}, progress=False)
    finally:
        writer.close()


def index_content(index_dir: Path) -> dict[str, Any]:
    """What an index holds, to compare two builds: documents, entities and failures."""
    from index.search import Searcher

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


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the real corpus is not beside the project ({SHARED} is absent)")
    index_dir = tmp_path_factory.mktemp("seeds") / "index"
    build_index([SHARED / "seeds"], index_dir, pipelines)
    return index_dir


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Path:
    index_dir = tmp_path_factory.mktemp("demo") / "index"
    build_index([DEMO], index_dir, pipelines)
    return index_dir


@pytest.fixture
def start_app(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], Any]:
    """Run the Streamlit app headless (AppTest) on the index at a path; returns the AppTest after its first run."""
    from streamlit.testing.v1 import AppTest

    # AppTest runs the script as `__main__` and leaves it there: every process spawned later in the session
    # (Dask's workers) would run the app again first. Given back after the test.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])

    def start(index_dir: Path) -> AppTest:
        monkeypatch.setenv("TEMOIN_INDEX", str(index_dir))
        return AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT).run()

    return start
