"""Approximate nearest neighbours (HNSW, usearch) beside the vector store, for collections where exact search
grows slow.

Below `ann_min_rows` live rows the store is searched exactly (index/vectors.py `top_k`). Above it, each
vector commit keeps an HNSW graph in step with the segments: the rows of replaced and deleted sources are
removed from it, the new segment's rows added, and the graph is saved under a new name before the manifest
naming it replaces the old one, as segments are, so a crash leaves the last committed graph with the last
committed segments. A graph that is missing, unreadable or disagrees with the segments (other rows, other
vectors) is not used: search falls back to exact and the next ingest builds it again.

A row's key in the graph is a 63-bit hash of its source and id, so keys survive segment merges (no rebuild
when segments are rewritten) and two files holding the same document (same passage ids) do not collide.
Search asks the graph for more rows than wanted (`OVERFETCH`, divided by the share of rows the filters
allow), drops the rows the filters refuse, and scores the rest exactly; a narrow filter (few allowed rows, or
a small share of them: `candidate_rows`) is searched exactly over its rows, which is then cheaper.

usearch (https://github.com/unum-cloud/usearch, Apache-2.0) ships wheels on the registry, supports removal,
saves and memory-maps its graph; figures in the README ("Semantic search") and bench/ann_eval.py.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Default of the `ann_min_rows` setting: below it, exact search over the store's rows. Measured with
# bench/ann_eval.py on real use-m3 rows (README, "Semantic search"): see the commit that set it.
ANN_MIN_ROWS = 50_000
CONNECTIVITY = 16  # graph degree (usearch's default)
EXPANSION_ADD = 64  # candidates per insertion: ~1,300-1,500 rows/s on 2 busy cores, recall below
# Candidates per search, at least; a search for more rows widens to that many. On 100,000 real rows (49
# labelled queries, 10 nearest passages): 128 gave recall 0.943 against exact in 1.1 ms, 256 0.969 in 1.6 ms,
# 512 0.986 in 5.7 ms; for the 50 nearest (hybrid's depth) 256 gave 0.967 in 7 ms, exact taking 44 ms.
EXPANSION_SEARCH = 256
# Rows asked of the graph per row wanted, before dividing by the filter's share: 2 raised recall@50 from
# 0.967 to 0.982 but took 10-12 ms instead of 7 (same run).
OVERFETCH = 1
MIN_SHARE = 0.1  # a filter allowing less than this share of the rows is searched exactly over its rows
FILTER_MARGIN = 1.3  # rows asked of the graph past k / share when a filter applies (see candidate_rows)
RETRIES = 2  # times a search asks the graph for 2x more rows when too few were allowed, before going exact
SPOT_CHECKS = 16  # rows whose stored vector is compared with the graph's when a graph is opened


def row_keys(sources: Sequence[str], ids: Sequence[str]) -> np.ndarray:
    """The graph keys of rows: a 63-bit hash of source and id (usearch keys are unsigned 64-bit)."""
    digests = b"".join(
        hashlib.blake2b(f"{s}\x00{i}".encode("utf-8"), digest_size=8).digest() for s, i in zip(sources, ids)
    )
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64) >> np.uint64(1)


def _new_index(dim: int) -> Any:
    from usearch.index import Index

    return Index(ndim=dim, metric="cos", dtype="f16", connectivity=CONNECTIVITY, expansion_add=EXPANSION_ADD,
                 expansion_search=EXPANSION_SEARCH)


def _restore(path: Path, view: bool) -> Any | None:
    """The graph saved at `path` (memory-mapped when `view`), or None when absent or unreadable."""
    from usearch.index import Index

    if not path.is_file():
        return None
    try:
        index = Index.restore(str(path), view=view, expansion_search=EXPANSION_SEARCH)
    except (RuntimeError, ValueError, OSError):  # a truncated or foreign file
        return None
    return index


def _agrees(index: Any, keys: np.ndarray, dim: int, vectors: Callable[[np.ndarray], np.ndarray] | None) -> bool:
    """Whether the graph holds exactly `keys` (no more, no fewer) and, spot-checked, the same vectors."""
    if index is None or index.ndim != dim or len(index) != len(keys) or len(np.unique(keys)) != len(keys):
        return False
    if len(keys) and not bool(np.all(index.contains(keys))):
        return False
    if vectors is not None and len(keys):
        picks = np.random.default_rng(len(keys)).choice(len(keys), min(SPOT_CHECKS, len(keys)), replace=False)
        stored = np.asarray(index.get(keys[picks]), dtype=np.float32).reshape(len(picks), dim)
        if not np.allclose(stored, vectors(picks), atol=2e-2):
            return False
    return True


# ------------------------------------------------------------------ searching


@dataclass(frozen=True, slots=True)
class AnnIndex:
    """A committed graph, memory-mapped, with the map from its keys to the store's rows."""

    graph: Any  # usearch.index.Index
    sorted_keys: np.ndarray  # keys of the store's rows, sorted
    order: np.ndarray  # order[i]: the store row of sorted_keys[i]
    min_rows: int  # the threshold it was built under: fewer allowed rows than this are searched exactly

    def rows_of(self, keys: np.ndarray) -> np.ndarray:
        """Store rows of graph keys; keys the store does not hold are dropped (none, once checked at open)."""
        if not len(self.sorted_keys):
            return np.zeros(0, dtype=np.int64)
        pos = np.searchsorted(self.sorted_keys, keys).clip(0, len(self.sorted_keys) - 1)
        known = self.sorted_keys[pos] == keys
        return self.order[pos[known]]


