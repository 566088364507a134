"""Keyword vs semantic vs hybrid search on the labelled set in tests/golden/semantic/, per encoder.

    .venv/bin/python bench/semantic_eval.py [--encoders use-m3,e5-small] [--index DIR] [--tune] [--verbose]
    .venv/bin/python bench/semantic_eval.py --exact-timing [--sizes 10000,100000,1000000]

Indexes the documents listed in documents.txt (real files from ../shared/corpus) with the real ingest
pipeline, embeds every passage, then runs the queries of queries.jsonl (ours, EN and FR) in each mode and
prints recall@5 and MRR (cut at 50) for all queries, same-language vs cross-language, keyword-style vs
paraphrase; embedding throughput; query latency per mode. A passage is relevant when it belongs to a labelled
document and holds the label's anchor (a few words, compared with case, accents and spacing folded).
`--index DIR` keeps the built index there and reuses it on the next run (ingest takes a minute or two).
`--tune` prints the RRF grid (k, semantic weight) the defaults in index/hybrid.py were chosen from.
`--exact-timing` times exact top-k over synthetic unit vectors, to decide whether an ANN index is needed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.hybrid import DEPTH, RRF_K, SEMANTIC_WEIGHT, fuse  # noqa: E402
from index.vectors import VectorIndex, top_k  # noqa: E402
from ingest.embed import embed, load_encoder  # noqa: E402
from ingest.gazetteer import fold  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "semantic"
SHARED = ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    text: str
    lang: str
    style: str  # "keyword" (the documents' own terms, or their translation) or "paraphrase"
    relevant: frozenset[str]  # passage ids
    cross: bool  # the relevant documents are in the other language


@dataclass(frozen=True, slots=True)
class PassageRow:
    id: str
    source: str
    lang: str
    text: str


def _norm(text: str) -> str:
    return " ".join(fold(text.replace("’", "'")).split())


def golden_sources() -> list[str]:
    lines = (GOLDEN / "documents.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def build_or_open_index(index_dir: Path) -> None:
    """Ingest the golden documents into `index_dir` (unchanged files are skipped on a second run)."""
    from index.writer import IndexWriter
    from ingest.entities import load_pipelines
    from ingest.pipeline import ingest_paths

    writer = IndexWriter(index_dir)
    try:
        summary = ingest_paths([SHARED / s for s in golden_sources()], writer, load_pipelines(), progress=False)
    finally:
        writer.close()
    failed = [r for r in summary.results if r.status == "failed"] if hasattr(summary, "results") else []
    for r in failed:
        print(f"  ingest failed: {r}", file=sys.stderr)


def load_passages(searcher: object) -> list[PassageRow]:
    raw = searcher.raw()  # type: ignore[attr-defined]
    rows = [
        PassageRow(d["id"], d["source"], d.get("lang", ""), d.get("content", ""))
        for d in raw.documents(type="passage")
    ]
    return sorted(rows, key=lambda r: r.id)


def load_queries(passages: list[PassageRow]) -> list[Query]:
    by_source: dict[str, list[PassageRow]] = {}
    for p in passages:
        by_source.setdefault(p.source, []).append(p)
    root = str(SHARED)
    queries = []
    for line in (GOLDEN / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        relevant: set[str] = set()
        doc_langs: set[str] = set()
        for label in item["relevant"]:
            rows = by_source.get(f"{root}/{label['source']}") or by_source.get(label["source"]) or []
            anchor = _norm(label["anchor"])
            found = [p for p in rows if anchor in _norm(p.text)]
            if not found:
                raise SystemExit(f"{item['id']}: anchor {label['anchor']!r} not in any passage of {label['source']}")
            relevant.update(p.id for p in found)
            doc_langs.update(p.lang for p in found)
        queries.append(Query(item["id"], item["query"], item["lang"], item["style"], frozenset(relevant),
                             item["lang"] not in doc_langs))
    return queries


def recall_at(ranking: Sequence[str], relevant: frozenset[str], k: int = 5) -> float:
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def reciprocal_rank(ranking: Sequence[str], relevant: frozenset[str], cut: int = 50) -> float:
    for r, id_ in enumerate(ranking[:cut], 1):
        if id_ in relevant:
            return 1.0 / r
    return 0.0


def keyword_rankers(searcher: object) -> dict[str, Callable[[str], list[str]]]:
    """The shipped keyword search (every word must match), and an any-word variant for fusion."""
    from whoosh.qparser import MultifieldParser, OrGroup
    from whoosh.query import Term

    from index.search import SEARCH_FIELDS

    raw = searcher.raw()  # type: ignore[attr-defined]
    or_parser = MultifieldParser(list(SEARCH_FIELDS), raw.schema, group=OrGroup.factory(0.9))

    def shipped(text: str) -> list[str]:
        return [h.passage_id for h in searcher.search(text, limit=DEPTH, with_facets=False).hits]  # type: ignore

    def any_word(text: str) -> list[str]:
        hits = raw.search(or_parser.parse(text.replace("’", "'")), filter=Term("type", "passage"), limit=DEPTH)
        return [h["id"] for h in hits]

    return {"and": shipped, "or": any_word}


def scores(rankings: dict[str, list[str]], queries: list[Query]) -> dict[str, tuple[float, float, int]]:
    groups: dict[str, list[Query]] = {
        "all": queries,
        "same-language": [q for q in queries if not q.cross],
        "cross-language": [q for q in queries if q.cross],
        "keyword-style": [q for q in queries if q.style == "keyword"],
        "paraphrase": [q for q in queries if q.style == "paraphrase"],
    }
    out = {}
    for name, qs in groups.items():
        r5 = statistics.fmean(recall_at(rankings[q.id], q.relevant) for q in qs) if qs else 0.0
        mrr = statistics.fmean(reciprocal_rank(rankings[q.id], q.relevant) for q in qs) if qs else 0.0
        out[name] = (r5, mrr, len(qs))
    return out


def print_table(title: str, table: dict[str, dict[str, tuple[float, float, int]]]) -> None:
    modes = list(table)
    groups = list(next(iter(table.values())))
    print(f"\n{title}\n{'group':<16}{'n':>4}  " + "  ".join(f"{m:>22}" for m in modes))
    print(f"{'':<20}  " + "  ".join(f"{'R@5':>10} {'MRR':>11}" for _ in modes))
    for g in groups:
        n = table[modes[0]][g][2]
        cells = "  ".join(f"{table[m][g][0]:>10.3f} {table[m][g][1]:>11.3f}" for m in modes)
        print(f"{g:<16}{n:>4}  {cells}")


def ms(samples: list[float]) -> str:
    s = sorted(samples)
    return f"median {1000 * statistics.median(s):7.1f} ms, p95 {1000 * s[int(0.95 * (len(s) - 1))]:7.1f} ms"


def evaluate(encoder_name: str, searcher: object, passages: list[PassageRow], queries: list[Query],
             tune: bool, verbose: bool) -> None:
    t0 = time.perf_counter()
    encoder = load_encoder(encoder_name)
    load_s = time.perf_counter() - t0
    texts = [p.text for p in passages]
    t0 = time.perf_counter()
    matrix = embed(encoder, texts)
    embed_s = time.perf_counter() - t0
    words = sum(len(t.split()) for t in texts)
    print(f"\n=== {encoder_name} (dim {encoder.dim}; loaded in {load_s:.1f} s)")
    print(f"embedding: {len(texts)} passages ({words} words) in {embed_s:.1f} s = "
          f"{len(texts) / embed_s:.1f} passages/s, {words / embed_s:.0f} words/s")
    vectors = VectorIndex(encoder_name, encoder.dim, 0, tuple(p.id for p in passages),
                          tuple(p.source for p in passages), matrix, {p.id: i for i, p in enumerate(passages)})
    rankers = keyword_rankers(searcher)
    timings: dict[str, list[float]] = {"keyword": [], "semantic": [], "hybrid": []}
    keyword: dict[str, dict[str, list[str]]] = {"and": {}, "or": {}}
    semantic: dict[str, list[str]] = {}
    for q in queries:
        t0 = time.perf_counter()
        keyword["and"][q.id] = rankers["and"](q.text)
        t1 = time.perf_counter()
        qv = embed(encoder, [q.text], query=True)[0]
        semantic[q.id] = [h.id for h in top_k(vectors, qv, DEPTH)]
        t2 = time.perf_counter()
        keyword["or"][q.id] = rankers["or"](q.text)
        t3 = time.perf_counter()
        fuse(keyword["and"][q.id], semantic[q.id])
        t4 = time.perf_counter()
        timings["keyword"].append(t1 - t0)
        timings["semantic"].append(t2 - t1)
        timings["hybrid"].append((t1 - t0) + (t2 - t1) + (t4 - t3))

    def hybrid(kind: str, k: float = RRF_K, w: float = SEMANTIC_WEIGHT) -> dict[str, list[str]]:
        return {q.id: [h.id for h in fuse(keyword[kind][q.id], semantic[q.id], k, w)] for q in queries}

    table = {
        "keyword (all words)": scores(keyword["and"], queries),
        "keyword (any word)": scores(keyword["or"], queries),
        "semantic": scores(semantic, queries),
        "hybrid (all words)": scores(hybrid("and"), queries),
        "hybrid (any word)": scores(hybrid("or"), queries),
    }
    print_table(f"{encoder_name}: recall@5 and MRR@50 (RRF k={RRF_K:g}, semantic weight {SEMANTIC_WEIGHT:g})", table)
    print(f"\nquery latency over {len(queries)} queries, {len(passages)} passages (hybrid = keyword + semantic + fusion):")
    for mode, samples in timings.items():
        print(f"  {mode:<9} {ms(samples)}")
    if tune:
        print("\nRRF grid: MRR (all queries), keyword side all words / any word")
        for k in (1, 5, 10, 20, 40, 60):
            cells = []
            for w in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0):
                a = scores(hybrid("and", k, w), queries)["all"][1]
                o = scores(hybrid("or", k, w), queries)["all"][1]
                cells.append(f"w{w:g}: {a:.3f}/{o:.3f}")
            print(f"  k={k:<3} " + "  ".join(cells))
    if verbose:
        print("\nper query: rank of the first relevant passage (keyword all words / semantic / hybrid)")
        fused = hybrid("and")
        for q in queries:
            ranks = [next((r for r, i in enumerate(rk[q.id][:DEPTH], 1) if i in q.relevant), None)
                     for rk in (keyword["and"], semantic, fused)]
            print(f"  {q.id:<9} {'cross' if q.cross else 'same':<5} {q.style:<10} {ranks}  {q.text[:60]}")


def exact_timing(dims: Sequence[int], sizes: Sequence[int], queries: int = 20) -> None:
    """Exact top-50 cosine over n synthetic unit vectors: unfiltered, and with a filter keeping 10% of rows."""
    rng = np.random.default_rng(0)
    print("\nexact top-50 search over synthetic unit vectors (float32, numpy matmul + argpartition)")
    for dim in dims:
        for n in sizes:
            matrix = rng.standard_normal((n, dim), dtype=np.float32)
            matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
            vi = VectorIndex("synthetic", dim, 0, tuple(str(i) for i in range(n)), ("",) * n, matrix, {})
            mask = rng.random(n) < 0.1
            qs = rng.standard_normal((queries, dim), dtype=np.float32)
            plain, masked = [], []
            for q in qs:
                t0 = time.perf_counter()
                top_k(vi, q, 50)
                t1 = time.perf_counter()
                top_k(vi, q, 50, mask)
                t2 = time.perf_counter()
                plain.append(t1 - t0)
                masked.append(t2 - t1)
            print(f"  dim {dim:>4}  n {n:>9,}  ({matrix.nbytes / 2**20:7.0f} MiB)  "
                  f"all rows: {ms(plain)}   10% allowed: {ms(masked)}")
            del matrix, vi


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoders", default="use-m3,e5-small")
    parser.add_argument("--index", type=Path, help="keep the built index here and reuse it")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--exact-timing", action="store_true")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--dims", default="512")
    args = parser.parse_args(argv)
    if args.exact_timing:
        exact_timing([int(d) for d in args.dims.split(",")], [int(s) for s in args.sizes.split(",")])
        return 0
    if not SHARED.is_dir():
        print(f"the real corpus is not beside the project ({SHARED} is absent)", file=sys.stderr)
        return 1
    from index.search import Searcher

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index or Path(tmp) / "index"
        t0 = time.perf_counter()
        build_or_open_index(index_dir)
        print(f"index of {len(golden_sources())} documents ready in {time.perf_counter() - t0:.0f} s")
        searcher = Searcher(index_dir)
        try:
            passages = load_passages(searcher)
            queries = load_queries(passages)
            cross = sum(q.cross for q in queries)
            para = sum(q.style == "paraphrase" for q in queries)
            print(f"{len(passages)} passages; {len(queries)} queries: {cross} cross-language, "
                  f"{len(queries) - cross} same-language; {para} paraphrase, {len(queries) - para} keyword-style")
            for name in args.encoders.split(","):
                evaluate(name.strip(), searcher, passages, queries, args.tune, args.verbose)
        finally:
            searcher.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
