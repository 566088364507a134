"""The lines of extracted pages, with their offsets into the raw text, sorted for `ingest.clean`: running
headers and footers, page numbers and a transcript's line numbers to drop, footnote blocks to keep apart.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# A footnote line: its number, then text. pdfminer sometimes puts the number alone on its own line.
FOOTNOTE_START = re.compile(r"^[ \t]*(\d{1,3})(?:[ \t]+|[.)][ \t]+|(?=[A-Z“\"«(]))(\S.*)$")
FOOTNOTE_NUMBER_ONLY = re.compile(r"^[ \t]*(\d{1,3})[ \t]*$")
# The rule that separates body and footnotes in text extracted from PDFs: a line of spaces or underscores.
_SEPARATOR = re.compile(r"^(?:[ \t\u00a0]{20,}|[ \t]*[_\u2014\u2500-]{5,}[ \t]*)$")
_URL_ONLY = re.compile(r"^[ \t]*(?:https?://|www\.|file:///)\S+[ \t]*$")
_PAGE_NUMBER = re.compile(
    r"^[ \t]*(?:[-–—]\s*)?(?:page\s+|p\.\s*)?\d{1,4}(?:\s*(?:/|of|sur|de)\s*\d{1,4})?(?:\s*[-–—])?[ \t]*$",
    re.I,
)
SENTENCE_END = re.compile(r"[.!?:;\"”»)\]…]\s*$")
# A footnote marker glued after a word or closing punctuation: "Calais.35", "“Robert”77", "criminalization”1".
MARKER = re.compile(r"(?<=[A-Za-zÀ-ÖØ-öø-ÿ.,;:’”\"»)\]])(\d{1,3})(?=[\s,.;:)]|$)")
LOWER_START = re.compile(r"^[a-zà-öø-ÿ]")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the raw text, without its newline, and where it stands."""

    start: int  # offsets into the raw text
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()


def raw_lines(raw: str, start: int, end: int) -> list[Line]:
    """The lines of `raw[start:end]`, each with its offsets into `raw`, so cleaning can map back to it."""
    out: list[Line] = []
    pos = start
    while pos <= end:
        nl = raw.find("\n", pos, end)
        stop = end if nl == -1 else nl
        out.append(Line(pos, stop, raw[pos:stop]))
        if nl == -1:
            break
        pos = nl + 1
    return out


# A hearing transcript's numbered lines (1 to 25 on each page, the number in a column of its own): "  7   THE
# REGISTRAR: ...". The numbers are not the speakers' words: an exact quotation must not carry them.
_NUMBERED_LINE = re.compile(r"^[ \t]*(\d{1,2})(?:[ \t]{2,}|[ \t]*$)")


def numbered_lines(lines: list[Line]) -> bool:
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


def without_line_numbers(lines: list[Line]) -> list[Line]:
    """A numbered transcript's lines without their numbers (a number alone becomes a blank line), and without
    the page headers and footers between them: unnumbered lines that come back three times or more, digits
    aside ("Witness: … Page 509", "Monday, 17 September 2001  Case No. …")."""
    keys = Counter(_furniture_key(l.text) for l in lines if l.stripped and not _NUMBERED_LINE.match(l.text))
    out = []
    for line in lines:
        m = _NUMBERED_LINE.match(line.text)
        if m:
            out.append(Line(line.start + m.end(), line.end, line.text[m.end() :]))
        elif line.stripped and keys[_furniture_key(line.text)] >= 3:
            out.append(Line(line.end, line.end, ""))
        else:
            out.append(line)
    return out


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))


def running_furniture(pages: list[list[Line]], edge: int = 3) -> set[str]:
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
            m = FOOTNOTE_START.match(line.text)
            if m and int(m.group(1)) in markers:
                continue
            keys.add(_furniture_key(line.text))
        counts.update(k for k in keys if k and len(k) < 100)
    threshold = max(3, int(0.4 * len(pages)))
    return {k for k, n in counts.items() if n >= threshold}


def is_furniture(line: Line, index: int, nonblank_count: int, furniture: set[str], edge: int = 3) -> bool:
    """Whether a line near the top or bottom of its page (`index` among the page's `nonblank_count` lines) is
    a running header, footer or page number, not the document's words."""
    at_edge = index < edge or index >= nonblank_count - edge
    if not at_edge:
        return False
    return _furniture_key(line.text) in furniture or bool(_PAGE_NUMBER.match(line.text))


def _glued_numbers(text: str) -> set[int]:
    return {int(m.group(1)) for m in MARKER.finditer(text)}


