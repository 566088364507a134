"""Exact vs approximate (HNSW, usearch) nearest-neighbour search, to decide when the vector store needs an ANN.

    .venv/bin/python bench/ann_eval.py [--sizes 100000,1000000] [--dim 512] [--index DIR] [--json PATH]

Vectors: synthetic unit vectors drawn around 2,000 random centres (real embeddings cluster by topic; uniform
random vectors are the worst case for a graph index and flatter its recall), or, with --index DIR, the real
vectors of an index (its vectors/ store) and perturbed copies of them up to each size. For each size: exact
top-50 latency (numpy, as index/vectors.py does, all rows and 10% allowed), usearch HNSW build time, query
latency and recall@50 against exact (f16 vectors, connectivity 16, expansion_add 128, expansion_search 64 and
256). usearch is not a dependency: `pip install usearch==2.26.6` to run this. hnswlib 0.8.0 has no wheel for
this platform on the registry (it would need a compiler at install time), faiss-cpu is a 30 MB wheel whose HNSW
has no filtered search in its Python API either; usearch ships wheels, is maintained, and takes a filter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.vectors import VectorIndex, open_vectors, top_k  # noqa: E402

K = 50


def clustered(n: int, dim: int, rng: np.random.Generator, centres: int = 2000) -> np.ndarray:
    c = rng.standard_normal((centres, dim), dtype=np.float32)
    out = c[rng.integers(0, centres, n)] + 0.6 * rng.standard_normal((n, dim), dtype=np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def grown(base: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """`base` (real vectors) and perturbed copies of its rows, n rows in all."""
    picks = base[rng.integers(0, len(base), max(0, n - len(base)))]
    noise = 0.25 * rng.standard_normal(picks.shape, dtype=np.float32) / np.sqrt(base.shape[1])
    out = np.concatenate([base, picks + noise])[:n]
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)


def summary(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {"median_ms": round(1000 * statistics.median(s), 2), "p95_ms": round(1000 * s[int(0.95 * (len(s) - 1))], 2)}


def run(matrix: np.ndarray, queries: np.ndarray) -> dict[str, object]:
    from usearch.index import Index

    n, dim = matrix.shape
    vi = VectorIndex("bench", dim, 0, tuple(map(str, range(n))), ("",) * n, matrix, {})
    mask = np.random.default_rng(1).random(n) < 0.1
    exact, exact_masked, truth = [], [], []
    for q in queries:
        t = time.perf_counter()
        hits = top_k(vi, q, K)
        exact.append(time.perf_counter() - t)
        t = time.perf_counter()
        top_k(vi, q, K, mask)
        exact_masked.append(time.perf_counter() - t)
        truth.append({int(h.id) for h in hits})
    out: dict[str, object] = {"n": n, "dim": dim, "exact_all": summary(exact), "exact_10pct": summary(exact_masked)}
    index = Index(ndim=dim, metric="cos", dtype="f16", connectivity=16, expansion_add=128, expansion_search=64)
    t = time.perf_counter()
    index.add(np.arange(n), matrix, threads=2)
    out["hnsw_build_s"] = round(time.perf_counter() - t, 1)
    out["hnsw_memory_mb"] = round(index.memory_usage / 2**20, 1)
    for ef in (64, 256):
        index.expansion_search = ef
        lat, recall = [], []
        for q, want in zip(queries, truth):
            t = time.perf_counter()
            found = index.search(q, K)
            lat.append(time.perf_counter() - t)
            recall.append(len(want & set(map(int, found.keys))) / K)
        out[f"hnsw_ef{ef}"] = {**summary(lat), "recall_at_50": round(statistics.fmean(recall), 3)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--index", type=Path, help="grow from this index's real vectors instead of synthetic ones")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    base = None
    if args.index:
        store = open_vectors(args.index)
        if store is None:
            print(f"{args.index} has no vectors", file=sys.stderr)
            return 1
        base = store.matrix
        args.dim = base.shape[1]
        print(f"real vectors: {len(base)} rows of {args.index}")
    results = []
    print(f"{'n':>9} {'exact all':>18} {'exact 10%':>18} {'build s':>8} {'MB':>7} {'hnsw ef64':>26} {'hnsw ef256':>26}")
    for n in [int(x) for x in args.sizes.split(",")]:
        matrix = grown(base, n, rng) if base is not None else clustered(n, args.dim, rng)
        picks = rng.integers(0, n, args.queries)
        queries = matrix[picks] + 0.5 * rng.standard_normal((args.queries, args.dim), dtype=np.float32) / np.sqrt(args.dim)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        r = run(matrix, queries)
        results.append(r)

        def cell(d: object) -> str:
            assert isinstance(d, dict)
            extra = f" R {d['recall_at_50']:.3f}" if "recall_at_50" in d else ""
            return f"{d['median_ms']:7.2f}/{d['p95_ms']:7.2f} ms{extra}"

        print(f"{n:>9,} {cell(r['exact_all']):>18} {cell(r['exact_10pct']):>18} {r['hnsw_build_s']:>8} "
              f"{r['hnsw_memory_mb']:>7} {cell(r['hnsw_ef64']):>26} {cell(r['hnsw_ef256']):>26}", flush=True)
        del matrix
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
