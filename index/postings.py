"""Reading a Whoosh index below its query layer, where Whoosh's own way costs too much: each term's live
documents (`term_docnums`) and each document's values (`docnum_values`), whether a query of many words can
match at all (`cannot_match`), and a collector that keeps every match it scores (`TopAndMatches`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from whoosh import collectors
from whoosh.query import And, Or, Query, Term

# A query of this many words or more is checked for a passage holding them all before Whoosh searches it
# (`cannot_match`), unless its rarest word is in more than CONJUNCTION_CHECK_MAX records.
CONJUNCTION_CHECK_FROM = 4
CONJUNCTION_CHECK_MAX = 20_000


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


def docnum_values(reader: Any, fieldname: str) -> list[list[str]]:
    """For every document number, its values in a field (a facet field's, for counting facets)."""
    lists: list[list[str]] = [[] for _ in range(reader.doc_count_all())]
    for value, docnums in term_docnums(reader, fieldname):
        for docnum in docnums:
            lists[docnum].append(value)
    return lists


class TopAndMatches(collectors.TopCollector):
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


def cannot_match(reader: Any, query: Query, allow: Any) -> bool:
    """Whether no document of `reader` within `allow` holds every word of a query of many words (an And whose
    parts are terms, or Ors of terms: each word in the search fields; other parts, such as a hyphenated word's
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
