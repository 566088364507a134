"""Whoosh search latency at 1M passages, on a stand-in: a smaller index's segments, copied N times.

    nice -n 10 .venv/bin/python bench/scale.py --engines whoosh --sizes 100000 --keep DIR
    .venv/bin/python bench/whoosh_replica.py --index DIR/temoin-scale-*/whoosh-100000 --copies 10

Building a real 1M-passage Whoosh index takes 2-3 hours of one core on this machine (it writes 100-170
passages/s through our writer), longer than a session of work allows beside its checks. The search side can
still be timed at that size: this copies each segment of a built index N times under new segment ids (byte
copies, the compound file's directory renamed: N distinct files, so the page cache holds N times the data,
as a real index of that size would need) and lists them all in one table of contents. The result has N times
the passages and the same number of distinct terms, so each term's postings are N times as long, as in a
bigger index of the same kind of text; what it lacks is the vocabulary a bigger corpus adds (rarer names and
words), which matters little to the queries' cost. Every passage is there N times, so hits repeat and facet
counts are N times their values: the timing is the point, not the results.

The queries and the timing are bench/scale.py's (`time_queries`: ours and bare Whoosh on the same 200
queries, plain and with snippets and facets, in turns), printed as its table and written as JSON.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402

INDEXNAME = "MAIN"


def replicate(source: Path, target: Path, copies: int) -> int:
    """Write at `target` an index listing each segment of `source` `copies` times; its passages count."""
    from whoosh.codec.whoosh3 import W3Segment
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.structfile import StructFile
    from whoosh.index import TOC

    toc = TOC.read(FileStorage(str(source)), INDEXNAME)
    target.mkdir(parents=True)
    for path in source.iterdir():  # the schema marker and any file not of a segment
        segment_file = path.name.startswith((f"{INDEXNAME}_", f"_{INDEXNAME}_"))
        if path.is_file() and not segment_file and "LOCK" not in path.name:
            shutil.copy2(path, target / path.name)
    segments = []
    for n in range(copies):
        for seg in toc.segments:
            if not seg.is_compound():
                raise SystemExit(f"{source}: segment {seg.segment_id()} is not a compound file")
            new = copy.copy(seg)
            new.segid = seg.segid if n == 0 else W3Segment._random_id()
            old_name, new_name = seg.make_filename(".seg"), new.make_filename(".seg")
            shutil.copyfile(source / old_name, target / new_name)
            with open(target / new_name, "r+b") as raw:  # rename the files inside, in its directory
                f = StructFile(raw)
                dirpos = f.read_long()
                f.seek(dirpos)
                directory = f.read_pickle()
                options = f.read_pickle()
                old_prefix, new_prefix = seg.segment_id(), new.segment_id()
                renamed = {name.replace(old_prefix, new_prefix, 1): info for name, info in directory.items()}
                f.seek(dirpos)
                raw.truncate()
                CompoundStorage.write_dir(f, 0, renamed, options)  # closes the file
            segments.append(new)
    TOC(toc.schema, segments, toc.generation).write(FileStorage(str(target)), INDEXNAME)
    return sum(s.doc_count() for s in segments)


def _current_rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return round(int(status.split("VmRSS:")[1].split()[0]) / 1024, 1)


def one_side(args: argparse.Namespace, target: Path, passages: int, queries: list) -> int:
    """Our searcher or bare Whoosh alone on the stand-in: the same queries and timing as `time_queries`,
    without the other side to take turns with."""
    import time

    if args.side == "ours":
        from index.engine import open_searcher

        engine = open_searcher(target)
        plain = lambda q, f: engine.search(q, f, with_facets=False, with_snippets=False)  # noqa: E731
        full = lambda q, f: engine.search(q, f)  # noqa: E731
    else:
        engine = scale.BareWhoosh(target)
        plain = lambda q, f: engine.search(q, f, False)  # noqa: E731
        full = lambda q, f: engine.search(q, f, True)  # noqa: E731
    opened_rss = _current_rss_mb()
    row: dict = {"engine": "whoosh", "side": args.side, "passages": passages, "opened_rss_mb": opened_rss,
                 "stand_in": f"{args.copies} copies of each segment of {args.index}"}
    for name, run in (("plain", plain), ("full", full)):
        t0 = time.perf_counter()
        (row[name],) = scale._timed_pair(run, queries=queries, budget_s=args.budget)
        row[f"{name}_wall_s"] = round(time.perf_counter() - t0, 1)
    row["rss_mb"], row["peak_rss_mb"] = _current_rss_mb(), scale._rss_mb()
    row["load"] = os.getloadavg()[0]
    print(json.dumps(row))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(row, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="a Whoosh index built by bench/scale.py --keep")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--target", type=Path, help="where to write the stand-in (default: beside --index)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per mode of queries, at most")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "whoosh_replica.json")
    parser.add_argument("--side", choices=("ours", "bare"), help="time one side alone, in this process: at 1M "
                        "passages each Whoosh searcher holds the whole index in memory (below), so the two "
                        "together need more than this machine's 24 GB")
    args = parser.parse_args(argv)
    target = args.target or args.index.with_name(f"{args.index.name}-x{args.copies}")
    if target.exists():  # written by an earlier run: time it again
        print(f"{target} exists: timing it as it is")
        records = 0
    else:
        records = replicate(args.index, target, args.copies)
    from index.schema import open_index

    with open_index(target).searcher() as s:  # as our searcher opens it (index/schema.py IN_MEMORY_MB)
        passages = s.doc_frequency("type", "passage")
    print(f"{target}: {passages:,} passages ({records:,} records written), {args.copies} copies of each segment of "
          f"{args.index}")
    corpus = scale.SyntheticCorpus(scale.sentence_pool(scale.SHARED))
    queries = corpus.queries(args.queries + scale.WARM_UP)
    if args.side:
        return one_side(args, target, passages, queries)
    row = scale.time_queries("whoosh", target, queries, args.budget, True, {
        "engine": "whoosh", "passages": passages, "built": 0, "build_s": None, "build_passages_per_s": None,
        "build_peak_rss_mb": None, "stand_in": f"{args.copies} copies of each segment of {args.index}",
    })
    scale.print_table([row])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(row, indent=2))
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
