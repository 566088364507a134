"""Scale benchmark: each engine at 10k, 100k and 1M passages, through our layer and bare.

    nice -n 10 .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--whoosh-max 100000]
        [--queries 200] [--out bench/results/scale.json] [--keep DIR | --reuse DIR/temoin-scale-XXXX]

A synthetic corpus is generated into a temporary folder, never committed: passages of 100-250 words (what
ingest/passages.py cuts) made of real sentences drawn from ../shared/corpus (its text files, by their
MANIFEST language), in documents of 20 passages with a kind, a language, a date, and organisations, places,
people and mentioned dates drawn from Zipf-like vocabularies (the gazetteer's names plus made-up ones), so
facets have a realistic spread. Each engine runs in a child process that builds its index through our
writer (index/engine.py, commits every `commit_every` documents as `temoin ingest`), growing it size by size;
after each size it measures the index on disk, the peak RSS so far, and search latency for the same
queries (words, two words, phrases; half with an organisation or date filter):
  - ours plain: `search(..., with_facets=False, with_snippets=False)`; ours full: snippets + facets;
  - bare plain / bare full: the engine's own parser and API on the same index, doing the same work
    (top 10 with stored fields and the total; plus highlights and the same seven facets' counts).
Figures, never assertions. Whoosh builds at ~200 passages/s: it stops at --whoosh-max (see README).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.search import Filters  # noqa: E402
from ingest.records import Document, DocumentRecord, Kind, Label, Mention, Passage  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
PASSAGES_PER_DOC = 20
KINDS = [(Kind.REPORT, 5), (Kind.RULING, 3), (Kind.PRESS, 2), (Kind.TESTIMONY, 2), (Kind.OTHER, 1)]
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ö\"“«(])")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]{4,}")
FACETS = ("org", "place", "person", "kind", "lang", "year", "mentioned_year")


# ------------------------------------------------------------------ the synthetic corpus


def sentence_pool(corpus: Path) -> dict[str, list[str]]:
    """Real sentences of 6-60 words from the shared corpus's text files, by language."""
    pool: dict[str, set[str]] = {"en": set(), "fr": set()}
    rows = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for row in rows:
        cols = row.split("\t")
        if len(cols) < 6 or cols[5] not in pool or not cols[0].endswith((".txt", ".md")):
            continue
        path = corpus / cols[0]
        if not path.is_file():
            continue
        text = " ".join(path.read_text(encoding="utf-8", errors="replace").split())
        for sentence in _SENTENCE.split(text):
            if 6 <= len(sentence.split()) <= 60:
                pool[cols[5]].add(sentence)
    return {lang: sorted(s) for lang, s in pool.items()}


def vocabularies() -> dict[str, list[str]]:
    """Entity names, most frequent first: the gazetteer's organisations and places, then made-up ones."""
    gazetteer: dict[str, list[str]] = {"ORG": [], "PLACE": []}
    for line in (ROOT / "ingest" / "data" / "gazetteer.tsv").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 2 and cols[0] in gazetteer:
            gazetteer[cols[0]].append(cols[1])
    heads = ["Collectif", "Association", "Comité", "Observatoire", "Network", "Centre", "Fondation", "Watch"]
    tails = ["du Littoral", "for Refugees", "des Droits", "Solidarité", "Legal Aid", "des Exilés", "Border", "Nord"]
    orgs = gazetteer["ORG"] + [f"{h} {t} {n}" for n in range(1, 40) for h in heads for t in tails][:2000]
    places = gazetteer["PLACE"] + [f"Commune {n:04d}" for n in range(1, 800)]
    persons = [f"Witness {chr(65 + n % 26)}. {n:05d}" for n in range(8000)]
    return {"ORG": orgs, "PLACE": places, "PERSON": persons}


def _zipf(names: list[str]) -> list[float]:
    total, out = 0.0, []
    for rank in range(len(names)):
        total += 1.0 / (rank + 1)
        out.append(total)
    return out


