"""Embeddings of passages and testimony quotes, stored beside the keyword index and kept in step with it.

Layout, in `<index>/vectors/`:

    MANIFEST.json   encoder, how its rows are made (ingest/embed.py ROWS_VERSION), vector size, the Whoosh
                    generation the vectors match, the live segments
    seg-000007.npz  ids, sources and float16 vectors added by one commit
    ann-000008.usearch  an HNSW graph of the live rows, past `ann_min_rows` of them (index/ann.py)

It works like Whoosh itself: a commit writes a new segment, then replaces MANIFEST.json in one step (a
temporary file renamed), so a crash leaves the last committed store as it was. Replacing or deleting a source
marks its rows deleted in the older segments (tombstones in the manifest); segments are merged when they grow
many or mostly deleted. Vectors are stored as float16 (half the disk, no measurable change in ranking) and
searched as float32. Past `ann_min_rows` live rows, searches with a wide filter go through an approximate
index kept in step at each commit and named by the same manifest (index/ann.py); below, or when that index is
missing or disagrees with the segments, search is exact.

The manifest names the Whoosh generation it matches, so a reader can tell whether the two are in step; and
`sync_vectors` (index/vector_writer.py) makes them so from what Whoosh has committed (its stored text), source
by source, by file hash: it is what an ingest calls after each commit, and what mends a store a crash left one
commit behind. This module is the layout and the reading side; index/vector_writer.py writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.ann import AnnIndex, candidate_rows, open_ann

FORMAT = 1


def vectors_dir(index_path: Path) -> Path:
    return index_path / "vectors"


@dataclass(frozen=True, slots=True)
class VectorHit:
    id: str
    score: float  # cosine similarity, -1..1


@dataclass(frozen=True, slots=True)
class VectorIndex:
    """The committed vectors, loaded for searching: row i of `matrix` is the unit vector of `ids[i]`."""

    encoder: str
    dim: int
    generation: int  # the Whoosh generation these vectors match
    ids: tuple[str, ...]
    sources: tuple[str, ...]
    matrix: np.ndarray  # (n, dim) float32
    row_of: dict[str, int] = field(repr=False)
    ann: AnnIndex | None = field(default=None, repr=False)  # the approximate index, when in step (index/ann.py)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)  # derived arrays, built once

    def in_step(self, generation: int) -> bool:
        """Whether these vectors are those of the Whoosh index at `generation`."""
        return self.generation == generation

    def mask(self, allowed: Iterable[str]) -> np.ndarray:
        """A boolean row mask of the ids in `allowed` (the ids the keyword filters let through)."""
        out = np.zeros(len(self.ids), dtype=bool)
        rows = [r for r in map(self.row_of.get, allowed) if r is not None]
        out[rows] = True
        return out


def read_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / "MANIFEST.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        return None  # an older layout: treated as absent, rebuilt by sync_vectors
    return data


def load_segment(
    folder: Path, seg: dict[str, Any], as_stored: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A segment's live rows: ids, sources, vectors (rows of deleted sources left out), as float32, or as
    stored (float16) when `as_stored`."""
    with np.load(folder / f"{seg['name']}.npz", allow_pickle=False) as data:
        ids, sources, vectors = data["ids"], data["sources"], data["vectors"]
    if seg["deleted"]:
        live = ~np.isin(sources, np.array(seg["deleted"], dtype=sources.dtype))
        ids, sources, vectors = ids[live], sources[live], vectors[live]
    return ids, sources, (vectors if as_stored else vectors.astype(np.float32))


def open_vectors(index_path: Path) -> VectorIndex | None:
    """The committed vectors of the index at `index_path`, or None when it has none yet."""
    folder = vectors_dir(index_path)
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    dim = int(manifest["dim"])
    parts = [load_segment(folder, seg, as_stored=True) for seg in manifest["segments"]]
    # numpy's tolist gives Python strings in one call (str() per element: 0.18 s for 155,431 rows, 0.08)
    ids = tuple(i for p in parts for i in p[0].tolist())
    sources = tuple(s for p in parts for s in p[1].tolist())
    # the segments' float16 rows cast straight into one float32 matrix: casting each segment and then
    # concatenating made a second copy of the whole matrix (0.36 s and 318 MB more for the shared corpus)
    matrix = (
        np.concatenate([p[2] for p in parts], dtype=np.float32) if parts else np.zeros((0, dim), np.float32)
    )
    return VectorIndex(
        encoder=manifest["encoder"], dim=dim, generation=int(manifest["generation"]), ids=ids,
        sources=sources, matrix=matrix, row_of={i: r for r, i in enumerate(ids)},
        ann=open_ann(folder, manifest.get("ann"), sources, ids, matrix),
    )


