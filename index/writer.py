"""Add, replace and delete documents atomically.

Whoosh writes new segments and then swaps its table of contents in one step (a temporary file renamed): a
crash before or during `commit()` leaves the last committed index as it was. One writer at a time: the
writer holds the ingest lock (index/lock.py) from opening to closing, so a second ingest waits up to
`lock_timeout` seconds, then gives up with a clear message; two ingests never interleave.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from whoosh.index import LockError
from whoosh.query import And, Term

from dataclasses import replace as dc_replace

from ingest.dates import date_bounds
from ingest.gazetteer import fold
from ingest.records import DocumentRecord, Label, Mention, to_jsonable
from ingest.rulings import citation_keys
from index.lock import IngestLock, IngestLocked
from index.schema import IndexError_, open_index


class IndexBusy(IndexError_):
    pass


def _keywords(values: list[str]) -> str:
    return ",".join(dict.fromkeys(v.replace(",", " ").strip() for v in values if v.strip()))


def passage_fields(record: DocumentRecord, build: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The index documents for one document record: one per passage, then one for the document itself.
    `build`: the fingerprint of each stage that built it (ingest.versions), kept in the document's payload."""
    doc = record.document
    lo, hi = date_bounds(doc.date) if doc.date else (0, 0)
    common: dict[str, Any] = {
        "doc_id": doc.id,
        "source": doc.source,
        "file_hash": doc.file_hash,
        "title": doc.title,
        "kind": doc.kind.value,
        "lang": doc.language,
        "publisher": doc.publisher,
    }
    if doc.date:
        common.update(date=doc.date, date_lo=lo, date_hi=hi, year=doc.date[:4])
    by_passage: dict[str, dict[Label, list[str]]] = {}
    mentioned: dict[str, list[int]] = {}
    for m in record.mentions:
        by_passage.setdefault(m.passage_id, {}).setdefault(m.label, []).append(m.name)
        if m.label is Label.DATE and m.value:
            mentioned.setdefault(m.passage_id, []).extend(date_bounds(m.value))
    out: list[dict[str, Any]] = []
    for p in record.passages:
        labels = by_passage.get(p.id, {})
        fields = dict(common)
        fields.update(
            id=p.id,
            type="passage",
            section=p.section,
            start=p.start,
            end=p.end,
            footnotes=list(p.footnotes),
            content=p.text,
            lang=p.lang or doc.language,  # its own: a bilingual file has passages in each language
            org=_keywords(labels.get(Label.ORG, [])),
            place=_keywords(labels.get(Label.PLACE, [])),
            person=_keywords(labels.get(Label.PERSON, [])),
            dates=_keywords(labels.get(Label.DATE, [])),
            mentioned_year=_keywords([d[:4] for d in labels.get(Label.DATE, [])]),
        )
        if p.id in mentioned:
            fields["mentioned"] = sorted(set(mentioned[p.id]))  # first and last day of every date it names
        if p.page is not None:
            fields["page"] = p.page
        if p.ocr:
            fields.update(ocr=True, ocr_confidence=p.ocr_confidence)
        fields["content_fr" if p.lang == "fr" else "content_en"] = p.text
        out.append(fields)
    out.extend(quote_fields(record, common, by_passage))
    out.extend(citation_fields(record, common))
    doc_fields = dict(common)
    payload = to_jsonable(record)
    if build:
        payload["build"] = dict(build)
    doc_fields.update(id=f"doc:{doc.id}", type="document", payload=json.dumps(payload, ensure_ascii=False))
    if record.ruling is not None:
        doc_fields.update(court=record.ruling.court, ruling_key=_keywords(list(citation_keys(record.ruling))))
    out.append(doc_fields)
    return out


def quote_fields(
    record: DocumentRecord, common: dict[str, Any], by_passage: dict[str, dict[Label, list[str]]]
) -> list[dict[str, Any]]:
    """One searchable unit per testimony; its date is the testimony's, its organisations and language its
    passage's."""
    out = []
    passage_lang = {p.id: p.lang for p in record.passages if p.lang}
    for q in record.quotes:
        fields = {k: v for k, v in common.items() if k not in {"date", "date_lo", "date_hi", "year"}}
        fields.update(
            id=q.id, type="quote", content=q.text, speaker=q.speaker or "", start=q.start, end=q.end,
            place=(q.place or "").replace(",", " "),
            org=_keywords(by_passage.get(q.passage_id or "", {}).get(Label.ORG, [])),
            payload=json.dumps(to_jsonable(q), ensure_ascii=False),
        )
        fields["lang"] = passage_lang.get(q.passage_id or "", record.document.language)
        fields["content_fr" if fields["lang"] == "fr" else "content_en"] = q.text
        if q.page is not None:
            fields["page"] = q.page
        if q.date:
            lo, hi = date_bounds(q.date)
            fields.update(date=q.date, date_lo=lo, date_hi=hi, year=q.date[:4])
        out.append(fields)
    return out


