"""The two programs OCR runs: poppler's `pdftoppm` renders a page, Tesseract's CLI reads it.

Both run as subprocesses: a page that takes too long is killed at its time limit without harming the
worker, and Tesseract is held to one thread (OMP_THREAD_LIMIT=1) because ingestion already runs one
worker per core; its own OpenMP threads only fight them (measured: 2.5 s a page alone, 7 s with threads).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass


class OcrFailure(Exception):
    """One page could not be read by OCR; `reason` is a plain sentence for the ingest report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PageReading:
    """What Tesseract read on one page: text in lines and paragraphs, and its mean word confidence (0-100)."""

    text: str
    confidence: float | None
    words: int


def missing_program(tesseract: str, pdftoppm: str) -> str | None:
    """The Debian package to install when a program OCR needs is absent, or None when both are there."""
    if shutil.which(tesseract) is None:
        return "tesseract-ocr"
    if shutil.which(pdftoppm) is None:
        return "poppler-utils"
    return None


def _run(argv: list[str], data: bytes | None, timeout: float, what: str) -> bytes:
    if timeout <= 0:
        raise OcrFailure(f"{what} timed out (page time limit reached)")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(argv, input=data, capture_output=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise OcrFailure(f"{what} timed out after {timeout:g} s") from exc
    except OSError as exc:
        raise OcrFailure(f"{what} could not run: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrFailure(f"{what} failed ({detail[-1] if detail else f'exit {done.returncode}'})"[:200])
    return done.stdout


def tesseract_version(tesseract: str) -> str:
    """The first line of `tesseract --version`: part of the cache key, so an upgrade reads pages again."""
    out = _run([tesseract, "--version"], None, 30.0, "tesseract --version")
    lines = out.decode("utf-8", "replace").splitlines()
    return lines[0].strip() if lines else "tesseract"


def render_page(pdftoppm: str, pdf: str, page: int, dpi: int, timeout: float) -> bytes:
    """One page as an 8-bit grey PNG at `dpi`."""
    argv = [pdftoppm, "-f", str(page), "-l", str(page), "-r", str(dpi), "-gray", "-png", "-singlefile", pdf]
    image = _run(argv, None, timeout, "rendering the page")
    if not image.startswith(b"\x89PNG"):
        raise OcrFailure("rendering the page gave no image")
    return image


def read_image(tesseract: str, image: bytes, lang: str, dpi: int, timeout: float) -> PageReading:
    """Tesseract on a PNG, automatic page segmentation, TSV output parsed into text and confidence."""
    argv = [tesseract, "stdin", "stdout", "-l", lang, "--dpi", str(dpi), "--psm", "3", "tsv"]
    return parse_tsv(_run(argv, image, timeout, "tesseract").decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> PageReading:
    """Words joined into lines, lines into paragraphs (a blank line between paragraphs and blocks).

    The confidence is the mean of Tesseract's word confidences, the figure its own tools report."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        word = cells[11].strip()
        if not word:
            continue
        try:
            conf = float(cells[10])
            key = (int(cells[2]), int(cells[3]), int(cells[4]))
        except ValueError:
            continue
        lines.setdefault(key, []).append(word)
        if conf >= 0:
            confidences.append(conf)
    paragraphs: list[list[str]] = []
    previous: tuple[int, int] | None = None
    for (block, par, _line), words in lines.items():
        if (block, par) != previous:
            paragraphs.append([])
            previous = (block, par)
        paragraphs[-1].append(" ".join(words))
    text = "\n\n".join("\n".join(p) for p in paragraphs)
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    return PageReading(text=text, confidence=confidence, words=len(confidences))
