"""PDF with pdfminer.six, page by page, so every passage knows its page.

Known pitfalls, handled here: a damaged file can yield zero pages without an error (reported as failed);
`get_page_labels()` never ends (we take as many labels as pages); encrypted files need a password.
"""

from __future__ import annotations

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


def _page_text(layout: LTPage) -> tuple[str, bool]:
    """The page's text boxes in reading order, a blank line between boxes; and whether it holds images."""
    boxes: list[str] = []
    has_images = False
    stack: list[Any] = list(layout)
    for obj in stack:
        if isinstance(obj, LTTextContainer):
            text = _CID.sub("", obj.get_text()).strip("\n")
            if text.strip():
                boxes.append(text)
        elif isinstance(obj, (LTFigure, LTImage)):
            has_images = True
    return "\n\n".join(boxes), has_images


def read(path: Path) -> list[RawDocument]:
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
        pages: list[RawPage] = []
        any_images = False
        broken_pages = 0
        try:
            for number, page in enumerate(PDFPage.create_pages(doc), start=1):
                try:
                    interpreter.process_page(page)
                    text, has_images = _page_text(device.get_result())
                except PARSER_ERRORS:
                    broken_pages += 1
                    text, has_images = "", False
                any_images = any_images or has_images
                pages.append(RawPage(number=number, text=text))
        except PARSER_ERRORS as exc:
            if not pages:
                raise _damaged(source, exc) from exc
        try:
            labels = list(islice(doc.get_page_labels(), len(pages)))
        except (PDFNoPageLabels, *PARSER_ERRORS):
            labels = []
    if not pages:
        raise IngestError(source, "damaged PDF: no pages could be read")
    if broken_pages == len(pages):
        raise IngestError(source, f"damaged PDF: none of its {len(pages)} pages could be read")
    if all(len(p.text.strip()) < MIN_CHARS_PER_PAGE for p in pages):
        reason = "no text layer: needs OCR" if any_images else "no text in PDF: needs OCR"
        raise IngestError(source, f"{reason} ({len(pages)} pages)")
    if labels:
        pages = [RawPage(number=p.number, text=p.text, label=str(lab)) for p, lab in zip(pages, labels)]
    return [RawDocument(source=source, format="pdf", pages=tuple(pages), metadata=metadata)]
