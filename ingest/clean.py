"""Cleaning extracted text: running headers and page numbers out, wrapped lines and hyphenation joined,
footnotes kept apart and linked to their markers, with an offset map back to the raw text.

The raw text of a document is its pages joined by form feeds; `OffsetMap.to_raw` maps a position in the
cleaned text back to it. The cleaned text is a sequence of segments, each `body` or `footnote` and on one
page, so later stages never cross a page or mix footnotes into the body.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.records import Footnote, RawDocument, Section

# A footnote line: its number, then text. pdfminer sometimes puts the number alone on its own line.
_FOOTNOTE_START = re.compile(r"^[ \t]*(\d{1,3})(?:[ \t]+|[.)][ \t]+|(?=[A-Z“\"«(]))(\S.*)$")
_FOOTNOTE_NUMBER_ONLY = re.compile(r"^[ \t]*(\d{1,3})[ \t]*$")
# The rule that separates body and footnotes in text extracted from PDFs: a line of spaces or underscores.
_SEPARATOR = re.compile(r"^(?:[ \t\u00a0]{20,}|[ \t]*[_\u2014\u2500-]{5,}[ \t]*)$")
_URL_ONLY = re.compile(r"^[ \t]*(?:https?://|www\.|file:///)\S+[ \t]*$")
_PAGE_NUMBER = re.compile(
    r"^[ \t]*(?:[-–—]\s*)?(?:page\s+|p\.\s*)?\d{1,4}(?:\s*(?:/|of|sur|de)\s*\d{1,4})?(?:\s*[-–—])?[ \t]*$",
    re.I,
)
_BULLET = re.compile(r"^[ \t]*(?:[•▪◦●■\-–—*]|\d{1,2}°/|\(?[a-z0-9]{1,3}[.)])[ \t]+")
_SENTENCE_END = re.compile(r"[.!?:;\"”»)\]…]\s*$")
# A footnote marker glued after a word or closing punctuation: "Calais.35", "“Robert”77", "criminalization”1".
_MARKER = re.compile(r"(?<=[A-Za-zÀ-ÖØ-öø-ÿ.,;:’”\"»)\]])(\d{1,3})(?=[\s,.;:)]|$)")
_LOWER_START = re.compile(r"^[a-zà-öø-ÿ]")


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


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # offsets into the raw text
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()


def _lines(raw: str, start: int, end: int) -> list[_Line]:
    out: list[_Line] = []
    pos = start
    while pos <= end:
        nl = raw.find("\n", pos, end)
        stop = end if nl == -1 else nl
        out.append(_Line(pos, stop, raw[pos:stop]))
        if nl == -1:
            break
        pos = nl + 1
    return out


# A hearing transcript's numbered lines (1 to 25 on each page, the number in a column of its own): "  7   THE
# REGISTRAR: ...". The numbers are not the speakers' words: an exact quotation must not carry them.
_NUMBERED_LINE = re.compile(r"^[ \t]*(\d{1,2})(?:[ \t]{2,}|[ \t]*$)")


def _numbered_lines(lines: list[_Line]) -> bool:
    """Whether most lines carry a line number that counts up, back to 1 at each page, as transcripts do: short
    lines (wrapped) numbered up to a page's length. Numbered paragraphs of a ruling or report (long lines,
    numbers that keep growing) are not line numbers."""
    nonblank = [l for l in lines if l.stripped]
    numbered = [(int(m.group(1)), len(l.stripped)) for l in nonblank if (m := _NUMBERED_LINE.match(l.text))]
    if len(nonblank) < 20 or len(numbered) < 0.6 * len(nonblank):
        return False
    numbers = [n for n, _ in numbered]
    lengths = sorted(length for _, length in numbered)
    if max(numbers) > 40 or lengths[len(lengths) // 2] > 100:
        return False
    counting = sum(1 for a, b in zip(numbers, numbers[1:]) if b == a + 1 or (b == 1 and a >= 10))
    return counting >= 0.8 * (len(numbers) - 1)


def _without_line_numbers(lines: list[_Line]) -> list[_Line]:
    """A numbered transcript's lines without their numbers (a number alone becomes a blank line), and without
    the page headers and footers between them: unnumbered lines that come back three times or more, digits
    aside ("Witness: … Page 509", "Monday, 17 September 2001  Case No. …")."""
    keys = Counter(_furniture_key(l.text) for l in lines if l.stripped and not _NUMBERED_LINE.match(l.text))
    out = []
    for line in lines:
        m = _NUMBERED_LINE.match(line.text)
        if m:
            out.append(_Line(line.start + m.end(), line.end, line.text[m.end() :]))
        elif line.stripped and keys[_furniture_key(line.text)] >= 3:
            out.append(_Line(line.end, line.end, ""))
        else:
            out.append(line)
    return out


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))


def running_furniture(pages: list[list[_Line]], edge: int = 3) -> set[str]:
    """Keys of lines that recur at the top or bottom of many pages: running headers and footers.

    Digits are ignored (page numbers change), so a footnote line that repeats ("12 Interviewed in July
    2018.") would look the same: lines that open a footnote the page calls are never furniture.
    """
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        nonblank = [l for l in lines if l.stripped]
        markers = _glued_numbers("\n".join(l.text for l in nonblank))
        keys = set()
        for line in nonblank[:edge] + nonblank[-edge:]:
            m = _FOOTNOTE_START.match(line.text)
            if m and int(m.group(1)) in markers:
                continue
            keys.add(_furniture_key(line.text))
        counts.update(k for k in keys if k and len(k) < 100)
    threshold = max(3, int(0.4 * len(pages)))
    return {k for k, n in counts.items() if n >= threshold}


def _is_furniture(line: _Line, index: int, nonblank_count: int, furniture: set[str], edge: int = 3) -> bool:
    at_edge = index < edge or index >= nonblank_count - edge
    if not at_edge:
        return False
    return _furniture_key(line.text) in furniture or bool(_PAGE_NUMBER.match(line.text))


def _glued_numbers(text: str) -> set[int]:
    return {int(m.group(1)) for m in _MARKER.finditer(text)}


def _split_footnote_block(lines: list[_Line], body_markers: set[int] | None) -> int | None:
    """Index of the first footnote line at the bottom of a page's lines, or None.

    A block qualifies when its first line starts with a number the body above carries as a glued marker
    (when `body_markers` is given) and every later numbered line continues the sequence.
    """
    for i, line in enumerate(lines):
        m = _FOOTNOTE_START.match(line.text) or _FOOTNOTE_NUMBER_ONLY.match(line.text)
        if not m:
            continue
        first = int(m.group(1))
        if body_markers is not None:
            above = "\n".join(l.text for l in lines[:i])
            if first not in _glued_numbers(above):
                continue
        expected = first + 1
        valid = True
        for later in lines[i + 1 :]:
            n = _FOOTNOTE_START.match(later.text) or _FOOTNOTE_NUMBER_ONLY.match(later.text)
            if n and int(n.group(1)) == expected:
                expected += 1
            elif n and (int(n.group(1)) < expected or int(n.group(1)) > expected + 2):
                # a number seen again ("1. Methodology" then "1 Field log") or far ahead: not this block
                valid = False
                break
        if valid:
            return i
    return None


def _footnotes_from_lines(lines: list[_Line]) -> list[tuple[int, list[_Line]]]:
    notes: list[tuple[int, list[_Line]]] = []
    expected: int | None = None
    for line in lines:
        if not line.stripped or _URL_ONLY.match(line.text) and notes and _url_repeats(line, notes[-1][1]):
            continue
        m = _FOOTNOTE_START.match(line.text) or _FOOTNOTE_NUMBER_ONLY.match(line.text)
        if m and (expected is None or int(m.group(1)) in (expected, expected + 1)):
            number = int(m.group(1))
            notes.append((number, [line]))
            expected = number + 1
        elif notes:
            notes[-1][1].append(line)
    return notes


def _url_repeats(line: _Line, note_lines: list[_Line]) -> bool:
    """PDF-to-text tools repeat a footnote's link after it; the copy adds nothing."""
    url = line.stripped
    return any(url[:40] in l.text.replace(" ", "") for l in note_lines)


@dataclass
class _PageParts:
    page: int | None
    body: list[_Line]
    notes: list[tuple[int, list[_Line]]]


def _split_text_without_pages(raw: str, lines: list[_Line]) -> list[_PageParts]:
    """Text extracted from a PDF without page breaks: a separator rule followed by numbered lines opens a
    footnote block. The block runs to the first blank line (then the bare links that tools repeat after it),
    or to a line that is not numbered after a short line that closed a note: body text resuming.
    Lines between the rule and the first numbered line continue the previous page's last note."""
    typical = _typical_length(lines)
    parts: list[_PageParts] = []
    body: list[_Line] = []
    last_number = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if _SEPARATOR.match(line.text):
            ahead = [l for l in lines[i + 1 : i + 4] if l.stripped]
            block_start = lines.index(ahead[0], i + 1) if ahead else len(lines)
            j = block_start
            block: list[_Line] = []
            while j < len(lines) and lines[j].stripped:
                block.append(lines[j])
                j += 1
            starts = [
                k
                for k, l in enumerate(block[:6])
                if (m := _FOOTNOTE_START.match(l.text)) and int(m.group(1)) > last_number
            ]
            if not starts:
                body.append(line)
                i += 1
                continue
            carried, block = block[: starts[0]], block[starts[0] :]
            kept: list[_Line] = []
            for k, l in enumerate(block):
                prev = block[k - 1].stripped if k else ""
                numbered = _FOOTNOTE_START.match(l.text) or _FOOTNOTE_NUMBER_ONLY.match(l.text)
                closed = bool(_SENTENCE_END.search(prev))
                # a note that closed, then a short line or a line going on in lowercase: the body resumes
                if k and not numbered and closed and (len(prev) < 0.75 * typical or _LOWER_START.match(l.stripped)):
                    j = block_start + len(carried) + k
                    break
                kept.append(l)
            else:
                while j < len(lines) and (not lines[j].stripped or _URL_ONLY.match(lines[j].text)):
                    if lines[j].stripped and not _url_repeats(lines[j], kept):
                        break
                    j += 1
            notes = _footnotes_from_lines(kept)
            if carried and parts and parts[-1].notes:
                parts[-1].notes[-1][1].extend(carried)
            parts.append(_PageParts(None, body, notes))
            if notes:
                last_number = notes[-1][0]
            body = []
            i = j
            continue
        body.append(line)
        i += 1
    parts.append(_PageParts(None, body, []))
    return parts


def _is_double_spaced(lines: list[_Line]) -> bool:
    """Extraction that puts a blank line after every line (so blank lines are not paragraph breaks)."""
    nonblank = [i for i, l in enumerate(lines) if l.stripped]
    if len(nonblank) < 10:
        return False
    single_gap = sum(1 for a, b in zip(nonblank, nonblank[1:]) if b - a == 2)
    return single_gap >= 0.6 * (len(nonblank) - 1)


def _typical_length(lines: list[_Line]) -> int:
    lengths = sorted(len(l.stripped) for l in lines if l.stripped)
    if not lengths:
        return 0
    return lengths[int(0.75 * (len(lengths) - 1))]


def _paragraphs(lines: list[_Line], double_spaced: bool, typical: int) -> list[list[_Line]]:
    """Group a segment's lines into paragraphs: blank lines, bullets and short closing lines end them."""
    unwrapped = typical > 160  # one paragraph per line: every line break is a break
    paragraphs: list[list[_Line]] = []
    current: list[_Line] = []
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
        if len(stripped) < 0.7 * typical and (
            _SENTENCE_END.search(stripped) or len(stripped) < 0.4 * typical
        ):
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
    line: _Line,
    start: int,
    end: int,
    footnote_numbers: set[int],
    markers: list[tuple[int, int]],
) -> None:
    """Copy raw[start:end], leaving out footnote markers glued to words and recording where they stood."""
    text = raw[start:end]
    pos = 0
    for m in _MARKER.finditer(text):
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
    page_lines: list[list[_Line]] = []
    pos = 0
    for page in doc.pages:
        length = len(page.text.replace("\r\n", "\n").replace("\r", "\n"))
        page_lines.append(_lines(raw, pos, pos + length))
        pos += length + 1
    if _numbered_lines([l for ls in page_lines for l in ls]):
        page_lines = [_without_line_numbers(ls) for ls in page_lines]
    furniture = running_furniture(page_lines) if doc.has_pages else set()

    parts: list[_PageParts] = []
    for page, lines in zip(doc.pages, page_lines):
        nonblank = [l for l in lines if l.stripped]
        if doc.has_pages:
            kept = [
                l
                for l in lines
                if not (l.stripped and _is_furniture(l, nonblank.index(l), len(nonblank), furniture))
            ]
            cut = _split_footnote_block(kept, body_markers=set())
            if cut is not None and cut > 0:
                parts.append(_PageParts(page.number, kept[:cut], _footnotes_from_lines(kept[cut:])))
            else:
                parts.append(_PageParts(page.number, kept, []))
        else:
            parts.extend(_split_text_without_pages(raw, lines))

    footnote_numbers = {n for p in parts for n, _ in p.notes}
    all_lines = [l for ls in page_lines for l in ls]
    double_spaced = _is_double_spaced(all_lines)
    typical = _typical_length(all_lines)
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
            m = _FOOTNOTE_START.match(first.text) or _FOOTNOTE_NUMBER_ONLY.match(first.text)
            assert m is not None
            text_start = first.start + (m.start(2) if m.lastindex and m.lastindex >= 2 else m.end())
            lines = [_Line(text_start, first.end, raw[text_start : first.end]), *note_lines[1:]]
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
    lines: list[_Line],
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
        if raw[end - 1] == "-" and end - 2 >= start and raw[end - 2].isalpha() and _LOWER_START.match(nxt):
            first = re.search(r"[A-Za-zÀ-ÖØ-öø-ÿ]+$", raw[start : end - 1])
            second = re.match(r"[A-Za-zÀ-ÖØ-öø-ÿ]+", nxt)
            if first and second and not _hyphen_keeps(first.group(0), second.group(0), vocabulary):
                join_hyphen = True
        if pending_space:
            builder.add(" ")
        _emit_line(builder, raw, line, start, end - 1 if join_hyphen else end, footnote_numbers, markers)
        # A hyphen straight after a letter at a line end joins the next word whether or not it is kept.
        pending_space = not (join_hyphen or raw[end - 1] == "-" and raw[end - 2 : end - 1].isalpha())
