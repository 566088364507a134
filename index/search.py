"""Query → typed results: hits with highlighted snippets, filters, facets. The only place that parses queries.

Query syntax is Whoosh's: words (all must match), "phrases", AND/OR/NOT, field:value (title:, org:, place:,
person:, kind:, lang:, year:). A query the parser cannot read falls back to a plain word search.

`Searcher` holds the open index and what it caches per index version; the parts it puts together live beside
it: the typed values in index/results.py, snippets in index/snippets.py, filter queries and facet counts in
index/filters.py, and the reads below Whoosh's query layer in index/postings.py.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

from whoosh import collectors, highlight
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.query import And, Every, NullQuery, Or, Phrase, Query, Term

from index.filters import count_facets, filter_parts, spellings, value_terms
from index.postings import TopAndMatches, cannot_match, docnum_values, term_docnums
from index.proximity import WINDOW as PROXIMITY_WINDOW
from index.proximity import phrase_tokens, words_as_written_first
from index.results import FacetValue, Filters, Hit, QueryError, SearchResult, hit_from_stored
from index.schema import open_index, retry_on_commit
from index.snippets import MarkFormatter, WordsFragmenter, function_words, lead
from ingest.gazetteer import fold

SEARCH_FIELDS = ("title", "content", "content_en", "content_fr")
_FIELD_ALIASES = {"organisation": "org", "organization": "org", "language": "lang"}
_PLAIN_WORDS = re.compile(r"\s*[^\W_]+(?:\s+[^\W_]+)*\s*")  # letters and digits only: no syntax
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})  # words the parser reads as syntax
_PLAIN_PHRASE = re.compile(r'\s*"(\s*[^\W_]+(?:\s+[^\W_]+)*\s*)"\s*')  # one quoted phrase, nothing else


class Searcher:
    """An open index for searching; reuse it across searches (it caches facet values per index version)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        def opened() -> tuple[Any, Any, Any]:
            ix = open_index(path)
            return ix, ix.schema, ix.searcher()

        self.ix, self.schema, self._searcher = retry_on_commit(opened)
        self._parser = MultifieldParser(list(SEARCH_FIELDS), self.schema, group=AndGroup)  # built once: ~0.5 ms
        self._facet_lists: dict[str, list[list[str]]] = {}
        self._lexicons: dict[str, dict[str, list[str]]] = {}
        self._filter_sets: dict[str, Any] = {}
        self._stats: dict[str, int] | None = None
        self._highlighter = highlight.Highlighter(
            fragmenter=highlight.ContextFragmenter(maxchars=320, surround=80),
            formatter=MarkFormatter(),
        )
        self._fragmenters = {  # one per language of passages (index/schema.py stems English and French)
            lang: WordsFragmenter(function_words(self.schema, lang), maxchars=320, surround=80) for lang in ("en", "fr")
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
            self._searcher = retry_on_commit(self.ix.searcher)
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

    def match(
        self, query: Query, filter_q: Query, limit: int | None, words: str | None = None
    ) -> tuple[int, list[tuple[float, dict[str, Any]]]]:
        """How many records match `query` within `filter_q`, and the best `limit` (all when None) as (score,
        stored fields); the filter does not change scores. `words`: as `collect`'s."""
        wanted = limit or max(1, self._searcher.doc_count_all())
        results, matched = self.collect(query, filter_q, wanted, words=words)
        return len(matched), [(float(h.score or 0.0), dict(h.fields())) for h in results]

    def collect(
        self, query: Query, filter_q: Query, limit: int, sortedby: str | None = None, words: str | None = None
    ) -> tuple[Any, set[int]]:
        """Whoosh's results for `query` within `filter_q` (the best `limit`, or the newest by `sortedby`, with
        matched terms for highlights), and the numbers of every document they matched: one pass over the
        matches serves the page, the total and the facets. `words`, the query as typed: when it is plain
        words, the best results holding them as written come first (index/proximity.py)."""
        tokens = phrase_tokens(self.schema, words) if words and not sortedby else None
        if tokens:
            limit = max(limit, PROXIMITY_WINDOW)
        inner: Any = (
            collectors.SortingCollector(sortedby, limit=limit, reverse=True) if sortedby else TopAndMatches(limit)
        )
        results = self._filtered(query, filter_q, inner)
        results.as_written = (
            words_as_written_first(self._searcher.reader(), results, tokens) if tokens else set()
        )
        return results, inner.docset

    def collect_top(self, query: Query, filter_q: Query, limit: int) -> Any:
        """Whoosh's best `limit` results for `query` within `filter_q`, with matched terms for highlights, and
        no more: Whoosh may skip the blocks that cannot reach the top (no total, no facets)."""
        return self._filtered(query, filter_q, collectors.TopCollector(limit))

    def _filtered(self, query: Query, filter_q: Query, inner: Any) -> Any:
        """`inner`'s results for `query` within `filter_q` (its kept set), with matched terms."""
        allow = self.filter_set(filter_q)
        if cannot_match(self._searcher.reader(), query, allow):
            query = NullQuery  # the same empty results, without Whoosh's walk through the words' postings
        # An empty set would read as "no filter" to Whoosh: then the query itself filters (to nothing).
        wrapped = collectors.FilterCollector(collectors.TermsCollector(inner), allow if allow else filter_q)
        self._searcher.search_with_collector(query, wrapped)
        return wrapped.results()

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
        """Terms for filter values, matched to the index's spelling without regard to case or accents."""
        return value_terms(fieldname, values, self._lexicon(fieldname)) if values else []

    def _lexicon(self, fieldname: str) -> dict[str, list[str]]:
        """Folded value → the spellings the index holds (built once per index version)."""
        table = self._lexicons.get(fieldname)
        if table is None:
            table = self._lexicons[fieldname] = spellings(self._searcher.lexicon(fieldname))
        return table

    def filter_query(self, filters: Filters) -> Query:
        """Passages that meet `filters`."""
        return And([Term("type", "passage"), *self.filter_parts(filters)])

    def filter_parts(self, filters: Filters) -> list[Query]:
        """What `filters` asks of a passage, beyond being one: a query per condition (index/filters.py)."""
        return filter_parts(filters, self.value_terms)

    def _facet_values(self, fieldname: str) -> list[list[str]]:
        """For every document number, its values in a facet field (built once per index version)."""
        cached = self._facet_lists.get(fieldname)
        if cached is None:
            cached = self._facet_lists[fieldname] = docnum_values(self._searcher.reader(), fieldname)
        return cached

    def facets(self, docnums: set[int] | list[int], top: int = 30) -> dict[str, tuple[FacetValue, ...]]:
        """The facet fields' values among `docnums` with their counts (index/filters.py `count_facets`)."""
        return count_facets(self._facet_values, docnums, top)

    def search(
        self,
        text: str,
        filters: Filters = Filters(),  # noqa: B008 - frozen (index/results.py): one shared default is safe
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
        by_date = "date_lo" if sort == "date" else None
        results, docnums = self.collect(query, filter_q, offset + limit, by_date, text)
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
            or html.escape(lead(text))
        )
        return hit_from_stored(stored, float(hit.score or 0.0), snippet)

    def hit_from_stored(self, stored: dict[str, Any], snippet: str | None = None, score: float = 0.0) -> Hit:
        """A hit from a passage's stored fields (a passage found by meaning has no marked words)."""
        plain = html.escape(lead(stored.get("content", "")))
        return hit_from_stored(stored, score, plain if snippet is None else snippet)

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


def plain_words(text: str) -> list[str] | None:
    """The words of `text` when it is plain words (letters and digits, no operator, no syntax), else None."""
    if _PLAIN_WORDS.fullmatch(text):
        words = text.split()
        if not OPERATORS.intersection(words):
            return words
    return None


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
