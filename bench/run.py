"""Benchmark: ingest throughput by stage and search latency, over ../shared/corpus (or given paths).

    .venv/bin/python bench/run.py [PATH ...] [--queries N] [--out bench/results/bench.json]

Prints a table and writes JSON. Figures, not assertions: speed is never tested for.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.search import Filters, Searcher  # noqa: E402
from index.tantivy_search import TantivySearcher  # noqa: E402
from index.tantivy_writer import TantivyWriter  # noqa: E402
from index.writer import IndexWriter  # noqa: E402
from ingest.entities import load_pipelines  # noqa: E402
from ingest.pipeline import STAGES, StageClock, ingest_paths  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(q * (len(ordered) - 1))), len(ordered) - 1)]


def search_queries(searcher: Searcher, count: int, seed: int = 0) -> list[tuple[str, Filters]]:
    """Words and phrases drawn from indexed passages, half of them with a filter, as users would type."""
    rng = random.Random(seed)
    docs = searcher.documents()
    queries: list[tuple[str, Filters]] = []
    orgs = [f.value for f in searcher.search("").facets["org"][:10]]
    while len(queries) < count and docs:
        record = searcher.document(rng.choice(docs)["id"])
        if not record or not record["passages"]:
            continue
        words = re.findall(r"[A-Za-zÀ-ÿ]{4,}", rng.choice(record["passages"])["text"])
        if len(words) < 4:
            continue
        i = rng.randrange(len(words) - 3)
        text = rng.choice([words[i], f"{words[i]} {words[i + 2]}", f'"{words[i]} {words[i + 1]}"'])
        flt = Filters()
        roll = rng.random()
        if roll < 0.25 and orgs:
            flt = Filters(orgs=(rng.choice(orgs),))
        elif roll < 0.5:
            flt = Filters(since="2010")
        queries.append((text, flt))
    return queries


class TeeWriter:
    """The Whoosh writer, and the same records written into a Tantivy index beside it, its time kept apart
    (`tantivy_s`) so that the ingest figures stay Whoosh's: one NLP pass serves both engines' searches."""

    def __init__(self, main: IndexWriter, other: TantivyWriter) -> None:
        self.main, self.other, self.tantivy_s = main, other, 0.0

    def stored_hash(self, source: str) -> str | None:
        return self.main.stored_hash(source)

    def __getattr__(self, name: str) -> Any:
        def both(*args: Any) -> None:
            getattr(self.main, name)(*args)
            t0 = time.perf_counter()
            getattr(self.other, name)(*args)
            self.tantivy_s += time.perf_counter() - t0
        return both


def time_searches(searcher: Searcher, queries: list[tuple[str, Filters]]) -> dict[str, float]:
    for text, flt in queries[:10]:  # warm the caches as a running UI would have them
        searcher.search(text, flt)
    latencies = []
    for text, flt in queries:
        t = time.perf_counter()
        searcher.search(text, flt, limit=10)  # snippets and facets included
        latencies.append((time.perf_counter() - t) * 1000)
    return {
        "queries": len(latencies),
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "bench.json")
    args = parser.parse_args(argv)
    paths = args.paths or [DEFAULT_CORPUS]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"bench: no such path: {', '.join(missing)}", file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        t0 = time.perf_counter()
        pipelines = load_pipelines()
        load_s = time.perf_counter() - t0
        clock = StageClock()
        tantivy_dir = Path(tmp) / "tantivy"
        writer = TeeWriter(IndexWriter(index_dir), TantivyWriter(tantivy_dir))
        t0 = time.perf_counter()
        summary = ingest_paths(paths, writer, pipelines, clock=clock, progress=False)  # type: ignore[arg-type]
        writer.close()
        wall = time.perf_counter() - t0 - writer.tantivy_s
        clock.seconds["index"] -= writer.tantivy_s
        words = sum(r.words for r in summary.results)
        pages = sum(r.pages for r in summary.results)
        stages = {
            stage: {
                "seconds": round(clock.seconds[stage], 2),
                "words_per_s": round(words / clock.seconds[stage]) if clock.seconds[stage] else None,
                "pages_per_s": round(pages / clock.seconds[stage], 1) if clock.seconds[stage] and pages else None,
            }
            for stage in STAGES
        }
        size = sum(f.stat().st_size for f in index_dir.iterdir())

        searcher = Searcher(index_dir)
        queries = search_queries(searcher, args.queries)
        search = time_searches(searcher, queries)
        stats = searcher.stats()
        searcher.close()
        tantivy_searcher = TantivySearcher(tantivy_dir)
        tantivy = time_searches(tantivy_searcher, queries)
        tantivy.update(
            index_bytes=sum(f.stat().st_size for f in tantivy_dir.rglob("*") if f.is_file()),
            write_s=round(writer.tantivy_s, 1),
        )

    result = {
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "corpus": [str(p) for p in paths],
        "files": len(summary.results),
        "failed": summary.count("failed"),
        "documents": stats["documents"],
        "passages": stats["passages"],
        "words": words,
        "pages": pages,
        "model_load_s": round(load_s, 2),
        "ingest_wall_s": round(wall, 1),
        "ingest_words_per_s": round(words / wall),
        "ingest_pages_per_s": round(pages / wall, 2),
        "stages": stages,
        "index_bytes": size,
        "search": search,
        "search_tantivy": tantivy,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"Ingest: {result['files']} files ({result['failed']} failed), {words:,} words, {pages} PDF pages, "
          f"{stats['passages']:,} passages in {wall:.0f} s -> {result['ingest_words_per_s']:,} words/s, "
          f"{result['ingest_pages_per_s']} pages/s (model load {load_s:.1f} s)")
    print(f"{'stage':<10}{'seconds':>10}{'words/s':>12}{'pages/s':>10}")
    for stage, row in stages.items():
        print(f"{stage:<10}{row['seconds']:>10}{row['words_per_s'] or '-':>12}{row['pages_per_s'] or '-':>10}")
    s = result["search"]
    print(f"Search ({s['queries']} queries, snippets + facets): median {s['median_ms']} ms, p95 {s['p95_ms']} ms, "
          f"max {s['max_ms']} ms; index {size / 1e6:.1f} MB")
    s = result["search_tantivy"]
    print(f"Search, Tantivy engine (same queries; index written in {s['write_s']} s beside Whoosh's): median "
          f"{s['median_ms']} ms, p95 {s['p95_ms']} ms, max {s['max_ms']} ms; index {s['index_bytes'] / 1e6:.1f} MB")
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
