"""The data model shared by every stage, and its JSON form.

Records are frozen dataclasses. Every span (`start`, `end`) points into the extracted text of its document:
``document.text[record.start:record.end] == record.text``. Partial dates are ISO strings of 4, 7 or 10
characters (``2018``, ``2018-07``, ``2018-07-31``), never a made-up day.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal


class Kind(str, Enum):
    """What a document is, as a researcher would file it."""

    REPORT = "report"
    RULING = "ruling"
    TESTIMONY = "testimony"
    PRESS = "press"
    OTHER = "other"


class Label(str, Enum):
    """Entity labels, the same for every language and model."""

    PLACE = "PLACE"
    ORG = "ORG"
    PERSON = "PERSON"
    DATE = "DATE"


Section = Literal["body", "footnote"]
Status = Literal["added", "updated", "unchanged", "failed"]


class IngestError(Exception):
    """A file that cannot be read, with a plain reason a person can act on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Metadata:
    """Descriptive metadata; every field may be unknown."""

    title: str | None = None
    date: str | None = None
    kind: Kind | None = None
    publisher: str | None = None
    language: str | None = None
    url: str | None = None

    def merged_over(self, base: Metadata) -> Metadata:
        """This metadata, with gaps filled from `base` (self wins)."""
        return Metadata(
            **{f.name: getattr(self, f.name) or getattr(base, f.name) for f in dataclasses.fields(Metadata)}
        )


@dataclass(frozen=True, slots=True)
class RawPage:
    """One page of extracted text. `number` is the 1-based physical page; None where the source has none."""

    number: int | None
    text: str
    label: str | None = None
    ocr: bool = False  # the text was read by OCR from the page image
    ocr_confidence: float | None = None  # the OCR engine's mean word confidence, 0-100


@dataclass(frozen=True, slots=True)
class RawDocument:
    """What a reader gives back: pages of text and whatever metadata the file itself carries."""

    source: str
    format: str
    pages: tuple[RawPage, ...]
    metadata: Metadata = Metadata()
    part: int = 0  # index of the document inside a file that holds several (a JSON export of decisions)
    warnings: tuple[str, ...] = ()  # what went wrong short of failing: "page 3: OCR failed (timed out ...)"

    @property
    def has_pages(self) -> bool:
        return any(p.number is not None for p in self.pages)

    @property
    def ocr_pages(self) -> dict[int, float | None]:
        """The pages read by OCR, with their mean OCR confidence."""
        return {p.number: p.ocr_confidence for p in self.pages if p.ocr and p.number is not None}


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote kept apart from the body text and linked to its number."""

    number: int
    page: int | None
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A searchable unit: part of one page, with its span in the document text."""

    id: str
    doc_id: str
    page: int | None
    start: int
    end: int
    text: str
    lang: str
    section: Section = "body"
    footnotes: tuple[int, ...] = ()
    ocr: bool = False  # the passage's page was read by OCR
    ocr_confidence: float | None = None  # mean OCR word confidence of its page, 0-100


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity mention. `name` is the canonical form; `value` the ISO partial date for DATE."""

    label: Label
    text: str
    name: str
    start: int
    end: int
    passage_id: str
    value: str | None = None


DateSource = Literal["sentence", "footnote", "document", "none"]


@dataclass(frozen=True, slots=True)
class Quote:
    """A testimony: the exact quoted words (without the quotation marks), who said them, where and when.

    `start`/`end` span the quoted words in the document text. `date_source` says where the date came from;
    "document" means the document's own date was used because the testimony states none.
    """

    id: str
    doc_id: str
    text: str
    start: int
    end: int
    page: int | None
    passage_id: str | None
    speaker: str | None
    speaker_description: str | None
    place: str | None
    date: str | None
    date_source: DateSource = "none"
    footnote: int | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """A reference to a ruling inside a document. `key` is the same for every citation of one ruling."""

    key: str
    court: str  # canonical court name, whatever language the citation is written in
    date: str | None  # ISO partial date of the decision
    number: str | None  # case number as the court writes it: "C-411/10", "412125", "[2019] UKUT 197 (IAC)"
    name: str | None  # parties or case name when the citation gives one
    text: str
    start: int
    end: int
    page: int | None = None
    ecli: str | None = None


@dataclass(frozen=True, slots=True)
class RulingInfo:
    """What a ruling document says of itself."""

    court: str
    date: str | None
    numbers: tuple[str, ...]
    key: str
    ecli: str | None = None
    name: str | None = None
    decision: str | None = None  # judgment, order, ordonnance, opinion, decision
    operative_part: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A document as indexed. `id` is a content hash; `text` is the cleaned text every span points into."""

    id: str
    source: str
    file_hash: str
    format: str
    title: str
    kind: Kind
    language: str
    date: str | None
    publisher: str | None
    url: str | None
    pages: int | None
    text: str
    page_spans: tuple[tuple[int | None, int, int], ...] = ()  # (page number, start, end) in `text`
    # what the sidecar and catalogue row said (ingest.metadata.metadata_key); None in indexes built before it
    metadata_key: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """Everything the pipeline learned about one document: what the index stores."""

    document: Document
    passages: tuple[Passage, ...]
    footnotes: tuple[Footnote, ...] = ()
    mentions: tuple[Mention, ...] = ()
    quotes: tuple[Quote, ...] = ()
    citations: tuple[Citation, ...] = ()
    ruling: RulingInfo | None = None  # set when the document is itself a ruling
    warnings: tuple[str, ...] = ()  # the reader's problems short of failure (`RawDocument.warnings`)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Exactly one per input file."""

    path: str
    status: Status
    reason: str | None = None
    doc_ids: tuple[str, ...] = ()
    words: int = 0
    pages: int = 0
    warnings: tuple[str, ...] = ()  # problems short of failure, e.g. pages OCR could not read


