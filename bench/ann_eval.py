"""Exact vs approximate (HNSW, usearch) vector search through the shipped code path (index/vectors.py,
index/ann.py), to choose `ann_min_rows` and show what the approximate index costs and gives.

    .venv/bin/python bench/ann_eval.py --index DIR [--sizes 10000,100000] [--queries N] [--json PATH]
    .venv/bin/python bench/ann_eval.py [--sizes ...] [--dim 512]          # synthetic vectors instead

With --index DIR, the vectors are the real rows of that index's store (passages, quotes and their sentence
rows), cut to each size, or grown past it with perturbed copies under new unit ids (a copy of a passage is
another passage); the queries are the 49 labelled queries of tests/golden/semantic embedded with the store's
encoder (more, when --queries asks, are perturbed rows). Without it, clustered synthetic unit vectors and
perturbed rows as queries.

For each size, in a fresh store in a temporary folder (the index given is only read):
- build: one commit of all rows through VectorWriter with the threshold at 0 (segment + graph), then an
  incremental commit that replaces 1% of the sources' rows (remove + add + save);
- queries: `nearest_units` (what search calls: the best row per passage, 10 and 50 units) exact and through
  the graph, with no filter and with filters allowing 50% and 10% of the rows: median / p95 ms and recall@10
  / recall@50 of the approximate units against the exact ones;
- disk (segments, graph file) and memory (the float32 matrix every search keeps; the graph's own).
Timings are noisy on a shared machine: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import index.ann as ann_module  # noqa: E402
from index.vector_writer import VectorWriter  # noqa: E402
from index.vectors import VectorIndex, nearest_units, open_vectors, unit_id  # noqa: E402


def clustered(n: int, dim: int, rng: np.random.Generator, centres: int = 2000) -> np.ndarray:
    c = rng.standard_normal((centres, dim), dtype=np.float32)
    out = c[rng.integers(0, centres, n)] + 0.6 * rng.standard_normal((n, dim), dtype=np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def sized(store: VectorIndex | None, n: int, dim: int, rng: np.random.Generator) -> tuple[list[str], list[str], np.ndarray]:
    """n rows (ids, sources, unit vectors): the store's first rows, then perturbed copies as new passages."""
    if store is None:
        ids = [f"syn:{i // 5}#{i % 5}" if i % 5 else f"syn:{i // 5}" for i in range(n)]
        return ids, [f"src{i // 200}" for i in range(n)], clustered(n, dim, rng)
    base_n = len(store.ids)
    take = min(n, base_n)
    ids, sources, parts = list(store.ids[:take]), list(store.sources[:take]), [store.matrix[:take]]
    copy = 0
    while len(ids) < n:
        copy += 1
        more = min(n - len(ids), base_n)
        noise = 0.25 * rng.standard_normal((more, dim), dtype=np.float32) / np.sqrt(dim)
        block = store.matrix[:more] + noise
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        parts.append(block)
        ids += [f"c{copy}-{i}" for i in store.ids[:more]]
        sources += [f"copy{copy}/{s}" for s in store.sources[:more]]
    return ids, sources, np.concatenate(parts).astype(np.float32)


