"""Same-language keyword queries drawn from the index itself: does hybrid rank their passages worse than keyword?

    .venv/bin/python bench/keyword_loss.py --index DIR [--queries 300] [--seed 1] [--json F]

Issue 10 asks that same-language keyword queries lose nothing against keyword-only mode. The labelled sets
hold 29 such queries; this draws many more, as a researcher types them: from passages picked at random
(as many English as French), two or three consecutive words of the passage, none a function word, each of
four letters or more, that hold together in at most 30 passages (a term, a name, a phrase of the field, not
"the report says"). A passage is relevant when it holds those words in that order (case, accents and
apostrophes folded). Each query runs in keyword and hybrid mode (`Searcher.search`, 50 hits, the shipped
path); the table gives recall@5 and MRR@50 for both, how many queries hybrid ranks worse than keyword (the
first relevant passage lower), how many drop their relevant passage out of the first five, and what came
before it. Figures, never assertions; the queries are the index's own text, so keyword search is at its best.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh.lang import stopwords_for_language  # noqa: E402

from ingest.gazetteer import fold  # noqa: E402

DEPTH = 50
MAX_HOLDING = 30
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W\d_]|[^\W\d_]", re.U)
_STOP = {lang: frozenset(stopwords_for_language(name)) for lang, name in (("en", "english"), ("fr", "french"))}


def candidates(text: str, lang: str, rng: random.Random) -> list[str]:
    """Runs of 2-3 consecutive content words of a passage, shuffled."""
    words = [m.group(0) for m in _WORD.finditer(text)]
    stop = _STOP.get(lang, frozenset())
    runs = []
    for size in (2, 3):
        for i in range(len(words) - size + 1):
            run = words[i:i + size]
            if all(len(w) >= 4 and w.lower() not in stop and "'" not in w and "’" not in w for w in run):
                runs.append(" ".join(run))
    rng.shuffle(runs)
    return runs


def first_rank(ids: list[str], relevant: set[str]) -> int | None:
    return next((r for r, i in enumerate(ids, 1) if i in relevant), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    from index.search import Searcher

    searcher = Searcher(args.index)
    if searcher.semantic() is None:
        print(f"bench: {args.index} holds no vectors: hybrid is keyword there", file=sys.stderr)
        return 1
    raw = searcher.raw()
    passages = sorted(
        ((d["id"], d.get("lang", ""), d.get("content", "")) for d in raw.documents(type="passage")),
        key=lambda p: p[0],
    )
    folded = {pid: fold(text) for pid, _, text in passages}
    rng = random.Random(args.seed)
    by_lang = {lang: [p for p in passages if p[1] == lang] for lang in ("en", "fr")}
    for group in by_lang.values():
        rng.shuffle(group)
    order = [p for pair in zip(by_lang["en"], by_lang["fr"]) for p in pair]  # as many queries of each language
    rows = []
    for pid, lang, text in order:
        if len(rows) >= args.queries:
            break
        for query in candidates(text, lang, rng)[:5]:
            key = fold(query)
            relevant = {other for other, body in folded.items() if key in body}
            if pid in relevant and len(relevant) <= MAX_HOLDING:
                break
        else:
            continue
        ranks = {}
        firsts = {}
        for mode in ("keyword", "hybrid"):
            hits = searcher.search(query, limit=DEPTH, mode=mode, with_facets=False, with_snippets=False).hits
            ids = [h.passage_id for h in hits]
            ranks[mode] = first_rank(ids, relevant)
            firsts[mode] = [(h.passage_id, h.why, h.lang)
                            for h in hits[:5]]
        rows.append({"query": query, "lang": lang, "words": len(query.split()), "holding": len(relevant),
                     "keyword": ranks["keyword"], "hybrid": ranks["hybrid"], "hybrid_first": firsts["hybrid"]})
    searcher.close()

    def rr(r: int | None) -> float:
        return 1.0 / r if r else 0.0

    def summary(group: list[dict]) -> dict:
        return {
            "n": len(group),
            "keyword_recall5": round(statistics.fmean((r["keyword"] or 99) <= 5 for r in group), 3),
            "hybrid_recall5": round(statistics.fmean((r["hybrid"] or 99) <= 5 for r in group), 3),
            "keyword_mrr": round(statistics.fmean(rr(r["keyword"]) for r in group), 3),
            "hybrid_mrr": round(statistics.fmean(rr(r["hybrid"]) for r in group), 3),
            "hybrid_worse": sum(rr(r["hybrid"]) < rr(r["keyword"]) for r in group),
            "hybrid_better": sum(rr(r["hybrid"]) > rr(r["keyword"]) for r in group),
            "out_of_first_five": sum((r["keyword"] or 99) <= 5 < (r["hybrid"] or 99) for r in group),
        }

    groups = {"all": rows}
    for lang in ("en", "fr"):
        groups[f"{lang} queries"] = [r for r in rows if r["lang"] == lang]
    for n in (2, 3):
        groups[f"{n} words"] = [r for r in rows if r["words"] == n]
    table = {name: summary(group) for name, group in groups.items() if group}
    print(f"{len(rows)} same-language keyword queries drawn from {args.index} (seed {args.seed}); relevant: the "
          f"passages holding the words in order (at most {MAX_HOLDING})")
    print(f"{'':<12} {'n':>4}  {'recall@5 kw / hy':>17}  {'MRR kw / hy':>13}  {'hybrid worse':>12}  "
          f"{'better':>6}  {'out of first five':>17}")
    for name, s in table.items():
        print(f"{name:<12} {s['n']:>4}  {s['keyword_recall5']:>8.3f} / {s['hybrid_recall5']:.3f}  "
              f"{s['keyword_mrr']:>5.3f} / {s['hybrid_mrr']:.3f}  {s['hybrid_worse']:>12}  {s['hybrid_better']:>6}  "
              f"{s['out_of_first_five']:>17}")
    worse = [r for r in rows if rr(r["hybrid"]) < rr(r["keyword"])]
    if worse:
        print("\nranked worse by hybrid (keyword rank -> hybrid rank; why the hybrid first five matched):")
        for r in worse:
            why = ", ".join(f"{w}/{lg}" for _, w, lg in r["hybrid_first"])
            print(f"  {r['keyword']} -> {r['hybrid']}  [{r['lang']}] {r['query']!r}  ({why})")
    if args.json:
        args.json.write_text(json.dumps({"summary": table, "rows": rows}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