@dataclass(frozen=True, slots=True)
class IngestSummary:
    results: tuple[IngestResult, ...] = field(default_factory=tuple)
    # files a folder walk did not read, each with its reason (walk.iter_files): name one to read it
    left_out: tuple[tuple[str, str], ...] = ()

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)


# ---------------------------------------------------------------- JSON form


_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_jsonable(record: Any) -> Any:
    """A record (or a structure of records) as plain JSON values."""
    if type(record) in _PLAIN:  # most values: return at once (a document record holds thousands)
        return record
    if isinstance(record, Enum):
        return record.value
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_jsonable(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, (list, tuple)):
        return [to_jsonable(x) for x in record]
    if isinstance(record, dict):
        return {k: to_jsonable(v) for k, v in record.items()}
    return record


def to_json(record: Any, **kwargs: Any) -> str:
    return json.dumps(to_jsonable(record), ensure_ascii=False, **kwargs)


def summary_json(summary: IngestSummary) -> dict[str, Any]:
    """The CLI's contract for `temoin ingest --json`."""
    return {
        "added": summary.count("added"),
        "updated": summary.count("updated"),
        "unchanged": summary.count("unchanged"),
        "failed": [{"path": r.path, "reason": r.reason} for r in summary.results if r.status == "failed"],
        "warnings": [{"path": r.path, "warning": w} for r in summary.results for w in r.warnings],
        "files": [to_jsonable(r) for r in summary.results],
        "left_out": [{"path": path, "reason": reason} for path, reason in summary.left_out],
    }


def metadata_from_json(data: dict[str, Any]) -> Metadata:
    kind = data.get("kind")
    return Metadata(
        title=_str_or_none(data.get("title")),
        date=_str_or_none(data.get("date")),
        kind=Kind(kind) if kind in {k.value for k in Kind} else None,
        publisher=_str_or_none(data.get("publisher")),
        language=_str_or_none(data.get("language") or data.get("lang")),
        url=_str_or_none(data.get("url")),
    )


def mention_from_json(data: dict[str, Any]) -> Mention:
    return Mention(
        label=Label(data["label"]),
        text=data["text"],
        name=data["name"],
        start=int(data["start"]),
        end=int(data["end"]),
        passage_id=data["passage_id"],
        value=data.get("value"),
    )


def footnote_from_json(data: dict[str, Any]) -> Footnote:
    return Footnote(
        number=int(data["number"]),
        page=data.get("page"),
        start=int(data["start"]),
        end=int(data["end"]),
        text=data["text"],
    )


def record_from_json(data: dict[str, Any]) -> DocumentRecord:
    """A document record from its JSON form (`to_jsonable`), for stages that re-run on stored records.
    Keys that are not fields (the index's "build" versions) are left out."""
    record = _from_jsonable(DocumentRecord, data)
    assert isinstance(record, DocumentRecord)
    return record


def _from_jsonable(tp: Any, value: Any) -> Any:
    """`value` (plain JSON) as the type `tp`, read from the dataclasses' annotations."""
    if value is None or tp is Any:
        return value
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):  # our unions are all `X | None`
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        return _from_jsonable(inner, value)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_jsonable(args[0], v) for v in value)
        return tuple(_from_jsonable(a, v) for a, v in zip(args, value, strict=True))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: _from_jsonable(hints[f.name], value[f.name])
                     for f in dataclasses.fields(tp) if f.name in value})
    return value  # str, int, float, bool, Literal


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
