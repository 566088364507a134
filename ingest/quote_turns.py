"""Hearing transcripts: a witness's answers, turn by turn, with the witness named where the record says.

Transcripts mark turns as "Q." / "A." lines (ICTY, ICTR), as speaker labels ("THE WITNESS:", "@WITNESS
KEANE:", "MR. DOMAZET:") or both. The witness is named where the record introduces them ("WITNESS:  FERID
SPAHIC [Resumed]", "WITNESS CBR, first having been duly sworn,"), and stops being the witness when they
withdraw. Questions, judges and counsel are not testimony; answers and the witness's own turns are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QA_MARK = re.compile(r"(?<![\w.])(Q|A)[.:](?=[ \t\u00a0]|\n)")
_LABEL = re.compile(
    r"(?<![\w.’'])[@$]?((?:[A-Z][A-ZÀ-Þ’'\-]*\.?)(?:[ \t]+[A-Z0-9][A-ZÀ-Þ0-9’'\-]*\.?){0,4}):(?=\s)"
)
_HEADER = re.compile(
    r"(?<!THE )\bWITNESS:\s+((?:WITNESS\s+)?[A-Z][A-Z0-9’'\-]+(?:[ \t]+[A-Z0-9][A-Z0-9’'\-]*){0,3})"
)
_SWORN = re.compile(
    r"[$@]?((?:WITNESS\s+)?[A-Z][A-Z0-9’'\-]+(?:[ \t]+[A-Z0-9][A-Z0-9’'\-]*){0,3}),?\s+"
    r"(?i:first\s+)?(?i:having\s+been\s+(?:duly\s+)?(?:sworn|affirmed))"
)
_WITHDRAWN = re.compile(r"\[\s*the witness withdrew\s*\]|\(\s*witness (?:excused|withdrew)\s*\)", re.I)
_LEAD_NOTE = re.compile(
    r"\s*(?:[\[(](?:interpretation|through interpreter|in english|no interpretation)[\])]\s*)+", re.I
)
_TAIL_NUMBERS = re.compile(r"(?:\s+\d{1,2})+\s*$")
_TAIL_NOTES = re.compile(r"\s*(?:\(Pages? [^)]*\)|\d{4}H|\[[^\]]{0,60}\])\s*$")
_LINE_NUMBER = re.compile(r"(?:^|\s)\d{1,2}(?: {3,}|\t)(?=\S)", re.M)
_HONORIFIC_END = re.compile(r"(?:Mr|Mrs|Ms|Dr|St|No)\.?\s*$")
_INTERPRETATION = re.compile(r"^\s*[\[(][^\])]{0,40}[\])]\s*$")
# A blank line (in Markdown, a blockquote's empty "> " line too): where an interview excerpt's answer ends.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0>]*\n")


@dataclass(frozen=True, slots=True)
class Turn:
    """The words of one witness turn (`start`, `end` in the text) and the witness, when named."""

    start: int
    end: int
    speaker: str | None


@dataclass(frozen=True, slots=True)
class _Event:
    pos: int
    end: int
    kind: str  # "Q", "A", "label", "witness-label", "header", "withdrawn"
    name: str | None = None


def _at_turn_start(text: str, pos: int) -> bool:
    """A turn mark opens a line, or follows a sentence's end or a transcript line number."""
    before = text[max(0, pos - 40) : pos].rstrip(" \t\u00a0>")
    before = re.sub(r"(?:^|\s)\d{1,2}$", "", before).rstrip(" \t")
    if not before or before.endswith("\n"):
        return True
    if _HONORIFIC_END.search(before):
        return False
    return before[-1] in '.?!:”"»)]*' or "\n" in text[max(0, pos - 40) : pos][-3:]


def _witness_name(raw: str) -> str:
    parts = raw.split()
    if len(parts) > 1 and parts[0] == "WITNESS":
        return "Witness " + " ".join(parts[1:])
    return " ".join(p if any(c.isdigit() for c in p) else p.capitalize() for p in parts)


def _events(text: str) -> list[_Event]:
    events = [
        _Event(m.start(), m.end(), m.group(1))
        for m in _QA_MARK.finditer(text)
        if _at_turn_start(text, m.start())
    ]
    for m in _LABEL.finditer(text):
        label = m.group(1)
        if len(re.sub(r"[^A-Z]", "", label)) < 2 or not _at_turn_start(text, m.start()):
            continue
        if label == "WITNESS":
            continue
        kind = "witness-label" if "WITNESS" in label.split() else "label"
        events.append(_Event(m.start(), m.end(), kind, label))
    events += [
        _Event(m.start(), m.end(), "header", _witness_name(m.group(1))) for m in _HEADER.finditer(text)
    ]
    events += [_Event(m.start(), m.end(), "header", _witness_name(m.group(1))) for m in _SWORN.finditer(text)]
    events += [_Event(m.start(), m.end(), "withdrawn") for m in _WITHDRAWN.finditer(text)]
    return sorted(events, key=lambda e: e.pos)


def _is_hearing(events: list[_Event]) -> bool:
    """Whether a text reads as a hearing record: turns by speaker labels, witness turns among them."""
    labels = sum(e.kind in ("label", "witness-label") for e in events)
    return labels >= 5 and any(e.kind in ("witness-label", "header") for e in events)


