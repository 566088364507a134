"""The writing side of the vector store (index/vectors.py has its layout and the reading side): `VectorWriter`
commits segments and their manifest atomically, and `sync_vectors` keeps the store in step with Whoosh.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.ann import ANN_MIN_ROWS, AnnWriter, row_keys
from index.vectors import FORMAT, load_segment, read_manifest, vectors_dir
from ingest.embed import ROWS_VERSION

MAX_SEGMENTS = 8  # merge past this many segments ...
MAX_DELETED = 0.25  # ... or when this share of stored rows is deleted
EMBEDDED_TYPES = ("passage", "quote")  # the Whoosh records that get a vector


class VectorWriter:
    """Adds, replaces and deletes the vectors of a source; `commit(generation)` makes them visible at once.

    Use it inside the keyword index's writer lock (index/lock.py), as IndexWriter does for Whoosh. Past
    `ann_min_rows` live rows it keeps an approximate index in step too (index/ann.py)."""

    def __init__(self, index_path: Path, encoder: str, dim: int, ann_min_rows: int = ANN_MIN_ROWS) -> None:
        self.folder = vectors_dir(index_path)
        self.folder.mkdir(parents=True, exist_ok=True)
        manifest = read_manifest(self.folder)
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
            merged = [load_segment(self.folder, seg) for seg in self._segments]
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
        parts = [load_segment(self.folder, seg) for seg in self._segments]
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
