"""Query → typed results: hits with highlighted snippets, filters, facets. The only place that parses queries.

Query syntax is Whoosh's: words (all must match), "phrases", AND/OR/NOT, field:value (title:, org:, place:,
person:, kind:, lang:, year:). A query the parser cannot read falls back to a plain word search.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from whoosh import collectors, highlight
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.query import And, NullQuery, NumericRange, Or, Phrase, Query, Term, Every, Not

from ingest.dates import date_bounds, is_partial_iso
from ingest.gazetteer import fold
from index.schema import FACET_FIELDS, folding_analyzer, open_index

SEARCH_FIELDS = ("title", "content", "content_en", "content_fr")
# A query of this many words or more is checked for a passage holding them all before Whoosh searches it
# (`Searcher._cannot_match`), unless its rarest word is in more than CONJUNCTION_CHECK_MAX records.
CONJUNCTION_CHECK_FROM = 4
CONJUNCTION_CHECK_MAX = 20_000
OPEN_ATTEMPTS = 5  # a reader opening the index while an ingest commits may find its generation gone
T = TypeVar("T")
_FIELD_ALIASES = {"organisation": "org", "organization": "org", "language": "lang"}
_PLAIN_WORDS = re.compile(r"\s*[^\W_]+(?:\s+[^\W_]+)*\s*")  # letters and digits only: no syntax
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
_PLAIN_PHRASE = re.compile(r'\s*"(\s*[^\W_]+(?:\s+[^\W_]+)*\s*)"\s*')  # one quoted phrase, nothing else


class QueryError(ValueError):
    """A filter value the index cannot use (a malformed date, say)."""


@dataclass(frozen=True, slots=True)
class Filters:
    orgs: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    since: str | None = None  # the document's date
    until: str | None = None
    mentioned_since: str | None = None  # a date the passage names
    mentioned_until: str | None = None
    exclude_orgs: tuple[str, ...] = ()
    exclude_places: tuple[str, ...] = ()
    exclude_persons: tuple[str, ...] = ()
    exclude_kinds: tuple[str, ...] = ()
    exclude_langs: tuple[str, ...] = ()


# Hits and facet values are built by the dozen in every search, so they are not frozen: a frozen dataclass sets
# each field through object.__setattr__, 3.4 µs for a Hit's 24 fields against 0.34 (0.46 against 0.17 µs for a
# FacetValue), a fifth of a plain search's time at 10,000 passages on Tantivy. Treat them as values all the
# same: nothing changes one after it is made (dataclasses.replace makes a new one), and they hash as before.
@dataclass(slots=True, unsafe_hash=True)
class Hit:
    doc_id: str
    title: str
    source: str
    kind: str
    lang: str
    date: str | None
    page: int | None
    passage_id: str
    score: float
    text: str
    snippet: str  # HTML-safe: the text is escaped, matches are wrapped in <mark>
    orgs: tuple[str, ...]
    places: tuple[str, ...]
    persons: tuple[str, ...]
    dates: tuple[str, ...]
    publisher: str | None = None
    section: str = "body"
    start: int = 0
    end: int = 0
    footnotes: tuple[int, ...] = ()
    ocr: bool = False  # the passage's page was read by OCR
    ocr_confidence: float | None = None  # that page's mean OCR word confidence, 0-100
    why: str = "keywords"  # what matched: "keywords", "meaning" (its embedding) or "both" (index/hybrid.py)
    similarity: float | None = None  # cosine with the query, when found by meaning


@dataclass(slots=True, unsafe_hash=True)
class FacetValue:
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    total: int
    took_ms: float
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    parsed: str = ""
    fallback: bool = False
    mode: str = "keyword"  # the mode the search ran in (index/semantic.py for the others)


def _split(value: str | None) -> tuple[str, ...]:
    """A keyword field's values: index/writer.py `_keywords` joins them by commas, none empty."""
    return tuple(value.split(",")) if value else ()


def folding_tokens(value: str) -> list[str]:
    """The words of a value as the index folds them (case, accents, apostrophes)."""
    return [t.text for t in folding_analyzer()(value.replace("’", "'"))]


def _fold(value: str) -> str:
    return " ".join(folding_tokens(value))