class SyntheticCorpus:
    """Document n is the same for every engine and run: its random generator is seeded by n."""

    def __init__(self, pool: dict[str, list[str]], seed: int = 7) -> None:
        self.pool = pool
        self.seed = seed
        self.vocab = vocabularies()
        self.weights = {label: _zipf(names) for label, names in self.vocab.items()}

    def records(self, first_passage: int, last_passage: int) -> Iterator[DocumentRecord]:
        """Documents holding passages [first, last) of the corpus (sizes are multiples of 20)."""
        for d in range(first_passage // PASSAGES_PER_DOC, -(-last_passage // PASSAGES_PER_DOC)):
            yield self.record(d)

    def record(self, d: int) -> DocumentRecord:
        rng = random.Random(self.seed * 1_000_003 + d)
        lang = "fr" if rng.random() < 0.3 else "en"
        sentences = self.pool[lang]
        doc_id = f"{d:016x}"
        texts: list[str] = []
        for _ in range(PASSAGES_PER_DOC):
            target, words, parts = rng.randint(100, 250), 0, []
            while words < target:
                parts.append(rng.choice(sentences))
                words += parts[-1].count(" ") + 1
            texts.append(" ".join(parts))
        year = rng.randint(2000, 2024)
        date = rng.choice([f"{year}", f"{year}-{rng.randint(1, 12):02d}", f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"])
        passages, mentions, at = [], [], 0
        for n, text in enumerate(texts):
            pid = f"{doc_id}:{n:04d}"
            passages.append(Passage(pid, doc_id, n + 1, at, at + len(text), text, lang))
            for label, counts in ((Label.ORG, 3), (Label.PLACE, 3), (Label.PERSON, 2)):
                vocab = self.vocab[label.value]
                for name in rng.choices(vocab, cum_weights=self.weights[label.value], k=rng.randint(0, counts)):
                    mentions.append(Mention(label, name, name, at, at + min(len(name), len(text)), pid))
            for _ in range(rng.randint(0, 2)):
                y = rng.randint(1990, 2024)
                value = rng.choice([f"{y}", f"{y}-{rng.randint(1, 12):02d}"])
                mentions.append(Mention(Label.DATE, value, value, at, at + 4, pid, value))
            at += len(text) + 2
        kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        document = Document(
            id=doc_id, source=f"synthetic/{d:07d}.txt", file_hash=doc_id, format="txt", title=texts[0][:80],
            kind=kind, language=lang, date=date, publisher=None, url=None, pages=PASSAGES_PER_DOC,
            text="\n\n".join(texts),
        )
        return DocumentRecord(document, tuple(passages), mentions=tuple(mentions))

    def queries(self, count: int, seed: int = 11) -> list[tuple[str, Filters]]:
        """Words, two words and phrases from the corpus's sentences; a quarter with an organisation filter
        (one of the 20 most frequent), a quarter with a date filter."""
        rng = random.Random(seed)
        out: list[tuple[str, Filters]] = []
        while len(out) < count:
            words = _WORD.findall(rng.choice(self.pool[rng.choice(["en", "en", "fr"])]))
            if len(words) < 3:
                continue
            i = rng.randrange(len(words) - 2)
            text = rng.choice([words[i], f"{words[i]} {words[i + 2]}", f'"{words[i]} {words[i + 1]}"'])
            roll = rng.random()
            flt = Filters()
            if roll < 0.25:
                flt = Filters(orgs=(rng.choice(self.vocab["ORG"][:20]),))
            elif roll < 0.5:
                flt = Filters(since=str(rng.randint(2005, 2020)))
            out.append((text, flt))
        return out


# ------------------------------------------------------------------ bare engines: the same work, their own API


class BareTantivy:
    def __init__(self, path: Path) -> None:
        import tantivy

        from index.tantivy_schema import open_tantivy

        self.t = tantivy
        self.ix = open_tantivy(path)  # registers the analysers, as any program on this index must
        self.schema = self.ix.schema
        self.searcher = self.ix.searcher()

    def search(self, text: str, flt: Filters, full: bool, exact: bool = True) -> int:
        """The same work as ours; `exact`: facet counts exact as ours (every value of every segment counted,
        `segment_size`), else Tantivy's default request, whose counts are short when a value is cut from a
        segment's top 10x (at 1M passages, 11 segments: a wrong count in the top 30 for 53 of 172 queries)."""
        t, schema = self.t, self.schema
        words = text if text.startswith('"') else " ".join(f"+{w}" for w in text.split())
        query = self.ix.parse_query(words, ["title", "content", "content_en", "content_fr"], {"title": 1.5})
        clauses = [(t.Occur.Must, query), (t.Occur.Must, t.Query.term_query(schema, "type", "passage"))]
        if flt.orgs:
            clauses.append((t.Occur.Must, t.Query.term_query(schema, "org", flt.orgs[0])))
        if flt.since:
            clauses.append((t.Occur.Must, t.Query.range_query(
                schema, "date_hi", t.FieldType.Integer, int(flt.since) * 10000 + 101, None)))
        full_q = t.Query.boolean_query(clauses)
        found = self.searcher.search(full_q, 10, count=True)
        docs = [json.loads(bytes(self.searcher.doc(a).get_first("stored"))) for _, a in found.hits]
        if full:  # highlights in the stemmed field of the passage's language, else the folded one, as ours
            generators: dict[str, Any] = {}
            for d in docs:
                for field in ("content_fr" if d.get("lang") == "fr" else "content_en", "content"):
                    if field not in generators:
                        generators[field] = t.SnippetGenerator.create(self.searcher, query, schema, field)
                        generators[field].set_max_num_chars(320)
                    if generators[field].snippet_from_doc(t.Document(**{field: [d["content"]]})).highlighted():
                        break
            if found.count:
                every = {"segment_size": 2**31 - 1} if exact else {}
                self.searcher.aggregate(full_q, {
                    f: {"terms": {"field": f, "size": 1000 if f in ("year", "mentioned_year") else 30, **every}}
                    for f in FACETS
                })
        return int(found.count)


class BareWhoosh:
    def __init__(self, path: Path) -> None:
        from whoosh import index as whoosh_index
        from whoosh import sorting
        from whoosh.qparser import AndGroup, MultifieldParser

        self.sorting = sorting
        self.ix = whoosh_index.open_dir(str(path))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "content", "content_en", "content_fr"], self.ix.schema, group=AndGroup)

    def search(self, text: str, flt: Filters, full: bool, exact: bool = True) -> int:
        from whoosh.query import And, NumericRange, Term

        query = self.parser.parse(text)
        parts = [Term("type", "passage")]
        if flt.orgs:
            parts.append(Term("org", flt.orgs[0]))
        if flt.since:
            parts.append(NumericRange("date_hi", int(flt.since) * 10000 + 101, None))
        kwargs: dict[str, Any] = {"limit": 10, "filter": And(parts)}
        if full:
            kwargs["groupedby"] = {f: self.sorting.FieldFacet(f, allow_overlap=True) for f in FACETS}
            kwargs["terms"] = True
        results = self.searcher.search(query, **kwargs)
        for hit in results:
            stored = hit.fields()
            if full:
                stemmed = "content_fr" if stored.get("lang") == "fr" else "content_en"
                hit.highlights(stemmed, text=stored.get("content", ""), top=2) or hit.highlights(
                    "content", text=stored.get("content", ""), top=2)
        if full:
            for f in FACETS:
                results.groups(f)
        return len(results)


# ------------------------------------------------------------------ one engine, in a child process


def _ms(values: list[float], cpu: list[float]) -> dict[str, float]:
    def pct(xs: list[float], q: float) -> float:
        ordered = sorted(xs)
        return round(ordered[min(int(round(q * (len(ordered) - 1))), len(ordered) - 1)], 3)

    return {
        "n": len(values),
        # to the µs: at 10k passages a plain search takes ~0.4 ms, and rounding to 0.01 ms moved the overhead,
        # computed from these, by up to 2.5 points
        "median_ms": round(statistics.median(values), 3), "p95_ms": pct(values, 0.95),
        "cpu_median_ms": round(statistics.median(cpu), 3), "cpu_p95_ms": pct(cpu, 0.95),
    }


WARM_UP = 5


def _timed_pair(*runs: Any, queries: list[tuple[str, Filters]], budget_s: float) -> list[dict]:
    """Latencies of ours and bare (and other runs) on the same queries, taken in turns so that all see the same
    load: wall time, and CPU time (this process's: the query's own work, which a busy machine does not
    stretch). Who goes first rotates from one query to the next: the first run of a new query pays for
    bringing its postings and stored blocks into memory, and the runs after it do not (ours always first:
    +54% over bare at 10k passages; bare always first: +33%; rotating: +47%)."""
    queries, warm_up = queries[:-WARM_UP], queries[-WARM_UP:]
    for text, flt in warm_up:  # warm the engines' caches, as a running UI has them; other queries than those
        for run in runs:       # timed, so that no result our layer keeps (facets) is reused
            run(text, flt)
    wall: list[list[float]] = [[] for _ in runs]
    cpu: list[list[float]] = [[] for _ in runs]
    start = time.perf_counter()
    for i, (text, flt) in enumerate(queries):
        for j in range(len(runs)):
            n = (i + j) % len(runs)
            run = runs[n]
            t0, c0 = time.perf_counter(), time.process_time()
            run(text, flt)
            cpu[n].append((time.process_time() - c0) * 1000)
            wall[n].append((time.perf_counter() - t0) * 1000)
        if time.perf_counter() - start > budget_s and len(wall[0]) >= 20:
            break  # a slow engine answers fewer queries, said by "n"
    return [_ms(w, c) for w, c in zip(wall, cpu)]


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def snapshot_dir(work: Path, engine: str, size: int) -> Path:
    return work / f"{engine}-{size}"


def child(
    engine: str, sizes: list[int], index_dir: Path, queries_n: int, commit_every: int, budget_s: float,
    snapshots: Path | None = None, reuse: bool = False, cache: bool = True, merge: bool = True,
) -> None:
    from index.engine import open_writer

    if not merge:  # Whoosh: leave each commit's segment as it is at the end of a size (index/writer.py)
        import index.writer

        index.writer.MERGE_ABOVE = 10**9

    corpus = SyntheticCorpus(sentence_pool(SHARED))
    queries = corpus.queries(queries_n + WARM_UP)  # the same first `queries_n` as with fewer
    done = 0
    for size in sizes:
        if reuse and snapshots is not None:  # time queries again on the index kept by an earlier run
            row = time_queries(engine, snapshot_dir(snapshots, engine, size), queries, budget_s, cache, {
                "engine": engine, "passages": size, "built": 0, "build_s": None, "build_passages_per_s": None,
                "build_peak_rss_mb": None, "reused": True,
            })
            print(json.dumps(row), flush=True)
            continue
        t0 = time.perf_counter()
        writer = open_writer(index_dir, engine=engine)
        build_s = time.perf_counter() - t0
        for n, record in enumerate(corpus.records(done, size), 1):  # making the records is not timed
            t0 = time.perf_counter()
            writer.replace(record.document.source, [record])
            if n % commit_every == 0:
                writer.commit()
            build_s += time.perf_counter() - t0
        t0 = time.perf_counter()
        writer.close()
        build_s += time.perf_counter() - t0
        build_rss = _rss_mb()
        built, done = size - done, size
        if snapshots is not None:  # segment files are never rewritten: hard links keep this size's index
            shutil.copytree(index_dir, snapshot_dir(snapshots, engine, size), copy_function=os.link)
        print(json.dumps(time_queries(engine, index_dir, queries, budget_s, cache, {
            "engine": engine, "passages": size, "built": built, "build_s": round(build_s, 1),
            "build_passages_per_s": round(built / build_s), "build_peak_rss_mb": build_rss,
        })), flush=True)


def time_queries(
    engine: str, index_dir: Path, queries: list[tuple[str, Filters]], budget_s: float, cache: bool, row: dict,
) -> dict:
    """Time ours and bare on the index at `index_dir`: the row, with `row`'s keys first."""
    from index.engine import open_searcher

    disk = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file())
    ours = open_searcher(index_dir)
    if not cache and hasattr(ours, "cache_size"):
        ours.cache_size = 0  # nothing kept between searches: each one does all its work
    row["cache"] = cache
    bare = BareTantivy(index_dir) if engine == "tantivy" else BareWhoosh(index_dir)
    plain = _timed_pair(lambda q, f: ours.search(q, f, with_facets=False, with_snippets=False),
                        lambda q, f: bare.search(q, f, False), queries=queries, budget_s=budget_s)
    full = _timed_pair(lambda q, f: ours.search(q, f), lambda q, f: bare.search(q, f, True),
                       lambda q, f: bare.search(q, f, True, exact=False), queries=queries, budget_s=budget_s)
    row = {
        **row, "index_mb": round(disk / 1e6, 1),
        "ours_plain": plain[0], "bare_plain": plain[1], "ours_full": full[0], "bare_full": full[1],
        "bare_full_approx": full[2],
        "totals_agree": sum(ours.search(q, f, with_facets=False, with_snippets=False).total == bare.search(q, f, False)
                            for q, f in queries[:50]),
        "peak_rss_mb": _rss_mb(),
        "load": os.getloadavg()[0],
    }
    if engine == "tantivy":
        row["segments"] = bare.searcher.num_segments
    else:
        with bare.ix.reader() as reader:
            row["segments"] = len(reader.leaf_readers())
    for mode, bare_mode in (("plain", "plain"), ("full", "full"), ("full_approx", "full_approx")):
        o, b = row[f"ours_{mode.split('_')[0]}"], row[f"bare_{bare_mode}"]
        row[f"overhead_{mode}_pct"] = {
            k: round(100 * (o[k] - b[k]) / b[k], 1) if b[k] else None
            for k in ("median_ms", "p95_ms", "cpu_median_ms", "cpu_p95_ms")
        }
    ours.close()
    return row