def open_ann(folder: Path, entry: dict[str, Any] | None, sources: Sequence[str], ids: Sequence[str],
             matrix: np.ndarray) -> AnnIndex | None:
    """The graph the manifest `entry` names, if it holds exactly the store's rows; else None (exact search)."""
    if not entry:
        return None
    graph = _restore(folder / str(entry["file"]), view=True)
    keys = row_keys(sources, ids)
    if not _agrees(graph, keys, matrix.shape[1], lambda picks: matrix[picks]):
        return None
    order = np.argsort(keys, kind="stable")
    return AnnIndex(graph, keys[order], order.astype(np.int64), int(entry.get("min_rows", ANN_MIN_ROWS)))


def candidate_rows(ann: AnnIndex, query: np.ndarray, k: int, allowed: np.ndarray | None, n: int) -> np.ndarray | None:
    """Rows likely among the k nearest the query and allowed (unordered, at least k), or None when exact search
    is the better way: a narrow filter, or a graph that gave too few allowed rows.

    A filter is narrow when it allows fewer rows than the threshold (exact search over them costs what it
    costs below the threshold) or under MIN_SHARE of them (the graph would be asked for k / share rows).
    Measured on 100,000 real rows, the 50 nearest passages: 60% of the rows allowed, 10 ms through the graph
    and 32 ms exact; 18% allowed, 24 ms and 32 ms."""
    allowed_rows = n if allowed is None else int(np.count_nonzero(allowed))
    share = allowed_rows / n if n else 0.0
    if allowed_rows < max(ann.min_rows, k, 1) or share < MIN_SHARE:
        return None
    # With a filter, a margin over k / share: asking for exactly the expected number falls short half the time
    # and the retry costs more (measured: 57 ms instead of 7 for the 50 nearest, 60% of 153,506 rows allowed).
    count = min(n, math.ceil(k * OVERFETCH / share * (1.0 if allowed is None else FILTER_MARGIN)))
    for _ in range(RETRIES + 1):
        found = ann.graph.search(query, count, threads=1)
        rows = ann.rows_of(np.asarray(found.keys, dtype=np.uint64))
        if allowed is not None:
            rows = rows[allowed[rows]]
        if len(rows) >= k:
            return rows
        if count >= n:
            break
        count = min(n, count * 2)
    return None  # the filter's rows are too far apart in the graph: exact is surer


# ------------------------------------------------------------------ writing