def citation_fields(record: DocumentRecord, common: dict[str, Any]) -> list[dict[str, Any]]:
    """One record per citation of a ruling, so the rulings view can tell who cites what, and on which page."""
    out = []
    for n, c in enumerate(record.citations):
        fields = {k: v for k, v in common.items() if k not in {"date", "date_lo", "date_hi", "year"}}
        fields.update(
            id=f"{record.document.id}:cite:{n:04d}", type="citation", court=c.court, ruling_key=c.key,
            start=c.start, end=c.end, payload=json.dumps(to_jsonable(c), ensure_ascii=False),
        )
        if c.page is not None:
            fields["page"] = c.page
        out.append(fields)
    return out


# Every commit of a batch writes a Whoosh segment, and Whoosh's own policy merges only segments of a few
# dozen records: a fresh `temoin ingest ../shared/corpus` left 11 segments (48,202 records). Searching 11
# segments builds every query's matchers 11 times: the 49 labelled sentence queries took a hybrid median of
# 106 ms there, 66 ms on the same index in one segment (keyword 69 -> 36 ms; the 20 short queries of
# bench/search_latency.py 37 -> 30 ms). So at the end of a batch, past MERGE_ABOVE segments, the small ones
# are merged into one (`small_segments`); a large segment stays as it is, so adding a file to a large index
# rewrites only the small ones.
# Merging is Whoosh rewriting every posting in Python: the whole corpus's 11 segments took 150 s with its
# default 128 MB pool (which spills sorted runs to disk, pickled posting by posting), 124 s with 512 MB, 89 s
# with 1,024 MB (1.0 GB peak RSS; 2,048 MB gave 84 s): COMPACT_MB. It runs once the workers have ended.
MERGE_ABOVE = 4
SIZE_RATIO = 2  # a segment stays when it holds at least this many times the records of all smaller ones
COMPACT_MB = 1024


def stored_metadata_key(payload: str) -> str | None:
    """The sidecar and catalogue fingerprint in a stored document's payload (None in one written before)."""
    key = json.loads(payload).get("document", {}).get("metadata_key")
    return key if isinstance(key, str) else None


def small_segments(sizes: Sequence[int]) -> list[int]:
    """The positions of the segments (by their record counts) to merge into one at the end of a batch: none
    when there are MERGE_ABOVE or fewer; else, from the largest down, the first segment holding fewer than
    SIZE_RATIO times the records of all smaller ones together, and every smaller one."""
    if len(sizes) <= MERGE_ABOVE:
        return []
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    smaller = sum(sizes)
    for n, i in enumerate(order):
        smaller -= sizes[i]
        if sizes[i] < SIZE_RATIO * smaller:
            chosen = order[n:]
            return sorted(chosen) if len(chosen) > 1 else []
    return []


