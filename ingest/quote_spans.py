"""Where quotations stand: the body text as one stream across page breaks, quotation-mark pairs, sentences.

Footnotes sit between pages in the cleaned text, so a quotation (or the sentence that introduces it) may
stop at the foot of one page and go on at the top of the next body segment. `body_stream` joins the body
segments, leaving out footnotes and the link lists that text extraction repeats at the top of a page, and
keeps the map back to document positions, so a quotation across a page break is found whole and then
reported as one span per page.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.clean import Segment

_CONTINUES = re.compile(r"[^.!?:;\"”»…)\]]\s*$")
# What text extraction leaves at the top of a page before the body goes on: repeated links, photo credits.
_PAGE_TOP_JUNK = re.compile(
    r"(?:\s*(?:(?:https?://|www\.|file:///)\S+|[^\n.]{0,160}?©(?:\s+[A-Z][\w’'.-]*)+))+\s*"
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st no nos p pp e.g i.e m mme mlle me vs etc jr sr prof gen col lt sgt capt art cf "
    "ibid op para paras n°".split()
)
_SENTENCE_END = re.compile(
    r"[.!?…]+(?:[ \u00a0\u202f]*[”\"»’)\]])*\s+(?=[“\"«(‘\[]?\s*[A-ZÀ-ÖØ-Þ0-9])|\n\s*\n"
)
_SPACES = " \t\n\u00a0\u202f\u2009"
_MAX_QUOTE = 6000


@dataclass(frozen=True, slots=True)
class BodyStream:
    """The body segments of a document joined into one string, with the map back to document positions."""

    text: str
    runs: tuple[tuple[int, int, int], ...]  # (stream start, document start, length)

    def to_doc(self, pos: int) -> int:
        i = max(bisect.bisect_right([r[0] for r in self.runs], pos) - 1, 0)
        start, doc_start, length = self.runs[i]
        return doc_start + min(max(pos - start, 0), length)

    def from_doc(self, pos: int) -> int | None:
        for start, doc_start, length in self.runs:
            if doc_start <= pos <= doc_start + length:
                return start + pos - doc_start
        return None

    def doc_spans(self, a: int, b: int) -> list[tuple[int, int]]:
        """Document spans of stream[a:b], one per run it touches, trimmed of white space."""
        spans = []
        for start, doc_start, length in self.runs:
            lo, hi = max(a, start), min(b, start + length)
            while lo < hi and self.text[lo] in _SPACES:
                lo += 1
            while hi > lo and self.text[hi - 1] in _SPACES:
                hi -= 1
            if lo < hi:
                spans.append((doc_start + lo - start, doc_start + hi - start))
        return spans


def body_stream(text: str, segments: Sequence[Segment]) -> BodyStream:
    """Join body segments: with a space where a segment stops mid-sentence, else as a new paragraph."""
    parts: list[str] = []
    runs: list[tuple[int, int, int]] = []
    length = 0
    for seg in segments:
        if seg.section != "body":
            continue
        start = seg.start
        if parts:
            junk = _PAGE_TOP_JUNK.match(text, start, seg.end)
            start = junk.end() if junk else start
        if start >= seg.end:
            continue
        if parts:
            joiner = " " if _CONTINUES.search(parts[-1][-200:]) else "\n\n"
            parts.append(joiner)
            length += len(joiner)
        runs.append((length, start, seg.end - start))
        parts.append(text[start : seg.end])
        length += seg.end - start
    return BodyStream("".join(parts), tuple(runs))


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A top-level quotation: `open` and `close` are the marks' positions (close may be a paragraph end)."""

    open: int
    close: int
    mark: str
    closed: bool = True

    @property
    def inner(self) -> tuple[int, int]:
        return self.open + 1, self.close


def _paragraph_end(text: str, pos: int) -> int:
    m = re.compile(r"\n\s*\n").search(text, pos)
    return m.start() if m else len(text)


