"""The one schema: fields, analysers per language, accent and apostrophe folding.

Every passage is indexed three times over its text: `content` (folded, not stemmed: phrases, highlights),
`content_en` and `content_fr` (folded and stemmed); a passage fills the stemmed field of its language, so a
query word matches English and French inflections alike. Apostrophes split words ("d’État" → d, etat).
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

SCHEMA_VERSION = 1
FACET_FIELDS = ("org", "place", "person", "kind", "lang", "year")
_TOKENS = r"\w+(?:\.?\w+)*"


def folding_analyzer() -> Analyzer:
    return RegexTokenizer(_TOKENS) | LowercaseFilter() | CharsetFilter(accent_map)


def stemming_analyzer(lang: str) -> Analyzer:
    return folding_analyzer() | StemFilter(lang=lang, cachesize=50000)


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        type=ID(stored=True),  # passage | document | failure
        doc_id=ID(stored=True),
        source=ID(stored=True),
        file_hash=ID(stored=True),
        section=ID(stored=True),
        title=TEXT(analyzer=folding_analyzer(), stored=True, field_boost=1.5),
        kind=ID(stored=True),
        lang=ID(stored=True),
        date=ID(stored=True),
        date_lo=NUMERIC(int, bits=32, signed=False),
        date_hi=NUMERIC(int, bits=32, signed=False),
        year=ID(stored=True),
        publisher=STORED(),
        page=NUMERIC(int, stored=True),
        start=STORED(),
        end=STORED(),
        footnotes=STORED(),
        content=TEXT(analyzer=folding_analyzer(), stored=True),
        content_en=TEXT(analyzer=stemming_analyzer("en")),
        content_fr=TEXT(analyzer=stemming_analyzer("fr")),
        org=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        place=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        person=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        dates=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        payload=STORED(),  # JSON of the document record (type=document) or the failure (type=failure)
    )


class IndexError_(Exception):
    """The index directory cannot be used, with a reason a person can act on."""


def open_index(path: Path, create: bool = False) -> whoosh_index.Index:
    """Open the index at `path`; with `create`, make it when it does not exist yet."""
    version_file = path / "TEMOIN_SCHEMA"
    if whoosh_index.exists_in(str(path)):
        found = version_file.read_text().strip() if version_file.exists() else "?"
        if found != str(SCHEMA_VERSION):
            raise IndexError_(f"{path}: index built with schema {found}, this version needs {SCHEMA_VERSION}; "
                              "delete the directory and ingest again")
        return whoosh_index.open_dir(str(path))
    if not create:
        raise IndexError_(f"no index at {path}: run `temoin ingest PATH` first")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexError_(f"cannot create index directory {path}: {exc.strerror or exc}") from exc
    ix = whoosh_index.create_in(str(path), build_schema())
    version_file.write_text(f"{SCHEMA_VERSION}\n")
    return ix
