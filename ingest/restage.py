"""Re-run stages on stored document records, without reading their files again (`temoin reindex`).

Only the stages whose inputs the record keeps can re-run this way (`ingest.versions.FROM_RECORDS`): entities
need the passages (text, language, spans) and the document text; citations the text and its page spans.
Reading, cleaning, language and quotes need what only the file has (the raw pages, the cleaner's segments and
footnote markers, the file's own metadata), so those files are read again, through `RereadSink`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

from ingest.citations import find_citations
from ingest.entities import extract_mentions
from ingest.pipeline import RecordSink
from ingest.records import DocumentRecord
from ingest.rulings import citation_keys
from ingest.versions import FROM_RECORDS


def rerun_stages(
    record: DocumentRecord, stages: Collection[str], pipelines: Mapping[str, Any], ner_batch_size: int = 64
) -> DocumentRecord:
    """The record with the given stages (among `FROM_RECORDS`) built again from its stored text and passages,
    exactly as `build_record` builds them."""
    unknown = set(stages) - set(FROM_RECORDS)
    if unknown:
        raise ValueError(f"cannot re-run {', '.join(sorted(unknown))} from a stored record: the file is needed")
    doc = record.document
    changes: dict[str, Any] = {}
    if "entities" in stages:
        mentions = extract_mentions(pipelines, record.passages, ner_batch_size, None, doc.text)
        changes["mentions"] = tuple(mentions)
    if "citations" in stages:
        citations = find_citations(doc.text, doc.page_spans)
        if record.ruling is not None:  # a ruling's heading names the ruling itself: not a citation
            own = set(citation_keys(record.ruling))
            citations = [c for c in citations if c.key not in own]
        changes["citations"] = tuple(citations)
    return dataclasses.replace(record, **changes)


class RereadSink:
    """A sink that makes the pipeline read `sources` again even though their bytes are unchanged (their
    reading, cleaning, language or quote stages are stale); everything else passes through to `sink`."""

    def __init__(self, sink: RecordSink, sources: Collection[str]) -> None:
        self.sink = sink
        self.sources = set(sources)

    def stored_hash(self, source: str) -> str | None:
        stored = self.sink.stored_hash(source)
        return f"stale:{stored}" if stored is not None and source in self.sources else stored

    def stored_metadata_key(self, source: str) -> str | None:
        return self.sink.stored_metadata_key(source)

    def replace(self, source: str, records: list[DocumentRecord]) -> None:
        self.sink.replace(source, records)

    def record_failure(self, source: str, file_hash: str, reason: str, when: str) -> None:
        self.sink.record_failure(source, file_hash, reason, when)

    def commit(self) -> None:
        self.sink.commit()
