"""Cleaning extracted text: running headers and page numbers out, wrapped lines and hyphenation joined,
footnotes kept apart and linked to their markers, with an offset map back to the raw text.

The raw text of a document is its pages joined by form feeds; `OffsetMap.to_raw` maps a position in the
cleaned text back to it. The cleaned text is a sequence of segments, each `body` or `footnote` and on one
page, so later stages never cross a page or mix footnotes into the body.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ingest.page_lines import (
    FOOTNOTE_NUMBER_ONLY,
    FOOTNOTE_START,
    LOWER_START,
    MARKER,
    SENTENCE_END,
    Line,
    PageParts,
    footnotes_from_lines,
    is_furniture,
    numbered_lines,
    raw_lines,
    running_furniture,
    split_footnote_block,
    split_text_without_pages,
    typical_length,
    without_line_numbers,
)
from ingest.records import Footnote, RawDocument, Section

_BULLET = re.compile(r"^[ \t]*(?:[•▪◦●■\-–—*]|\d{1,2}°/|\(?[a-z0-9]{1,3}[.)])[ \t]+")


@dataclass(frozen=True, slots=True)
class Segment:
    section: Section
    page: int | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Runs of cleaned text copied from the raw text: (clean_start, raw_start, length), sorted."""

    runs: tuple[tuple[int, int, int], ...]

    def to_raw(self, clean_pos: int) -> int:
        if not self.runs:
            return clean_pos
        i = bisect.bisect_right([r[0] for r in self.runs], clean_pos) - 1
        clean_start, raw_start, length = self.runs[max(i, 0)]
        return raw_start + min(max(clean_pos - clean_start, 0), length)


@dataclass(frozen=True, slots=True)
class CleanDocument:
    text: str
    raw: str
    segments: tuple[Segment, ...]
    footnotes: tuple[Footnote, ...]
    markers: tuple[tuple[int, int], ...]  # (position in text, footnote number)
    offsets: OffsetMap


@dataclass
class _Builder:
    """Appends pieces of raw text (or synthetic joiners) and records where each came from."""

    parts: list[str] = field(default_factory=list)
    runs: list[tuple[int, int, int]] = field(default_factory=list)
    length: int = 0

    def copy(self, raw: str, start: int, end: int) -> None:
        if end <= start:
            return
        self.runs.append((self.length, start, end - start))
        self.parts.append(raw[start:end])
        self.length += end - start

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def _is_double_spaced(lines: list[Line]) -> bool:
    """Extraction that puts a blank line after every line (so blank lines are not paragraph breaks)."""
    nonblank = [i for i, l in enumerate(lines) if l.stripped]
    if len(nonblank) < 10:
        return False
    single_gap = sum(1 for a, b in zip(nonblank, nonblank[1:]) if b - a == 2)
    return single_gap >= 0.6 * (len(nonblank) - 1)


def _paragraphs(lines: list[Line], double_spaced: bool, typical: int) -> list[list[Line]]:
    """Group a segment's lines into paragraphs: blank lines, bullets and short closing lines end them."""
    unwrapped = typical > 160  # one paragraph per line: every line break is a break
    paragraphs: list[list[Line]] = []
    current: list[Line] = []
    blank_run = 0
    for line in lines:
        if not line.stripped:
            blank_run += 1
            if blank_run >= (2 if double_spaced else 1) and current:
                paragraphs.append(current)
                current = []
            continue
        blank_run = 0
        if current and (unwrapped or _BULLET.match(line.text)):
            paragraphs.append(current)
            current = []
        current.append(line)
        stripped = line.stripped
        if len(stripped) < 0.7 * typical and (SENTENCE_END.search(stripped) or len(stripped) < 0.4 * typical):
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _hyphen_keeps(first: str, second: str, vocabulary: set[str]) -> bool:
    """Whether a line-end hyphen belongs to the word: the document itself writes the compound with one."""
    joined = (first + second).lower()
    hyphenated = f"{first}-{second}".lower()
    if joined in vocabulary:
        return False
    return hyphenated in vocabulary or first[:1].isupper() and second[:1].isupper()


def _vocabulary(raw: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:-[A-Za-zÀ-ÖØ-öø-ÿ]+)*", raw)}


def _emit_line(
    builder: _Builder,
    raw: str,
    line: Line,
    start: int,
    end: int,
    footnote_numbers: set[int],
    markers: list[tuple[int, int]],
) -> None:
    """Copy raw[start:end], leaving out footnote markers glued to words and recording where they stood."""
    text = raw[start:end]
    pos = 0
    for m in MARKER.finditer(text):
        number = int(m.group(1))
        before = text[: m.start()]
        if number not in footnote_numbers:
            continue
        # "1.5 million": a decimal, not a marker, unless it is the marker that comes next.
        if re.search(r"\d[.,]$", before) and not (markers and markers[-1][1] < number <= markers[-1][1] + 2):
            continue
        builder.copy(raw, start + pos, start + m.start())
        markers.append((builder.length, number))
        pos = m.end()
    builder.copy(raw, start + pos, end)


