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
`sync_vectors` makes them so from what Whoosh has committed (its stored text), source by source, by file hash:
it is what an ingest calls after each commit, and what mends a store a crash left one commit behind.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.ann import ANN_MIN_ROWS, AnnIndex, AnnWriter, candidate_rows, open_ann, row_keys
from ingest.embed import ROWS_VERSION

FORMAT = 1
MAX_SEGMENTS = 8  # merge past this many segments ...
MAX_DELETED = 0.25  # ... or when this share of stored rows is deleted
EMBEDDED_TYPES = ("passage", "quote")  # the Whoosh records that get a vector


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


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / "MANIFEST.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        return None  # an older layout: treated as absent, rebuilt by sync_vectors
    return data


def _load_segment(folder: Path, seg: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A segment's live rows: ids, sources, float32 vectors (rows of deleted sources left out)."""
    with np.load(folder / f"{seg['name']}.npz", allow_pickle=False) as data:
        ids, sources, vectors = data["ids"], data["sources"], data["vectors"]
    if seg["deleted"]:
        live = ~np.isin(sources, np.array(seg["deleted"], dtype=sources.dtype))
        ids, sources, vectors = ids[live], sources[live], vectors[live]
    return ids, sources, vectors.astype(np.float32)


def open_vectors(index_path: Path) -> VectorIndex | None:
    """The committed vectors of the index at `index_path`, or None when it has none yet."""
    folder = vectors_dir(index_path)
    manifest = _read_manifest(folder)
    if manifest is None:
        return None
    dim = int(manifest["dim"])
    parts = [_load_segment(folder, seg) for seg in manifest["segments"]]
    ids = tuple(str(i) for p in parts for i in p[0])
    sources = tuple(str(s) for p in parts for s in p[1])
    matrix = np.ascontiguousarray(np.concatenate([p[2] for p in parts]) if parts else np.zeros((0, dim), np.float32))
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
        names, doc_of_row = np.unique(np.asarray(vectors.sources, dtype=str), return_inverse=True)
        whole = whole_rows(vectors)
        order = whole[np.argsort(doc_of_row[whole], kind="stable")]
        docs = np.zeros((len(names), vectors.dim), dtype=np.float32)
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


class VectorWriter:
    """Adds, replaces and deletes the vectors of a source; `commit(generation)` makes them visible at once.

    Use it inside the keyword index's writer lock (index/lock.py), as IndexWriter does for Whoosh. Past
    `ann_min_rows` live rows it keeps an approximate index in step too (index/ann.py)."""

    def __init__(self, index_path: Path, encoder: str, dim: int, ann_min_rows: int = ANN_MIN_ROWS) -> None:
        self.folder = vectors_dir(index_path)
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = _read_manifest(self.folder)
        if manifest is not None and (manifest["encoder"], int(manifest["dim"]), manifest.get("rows", 1)) != (
            encoder, dim, ROWS_VERSION
        ):
            manifest = None  # another encoder's vectors (or rows made otherwise) do not compare with these: afresh
        self.encoder, self.dim = encoder, dim
        self.generation = int(manifest["generation"]) if manifest else -1
        self._segments: list[dict[str, Any]] = manifest["segments"] if manifest else []
        self._next = int(manifest["next"]) if manifest else 1
        self.hashes: dict[str, str] = dict(manifest["hashes"]) if manifest else {}  # source -> file hash
        self._pending: dict[str, tuple[str, list[str], np.ndarray]] = {}  # source -> (hash, ids, vectors)
        self._changed = manifest is None
        self._removed: list[tuple[str, str]] = []  # (segment, source) deleted since the last commit
        self.ann_min_rows = ann_min_rows
        self._ann = AnnWriter(self.folder, dim, ann_min_rows, manifest.get("ann") if manifest else None)

    def ann_stale(self) -> bool:
        """Whether the approximate index is not in step with the committed rows (missing past the threshold,
        left by a crash, disagreeing); if so the next commit builds it again (or drops it below the threshold)."""
        stale = self._ann.stale(self._live_rows(), self._live)
        self._changed = self._changed or stale
        return stale

    def replace(self, source: str, file_hash: str, ids: list[str], vectors: np.ndarray) -> None:
        """The rows of `source` become `ids` with `vectors` (unit rows, one per id) at the next commit."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        if len(ids) != len(vectors):
            raise ValueError(f"{source}: {len(ids)} ids but {len(vectors)} vectors")
        self._tombstone(source)
        self._pending[source] = (file_hash, list(ids), vectors)
        self.hashes[source] = file_hash
        self._changed = True

    def delete(self, source: str) -> None:
        self._tombstone(source)
        self._pending.pop(source, None)
        if self.hashes.pop(source, None) is not None:
            self._changed = True

    def _tombstone(self, source: str) -> None:
        for seg in self._segments:
            if source in seg["sources"] and source not in seg["deleted"]:
                seg["deleted"].append(source)
                self._removed.append((seg["name"], source))
                self._changed = True

    def commit(self, generation: int) -> None:
        """Write the pending rows as a segment, then the manifest naming it, tagged with the Whoosh
        `generation` they match; merge segments when there are many or they are mostly deleted."""
        if not self._changed and generation == self.generation:
            return
        removed = self._removed_keys()
        added = self._pending_rows()
        if self._pending:
            self._segments.append(self._write_segment(added))
        self._pending, self._removed = {}, []
        self._count_deleted_rows()
        if self._needs_merge():
            merged = [_load_segment(self.folder, seg) for seg in self._segments]
            self._segments = []
            if merged:
                rows = tuple(np.concatenate([m[i] for m in merged]) for i in range(3))
                if len(rows[0]):
                    self._segments = [self._write_segment(rows)]
        ann = self._ann.commit(
            f"ann-{self._next:06d}.usearch", removed, (row_keys(added[1].tolist(), added[0].tolist()), added[2]),
            functools.cache(self._live), self._live_rows(),  # all rows read once, and only if needed
        )
        self._next += 1 if ann else 0
        manifest = {
            "format": FORMAT, "encoder": self.encoder, "rows": ROWS_VERSION, "dim": self.dim, "generation": generation,
            "next": self._next, "segments": self._segments, "hashes": self.hashes, **({"ann": ann} if ann else {}),
        }
        _write_atomically(self.folder / "MANIFEST.json", json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
        self.generation = generation
        self._changed = False
        self._remove_unreferenced()

    def cancel(self) -> None:
        """Forget what was not committed (the keyword writer was cancelled)."""
        fresh = VectorWriter(self.folder.parent, self.encoder, self.dim, self.ann_min_rows)
        self.generation, self._segments, self._next = fresh.generation, fresh._segments, fresh._next
        self.hashes, self._pending, self._changed = fresh.hashes, {}, fresh._changed
        self._removed, self._ann = [], fresh._ann

    def _pending_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ids = [i for _, row_ids, _ in self._pending.values() for i in row_ids]
        sources = [s for s, (_, row_ids, _) in self._pending.items() for _ in row_ids]
        vectors = [v for _, _, v in self._pending.values()]
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, self.dim), np.float32)
        return np.array(ids, dtype=str), np.array(sources, dtype=str), matrix

    def _removed_keys(self) -> np.ndarray:
        """Approximate-index keys of the rows deleted since the last commit (read from their segments)."""
        by_segment: dict[str, list[str]] = {}
        for name, source in self._removed:
            by_segment.setdefault(name, []).append(source)
        keys = [np.zeros(0, dtype=np.uint64)]
        for name, sources in by_segment.items():
            with np.load(self.folder / f"{name}.npz", allow_pickle=False) as data:
                ids, seg_sources = data["ids"], data["sources"]
            gone = np.isin(seg_sources, np.array(sources, dtype=seg_sources.dtype))
            keys.append(row_keys(seg_sources[gone].tolist(), ids[gone].tolist()))
        return np.concatenate(keys)

    def _live_rows(self) -> int:
        return sum(seg["rows"] - (seg["deleted_rows"] if seg["deleted"] else 0) for seg in self._segments)

    def _live(self) -> tuple[np.ndarray, np.ndarray]:
        """Keys and vectors of every committed live row (to build or check the approximate index)."""
        parts = [_load_segment(self.folder, seg) for seg in self._segments]
        if not parts:
            return np.zeros(0, dtype=np.uint64), np.zeros((0, self.dim), np.float32)
        keys = row_keys([str(s) for p in parts for s in p[1]], [str(i) for p in parts for i in p[0]])
        return keys, np.concatenate([p[2] for p in parts])

    def _needs_merge(self) -> bool:
        if len(self._segments) > MAX_SEGMENTS:
            return True
        total = sum(seg["rows"] for seg in self._segments)
        deleted = sum(seg["deleted_rows"] for seg in self._segments if seg["deleted"]) if total else 0
        return bool(total) and (deleted / total > MAX_DELETED or any(s["rows"] == 0 for s in self._segments))

    def _write_segment(self, rows: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[str, Any]:
        ids, sources, vectors = rows
        name = f"seg-{self._next:06d}"
        self._next += 1
        tmp = self.folder / f"{name}.tmp.npz"
        with tmp.open("wb") as fh:
            np.savez(fh, ids=ids.astype(str), sources=sources.astype(str), vectors=vectors.astype(np.float16))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / f"{name}.npz")
        return {"name": name, "rows": int(len(ids)), "sources": sorted(set(map(str, sources))),
                "deleted": [], "deleted_rows": 0}

    def _remove_unreferenced(self) -> None:
        """Segments and approximate indexes no manifest names any more (merged away, replaced, or left by a
        crash before the manifest)."""
        live = {f"{seg['name']}.npz" for seg in self._segments}
        if self._ann.entry is not None:
            live.add(str(self._ann.entry["file"]))
        for child in self.folder.iterdir():
            if child.name.startswith(("seg-", "ann-")) and child.name not in live:
                child.unlink(missing_ok=True)

    def _count_deleted_rows(self) -> None:
        """Refresh each segment's count of deleted rows (read from its sources), for the merge decision."""
        for seg in self._segments:
            if seg["deleted"]:
                with np.load(self.folder / f"{seg['name']}.npz", allow_pickle=False) as data:
                    seg["deleted_rows"] = int(np.isin(data["sources"], seg["deleted"]).sum())


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:  # the rename itself survives a power cut only once the directory is synced
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(frozen=True, slots=True)
class SyncReport:
    embedded_sources: int
    deleted_sources: int
    embedded_rows: int


def sync_vectors(
    searcher: Any,
    writer: VectorWriter,
    embed_units: Callable[[list[str], list[str]], tuple[list[str], np.ndarray]],
    generation: int,
    only: Collection[str] | None = None,
) -> SyncReport:
    """Bring the vectors in step with what the Whoosh `searcher` has committed at `generation`: embed the
    passages and quotes of sources that are new or whose file hash changed (from their stored text), drop the
    sources Whoosh no longer holds, then commit. `only` limits the embedding to those sources (the ones an
    ingest just wrote), so a commit costs what it changed, not the whole index."""
    held: dict[str, str] = {}
    for stored in searcher.documents(type="document"):
        held[stored["source"]] = str(stored.get("file_hash", ""))
    deleted = [s for s in writer.hashes if s not in held]
    for source in deleted:
        writer.delete(source)
    stale = [s for s, h in held.items() if writer.hashes.get(s) != h and (only is None or s in only)]
    rows = 0
    for source in sorted(stale):
        records = [d for d in searcher.documents(source=source) if d.get("type") in EMBEDDED_TYPES]
        records.sort(key=lambda d: d["id"])
        row_ids, vectors = embed_units([d["id"] for d in records], [d.get("content", "") for d in records])
        writer.replace(source, held[source], row_ids, vectors)
        rows += len(records)
    writer.commit(generation)
    return SyncReport(len(stale), len(deleted), rows)
