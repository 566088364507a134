"""Benchmark: ingest throughput by stage and search latency, over ../shared/corpus (or given paths).

    .venv/bin/python bench/run.py [PATH ...] [--queries N] [--out bench/results/bench.json]
    .venv/bin/python bench/run.py [PATH ...] --workers 1,2 [--sample] [--profile FILE] [--out ...]

Prints a table and writes JSON. Figures, not assertions: speed is never tested for.

`--workers 1,2` measures worker scaling instead: the same files ingested as `temoin ingest --workers N` does
(worker processes, embeddings per the `encoder` setting) into a fresh index for each N, with the wall time,
the CPU time of the ingesting process and of the workers, and the load average while it ran.
`--sample` takes the fixed iteration subset (every 4th file in ingest order and every PDF, under 1 MB).
`--bare` adds the bare limits on the same files (bench/bare_limits.py: pdfminer.six alone on the PDFs, spaCy
NER alone on the passages, one process; with embeddings on, the encoder alone on each passage and quote once)
and what each worker count costs over them; the default mode always measures pdfminer and NER alone.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import threading
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
from index.semantic import start_embeddings  # noqa: E402
from ingest.entities import load_pipelines  # noqa: E402
from ingest.ocr import options_from_settings  # noqa: E402
from ingest.pipeline import STAGES, StageClock, ingest_paths  # noqa: E402
from ingest.walk import iter_files  # noqa: E402
from ingest.settings import Settings, load_settings  # noqa: E402
from ingest.versions import stage_fingerprints  # noqa: E402
from ingest.workers import WorkerPool  # noqa: E402
from bench import bare_limits  # noqa: E402

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

    def stored_metadata_key(self, source: str) -> str | None:
        return self.main.stored_metadata_key(source)

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

# ------------------------------------------------------------------ worker scaling (--workers)


def sample_files(paths: list[Path], every: int = 4, max_bytes: int = 1_000_000) -> list[Path]:
    """The fixed iteration subset: every `every`-th file in ingest order and every PDF (few, but the only
    pdfminer work), those under `max_bytes` (the megabyte-sized reports and transcripts take minutes each and
    would make a short run one file's tail)."""
    return [
        f for n, f in enumerate(iter_files(paths))
        if (n % every == 0 or f.suffix.lower() == ".pdf") and f.stat().st_size < max_bytes
    ]


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """User + system seconds of a live process (/proc/PID/stat fields 14 and 15); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LoadSampler(threading.Thread):
    """The 1-minute load average every `every` seconds while a run lasts: the machine is shared."""

    def __init__(self, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.every, self.samples, self.stopped = every, [os.getloadavg()[0]], threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> dict[str, float]:
        self.stopped.set()
        self.join()
        self.samples.append(os.getloadavg()[0])
        return {"start": round(self.samples[0], 2), "mean": round(statistics.mean(self.samples), 2),
                "max": round(max(self.samples), 2), "end": round(self.samples[-1], 2)}


def ingest_in_workers(
    paths: list[Path], count: int, index_dir: Path, settings: Settings, profile: Path | None = None
) -> dict[str, Any]:
    """One `temoin ingest --workers COUNT` into an empty index (the CLI's writer, encoder and extras), timed
    from the moment every worker has loaded its models to the last commit."""
    writer = IndexWriter(index_dir, build=stage_fingerprints(settings.models))
    encoder = start_embeddings(writer, settings.encoder, lambda line: None)
    extras: dict[str, Any] = {"ocr": options_from_settings(settings)}
    worker_extras = {**extras, **({"encoder": encoder.name} if encoder else {})}
    clock = StageClock()
    children0 = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
    profiler = cProfile.Profile() if profile else None
    closed = False
    try:
        with WorkerPool(count, settings.models, settings.ner_batch_size, settings.worker_memory_mb,
                        worker_extras) as pool:
            t0 = time.perf_counter()
            pool.wait_ready()
            load_s = time.perf_counter() - t0
            load_cpu = sum(process_cpu(pid) for pid in pool.pids())  # the workers' model loading, not counted
            self0 = _cpu(resource.getrusage(resource.RUSAGE_SELF))
            sampler = LoadSampler()
            sampler.start()
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            summary = ingest_paths(paths, writer, extras, commit_every=settings.commit_every, workers=pool,
                                   file_timeout=settings.file_timeout, clock=clock, progress=False)
            writer.close()  # the last commit is part of the ingest
            closed = True
            if profiler:
                profiler.disable()
            wall = time.perf_counter() - t0
            parent_cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - self0
            load = sampler.stop()
    finally:
        if not closed:
            writer.close()
    # Workers are reaped when the pool closes: RUSAGE_CHILDREN then holds all their time, replaced ones too.
    worker_cpu = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - children0 - load_cpu
    if profiler and profile:
        profiler.dump_stats(str(profile))
    searcher = Searcher(index_dir)
    stats = searcher.stats()
    searcher.close()
    return {
        "workers": count,
        "wall_s": round(wall, 1),
        "parent_cpu_s": round(parent_cpu, 1),
        "worker_cpu_s": round(worker_cpu, 1),
        "index_s": round(clock.seconds["index"], 1),  # the ingesting process writing and committing
        "model_load_s": round(load_s, 1),
        "load_average": load,
        "stages": {stage: round(clock.seconds[stage], 1) for stage in STAGES},
        "results": [(r.path, r.status, r.doc_ids) for r in summary.results],
        "failed": summary.count("failed"),
        "words": sum(r.words for r in summary.results),
        "documents": stats["documents"],
        "passages": stats["passages"],
        "encoder": encoder.name if encoder else "off",
    }


def print_against_bare(limits: dict[str, Any], runs: list[dict[str, Any]]) -> None:
    """Each run's wall time, and its workers' build without the embeddings, against pdfminer + NER alone."""
    pdf, ner, bare_s = limits["pdfminer"], limits["ner"], limits["seconds"]
    print(f"Bare limits, one process: pdfminer alone {pdf['seconds']} s ({pdf['files']} PDFs, {pdf['pages']} pages), "
          f"spaCy NER alone {ner['seconds']} s ({ner['passages']:,} passages, {ner['words']:,} words): {bare_s} s")
    build = bare_limits.BUILD_STAGES
    for r in runs:
        stages = r["stages"]
        own = sum(stages[s] for s in build)
        per_worker = bare_s / r["workers"]
        print(f"  {r['workers']} worker(s): wall {r['wall_s']} s = {bare_limits.overhead(r['wall_s'], per_worker)} "
              f"over the bare limits spread on {r['workers']}; the workers' build without embeddings "
              f"({' + '.join(build)}) {own:.1f} s = {bare_limits.overhead(own, bare_s)}, embeddings "
              f"{stages['embed']} s, writing {stages['index']} s (in the ingesting process)")
        if "encoder" in limits:
            with_encoder = limits["seconds_with_encoder"]
            print(f"    with the embeddings: the workers' build + embed {own + stages['embed']:.1f} s = "
                  f"{bare_limits.overhead(own + stages['embed'], with_encoder)} over pdfminer + NER + the encoder "
                  f"alone ({limits['encoder']['seconds']} s for {limits['encoder']['units']:,} passages and "
                  f"quotes, each once) = {with_encoder} s; wall {bare_limits.overhead(r['wall_s'], with_encoder / r['workers'])} "
                  f"over them spread on {r['workers']}")


def worker_scaling(
    paths: list[Path], counts: list[int], out: Path, sample: bool, profile: Path | None, bare: bool = False
) -> int:
    settings = load_settings()
    files = sample_files(paths) if sample else list(iter_files(paths))
    runs = []
    limits: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for count in counts:
            # The profile, when asked for, is of the ingesting process in the run with the most workers.
            wanted = profile if profile and count == max(counts) else None
            runs.append(ingest_in_workers(files, count, Path(tmp) / f"index-{count}", settings, wanted))
        if bare:
            read = [Path(p) for p, status, _ids in runs[0]["results"] if status != "failed"]
            embedded = runs[0]["encoder"] if runs[0]["encoder"] != "off" else None
            limits = bare_limits.measure(
                read, Path(tmp) / f"index-{counts[0]}", settings.models, settings.ner_batch_size, embedded
            )
    same = all(r["results"] == runs[0]["results"] for r in runs)
    base = runs[0]
    # What the CPU allows on this machine's cores, from the first run's CPU times: the workers' work spread
    # over the cores, beside the ingesting process's (which no worker can take over).
    cores = os.cpu_count() or 1

    def best_wall(run: dict[str, Any], n: int) -> float:
        work, parent = run["worker_cpu_s"], run["parent_cpu_s"]
        return max(work / n, parent, (work + parent) / cores)

    for run in runs:
        run["speedup"] = round(base["wall_s"] / run["wall_s"], 2)
        run["cpu_bound_speedup"] = round(best_wall(base, base["workers"]) / best_wall(base, run["workers"]), 2)
    result = {
        "machine": {"python": platform.python_version(), "cpus": cores},
        "corpus": [str(p) for p in paths],
        "sample": sample,
        "files": len(files),
        "same_results": same,
        "runs": [{k: v for k, v in r.items() if k != "results"} for r in runs],
        "bare_limits": limits,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"Worker scaling: {len(files)} files{' (sample)' if sample else ''}, {base['words']:,} words, "
          f"{base['passages']:,} passages, encoder {base['encoder']}, {cores} cores; "
          f"same results with every worker count: {'yes' if same else 'NO'}")
    print(f"{'workers':>7}{'wall s':>9}{'speedup':>9}{'CPU-bound':>11}{'parent CPU':>12}{'workers CPU':>13}"
          f"{'writing s':>11}{'load mean/max':>15}")
    for r in result["runs"]:
        la = r["load_average"]
        print(f"{r['workers']:>7}{r['wall_s']:>9}{r['speedup']:>8}x{r['cpu_bound_speedup']:>10}x"
              f"{r['parent_cpu_s']:>12}{r['worker_cpu_s']:>13}{r['index_s']:>11}"
              f"{la['mean']:>9}/{la['max']}")
    if limits:
        print_against_bare(limits, result["runs"])
    if profile:
        print(f"Profile of the ingesting process ({max(counts)} workers): {profile}")
        pstats.Stats(str(profile)).sort_stats("tottime").print_stats(25)
    print(f"JSON: {out}")
    return 0 if same else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--workers", help="worker counts to compare, e.g. 1,2 (worker scaling only)")
    parser.add_argument("--sample", action="store_true", help="the fixed subset of the files (see sample_files)")
    parser.add_argument("--profile", type=Path, help="with --workers: cProfile the ingesting process to FILE")
    parser.add_argument("--bare", action="store_true", help="with --workers: also pdfminer and NER alone (and the encoder, "
                        "when the ingest embeds)")
    args = parser.parse_args(argv)
    paths = args.paths or [DEFAULT_CORPUS]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"bench: no such path: {', '.join(missing)}", file=sys.stderr)
        return 1
    if args.workers:
        counts = [int(n) for n in args.workers.split(",")]
        out = args.out or ROOT / "bench" / "results" / "workers.json"
        return worker_scaling(paths, counts, out, args.sample, args.profile, args.bare)
    args.out = args.out or ROOT / "bench" / "results" / "bench.json"
    if args.sample:
        paths = sample_files(paths)

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
        read = [Path(r.path) for r in summary.results if r.status != "failed"]
        settings = load_settings()
        limits = bare_limits.measure(read, index_dir, settings.models, settings.ner_batch_size)
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
        "bare_limits": limits,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"Ingest: {result['files']} files ({result['failed']} failed), {words:,} words, {pages} PDF pages, "
          f"{stats['passages']:,} passages in {wall:.0f} s -> {result['ingest_words_per_s']:,} words/s, "
          f"{result['ingest_pages_per_s']} pages/s (model load {load_s:.1f} s)")
    print(f"{'stage':<10}{'seconds':>10}{'words/s':>12}{'pages/s':>10}")
    for stage, row in stages.items():
        print(f"{stage:<10}{row['seconds']:>10}{row['words_per_s'] or '-':>12}{row['pages_per_s'] or '-':>10}")
    build = sum(stages[s]["seconds"] for s in bare_limits.BUILD_STAGES)
    print(f"Against pdfminer alone ({limits['pdfminer']['seconds']} s) + spaCy NER alone ({limits['ner']['seconds']} s)"
          f" = {limits['seconds']} s, same files, one process: reading to citations {build:.1f} s = "
          f"{bare_limits.overhead(build, limits['seconds'])}; the whole ingest, writing included ({wall:.0f} s), "
          f"{bare_limits.overhead(wall, limits['seconds'])}")
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
