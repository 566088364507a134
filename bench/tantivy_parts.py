"""Where a Tantivy search's time goes: each part of `TantivySearcher.search`, timed alone, on a kept index.

    nice -n 10 .venv/bin/python bench/tantivy_parts.py DIR [--queries 200] [--repeat 1]

DIR is an index kept by `bench/scale.py --keep` (e.g. /tmp/x/temoin-scale-abcd/tantivy-1000000). The same
queries as bench/scale.py (with snippets and facets) go through the same steps as `TantivySearcher.search`,
each timed in CPU time (this process's): parse, filter + compile, search (top 10 and the count), stored fields,
snippets, the facet aggregation(s), sorting the facets, `Hit` records; and, for comparison, the bare engine's
facet request (bench/scale.py's `BareTantivy`). It prints the median, p95 and share of the total per part, over
all queries and over the slowest 5%; then how many searches give exactly the facets that counting every value
and sorting in Python gives. Figures, never assertions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import tantivy  # noqa: E402

from index.schema import FACET_FIELDS  # noqa: E402
from index.tantivy_search import TantivySearcher  # noqa: E402
from index.tantivy_schema import stored_fields  # noqa: E402
from scale import FACETS, SHARED, BareTantivy, SyntheticCorpus, sentence_pool  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    ordered = sorted(xs)
    return ordered[min(int(round(q * (len(ordered) - 1))), len(ordered) - 1)]


def parts_of_one(ours: TantivySearcher, bare: BareTantivy, text: str, flt) -> dict[str, float]:  # noqa: ANN001
    """CPU ms of each step of `TantivySearcher.search(text, flt)` (snippets and facets)."""
    out: dict[str, float] = {}
    clock = time.process_time
    for name, call in (
        ("bare plain (not in total)", lambda: bare.search(text, flt, False)),
        ("ours plain (not in total)", lambda: ours.search(text, flt, with_facets=False, with_snippets=False)),
        ("bare full (not in total)", lambda: bare.search(text, flt, True)),
        ("ours full (not in total)", lambda: ours.search(text, flt)),
    ):
        c0 = clock()
        call()
        out[name] = (clock() - c0) * 1000

    def lap(name: str, c0: float) -> float:
        now = clock()
        out[name] = out.get(name, 0.0) + (now - c0) * 1000
        return now

    c = clock()
    query, _fallback = ours.parse(text)
    c = lap("parse", c)
    main, full = ours._filtered(query, ours.filter_query(flt))
    c = lap("filter+compile", c)
    found = ours._searcher.search(full, 10, count=True)
    c = lap("search", c)
    stored = [stored_fields(ours._searcher.doc(a)) for _s, a in found.hits]
    c = lap("stored fields", c)
    generators: dict = {}
    snippets = []
    for s in stored:
        text_ = s.get("content", "")
        stemmed = "content_fr" if s.get("lang") == "fr" else "content_en"
        snippets.append(
            ours._snippet(main, stemmed, text_, generators) or ours._snippet(main, "content", text_, generators)
        )
    c = lap("snippets", c)
    if found.count:
        ours.facet_counts(full, found.count)  # whole, then its parts below
        c = lap("facets (all)", c)
        timed = _TimedAggregate(ours)
        timed.facet_counts(full, found.count)
        for k, v in timed.parts.items():
            out[k] = v
        c = clock()
    from index.search import hit_from_stored

    for s, sn in zip(stored, snippets):
        hit_from_stored(s, 0.0, sn or "")
    c = lap("hits", c)
    if found.count:  # Tantivy's default facet request (approximate counts: bench/scale.py), not in the total
        c0 = clock()
        ours._searcher.aggregate(full, {
            f: {"terms": {"field": f, "size": 1000 if f in ("year", "mentioned_year") else 30}} for f in FACETS
        })
        out["bare facets, approx. (not in total)"] = (clock() - c0) * 1000
    return out


class _TimedAggregate:
    """`facet_counts` with each aggregation request timed."""

    def __init__(self, ours: TantivySearcher) -> None:
        self.ours = ours
        self.parts: dict[str, float] = {}
        self.calls = 0

    def facet_counts(self, query, matches):  # noqa: ANN001, ANN201
        real = self.ours._aggregate

        def timed(q, sizes):  # noqa: ANN001, ANN202
            self.calls += 1
            c0 = time.process_time()
            result = real(q, sizes)
            name = "  agg 1 (first)" if self.calls == 1 else "  agg 2 (ties)"
            self.parts[name] = self.parts.get(name, 0.0) + (time.process_time() - c0) * 1000
            return result

        self.ours._aggregate = timed  # type: ignore[method-assign]
        try:
            return self.ours.facet_counts(query, matches)
        finally:
            del self.ours._aggregate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    corpus = SyntheticCorpus(sentence_pool(SHARED))
    queries = corpus.queries(args.queries)
    ours = TantivySearcher(args.index, cache_size=0)  # every search does all its work
    bare = BareTantivy(args.index)
    print(f"{args.index}: {ours._searcher.num_docs} records, {ours._searcher.num_segments} segments")
    for text, flt in queries[:5]:
        parts_of_one(ours, bare, text, flt)
    rows: list[dict[str, float]] = []
    totals: list[float] = []
    for text, flt in queries:
        parts = parts_of_one(ours, bare, text, flt)
        rows.append(parts)
        totals.append(sum(v for k, v in parts.items() if "(not in total)" not in k and not k.startswith("  ")))
    cut = pct(totals, 0.95)
    slow = [r for r, t in zip(rows, totals) if t >= cut]
    names = list(dict.fromkeys(k for r in rows for k in r))
    print(f"{'part, CPU ms':<28}{'median':>8}{'p95':>8}{'mean':>8}{'share':>7}{'slowest 5%: mean':>18}")
    total_mean = statistics.mean(totals)
    for name in names:
        xs = [r.get(name, 0.0) for r in rows]
        slow_mean = statistics.mean(r.get(name, 0.0) for r in slow)
        print(f"{name:<28}{statistics.median(xs):>8.2f}{pct(xs, 0.95):>8.2f}{statistics.mean(xs):>8.2f}"
              f"{100 * statistics.mean(xs) / total_mean:>6.0f}%{slow_mean:>18.2f}")
    print(f"{'total (ours, full)':<28}{statistics.median(totals):>8.2f}{cut:>8.2f}{total_mean:>8.2f}")
    ties = sum(1 for r in rows if "  agg 2 (ties)" in r)
    print(f"queries: {len(rows)}; a second (ties) aggregation in {ties}")
    same, asked = exact_facets(ours, queries)
    print(f"facets equal to every value counted, sorted by count then name: {same} of {asked} queries")
    return 0


def exact_facets(ours: TantivySearcher, queries: list) -> tuple[int, int]:  # noqa: ANN001
    """How many searches give the facets that counting every value of every match and sorting them in
    Python gives (the facet request cuts at the top 3x and asks again on ties)."""
    same = asked = 0
    for text, flt in queries:
        result = ours.search(text, flt, with_snippets=False)
        if not result.total:
            continue
        query, _fallback = ours.parse(text)
        full = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, ours.compile(query)), *ours._filter(flt)]
        )
        every = ours._searcher.aggregate(full, {
            f: {"terms": {"field": f, "size": 2**31 - 1, "segment_size": 2**31 - 1}} for f in FACET_FIELDS
        })
        want = {}
        for f in FACET_FIELDS:
            counts = [(b["key"], b["doc_count"]) for b in every[f]["buckets"]]
            by_count = sorted(counts, key=lambda kv: (-kv[1], kv[0]))[:30]
            want[f] = sorted(counts) if f in ("year", "mentioned_year") else by_count
        asked += 1
        same += all([(v.value, v.count) for v in result.facets[f]] == want[f] for f in FACET_FIELDS)
    return same, asked


if __name__ == "__main__":
    sys.exit(main())
