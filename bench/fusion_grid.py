"""The RRF grid on the labelled set through the shipped path: the index's own vectors and keyword search.

    .venv/bin/python bench/fusion_grid.py INDEX_DIR

INDEX_DIR: the index bench/semantic_eval.py --index built and embedded (its shipped-path run embeds it).
Prints recall@5 and MRR per group for keyword, semantic and hybrid at each (k, semantic weight); it is what
index/hybrid.py's RRF_K and SEMANTIC_WEIGHT were chosen from.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from semantic_eval import load_passages, load_queries, scores  # noqa: E402

from index.hybrid import DEPTH, fuse  # noqa: E402
from index.search import Searcher  # noqa: E402
from index.vectors import nearest_units  # noqa: E402

GROUPS = ("all", "same-language", "cross-language", "keyword-style", "paraphrase", "exact-term")


def main(argv: list[str]) -> int:
    searcher = Searcher(Path(argv[0]))
    side = searcher.semantic()
    if side is None:
        print(f"{argv[0]}: {searcher.semantic_note}", file=sys.stderr)
        return 1
    queries = load_queries(load_passages(searcher))
    keyword = {q.id: [h.passage_id for h in searcher.search(q.text, limit=DEPTH, mode="keyword", with_facets=False).hits]
               for q in queries}
    passages = side.allowed_mask(searcher, searcher.filter_query(__import__("index.search").search.Filters()))
    semantic = {q.id: [h.id for h in nearest_units(side.store, side.query_vector(q.text), DEPTH, passages)]
                for q in queries}
    print(f"{'':<14}" + "".join(f"{g:>22}" for g in GROUPS))
    rows = [("keyword", keyword), ("semantic", semantic)]
    for k in (5, 10, 20, 60):
        for w in (0.25, 0.5, 0.75, 1.0):
            rows.append((f"rrf k={k} w={w:g}", {q.id: [h.id for h in fuse(keyword[q.id], semantic[q.id], k, w)]
                                                 for q in queries}))
    for name, ranking in rows:
        t = scores(ranking, queries)
        print(f"{name:<14}" + "".join(f"{t[g][0]:>10.3f} / {t[g][1]:.3f}  " for g in GROUPS))
    searcher.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
