"""OCR for PDF pages without a usable text layer: Tesseract, English and French, cached by page image.

`recognise_pages` is what the PDF reader calls with the numbers of the pages that need it. Each page is
rendered, looked up in the cache, and only read by Tesseract when the cache does not know it; a page that
fails (time limit, a crash) is reported and the others go on. The language comes from the setting, else
the document's metadata, else its text pages, else a first pass in English and French together whose
result picks the language for the remaining pages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.language import detect_language
from ingest.ocr_cache import OcrCache, cache_key
from ingest.ocr_engine import (
    OcrFailure,
    PageReading,
    missing_program,
    read_image,
    render_page,
    tesseract_version,
)

BOTH = "eng+fra"  # when unsure: both models at once, a little slower, never wrong about the script
TESSERACT_LANGS = {"en": "eng", "fr": "fra"}
MIN_LETTERS_TO_DECIDE = 200  # letters needed before langdetect's answer picks the OCR language


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """How OCR runs; built from the settings (`options_from_settings`) and passed down to the reader."""

    enabled: bool = True
    tesseract: str = "tesseract"  # the Tesseract command
    pdftoppm: str = "pdftoppm"  # poppler's renderer
    languages: str = "auto"  # "auto", or Tesseract codes: "eng", "fra", "eng+fra"
    dpi: int = 300  # rendering resolution; Tesseract is trained on ~300 dpi text
    page_timeout: float = 120.0  # seconds for one page, rendering and OCR together
    cache_dir: Path | None = Path(".temoin/ocr-cache")  # None: no cache


def options_from_settings(settings: Any) -> OcrOptions:
    """The OCR options a `Settings` object describes."""
    return OcrOptions(
        enabled=settings.ocr_languages != "off",
        tesseract=settings.tesseract,
        languages=settings.ocr_languages,
        dpi=settings.ocr_dpi,
        page_timeout=float(settings.ocr_page_timeout),
        cache_dir=settings.ocr_cache,
    )


@dataclass(frozen=True, slots=True)
class PageOcr:
    """One page's OCR: its text and mean confidence, or the reason it failed."""

    number: int
    text: str = ""
    confidence: float | None = None
    error: str | None = None
    cached: bool = False


@dataclass(frozen=True, slots=True)
class OcrRun:
    """The OCR of one document: pages by number, how many Tesseract read and how many came from the cache.

    `missing` names the Debian package to install when OCR could not run at all."""

    pages: dict[int, PageOcr] = field(default_factory=dict)
    ran: int = 0
    cached: int = 0
    language: str | None = None
    missing: str | None = None


def tesseract_language(iso: str | None) -> str | None:
    """"fr", "fr-FR", "fre" → "fra"; "en-GB" → "eng"; anything else → None."""
    if not iso:
        return None
    code = iso.strip().lower().replace("_", "-").split("-")[0]
    if code in ("fra", "fre"):
        return "fra"
    if code == "eng":
        return "eng"
    return TESSERACT_LANGS.get(code)


def choose_language(setting: str, hint: str | None, sample: str) -> str | None:
    """The Tesseract language for a document, or None when a first OCR pass must decide it."""
    if setting not in ("auto", ""):
        return setting
    if found := tesseract_language(hint):
        return found
    if sum(c.isalpha() for c in sample) >= MIN_LETTERS_TO_DECIDE:
        return TESSERACT_LANGS.get(detect_language(sample, default=""), BOTH)
    return None


def recognise_pages(
    pdf: Path, numbers: list[int], options: OcrOptions, hint: str | None = None, sample: str = ""
) -> OcrRun:
    """OCR the given pages of a PDF. `hint` is the document's declared language, `sample` its text pages."""
    if not numbers:
        return OcrRun()
    if missing := missing_program(options.tesseract, options.pdftoppm):
        return OcrRun(missing=missing)
    try:
        version = tesseract_version(options.tesseract)
    except OcrFailure as exc:
        return OcrRun(pages={n: PageOcr(n, error=exc.reason) for n in numbers})
    cache = OcrCache(options.cache_dir)
    lang = choose_language(options.languages, hint, sample)
    pages: dict[int, PageOcr] = {}
    ran = cached = 0
    for number in numbers:
        page_lang = lang or BOTH
        started = time.monotonic()
        try:
            image = render_page(options.pdftoppm, str(pdf), number, options.dpi, options.page_timeout)
            key = cache_key(image, f"{version}|{page_lang}|psm3|{options.dpi}")
            entry = cache.get(key)
            if entry is not None:
                reading = PageReading(entry["text"], entry.get("confidence"), int(entry.get("words", 0)))
                cached += 1
            else:
                left = options.page_timeout - (time.monotonic() - started)
                reading = read_image(options.tesseract, image, page_lang, options.dpi, left)
                entry_out = {"text": reading.text, "confidence": reading.confidence, "words": reading.words}
                cache.put(key, entry_out)
                ran += 1
        except OcrFailure as exc:
            pages[number] = PageOcr(number, error=exc.reason)
            continue
        pages[number] = PageOcr(number, reading.text, reading.confidence, cached=entry is not None)
        if lang is None and sum(c.isalpha() for c in reading.text) >= MIN_LETTERS_TO_DECIDE:
            # the first pass decides: later pages are read with one model, faster and a little surer
            lang = TESSERACT_LANGS.get(detect_language(reading.text, default=""), BOTH)
    return OcrRun(pages=pages, ran=ran, cached=cached, language=lang)
