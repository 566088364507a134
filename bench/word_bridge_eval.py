"""Experiment for issue 10 (not in the product): a query's words carried into the other language by the
encoder itself, then searched there and fused with hybrid search.

    .venv/bin/python bench/word_bridge_eval.py --index DIR    (DIR: bench/semantic_eval.py --index DIR)

Each content word of a cross-language labelled query (with `--all`, of every query: a search does not
know which language the answer is in) is embedded alone and matched
to its nearest words in the other language's vocabulary (words of 4+ letters met 3+ times in that language's
indexed passages, stop words left out; `--per` nearest, cosine at least `--floor`); those words, any of them,
are searched with keyword search in that language, and the list is fused with the hybrid ranking by
reciprocal rank (weight `--weight` against 1). Prints how many labelled passages are in the first five, and
the MRR, before and after, per direction. Figures, never assertions.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from semantic_eval import load_passages, load_queries, recall_at, reciprocal_rank  # noqa: E402

from index.hybrid import DEPTH, RRF_K  # noqa: E402
from index.search import Filters, Searcher  # noqa: E402
from ingest.embed import embed, load_encoder  # noqa: E402

_WORD = re.compile(r"[^\W\d_]{4,}", re.U)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--per", type=int, default=2)
    parser.add_argument("--floor", type=float, default=0.45)
    parser.add_argument("--weight", type=float, default=1.0)
    parser.add_argument("--all", action="store_true", help="same-language queries too (carried to the other)")
    args = parser.parse_args(argv)
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.fr.stop_words import STOP_WORDS as FR

    stop = {"en": EN, "fr": FR}
    searcher = Searcher(args.index)
    passages = load_passages(searcher)
    queries = [q for q in load_queries(passages) if q.cross or args.all]
    encoder = load_encoder("use-m3", threads=2)
    vocab = {}
    for lang in ("en", "fr"):
        counts = Counter(w.lower() for p in passages if p.lang == lang for w in _WORD.findall(p.text))
        words = [w for w, n in counts.most_common() if n >= 3 and w not in stop[lang]]
        vocab[lang] = (words, embed(encoder, words))

    def carried(text: str, src: str, dst: str) -> list[str]:
        words = [w.lower() for w in _WORD.findall(text) if w.lower() not in stop[src]]
        if not words:
            return []
        names, rows = vocab[dst]
        sims = embed(encoder, words) @ rows.T
        out: list[str] = []
        for i in range(len(words)):
            for j in np.argsort(-sims[i])[: args.per]:
                if sims[i, j] >= args.floor and names[j] not in out:
                    out.append(names[j])
        return out

    def fuse(*lists: list[str], weights: tuple[float, ...]) -> list[str]:
        score: Counter[str] = Counter()
        for ranking, weight in zip(lists, weights):
            for rank, pid in enumerate(ranking, 1):
                score[pid] += weight / (RRF_K + rank)
        return [pid for pid, _ in score.most_common()]

    table: dict[str, dict[str, list[tuple[float, float]]]] = {"hybrid": {}, "hybrid + carried words": {}}
    for q in queries:
        dst = "en" if q.lang == "fr" else "fr"
        hybrid = [h.passage_id for h in searcher.search(q.text, limit=DEPTH, mode="hybrid").hits]
        words = carried(q.text, q.lang, dst)
        bridge = [h.passage_id for h in searcher.search(
            " OR ".join(words), Filters(langs=(dst,)), limit=DEPTH, mode="keyword").hits] if words else []
        direction = f"{q.lang}->{dst}" if q.cross else f"{q.lang} (same language)"
        for name, ranking in (("hybrid", hybrid), ("hybrid + carried words", fuse(hybrid, bridge, weights=(1.0, args.weight)))):
            table[name].setdefault(direction, []).append((recall_at(ranking, q.relevant), reciprocal_rank(ranking, q.relevant)))
        print(f"  {q.id}: {', '.join(words[:10])}")
    print(f"\n{len(queries)} queries; per={args.per} floor={args.floor} weight={args.weight}")
    for name, by in table.items():
        cells = [f"{d}: {sum(r > 0 for r, _ in v)}/{len(v)} in the first 5, MRR {sum(m for _, m in v) / len(v):.2f}"
                 for d, v in sorted(by.items())]
        print(f"{name:<24} " + " · ".join(cells))
    searcher.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