# ------------------------------------------------------------------ the table


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'engine':<8}{'passages':>10}{'build/s':>9}{'disk MB':>9}{'RSS MB':>8}  "
          f"{'latency ms, median/p95: wall (CPU)':<78}{'overhead, CPU med/p95: plain, full (vs approximate)':>22}")
    for r in rows:
        def mp(m: dict[str, float]) -> str:
            return f"{m['median_ms']}/{m['p95_ms']} ({m['cpu_median_ms']}/{m['cpu_p95_ms']})"
        lat = (f"plain {mp(r['ours_plain'])} bare {mp(r['bare_plain'])}; "
               f"full {mp(r['ours_full'])} bare {mp(r['bare_full'])}")
        if "bare_full_approx" in r:  # rows of older runs lack it
            lat += f" bare, approximate facets {mp(r['bare_full_approx'])}"
        modes = [m for m in ("plain", "full", "full_approx") if f"overhead_{m}_pct" in r]
        over = " ".join(f"{r[f'overhead_{m}_pct']['cpu_median_ms']}%/{r[f'overhead_{m}_pct']['cpu_p95_ms']}%"
                        for m in modes)
        print(f"{r['engine']:<8}{r['passages']:>10,}{r['build_passages_per_s'] or 0:>9,}{r['index_mb']:>9}"
              f"{r['peak_rss_mb']:>8}  {lat:<78}{over:>22}")


