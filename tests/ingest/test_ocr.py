"""OCR of scanned pages: detection, Tesseract, the cache, failures, and search through the real index.

Scans are made at test time from real pages of ../shared/corpus/pdf (tests/ocr_scans.py) into temporary
directories; their own text layer is the ground truth. Pages are OCR'd at 200 dpi to keep the suite fast;
the 300 dpi measurement is in bench/ocr_eval.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from ingest.ocr import OcrOptions, choose_language, recognise_pages
from ingest.ocr_detect import TextLayer, ocr_reason
from ingest.ocr_engine import parse_tsv
from ingest.readers import read
from ingest.records import IngestError, RawDocument, RawPage
from tests.conftest import SHARED, build_index, needs_shared
from tests.ocr_scans import CLEAN_300, Degradation, character_error_rate, have_poppler, normalise, scan, unite

HAVE_TESSERACT = shutil.which("tesseract") is not None
needs_poppler = pytest.mark.skipif(
    not have_poppler(), reason="poppler-utils (pdftoppm, pdfunite) is not installed"
)
needs_tesseract = pytest.mark.skipif(not HAVE_TESSERACT, reason="tesseract-ocr is not installed")
ENGLISH = SHARED / "pdf" / "amnesty" / "2006-intro.pdf"  # single-column English pages with a text layer
FRENCH = SHARED / "pdf" / "fixtures" / "2023-06-20-PV.pdf"
TEST_SCAN = Degradation(dpi=200, skew=1.0, noise=0.01)
NO_TESSERACT = "/nonexistent/bin/tesseract"
TEXT = "The camp was cleared at dawn and the families were moved to the gymnasium. " * 3


# ------------------------------------------------------------------ detection (runs everywhere)


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        (TextLayer(""), "no text layer"),
        (TextLayer("  \n "), "no text layer"),
        (TextLayer("12", image_fraction=1.0), "too little text"),
        (TextLayer("Page 3 of 12"), "too little text"),
        (TextLayer(TEXT), None),
        (TextLayer(TEXT[:150], image_fraction=0.9), "too little text for a page 90% image"),
        (TextLayer(TEXT[:150], image_fraction=0.2), None),  # a short page of text beside a small photo
        (TextLayer(TEXT * 2, image_fraction=1.0), None),  # a scan that already has an OCR text layer
        (TextLayer("ab cd", cid_glyphs=200), "garbage glyphs"),  # a font without a ToUnicode map
        (TextLayer("\ue011\ue012\ue013 " * 20), "garbage glyphs"),  # private-use code points
        (TextLayer("#$%&'()*+ ,-./:;<=> " * 5), "garbage glyphs (mostly symbols)"),
        (TextLayer("Table 3: 12.5 | 13.1 | 14.0 | 2019 | 2020 | 2021"), None),  # numbers are not garbage
    ],
)
def test_pages_needing_ocr(layer: TextLayer, expected: str | None) -> None:
    reason = ocr_reason(layer)
    assert (reason is None) if expected is None else (reason is not None and reason.startswith(expected))


TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


def _tsv(*words: tuple[int, int, int, float, str]) -> str:
    rows = [f"5\t1\t{b}\t{p}\t{ln}\t1\t0\t0\t1\t1\t{c}\t{w}" for b, p, ln, c, w in words]
    return TSV_HEADER + "2\t1\t1\t0\t0\t0\t0\t0\t1\t1\t-1\t\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    ("tsv", "text", "confidence"),
    [
        (_tsv((1, 1, 1, 90, "Camp"), (1, 1, 1, 80, "cleared")), "Camp cleared", 85.0),
        (_tsv((1, 1, 1, 90, "one"), (1, 1, 2, 70, "two")), "one\ntwo", 80.0),
        (
            _tsv((1, 1, 1, 96, "first"), (1, 2, 1, 94, "second"), (2, 1, 1, 92, "third")),
            "first\n\nsecond\n\nthird",
            94.0,
        ),
        (_tsv((1, 1, 1, 50, " "), (1, 1, 1, 60, "x")), "x", 60.0),
        (TSV_HEADER, "", None),
    ],
)
def test_tesseract_tsv_becomes_lines_and_paragraphs(tsv: str, text: str, confidence: float | None) -> None:
    reading = parse_tsv(tsv)
    assert (reading.text, reading.confidence) == (text, confidence)


@pytest.mark.parametrize(
    ("setting", "hint", "sample", "expected"),
    [
        ("fra", "en", TEXT, "fra"),  # an explicit setting wins
        ("auto", "fr-FR", TEXT, "fra"),  # then the document's declared language
        ("auto", "en_GB", "", "eng"),
        ("auto", None, TEXT * 2, "eng"),  # then its text pages
        ("auto", None, "Les familles ont été déplacées vers le gymnase à l'aube. " * 5, "fra"),
        ("auto", "de", "", None),  # unsure: a first pass in English and French decides
        ("auto", None, "short", None),
    ],
)
def test_ocr_language_choice(setting: str, hint: str | None, sample: str, expected: str | None) -> None:
    assert choose_language(setting, hint, sample) == expected


def test_passages_carry_the_ocr_flag_and_confidence() -> None:
    from ingest.clean import clean
    from ingest.passages import split_passages

    scanned = RawPage(2, TEXT.upper(), ocr=True, ocr_confidence=91.5)
    raw = RawDocument("m.pdf", "pdf", (RawPage(1, TEXT), scanned))
    passages = split_passages(clean(raw), "d", "en", ocr_pages=raw.ocr_pages)
    assert {(p.page, p.ocr, p.ocr_confidence) for p in passages} == {(1, False, None), (2, True, 91.5)}


def _image_only_pdf(tmp_path: Path) -> Path:
    fpdf = pytest.importorskip("fpdf")
    from PIL import Image, ImageDraw

    image = Image.new("L", (1200, 300), 255)
    ImageDraw.Draw(image).text((40, 120), "Witness statement, page one", fill=0)
    image.save(tmp_path / "scan.png")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.image(str(tmp_path / "scan.png"), x=10, y=10, w=190)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    return path


def test_without_tesseract_a_scan_is_reported_needing_ocr(tmp_path: Path) -> None:
    options = OcrOptions(tesseract=NO_TESSERACT, cache_dir=tmp_path / "cache")
    with pytest.raises(IngestError, match=re.escape("needs OCR (install tesseract-ocr)")):
        read(_image_only_pdf(tmp_path), options)
    assert not (tmp_path / "cache").exists()


def test_with_ocr_off_a_scan_is_reported_needing_ocr(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=re.escape("needs OCR (OCR is off)")):
        read(_image_only_pdf(tmp_path), OcrOptions(enabled=False))


# ------------------------------------------------------------------ real scans of real pages


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Scans of real pages (made here, never stored), their ground truth and a shared OCR cache."""
    if not SHARED.is_dir():
        pytest.skip(f"the real corpus is not beside the project ({SHARED} is absent)")
    if not have_poppler():
        pytest.skip("poppler-utils (pdftoppm, pdfunite) is not installed")
    work = tmp_path_factory.mktemp("scans")
    truth = {n: p.text for n, p in enumerate(read(ENGLISH, OcrOptions(enabled=False))[0].pages, start=1)}
    return {
        "work": work,
        "truth": truth,
        "en": scan(ENGLISH, [3], TEST_SCAN, work / "scan-en.pdf"),
        "en2": scan(ENGLISH, [3, 4], TEST_SCAN, work / "scan-en-2.pdf"),
        "mixed": unite(
            [(ENGLISH, 5), (scan(ENGLISH, [3], TEST_SCAN, work / "one.pdf"), 1)], work / "mixed.pdf", work
        ),
        "cache": work / "ocr-cache",
    }


