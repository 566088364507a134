"""Semantic and hybrid search over an index: the vectors beside it, the encoder for queries, and the link
between vector rows and Whoosh documents, so that every mode obeys the same filters and gives the same facets.

The writer side (`attach_vectors`) gives an `IndexWriter` a `VectorWriter` and mends a store a crash or a
keyword-only ingest left behind. The search side (`SemanticSide`) is built once per open index by `Searcher`
and serves `semantic_search` (passages), `fused_docnums` (any Whoosh record type: testimonies use it), and
index/similar.py ("more like this" and corroboration).
"""

from __future__ import annotations

import dataclasses
import html
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh.query import Query, Term

from index.ann import ANN_MIN_ROWS
from index.hybrid import (
    DEPTH, PARTIAL_WEIGHT, FusedHit, Mode, exact_query, other_language_places, rank, weight_for,
)
from index.vector_writer import VectorWriter, sync_vectors
from index.vectors import (
    VectorIndex,
    chance_similarity,
    open_vectors,
    unit_id,
    vectors_dir,
)

if TYPE_CHECKING:
    from index.search import Filters, Searcher, SearchResult
    from index.writer import IndexWriter
    from ingest.embed import Encoder

MODES: tuple[Mode, ...] = ("keyword", "semantic", "hybrid")


# ------------------------------------------------------------------ writing


def attach_vectors(
    writer: IndexWriter, encoder: Encoder, say: Callable[[str], None] | None = None, ann_min_rows: int = ANN_MIN_ROWS
) -> VectorWriter:
    """Give `writer` a vector store for `encoder`, in step with what Whoosh has committed: sources whose vectors
    are missing or stale (an index built before embeddings were on, a crash between the two commits, another
    encoder before) are embedded from their stored text first, here, and committed; so is the approximate
    index, when past `ann_min_rows` rows it is missing or out of step (index/ann.py)."""
    from ingest.embed import embed_units

    vectors = VectorWriter(writer.path, encoder.name, encoder.dim, ann_min_rows)
    generation = writer.ix.latest_generation()
    if vectors.generation != generation or vectors.ann_stale():
        searcher = writer.ix.searcher()
        try:
            report = sync_vectors(searcher, vectors, lambda ids, texts: embed_units(encoder, ids, texts), generation)
        finally:
            searcher.close()
        if say is not None and report.embedded_sources:
            say(f"embedded {report.embedded_rows} passages and quotes of {report.embedded_sources} documents "
                f"already in the index ({encoder.name})")
    writer.vectors = vectors
    return vectors


def start_embeddings(
    writer: IndexWriter, setting: str, say: Callable[[str], None], ann_min_rows: int = ANN_MIN_ROWS
) -> Encoder | None:
    """The encoder an ingest embeds with (the `encoder` setting), attached to `writer`; None, said once
    through `say`, when the setting is "off" or the encoder's package is missing: the ingest is keyword only."""
    from ingest.embed import encoder_from_setting

    encoder, note = encoder_from_setting(setting)
    if encoder is None:
        say(note or "no embeddings")
        return None
    attach_vectors(writer, encoder, say, ann_min_rows)
    return encoder


# ------------------------------------------------------------------ searching


