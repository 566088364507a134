"""The one schema (index/schema.py) as Tantivy fields: same names, same analysis, same stored record.

Text fields use Tantivy analysers built like Whoosh's: the same token pattern, lowercase, accent folding
(Tantivy's ASCII folding) and, for `content_en`/`content_fr`, the same Snowball stemmers. Identifier and
keyword fields are `raw` (one term per value, case kept); the facet fields are also fast columns, so counts
come from Tantivy's terms aggregation. Every value Whoosh stores is kept in one stored JSON blob, so a hit
reads back as exactly the dict Whoosh gives (`org` as "A,B", `footnotes` as a list...).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import tantivy

from index.schema import _TOKENS, IndexError_

TANTIVY_SCHEMA_VERSION = "tantivy-2"
VERSION_FILE = "TEMOIN_SCHEMA"

FOLDED_TEXT = ("title", "content", "speaker")  # folded, not stemmed
STEMMED_TEXT = {"content_en": "english", "content_fr": "french"}
RAW = ("id", "type", "doc_id", "source", "file_hash", "section", "kind", "lang", "date", "year", "court")
KEYWORDS = ("org", "place", "person", "dates", "mentioned_year", "ruling_key")  # comma-separated in Whoosh
FAST = {"org", "place", "person", "dates", "kind", "lang", "year", "mentioned_year", "doc_id"}
INTEGERS = ("date_lo", "date_hi", "page", "mentioned")
STORED = (
    "id", "type", "doc_id", "source", "file_hash", "section", "title", "kind", "lang", "date", "year",
    "publisher", "page", "start", "end", "footnotes", "ocr", "ocr_confidence", "content", "org", "place",
    "person", "dates", "speaker", "court", "ruling_key", "payload",
)
BLOB = "stored"
_TANTIVY_FILES = {"meta.json", ".managed.json", ".tantivy-meta.lock", ".tantivy-writer.lock", VERSION_FILE}
_SEGMENT_FILE = re.compile(r"[0-9a-f]{32}(?:\.\d+)?\.[a-z]+")


def _analyzer(stem: str | None = None, whole: bool = False) -> tantivy.TextAnalyzer:
    """Words (the same token pattern as Whoosh's), lowercased, folded, stemmed for `stem`; `whole`: the value
    is one token, then the same filters (a query term as it is, a wildcard's text)."""
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw() if whole else tantivy.Tokenizer.regex(_TOKENS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer(stem))
    return builder.build()


def build_tantivy_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in FOLDED_TEXT:
        builder.add_text_field(name, tokenizer_name="temoin_fold")
    for name in STEMMED_TEXT:
        builder.add_text_field(name, tokenizer_name=f"temoin_{name}")
    for name in (*RAW, *KEYWORDS):
        builder.add_text_field(name, tokenizer_name="raw", fast=name in FAST, index_option="basic")
    for name in INTEGERS:
        # fast columns: a date range then costs a look-up per candidate, not a union of thousands of postings
        # (100k passages, a word and --since: 29 ms as postings, ~1 ms as a column)
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_bytes_field(BLOB, stored=True)
    return builder.build()


def _register(ix: tantivy.Index) -> tantivy.Index:
    """Custom analysers are not saved in the index: every opening registers them again."""
    ix.register_tokenizer("temoin_fold", _analyzer())
    for name, lang in STEMMED_TEXT.items():
        ix.register_tokenizer(f"temoin_{name}", _analyzer(lang))
    return ix


def is_tantivy_index(path: Path) -> bool:
    return (path / "meta.json").is_file()


def open_tantivy(path: Path, create: bool = False, rebuild_if_outdated: bool = False) -> tantivy.Index:
    """Open the Tantivy index at `path` (made when `create`); an outdated one is an error for readers and
    rebuilt by writers, as for Whoosh (index/schema.py)."""
    version_file = path / VERSION_FILE
    if is_tantivy_index(path):
        found = version_file.read_text().strip() if version_file.exists() else "?"
        if found == TANTIVY_SCHEMA_VERSION:
            return _register(tantivy.Index(build_tantivy_schema(), path=str(path), reuse=True))
        if not rebuild_if_outdated:
            raise IndexError_(f"{path}: index built with schema {found}, this version needs "
                              f"{TANTIVY_SCHEMA_VERSION}; run `temoin ingest` on your files again to rebuild it")
        print(f"temoin: {path}: index schema {found} is outdated; rebuilding it", file=sys.stderr)
        for child in path.iterdir():  # Tantivy's files only: uploads and vectors beside them stay
            if child.is_file() and (child.name in _TANTIVY_FILES or _SEGMENT_FILE.fullmatch(child.name)):
                child.unlink()
    elif not create:
        raise IndexError_(f"no index at {path}: run `temoin ingest PATH` first")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexError_(f"cannot create index directory {path}: {exc.strerror or exc}") from exc
    ix = _register(tantivy.Index(build_tantivy_schema(), path=str(path), reuse=False))
    version_file.write_text(f"{TANTIVY_SCHEMA_VERSION}\n")
    return ix


def to_document(fields: dict[str, Any]) -> tantivy.Document:
    """One index document (the dict index/writer.py builds for Whoosh) as a Tantivy document."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None or value == "":
            continue
        if name in KEYWORDS:
            values[name] = [v for v in str(value).split(",") if v]
        elif name in INTEGERS:
            values[name] = [int(v) for v in value] if isinstance(value, list) else [int(value)]
        elif name in RAW or name in FOLDED_TEXT or name in STEMMED_TEXT:
            values[name] = [str(value)]
    stored = {k: v for k, v in fields.items() if k in STORED and v is not None and v != ""}
    values[BLOB] = [json.dumps(stored, ensure_ascii=False).encode("utf-8")]
    return tantivy.Document(**values)


def stored_fields(doc: tantivy.Document) -> dict[str, Any]:
    """The stored dict of a document, as Whoosh's `hit.fields()` gives it."""
    blob = doc.get_first(BLOB)
    return json.loads(blob.decode("utf-8")) if blob else {}  # decoded here: json would guess the encoding