class _MarkFormatter(highlight.Formatter):
    """Escaped text with matches in <mark>…</mark>; fragments joined by an ellipsis."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace))}</mark>"

    def _text(self, text: str) -> str:
        return html.escape(text)


class _WordsFragmenter(highlight.ContextFragmenter):
    """Whoosh's context fragments, without marking function words ("de", "des", "the", "of"): the query's
    words are all required, so "expulsion des tentes" matched every "des" of a passage and the snippet marked
    them all, and chose its fragment by them."""

    def __init__(self, function_words: frozenset[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.function_words = function_words

    def fragment_tokens(self, text: str, all_tokens: Any) -> Any:
        def content_words() -> Any:
            for token in all_tokens:
                if token.matched and token.text in self.function_words:
                    token.matched = False
                yield token

        return super().fragment_tokens(text, content_words())


def function_words(schema: Any, lang: str) -> frozenset[str]:
    """A language's stop words as the fields a passage in it is highlighted in index them: folded, and stemmed
    ("was" is "wa"). Per language, so that English "son" stays marked though French "son" is a stop word."""
    from whoosh.lang import stopwords_for_language

    out: set[str] = set()
    for fieldname in ("content", f"content_{lang}"):
        analyzer = schema[fieldname].analyzer
        for word in stopwords_for_language(lang):
            out.update(t.text for t in analyzer(word, mode="index", removestops=False))
    return frozenset(out)


class _TopAndMatches(collectors.TopCollector):
    """Whoosh's top-N collector, also keeping the number of every document it matched. Under a filter Whoosh
    visits (and scores) every match anyway; keeping them gives the total and the facets from the same pass,
    where asking `docs_for_query` afterwards ran the whole query a second time (half of a long query's time)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit, usequality=False)  # every match must be seen, not only the best blocks

    def _collect(self, global_docnum: int, score: float) -> float:
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)  # type: ignore[no-any-return]

    def all_ids(self) -> set[int]:
        return self.docset  # type: ignore[no-any-return]


def _retrying(read: Callable[[], T]) -> T:
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


