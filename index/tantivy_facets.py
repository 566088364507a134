"""Facet counts for the Tantivy engine: terms aggregations over fast columns, counted as Whoosh counts them.

The searcher (index/tantivy_search.py) asks `facet_counts` after a search, or on a big index begins the counts
on a pool's threads with `start_facets` while it finds the top hits. Values are ordered by count, then by
name, and the top `top` kept; years are all kept, by year (the order of index/search.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from operator import itemgetter
from typing import Any

import tantivy

from index.results import FacetValue
from index.schema import FACET_FIELDS

ALL = 2**31 - 1  # "every value" for a terms aggregation
_KEY, _COUNT = itemgetter("key"), itemgetter("doc_count")
_YEARS = ("year", "mentioned_year")
# Counting the facets is most of a search's time at 1M passages, and it runs the query again (README, "Search
# engines"). Tantivy releases the GIL while it searches and aggregates, so on a big index the facets are
# counted on two pool threads, in two groups of fields, while the searcher's thread finds the top hits and
# their snippets: a search then takes about the longest of the three, not their sum. Each group evaluates the
# query once more (~7 ms for a broad query at 1M passages, up to 60 for a phrase of common words), so below
# PARALLEL_RECORDS (a whole search takes ~3 ms at 10k, ~7 at 100k) the facets are counted after the search,
# in one request. The groups are balanced on bench/scale.py's 1M index (ms alone, query included): person
# 30, org 23, place 19, mentioned_year 16, kind, lang and year 8-9.
PARALLEL_RECORDS = 250_000
FACET_ASIDE = ("person", "kind", "lang", "year")

Aggregate = Callable[[tantivy.Query, dict[str, int]], dict[str, Any]]


def facet_pool() -> ThreadPoolExecutor | None:
    """Two threads for a searcher's facet groups, or None on a single core (counted on the searcher's)."""
    if (os.cpu_count() or 1) > 1:
        return ThreadPoolExecutor(max_workers=2, thread_name_prefix="temoin-facets")
    return None


def aggregate(searcher: tantivy.Searcher, query: tantivy.Query, sizes: dict[str, int]) -> dict[str, Any]:
    """Tantivy's terms aggregation of each field in `sizes` over the matches of `query`, its top `n` values."""
    spec = {
        # Every value of each segment is sent on to be summed, so counts are exact; only `n` come back.
        # Tantivy's default (each segment's top 10n) is faster, 44 ms instead of 57 for the 20 broadest of
        # bench/scale.py's queries at 1M passages (11 segments), but gave a short count in the top 30
        # for 53 of its 172 queries with matches (README, "Search engines").
        f: {"terms": {"field": f, "size": n, "segment_size": ALL}}
        for f, n in sizes.items()
    }
    return searcher.aggregate(query, spec)


def facet_counts(
    count: Aggregate, query: tantivy.Query, matches: int, top: int = 30, counted: dict[str, Any] | None = None
) -> dict[str, tuple[FacetValue, ...]]:
    """Counts per value of every facet field over the matches, `count` aggregating: by count then value, the
    top `top`; years all, by year (as the Whoosh engine). `counted`: the aggregation `start_facets` began."""
    # Few matches hold few values: ask for all of them. Many: the top 3x, and all for a field only when
    # values left out may tie with the last one kept (Whoosh breaks ties by name). Counts begun before the
    # number of matches was known asked for the top 3x.
    few = counted is None and matches <= 200
    result = counted if counted is not None else count(query, sizes(few, top))
    unsure = [] if few else [f for f in FACET_FIELDS if f not in _YEARS and cut_unsure(result[f], top)]
    if unsure:
        result.update(count(query, {f: ALL for f in unsure}))
    out: dict[str, tuple[FacetValue, ...]] = {}
    for fieldname in FACET_FIELDS:
        buckets = result[fieldname]["buckets"]  # keys are str
        buckets.sort(key=_KEY)
        if fieldname not in _YEARS:
            # Tantivy orders by count only: by name, then by count, most first (a stable sort keeps names
            # in order within a count), as Whoosh; two sorts in C, not a Python key per value
            buckets.sort(key=_COUNT, reverse=True)
            del buckets[top:]
        out[fieldname] = tuple([FacetValue(b["key"], b["doc_count"]) for b in buckets])
    return out


def start_facets(
    count: Aggregate, pool: ThreadPoolExecutor, query: tantivy.Query, top: int = 30, phrase: bool = False
) -> Callable[[], dict[str, Any]]:
    """Begin counting the facets of `query` on the `pool`'s threads and give what waits for them (for
    `facet_counts`). `phrase`: the query holds a phrase, whose positions cost more to check than its few
    matches cost to count, so its facets are counted in one group (the query evaluated twice in all, not three
    times): at 1M passages '"Article that"' took 100 ms instead of 168, '"authorities were"' 57 instead of 77."""
    wanted = sizes(False, top)
    parts = [wanted] if phrase else [
        {f: n for f, n in wanted.items() if (f in FACET_ASIDE) == aside} for aside in (True, False)
    ]
    futures = [pool.submit(count, query, part) for part in parts]

    def counted() -> dict[str, Any]:
        return {k: v for future in futures for k, v in future.result().items()}

    return counted


def sizes(few: bool, top: int) -> dict[str, int]:
    """How many values of each facet field to ask for: all of the years; of the others, all when the matches
    are few, else the top 3x."""
    return {f: ALL if few or f in _YEARS else top * 3 for f in FACET_FIELDS}


def cut_unsure(agg: dict[str, Any], top: int) -> bool:
    """Whether a truncated terms aggregation may hold other values than Whoosh's top `top` (by count, then
    name): counts may be short across segments, or values left out tie with the last one kept."""
    buckets = agg["buckets"]  # by count, most first
    if agg.get("doc_count_error_upper_bound"):
        return True
    if not agg.get("sum_other_doc_count") or len(buckets) <= top:
        return False
    return bool(buckets[-1]["doc_count"] >= buckets[top - 1]["doc_count"])
