"""Benchmark: ingestion on a Dask cluster against local worker processes, on the same files.

    .venv/bin/python bench/cluster_ingest.py [PATH ...] [--workers N] [--out bench/results/cluster.json]

Runs `temoin ingest --workers N` and `temoin ingest --cluster` on a LocalCluster of N single-threaded worker
processes (127.0.0.1), each into an empty index, and prints words/s for both (table + JSON). On one machine the
cluster can only show its overhead (bytes sent, records returned through the scheduler): its gain is more
machines. Figures, not assertions. Needs the temoin[cluster] extra.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.writer import IndexWriter  # noqa: E402
from ingest.pipeline import ingest_paths  # noqa: E402
from ingest.records import IngestSummary  # noqa: E402
from ingest.settings import Settings  # noqa: E402
from ingest.workers import WorkerPool  # noqa: E402

DEFAULT_PATHS = [ROOT.parent / "shared" / "corpus" / "utiac", ROOT.parent / "shared" / "corpus" / "press_fr_akinarticle"]


def timed_ingest(paths: list[Path], index_dir: Path, pool: object) -> tuple[IngestSummary, float]:
    writer = IndexWriter(index_dir)
    t0 = time.perf_counter()
    try:
        summary = ingest_paths(paths, writer, {}, workers=pool, progress=False)  # type: ignore[arg-type]
    finally:
        writer.close()
    return summary, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cluster.json")
    args = parser.parse_args(argv)
    paths = args.paths or DEFAULT_PATHS
    import dask
    from distributed import LocalCluster

    from ingest.cluster import ClusterPool, open_cluster

    settings = Settings()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        with WorkerPool(args.workers, settings.models, memory_mb=settings.worker_memory_mb) as pool:
            pool.start()
            local, local_s = timed_ingest(paths, Path(tmp) / "local", pool)
        with dask.config.set({"distributed.scheduler.worker-saturation": 1.0, "distributed.worker.daemon": False}):
            with LocalCluster(n_workers=args.workers, threads_per_worker=1, host="127.0.0.1",
                              dashboard_address=":0") as cluster:
                client = open_cluster(cluster.scheduler_address)
                try:
                    cpool = ClusterPool(client, settings.models, memory_mb=settings.worker_memory_mb)
                    remote, remote_s = timed_ingest(paths, Path(tmp) / "cluster", cpool)
                finally:
                    client.close()
    assert [(r.path, r.status) for r in local.results] == [(r.path, r.status) for r in remote.results]
    words = sum(r.words for r in local.results)
    for name, seconds in (("local workers", local_s), ("LocalCluster", remote_s)):
        rows[name] = {"seconds": round(seconds, 1), "words_per_s": round(words / seconds)}
    result = {"files": len(local.results), "words": words, "workers": args.workers,
              "load_average": os.getloadavg(), "paths": [str(p) for p in paths], "runs": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"{len(local.results)} files, {words:,} words, {args.workers} workers, "
          f"load average {' '.join(f'{x:.1f}' for x in result['load_average'])}")
    print(f"{'run':<16}{'seconds':>10}{'words/s':>10}")
    for name, row in rows.items():
        print(f"{name:<16}{row['seconds']:>10}{row['words_per_s']:>10,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
