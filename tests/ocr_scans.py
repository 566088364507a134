"""Scans made by us from real text, for the OCR tests and `bench/ocr_eval.py`.

A real PDF page is rendered to an image (poppler's pdftoppm), optionally degraded (lower resolution, skew,
noise) and wrapped back into an image-only PDF. The page's own text layer is the ground truth. Everything is
written to directories the caller gives (temporary ones): no document text is kept in the repository.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True, slots=True)
class Degradation:
    """How a clean scan is spoiled: resolution it is scanned at, skew in degrees, share of noisy pixels."""

    dpi: int = 300
    skew: float = 0.0
    noise: float = 0.0
    seed: int = 0


CLEAN_300 = Degradation()


def have_poppler() -> bool:
    return shutil.which("pdftoppm") is not None and shutil.which("pdfunite") is not None


def render(pdf: Path, page: int, dpi: int) -> Image.Image:
    """One page of a PDF as a greyscale image, as a scanner at `dpi` would see it."""
    argv = ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-gray", "-png", "-singlefile"]
    argv.append(str(pdf))
    png = subprocess.run(argv, capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def degrade(image: Image.Image, how: Degradation) -> Image.Image:
    """The image skewed by `how.skew` degrees (white corners) and sprinkled with salt-and-pepper noise."""
    out = image
    if how.skew:
        out = out.rotate(how.skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if how.noise:
        rng = np.random.default_rng(how.seed)
        pixels = np.array(out, dtype=np.uint8)
        mask = rng.random(pixels.shape) < how.noise
        pixels[mask] = np.where(rng.random(int(mask.sum())) < 0.5, 0, 255).astype(np.uint8)
        out = Image.fromarray(pixels, mode="L")
    return out


def scan(pdf: Path, pages: list[int], how: Degradation, out: Path) -> Path:
    """An image-only PDF of the given pages of `pdf`, scanned as `how` says."""
    images = [
        degrade(render(pdf, n, how.dpi), Degradation(how.dpi, how.skew, how.noise, how.seed + n)) for n in pages
    ]
    images[0].save(out, "PDF", resolution=float(how.dpi), save_all=True, append_images=images[1:])
    return out


def unite(parts: list[tuple[Path, int]], out: Path, work: Path) -> Path:
    """A PDF made of single pages of other PDFs, copied as they are (pdfseparate, then pdfunite)."""
    singles = []
    for i, (pdf, page) in enumerate(parts):
        single = work / f"part-{i}.pdf"
        subprocess.run(["pdfseparate", "-f", str(page), "-l", str(page), str(pdf), str(single)], check=True)
        singles.append(str(single))
    subprocess.run(["pdfunite", *singles, str(out)], check=True)
    return out


def typeset(text: str, out: Path, max_pages: int = 3) -> Path:
    """Real text (a French article, say) typeset by fpdf2 into a PDF with a text layer, to be scanned."""
    import fpdf

    pdf = fpdf.FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("dejavu", fname=str(DEJAVU))
    pdf.set_font("dejavu", size=11)
    for paragraph in [p for p in re.split(r"\n\s*\n", text) if p.strip()]:
        if pdf.page_no() >= max_pages and pdf.get_y() > 240:
            break
        if pdf.page_no() == 0:
            pdf.add_page()
        pdf.multi_cell(0, 5.5, " ".join(paragraph.split()), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.output(str(out))
    return out


_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-", "‐": "-", "‑": "-",
     "\u00a0": " ", "\u202f": " "}
)


def normalise(text: str) -> str:
    """Text as CER compares it: NFKC (ligatures split), typographic quotes and dashes made plain, every run
    of white space one space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (insertions by a running minimum)."""
    if not a or not b:
        return max(len(a), len(b))
    bs = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    cols = np.arange(len(b) + 1, dtype=np.int64)
    row = cols.copy()
    for i, ch in enumerate(a, start=1):
        subst = row[:-1] + (bs != ord(ch))
        tmp = np.empty_like(row)
        tmp[0] = i
        tmp[1:] = np.minimum(subst, row[1:] + 1)
        row = np.minimum.accumulate(tmp - cols) + cols
    return int(row[-1])


def character_error_rate(ocr: str, truth: str) -> float:
    """Edits (insert, delete, substitute) to turn the OCR text into the truth, over the truth's length."""
    ref, hyp = normalise(truth), normalise(ocr)
    return edit_distance(hyp, ref) / max(len(ref), 1)