def split_footnote_block(lines: list[Line], body_markers: set[int] | None) -> int | None:
    """Index of the first footnote line at the bottom of a page's lines, or None.

    A block qualifies when its first line starts with a number the body above carries as a glued marker
    (when `body_markers` is given) and every later numbered line continues the sequence.
    """
    for i, line in enumerate(lines):
        m = FOOTNOTE_START.match(line.text) or FOOTNOTE_NUMBER_ONLY.match(line.text)
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
            n = FOOTNOTE_START.match(later.text) or FOOTNOTE_NUMBER_ONLY.match(later.text)
            if n and int(n.group(1)) == expected:
                expected += 1
            elif n and (int(n.group(1)) < expected or int(n.group(1)) > expected + 2):
                # a number seen again ("1. Methodology" then "1 Field log") or far ahead: not this block
                valid = False
                break
        if valid:
            return i
    return None


def footnotes_from_lines(lines: list[Line]) -> list[tuple[int, list[Line]]]:
    """A footnote block's notes as (number, lines): a numbered line in sequence opens a note, the lines after
    it continue it; a repeated bare link is dropped."""
    notes: list[tuple[int, list[Line]]] = []
    expected: int | None = None
    for line in lines:
        if not line.stripped or _URL_ONLY.match(line.text) and notes and _url_repeats(line, notes[-1][1]):
            continue
        m = FOOTNOTE_START.match(line.text) or FOOTNOTE_NUMBER_ONLY.match(line.text)
        if m and (expected is None or int(m.group(1)) in (expected, expected + 1)):
            number = int(m.group(1))
            notes.append((number, [line]))
            expected = number + 1
        elif notes:
            notes[-1][1].append(line)
    return notes


def _url_repeats(line: Line, note_lines: list[Line]) -> bool:
    """PDF-to-text tools repeat a footnote's link after it; the copy adds nothing."""
    url = line.stripped
    return any(url[:40] in l.text.replace(" ", "") for l in note_lines)


@dataclass
class PageParts:
    """A page's body lines and its footnotes, before they become segments."""

    page: int | None
    body: list[Line]
    notes: list[tuple[int, list[Line]]]


def split_text_without_pages(raw: str, lines: list[Line]) -> list[PageParts]:
    """Text extracted from a PDF without page breaks: a separator rule followed by numbered lines opens a
    footnote block. The block runs to the first blank line (then the bare links that tools repeat after it),
    or to a line that is not numbered after a short line that closed a note: body text resuming.
    Lines between the rule and the first numbered line continue the previous page's last note."""
    typical = typical_length(lines)
    parts: list[PageParts] = []
    body: list[Line] = []
    last_number = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if _SEPARATOR.match(line.text):
            ahead = [l for l in lines[i + 1 : i + 4] if l.stripped]
            block_start = lines.index(ahead[0], i + 1) if ahead else len(lines)
            j = block_start
            block: list[Line] = []
            while j < len(lines) and lines[j].stripped:
                block.append(lines[j])
                j += 1
            starts = [
                k
                for k, l in enumerate(block[:6])
                if (m := FOOTNOTE_START.match(l.text)) and int(m.group(1)) > last_number
            ]
            if not starts:
                body.append(line)
                i += 1
                continue
            carried, block = block[: starts[0]], block[starts[0] :]
            kept: list[Line] = []
            for k, l in enumerate(block):
                prev = block[k - 1].stripped if k else ""
                numbered = FOOTNOTE_START.match(l.text) or FOOTNOTE_NUMBER_ONLY.match(l.text)
                closed = bool(SENTENCE_END.search(prev))
                # a note that closed, then a short line or a line going on in lowercase: the body resumes
                if (
                    k
                    and not numbered
                    and closed
                    and (len(prev) < 0.75 * typical or LOWER_START.match(l.stripped))
                ):
                    j = block_start + len(carried) + k
                    break
                kept.append(l)
            else:
                while j < len(lines) and (not lines[j].stripped or _URL_ONLY.match(lines[j].text)):
                    if lines[j].stripped and not _url_repeats(lines[j], kept):
                        break
                    j += 1
            notes = footnotes_from_lines(kept)
            if carried and parts and parts[-1].notes:
                parts[-1].notes[-1][1].extend(carried)
            parts.append(PageParts(None, body, notes))
            if notes:
                last_number = notes[-1][0]
            body = []
            i = j
            continue
        body.append(line)
        i += 1
    parts.append(PageParts(None, body, []))
    return parts


def typical_length(lines: list[Line]) -> int:
    """The length a full line of this text has (the 75th percentile), to tell a short line that ends a
    paragraph or note."""
    lengths = sorted(len(l.stripped) for l in lines if l.stripped)
    if not lengths:
        return 0
    return lengths[int(0.75 * (len(lengths) - 1))]