def clean(doc: RawDocument) -> CleanDocument:
    """Clean a document's pages into body and footnote segments over one text."""
    raw = "\f".join(p.text.replace("\r\n", "\n").replace("\r", "\n") for p in doc.pages)
    page_lines: list[list[Line]] = []
    pos = 0
    for page in doc.pages:
        length = len(page.text.replace("\r\n", "\n").replace("\r", "\n"))
        page_lines.append(raw_lines(raw, pos, pos + length))
        pos += length + 1
    if numbered_lines([l for ls in page_lines for l in ls]):
        page_lines = [without_line_numbers(ls) for ls in page_lines]
    furniture = running_furniture(page_lines) if doc.has_pages else set()

    parts: list[PageParts] = []
    for page, lines in zip(doc.pages, page_lines):
        nonblank = [l for l in lines if l.stripped]
        if doc.has_pages:
            kept = [
                l
                for l in lines
                if not (l.stripped and is_furniture(l, nonblank.index(l), len(nonblank), furniture))
            ]
            cut = split_footnote_block(kept, body_markers=set())
            if cut is not None and cut > 0:
                parts.append(PageParts(page.number, kept[:cut], footnotes_from_lines(kept[cut:])))
            else:
                parts.append(PageParts(page.number, kept, []))
        else:
            parts.extend(split_text_without_pages(raw, lines))

    footnote_numbers = {n for p in parts for n, _ in p.notes}
    all_lines = [l for ls in page_lines for l in ls]
    double_spaced = _is_double_spaced(all_lines)
    typical = typical_length(all_lines)
    vocabulary = _vocabulary(raw)

    builder = _Builder()
    segments: list[Segment] = []
    footnotes: list[Footnote] = []
    markers: list[tuple[int, int]] = []
    for part in parts:
        seg_start = builder.length
        for para in _paragraphs(part.body, double_spaced, typical):
            if builder.length > seg_start:
                builder.add("\n\n")
            _emit_paragraph(builder, raw, para, vocabulary, footnote_numbers, markers)
        if builder.length > seg_start:
            segments.append(Segment("body", part.page, seg_start, builder.length))
            builder.add("\n\n")
        for number, note_lines in part.notes:
            note_start = builder.length
            first = note_lines[0]
            m = FOOTNOTE_START.match(first.text) or FOOTNOTE_NUMBER_ONLY.match(first.text)
            assert m is not None
            text_start = first.start + (m.start(2) if m.lastindex and m.lastindex >= 2 else m.end())
            lines = [Line(text_start, first.end, raw[text_start : first.end]), *note_lines[1:]]
            _emit_paragraph(builder, raw, [l for l in lines if l.stripped], vocabulary, set(), [])
            if builder.length > note_start:
                text = builder.text()[note_start:]
                footnotes.append(Footnote(number, part.page, note_start, builder.length, text))
                segments.append(Segment("footnote", part.page, note_start, builder.length))
                builder.add("\n\n")
    text = builder.text()
    return CleanDocument(
        text=text,
        raw=raw,
        segments=tuple(segments),
        footnotes=tuple(footnotes),
        markers=tuple(markers),
        offsets=OffsetMap(tuple(builder.runs)),
    )


def _emit_paragraph(
    builder: _Builder,
    raw: str,
    lines: list[Line],
    vocabulary: set[str],
    footnote_numbers: set[int],
    markers: list[tuple[int, int]],
) -> None:
    """Join a paragraph's lines with single spaces, mending words hyphenated across lines."""
    pending_space = False
    for index, line in enumerate(lines):
        text = line.text
        left = len(text) - len(text.lstrip())
        right = len(text.rstrip())
        if left >= right:
            continue
        start, end = line.start + left, line.start + right
        nxt = lines[index + 1].stripped if index + 1 < len(lines) else ""
        join_hyphen = False
        if raw[end - 1] == "-" and end - 2 >= start and raw[end - 2].isalpha() and LOWER_START.match(nxt):
            first = re.search(r"[A-Za-zÀ-ÖØ-öø-ÿ]+$", raw[start : end - 1])
            second = re.match(r"[A-Za-zÀ-ÖØ-öø-ÿ]+", nxt)
            if first and second and not _hyphen_keeps(first.group(0), second.group(0), vocabulary):
                join_hyphen = True
        if pending_space:
            builder.add(" ")
        _emit_line(builder, raw, line, start, end - 1 if join_hyphen else end, footnote_numbers, markers)
        # A hyphen straight after a letter at a line end joins the next word whether or not it is kept.
        pending_space = not (join_hyphen or raw[end - 1] == "-" and raw[end - 2 : end - 1].isalpha())