def whole_rows(vectors: VectorIndex) -> np.ndarray:
    """The rows that hold a whole passage or testimony (the others, "<id>#n", hold one of its sentences)."""
    cached = vectors.cache.get("whole")
    if cached is None:
        ids = vectors.ids
        cached = vectors.cache["whole"] = np.flatnonzero(np.fromiter(("#" not in i for i in ids), bool, len(ids)))
    return cached


def document_vectors(vectors: VectorIndex) -> tuple[np.ndarray, np.ndarray]:
    """Each row's document (an index into the second array) and each document's unit mean vector: the mean of
    its passages' and quotes' whole-unit rows (sentence rows left out), what the document is about as a whole.
    Built once per loaded store."""
    cached = vectors.cache.get("documents")
    if cached is None:
        # each source numbered by its first row (a dict: np.unique sorted 155,431 strings in ~0.5 s, a fifth
        # of a cold search over the whole shared corpus)
        number: dict[str, int] = {}
        sources = vectors.sources
        doc_of_row = np.fromiter((number.setdefault(s, len(number)) for s in sources), np.int64, len(sources))
        whole = whole_rows(vectors)
        order = whole[np.argsort(doc_of_row[whole], kind="stable")]
        docs = np.zeros((len(number), vectors.dim), dtype=np.float32)
        if order.size:
            sorted_docs = doc_of_row[order]
            starts = np.flatnonzero(np.r_[True, sorted_docs[1:] != sorted_docs[:-1]])
            docs[sorted_docs[starts]] = np.add.reduceat(vectors.matrix[order], starts, axis=0)
        norms = np.linalg.norm(docs, axis=1, keepdims=True)
        docs /= np.where(norms > 0, norms, 1.0)
        cached = vectors.cache["documents"] = (doc_of_row.astype(np.int32), docs)
    return cached


# Below this many documents, pairs drawn at random are largely the related ones themselves (in a test index of
# three documents, the two testimonies of one event, in two languages, were above the 95th percentile): no floor.
CHANCE_MIN_DOCUMENTS = 20


def chance_similarity(vectors: VectorIndex, quantile: float = 0.95, pairs: int = 20_000) -> float:
    """The cosine that `quantile` of random pairs of passages from different documents stay below: what
    unrelated passages of this collection reach by chance (0.39 on the shared corpus with use-m3, where every
    document is about migration). Estimated once per loaded store from a seeded sample
    of whole-unit rows; -1 (no floor) below CHANCE_MIN_DOCUMENTS documents."""
    cached = vectors.cache.get(("chance", quantile))
    if cached is None:
        whole = whole_rows(vectors)
        doc_of_row, _ = document_vectors(vectors)
        cached = -1.0
        if len(set(doc_of_row[whole].tolist())) >= CHANCE_MIN_DOCUMENTS:
            rng = np.random.default_rng(0)
            a, b = rng.choice(whole, pairs), rng.choice(whole, pairs)
            apart = doc_of_row[a] != doc_of_row[b]
            if apart.any():
                cosines = np.einsum("ij,ij->i", vectors.matrix[a[apart]], vectors.matrix[b[apart]])
                cached = float(np.quantile(cosines, quantile))
        vectors.cache[("chance", quantile)] = cached
    return float(cached)


def _scores_of(vectors: VectorIndex, rows: np.ndarray, query: np.ndarray, context: float) -> tuple[np.ndarray, np.ndarray]:
    """The cosines of some rows with the query, and their ranking scores (`top_k`)."""
    scores = vectors.matrix[rows] @ query
    if not context:
        return scores, scores
    doc_of_row, docs = document_vectors(vectors)
    return scores, scores + context * (docs @ query)[doc_of_row[rows]]


