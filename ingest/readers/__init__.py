"""Readers: one module per format, chosen from a table keyed by suffix and checked against magic bytes.

Every reader turns a file into one or more `RawDocument`s, or raises `IngestError(path, reason)`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.ocr import OcrOptions
from ingest.readers import html, json_decisions, pdf, text
from ingest.records import IngestError, RawDocument

Reader = Callable[[Path], list[RawDocument]]

READERS: dict[str, Reader] = {
    ".pdf": pdf.read,
    ".txt": text.read_text,
    ".text": text.read_text,
    ".tsv": text.read_text,
    ".csv": text.read_text,
    ".md": text.read_markdown,
    ".markdown": text.read_markdown,
    ".html": html.read,
    ".htm": html.read,
    ".json": json_decisions.read,
}

SIDECAR_SUFFIX = ".meta.json"

# What the first bytes of a file say it is; a file whose bytes contradict its suffix is refused with a reason.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/ODT)"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\xd0\xcf\x11\xe0", "legacy Office document"),
    (b"\x1f\x8b", "gzip archive"),
)


def sniff(head: bytes) -> str | None:
    """The format the magic bytes announce, or None for text-like content."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    # A PDF header may follow a little junk; pdfminer accepts it within the first kilobyte.
    if b"%PDF-" in head[:1024]:
        return "PDF"
    return None


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in READERS and not path.name.endswith(SIDECAR_SUFFIX)


def read(path: Path, ocr: OcrOptions | None = None) -> list[RawDocument]:
    """Read one file with the reader for its suffix, after checking its bytes agree.

    `ocr` says how PDF pages without a usable text layer are read (None: the default options)."""
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise IngestError(str(path), f"unsupported file type {suffix or '(no suffix)'}")
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise IngestError(str(path), f"cannot open file: {exc.strerror or exc}") from exc
    if not head:
        raise IngestError(str(path), "empty file (0 bytes)")
    found = sniff(head)
    if suffix == ".pdf" and found != "PDF":
        raise IngestError(str(path), f"not a PDF: the file's bytes say {found or 'text or unknown data'}")
    if suffix != ".pdf" and found is not None:
        raise IngestError(str(path), f"not a {suffix} file: its bytes say {found}")
    if reader is pdf.read:
        return pdf.read(path, ocr)
    return reader(path)
