"""Add, replace and delete documents atomically in a Tantivy index: the Tantivy engine's `IndexWriter`.

The same records as the Whoosh writer (index/writer.py builds them), the same ingest lock (index/lock.py)
held from opening to closing, the same entity registry. Tantivy writes new segments and then replaces
`meta.json` in one step (a temporary file renamed), so a crash before or during `commit()` leaves the last
committed index as it was; files of a segment never committed are removed by the next writer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tantivy

from ingest.records import DocumentRecord
from index.lock import IngestLock, IngestLocked
from index.tantivy_schema import open_tantivy, stored_fields, to_document
from index.writer import IndexBusy, IndexWriter, passage_fields, stored_metadata_key

HEAP_BYTES = 256_000_000  # Tantivy's indexing buffer, split between its threads; a segment is cut when full


class TantivyWriter:
    """The ingest pipeline's sink for a Tantivy index: replaces a source's records; commits in batches."""

    canonical = IndexWriter.canonical  # the entity registry's rules are the engine's business, not ours

    def __init__(self, path: Path, lock_timeout: float = 2.0, retry_failed: bool = False, threads: int = 0) -> None:
        self.path = path
        self.retry_failed = retry_failed
        self.lock = IngestLock(path, lock_timeout)
        try:
            self.lock.acquire()
        except IngestLocked as exc:
            raise IndexBusy(str(exc)) from None
        try:
            self.ix = open_tantivy(path, create=True, rebuild_if_outdated=True)
            self.schema = self.ix.schema
            # Tantivy's own writer lock is released by the kernel if this process dies, as ours.
            self._writer = self.ix.writer(HEAP_BYTES, threads)
        except ValueError as exc:
            self.lock.release()
            raise IndexBusy(f"{path}: another process is writing to this index ({exc})") from None
        except BaseException:
            self.lock.release()
            raise
        self.lock_timeout = lock_timeout
        self._searcher = self.ix.searcher()
        self._registry: dict[str, dict[str, Any]] | None = None
        self._dirty: set[str] = set()
        self._folds: dict[str, str] = {}
        self._pending = False

    def _find(self, *terms: tuple[str, str]) -> dict[str, Any] | None:
        clauses = [(tantivy.Occur.Must, tantivy.Query.term_query(self.schema, f, v)) for f, v in terms]
        hits = self._searcher.search(tantivy.Query.boolean_query(clauses), 1).hits
        return stored_fields(self._searcher.doc(hits[0][1])) if hits else None

    def stored_hash(self, source: str) -> str | None:
        """The content hash the index holds for a source (indexed or failed), or None."""
        for kind in ("document",) if self.retry_failed else ("failure", "document"):
            found = self._find(("source", source), ("type", kind))
            if found:
                return str(found["file_hash"])
        return None

    def stored_metadata_key(self, source: str) -> str | None:
        """The sidecar and catalogue fingerprint its indexed document was built with (None: no document, or
        one built before the fingerprint was kept)."""
        found = self._find(("source", source), ("type", "document"))
        return stored_metadata_key(found["payload"]) if found else None

    def _entities(self) -> dict[str, dict[str, Any]]:
        if self._registry is None:
            query = tantivy.Query.term_query(self.schema, "type", "entity")
            count = self._searcher.search(query, 1, count=True).count
            hits = self._searcher.search(query, count, count=False).hits if count else []
            self._registry = {}
            for _score, address in hits:
                stored = stored_fields(self._searcher.doc(address))
                self._registry[stored["id"]] = json.loads(stored["payload"])
        return self._registry

    def _add(self, fields: dict[str, Any]) -> None:
        self._writer.add_document(to_document(fields))
        self._pending = True

    def replace(self, source: str, records: list[DocumentRecord], builds: Any = None) -> None:
        # `builds` (stage fingerprints, for `temoin reindex`) are recorded by the Whoosh writer only.
        # A delete only touches what was added before it: the new records below stay.
        self._writer.delete_documents_by_term("source", source)
        self._pending = True
        for record in map(self.canonical, records):
            for fields in passage_fields(record):
                self._add(fields)

    def record_failure(self, source: str, file_hash: str, reason: str, when: str) -> None:
        self._writer.delete_documents_by_term("id", f"failure:{source}")
        self._add({
            "id": f"failure:{source}", "type": "failure", "source": source, "file_hash": file_hash,
            "payload": json.dumps({"path": source, "reason": reason, "date": when}),
        })

    def delete(self, source: str) -> None:
        self._writer.delete_documents_by_term("source", source)
        self._pending = True

    def commit(self) -> None:
        if not self._pending and not self._dirty:
            return
        for key in sorted(self._dirty):
            self._writer.delete_documents_by_term("id", key)
            self._add({"id": key, "type": "entity", "payload": json.dumps(self._entities()[key], ensure_ascii=False)})
        self._dirty.clear()
        self._writer.commit()
        self._pending = False
        self.ix.reload()
        self._searcher = self.ix.searcher()

    def cancel(self) -> None:
        if self._pending:
            self._writer.rollback()
            self._pending = False
        self._registry = None
        self._dirty.clear()

    def close(self) -> None:
        try:
            self.commit()
            self._writer.wait_merging_threads()  # merges finish before another process may write
        finally:
            self.lock.release()
