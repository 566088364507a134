"""PDF with pdfminer.six, page by page, so every passage knows its page.

Known pitfalls, handled here: a damaged file can yield zero pages without an error (reported as failed);
`get_page_labels()` never ends (we take as many labels as pages); encrypted files need a password.
Pages without a usable text layer (`ingest.ocr_detect`) are read by OCR (`ingest.ocr`); the others keep
their text exactly as pdfminer gives it.
"""

from __future__ import annotations

import dataclasses
import re
import struct
import zlib
from itertools import islice
from pathlib import Path
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTFigure, LTImage, LTPage, LTTextContainer
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFNoPageLabels, PDFPasswordIncorrect
from pdfminer.pdfexceptions import PDFException
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.psexceptions import PSException
from pdfminer.utils import decode_text

from ingest.metadata import load_sidecar
from ingest.ocr import OcrOptions, OcrRun, recognise_pages
from ingest.ocr_detect import TextLayer, better_text, ocr_reason
from ingest.records import IngestError, Metadata, RawDocument, RawPage

# What pdfminer raises on damaged input: its own exceptions and the low-level errors its parsers let escape.
PARSER_ERRORS: tuple[type[BaseException], ...] = (
    PDFException,
    PSException,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    AssertionError,
    RecursionError,
    struct.error,
    zlib.error,
    UnicodeDecodeError,
)
MIN_CHARS_PER_PAGE = 20  # below this on every page, the PDF has no usable text layer
_CID = re.compile(r"\(cid:\d+\)")
_JUNK_TITLES = re.compile(r"^(untitled|microsoft word\b|document\d*$|\S+\.(docx?|indd|pdf|rtf|odt)$)", re.I)


def _damaged(source: str, exc: BaseException) -> IngestError:
    """A plain reason first, the parser's own words after it for whoever digs deeper."""
    return IngestError(source, f"damaged PDF: truncated or corrupt, cannot be parsed ({type(exc).__name__}: {exc})"[:300])


def _info_value(value: Any) -> str | None:
    value = resolve1(value)
    if isinstance(value, bytes):
        text = decode_text(value)
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = text.replace("\x00", "").strip()
    return text or None


def pdf_date(value: str | None) -> str | None:
    """`D:20190315120000+01'00'` → `2019-03-15`."""
    if not value:
        return None
    m = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", value)
    if not m or not (1900 < int(m.group(1)) < 2100):
        return None
    return "-".join(g for g in m.groups() if g)


def _metadata(doc: PDFDocument) -> Metadata:
    info: dict[str, Any] = {}
    for entry in doc.info:
        if isinstance(entry, dict):
            info.update(entry)
    title = _info_value(info.get("Title"))
    if title and _JUNK_TITLES.search(title):
        title = None
    return Metadata(
        title=title,
        date=pdf_date(_info_value(info.get("CreationDate"))),
        publisher=_info_value(info.get("Author")),
    )


def _page_text(layout: LTPage) -> TextLayer:
    """The page's text boxes in reading order, a blank line between boxes; its unmapped glyphs and the share
    of the page its images cover."""
    boxes: list[str] = []
    cids = 0
    image_area = 0.0
    stack: list[Any] = list(layout)
    for obj in stack:
        if isinstance(obj, LTTextContainer):
            raw = obj.get_text()
            cids += len(_CID.findall(raw))
            text = _CID.sub("", raw).strip("\n")
            if text.strip():
                boxes.append(text)
        elif isinstance(obj, (LTFigure, LTImage)):
            x0, y0 = max(obj.x0, layout.x0), max(obj.y0, layout.y0)
            x1, y1 = min(obj.x1, layout.x1), min(obj.y1, layout.y1)
            image_area += max(0.0, x1 - x0) * max(0.0, y1 - y0) or 1.0  # a zero-size image still counts
    page_area = max(layout.width * layout.height, 1.0)
    return TextLayer("\n\n".join(boxes), cids, min(image_area / page_area, 1.0))


def _catalog_language(doc: PDFDocument) -> str | None:
    """The document's declared language (`/Lang` in the catalog, e.g. "fr-FR"), if any."""
    try:
        return _info_value(doc.catalog.get("Lang"))
    except PARSER_ERRORS:
        return None


