"""The one schema: fields, analysers per language, accent and apostrophe folding; opening the index.

Every passage is indexed three times over its text: `content` (folded, not stemmed: phrases, highlights),
`content_en` and `content_fr` (folded and stemmed); a passage fills the stemmed field of its language, so a
query word matches English and French inflections alike. Apostrophes split words ("d’État" → d, etat).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from whoosh import index as whoosh_index
from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.support.charset import accent_map

SCHEMA_VERSION = 5
FACET_FIELDS = ("org", "place", "person", "kind", "lang", "year", "mentioned_year")
_TOKENS = r"\w+(?:\.?\w+)*"


def folding_analyzer() -> Analyzer:
    return RegexTokenizer(_TOKENS) | LowercaseFilter() | CharsetFilter(accent_map)


def folding_tokens(value: str) -> list[str]:
    """The words of a value as the index folds them (case, accents, apostrophes)."""
    return [t.text for t in folding_analyzer()(value.replace("’", "'"))]


def fold_value(value: str) -> str:
    """A value as the index folds it, its words joined by spaces: the key on which filter values meet the
    spellings the index holds."""
    return " ".join(folding_tokens(value))


def stemming_analyzer(lang: str) -> Analyzer:
    return folding_analyzer() | StemFilter(lang=lang, cachesize=50000)


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        type=ID(stored=True),  # passage | quote | citation | document | failure | entity
        doc_id=ID(stored=True),
        source=ID(stored=True),
        file_hash=ID(stored=True),
        section=ID(stored=True),
        title=TEXT(analyzer=folding_analyzer(), stored=True, field_boost=1.5),
        kind=ID(stored=True),
        lang=ID(stored=True),
        date=ID(stored=True),
        # signed: whoosh-reloaded's unsigned numeric ranges match wrongly at some bounds (open-ended ones)
        date_lo=NUMERIC(int, bits=32),
        date_hi=NUMERIC(int, bits=32),
        year=ID(stored=True),
        publisher=STORED(),
        page=NUMERIC(int, stored=True),
        start=STORED(),
        end=STORED(),
        footnotes=STORED(),
        ocr=STORED(),  # True on passages whose page was read by OCR
        ocr_confidence=STORED(),  # that page's mean OCR word confidence, 0-100
        content=TEXT(analyzer=folding_analyzer(), stored=True),
        content_en=TEXT(analyzer=stemming_analyzer("en")),
        content_fr=TEXT(analyzer=stemming_analyzer("fr")),
        org=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        place=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        person=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        dates=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        mentioned=NUMERIC(int, bits=32),  # first and last day of every date a passage names
        mentioned_year=KEYWORD(commas=True, lowercase=False, scorable=False),  # years the passage mentions
        speaker=TEXT(analyzer=folding_analyzer(), stored=True),  # quotes: who spoke
        court=ID(stored=True),  # citations and rulings: canonical court
        ruling_key=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        payload=STORED(),  # JSON of the document record (type=document) or the failure (type=failure)
    )


class IndexError_(Exception):
    """The index directory cannot be used, with a reason a person can act on."""


# Whoosh reads a compound segment (the one file each commit writes) through mmap by copying each file inside it
# into memory (whoosh.filedb.compound `open_file`: BytesIO of the mapped bytes), so every open searcher holds
# the whole index: 860 MB more for the 100,000 passages of bench/scale.py (634 MB on disk), and at 1,000,000
# (bench/whoosh_replica.py) 12.9 GB on opening, 17.3 GB at the peak of one searcher, past this machine's
# 24 GB with two. Without mmap the same files are read through the OS's cache instead: 141 MB for the same
# searcher and queries at 100,000, at the cost of median latency (77 -> 88-110 ms plain, two runs, one core
# busy beside them). Up to IN_MEMORY_MB of segments, the faster way; past it, memory that does not grow with
# the index.
IN_MEMORY_MB = 1024
INDEX_NAME = "MAIN"  # Whoosh's default, as open_dir names it
OPEN_ATTEMPTS = 5  # a reader opening the index while an ingest commits may find its generation gone
T = TypeVar("T")


def _storage(path: Path) -> FileStorage:
    on_disk = sum(f.stat().st_size for f in path.glob("*.seg"))
    return FileStorage(str(path), supports_mmap=on_disk <= IN_MEMORY_MB * 1_000_000)


def open_index(path: Path, create: bool = False, rebuild_if_outdated: bool = False) -> whoosh_index.Index:
    """Open the index at `path`; with `create`, make it when it does not exist yet. An index built with an
    older schema is an error for readers; a writer may rebuild it (`rebuild_if_outdated`): its documents are
    ingested again from their files, which are unchanged."""
    version_file = path / "TEMOIN_SCHEMA"
    if whoosh_index.exists_in(str(path)):
        found = version_file.read_text().strip() if version_file.exists() else "?"
        if found == str(SCHEMA_VERSION):
            return _storage(path).open_index(INDEX_NAME)
        if not rebuild_if_outdated:
            raise IndexError_(f"{path}: index built with schema {found}, this version needs {SCHEMA_VERSION}; "
                              "run `temoin ingest` on your files again to rebuild it")
        print(f"temoin: {path}: index schema {found} is outdated; rebuilding it", file=sys.stderr)
        for child in path.iterdir():
            if child.is_file() and (child.name.startswith(("_MAIN", "MAIN")) or child.name == "TEMOIN_SCHEMA"):
                child.unlink()
    elif not create:
        raise IndexError_(f"no index at {path}: run `temoin ingest PATH` first")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexError_(f"cannot create index directory {path}: {exc.strerror or exc}") from exc
    ix = whoosh_index.create_in(str(path), build_schema())
    version_file.write_text(f"{SCHEMA_VERSION}\n")
    return ix


def retry_on_commit(read: Callable[[], T]) -> T:
    """`read()` of the index's latest generation, again when an ingest's commit removed that generation
    between finding it and reading it (Whoosh deletes the old table of contents once the new one is written):
    a reader opening or refreshing during an ingest then reads the new one."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return read()
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")