class SemanticSide:
    """The committed vectors of an index and the encoder of its queries, with each row's Whoosh document
    number (built once per Whoosh searcher: a replaced passage keeps its id but not its number)."""

    def __init__(self, store: VectorIndex, encoder: Encoder) -> None:
        self.store = store
        self.encoder = encoder
        self._docnums: tuple[Any, np.ndarray] | None = None
        self._query_cache: dict[str, np.ndarray] = {}
        self._units: set[str] | None = None
        self._masks: dict[tuple[int, str], np.ndarray] = {}

    def query_vector(self, text: str) -> np.ndarray:
        from ingest.embed import embed

        cached = self._query_cache.get(text)
        if cached is None:
            if len(self._query_cache) > 256:
                self._query_cache.clear()
            cached = self._query_cache[text] = embed(self.encoder, [text], query=True)[0]
        return cached

    def docnums(self, raw: Any) -> np.ndarray:
        """Row -> live Whoosh document number (-1 for a row Whoosh no longer holds: a store behind the index)."""
        if self._docnums is not None and self._docnums[0] is raw:
            return self._docnums[1]
        from index.search import term_docnums

        units = self.units()
        live: dict[str, int] = {}
        for key, docnums in term_docnums(raw.reader(), "id"):
            if docnums and key in units:
                live[key] = docnums[-1]
        out = np.fromiter((live.get(unit_id(i), -1) for i in self.store.ids), dtype=np.int64, count=len(self.store.ids))
        self._docnums = (raw, out)
        return out

    def units(self) -> set[str]:
        if self._units is None:
            self._units = {unit_id(i) for i in self.store.ids}
        return self._units

    def allowed_mask(self, searcher: Searcher, filter_q: Query) -> np.ndarray:
        """Rows whose Whoosh document the filter lets through and that meaning may find (kept for the last
        few filters: most searches use the same one, and listing every passage it allows costs more than the
        vector search). The filter's documents are the searcher's own kept set (`Searcher.filter_set`), not
        listed again. Footnotes are left out: what a footnote holds (a source, the date and place of an
        interview, a link) is found by its words; by meaning, "Interviewed in Calais, August 2018." came
        first for a question about evictions in Calais, before the passages describing them (the passage
        a footnote annotates is found, and shows its footnotes)."""
        raw = searcher.raw()
        key = (id(raw), repr(filter_q))
        cached = self._masks.get(key)
        if cached is not None:
            return cached
        docnums = self.docnums(raw)
        allowed = np.zeros(raw.reader().doc_count_all() + 1, dtype=bool)
        found = np.fromiter(searcher.filter_set(filter_q), dtype=np.int64)
        allowed[found] = True
        allowed[np.fromiter(searcher.filter_set(Term("section", "footnote")), dtype=np.int64)] = False
        mask = allowed[docnums] & (docnums >= 0)
        if len(self._masks) >= 16:
            self._masks.pop(next(iter(self._masks)))
        self._masks[key] = mask
        return mask

    def docnum_of(self, unit: str, rows: np.ndarray) -> int | None:
        """The live Whoosh document number of a passage or quote (its whole-unit row's)."""
        row = self.store.row_of.get(unit)
        return int(rows[row]) if row is not None and rows[row] >= 0 else None

    def vector_of(self, id_: str) -> np.ndarray | None:
        row = self.store.row_of.get(id_)
        return None if row is None else self.store.matrix[row]


def open_semantic(path: Path, loaded: Encoder | None = None) -> tuple[SemanticSide | None, str | None]:
    """The semantic side of the index at `path`, or None and why (no vectors yet; encoder not installed).
    `loaded`: an encoder already loaded (the one before a refresh), reused when it is the store's."""
    from ingest.embed import EncoderUnavailable, load_encoder

    store = open_vectors(path)
    if store is None or not store.ids:
        return None, "this index has no embeddings yet (ingest with the encoder setting on)"
    if loaded is not None and loaded.name == store.encoder:
        return SemanticSide(store, loaded), None
    try:
        encoder = load_encoder(store.encoder)
    except EncoderUnavailable as exc:
        return None, str(exc)
    return SemanticSide(store, encoder), None


def has_vectors(path: Path) -> bool:
    """Whether the index at `path` holds embeddings (cheap: the manifest, not the vectors)."""
    return (vectors_dir(path) / "MANIFEST.json").is_file()


