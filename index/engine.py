"""Two search engines behind one interface: Whoosh (the default, pure Python) and Tantivy (Rust, much faster).

An index folder belongs to one engine, recorded by its files: readers open whatever engine built it, so only
the command that builds an index chooses (the `engine` setting, `TEMOIN_ENGINE`, or `--engine`). Callers use
`open_searcher` and `open_writer` and the two protocols below; they never import an engine's module.
Queries are parsed once, in index/search.py, for both engines (index/tantivy_query.py translates them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from whoosh import index as whoosh_index
from whoosh.query import Query

from ingest.records import DocumentRecord
from index.schema import IndexError_
from index.search import FacetValue, Filters, SearchResult

ENGINES = ("whoosh", "tantivy")
DEFAULT_ENGINE = "whoosh"


class SearchEngine(Protocol):
    """What the CLI, the UI and index/evidence.py use of an open index."""

    path: Path

    def search(
        self, text: str, filters: Filters = ..., limit: int = 10, offset: int = 0, sort: str = "relevance",
        with_facets: bool = True,
    ) -> SearchResult: ...
    def parse(self, text: str) -> tuple[Query, bool]: ...
    def value_terms(self, fieldname: str, values: tuple[str, ...]) -> list[Query]: ...
    def filter_query(self, filters: Filters) -> Query: ...
    def match(self, query: Query, filter_q: Query, limit: int | None) -> tuple[int, list[tuple[float, dict[str, Any]]]]: ...
    def stored(self, kind: str) -> list[dict[str, Any]]: ...
    def document(self, doc_id: str) -> dict[str, Any] | None: ...
    def documents(self) -> list[dict[str, Any]]: ...
    def failures(self) -> list[dict[str, Any]]: ...
    def entities(self, label: str | None = None, limit: int = 50) -> list[dict[str, Any]]: ...
    def stats(self) -> dict[str, int]: ...
    def generation(self) -> int: ...
    def refresh(self) -> None: ...
    def close(self) -> None: ...


class WriterEngine(Protocol):
    """What the ingest pipeline uses of an index being written."""

    path: Path

    def stored_hash(self, source: str) -> str | None: ...
    def stored_metadata_key(self, source: str) -> str | None: ...
    def replace(self, source: str, records: list[DocumentRecord]) -> None: ...
    def record_failure(self, source: str, file_hash: str, reason: str, when: str) -> None: ...
    def delete(self, source: str) -> None: ...
    def commit(self) -> None: ...
    def cancel(self) -> None: ...
    def close(self) -> None: ...


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise IndexError_(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    return engine


def engine_of(path: Path) -> str | None:
    """The engine that built the index at `path`, or None when there is no index there."""
    from index.tantivy_schema import is_tantivy_index

    if is_tantivy_index(path):
        return "tantivy"
    if path.is_dir() and whoosh_index.exists_in(str(path)):
        return "whoosh"
    return None


def _resolve(path: Path, wanted: str | None, default: str = DEFAULT_ENGINE) -> str:
    found = engine_of(path)
    if wanted is not None:
        check_engine(wanted)
        if found is not None and found != wanted:
            raise IndexError_(
                f"{path} is a {found} index, not {wanted}: use --engine {found}, or build a {wanted} index "
                "in another folder (--index)"
            )
        return wanted
    return found or check_engine(default)


def open_searcher(path: Path, engine: str | None = None) -> SearchEngine:
    """A searcher on the index at `path`, of the engine that built it (`engine`, when given, must agree)."""
    if _resolve(path, engine) == "tantivy":
        from index.tantivy_search import TantivySearcher

        return TantivySearcher(path)
    from index.search import Searcher

    return Searcher(path)


def open_writer(
    path: Path, engine: str | None = None, lock_timeout: float = 2.0, retry_failed: bool = False,
    default: str = DEFAULT_ENGINE, build: dict[str, str] | None = None,
) -> WriterEngine:
    """A writer on the index at `path`: an existing index keeps its engine (an `engine` asked for that
    disagrees is an error, nothing is overwritten); a new one is made with `engine`, else `default` (the
    `engine` setting). `build`: the stage fingerprints recorded with each document (Whoosh; `temoin reindex`)."""
    if _resolve(path, engine, default) == "tantivy":
        from index.tantivy_writer import TantivyWriter

        return TantivyWriter(path, lock_timeout=lock_timeout, retry_failed=retry_failed)
    from index.writer import IndexWriter

    return IndexWriter(path, lock_timeout=lock_timeout, retry_failed=retry_failed, build=build)


__all__ = ["ENGINES", "FacetValue", "SearchEngine", "WriterEngine", "engine_of", "open_searcher", "open_writer"]
