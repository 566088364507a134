"""Wiring: files → records. Runs the stages, holds the per-file error boundary and the batching.

`ingest` knows nothing of the index: it talks to a `RecordSink` (the index writer implements it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol, cast

from ingest import readers
from ingest.catalogue import catalogue_metadata
from ingest.citations import find_citations
from ingest.clean import clean
from ingest.entities import extract_mentions
from ingest.language import detect_language, majority_language
from ingest.metadata import (
    address_date, file_title, hearing_title, infer_date, infer_kind, infer_publisher, infer_title, load_sidecar,
    metadata_key, web_kind,
)
from ingest.passages import split_passages
from ingest.quotes import extract_quotes
from ingest.records import (
    Document,
    DocumentRecord,
    IngestError,
    IngestResult,
    IngestSummary,
    Kind,
    Passage,
    RawDocument,
    RulingInfo,
)
from ingest.rulings import citation_keys, ruling_info
from ingest.walk import iter_files
from ingest.workers import Failed, Outcome

STAGES = ("read", "clean", "language", "entities", "quotes", "citations", "embed", "index")


class FilePool(Protocol):
    """Where files are read and built: worker processes here (`ingest.workers.WorkerPool`) or a Dask
    cluster (`ingest.cluster.ClusterPool`). Outcomes come back in the order of the jobs."""

    def run(
        self, jobs: Iterable[tuple[Any, Path | None, str]], file_timeout: float
    ) -> Iterator[tuple[Any, Outcome | None]]: ...


class RecordSink(Protocol):
    """Where records go: the index writer."""

    def stored_hash(self, source: str) -> str | None: ...

    def stored_metadata_key(self, source: str) -> str | None: ...

    def replace(self, source: str, records: list[DocumentRecord]) -> None: ...

    def record_failure(self, source: str, file_hash: str, reason: str, when: str) -> None: ...

    def commit(self) -> None: ...


class VectorSink(Protocol):
    """A sink that also keeps the passages' and quotes' vectors (the index writer, embeddings on)."""

    def replace_vectors(self, source: str, file_hash: str, vectors: Any) -> None: ...


@dataclass
class StageClock:
    """Seconds spent in each stage, for the benchmark."""

    seconds: Counter[str] = field(default_factory=Counter)
    file_seconds: dict[str, float] = field(default_factory=dict)  # wall time of each changed file, read to records

    def timed(self, stage: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds[stage] += time.perf_counter() - t0


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_record(
    raw: RawDocument,
    digest: str,
    pipelines: Mapping[str, Any],
    source: Path,
    clock: StageClock | None = None,
    ner_batch_size: int = 64,
) -> DocumentRecord:
    """All stages after reading, for one document."""
    clock = clock or StageClock()
    doc_id = digest[:16] if raw.part == 0 else f"{digest[:16]}-{raw.part}"
    cleaned = clock.timed("clean", clean, raw)
    sidecar = load_sidecar(source)
    # A catalogue's row comes under the sidecar and over the file's own; its language only where the text
    # tells none (a collection often labels a file by its collection's language).
    listed = catalogue_metadata(source)
    meta = sidecar.merged_over(dataclasses.replace(listed, language=None)).merged_over(raw.metadata)
    text = cleaned.text

    def languages() -> tuple[str, list[Passage]]:
        provisional = split_passages(cleaned, doc_id, lang="und", ocr_pages=raw.ocr_pages)
        found = [detect_language(p.text, default="") for p in provisional]
        weighted = [(lang, len(p.text.split())) for lang, p in zip(found, provisional) if lang]
        doc_lang = meta.language or majority_language(weighted, listed.language or "en")
        passages = [dataclasses.replace(p, lang=lang or doc_lang) for lang, p in zip(found, provisional)]
        return doc_lang, passages

    doc_lang, passages = clock.timed("language", languages)
    mentions = clock.timed("entities", extract_mentions, pipelines, passages, ner_batch_size, None, text)
    ruling = clock.timed("citations", ruling_info, text, meta.title, str(source))
    # a hearing transcript is cited by its case, accused and day, not by its first line ("1 Monday, 17 ...")
    hearing = None if ruling else hearing_title(text)
    # A ruling's own text is surer of its date than an export's metadata; a sidecar or a catalogue (written by
    # whoever keeps the collection) is surer than both. A web address or a file name that carries a full date
    # (the day an article appeared) is surer than the dates the text mentions.
    # The first four are stated as the document's date, the rest guessed; a ruling's title takes a stated one
    # only: a date its text happens to mention is no date to cite it by.
    stated = sidecar.date or listed.date or (ruling.date if ruling else None) or raw.metadata.date
    date = (
        stated or (hearing[1] if hearing else None) or address_date(meta.url, source.name) or infer_date(text)
    )
    title = (
        sidecar.title or listed.title or (ruling_title(ruling, stated) if ruling else None)
        or file_title(raw.metadata.title) or (hearing[0] if hearing else None) or infer_title(text, source)
    )
    site = None if ruling else infer_publisher(source)
    kind = meta.kind or (
        Kind.RULING if ruling else Kind.TESTIMONY if hearing
        else web_kind(infer_kind(text, title, footnotes=len(cleaned.footnotes)), meta.url, site)
    )
    page_spans = tuple((s.page, s.start, s.end) for s in cleaned.segments)
    # A ruling's quotations are the law and the parties' submissions, not testimony.
    quotes = [] if kind is Kind.RULING else clock.timed(
        "quotes", extract_quotes, cleaned, passages, doc_id, date, pipelines.get("gazetteer")
    )
    citations = clock.timed("citations", find_citations, text, page_spans)
    if ruling is not None:  # a ruling's heading names the ruling itself: not a citation
        own = set(citation_keys(ruling))
        citations = [c for c in citations if c.key not in own]
    pages = max((p.number for p in raw.pages if p.number is not None), default=None)
    document = Document(
        id=doc_id,
        source=str(source),
        file_hash=digest,
        format=raw.format,
        title=title,
        kind=kind,
        language=doc_lang,
        date=date,
        publisher=meta.publisher or (ruling.court if ruling else site),
        url=meta.url,
        pages=pages,
        text=text,
        page_spans=page_spans,
        metadata_key=metadata_key(sidecar, listed),
    )
    return DocumentRecord(
        document, tuple(passages), cleaned.footnotes, tuple(mentions), tuple(quotes), tuple(citations), ruling,
        warnings=raw.warnings,
    )


def ruling_title(ruling: RulingInfo, date: str | None = None) -> str:
    """A ruling's title as lawyers cite it: court, date, number, then the parties. `date`: the date stated for
    the document (a sidecar, the catalogue, the ruling's text, the file's header), so that title and date
    agree: an Upper Tribunal decision dated by its export's header was titled "undated"."""
    parts = [ruling.court, date or ruling.date or "undated", ", ".join(ruling.numbers)]
    title = ", ".join(p for p in parts if p)
    return f"{title} — {ruling.name}" if ruling.name else title


