"""Bad inputs made from real files: truncated and corrupted PDFs, wrong encodings, lying suffixes, empty,
huge and deeply nested files. Deterministic for a given seed, so a failure can be made again.

    make_bad_files(out_dir, seed=0, heavy=True) -> list[BadFile]

`heavy` inputs (tens of MB, or minutes of work) are for `bench/robustness.py`; the tests leave them out.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
DEMO = ROOT / "corpus"

# Real sources: small PDFs (so truncated ones that still parse stay cheap), texts in English and French.
PDF_SOURCES = (
    SHARED / "pdf" / "fixtures" / "san-jose-pd-firearm-sample.pdf",
    SHARED / "pdf" / "fixtures" / "150109DSP-Milw-505-90D.pdf",
)
TEXT_SOURCE = SHARED / "seeds" / "calais-harassment-statement-2013.txt"
FRENCH_SOURCE = (
    SHARED / "press_fr_akinarticle"
    / "crise-des-migrants-a-calais-emmaus-rompt-tout-dialogue-avec-le-gouvernement_emmaus-france-org.md"
)
HTML_SOURCE = DEMO / "judgment-r-on-the-application-of-a-2021.html"
JSON_SOURCE = SHARED / "judilibre_fr" / "tcom_sample_detail_resolved.json"


@dataclass(frozen=True, slots=True)
class BadFile:
    path: Path
    kind: str  # what was done to it: "pdf-truncated", "text-utf16-no-bom" ...
    heavy: bool = False  # big or slow: made for the benchmark, left out of the tests


class _Maker:
    def __init__(self, out_dir: Path, seed: int, heavy: bool) -> None:
        self.out = out_dir
        self.rng = random.Random(seed)
        self.heavy = heavy
        self.made: list[BadFile] = []

    def add(self, kind: str, suffix: str, data: bytes | Callable[[Path], None], heavy: bool = False) -> None:
        if heavy and not self.heavy:
            return
        path = self.out / f"{len(self.made):04d}-{kind}{suffix}"
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            data(path)
        self.made.append(BadFile(path, kind, heavy))


def _french_text() -> str:
    return FRENCH_SOURCE.read_text(encoding="utf-8")


def _english_text() -> str:
    return TEXT_SOURCE.read_text(encoding="utf-8")


def _png(width: int = 400, height: int = 200) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for y in range(20, height - 20, 16):  # lines of "text" that no OCR can read as words
        draw.rectangle((20, y, width - 20 - (y * 7) % 90, y + 6), fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _fpdf(text: str | None = None, image: bytes | None = None, password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    if image is not None:
        pdf.image(io.BytesIO(image), x=10, y=10, w=180)
    if text is not None:
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 5, text.encode("latin-1", "replace").decode("latin-1"))
    if password is not None:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    return bytes(pdf.output())


def nested_pdf(depth: int, opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    """A hand-written PDF whose page carries an object nested `depth` levels deep (arrays or dicts)."""
    nested = opener * depth + b"1" + closer * depth if opener == b"[" else b"<< /A " * depth + b"1" + b" >>" * depth
    content = b"BT /F1 12 Tf 72 712 Td (Nested objects inside) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Deep 5 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        nested,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_bad_files(out_dir: Path, seed: int = 0, heavy: bool = True) -> list[BadFile]:
    """Every kind of bad input, written under `out_dir` (which must exist); the same files for the same seed."""
    m = _Maker(out_dir, seed, heavy)
    rng = m.rng
    english, french = _english_text(), _french_text()

    # PDFs cut short at many offsets, and with bytes flipped at many positions.
    for source in PDF_SOURCES:
        data = source.read_bytes()
        for cut in sorted(rng.sample(range(1, len(data)), 40)):
            m.add("pdf-truncated", ".pdf", data[:cut])
        for _ in range(40):
            flipped = bytearray(data)
            for pos in rng.sample(range(len(data)), rng.choice([1, 4, 32])):
                flipped[pos] ^= 1 << rng.randrange(8)
            m.add("pdf-flipped-bytes", ".pdf", bytes(flipped))
        for _ in range(8):  # a block of zeros or random bytes in the middle: a damaged download
            start = rng.randrange(len(data))
            block = bytes(rng.getrandbits(8) for _ in range(rng.randrange(16, 2048)))
            m.add("pdf-overwritten-block", ".pdf", data[:start] + block + data[start + len(block):])

    for suffix in (".pdf", ".txt", ".html", ".md", ".json"):
        m.add("zero-bytes", suffix, b"")
    m.add("pdf-header-only", ".pdf", b"%PDF-1.7\n")
    m.add("pdf-encrypted", ".pdf", _fpdf(english[:1500], password="secret"))
    m.add("pdf-encrypted-no-user-password", ".pdf", _fpdf(english[:1500], password=""))
    m.add("pdf-image-only", ".pdf", _fpdf(image=_png()))
    m.add("pdf-empty-page", ".pdf", _fpdf())
    for depth in (1000, 5000, 50_000):
        m.add("pdf-nested-arrays", ".pdf", nested_pdf(depth))
        m.add("pdf-nested-dicts", ".pdf", nested_pdf(depth, b"<<", b">>"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("statement.txt", english)
    m.add("zip-named-pdf", ".pdf", archive.getvalue())
    m.add("zip-named-txt", ".txt", archive.getvalue())
    m.add("png-named-txt", ".txt", _png())
    m.add("png-named-pdf", ".pdf", _png())
    m.add("png-named-html", ".html", _png())
    m.add("text-named-pdf", ".pdf", english.encode())
    m.add("html-named-pdf", ".pdf", HTML_SOURCE.read_bytes())

    # Text in the encodings people's files really come in, and in none.
    for name, text in (("en", english), ("fr", french)):
        m.add(f"text-utf16le-no-bom-{name}", ".txt", text.encode("utf-16-le"))
        m.add(f"text-utf16be-no-bom-{name}", ".txt", text.encode("utf-16-be"))
        m.add(f"text-utf16-bom-{name}", ".txt", text.encode("utf-16"))
        m.add(f"text-cp1252-{name}", ".txt", text.encode("cp1252", "replace"))
        m.add(f"text-latin1-{name}", ".md", text.encode("latin-1", "replace"))
    m.add("text-utf16le-odd-length", ".txt", french.encode("utf-16-le")[:-1])
    for _ in range(20):
        raw = bytearray(french.encode("utf-8"))
        for pos in rng.sample(range(len(raw)), rng.choice([1, 10, 100])):
            raw[pos] = rng.choice([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xC3, 0xE2, 0xFF])
        m.add("text-invalid-utf8", rng.choice([".txt", ".md", ".html"]), bytes(raw))
    for _ in range(10):
        m.add("text-random-bytes", ".txt", bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 4096))))
    m.add("text-nul-bytes", ".txt", english.encode()[:500] + b"\x00" * 10 + english.encode()[500:])
    m.add("text-only-whitespace", ".txt", b" \n\t\r\n\f\f  \n")
    m.add("text-control-characters", ".txt", "".join(chr(rng.randrange(1, 32)) for _ in range(5000)).encode())
    m.add("text-form-feeds-only", ".txt", b"\f" * 1000)
    m.add("text-header-only", ".txt", b"title: Nothing else\ndate: 2019-02-30\n")
    m.add("text-one-long-word", ".txt", b"x" * 150_000)
    m.add("text-one-long-word-2MB", ".txt", b"x" * 2_000_000, heavy=True)  # over spaCy's 1,000,000 characters
    m.add("text-long-line-no-punctuation", ".txt", (b"camp " * 400_000), heavy=True)  # minutes of NLP
    m.add("text-quotes-unbalanced", ".txt", ("« " * 5000 + english + " “" * 5000).encode())
    m.add("text-bad-dates", ".txt", b"On 31/02/2019, 00/00/0000, 99 Brumaire an 2019, 2019-13-45 the camp was evicted.")
    m.add("text-50MB-one-line", ".txt", lambda p: p.write_bytes(english.replace("\n", " ").encode() * (
        50 * 1024 * 1024 // len(english.encode()) + 1)), heavy=True)
    m.add("text-one-long-word-20MB", ".txt", b"y" * 20_000_000, heavy=True)

    markup = HTML_SOURCE.read_text(encoding="utf-8")
    for _ in range(12):
        cut = rng.randrange(len(markup))
        m.add("html-truncated", ".html", markup[:cut].encode())
    broken = [
        "<html><body><p>Unclosed <b>bold <i>italic <div>" + english,
        "<script>" + english,  # never closed: nothing visible
        "<style>p {}" + english + "</style>",
        "<<<>>>" + english.replace(" ", " <") + "</p></p></div>",
        "<html><head><title>" + english[:200],
        "<!-- " + english,
        "<p " + english,
        "&#xFFFFFFFF; &#0; &#55296; &amp" + english,
        "<html>" + "<div>" * 20_000 + english + "</div>" * 10,
        "<svg><p>" + english + "</svg>" + "</nav>" * 50,
    ]
    for markup_text in broken:
        m.add("html-broken-tags", ".html", markup_text.encode())
    m.add("html-utf16-no-bom", ".html", ("<html><body><p>" + french + "</p></body></html>").encode("utf-16-le"))
    m.add("html-cp1252", ".html", ("<p>" + french + "</p>").encode("cp1252", "replace"))

    data = JSON_SOURCE.read_bytes()
    for cut in sorted(rng.sample(range(1, len(data)), 10)):
        m.add("json-truncated", ".json", data[:cut])
    m.add("json-nested-deep", ".json", b"[" * 100_000 + b"]" * 100_000)
    m.add("json-nested-dicts", ".json", b'{"a":' * 50_000 + b'"x"' + b"}" * 50_000)
    m.add("json-no-text", ".json", b'{"a": 1, "b": [true, null, 2.5]}')
    m.add("json-scalar", ".json", b'"just a string about Calais"')
    m.add("json-decisions-wrong-types", ".json",
          b'{"results": [{"decision_date": 5, "text": ["a"], "jurisdiction": null}, {"jurisdiction": {}, "summary": 3}]}')
    m.add("json-utf16", ".json", data.decode("utf-8").encode("utf-16-le"))
    m.add("json-nan", ".json", b'{"text": NaN, "decision_date": Infinity}')
    return m.made