def fused_docnums(
    searcher: Searcher, text: str, filter_q: Query, mode: Mode, limit: int, keyword_hits: list[Any] | None = None
) -> tuple[list[tuple[int, FusedHit]], list[Any]]:
    """The first `limit` documents of a search in `mode` among those `filter_q` lets through, as (Whoosh
    document number, fused hit); and the keyword side's Whoosh hits (with their highlights), for reuse."""
    raw = searcher.raw()
    if keyword_hits is None:
        query, _ = searcher.parse(text)
        found = searcher.collect(query, filter_q, max(DEPTH, limit), words=text)[0] if text.strip() else []
        keyword_hits = [h for h in found]  # not list(): it asks len(), which counts every match
    keyword_ids = [h["id"] for h in keyword_hits]
    side = searcher.semantic() if mode != "keyword" and text.strip() else None
    vectors = qvec = allowed = None
    if side is not None:
        vectors, qvec = side.store, side.query_vector(text)
        allowed = side.allowed_mask(searcher, filter_q)
    exact = exact_query(text)
    bridge_hits, cover = (
        ([], []) if side is None or mode != "hybrid" else bridge_ranking(searcher, text, filter_q, exact=exact)
    )
    partial: set[str] = set()
    if side is not None and mode == "hybrid" and not exact and not keyword_ids:
        # No passage holds every word: those of the query's language holding some of them join the passages
        # holding them in translation, in one ranking by the share answered (index/hybrid.py PARTIAL_WEIGHT)
        own, own_cover = partial_ranking(searcher, text, filter_q)
        partial = {h["id"] for h in own}
        merged = sorted(
            [(c, i, h) for i, (h, c) in enumerate(zip(bridge_hits, cover))]
            + [(c * PARTIAL_WEIGHT, i, h) for i, (h, c) in enumerate(zip(own, own_cover))],
            key=lambda m: (-m[0], m[1]),
        )
        bridge_hits, cover = [h for _, _, h in merged], [c for c, _, _ in merged]
    written = getattr(keyword_hits[0].results, "as_written", set()) if keyword_hits else set()
    fused = rank(
        mode if side else "keyword", keyword_ids, vectors, qvec, None, limit, semantic_weight=weight_for(exact),
        mask=allowed, bridge=[h["id"] for h in bridge_hits], bridge_cover=cover, keyword_first=exact,
        partial=partial, as_written={h["id"] for h in keyword_hits if h.docnum in written},
    )
    docnum_of = {h["id"]: h.docnum for h in bridge_hits}
    docnum_of.update((h["id"], h.docnum) for h in keyword_hits)
    rows = side.docnums(raw) if side is not None else None
    out = []
    for f in fused:
        docnum = docnum_of.get(f.id)
        if docnum is None and side is not None and rows is not None:
            docnum = side.docnum_of(f.id, rows)
        if docnum is not None:
            out.append((docnum, f))
    if side is not None and mode == "hybrid" and not exact:
        # the best hits in the other language take places in the first five (index/hybrid.py OTHER_LANGUAGE_PLACES)
        reader = raw.reader()
        langs: dict[int, str] = {}

        def lang_of(i: int) -> str:
            if i not in langs:
                langs[i] = reader.stored_fields(out[i][0]).get("lang", "")
            return langs[i]

        query_lang = searcher.bridge().source_language(text)[0]
        order = other_language_places([f for _, f in out], lang_of, query_lang, chance_similarity(side.store))
        out = [out[i] for i in order]
    return out, keyword_hits + bridge_hits


def bridge_ranking(
    searcher: Searcher, text: str, filter_q: Query, exact: bool | None = None
) -> tuple[list[Any], list[float]]:
    """Whoosh hits (with their highlights: the carried terms) for the passages of the other language holding
    the query's terms of the field in translation (index/bridge.py), and the share of the query's content
    words each answers; best first: the larger share, then BM25. None when the query names no notion of the
    bridge, or is one quoted phrase or identifiers (asked for as written; `exact`, when the caller knows)."""
    if exact_query(text) if exact is None else exact:
        return [], []
    carried = searcher.bridge().carry(text)
    return ([], []) if carried is None else _holding_shares(searcher, carried, filter_q)


