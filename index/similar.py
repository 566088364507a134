"""Records near another one by meaning: "more like this" for a passage, corroboration for a testimony.

Both start from the record's own stored vector (index/semantic.py `SemanticSide`), search the rows the usual
filters let through (footnotes left out, as for any search by meaning), and stop at what unrelated passages
of the collection reach by chance (`index.vectors.chance_similarity`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from whoosh.query import And, Not, Or, Query, Term

from index.vectors import chance_similarity, nearest_units

if TYPE_CHECKING:
    from index.search import Searcher


def similar_docnums(
    searcher: Searcher, id_: str, record_type: str, limit: int, exclude: Query | None = None,
    filter_q: Query | None = None,
) -> list[tuple[int, float]]:
    """The `limit` records of `record_type` nearest to the record `id_` (its stored vector), leaving out
    those `exclude` matches; (Whoosh document number, cosine), best first. Empty without vectors. Records no
    nearer than unrelated passages of the collection come by chance (`chance_similarity`) are left out: a
    short list is better than one padded with what has nothing to do with the passage."""
    side = searcher.semantic()
    if side is None:
        return []
    vector = side.vector_of(id_)
    if vector is None:
        return []
    raw = searcher.raw()
    parts: list[Query] = [filter_q or Term("type", record_type)]
    if exclude is not None:
        parts.append(Not(exclude))
    mask = side.allowed_mask(searcher, And(parts))
    rows = side.docnums(raw)
    out = []
    floor = chance_similarity(side.store)
    for hit in nearest_units(side.store, vector, limit, mask):
        if hit.score <= floor:
            break  # best first: the rest are no nearer
        docnum = side.docnum_of(hit.id, rows)
        if docnum is not None:
            out.append((docnum, hit.score))
    return out


def more_like_this(searcher: Searcher, passage_id: str, limit: int = 10) -> list[Any]:
    """Passages of other documents that say the same thing, in either language (Hits, why = "meaning")."""
    raw = searcher.raw()
    found = raw.document(id=passage_id)
    if not found:
        return []
    exclude = Term("doc_id", found["doc_id"])
    out = []
    for docnum, similarity in similar_docnums(searcher, passage_id, "passage", limit, exclude):
        hit = searcher.hit_from_stored(raw.stored_fields(docnum))
        out.append(dataclasses.replace(hit, score=round(similarity, 4), why="meaning", similarity=round(similarity, 4)))
    return out


def corroborating_docnums(searcher: Searcher, quote_id: str, limit: int = 10) -> list[tuple[int, float]]:
    """Testimonies that describe the same kind of event as the quote `quote_id`: from other documents and
    other speakers, in either language; (Whoosh document number, cosine), best first."""
    raw = searcher.raw()
    found = raw.document(id=quote_id)
    if not found:
        return []
    others: list[Query] = [Term("doc_id", found["doc_id"])]
    speaker = (found.get("speaker") or "").strip()
    if speaker:
        from index.schema import folding_tokens
        from whoosh.query import Phrase

        tokens = folding_tokens(speaker)
        if tokens:
            others.append(Phrase("speaker", tokens) if len(tokens) > 1 else Term("speaker", tokens[0]))
    return similar_docnums(searcher, quote_id, "quote", limit, Or(others))
