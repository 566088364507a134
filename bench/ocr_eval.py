"""OCR benchmark: character error rate and pages/s, per language, on scans we make from real text.

Pages of the shared PDFs (English and French, by MANIFEST.tsv) are rendered with pdftoppm, clean at 300 dpi
or degraded (200 dpi, 1.5° skew, 2% salt-and-pepper noise), wrapped back into image-only PDFs in a
temporary directory, and read by our ingestion's OCR path (`ingest.readers.read`, language "auto", no
cache). The French PDFs are few, so French articles from the corpus are also typeset with fpdf2 first.
The source page's own text layer is the ground truth.

CER = Levenshtein edits (insert, delete, substitute) / characters of the truth, summed over the pages of a
row, after NFKC, plain quotes and dashes, and every run of white space made one space.
Usage: .venv/bin/python -m bench.ocr_eval [--pages N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.ocr import OcrOptions  # noqa: E402
from ingest.readers import read  # noqa: E402
from tests.ocr_scans import (  # noqa: E402
    CLEAN_300,
    Degradation,
    edit_distance,
    have_poppler,
    normalise,
    scan,
    typeset,
)

SHARED = ROOT.parent / "shared" / "corpus"
DEGRADED = Degradation(dpi=200, skew=1.5, noise=0.02, seed=7)
# Single-column pages: a multi-column page's reading order differs between pdfminer and Tesseract, which
# CER would count as errors of recognition.
SOURCES = {
    "en": [
        ("pdf/amnesty/2006-intro.pdf", [3, 4, 5, 6, 7, 8]),
        ("pdf/fixtures/scotus-transcript-p1.pdf", [1]),
    ],
    "fr": [("pdf/fixtures/2023-06-20-PV.pdf", [1, 2])],
}
FRENCH_ARTICLES = "press_fr_akinarticle"


def manifest_languages() -> dict[str, str]:
    """local_path → language, from MANIFEST.tsv."""
    rows = (SHARED / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {cells[0]: cells[5] for cells in (r.split("\t") for r in rows) if len(cells) > 5}


def sources(work: Path, lang: str, limit: int) -> list[tuple[Path, list[int]]]:
    """(PDF with a text layer, pages) for one language, the French padded with typeset articles."""
    langs = manifest_languages()
    found = [(SHARED / p, pages[:limit]) for p, pages in SOURCES[lang] if langs.get(p) == lang]
    if lang == "fr":
        for i, article in enumerate(sorted((SHARED / FRENCH_ARTICLES).glob("*.md"))[:3]):
            pdf = typeset(article.read_text(encoding="utf-8"), work / f"fr-article-{i}.pdf", max_pages=2)
            found.append((pdf, [1, 2]))
    return found


def measure(pairs: list[tuple[Path, list[int]]], how: Degradation, work: Path) -> tuple[int, float, float]:
    """Pages read, CER over them, pages per second of the OCR path (rendering and Tesseract included)."""
    edits = chars = pages = 0
    seconds = 0.0
    for k, (pdf, numbers) in enumerate(pairs):
        truth = read(pdf, OcrOptions(enabled=False))[0].pages
        numbers = [n for n in numbers if n <= len(truth)]
        scanned = scan(pdf, numbers, how, work / f"scan-{how.dpi}-{k}.pdf")
        t0 = time.perf_counter()
        doc = read(scanned, OcrOptions(dpi=how.dpi, cache_dir=None))[0]
        seconds += time.perf_counter() - t0
        for page, number in zip(doc.pages, numbers):
            ref = normalise(truth[number - 1].text)
            edits += edit_distance(normalise(page.text), ref)
            chars += len(ref)
            pages += 1
    return pages, edits / max(chars, 1), pages / seconds if seconds else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=6, help="pages per source PDF at most")
    args = parser.parse_args(argv)
    if not SHARED.is_dir() or not have_poppler():
        print("ocr_eval: needs ../shared/corpus and poppler-utils", file=sys.stderr)
        return 1
    print(f"{'language':<9}{'condition':<32}{'pages':>6}{'CER':>8}{'pages/s':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for lang in ("en", "fr"):
            pairs = sources(work, lang, args.pages)
            for name, how in (("clean 300 dpi", CLEAN_300), ("200 dpi, 1.5° skew, 2% noise", DEGRADED)):
                pages, cer, rate = measure(pairs, how, work)
                print(f"{lang:<9}{name:<32}{pages:>6}{cer:>8.2%}{rate:>9.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