def _with_ocr(
    source: str, path: Path, layers: list[TextLayer], lang: str | None, ocr: OcrOptions
) -> tuple[list[RawPage], list[str], OcrRun]:
    """Pages with OCR text where the text layer is unusable; the warnings for pages OCR could not read."""
    wanted = [n for n, layer in enumerate(layers, start=1) if ocr_reason(layer) is not None]
    sample = "\n".join(layer.text for n, layer in enumerate(layers, start=1) if n not in wanted)
    try:
        hint = lang or load_sidecar(path).language
    except IngestError:
        hint = lang
    run = recognise_pages(path, wanted, ocr, hint, sample) if ocr.enabled else OcrRun()
    pages: list[RawPage] = []
    failed: list[str] = []
    for number, layer in enumerate(layers, start=1):
        found = run.pages.get(number)
        if found is None or found.error is not None:
            pages.append(RawPage(number=number, text=layer.text))
            if found is not None:
                failed.append(f"page {number}: OCR failed ({found.error})")
            continue
        text = better_text(layer.text, found.text)
        if text is layer.text:
            pages.append(RawPage(number=number, text=text))
        else:
            pages.append(RawPage(number=number, text=text, ocr=True, ocr_confidence=found.confidence))
    if wanted and not run.pages:
        why = f"install {run.missing}" if run.missing else "OCR is off"
        failed.append(f"{_page_list(wanted)}: needs OCR ({why})")
    return pages, failed, run


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10]) + (", ..." if len(numbers) > 10 else "")
    return f"page {shown}" if len(numbers) == 1 else f"pages {shown}"


def read(path: Path, ocr: OcrOptions | None = None) -> list[RawDocument]:
    """The PDF's pages, by OCR where the text layer is unusable (`ocr=None`: the default OCR options)."""
    ocr = ocr or OcrOptions()
    source = str(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise IngestError(source, f"cannot open file: {exc.strerror or exc}") from exc
    with fh:
        try:
            doc = PDFDocument(PDFParser(fh), password="")
        except PDFPasswordIncorrect as exc:
            raise IngestError(source, "encrypted PDF: needs a password") from exc
        except PDFEncryptionError as exc:
            raise IngestError(source, f"encrypted PDF: unsupported encryption ({exc})") from exc
        except PARSER_ERRORS as exc:
            raise _damaged(source, exc) from exc
        if doc.encryption is not None and not doc.is_extractable:
            raise IngestError(source, "encrypted PDF: text extraction not permitted")
        try:
            metadata = _metadata(doc)
        except PARSER_ERRORS:
            metadata = Metadata()
        manager = PDFResourceManager(caching=True)
        device = PDFPageAggregator(manager, laparams=LAParams())
        interpreter = PDFPageInterpreter(manager, device)
        layers: list[TextLayer] = []
        broken_pages = 0
        try:
            for page in PDFPage.create_pages(doc):
                try:
                    interpreter.process_page(page)
                    layer = _page_text(device.get_result())
                except PARSER_ERRORS:
                    broken_pages += 1
                    layer = TextLayer("")
                layers.append(layer)
        except PARSER_ERRORS as exc:
            if not layers:
                raise _damaged(source, exc) from exc
        lang = _catalog_language(doc)
        try:
            labels = list(islice(doc.get_page_labels(), len(layers)))
        except (PDFNoPageLabels, *PARSER_ERRORS):
            labels = []
    if not layers:
        raise IngestError(source, "damaged PDF: no pages could be read")
    if broken_pages == len(layers):
        raise IngestError(source, f"damaged PDF: none of its {len(layers)} pages could be read")
    pages, warnings, run = _with_ocr(source, path, layers, lang, ocr)
    if all(len(p.text.strip()) < MIN_CHARS_PER_PAGE for p in pages):
        raise IngestError(source, _no_text_reason(layers, run, warnings, ocr.enabled))
    if labels:
        pages = [dataclasses.replace(p, label=str(lab)) for p, lab in zip(pages, labels)]
    document = RawDocument(source=source, format="pdf", pages=tuple(pages), metadata=metadata)
    return [dataclasses.replace(document, warnings=tuple(warnings))]


def _no_text_reason(layers: list[TextLayer], run: OcrRun, warnings: list[str], enabled: bool) -> str:
    """Why a PDF yields no text: what to install, or what OCR made of it."""
    what = "no text layer" if any(layer.image_fraction > 0 for layer in layers) else "no text in PDF"
    count = f"{len(layers)} page{'s' if len(layers) > 1 else ''}"
    if run.missing:
        return f"{what}: needs OCR (install {run.missing}) ({count})"
    if not enabled:
        return f"{what}: needs OCR (OCR is off) ({count})"
    failures = [w for w in warnings if "OCR failed" in w]
    if failures and len(failures) == len(run.pages):
        return f"{what}: needs OCR, which failed on every page: {failures[0]}"[:300]
    return f"{what}: needs OCR, but OCR found no text ({count})"