def _options(scans: dict[str, Any], **kw: Any) -> OcrOptions:
    return OcrOptions(**{"dpi": TEST_SCAN.dpi, "cache_dir": scans["cache"], **kw})


def _cache_files(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*.json")}


@needs_shared
@needs_poppler
@pytest.mark.parametrize("tesseract", ["tesseract", NO_TESSERACT])
def test_mixed_pdf_keeps_its_text_pages_as_they_are(scans: dict[str, Any], tesseract: str) -> None:
    if tesseract == "tesseract" and not HAVE_TESSERACT:
        pytest.skip("tesseract-ocr is not installed")
    doc = read(scans["mixed"], _options(scans, tesseract=tesseract))[0]
    text_page, scanned = doc.pages
    assert text_page.text == scans["truth"][5] and not text_page.ocr
    if tesseract == NO_TESSERACT:
        assert doc.warnings == ("page 2: needs OCR (install tesseract-ocr)",)
        assert not scanned.ocr
    else:
        assert doc.warnings == ()
        assert scanned.ocr and scanned.ocr_confidence is not None and scanned.ocr_confidence > 50
        assert character_error_rate(scanned.text, scans["truth"][3]) < 0.10


@needs_shared
@needs_tesseract
def test_ocr_is_cached_by_page_image(scans: dict[str, Any]) -> None:
    options = _options(scans, cache_dir=scans["work"] / "own-cache", languages="eng")
    first = read(scans["en"], options)[0]
    stored = _cache_files(options.cache_dir)
    assert first.pages[0].ocr and len(stored) == 1
    again = recognise_pages(scans["en"], [1], options)
    assert (again.ran, again.cached) == (0, 1)
    assert read(scans["en"], options)[0].pages == first.pages
    assert _cache_files(options.cache_dir) == stored  # nothing written again
    # another file holding the same page image plus a new page: only the new page is read
    two = recognise_pages(scans["en2"], [1, 2], options)
    assert (two.ran, two.cached) == (1, 1)


@needs_shared
@needs_tesseract
def test_a_page_over_its_time_limit_is_reported_and_the_rest_kept(scans: dict[str, Any]) -> None:
    doc = read(scans["mixed"], _options(scans, cache_dir=None, page_timeout=0.05))[0]
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("page 2: OCR failed (")
    assert "timed out" in doc.warnings[0]
    assert doc.pages[0].text == scans["truth"][5]
    assert not doc.pages[1].ocr


@needs_shared
@needs_tesseract
def test_clean_300_dpi_scan_reads_under_3_percent_cer(scans: dict[str, Any], tmp_path: Path) -> None:
    clean = scan(ENGLISH, [4], CLEAN_300, tmp_path / "clean.pdf")
    page = read(clean, OcrOptions(dpi=300, languages="eng", cache_dir=scans["cache"]))[0].pages[0]
    assert page.ocr and character_error_rate(page.text, scans["truth"][4]) < 0.03


@needs_shared
@needs_tesseract
def test_french_scan_first_pass_picks_french(tmp_path: Path) -> None:
    if not have_poppler():
        pytest.skip("poppler-utils is not installed")
    french = scan(FRENCH, [1], TEST_SCAN, tmp_path / "fr.pdf")
    run = recognise_pages(french, [1], OcrOptions(dpi=200, cache_dir=None))
    assert run.language == "fra" and run.ran == 1
    assert "é" in run.pages[1].text


def _phrase(truth: str, ocr: str, words: int = 4) -> str:
    """A run of `words` plain words from the middle of the ground truth that OCR also read, for a phrase
    query (the middle: a page's first line may be a running header, which cleaning drops)."""
    tokens = normalise(truth).split()
    read_back = f" {normalise(ocr).lower()} "
    for i in range(len(tokens) // 3, len(tokens) - words):
        run = tokens[i : i + words]
        phrase = " ".join(run)
        if all(re.fullmatch(r"[A-Za-z]{2,}", w) for w in run) and f" {phrase.lower()} " in read_back:
            return phrase
    raise AssertionError("OCR read no run of words of the page")


@needs_shared
@needs_tesseract
def test_a_phrase_on_a_scanned_page_is_found_through_the_index(
    scans: dict[str, Any], tmp_path: Path, pipelines: dict[str, Any]
) -> None:
    from index.search import Searcher

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(scans["en"], folder / "scanned-report.pdf")
    options = _options(scans)
    summary = build_index([folder], tmp_path / "index", {**pipelines, "ocr": options})
    assert [r.status for r in summary.results] == ["added"]
    ocr_text = read(folder / "scanned-report.pdf", options)[0].pages[0].text
    phrase = _phrase(scans["truth"][3], ocr_text)
    searcher = Searcher(tmp_path / "index")
    try:
        hits = searcher.search(f'"{phrase}"').hits
    finally:
        searcher.close()
    assert hits and hits[0].page == 1 and hits[0].source.endswith("scanned-report.pdf")


@needs_shared
@needs_tesseract
def test_hits_from_a_scanned_page_say_text_from_ocr(
    scans: dict[str, Any], tmp_path: Path, pipelines: dict[str, Any]
) -> None:
    from index.search import Searcher
    from search_app.ui_render import hit_html

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(scans["mixed"], folder / "mixed.pdf")
    options = _options(scans)
    build_index([folder], tmp_path / "index", {**pipelines, "ocr": options})
    scanned = read(folder / "mixed.pdf", options)[0].pages[1].text
    queries = {1: _phrase(scans["truth"][5], scans["truth"][5]), 2: _phrase(scans["truth"][3], scanned)}
    searcher = Searcher(tmp_path / "index")
    try:
        hits = {page: searcher.search(f'"{phrase}"').hits[0] for page, phrase in queries.items()}
    finally:
        searcher.close()
    assert hits[2].page == 2 and hits[2].ocr and hits[2].ocr_confidence
    assert "text from OCR" in hit_html(hits[2])
    assert hits[1].page == 1 and not hits[1].ocr and "text from OCR" not in hit_html(hits[1])
