"""Filters and facets, the two sides of the facet fields: the Whoosh queries a `Filters` asks for (its values
matched to the index's spelling without regard to case or accents), and the counts of each field's values
among a search's matches. `Searcher` (index/search.py) keeps the per-index tables these read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from whoosh.query import Not, NumericRange, Or, Query, Term

from index.results import FacetValue, Filters, QueryError
from index.schema import FACET_FIELDS, fold_value
from ingest.dates import date_bounds, is_partial_iso


def spellings(terms: Iterable[Any]) -> dict[str, list[str]]:
    """Folded value → the spellings the index holds, from a field's terms (bytes or text)."""
    table: dict[str, list[str]] = {}
    for term in terms:
        value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
        table.setdefault(fold_value(value), []).append(value)
    return table


def value_terms(fieldname: str, values: tuple[str, ...], lexicon: dict[str, list[str]]) -> list[Query]:
    """Terms for filter values, matched to the index's spelling (`lexicon`, as `spellings` makes it) without
    regard to case or accents."""
    terms: list[Query] = []
    for value in values:
        folded = fold_value(value)
        matches = lexicon.get(folded) or [value]
        terms.append(Or([Term(fieldname, m) for m in matches]) if len(matches) > 1 else Term(fieldname, matches[0]))
    return terms


def filter_parts(filters: Filters, terms_for: Callable[[str, tuple[str, ...]], list[Query]]) -> list[Query]:
    """What `filters` asks of a passage, beyond being one: a query per condition. `terms_for(field, values)`
    gives the terms of names (org, place, person) in the index's spelling (`Searcher.value_terms`)."""
    parts: list[Query] = []
    for fieldname, values in (("org", filters.orgs), ("place", filters.places), ("person", filters.persons)):
        parts.extend(terms_for(fieldname, values))
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
        excluded.extend(terms_for(fieldname, values))
    excluded.extend(Term("kind", k) for k in filters.exclude_kinds)
    excluded.extend(Term("lang", k) for k in filters.exclude_langs)
    if excluded:
        parts.append(Not(Or(excluded)))
    return parts


def count_facets(
    values_of: Callable[[str], list[list[str]]], docnums: set[int] | list[int], top: int = 30
) -> dict[str, tuple[FacetValue, ...]]:
    """Each facet field's values among `docnums`, with how many of them hold each: the `top` commonest first,
    years in order and all of them. `values_of(field)` gives every document number's values in the field."""
    out: dict[str, tuple[FacetValue, ...]] = {}
    for fieldname in FACET_FIELDS:
        lists = values_of(fieldname)
        counts: Counter[str] = Counter()
        for docnum in docnums:
            counts.update(lists[docnum])
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        by_year = fieldname in ("year", "mentioned_year")
        if by_year:
            ordered = sorted(counts.items())
        out[fieldname] = tuple(FacetValue(v, n) for v, n in ordered[: None if by_year else top])
    return out