def row_scores(vectors: VectorIndex, query: np.ndarray, context: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Every row's cosine with the unit vector `query`, and its ranking score (the cosine plus `context` times
    its document's). Kept for the last few queries: the UI runs the same search again on every click (and a
    second time for the language facet), and this product is most of a semantic search's time."""
    key = (query.tobytes(), context)
    cache: dict[Any, tuple[np.ndarray, np.ndarray]] = vectors.cache.setdefault("scores", {})
    found = cache.get(key)
    if found is None:
        scores = vectors.matrix @ query
        ranking = scores
        if context:
            doc_of_row, docs = document_vectors(vectors)
            ranking = scores + context * (docs @ query)[doc_of_row]
        if len(cache) >= 4:
            cache.pop(next(iter(cache)))
        found = cache[key] = (scores, ranking)
    return found


def top_k(
    vectors: VectorIndex, query: np.ndarray, k: int, allowed: np.ndarray | None = None, context: float = 0.0
) -> list[VectorHit]:
    """The k rows most similar to the unit vector `query` (exact cosine), among the `allowed` rows (a boolean
    mask from `VectorIndex.mask`) when given; best first, ties by id so results are reproducible.

    `context` > 0 ranks rows by their cosine plus `context` times their document's (`document_vectors`): a
    passage of a document about the query's subject before a passage that only shares a sentence's wording
    with it. Each hit still carries its own cosine.

    The rows come from the approximate index when the store has one and the filter is wide (index/ann.py),
    else from every allowed row. Scores are exact either way."""
    if k <= 0 or not vectors.ids:
        return []
    q = np.asarray(query, dtype=np.float32).reshape(-1)
    rows = None
    candidates = None if vectors.ann is None else candidate_rows(vectors.ann, q, k, allowed, len(vectors.ids))
    if candidates is not None:
        # Ranked with the document context among the graph's candidates (found by their own cosine, many more
        # than k): adding every row of the 10 documents nearest the query changed no result of the 49 labelled
        # queries over the whole shared corpus, and cost 40 ms a search instead of 4.
        rows = candidates
        scores, ranking = _scores_of(vectors, rows, q, context)
    elif allowed is not None and np.count_nonzero(allowed) <= len(allowed) // 4:
        # A narrow filter: scoring only its rows is faster, and the copy is small.
        rows = np.flatnonzero(allowed)
        scores, ranking = _scores_of(vectors, rows, q, context)
    else:
        # No filter, or a wide one (the default lets every passage through): score every row and drop the
        # others; gathering the allowed rows first would copy most of the matrix on every search.
        scores, ranking = row_scores(vectors, q, context)
        if allowed is not None:
            rows = np.flatnonzero(allowed)
            scores, ranking = scores[rows], ranking[rows]
    if scores.size == 0:
        return []
    k = min(k, scores.size)
    best = np.argpartition(-ranking, k - 1)[:k] if k < scores.size else np.arange(scores.size)
    picked = [(float(ranking[i]), float(scores[i]), int(i if rows is None else rows[i])) for i in best]
    picked.sort(key=lambda sr: (-sr[0], vectors.ids[sr[2]]))
    return [VectorHit(vectors.ids[r], s) for _, s, r in picked]


def unit_id(row_id: str) -> str:
    """The passage or quote a row belongs to: rows "<id>#n" hold the sentences of unit <id>."""
    return row_id.split("#", 1)[0]


def nearest_units(
    vectors: VectorIndex, query: np.ndarray, k: int, allowed: np.ndarray | None = None, context: float = 0.0
) -> list[VectorHit]:
    """The k passages or quotes nearest the query, each scored by its best row (whole or one sentence); with
    `context`, ranked with their document's similarity too (`top_k`)."""
    fetch = max(k * 8, 64)
    while True:
        best: dict[str, float] = {}
        rows = top_k(vectors, query, fetch, allowed, context)
        for hit in rows:  # best first: a unit's first row is its best
            best.setdefault(unit_id(hit.id), hit.score)
        if len(best) >= k or len(rows) < fetch:
            return [VectorHit(u, s) for u, s in list(best.items())[:k]]
        fetch *= 4