class IndexWriter:
    """The ingest pipeline's sink: replaces a source's records; commits in batches."""

    def __init__(
        self, path: Path, lock_timeout: float = 2.0, retry_failed: bool = False, build: Mapping[str, str] | None = None
    ) -> None:
        self.path = path
        self.build = dict(build or {})  # stage fingerprints recorded with every document written (reindex)
        self.retry_failed = retry_failed  # read files that failed before even if their bytes are the same
        self.lock = IngestLock(path, lock_timeout)
        try:
            self.lock.acquire()  # before anything is opened, so a rebuild never races another ingest
        except IngestLocked as exc:
            raise IndexBusy(str(exc)) from None
        try:
            self.ix = open_index(path, create=True, rebuild_if_outdated=True)
        except BaseException:
            self.lock.release()
            raise
        self.lock_timeout = lock_timeout
        self._writer: Any = None
        self._searcher = self.ix.searcher()
        self._registry: dict[str, dict[str, Any]] | None = None
        self._dirty: set[str] = set()
        self.vectors: Any = None  # index.vector_writer.VectorWriter when embeddings are on (index.semantic.attach_vectors)
        self._folds: dict[str, str] = {}

    def _w(self) -> Any:
        if self._writer is None:
            self._writer = self._whoosh_writer()
        return self._writer

    def _whoosh_writer(self, **options: Any) -> Any:
        """A Whoosh writer (`options`: Whoosh's, such as `limitmb`), or IndexBusy when another holds the lock."""
        try:
            return self.ix.writer(timeout=self.lock_timeout, **options)
        except LockError as exc:
            raise IndexBusy(f"{self.path}: another ingest is writing to this index; try again when it ends") from exc

    def stored_hash(self, source: str) -> str | None:
        """The content hash the index holds for a source (indexed or failed), or None."""
        for kind in ("document",) if self.retry_failed else ("failure", "document"):
            found = self._searcher.document(source=source, type=kind)
            if found:
                return str(found["file_hash"])
        return None

    def stored_metadata_key(self, source: str) -> str | None:
        """The sidecar and catalogue fingerprint its indexed document was built with (None: no document, or
        one built before the fingerprint was kept)."""
        found = self._searcher.document(source=source, type="document")
        return stored_metadata_key(found["payload"]) if found else None

    def _entities(self) -> dict[str, dict[str, Any]]:
        """The entity registry: label and folded name → canonical name and the aliases seen for it."""
        if self._registry is None:
            self._registry = {
                stored["id"]: json.loads(stored["payload"]) for stored in self._searcher.documents(type="entity")
            }
        return self._registry

    def canonical(self, record: DocumentRecord) -> DocumentRecord:
        """The record with every name spelled as the index first met it (case, accents and apostrophes
        aside), and the registry told of the new names and aliases."""
        registry = self._entities()
        folds = self._folds  # names repeat across documents: fold each once
        mentions: list[Mention] = []
        for m in record.mentions:
            if m.label is Label.DATE:
                mentions.append(m)
                continue
            key = f"entity:{m.label.value}:{folds.get(m.name) or folds.setdefault(m.name, fold(m.name))}"
            entry = registry.get(key)
            if entry is None:
                entry = registry[key] = {"label": m.label.value, "name": m.name, "aliases": []}
                self._dirty.add(key)
            surface = " ".join(m.text.replace("’", "'").split())
            if surface != entry["name"] and surface not in entry["aliases"] and fold(surface) != fold(entry["name"]):
                entry["aliases"].append(surface)
                self._dirty.add(key)
            mentions.append(m if m.name == entry["name"] else dc_replace(m, name=entry["name"]))
        return dc_replace(record, mentions=tuple(mentions))

    def replace(
        self, source: str, records: list[DocumentRecord], builds: Sequence[Mapping[str, str]] | None = None
    ) -> None:
        """All of a source's records in place of its old ones; `builds`: each record's stage fingerprints
        (default: the writer's `build`)."""
        writer = self._w()
        writer.delete_by_term("source", source)
        if self.vectors is not None:  # new vectors come with replace_vectors; without them, none
            self.vectors.delete(source)
        for record, build in zip(map(self.canonical, records), builds or [self.build] * len(records), strict=True):
            for fields in passage_fields(record, build):
                writer.add_document(**{k: v for k, v in fields.items() if v is not None and v != ""})

    def record_failure(self, source: str, file_hash: str, reason: str, when: str) -> None:
        """Remember a file that failed, so that it is reported unchanged until its bytes change."""
        writer = self._w()
        writer.delete_by_query(And([Term("source", source), Term("type", "failure")]))
        writer.add_document(
            id=f"failure:{source}", type="failure", source=source, file_hash=file_hash,
            payload=json.dumps({"path": source, "reason": reason, "date": when}),
        )

    def replace_vectors(self, source: str, file_hash: str, vectors: Any) -> None:
        """The vectors of a source's passages and quotes (ingest.embed.RecordVectors), committed with them."""
        if self.vectors is not None:
            self.vectors.replace(source, file_hash, list(vectors.ids), vectors.vectors)

    def delete(self, source: str) -> None:
        self._w().delete_by_term("source", source)
        if self.vectors is not None:
            self.vectors.delete(source)

    def commit(self) -> None:
        if self._writer is not None:
            for key in sorted(self._dirty):
                entry = self._entities()[key]
                self._writer.update_document(id=key, type="entity", payload=json.dumps(entry, ensure_ascii=False))
            self._dirty.clear()
            self._writer.commit()
            self._writer = None
            if self.vectors is not None:  # after Whoosh: a crash between leaves them behind, mended on next open
                self.vectors.commit(self.ix.latest_generation())
            # A fresh searcher sees what was just committed (refresh() fails on a once-empty index).
            self._searcher.close()
            self._searcher = self.ix.searcher()

    def compact(self, say: Callable[[str], None] | None = None) -> int:
        """Merge the index's small segments into one (`small_segments`), with the vectors told the new
        generation; the number of segments merged (0: nothing to do). Run at the end of every batch (`close`)."""
        self.commit()
        segments = list(self.ix._segments())  # Whoosh's FileIndex: the segments of the latest generation
        chosen = [segments[i] for i in small_segments([s.doc_count_all() for s in segments])]
        if not chosen:
            return 0
        if say is not None:
            say(f"merging {len(chosen)} of the index's {len(segments)} segments into one "
                f"({sum(s.doc_count_all() for s in chosen):,} records): later searches read fewer")
        ids = {s.segment_id() for s in chosen}

        def merge(writer: Any, current: list[Any]) -> list[Any]:
            from whoosh.reading import SegmentReader

            for seg in current:
                if seg.segment_id() in ids:
                    reader = SegmentReader(writer.storage, writer.schema, seg)
                    writer.add_reader(reader)
                    reader.close()
            return [seg for seg in current if seg.segment_id() not in ids]

        self._whoosh_writer(limitmb=COMPACT_MB).commit(mergetype=merge)
        if self.vectors is not None:  # the same rows, for the new generation
            self.vectors.commit(self.ix.latest_generation())
        self._searcher.close()
        self._searcher = self.ix.searcher()
        return len(chosen)

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
        if self.vectors is not None:
            self.vectors.cancel()
        self._registry = None
        self._dirty.clear()

    def close(self) -> None:
        try:
            self.compact()  # commits what is pending first
            self._searcher.close()
            self.ix.close()
        finally:
            self.lock.release()