def query_vectors(store: VectorIndex | None, matrix: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    out = []
    if store is not None:
        from ingest.embed import embed, load_encoder

        texts = [json.loads(line)["query"] for line in
                 (ROOT / "tests/golden/semantic/queries.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        out.append(embed(load_encoder(store.encoder), texts[:count], query=True))
    missing = count - sum(len(o) for o in out)
    if missing > 0:
        picks = matrix[rng.integers(0, len(matrix), missing)]
        q = picks + 0.5 * rng.standard_normal(picks.shape, dtype=np.float32) / np.sqrt(matrix.shape[1])
        out.append(q / np.linalg.norm(q, axis=1, keepdims=True))
    return np.concatenate(out).astype(np.float32)


def summary(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {"median_ms": round(1000 * statistics.median(s), 2), "p95_ms": round(1000 * s[int(0.95 * (len(s) - 1))], 2)}


def folder_mb(folder: Path, prefix: str) -> float:
    return round(sum(p.stat().st_size for p in folder.iterdir() if p.name.startswith(prefix)) / 2**20, 1)


def source_mask(sources: tuple[str, ...], share: float) -> np.ndarray:
    """Rows of a share of the sources (a filter on documents, as the search filters are)."""
    names = sorted(set(sources))
    keep = set(names[:: max(1, round(1 / share))])
    return np.fromiter((s in keep for s in sources), dtype=bool, count=len(sources))


def run(
    n: int, ids: list[str], sources: list[str], matrix: np.ndarray, queries: np.ndarray, encoder: str,
    tune: list[tuple[int, float]],
) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="ann-eval-"))
    dim = matrix.shape[1]
    out: dict[str, object] = {"rows": n, "dim": dim, "load_before": [round(x, 2) for x in os.getloadavg()]}
    try:
        writer = VectorWriter(tmp, encoder, dim, ann_min_rows=0)
        by_source: dict[str, list[int]] = {}
        for r, s in enumerate(sources):
            by_source.setdefault(s, []).append(r)
        for s, rows in by_source.items():
            writer.replace(s, "h", [ids[r] for r in rows], matrix[rows])
        t = time.perf_counter()
        writer.commit(1)
        out["build_s"] = round(time.perf_counter() - t, 1)
        # An incremental commit: 1% of the sources replaced by new rows (their vectors perturbed).
        changed = list(by_source)[:: 100]
        rng = np.random.default_rng(7)
        changed_rows = 0
        for s in changed:
            rows = by_source[s]
            v = matrix[rows] + 0.1 * rng.standard_normal((len(rows), dim), dtype=np.float32) / np.sqrt(dim)
            writer.replace(s, "h2", [f"new-{ids[r]}" for r in rows], v / np.linalg.norm(v, axis=1, keepdims=True))
            changed_rows += len(rows)
        t = time.perf_counter()
        writer.commit(2)
        out["update_s"] = round(time.perf_counter() - t, 2)
        out["update_rows"] = changed_rows
        folder = tmp / "vectors"
        out["disk_segments_mb"] = folder_mb(folder, "seg-")
        out["disk_graph_mb"] = folder_mb(folder, "ann-")
        t = time.perf_counter()
        store = open_vectors(tmp)
        out["open_s"] = round(time.perf_counter() - t, 2)
        assert store is not None and store.ann is not None, "the graph was not opened"
        out["memory_matrix_mb"] = round(store.matrix.nbytes / 2**20, 1)
        exact = dataclasses.replace(store, ann=None)
        for label, share in (("all", 1.0), ("50%", 0.5), ("10%", 0.1)):
            mask = None if share == 1.0 else source_mask(store.sources, share)
            cell: dict[str, object] = {"allowed_rows": int(n if mask is None else mask.sum())}
            for k in (10, 50):
                times_e, wanted = [], []
                for q in queries:
                    t = time.perf_counter()
                    wanted.append({h.id for h in nearest_units(exact, q, k, mask)})
                    times_e.append(time.perf_counter() - t)
                cell[f"exact_k{k}"] = summary(times_e)
                for ef, overfetch in tune:
                    store.ann.graph.expansion_search = ef
                    ann_module.OVERFETCH = overfetch
                    times_a, recall = [], []
                    for q, want in zip(queries, wanted):
                        t = time.perf_counter()
                        got = nearest_units(store, q, k, mask)
                        times_a.append(time.perf_counter() - t)
                        assert mask is None or all(mask[store.row_of[h.id]] for h in got), "a filtered-out row"
                        recall.append(len(want & {h.id for h in got}) / max(1, len(want)))
                    cell[f"ann_k{k}_ef{ef}_of{overfetch}"] = {**summary(times_a),
                                                             "recall": round(statistics.fmean(recall), 3)}
            out[label] = cell
        assert {unit_id(i) for i in store.ids}  # the store is what was built
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--queries", type=int, default=49)
    parser.add_argument("--index", type=Path, help="the real vectors of this index (read only)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--tune", default=f"{ann_module.EXPANSION_SEARCH}x{ann_module.OVERFETCH}",
                        help="search settings to compare, EFxOVERFETCH,...: expansion_search and over-fetch factor")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    store = None
    if args.index:
        store = open_vectors(args.index)
        if store is None:
            print(f"{args.index} has no vectors", file=sys.stderr)
            return 1
        args.dim = store.dim
        print(f"real vectors: {len(store.ids):,} rows of {args.index} ({store.encoder})")
    tune = [(int(ef), float(of)) for ef, of in (x.split("x") for x in args.tune.split(","))]
    results = []
    print(f"{'rows':>9} {'filter':>6} {'k':>3} {'ef':>4} {'over':>4} {'exact med/p95 ms':>18} {'ann med/p95 ms':>16} "
          f"{'recall':>6}  build s | update s (rows) | graph MB on disk | matrix MB | load")
    for n in [int(x) for x in args.sizes.split(",")]:
        ids, sources, matrix = sized(store, n, args.dim, rng)
        queries = query_vectors(store, matrix, args.queries, rng)
        r = run(n, ids, sources, matrix, queries, store.encoder if store else "synthetic", tune)
        results.append(r)
        first = True
        for label in ("all", "50%", "10%"):
            cell = r[label]
            assert isinstance(cell, dict)
            for k in (10, 50):
                e = cell[f"exact_k{k}"]
                for ef, overfetch in tune:
                    a = cell[f"ann_k{k}_ef{ef}_of{overfetch}"]
                    tail = (f"  {r['build_s']} | {r['update_s']} ({r['update_rows']}) | {r['disk_graph_mb']} | "
                            f"{r['memory_matrix_mb']} | {r['load_before']}->{r['load_after']}" if first else "")
                    first = False
                    print(f"{n:>9,} {label:>6} {k:>3} {ef:>4} {overfetch:>4} {e['median_ms']:>8.2f}/{e['p95_ms']:>8.2f} "
                          f"{a['median_ms']:>7.2f}/{a['p95_ms']:>7.2f} {a['recall']:>6.3f}{tail}", flush=True)
        del matrix
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