def _paired(text: str, opener: str, closer: str, nests: bool) -> list[QuoteSpan]:
    """Pairs of an asymmetric mark (“ ” or « »). An opener left open when a new paragraph opens with another
    is a quotation that runs to its paragraph's end (the convention for quotations of several paragraphs).
    An opener glued to the word before it and followed by a space ("inacceptables« .") is a closer typed
    the wrong way round."""
    spans: list[QuoteSpan] = []
    start: int | None = None
    depth = 0
    for m in re.finditer(f"[{opener}{closer}]", text):
        pos = m.start()
        reversed_closer = (
            start is not None
            and pos > 0
            and text[pos - 1].isalpha()
            and (text[pos + 1 : pos + 2] or " ") in " \u00a0\u202f\n.,;"
        )
        if m.group(0) == opener and not reversed_closer:
            if start is None:
                start = pos
            elif "\n\n" in text[start:pos] or pos - start > _MAX_QUOTE:
                spans.append(QuoteSpan(start, _paragraph_end(text, start), opener, closed=False))
                start, depth = pos, 0
            elif nests:
                depth += 1
        elif start is not None:
            if depth:
                depth -= 1
                continue
            if text.count("\n\n", start, pos) > 2 or pos - start > _MAX_QUOTE:
                spans.append(QuoteSpan(start, _paragraph_end(text, start), opener, closed=False))
            else:
                spans.append(QuoteSpan(start, pos, opener))
            start = None
    return spans


def _inside(pos: int, spans: Sequence[QuoteSpan]) -> bool:
    return any(s.open <= pos <= s.close for s in spans)


def _symmetric(text: str, taken: Sequence[QuoteSpan]) -> list[QuoteSpan]:
    """Straight double quotes, paired in order within each paragraph, outside curly and French quotations."""
    spans: list[QuoteSpan] = []
    for para in re.finditer(r"(?:(?!\n\s*\n).)+", text, re.S):
        marks = [
            m.start() for m in re.finditer('"', para.group(0)) if not _inside(para.start() + m.start(), taken)
        ]
        for a, b in zip(marks[0::2], marks[1::2], strict=False):
            spans.append(QuoteSpan(para.start() + a, para.start() + b, '"'))
    return spans


_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))‘(?=\S)", re.M)
_SINGLE_CLOSE = re.compile(r"(?<=\S)’(?![\w])")


def _single(text: str, taken: Sequence[QuoteSpan]) -> list[QuoteSpan]:
    """‘Single’ quotations outside others: an opener after a space, the next closer not inside a word."""
    spans: list[QuoteSpan] = []
    for m in _SINGLE_OPEN.finditer(text):
        if _inside(m.start(), taken) or spans and spans[-1].close > m.start():
            continue
        end = _SINGLE_CLOSE.search(text, m.end())
        if end and "\n\n" not in text[m.start() : end.start()] and end.start() - m.start() < 1500:
            spans.append(QuoteSpan(m.start(), end.start(), "‘"))
    return spans


def quote_spans(text: str) -> list[QuoteSpan]:
    """Top-level quotations in text order; quotations nested inside others are part of them."""
    spans = _paired(text, "“", "”", nests=True) + _paired(text, "«", "»", nests=True)
    spans += _symmetric(text, spans)
    spans += _single(text, spans)
    spans.sort(key=lambda s: (s.open, -s.close))
    top: list[QuoteSpan] = []
    for span in spans:
        if top and span.open < top[-1].close:
            continue
        top.append(span)
    return top


def trimmed_inner(text: str, span: QuoteSpan) -> tuple[int, int]:
    """The quoted words without the marks and the (non-breaking) spaces French typography puts inside."""
    a, b = span.inner
    while a < b and text[a].isspace():  # every character of _SPACES, and \x1c-\x1f, which strip() takes too
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def sentence_starts(text: str, spans: Sequence[QuoteSpan]) -> list[int]:
    """Where sentences start, never inside a quotation: its own full stops do not end the sentence."""
    opens = [s.open for s in spans]
    starts = [0]
    for m in _SENTENCE_END.finditer(text):
        i = bisect.bisect_right(opens, m.end() - 1) - 1
        if i >= 0 and spans[i].open < m.end() - 1 < spans[i].close:
            continue
        if m.group(0)[0] == "." and _abbreviation_before(text, m.start()):
            continue
        starts.append(m.end())
    return starts


def _abbreviation_before(text: str, pos: int) -> bool:
    word = re.search(r"([\w.°]+)$", text[max(0, pos - 12) : pos])
    if word is None:
        return False
    w = word.group(1).lower()
    return w in _ABBREVIATIONS or bool(re.fullmatch(r"[a-zà-þ]", w)) and word.group(1).isupper()


def mask_quotes(text: str, offset: int, spans: Sequence[QuoteSpan]) -> str:
    """`text` (which starts at `offset`) with the words of long quotations replaced by an ellipsis, so the
    rules counting words near a speech verb see the sentence's own words; short ones (pseudonyms) stay."""
    out = text
    for span in sorted(spans, key=lambda s: -s.open):
        a, b = span.open - offset + 1, span.close - offset
        if a < 0 or b > len(text) or a >= b:
            continue
        if len(re.findall(r"\w+", out[a:b])) > 3:
            out = out[:a] + "…" + out[b:]
    return out