def _label_speaker(label: str, witness: str | None) -> str | None:
    named = [w for w in label.split() if w not in ("THE", "WITNESS")]
    if not named:
        return witness
    if witness and any(w.lower() in witness.lower().split() for w in named):
        return witness
    if len(named) == 1 and (len(named[0]) <= 4 or any(c.isdigit() for c in named[0])):
        return "Witness " + named[0]  # a protected witness's code: "@WITNESS TAP:"
    return _witness_name(" ".join(named))


@dataclass(frozen=True, slots=True)
class Turns:
    """A text's witness turns, the span of every turn (questions included), and whether it is a hearing
    record (speaker labels) rather than an interview excerpt inside a report ("Q: … A: …")."""

    witness: list[Turn]
    spans: list[tuple[int, int]]
    hearing: bool


def witness_turns(text: str, min_words: int = 3) -> Turns:
    """The witness's turns in text order. Q./A. marks count only where the text has at least two of each:
    a lone "A." is an initial."""
    events = _events(text)
    hearing = _is_hearing(events)
    qa = sum(e.kind == "Q" for e in events) >= 2 and sum(e.kind == "A" for e in events) >= 2
    events = [e for e in events if qa or e.kind not in ("Q", "A")]
    numbered = len(_LINE_NUMBER.findall(text)) > 20
    turns: list[Turn] = []
    all_turns: list[tuple[int, int]] = []
    witness: str | None = None
    for i, event in enumerate(events):
        if event.kind == "header":
            witness = event.name
            continue
        if event.kind == "withdrawn":
            witness = None
            continue
        end = events[i + 1].pos if i + 1 < len(events) else len(text)
        stop = _WITHDRAWN.search(text, event.end, end)
        end = stop.start() if stop else end
        if not hearing and event.kind in ("Q", "A"):
            # An interview excerpt in a report ("Q: … A: …"): a turn ends with its paragraph. The last
            # answer ran on to the next mark or the end of the text, through the report's own words and
            # headings. An answer told in several paragraphs goes on to the next question (below).
            first = len(text[event.end : end]) - len(text[event.end : end].lstrip())
            brk = _PARAGRAPH_BREAK.search(text, event.end + first, end)
            asked_next = i + 1 < len(events) and events[i + 1].kind == "Q"
            if brk and not (event.kind == "A" and asked_next and _answer_goes_on(text, brk.end(), end)):
                end = brk.start()
        start, end = _words_span(text, event.end, end, numbered)
        if start >= end:
            continue
        all_turns.append((start, end))
        if event.kind == "A" or event.kind == "witness-label":
            current = witness or _introduced_next(events, i)
            speaker = current if event.kind == "A" else _label_speaker(event.name or "", current)
            if len(re.findall(r"\w+", text[start:end])) >= min_words:
                turns.append(Turn(start, end, speaker))
    return Turns(turns, all_turns, hearing)


# The witness's own voice: a paragraph between an answer and the next question that speaks so, and neither
# reports speech nor names the report's authors, is more of the answer.
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|me|my|mine|myself|je|j['’]|moi|mon|ma|mes)\b", re.I)
_NARRATION = re.compile(
    r"\b(?:he|she|they)\s+(?:said|says|told|explained|added|described|recalled)\b"
    r"|\b(?:il|elle)s?\s+(?:a|ont|avait|avaient)\s+(?:dit|expliqué|raconté|ajouté|décrit|déclaré)\b"
    r"|\b(?:our|nos|notre)\s+(?:volunteers?|team|researchers?|delegates?|bénévoles|équipe|enquêteurs?)\b"
    r"|\b(?:interview(?:ed|ee)?|entretien)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?…]['’\"”»)\]]*\s*$")
MAX_ANSWER_PARAGRAPHS = 3  # after the first: beyond, an answer's "paragraphs" are more likely the report's


def _answer_goes_on(text: str, start: int, end: int) -> bool:
    """Whether the paragraphs from `start` to the next question (`end`) continue the answer before them: at
    most MAX_ANSWER_PARAGRAPHS, each a sentence (not a heading) in the first person singular, none
    reporting speech or naming the report's authors or the interview."""
    paragraphs = [p.strip(" \t\u00a0>\n") for p in _PARAGRAPH_BREAK.split(text[start:end])]
    paragraphs = [p for p in paragraphs if p]
    return 0 < len(paragraphs) <= MAX_ANSWER_PARAGRAPHS and all(
        _SENTENCE_END.search(p) and _FIRST_PERSON.search(p) and not _NARRATION.search(p) for p in paragraphs
    )


def _introduced_next(events: list[_Event], i: int, reach: int = 1500) -> str | None:
    """A witness who speaks (the solemn declaration) just before the record names them."""
    for later in events[i + 1 :]:
        if later.pos - events[i].pos > reach or later.kind == "withdrawn":
            return None
        if later.kind == "header":
            return later.name
    return None


def _words_span(text: str, start: int, end: int, numbered: bool) -> tuple[int, int]:
    """The spoken words between two marks: interpretation notes (and line numbers, where the transcript
    numbers its lines) left out at either end."""
    lead = _LEAD_NOTE.match(text, start, end)
    if lead:
        start = lead.end()
    body = text[start:end]
    while True:
        tail = _TAIL_NOTES.search(body) or (_TAIL_NUMBERS.search(body) if numbered else None)
        if tail is None or tail.start() == 0:
            break
        body = body[: tail.start()]
    end = start + len(body.rstrip())
    while start < end and text[start].isspace():
        start += 1
    if _INTERPRETATION.match(text[start:end]):
        return start, start
    return start, end