def ingest_paths(
    paths: Iterable[Path],
    sink: RecordSink,
    pipelines: Mapping[str, Any],
    commit_every: int = 25,
    clock: StageClock | None = None,
    progress: bool | None = None,
    ner_batch_size: int = 64,
    workers: FilePool | None = None,
    file_timeout: float = 600.0,
) -> IngestSummary:
    """Ingest every file; exactly one result per file, in input order. Unchanged files (same content hash)
    are skipped before parsing; a changed file replaces its old records. Commits every `commit_every`
    changed files.

    With `workers`, files are read and built in worker processes (their own pipelines, `file_timeout` and
    memory limits); without, in this process with `pipelines` and no time limit (tests, debugging)."""
    clock = clock or StageClock()
    left_out: list[tuple[Path, str]] = []
    files = list(iter_files(paths, left_out))
    show = sys.stderr.isatty() if progress is None else progress
    bar: Any = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="ingest", file=sys.stderr)
    results: list[IngestResult] = []
    pending = 0
    outcomes = (
        _in_process(files, sink, pipelines, clock, ner_batch_size)
        if workers is None
        else _in_workers(files, sink, workers, clock, file_timeout)
    )
    try:
        for result in outcomes:
            results.append(result)
            if bar is not None:
                bar.update()
            if result.status in ("added", "updated"):
                pending += 1
                if pending >= commit_every:
                    clock.timed("index", sink.commit)
                    pending = 0
    finally:
        if bar is not None:
            bar.close()
    if pending:
        clock.timed("index", sink.commit)
    return IngestSummary(tuple(results), tuple((str(p), why) for p, why in left_out))


def _in_process(
    files: list[Path], sink: RecordSink, pipelines: Mapping[str, Any], clock: StageClock, ner_batch_size: int
) -> Iterator[IngestResult]:
    for path in files:
        yield ingest_file(path, sink, pipelines, clock, ner_batch_size)