class Searcher:
    """An open index for searching; reuse it across searches (it caches facet values per index version)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        def opened() -> tuple[Any, Any, Any]:
            ix = open_index(path)
            return ix, ix.schema, ix.searcher()

        self.ix, self.schema, self._searcher = _retrying(opened)
        self._parser = MultifieldParser(list(SEARCH_FIELDS), self.schema, group=AndGroup)  # built once: ~0.5 ms
        self._facet_lists: dict[str, list[list[str]]] = {}
        self._lexicons: dict[str, dict[str, list[str]]] = {}
        self._filter_sets: dict[str, Any] = {}
        self._stats: dict[str, int] | None = None
        self._highlighter = highlight.Highlighter(
            fragmenter=highlight.ContextFragmenter(maxchars=320, surround=80),
            formatter=_MarkFormatter(),
        )
        self._fragmenters = {  # one per language of passages (index/schema.py stems English and French)
            lang: _WordsFragmenter(function_words(self.schema, lang), maxchars=320, surround=80) for lang in ("en", "fr")
        }
        self._semantic_lock = threading.Lock()
        self._semantic: Any = False  # index.semantic.SemanticSide, None without vectors; False: not looked yet
        self.semantic_note: str | None = None  # why semantic search is not available, when it is not
        self._encoder: Any = None
        self._bridge: Any = None

    # -- semantic search (index/semantic.py)
    def semantic(self) -> Any:
        """The vectors and query encoder of this index (loaded once), or None when it has none."""
        if self._semantic is False:
            with self._semantic_lock:  # the UI's warm-up thread and its first run may both ask: load once
                if self._semantic is False:
                    from index.semantic import open_semantic

                    semantic, self.semantic_note = open_semantic(self.path, self._encoder)
                    if semantic is not None:
                        self._encoder = semantic.encoder  # kept across refreshes: loading takes a second or two
                    self._semantic = semantic
        return self._semantic

    def bridge(self) -> Any:
        """The bilingual terms of the field, analysed with this index's schema (index/bridge.py), built once."""
        if self._bridge is None:
            from index.bridge import Bridge

            self._bridge = Bridge(self.schema)
        return self._bridge

    def default_mode(self) -> str:
        """Hybrid once the index has embeddings (and their encoder is installed), else keyword."""
        from index.semantic import has_vectors

        return "hybrid" if has_vectors(self.path) and self.semantic() is not None else "keyword"

    # -- lifecycle
    def refresh(self) -> None:
        """See what was committed since the index was opened."""
        if not self._searcher.up_to_date():
            self._searcher.close()
            self._searcher = _retrying(self.ix.searcher)
            self._facet_lists = {}
            self._lexicons = {}
            self._filter_sets = {}
            self._stats = None
            self._semantic = False  # an ingest commits vectors with the index

    def close(self) -> None:
        self._searcher.close()

    # -- queries
    def parse(self, text: str) -> tuple[Query, bool]:
        """The query for `text`, and whether it fell back to plain words."""
        text = re.sub(r"\b(organisation|organization|language):", lambda m: _FIELD_ALIASES[m.group(1)] + ":", text)
        text = text.replace("’", "'")
        if not text.strip():
            return Every(), False
        plain = plain_query(text)
        if plain is not None:
            words, phrase = plain
            return (self._plain_phrase(" ".join(words)) if phrase else self._plain_words(words)), False
        parser = self._parser
        try:
            if _malformed(text):
                raise ValueError("malformed")
            query = parser.parse(text)
            if query is NullQuery or _has_error(query):
                raise ValueError("syntax")
            return query, False
        except Exception:  # noqa: BLE001 - whoosh raises many kinds on odd input; any means "not readable"
            bare = re.sub(r"\b\w+:(?=\s|$)", " ", text)  # a field name with no value
            words = [w for w in re.findall(r"\w+", bare) if w not in {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}]
            if not words:
                return NullQuery, True
            return parser.parse(" ".join(words)), True

    def _plain_words(self, words: list[str]) -> Query:
        """The query Whoosh's parser makes of plain words (every word in any search field, each field's
        analysis), without its machinery: most queries are plain words, and parsing cost ~0.4 ms of a
        Tantivy search's ~2 (tests/index/test_engine_contract.py checks both give the same tree)."""
        groups: list[Query] = []
        for word in words:
            terms = [Term(f, t) for f in SEARCH_FIELDS for t in self.schema[f].process_text(word, mode="query")]
            group = terms[0] if len(terms) == 1 else Or(terms)
            if group not in groups:  # a repeated word once ("The ... the"), as the parser's normalising does
                groups.append(group)
        return groups[0] if len(groups) == 1 else And(groups)

    def _plain_phrase(self, text: str) -> Query:
        """The query Whoosh's parser makes of one quoted phrase of plain words (the phrase in every search
        field, each field's analysis; one word is a term), without its machinery: 0.25 ms of a Tantivy
        search's ~1 at 10k passages (tests/index/test_engine_contract.py checks both give the same tree)."""
        fields = [
            Phrase(f, [t.text for t in self.schema[f].tokenize(text, mode="query")], slop=1) for f in SEARCH_FIELDS
        ]
        return Or(fields).normalize()

    def raw(self) -> Any:
        """The underlying Whoosh searcher (Whoosh only: engine-neutral code uses `match` and `stored`)."""
        return self._searcher

    # -- the engine-neutral primitives index/evidence.py builds on (index/engine.py, `SearchEngine`)
    def generation(self) -> int:
        """A number that changes with every commit, for caches keyed on the index's state."""
        return int(self.ix.latest_generation())

    def stored(self, kind: str) -> list[dict[str, Any]]:
        """The stored fields of every record of a type (document, quote, citation, entity, failure)."""
        return [dict(s) for s in self._searcher.documents(type=kind)]

    def match(self, query: Query, filter_q: Query, limit: int | None) -> tuple[int, list[tuple[float, dict[str, Any]]]]:
        """How many records match `query` within `filter_q`, and the best `limit` (all when None) as (score,
        stored fields); the filter does not change scores."""
        results, matched = self.collect(query, filter_q, limit or max(1, self._searcher.doc_count_all()))
        return len(matched), [(float(h.score or 0.0), dict(h.fields())) for h in results]

    def collect(self, query: Query, filter_q: Query, limit: int, sortedby: str | None = None) -> tuple[Any, set[int]]:
        """Whoosh's results for `query` within `filter_q` (the best `limit`, or the newest by `sortedby`, with
        matched terms for highlights), and the numbers of every document they matched: one pass over the
        matches serves the page, the total and the facets."""
        inner: Any = (
            collectors.SortingCollector(sortedby, limit=limit, reverse=True) if sortedby else _TopAndMatches(limit)
        )
        return self._filtered(query, filter_q, inner), inner.docset

    def collect_top(self, query: Query, filter_q: Query, limit: int) -> Any:
        """Whoosh's best `limit` results for `query` within `filter_q`, with matched terms for highlights, and
        no more: Whoosh may skip the blocks that cannot reach the top (no total, no facets)."""
        return self._filtered(query, filter_q, collectors.TopCollector(limit))

    def _filtered(self, query: Query, filter_q: Query, inner: Any) -> Any:
        """`inner`'s results for `query` within `filter_q` (its kept set), with matched terms."""
        allow = self.filter_set(filter_q)
        if self._cannot_match(query, allow):
            query = NullQuery  # the same empty results, without Whoosh's walk through the words' postings
        # An empty set would read as "no filter" to Whoosh: then the query itself filters (to nothing).
        wrapped = collectors.FilterCollector(collectors.TermsCollector(inner), allow if allow else filter_q)
        self._searcher.search_with_collector(query, wrapped)
        return wrapped.results()

    def _cannot_match(self, query: Query, allow: Any) -> bool:
        """Whether no document within `allow` holds every word of a query of many words (an And whose parts
        are terms, or Ors of terms: each word in the search fields; other parts, such as a hyphenated word's
        phrase, are not checked, which can only let more through), found from the rarest word up: its
        documents are few, and each other word's postings are only skipped through to them, stopping when none
        is left. A sentence typed as a query rarely has a passage holding all its words, and Whoosh found that
        out by intersecting the words in a tree that pairs the commonest first: 450 ms for a sentence of 23
        words over the shared corpus, 34 ms at the median of the labelled and held-out queries, most of a
        hybrid search's time. Exact: it only says True when the intersection is empty. Shorter queries, and
        those whose rarest word is common too, are left to Whoosh."""
        if not isinstance(query, And):
            return False
        groups: list[list[tuple[str, Any]]] = []
        parts = list(query.subqueries)
        while parts:
            sub = parts.pop()
            if isinstance(sub, And):
                parts.extend(sub.subqueries)
                continue
            leaves = sub.subqueries if isinstance(sub, Or) else [sub]
            if all(type(leaf) is Term for leaf in leaves):  # others (phrases, ranges) are left out: the
                groups.append([(leaf.fieldname, leaf.text) for leaf in leaves])  # intersection only grows
        if len(groups) < CONJUNCTION_CHECK_FROM:
            return False
        reader = self._searcher.reader()
        sized = sorted(
            ((sum(reader.doc_frequency(f, t) for f, t in group), i) for i, group in enumerate(groups))
        )
        if sized[0][0] > CONJUNCTION_CHECK_MAX:
            return False
        rarest = groups[sized[0][1]]
        candidates = sorted(
            {d for f, t in rarest if reader.doc_frequency(f, t) for d in reader.postings(f, t).all_ids()}
        )
        if allow:
            candidates = [d for d in candidates if d in allow]
        for _, i in sized[1:]:
            if not candidates:
                break
            matchers = [reader.postings(f, t) for f, t in groups[i] if reader.doc_frequency(f, t)]
            kept = []
            for docnum in candidates:
                for m in matchers:
                    if m.is_active() and m.id() < docnum:
                        m.skip_to(docnum)
                    if m.is_active() and m.id() == docnum:
                        kept.append(docnum)
                        break
            candidates = kept
        return not candidates

    def filter_set(self, filter_q: Query) -> Any:
        """The document numbers `filter_q` lets through, kept per index version for the last few filters: most
        searches use the same one, and listing every passage it allows cost ~10 ms a search on 20,000."""
        key = repr(filter_q)
        found = self._filter_sets.get(key)
        if found is None:
            found = self._searcher._filter_to_comb(filter_q)  # Whoosh's own BitSet of the filter's documents
            if len(self._filter_sets) >= 16:
                self._filter_sets.pop(next(iter(self._filter_sets)))
            self._filter_sets[key] = found
        return found

    def value_terms(self, fieldname: str, values: tuple[str, ...]) -> list[Query]:
        return self._value_terms(fieldname, values)

    def _value_terms(self, fieldname: str, values: tuple[str, ...]) -> list[Query]:
        """Terms for filter values, matched to the index's spelling without regard to case or accents."""
        if not values:
            return []
        lexicon = self._lexicon(fieldname)
        terms: list[Query] = []
        for value in values:
            folded = _fold(value)
            matches = lexicon.get(folded) or [value]
            terms.append(Or([Term(fieldname, m) for m in matches]) if len(matches) > 1 else Term(fieldname, matches[0]))
        return terms

    def _lexicon(self, fieldname: str) -> dict[str, list[str]]:
        """Folded value → the spellings the index holds (built once per index version)."""
        table = self._lexicons.get(fieldname)
        if table is None:
            table = {}
            for term in self._searcher.lexicon(fieldname):
                value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                table.setdefault(_fold(value), []).append(value)
            self._lexicons[fieldname] = table
        return table

    def filter_query(self, filters: Filters) -> Query:
        """Passages that meet `filters`."""
        return And([Term("type", "passage"), *self.filter_parts(filters)])

    def filter_parts(self, filters: Filters) -> list[Query]:
        """What `filters` asks of a passage, beyond being one: a query per condition."""
        parts: list[Query] = []
        for fieldname, values in (("org", filters.orgs), ("place", filters.places), ("person", filters.persons)):
            parts.extend(self._value_terms(fieldname, values))
        if filters.kinds:
            parts.append(Or([Term("kind", k) for k in filters.kinds]))
        if filters.langs:
            parts.append(Or([Term("lang", k) for k in filters.langs]))
        for bound, name in (
            (filters.since, "since"), (filters.until, "until"),
            (filters.mentioned_since, "mentioned-since"), (filters.mentioned_until, "mentioned-until"),
        ):
            if bound is not None and not is_partial_iso(bound):
                raise QueryError(f"--{name} takes YYYY, YYYY-MM or YYYY-MM-DD, not {bound!r}")
        if filters.since:
            parts.append(NumericRange("date_hi", date_bounds(filters.since)[0], None))
        if filters.until:
            parts.append(NumericRange("date_lo", 1, date_bounds(filters.until)[1]))
        if filters.mentioned_since or filters.mentioned_until:
            # a passage qualifies when the first or last day of a date it names falls in the range
            low = date_bounds(filters.mentioned_since)[0] if filters.mentioned_since else 1
            high = date_bounds(filters.mentioned_until)[1] if filters.mentioned_until else 99991231
            parts.append(NumericRange("mentioned", low, high))
        excluded: list[Query] = []
        for fieldname, values in (
            ("org", filters.exclude_orgs), ("place", filters.exclude_places), ("person", filters.exclude_persons),
        ):
            excluded.extend(self._value_terms(fieldname, values))
        excluded.extend(Term("kind", k) for k in filters.exclude_kinds)
        excluded.extend(Term("lang", k) for k in filters.exclude_langs)
        if excluded:
            parts.append(Not(Or(excluded)))
        return parts

    def _facet_values(self, fieldname: str) -> list[list[str]]:
        """For every document number, its values in a facet field (built once per index version)."""
        cached = self._facet_lists.get(fieldname)
        if cached is not None:
            return cached
        reader = self._searcher.reader()
        lists: list[list[str]] = [[] for _ in range(reader.doc_count_all())]
        for value, docnums in term_docnums(reader, fieldname):
            for docnum in docnums:
                lists[docnum].append(value)
        self._facet_lists[fieldname] = lists
        return lists

    def facets(self, docnums: set[int] | list[int], top: int = 30) -> dict[str, tuple[FacetValue, ...]]:
        out: dict[str, tuple[FacetValue, ...]] = {}
        for fieldname in FACET_FIELDS:
            lists = self._facet_values(fieldname)
            counts: Counter[str] = Counter()
            for docnum in docnums:
                counts.update(lists[docnum])
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            by_year = fieldname in ("year", "mentioned_year")
            if by_year:
                ordered = sorted(counts.items())
            out[fieldname] = tuple(FacetValue(v, n) for v, n in ordered[: None if by_year else top])
        return out

    def search(
        self,
        text: str,
        filters: Filters = Filters(),
        limit: int = 10,
        offset: int = 0,
        sort: str = "relevance",
        with_facets: bool = True,
        mode: str | None = None,
        with_snippets: bool = True,
    ) -> SearchResult:
        """Passages for `text`; `mode` keyword, semantic or hybrid (default: `default_mode()`). A semantic or
        hybrid search sorted by date, or on an index without vectors, runs as keyword search.
        `with_snippets=False`: hits carry no snippet (""), only their text: a caller that shows none, or makes
        its own, does not pay for highlighting, nor for the escaped lead shown when nothing is highlighted."""
        mode = mode or self.default_mode()
        if mode not in ("keyword", "semantic", "hybrid"):
            raise QueryError(f"mode is keyword, semantic or hybrid, not {mode!r}")
        if mode != "keyword" and sort == "relevance" and text.strip() and self.semantic() is not None:
            from index.semantic import semantic_search

            return semantic_search(self, text, filters, limit, offset, mode, with_facets)  # type: ignore[arg-type]
        t0 = time.perf_counter()
        query, fallback = self.parse(text)
        filter_q = self.filter_query(filters)
        results, docnums = self.collect(query, filter_q, offset + limit, "date_lo" if sort == "date" else None)
        results.fragmenter = self._highlighter.fragmenter
        results.formatter = self._highlighter.formatter
        hits = tuple(self._hit(h, with_snippets) for h in list(results)[offset : offset + limit])
        total = len(docnums)  # the matches themselves, not len(results), which counts what the filter removed
        facets: dict[str, tuple[FacetValue, ...]] = {}
        if with_facets:
            facets = self.facets(docnums)
        took = (time.perf_counter() - t0) * 1000
        return SearchResult(text, total, round(took, 1), hits, facets, str(query), fallback, mode="keyword")

    def _hit(self, hit: Any, with_snippet: bool = True) -> Hit:
        stored = hit.fields()
        text = stored.get("content", "")
        if not with_snippet:
            return hit_from_stored(stored, float(hit.score or 0.0), "")
        # Highlight with the stemmed field of the passage's language first, so "expulsion" marks "expulsions".
        lang = "fr" if stored.get("lang") == "fr" else "en"
        stemmed = f"content_{lang}"
        hit.results.fragmenter = self._fragmenters[lang]
        snippet = (
            hit.highlights(stemmed, text=text, top=2)
            or hit.highlights("content", text=text, top=2)
            or html.escape(_lead(text))
        )
        return hit_from_stored(stored, float(hit.score or 0.0), snippet)

    def hit_from_stored(self, stored: dict[str, Any], snippet: str | None = None, score: float = 0.0) -> Hit:
        """A hit from a passage's stored fields (a passage found by meaning has no marked words)."""
        lead = html.escape(_lead(stored.get("content", "")))
        return hit_from_stored(stored, score, lead if snippet is None else snippet)

    # -- documents and entities
    def document(self, doc_id: str) -> dict[str, Any] | None:
        """The stored record of a document: metadata, text, pages, footnotes, mentions."""
        found = self._searcher.document(id=f"doc:{doc_id}")
        if not found:
            prefix = [d for d in self._searcher.documents(type="document") if d["doc_id"].startswith(doc_id)]
            found = prefix[0] if len(prefix) == 1 else None
        return json.loads(found["payload"]) if found else None

    def documents(self) -> list[dict[str, Any]]:
        """Every document's metadata (without its text)."""
        out = []
        for stored in self._searcher.documents(type="document"):
            record = json.loads(stored["payload"])
            doc = record["document"]
            doc.pop("text", None)
            doc.pop("page_spans", None)
            out.append(doc)
        return out

    def failures(self) -> list[dict[str, Any]]:
        return [json.loads(s["payload"]) for s in self._searcher.documents(type="failure")]

    def entities(self, label: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Entities with how many passages mention them and in how many documents."""
        fields = {"ORG": "org", "PLACE": "place", "PERSON": "person", "DATE": "dates"}
        wanted = [label] if label else list(fields)
        reader = self._searcher.reader()
        stored_doc = self._doc_ids()
        registry = {s["id"]: json.loads(s["payload"]) for s in self._searcher.documents(type="entity")}
        passages = set(self._searcher.docs_for_query(Term("type", "passage")))
        out: list[dict[str, Any]] = []
        for lab in wanted:
            by_value: dict[str, list[int]] = {}
            for value, docnums in term_docnums(reader, fields[lab]):
                by_value.setdefault(value, []).extend(i for i in docnums if i in passages)
            for value, ids in by_value.items():
                if not ids:  # a term left in the lexicon by replaced passages, until segments merge
                    continue
                docs = {stored_doc[i] for i in ids if i in stored_doc}
                aliases = registry.get(f"entity:{lab}:{fold(value)}", {}).get("aliases", [])
                out.append({"label": lab, "name": value, "aliases": aliases, "count": len(ids), "documents": len(docs)})
        out.sort(key=lambda e: (-e["count"], e["name"]))
        return out[:limit]

    def _doc_ids(self) -> dict[int, str]:
        cached = self._facet_lists.get("doc_ids")
        if cached is None:
            reader = self._searcher.reader()
            cached = [[""] for _ in range(reader.doc_count_all())]
            for docnum, stored in reader.iter_docs():
                cached[docnum] = [stored.get("doc_id", "")]
            self._facet_lists["doc_ids"] = cached
        return {i: v[0] for i, v in enumerate(cached) if v[0]}

    def stats(self) -> dict[str, int]:
        """How many documents, passages and failures the index holds (counted once per index version: the UI
        asks on every run, and counting 20,000 passages took a sixth of a search's run)."""
        if self._stats is None:
            # doc_frequency counts deleted documents until segments merge; matching skips them.
            self._stats = {
                name: sum(1 for _ in self._searcher.docs_for_query(Term("type", kind)))
                for name, kind in (("documents", "document"), ("passages", "passage"), ("failures", "failure"))
            }
        return dict(self._stats)


def plain_query(text: str) -> tuple[list[str], bool] | None:
    """The words of `text` when it is plain words or one quoted phrase of them, and whether it is the phrase;
    else None. Both engines' searchers take these without Whoosh's parser (`Searcher.parse`, and Tantivy's own
    parser in `TantivySearcher._plain`)."""
    words = plain_words(text)
    if words is not None:
        return words, False
    phrase = _PLAIN_PHRASE.fullmatch(text)
    return (phrase.group(1).split(), True) if phrase else None


def term_docnums(reader: Any, fieldname: str) -> Iterator[tuple[str, Sequence[int]]]:
    """Each term of a field with the live documents holding it, segment by segment (a value held in two
    segments comes twice). A term of one document, as most names and every id are, is read from its term
    info (its first document number) instead of opening its postings: the walk over a field's terms that
    facet lists and the vector rows' document numbers need went from ~2.4 s to ~0.2 s for the id field
    of the whole shared corpus (48,337 terms), most of a cold `temoin search`."""
    if fieldname not in reader.indexed_field_names():
        return
    for segment, offset in reader.leaf_readers():
        deleted = segment.deleted_docs_set if segment.has_deletions() else frozenset()
        for term, info in segment.iter_field(fieldname):
            value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
            if info.doc_frequency() == 1:
                docnum = info.min_id()
                if docnum not in deleted:
                    yield value, (offset + docnum,)
            else:  # postings leave deleted documents out
                yield value, [offset + d for d in segment.postings(fieldname, term).all_ids()]


def plain_words(text: str) -> list[str] | None:
    """The words of `text` when it is plain words (letters and digits, no operator, no syntax), else None."""
    if _PLAIN_WORDS.fullmatch(text):
        words = text.split()
        if not _OPERATORS.intersection(words):
            return words
    return None


def hit_from_stored(stored: dict[str, Any], score: float, snippet: str) -> Hit:
    """A hit from a record's stored fields (the same dict for every engine). Positional, in `Hit`'s order:
    every search builds up to ten, at 2.6 µs each (keyword arguments: +1 µs; a frozen Hit: +3)."""
    get = stored.get
    return Hit(
        stored["doc_id"], get("title", ""), get("source", ""), get("kind", ""), get("lang", ""), get("date"),
        get("page"), stored["id"], round(score, 4), get("content", ""), snippet,
        _split(get("org")), _split(get("place")), _split(get("person")), _split(get("dates")),
        get("publisher"), get("section", "body"), get("start", 0), get("end", 0),
        tuple(get("footnotes") or ()), bool(get("ocr")), get("ocr_confidence"),
    )


def _lead(text: str, chars: int = 300) -> str:
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"


def _malformed(text: str) -> bool:
    """Syntax a person got wrong: an open quote or parenthesis, an operator or field name with nothing after."""
    if text.count('"') % 2 or text.count("(") != text.count(")"):
        return True
    stripped = text.strip()
    return bool(re.search(r"(?:\b(?:AND|OR|NOT)|:)$", stripped) or re.match(r"^(?:AND|OR)\b", stripped))


def _has_error(query: Query) -> bool:
    from whoosh.qparser.syntax import ErrorNode  # noqa: F401 - parse errors surface as error queries

    name = type(query).__name__
    if name in {"ErrorQuery"}:
        return True
    return any(_has_error(q) for q in query.children()) if hasattr(query, "children") else False
