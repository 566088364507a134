"""Search latency as people type: short queries, with and without a filter, keyword and hybrid.

    .venv/bin/python bench/search_latency.py --index DIR [--json PATH]

Times `Searcher.search(limit=10)` with snippets and facets, as the CLI and the UI call it, for 20 short
queries in English and French, with no filter, with the most frequent organisation, and with French only.
Each query's embedding and vector scores are computed afresh (the caches that serve a repeated search are
emptied before each), so the figures are those of a new search. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ui_latency import percentile  # noqa: E402
from index.search import Filters, Searcher  # noqa: E402

QUERIES = [
    "asylum", "eviction Calais", "unaccompanied minors", "tear gas", "Dublin transfer", "hunger strike",
    "family reunification", "detention centre", "police violence", "expulsion", "droit d'asile",
    "mineurs isolés", "camp", "water points", "refoulement", "torture", "witness protection", "genocide",
    "humanitarian aid", "border control",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    searcher = Searcher(args.index)
    searcher.search("warm up", limit=1)  # the models and the index opened once, as a running UI has them
    side = searcher.semantic()
    modes = ["keyword", "hybrid"] if side is not None else ["keyword"]
    org = searcher.search("", limit=1).facets["org"][0].value
    out: dict[str, dict[str, dict[str, float]]] = {}
    print(f"{len(QUERIES)} short queries, Searcher.search(limit=10) with snippets and facets, index {args.index}")
    for label, filters in (("no filter", Filters()), (f"organisation {org}", Filters(orgs=(org,))),
                           ("French only", Filters(langs=("fr",)))):
        for mode in modes:
            times = []
            for query in QUERIES:
                if side is not None:
                    side._query_cache.clear()
                    side.store.cache.pop("scores", None)
                t0 = time.perf_counter()
                searcher.search(query, filters, limit=10, mode=mode)
                times.append((time.perf_counter() - t0) * 1000)
            median, high = statistics.median(times), percentile(times, 0.95)
            out.setdefault(label, {})[mode] = {"median_ms": round(median, 1), "p95_ms": round(high, 1)}
            print(f"  {label:<36} {mode:<8} median {median:6.1f} ms   p95 {high:6.1f} ms")
    searcher.close()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