def _in_workers(
    files: list[Path], sink: RecordSink, workers: FilePool, clock: StageClock, file_timeout: float
) -> Iterator[IngestResult]:
    """Hash and skip in this process, build in the workers, write here in input order."""

    def jobs() -> Iterator[tuple[tuple[str, str, str | None, IngestResult | None], Path | None, str]]:
        for path in files:
            source, digest, previous, early = check_file(path, sink)
            yield (source, digest, previous, early), (None if early else path), digest

    for (source, digest, previous, early), outcome in workers.run(jobs(), file_timeout):
        if outcome is None:  # settled here: unchanged, or unreadable
            assert early is not None
            yield early
            continue
        clock.seconds.update(outcome.stage_seconds)
        clock.file_seconds[source] = outcome.seconds
        if isinstance(outcome, Failed):
            yield write_failure(source, digest, outcome.reason, sink, clock)
        else:
            yield write_records(source, previous, outcome.records, sink, clock, outcome.vectors)


def check_file(path: Path, sink: RecordSink) -> tuple[str, str, str | None, IngestResult | None]:
    """Source, content hash and stored hash of a file; and its result when it needs no parsing."""
    source = str(path.resolve())
    try:
        digest = file_hash(path)
    except OSError as exc:
        return source, "", None, IngestResult(source, "failed", f"cannot read file: {exc.strerror or exc}")
    previous = sink.stored_hash(source)
    if previous == digest:
        try:
            edited = _metadata_edited(path, source, sink)
        except IngestError as exc:
            # The bytes are as indexed but the sidecar cannot be read: said, and nothing written, so the
            # document indexed stays as it was and, once the sidecar is mended, is compared again.
            return source, digest, previous, IngestResult(source, "failed", exc.reason)
        if not edited:
            return source, digest, previous, IngestResult(source, "unchanged")
    return source, digest, previous, None


def _metadata_edited(path: Path, source: str, sink: RecordSink) -> bool:
    """Whether the file's sidecar or catalogue row says something else than when its document was built (an
    index built before the fingerprint was kept, or a failed file, cannot tell: no). Raises `IngestError`
    for an unreadable sidecar."""
    stored = sink.stored_metadata_key(source)
    if stored is None:
        return False
    return metadata_key(load_sidecar(path), catalogue_metadata(path)) != stored


def read_and_build(
    path: Path, digest: str, pipelines: Mapping[str, Any], clock: StageClock, ner_batch_size: int = 64
) -> list[DocumentRecord]:
    """Read one file and build its records; raises `IngestError` for a file that cannot be read."""
    raws = clock.timed("read", readers.read, path, ocr=pipelines.get("ocr"))
    return [build_record(raw, digest, pipelines, path.resolve(), clock, ner_batch_size) for raw in raws]


def write_failure(source: str, digest: str, reason: str, sink: RecordSink, clock: StageClock) -> IngestResult:
    """Remember a failed file; its earlier records, if any, stay in the index."""
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    clock.timed("index", sink.record_failure, source, digest, reason, when)
    return IngestResult(source, "failed", reason)


def embed_built(records: list[DocumentRecord], pipelines: Mapping[str, Any], clock: StageClock) -> Any:
    """The vectors of the records' passages and quotes when `pipelines` holds an encoder, else None."""
    encoder = pipelines.get("encoder")
    if encoder is None or isinstance(encoder, str):
        return None
    from ingest.embed import embed_records

    return clock.timed("embed", embed_records, encoder, records)


def write_records(
    source: str,
    previous: str | None,
    records: list[DocumentRecord],
    sink: RecordSink,
    clock: StageClock,
    vectors: Any = None,
) -> IngestResult:
    clock.timed("index", sink.replace, source, records)
    if vectors is not None and records:  # replaced with the records, committed with them
        clock.timed("index", cast(VectorSink, sink).replace_vectors, source, records[0].document.file_hash, vectors)
    return IngestResult(
        source,
        "updated" if previous else "added",
        doc_ids=tuple(r.document.id for r in records),
        words=sum(len(r.document.text.split()) for r in records),
        pages=sum(r.document.pages or 0 for r in records),
        warnings=tuple(w for r in records for w in r.warnings),
    )


def ingest_file(
    path: Path,
    sink: RecordSink,
    pipelines: Mapping[str, Any],
    clock: StageClock,
    ner_batch_size: int = 64,
) -> IngestResult:
    """One file through every stage, in this process; the per-file error boundary."""
    source, digest, previous, early = check_file(path, sink)
    if early is not None:
        return early
    t0 = time.perf_counter()
    try:
        records = read_and_build(path, digest, pipelines, clock, ner_batch_size)
        vectors = embed_built(records, pipelines, clock)
    except IngestError as exc:
        return write_failure(source, digest, exc.reason, sink, clock)
    finally:
        clock.file_seconds[source] = time.perf_counter() - t0
    return write_records(source, previous, records, sink, clock, vectors)
