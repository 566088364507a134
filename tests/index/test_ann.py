"""The approximate index beside the vector store (index/ann.py): built past the threshold, kept in step at
each commit (replaced and deleted rows gone), agreeing with exact search, obeying filters, and never trusted
when a crash or a stray file leaves it out of step with the segments (exact search, then rebuilt)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.ann import ANN_MIN_ROWS, candidate_rows, row_keys
from index.vector_writer import VectorWriter
from index.vectors import VectorIndex, nearest_units, open_vectors, top_k, vectors_dir
from ingest.settings import Settings

DIM = 32
SOURCES = 40
ROWS_PER_SOURCE = 30  # 1,200 rows


def clustered(seed: int, n: int) -> np.ndarray:
    """Unit rows around a few centres, as embeddings cluster by topic."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((12, DIM)).astype(np.float32)
    rows = centres[rng.integers(0, 12, n)] + 0.5 * rng.standard_normal((n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def ids_of(source: int, version: str = "") -> list[str]:
    # a passage and its sentence rows, as ingest.embed makes them
    return [f"d{source}{version}:{r // 3}" + (f"#{r % 3}" if r % 3 else "") for r in range(ROWS_PER_SOURCE)]


def fill(path: Path, min_rows: int = 500) -> VectorWriter:
    writer = VectorWriter(path, "test", DIM, ann_min_rows=min_rows)
    vectors = clustered(1, SOURCES * ROWS_PER_SOURCE)
    for s in range(SOURCES):
        writer.replace(f"s{s}.txt", "h1", ids_of(s), vectors[s * ROWS_PER_SOURCE : (s + 1) * ROWS_PER_SOURCE])
    writer.commit(1)
    return writer


def opened(path: Path) -> VectorIndex:
    store = open_vectors(path)
    assert store is not None
    return store


def exact(store: VectorIndex) -> VectorIndex:
    return dataclasses.replace(store, ann=None)


def manifest(path: Path) -> dict:
    return json.loads((vectors_dir(path) / "MANIFEST.json").read_text(encoding="utf-8"))


def recall(store: VectorIndex, queries: np.ndarray, k: int, mask: np.ndarray | None = None) -> float:
    found = [
        len({h.id for h in nearest_units(store, q, k, mask)} & {h.id for h in nearest_units(exact(store), q, k, mask)}) / k
        for q in queries
    ]
    return float(np.mean(found))


# ------------------------------------------------------------------ built past the threshold


def test_the_threshold_setting_defaults_to_the_measured_value() -> None:
    assert Settings().ann_min_rows == ANN_MIN_ROWS


def test_below_the_threshold_no_graph_is_kept(tmp_path: Path) -> None:
    fill(tmp_path, min_rows=5_000)
    assert "ann" not in manifest(tmp_path)
    assert not list(vectors_dir(tmp_path).glob("ann-*"))
    assert opened(tmp_path).ann is None


def test_past_the_threshold_the_graph_holds_every_live_row(tmp_path: Path) -> None:
    fill(tmp_path)
    entry = manifest(tmp_path)["ann"]
    assert entry["rows"] == SOURCES * ROWS_PER_SOURCE and entry["min_rows"] == 500
    store = opened(tmp_path)
    assert store.ann is not None
    assert len(store.ann.graph) == len(store.ids)
    assert bool(np.all(store.ann.graph.contains(row_keys(store.sources, store.ids))))


def test_row_keys_tell_the_same_id_in_two_sources_apart() -> None:
    keys = row_keys(["a.txt", "copy/a.txt", "a.txt"], ["d:1", "d:1", "d:1#1"])
    assert len(set(keys.tolist())) == 3 and int(keys.max()) < 2**63


# ------------------------------------------------------------------ agrees with exact search


def test_approximate_results_agree_with_exact_ones(tmp_path: Path) -> None:
    fill(tmp_path)
    store = opened(tmp_path)
    queries = clustered(9, 30)
    # Measured 1.000 at k = 10 and 0.999 at k = 50 on these rows; the bound leaves room for the graph.
    assert recall(store, queries, 10) >= 0.95
    assert recall(store, queries, 50) >= 0.95
    for q in queries[:5]:  # scores are exact cosines, best first, whichever way the rows were found
        hits = top_k(store, q, 20)
        np.testing.assert_allclose([h.score for h in hits], [float(store.matrix[store.row_of[h.id]] @ q) for h in hits],
                                   rtol=1e-6)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_units_keep_their_best_row(tmp_path: Path) -> None:
    fill(tmp_path)
    store = opened(tmp_path)
    hits = nearest_units(store, clustered(5, 1)[0], 10)
    assert len(hits) == 10 and all("#" not in h.id for h in hits)
    assert len({h.id for h in hits}) == 10


@pytest.mark.parametrize("share,min_rows,through_graph", [
    (0.5, 200, True),  # 600 rows allowed
    (0.25, 200, True),  # 300 rows
    (0.05, 200, False),  # 60 rows: fewer than the threshold
    (0.05, 50, False),  # 60 rows, but 5% of them: under MIN_SHARE
])
def test_filters_are_obeyed(tmp_path: Path, share: float, min_rows: int, through_graph: bool) -> None:
    """Wide filters go through the graph then the mask; narrow ones are searched exactly over their rows."""
    fill(tmp_path, min_rows=min_rows)
    store = opened(tmp_path)
    assert store.ann is not None
    allowed_sources = {f"s{s}.txt" for s in range(0, SOURCES, round(1 / share))}
    mask = np.array([s in allowed_sources for s in store.sources])
    assert (candidate_rows(store.ann, clustered(11, 1)[0], 80, mask, len(store.ids)) is not None) == through_graph
    for q in clustered(11, 10):
        hits = nearest_units(store, q, 10, mask)
        assert len(hits) == 10
        assert all(mask[store.row_of[h.id]] for h in hits)
    assert recall(store, clustered(11, 20), 10, mask) >= 0.95


# ------------------------------------------------------------------ kept in step


def test_replaced_and_deleted_rows_leave_the_graph(tmp_path: Path) -> None:
    fill(tmp_path)
    old = opened(tmp_path)
    gone = [i for i, s in zip(old.ids, old.sources) if s in ("s3.txt", "s4.txt")]
    gone_vectors = old.matrix[[old.row_of[i] for i in gone]]
    writer = VectorWriter(tmp_path, "test", DIM, ann_min_rows=500)  # a later ingest
    writer.delete("s3.txt")
    writer.replace("s4.txt", "h2", ids_of(4, "v2"), clustered(2, ROWS_PER_SOURCE))
    writer.commit(2)
    store = opened(tmp_path)
    assert store.ann is not None and len(store.ann.graph) == len(store.ids) == (SOURCES - 1) * ROWS_PER_SOURCE
    assert not bool(np.any(store.ann.graph.contains(row_keys(["s3.txt"] * len(gone), gone))))
    for q in gone_vectors:  # the deleted rows' own vectors: the nearest rows are others now
        found = {h.id for h in top_k(store, q, 5)}
        assert not found & set(gone)
    new = set(ids_of(4, "v2"))
    assert new & {h.id for q in clustered(2, ROWS_PER_SOURCE)[:3] for h in top_k(store, q, 3)}
    assert len(list(vectors_dir(tmp_path).glob("ann-*"))) == 1  # the replaced graph file is gone


def test_many_commits_and_merges_keep_the_graph_in_step(tmp_path: Path) -> None:
    writer = fill(tmp_path)
    for n in range(12):  # past MAX_SEGMENTS: segments merge, keys stay
        writer.replace(f"s{n}.txt", f"h{n}", ids_of(n, f"r{n}"), clustered(20 + n, ROWS_PER_SOURCE))
        writer.commit(2 + n)
    store = opened(tmp_path)
    assert store.ann is not None and len(store.ann.graph) == len(store.ids)
    assert recall(store, clustered(9, 20), 10) >= 0.95


def test_falling_below_the_threshold_drops_the_graph(tmp_path: Path) -> None:
    writer = fill(tmp_path, min_rows=1_000)
    for s in range(10):
        writer.delete(f"s{s}.txt")
    writer.commit(2)
    assert "ann" not in manifest(tmp_path) and not list(vectors_dir(tmp_path).glob("ann-*"))
    assert opened(tmp_path).ann is None


# ------------------------------------------------------------------ crashes and stray files


def test_a_truncated_graph_falls_back_to_exact_and_is_rebuilt(tmp_path: Path) -> None:
    fill(tmp_path)
    graph = vectors_dir(tmp_path) / manifest(tmp_path)["ann"]["file"]
    graph.write_bytes(graph.read_bytes()[: graph.stat().st_size // 2])  # a partial write
    store = opened(tmp_path)
    assert store.ann is None  # exact search, same answers
    q = clustered(3, 1)[0]
    assert [h.id for h in nearest_units(store, q, 10)] == [h.id for h in nearest_units(exact(store), q, 10)]
    writer = VectorWriter(tmp_path, "test", DIM, ann_min_rows=500)  # the next ingest
    assert writer.ann_stale()
    writer.commit(1)
    assert opened(tmp_path).ann is not None


def test_a_missing_graph_falls_back_to_exact_and_is_rebuilt(tmp_path: Path) -> None:
    fill(tmp_path)
    (vectors_dir(tmp_path) / manifest(tmp_path)["ann"]["file"]).unlink()
    assert opened(tmp_path).ann is None
    writer = VectorWriter(tmp_path, "test", DIM, ann_min_rows=500)
    assert writer.ann_stale()
    writer.commit(1)
    assert opened(tmp_path).ann is not None


def test_a_graph_of_other_rows_is_not_trusted(tmp_path: Path) -> None:
    """An older graph under the name the manifest gives (a copy restored by hand, a bug): it holds rows that
    are gone, so it is not used, and a writer rebuilds it even when nothing else changed."""
    fill(tmp_path)
    old_graph = tmp_path / "old.usearch"
    shutil.copy(vectors_dir(tmp_path) / manifest(tmp_path)["ann"]["file"], old_graph)
    writer = VectorWriter(tmp_path, "test", DIM, ann_min_rows=500)
    writer.replace("s0.txt", "h2", ids_of(0, "v2"), clustered(2, ROWS_PER_SOURCE))
    writer.commit(2)
    shutil.copy(old_graph, vectors_dir(tmp_path) / manifest(tmp_path)["ann"]["file"])
    store = opened(tmp_path)
    assert store.ann is None
    q = store.matrix[store.row_of[ids_of(0, "v2")[0]]]
    assert nearest_units(store, q, 1)[0].id == ids_of(0, "v2")[0]
    writer = VectorWriter(tmp_path, "test", DIM, ann_min_rows=500)
    assert writer.ann_stale()
    writer.commit(2)
    assert opened(tmp_path).ann is not None


def test_a_crash_before_the_manifest_keeps_the_committed_graph(tmp_path: Path) -> None:
    """A commit that died after saving its graph (or mid-save) but before the manifest: readers keep the last
    committed segments and graph; the next commit sweeps the leftovers."""
    fill(tmp_path)
    before = manifest(tmp_path)
    folder = vectors_dir(tmp_path)
    committed = folder / before["ann"]["file"]
    shutil.copy(committed, folder / "ann-000099.usearch")  # a later graph, never named
    (folder / "ann-000100.usearch.tmp").write_bytes(b"half")
    (folder / "seg-000099.npz").write_bytes(b"half")
    store = opened(tmp_path)
    assert store.ann is not None and len(store.ann.graph) == len(store.ids)
    writer = VectorWriter(tmp_path, "test", DIM, ann_min_rows=500)
    assert not writer.ann_stale()
    writer.delete("s1.txt")
    writer.commit(2)
    names = {p.name for p in folder.iterdir()}
    assert not {"ann-000099.usearch", "ann-000100.usearch.tmp", "seg-000099.npz", committed.name} & names
    assert opened(tmp_path).ann is not None


def test_a_cancelled_commit_leaves_the_graph_as_committed(tmp_path: Path) -> None:
    writer = fill(tmp_path)
    entry = manifest(tmp_path)["ann"]
    writer.delete("s2.txt")
    writer.cancel()
    writer.replace("s5.txt", "h2", ids_of(5, "v2"), clustered(4, ROWS_PER_SOURCE))
    writer.commit(2)
    store = opened(tmp_path)
    assert store.ann is not None and manifest(tmp_path)["ann"]["file"] != entry["file"]
    assert "s2.txt" in store.sources and len(store.ann.graph) == len(store.ids)
