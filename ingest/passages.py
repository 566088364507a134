"""Paragraph-aware passages of about 100–250 words, never crossing a page or a body/footnote boundary."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping

from ingest.clean import CleanDocument, Segment
from ingest.records import Passage

MIN_WORDS = 100
MAX_WORDS = 250
# No passage is longer than this, whatever its word count: a "word" of megabytes (a blob with no spaces) would
# otherwise make one passage that spaCy refuses (over its 1,000,000-character limit) and the file crash.
# The longest passage in the shared corpus has 7,202 characters.
MAX_CHARS = 10_000
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…»”\"])\s+(?=[\"“«(]?[A-ZÀ-ÖØ-Þ0-9])")
_WORD = re.compile(r"\S+")
_NEVER = re.compile(r"(?!)")


def _spans(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Pieces of text[start:end] between matches of pattern, trimmed of white space."""
    out: list[tuple[int, int]] = []
    pos = start
    for m in pattern.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    trimmed = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            trimmed.append((a, b))
    return trimmed


def _words(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end))


def _pieces(text: str, segment: Segment, max_words: int) -> list[tuple[int, int]]:
    """Paragraphs, with paragraphs longer than max_words cut at sentence ends (or, failing that, words)."""
    pieces: list[tuple[int, int]] = []
    for a, b in _spans(text, segment.start, segment.end, _PARAGRAPH_BREAK):
        if _words(text, a, b) <= max_words:
            pieces.append((a, b))
            continue
        for s, e in _spans(text, a, b, _SENTENCE_BREAK):
            if _words(text, s, e) <= max_words:
                pieces.append((s, e))
                continue
            words = list(_WORD.finditer(text, s, e))
            for k in range(0, len(words), max_words):
                chunk = words[k : k + max_words]
                pieces.append((chunk[0].start(), chunk[-1].end()))
    return [cut for a, b in pieces for cut in _capped(text, a, b)]


def _capped(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """text[start:end] in slices of at most MAX_CHARS, trimmed of white space (one slice, nearly always)."""
    if end - start <= MAX_CHARS:
        return [(start, end)]
    cuts = [(k, min(k + MAX_CHARS, end)) for k in range(start, end, MAX_CHARS)]
    return [span for a, b in cuts for span in _spans(text, a, b, _NEVER)]


def group_pieces(
    text: str, pieces: list[tuple[int, int]], min_words: int = MIN_WORDS, max_words: int = MAX_WORDS
) -> list[tuple[int, int]]:
    """Greedily join consecutive pieces until a passage reaches min_words without passing max_words."""
    groups: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    count = 0
    for a, b in pieces:
        n = _words(text, a, b)
        if start is not None and (count >= min_words or count + n > max_words or b - start > MAX_CHARS):
            groups.append((start, end))
            start = None
        if start is None:
            start, count = a, 0
        end = b
        count += n
    if start is not None:
        # A short tail joins the previous passage when both fit.
        if groups and count < min_words and _words(text, groups[-1][0], end) <= max_words and (
            end - groups[-1][0] <= MAX_CHARS
        ):
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    return groups


def split_passages(
    clean: CleanDocument,
    doc_id: str,
    lang: str,
    min_words: int = MIN_WORDS,
    max_words: int = MAX_WORDS,
    ocr_pages: Mapping[int, float | None] | None = None,
) -> list[Passage]:
    """Passages for every segment, in text order, each with the numbers of the footnotes it calls.

    `ocr_pages` (page number → mean OCR confidence, `RawDocument.ocr_pages`) flags passages read by OCR."""
    ocr_pages = ocr_pages or {}
    text = clean.text
    marker_positions = [pos for pos, _ in clean.markers]
    passages: list[Passage] = []
    for segment in clean.segments:
        if segment.section == "footnote":
            groups = _capped(text, segment.start, segment.end)
        else:
            groups = group_pieces(text, _pieces(text, segment, max_words), min_words, max_words)
        for a, b in groups:
            lo = bisect.bisect_left(marker_positions, a)
            hi = bisect.bisect_right(marker_positions, b)
            notes = tuple(dict.fromkeys(n for _, n in clean.markers[lo:hi]))
            if segment.section == "footnote":
                notes = tuple(f.number for f in clean.footnotes if f.start == a)
            passages.append(
                Passage(
                    id=f"{doc_id}:{len(passages):05d}",
                    doc_id=doc_id,
                    page=segment.page,
                    start=a,
                    end=b,
                    text=text[a:b],
                    lang=lang,
                    section=segment.section,
                    footnotes=notes,
                    ocr=segment.page in ocr_pages,
                    ocr_confidence=ocr_pages.get(segment.page) if segment.page is not None else None,
                )
            )
    return passages