Live = Callable[[], tuple[np.ndarray, np.ndarray]]  # all live rows' keys and vectors, read when needed


@dataclass(slots=True)
class AnnWriter:
    """Keeps a vector store's graph in step with its segments, one commit at a time (index/vectors.py)."""

    folder: Path
    dim: int
    min_rows: int
    entry: dict[str, Any] | None  # the committed manifest's "ann", if any
    graph: Any = None  # the committed graph, loaded and checked once, then kept in step in memory
    checked: bool = False  # whether `graph` (None: unusable) was checked against the segments

    def stale(self, live_rows: int, live: Live) -> bool:
        """Whether the committed graph is not what the `live_rows` rows call for (missing, unwanted, another
        threshold, or disagreeing with the segments): the next commit must build or drop it."""
        wanted = live_rows >= self.min_rows
        if not wanted or self.entry is None:
            return wanted != (self.entry is not None)
        if int(self.entry.get("min_rows", -1)) != self.min_rows:
            return True
        return self._committed(live) is None

    def _committed(self, live: Live) -> Any | None:
        """The committed graph, loaded for updating, if it holds exactly the live rows (checked once)."""
        if not self.checked:
            self.checked = True
            graph = self._saved()
            if graph is not None:
                keys, vectors = live()
                if not _agrees(graph, keys, self.dim, lambda picks: vectors[picks]):
                    graph = None
            self.graph = graph
        return self.graph

    def _saved(self) -> Any | None:
        """The committed graph read from its file for updating (not checked), or None."""
        return _restore(self.folder / str(self.entry["file"]), view=False) if self.entry else None

    def commit(
        self,
        name: str,
        removed: np.ndarray,
        added: tuple[np.ndarray, np.ndarray],
        live: Live,
        live_rows: int,
    ) -> dict[str, Any] | None:
        """The manifest entry of the graph after this commit, saved as `name`, or None below the threshold.
        `removed`: keys of rows gone since the last commit; `added`: keys and vectors of the new rows;
        `live`: all live keys and vectors after this commit (read only when the graph must be built whole or
        checked)."""
        if live_rows < self.min_rows:
            self.graph, self.entry, self.checked = None, None, True
            return None
        try:
            graph = self._updated(removed, added, live_rows, live)
            if graph is None:  # first time over the threshold, or the last graph disagrees: build it whole
                keys, vectors = live()
                graph = _new_index(self.dim)
                if len(keys):
                    graph.add(keys, vectors, threads=0)
            if len(graph) != live_rows:
                raise RuntimeError(f"the graph holds {len(graph)} rows, the segments {live_rows}")
            _save_atomically(graph, self.folder / name)
        except BaseException:
            self.graph, self.checked = None, False  # reloaded from the committed file next time
            raise
        self.graph, self.checked = graph, True
        self.entry = {"file": name, "rows": live_rows, "min_rows": self.min_rows, "connectivity": CONNECTIVITY,
                      "expansion_add": EXPANSION_ADD}
        return self.entry

    def _updated(
        self, removed: np.ndarray, added: tuple[np.ndarray, np.ndarray], live_rows: int, live: Live
    ) -> Any | None:
        """The committed graph with this commit's removals and additions, or None when it must be rebuilt
        (none committed, or one that disagrees with the segments once updated)."""
        was_checked = self.checked
        if was_checked:
            graph = self.graph
        else:
            graph = self._saved()
        if graph is None or graph.ndim != self.dim:
            return None
        self.graph, self.checked = None, False  # changed below: unusable until saved
        if len(removed):
            graph.remove(removed)
        keys, vectors = added
        if len(keys):
            if bool(np.any(graph.contains(keys))):  # a key already there: the graph disagrees with the segments
                return None
            graph.add(keys, vectors, threads=0)
        if len(graph) != live_rows:
            return None
        if not was_checked:
            live_keys, live_vectors = live()
            if not _agrees(graph, live_keys, self.dim, lambda picks: live_vectors[picks]):
                return None
        return graph


def _save_atomically(graph: Any, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    graph.save(str(tmp))
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
