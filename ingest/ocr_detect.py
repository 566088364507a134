"""Which PDF pages have no usable text layer and must be read by OCR.

A page needs OCR when its text layer is absent, too thin for the page (a scan with a stamped page number or
a one-line header added by the scanner), or made of glyphs that do not map to characters (fonts without a
ToUnicode table give pdfminer's `(cid:N)` codes, private-use code points or symbol soup). Text pages are
never touched: a mixed PDF keeps its text layer wherever it is usable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_CHARS = 20  # fewer visible characters than this: the page has no text layer worth keeping
MIN_CHARS_ON_IMAGE_PAGE = 200  # a page mostly covered by images with less text than this is a scan
IMAGE_PAGE_FRACTION = 0.5  # share of the page's area covered by images that makes it "mostly image"
MAX_BAD_GLYPHS = 0.3  # share of unmapped or private-use glyphs above which the text layer is garbage
MIN_WORD_CHARS = 0.5  # share of letters and digits below which the text layer is symbol soup

_BAD_CHAR = re.compile(r"[\ue000-\uf8ff\ufffd\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class TextLayer:
    """What a page's text layer holds: its text (cid codes removed), the unmapped glyphs, the image area."""

    text: str
    cid_glyphs: int = 0  # glyphs pdfminer could only give as "(cid:N)"
    image_fraction: float = 0.0  # share of the page covered by images (0 to 1, overlaps counted once each)


def ocr_reason(layer: TextLayer) -> str | None:
    """Why the page needs OCR ("no text layer", "too little text", "garbage glyphs"); None for a text page."""
    visible = [c for c in layer.text if not c.isspace()]
    glyphs = len(visible) + layer.cid_glyphs
    if glyphs == 0:
        return "no text layer"
    bad = layer.cid_glyphs + sum(1 for c in visible if _BAD_CHAR.match(c))
    if glyphs >= MIN_CHARS and bad / glyphs > MAX_BAD_GLYPHS:
        return f"garbage glyphs ({bad} of {glyphs} unmapped)"
    good = len(visible) - (bad - layer.cid_glyphs)
    if good >= MIN_CHARS and sum(1 for c in visible if c.isalnum()) / good < MIN_WORD_CHARS:
        return "garbage glyphs (mostly symbols)"
    if good < MIN_CHARS:
        return f"too little text ({good} characters)"
    if layer.image_fraction >= IMAGE_PAGE_FRACTION and good < MIN_CHARS_ON_IMAGE_PAGE:
        return f"too little text for a page {layer.image_fraction:.0%} image ({good} characters)"
    return None


def better_text(layer_text: str, ocr_text: str) -> str:
    """The OCR text, unless the page's own (thin) text layer holds more letters and digits than it."""
    def words(s: str) -> int:
        return sum(1 for c in s if c.isalnum())

    return ocr_text if words(ocr_text) >= words(layer_text) else layer_text