def _write(out: Path, args: argparse.Namespace, rows: list[dict[str, Any]]) -> None:
    result = {
        "machine": {"cpus": os.cpu_count(), "load_end": os.getloadavg()},
        "whoosh_max": args.whoosh_max, "commit_every": args.commit_every, "merge": not args.no_merge,
        "queries": args.queries, "rows": rows,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--whoosh-max", type=int, default=100_000, help="largest size Whoosh builds (~200/s)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per mode of queries, at most")
    parser.add_argument("--commit-every", type=int, default=25, help="documents between commits (the setting)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scale.json")
    parser.add_argument("--keep", type=Path, help="build the indexes in a new folder here and keep them, with "
                        "a copy (hard links) of each size's index, for --reuse (default: a temp dir)")
    parser.add_argument("--reuse", type=Path, help="a folder kept by --keep: time the queries again on its "
                        "indexes, without building")
    parser.add_argument("--no-cache", action="store_true", help="our Tantivy searcher keeps no facets or "
                        "compiled filters between searches (index/tantivy_search.py CACHE_SIZE)")
    parser.add_argument("--no-merge", action="store_true", help="Whoosh: do not merge the index's segments "
                        "at the end of each size as `temoin ingest` does (at 1M passages that merge is Whoosh "
                        "rewriting every posting in Python, about an hour here); say the segments in the table")
    parser.add_argument("--snapshots", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.child:
        child(args.child, sizes, args.index, args.queries, args.commit_every, args.budget,
              args.snapshots, reuse=args.reuse is not None, cache=not args.no_cache, merge=not args.no_merge)
        return 0
    if not (SHARED / "MANIFEST.tsv").is_file():
        print(f"bench: the shared corpus is needed for real sentences ({SHARED} is absent)", file=sys.stderr)
        return 1
    work = args.reuse or Path(tempfile.mkdtemp(prefix="temoin-scale-", dir=args.keep))
    rows: list[dict[str, Any]] = []
    try:
        for engine in args.engines.split(","):
            engine_sizes = [s for s in sizes if engine != "whoosh" or s <= args.whoosh_max]
            command = [sys.executable, __file__, "--child", engine, "--index", str(work / engine),
                       "--sizes", ",".join(map(str, engine_sizes)), "--queries", str(args.queries),
                       "--budget", str(args.budget), "--commit-every", str(args.commit_every)]
            if args.no_cache:
                command.append("--no-cache")
            if args.no_merge:
                command.append("--no-merge")
            if args.keep or args.reuse:
                command += ["--snapshots", str(work)] + (["--reuse", str(work)] if args.reuse else [])
            with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
                assert proc.stdout is not None
                for line in proc.stdout:
                    rows.append(json.loads(line))
                    print_table(rows[-1:])
                    _write(args.out, args, rows)  # what is done survives a run stopped later
            if proc.returncode:
                print(f"bench: the {engine} run failed (exit {proc.returncode})", file=sys.stderr)
    finally:
        if not (args.keep or args.reuse):
            shutil.rmtree(work, ignore_errors=True)
    _write(args.out, args, rows)
    print()
    print_table(rows)
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