def partial_ranking(searcher: Searcher, text: str, filter_q: Query) -> tuple[list[Any], list[float]]:
    """Whoosh hits for the passages of the query's own language holding some of its content words, and the
    share of those words each holds; best first, as `bridge_ranking`. For a hybrid search whose keyword side
    found nothing (`hybrid.PARTIAL_WEIGHT`). None when the query's language cannot be told or it has fewer
    than two content words."""
    from index.bridge import Carried, Notion
    from index.search import function_words

    source, analysed, _ = searcher.bridge().source_language(text)
    if source is None:
        return [], []
    stop = function_words(searcher.schema, source)
    words = list(dict.fromkeys(t for t in analysed[source] if t not in stop))
    if len(words) < 2:
        return [], []
    own = Carried(source, source, tuple(Notion(((w,),), 1 / len(words)) for w in words))
    return _holding_shares(searcher, own, filter_q)


def _holding_shares(searcher: Searcher, carried: Any, filter_q: Query) -> tuple[list[Any], list[float]]:
    """The records of `carried.target`'s language within `filter_q` holding any of its notions (the rare ones
    searched, the common ones checked on what they find: `Bridge.split`), best first by the share of the
    query they answer, then BM25, with that share."""
    bridge = searcher.bridge()
    narrowed = bridge.language_filter(carried, filter_q)
    if not searcher.filter_set(narrowed):
        return [], []  # the filters leave nothing in that language ("French only" and a French query)
    reader = searcher.raw().reader()
    searched, checked = bridge.split(carried, reader)
    found = searcher.collect_top(bridge.query(carried, searched), narrowed, DEPTH)
    found.formatter = searcher._highlighter.formatter
    hits = [h for h in found]  # iterating, not list(): it asks len(), which counts every match
    held = bridge.holding(checked, f"content_{carried.target}", reader, [h.docnum for h in hits])
    scored = []
    for order, hit in enumerate(hits):
        terms = {t.decode("utf-8") if isinstance(t, bytes) else t for _, t in hit.matched_terms()}
        scored.append((carried.coverage(terms | held[hit.docnum]), order, hit))
    scored.sort(key=lambda c: (-c[0], c[1]))
    return [h for _, _, h in scored], [c for c, _, _ in scored]


def semantic_search(
    searcher: Searcher, text: str, filters: Filters, limit: int, offset: int, mode: Mode, with_facets: bool
) -> SearchResult:
    """Passages for `text` in `mode` ("semantic" or "hybrid"), with the filters and facets of keyword search;
    each hit says why it matched and carries its language."""
    from index.search import SearchResult

    t0 = time.perf_counter()
    query, fallback = searcher.parse(text)
    filter_q = searcher.filter_query(filters)
    raw = searcher.raw()
    results, matched = searcher.collect(query, filter_q, max(DEPTH, offset + limit), words=text)
    results.fragmenter = searcher._highlighter.fragmenter
    results.formatter = searcher._highlighter.formatter
    keyword_hits = [h for h in results]  # not list(): it asks len(), which counts every match
    ranked, found = fused_docnums(searcher, text, filter_q, mode, offset + limit + DEPTH, keyword_hits)
    by_docnum = {h.docnum: h for h in reversed(found)}  # a keyword hit's highlights before the bridge's
    hits = []
    for docnum, f in ranked[offset : offset + limit]:
        whoosh_hit = by_docnum.get(docnum)
        hit = searcher._hit(whoosh_hit) if whoosh_hit is not None else searcher.hit_from_stored(raw.stored_fields(docnum))
        hits.append(dataclasses.replace(hit, score=round(f.score, 4), why=f.why, similarity=_round(f.similarity)))
    docnums = matched | {d for d, _ in ranked}
    facets = searcher.facets(docnums) if with_facets else {}
    took = (time.perf_counter() - t0) * 1000
    return SearchResult(text, len(docnums), round(took, 1), tuple(hits), facets, str(query), fallback, mode=mode)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def plain_snippet(text: str, chars: int = 300) -> str:
    """An escaped lead of the text, for a hit found by meaning only (no words to mark)."""
    lead = text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"
    return html.escape(lead)
