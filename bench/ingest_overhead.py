"""Our ingest's build against pdfminer.six and spaCy NER alone, file by file, the two sides taking turns.

`bench/run.py --bare` times the whole ingest, then the bare limits after it. On this shared 2-core machine
the same work takes 10-40% longer from one minute to the next (spaCy NER alone on the same passages: 37 s one
day, 41-49 s another; 56 s then 70 s in one process minutes apart), so two figures measured minutes apart
compare the machine's moods as much as the code. Here each file is built by our pipeline (read, clean,
language, entities, testimonies, citations: what the bare limits stand for; no embeddings, no writing) and
by the bare tools (pdfminer's `extract_pages` on a PDF; each language's NER-only pipeline over the same
passages, per file as ours runs), one right after the other, the side that goes first alternating from
file to file and round to round. One untimed pass first reads every file, warms both sides and fixes the
passages the bare NER is given. Figures, never assertions.

Pages without a usable text layer are read by OCR, which pdfminer alone does not do. In the timed rounds our
side OCRs them without its cache, as a first ingest does, and the bare side runs the OCR tools alone on the
same pages (poppler's `pdftoppm`, then `tesseract` in the language our run chose), so each side does the
same work; the total without those tools on the bare side is printed too.

    .venv/bin/python bench/ingest_overhead.py [--sample] [--rounds N] [PATH ...]

Prints each round and the total, and writes bench/results/ingest_overhead.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bare_limits  # noqa: E402
from bench.run import sample_files  # noqa: E402
from ingest.entities import load_pipelines  # noqa: E402
from ingest.ocr import BOTH, OcrRun, options_from_settings  # noqa: E402
from ingest.ocr_engine import read_image, render_page  # noqa: E402
from ingest.readers import pdf as pdf_reader  # noqa: E402
from ingest.pipeline import StageClock, file_hash, read_and_build  # noqa: E402
from ingest.walk import iter_files  # noqa: E402
from ingest.records import IngestError  # noqa: E402
from ingest.settings import load_settings  # noqa: E402

BUILD_STAGES = bare_limits.BUILD_STAGES


def ours(path: Path, digest: str, pipelines: dict[str, Any], batch: int) -> tuple[Counter[str], list[Any]]:
    clock = StageClock()
    records = read_and_build(path, digest, pipelines, clock, batch)
    return Counter({s: clock.seconds[s] for s in BUILD_STAGES}), records


# The pages our reader sent to OCR, by file, with the language it settled on (recorded in the untimed pass).
OcrPages = dict[str, tuple[list[int], str]]


def _recording(original: Any, seen: OcrPages) -> Any:
    def recognise_pages(pdf: Path, numbers: list[int], *args: Any, **kwargs: Any) -> OcrRun:
        run: OcrRun = original(pdf, numbers, *args, **kwargs)
        if run.pages:
            seen[str(pdf)] = (sorted(run.pages), run.language or BOTH)
        return run

    return recognise_pages


def ocr_alone(path: Path, ocr: Any, seen: OcrPages) -> float:
    """pdftoppm and tesseract alone on the pages our reader OCRed, at the same settings."""
    pages, lang = seen.get(str(path), ([], BOTH))
    t0 = time.perf_counter()
    for number in pages:
        image = render_page(ocr.pdftoppm, str(path), number, ocr.dpi, ocr.page_timeout)
        read_image(ocr.tesseract, image, lang, ocr.dpi, ocr.page_timeout)
    return time.perf_counter() - t0


def bare(
    path: Path, texts: dict[str, list[str]], nlps: dict[str, Any], batch: int, ocr: Any, seen: OcrPages
) -> Counter[str]:
    out: Counter[str] = Counter()
    if path.suffix.lower() == ".pdf":
        out["pdfminer"] = bare_limits.pdfminer_alone([path])["seconds"]
        if str(path) in seen:
            out["ocr"] = ocr_alone(path, ocr, seen)
    t0 = time.perf_counter()
    for lang, group in texts.items():
        for _doc in nlps[lang].pipe(group, batch_size=batch):
            pass
    out["ner"] = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT.parent / "shared" / "corpus"])
    parser.add_argument("--sample", action="store_true", help="bench/run.py's fixed subset of the files")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest_overhead.json")
    args = parser.parse_args(argv)

    files = sample_files(args.paths) if args.sample else list(iter_files(args.paths))
    settings = load_settings()
    batch = settings.ner_batch_size
    pipelines: dict[str, Any] = dict(load_pipelines(settings.models))
    ocr = options_from_settings(settings)
    pipelines["ocr"] = ocr
    seen: OcrPages = {}
    pdf_reader.recognise_pages = _recording(pdf_reader.recognise_pages, seen)
    nlps = {lang: bare_limits.bare_pipeline(name) for lang, name in settings.models.items()}

    work: list[tuple[Path, str, dict[str, list[str]]]] = []
    failed = 0
    for path in files:  # the untimed pass: which files build, and the passages the bare NER gets
        digest = file_hash(path)
        try:
            _, records = ours(path, digest, pipelines, batch)
        except IngestError:
            failed += 1
            continue
        passages = [{"lang": p.lang, "content": p.text} for record in records for p in record.passages]
        work.append((path, digest, bare_limits.passage_texts(passages, settings.models)))
    words = sum(len(t.split()) for _, _, texts in work for group in texts.values() for t in group)
    pdfs = sum(1 for p, _, _ in work if p.suffix.lower() == ".pdf")
    ocr_pages = sum(len(pages) for pages, _ in seen.values())
    print(f"{len(work)} files ({pdfs} PDFs, {failed} failed and left out), {words:,} words of passages, "
          f"{ocr_pages} pages OCRed in {len(seen)} PDFs; {args.rounds} rounds, the side going first "
          f"alternating file by file")
    pipelines["ocr"] = dataclasses.replace(ocr, cache_dir=None)  # timed: OCR as a first ingest runs it

    rounds: list[dict[str, Any]] = []
    for r in range(args.rounds):
        mine: Counter[str] = Counter()
        theirs: Counter[str] = Counter()
        for i, (path, digest, texts) in enumerate(work):
            if (i + r) % 2 == 0:
                mine += ours(path, digest, pipelines, batch)[0]
                theirs += bare(path, texts, nlps, batch, ocr, seen)
            else:
                theirs += bare(path, texts, nlps, batch, ocr, seen)
                mine += ours(path, digest, pipelines, batch)[0]
        ours_s, bare_s = sum(mine.values()), sum(theirs.values())
        rounds.append({"ours": {k: round(v, 2) for k, v in mine.items()},
                       "bare": {k: round(v, 2) for k, v in theirs.items()},
                       "ours_s": round(ours_s, 2), "bare_s": round(bare_s, 2),
                       "overhead": round(ours_s / bare_s - 1, 4)})
        stages = ", ".join(f"{s} {mine[s]:.1f}" for s in BUILD_STAGES)
        print(f"round {r + 1}: ours {ours_s:.1f} s ({stages}); bare {bare_s:.1f} s (pdfminer "
              f"{theirs['pdfminer']:.1f}, OCR tools {theirs['ocr']:.1f}, NER {theirs['ner']:.1f}): "
              f"{bare_limits.overhead(ours_s, bare_s)}")
        entities = bare_limits.overhead(mine["entities"], theirs["ner"])
        print(f"  entities against NER alone: {mine['entities']:.1f} / {theirs['ner']:.1f} s = {entities}; "
              f"reading (the text files' decoding too) against pdfminer and the OCR tools alone on the PDFs: "
              f"{mine['read']:.1f} / {theirs['pdfminer'] + theirs['ocr']:.1f} s")
    ours_all, bare_all = sum(x["ours_s"] for x in rounds), sum(x["bare_s"] for x in rounds)
    total = bare_limits.overhead(ours_all, bare_all)
    ocr_all = sum(x["bare"].get("ocr", 0.0) for x in rounds)
    print(f"all rounds: ours {ours_all:.1f} s, bare {bare_all:.1f} s: {total} (target: at most +20%)")
    if ocr_all:
        print(f"  without the OCR tools on the bare side (pdfminer + NER only, {bare_all - ocr_all:.1f} s): "
              f"{bare_limits.overhead(ours_all, bare_all - ocr_all)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "files": len(work), "pdfs": pdfs, "failed": failed, "words": words, "sample": args.sample,
        "rounds": rounds, "ours_s": round(ours_all, 2), "bare_s": round(bare_all, 2),
        "overhead": round(ours_all / bare_all - 1, 4), "ocr_pages": ocr_pages,
        "overhead_without_ocr_tools": round(ours_all / (bare_all - ocr_all) - 1, 4),
    }, indent=1), encoding="utf-8")
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
