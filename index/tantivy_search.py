"""The Tantivy engine's searcher: the same queries, filters, facets, snippets and records as index/search.py.

Queries and filters are built by `Searcher` (index/search.py, the one place that parses queries) as Whoosh
query trees and compiled to Tantivy (index/tantivy_query.py); facets are Tantivy terms aggregations over
fast columns; snippets come from Tantivy's SnippetGenerator on the stemmed field of the passage's language,
then on the folded one, as Whoosh's highlighter is asked. What differs from Whoosh is said where it is done.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import tantivy
from whoosh.qparser import AndGroup, MultifieldParser
from whoosh.query import And, Phrase, Query

from ingest.gazetteer import fold
from index.results import FacetValue, Filters, Hit, QueryError, SearchResult, hit_from_stored
from index.schema import FACET_FIELDS, fold_value
from index.search import SEARCH_FIELDS, Searcher, plain_query
from index import tantivy_facets
from index.snippets import lead
from index.tantivy_query import Unsupported, ascii_folder, compile_query, parsing_schema
from index.tantivy_schema import open_tantivy, stored_fields

# Words whose letters each stay one letter through lowercasing and folding: one token per word, as the
# tree gives (Tantivy's parser makes a phrase of a word that splits in two, the tree an OR of its parts).
_LATIN_WORDS = re.compile(r"[\sA-Za-z0-9À-ÖØ-öø-ÿŒœ]+")
CACHE_SIZE = 64  # searches whose facets, and filter sets whose compiled query, are kept per index version


class TantivySearcher(Searcher):
    """An open Tantivy index for searching; the same public methods as the Whoosh `Searcher`."""

    def __init__(self, path: Path, cache_size: int = CACHE_SIZE) -> None:  # noqa: D107 - no Whoosh index opened
        self.path = path
        # A UI runs the same search again on every click (next page, sort, a widget): its facets, counted
        # over every match, and its compiled filters are kept until the index changes (0: no cache).
        self.cache_size = cache_size
        self._facet_cache: OrderedDict[tuple[str, Filters], dict[str, tuple[FacetValue, ...]]] = OrderedDict()
        self._filter_cache: OrderedDict[Filters, list[tuple[tantivy.Occur, tantivy.Query]]] = OrderedDict()
        self.ix = open_tantivy(path)
        self.schema = parsing_schema()  # Whoosh's, for the query parser only, analysing as the Tantivy index
        self._parser = MultifieldParser(list(SEARCH_FIELDS), self.schema, group=AndGroup)
        self.tschema = self.ix.schema
        self._fields = set(self.schema.names())
        self._fold = ascii_folder()
        self._searcher = self.ix.searcher()
        self._generation = self.generation()
        self._lexicons: dict[str, dict[str, list[str]]] = {}
        self._terms: dict[str, list[str]] = {}
        self._facet_lists = {}
        self._semantic: Any = None  # vectors sit beside Whoosh indexes only: keyword search here
        self.semantic_note: str | None = "semantic search needs an index built with the Whoosh engine"
        self._encoder: Any = None
        self._pool: ThreadPoolExecutor | None = None  # made on the first search big enough to count beside it

    # -- lifecycle
    def refresh(self) -> None:
        generation = self.generation()
        if generation != self._generation:
            self.ix.reload()
            self._searcher = self.ix.searcher()
            self._generation = generation
            self._lexicons = {}
            self._terms = {}
            self._facet_cache.clear()
            self._filter_cache.clear()

    def close(self) -> None:
        self._lexicons = {}
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    def generation(self) -> int:
        try:
            return int(json.loads((self.path / "meta.json").read_text())["opstamp"])
        except (OSError, ValueError, KeyError):
            return 0

    def raw(self) -> Any:
        return self._searcher

    # -- the engine-neutral primitives
    def compile(self, query: Query) -> tantivy.Query:
        try:
            return compile_query(query, self.tschema, self._fields, self._field_terms, self._fold)
        except Unsupported as exc:
            raise QueryError(f"the tantivy engine cannot search {exc}") from None
        except ValueError as exc:  # a pattern Tantivy's regex engine refuses, say
            raise QueryError(f"query not understood: {exc}") from None

    def _filtered(self, query: Query, filter_q: Query) -> tuple[tantivy.Query, tantivy.Query]:
        main = self.compile(query)
        selected = tantivy.Query.const_score_query(self.compile(filter_q), 0.0)
        return main, _within(main, [(tantivy.Occur.Must, selected)])

    def _filter(self, filters: Filters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """The compiled filter for `filters`, as clauses to join to a search: they select and do not score, as
        Whoosh's `filter=`. "A passage" is said by leaving out the index's other records (documents, quotes,
        citations, entities: a few short lists), not by requiring `type:passage`, a list as long as the index
        that a broad search would walk beside its own: at 1M passages a one-word search matching 40-70% of
        them took 19-26 ms instead of 14-18 (bench/scale.py's index), with the same hits and counts."""
        compiled = _recall(self._filter_cache, filters)
        if compiled is None:
            parts = self.filter_parts(filters)
            compiled = [
                (tantivy.Occur.MustNot, tantivy.Query.term_query(self.tschema, "type", kind))
                for kind in self._field_terms("type") if kind != "passage"
            ]
            if parts:
                selected = tantivy.Query.const_score_query(self.compile(And(parts)), 0.0)
                compiled.append((tantivy.Occur.Must, selected))
            _keep(self._filter_cache, filters, compiled, self.cache_size)
        return compiled

    def stored(self, kind: str) -> list[dict[str, Any]]:
        query = tantivy.Query.const_score_query(tantivy.Query.term_query(self.tschema, "type", kind), 1.0)
        return [stored for _score, stored in self._all(query)]

    def _all(self, query: tantivy.Query, limit: int | None = None) -> list[tuple[float, dict[str, Any]]]:
        count = self._searcher.search(query, 1, count=True).count
        wanted = count if limit is None else min(limit, count)
        if not wanted:
            return []
        hits = self._searcher.search(query, wanted, count=False).hits
        return [(float(score), stored_fields(self._searcher.doc(address))) for score, address in hits]

    def match(
        self, query: Query, filter_q: Query, limit: int | None, words: str | None = None
    ) -> tuple[int, list[tuple[float, dict[str, Any]]]]:
        """As `Searcher.match`, in BM25 order: `words` is not used (the words-as-written step is Whoosh's)."""
        _main, full = self._filtered(query, filter_q)
        total = self._searcher.search(full, 1, count=True).count
        return total, self._all(full, limit)

    def _field_terms(self, fieldname: str) -> list[str]:
        """Every value an identifier or keyword field holds (including, until segments merge, deleted ones,
        as Whoosh's lexicon)."""
        cached = self._terms.get(fieldname)
        if cached is None:
            cached = [str(t[0]) if isinstance(t, tuple) else str(t) for t in self._searcher.terms_with_prefix(fieldname, "")]
            self._terms[fieldname] = cached
        return cached

    def _lexicon(self, fieldname: str) -> dict[str, list[str]]:
        table = self._lexicons.get(fieldname)
        if table is None:
            table = {}
            for value in self._field_terms(fieldname):
                table.setdefault(fold_value(value), []).append(value)
            self._lexicons[fieldname] = table
        return table

    # -- search
    def facet_counts(
        self, query: tantivy.Query, matches: int, top: int = 30, counted: dict[str, Any] | None = None
    ) -> dict[str, tuple[FacetValue, ...]]:
        """Counts per value of every facet field over the matches (index/tantivy_facets.py `facet_counts`)."""
        return tantivy_facets.facet_counts(self._aggregate, query, matches, top, counted)

    def start_facets(
        self, query: tantivy.Query, top: int = 30, phrase: bool = False
    ) -> Callable[[], dict[str, Any]] | None:
        """On a big index, begin counting the facets of `query` on this searcher's threads and give what waits
        for them (index/tantivy_facets.py `start_facets`); None where they are counted after the search."""
        if self._searcher.num_docs < tantivy_facets.PARALLEL_RECORDS:
            return None
        if self._pool is None:
            self._pool = tantivy_facets.facet_pool()
        if self._pool is None:
            return None
        return tantivy_facets.start_facets(self._aggregate, self._pool, query, top, phrase)

    def _aggregate(self, query: tantivy.Query, sizes: dict[str, int]) -> dict[str, Any]:
        return tantivy_facets.aggregate(self._searcher, query, sizes)

    def semantic(self) -> Any:
        """None: a Tantivy index has no vectors beside it (index/vectors.py keys rows by Whoosh numbers)."""
        return None

    def default_mode(self) -> str:
        return "keyword"

    def search(
        self,
        text: str,
        filters: Filters = Filters(),
        limit: int = 10,
        offset: int = 0,
        sort: str = "relevance",
        with_facets: bool = True,
        with_snippets: bool = True,
        mode: str | None = None,
    ) -> SearchResult:
        """Passages for `text`, as `Searcher.search`; keyword search only (vectors sit beside Whoosh indexes)."""
        if mode not in (None, "keyword", "semantic", "hybrid"):
            raise QueryError(f"mode is keyword, semantic or hybrid, not {mode!r}")
        t0 = time.perf_counter()
        native = self._plain(text)
        if native is not None:
            parsed, main = native
            fallback, key = False, (f"tantivy:{parsed}", filters)
            phrase = parsed.startswith('"')
        else:
            query, fallback = self.parse(text)
            main = self.compile(query)
            parsed, key = str(query), (repr(query), filters)
            phrase = any(isinstance(leaf, Phrase) for leaf in query.leaves())
        full = _within(main, self._filter(filters))
        cached = _recall(self._facet_cache, key) if with_facets else None
        counting = self.start_facets(full, phrase=phrase) if with_facets and cached is None else None
        if sort == "date":
            # Whoosh sorts on the same value; among equal dates each engine keeps its own order.
            found = self._searcher.search(
                full, max(limit, 1), count=True, offset=offset, order_by_field="date_lo", order=tantivy.Order.Desc
            )
            scored = [(0.0, address) for _value, address in found.hits]
        else:
            found = self._searcher.search(full, max(limit, 1), count=True, offset=offset)
            scored = [(float(score), address) for score, address in found.hits]
        generators: dict[str, tantivy.SnippetGenerator] = {}  # one per field and search: it weighs the query's terms
        hits = tuple(
            self._hit(stored_fields(self._searcher.doc(a)), s, main if with_snippets else None, generators)
            for s, a in scored[:limit]
        )
        facets: dict[str, tuple[FacetValue, ...]] = {}
        if with_facets and not found.count:
            facets = {f: () for f in FACET_FIELDS}
        elif with_facets:
            if cached is None:
                cached = self.facet_counts(full, found.count, counted=counting() if counting else None)
                _keep(self._facet_cache, key, cached, self.cache_size)
            facets = dict(cached)
        took = (time.perf_counter() - t0) * 1000
        return SearchResult(text, int(found.count), round(took, 1), hits, facets, parsed, fallback)

    def _plain(self, text: str) -> tuple[str, tantivy.Query] | None:
        """Plain words (most searches), or one quoted phrase of them, as Tantivy's own parser reads them: each
        word required (or the words in a row), in any search field, analysed as that field was indexed; the
        title weighs 1.5, as Whoosh's `field_boost`. The same terms as parsing into Whoosh's tree and compiling
        it (`TantivyAnalysis`), in 0.03 ms instead of 0.12 for words (0.15 for a phrase), of a plain search's
        ~0.4 ms at 10,000 passages. None for any other query, or one the parser refuses."""
        plain = plain_query(text)
        if plain is None or not _LATIN_WORDS.fullmatch(text.replace('"', " ")):
            return None  # a letter outside Latin-1 and œ (İ, ³, ﬁ) may split a word in two: the tree's way then
        words, phrase = plain
        parsed = '"' + " ".join(words) + '"' if phrase else " ".join(f"+{w}" for w in words)
        try:
            return parsed, self.ix.parse_query(parsed, list(SEARCH_FIELDS), {"title": 1.5})
        except ValueError:
            return None

    def _hit(  # type: ignore[override]
        self, stored: dict[str, Any], score: float, query: tantivy.Query | None,
        generators: dict[str, tantivy.SnippetGenerator],
    ) -> Hit:
        if query is None:  # no snippets asked for
            return hit_from_stored(stored, score, "")
        text = stored.get("content", "")
        stemmed = "content_fr" if stored.get("lang") == "fr" else "content_en"
        snippet = self._snippet(query, stemmed, text, generators) or self._snippet(query, "content", text, generators)
        return hit_from_stored(stored, score, snippet or html.escape(lead(text)))

    def _snippet(
        self, query: tantivy.Query, fieldname: str, text: str, generators: dict[str, tantivy.SnippetGenerator]
    ) -> str:
        """The best passage of ~320 characters around the query's words in `fieldname`, matches in <mark>.
        Tantivy gives one fragment where Whoosh gives up to two, joined by an ellipsis."""
        generator = generators.get(fieldname)
        if generator is None:
            generator = generators[fieldname] = tantivy.SnippetGenerator.create(
                self._searcher, query, self.tschema, fieldname
            )
            generator.set_max_num_chars(320)
        snippet = generator.snippet_from_doc(tantivy.Document(**{fieldname: [text]}))
        if not snippet.highlighted():
            return ""
        # Tantivy's HTML escapes the text as html.escape does (quotes too), so the only <b> tags left are its
        # marks: 2 µs a hit instead of 8 for cutting the fragment at the ranges in Python.
        return snippet.to_html().replace("<b>", "<mark>").replace("</b>", "</mark>")

    # -- documents and entities
    def _one(self, query: tantivy.Query) -> list[dict[str, Any]]:
        return [stored for _score, stored in self._all(query, 2)]

    def document(self, doc_id: str) -> dict[str, Any] | None:
        found = self._one(tantivy.Query.term_query(self.tschema, "id", f"doc:{doc_id}"))
        if not found:
            prefix = [d for d in self.stored("document") if d["doc_id"].startswith(doc_id)]
            found = prefix[:1] if len(prefix) == 1 else []
        return json.loads(found[0]["payload"]) if found else None

    def documents(self) -> list[dict[str, Any]]:
        out = []
        for stored in self.stored("document"):
            doc = json.loads(stored["payload"])["document"]
            doc.pop("text", None)
            doc.pop("page_spans", None)
            out.append(doc)
        return out

    def failures(self) -> list[dict[str, Any]]:
        return [json.loads(s["payload"]) for s in self.stored("failure")]

    def entities(self, label: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Entities with how many passages mention them and in how many documents; unlike Whoosh, a name no
        passage mentions (only a quote, say) is not listed with a count of 0."""
        fields = {"ORG": "org", "PLACE": "place", "PERSON": "person", "DATE": "dates"}
        wanted = [label] if label else list(fields)
        registry = {s["id"]: json.loads(s["payload"]) for s in self.stored("entity")}
        passages = tantivy.Query.term_query(self.tschema, "type", "passage")
        every = {"size": tantivy_facets.ALL, "segment_size": tantivy_facets.ALL}
        spec = {
            fields[lab]: {"terms": {"field": fields[lab], **every}, "aggs": {"docs": {"terms": {"field": "doc_id", **every}}}}
            for lab in wanted
        }
        result = self._searcher.aggregate(passages, spec)
        out: list[dict[str, Any]] = []
        for lab in wanted:
            for bucket in result[fields[lab]]["buckets"]:
                value = str(bucket["key"])
                aliases = registry.get(f"entity:{lab}:{fold(value)}", {}).get("aliases", [])
                out.append({
                    "label": lab, "name": value, "aliases": aliases, "count": int(bucket["doc_count"]),
                    "documents": len(bucket["docs"]["buckets"]),
                })
        out.sort(key=lambda e: (-e["count"], e["name"]))
        return out[:limit]

    def stats(self) -> dict[str, int]:
        return {
            name: self._searcher.search(tantivy.Query.term_query(self.tschema, "type", kind), 1, count=True).count
            for name, kind in (("documents", "document"), ("passages", "passage"), ("failures", "failure"))
        }


def _within(main: tantivy.Query, compiled_filter: list[tuple[tantivy.Occur, tantivy.Query]]) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, main), *compiled_filter])


def _recall(cache: OrderedDict[Any, Any], key: Any) -> Any:
    value = cache.get(key)
    if value is not None:
        cache.move_to_end(key)
    return value


def _keep(cache: OrderedDict[Any, Any], key: Any, value: Any, size: int) -> None:
    """Remember `value`, forgetting the least recently used entries beyond `size`."""
    if size > 0:
        cache[key] = value
        while len(cache) > size:
            cache.popitem(last=False)
