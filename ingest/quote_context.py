"""What the text around a testimony says: who is speaking, where and when.

`Reader` holds one document's body as the rules see it (the stream across page breaks, its quotations,
sentences, footnote markers) and what has been learned so far: testimonies found, whom each quotation
was given to, each speaker's fullest name, description and place. From it the speaker of "He added" or
"raconte-t-elle" is the person last spoken of (of the same gender, where a pronoun said so), a footnote is
linked to a testimony, and place and date are chosen among footnote, interview note, sentence, document.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.dates import find_dates
from ingest.gazetteer import fold
from ingest.quote_attribution import Subject, first_named, parse_subject, person_described
from ingest.quote_names import Note, Vocabulary, find_place, read_note
from ingest.quote_spans import BodyStream, QuoteSpan, mask_quotes
from ingest.records import DateSource, Footnote

NOTE_PARAGRAPH = re.compile(
    r"^\s*(?:interviewed|interviews? (?:conducted|held|with)|entretien|propos recueillis|"
    r"témoignage recueilli)\b[^\n]{0,160}$",
    re.I,
)

_DATELINE = re.compile(
    r"\(\s*([A-ZÀ-Þ][\w’' -]{1,40}?)\s*[-–—,]\s*envoy[ée]+s?\s+spécia\w*\s*\)"
    r"|(?:^|\n)\W{0,3}([A-ZÀ-Þ][\w’' -]{1,30}?)\W{0,3}\s*(?:\(\d+\))?\s*(?:--|—|–)\s",
)


@dataclass(frozen=True, slots=True)
class Found:
    """A testimony found in the body stream: its parts (stream spans) and what is known of it."""

    parts: tuple[tuple[int, int], ...]
    speaker: str | None
    description: str | None
    place: str | None
    date: str | None
    date_source: DateSource
    footnote: int | None = None

    @property
    def start(self) -> int:
        return self.parts[0][0]


@dataclass
class Reader:
    """One document's body as seen by the rules: stream, quotations, sentences, footnote markers."""

    stream: BodyStream
    spans: list[QuoteSpan]
    starts: list[int]
    vocab: Vocabulary
    markers: list[tuple[int, int]]
    notes: dict[int, list[str]]
    doc_date: str | None
    setting: str | None
    found: list[Found] = field(default_factory=list)
    memory: list[tuple[int, str, int]] = field(default_factory=list)
    people: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)  # where each speaker was said to be
    genders: dict[str, str] = field(default_factory=dict)
    said: list[tuple[int, Subject]] = field(default_factory=list)  # who each quotation was attributed to

    def known(self, name: str | None, description: str | None) -> tuple[str | None, str | None]:
        """The fullest name and first description seen for a speaker: "Claire" is "Claire Vasseur"."""
        if name is None:
            return None, description
        key = speaker_key(name)
        full, desc = self.people.get(key, (name, description))
        full = name if len(name) > len(full) else full
        self.people[key] = (full, desc or description)
        return self.people[key][0], description or desc

    @property
    def text(self) -> str:
        return self.stream.text

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.starts[i], self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)

    def masked(self, a: int, b: int) -> str:
        return mask_quotes(self.text[a:b], a, self.spans)

    def note(self, number: int) -> Note | None:
        texts = self.notes.get(number)
        return read_note(texts[0], self.vocab) if texts else None


def footnote_texts(footnotes: Sequence[Footnote]) -> dict[int, list[str]]:
    """Footnote texts by number. Where cleaning merged notes ("…nights. 23 Auberge … 24 Interview conducted
    in August 2018."), the notes inside are found by their numbers too."""
    texts: dict[int, list[str]] = {}
    for note in footnotes:
        texts.setdefault(note.number, []).append(note.text)
    for note in footnotes:
        # A note merged into another starts after a sentence's end or a link: "….pdf 24 Interview…".
        for m in re.finditer(r"(?:[.)]|/\S*)\s+(\d{1,3})\s+(?=[A-Z])", note.text):
            number = int(m.group(1))
            if number == note.number or number > note.number and number not in texts:
                rest = note.text[m.end() :]
                nxt = re.search(rf"\s{number + 1}\s+[A-Z]", rest)
                texts[number] = [rest[: nxt.start()] if nxt else rest]
    return texts


def dateline_place(text: str, vocab: Vocabulary) -> str | None:
    """Where a press piece is datelined: "(Calais - envoyée spéciale)", "Calais (62) --"."""
    for m in _DATELINE.finditer(text):
        place = (m.group(1) or m.group(2) or "").strip()
        known = vocab.place_name(place)
        if known:
            return known
    return None


def remember_interviewees(reader: Reader) -> None:
    """Footnote markers on sentences about a named person ("Claire Vasseur,72 a volunteer…"): the note
    later gives place and date for that person's words even where no marker follows them."""
    for pos, number in reader.markers:
        note = reader.note(number)
        if note is None or not note.is_interview:
            continue
        a, _ = reader.sentence(max(pos - 1, 0))
        subject = parse_subject(reader.masked(a, pos), reader.vocab)
        if subject and subject.name and subject.kind in ("name", "pseudonym"):
            reader.memory.append((pos, speaker_key(subject.name), number))


def speaker_key(name: str) -> str:
    return fold(name).split()[0] if name.strip() else ""


def resolve_speaker(
    reader: Reader, pos: int, subject: Subject | None
) -> tuple[str | None, str | None] | None:
    """Name and description of the speaker; None when the words turn out to be an office's."""
    if subject is not None and subject.kind in ("name", "pseudonym"):
        return subject.name, subject.description
    if subject is not None and subject.kind == "description":
        return None, subject.description
    gender = subject.gender if subject is not None else None
    previous = _paragraph_speaker(reader, pos) if subject is None else None
    if previous is None and subject is not None and subject.kind == "anaphor":
        previous = _named_with_noun(reader, pos, subject.description or "")
    blocking = subject is not None and subject.kind in ("pronoun", "anaphor")
    previous = previous or antecedent(reader, pos, gender, blocking)
    if previous is not None:
        if previous.name and gender:
            reader.genders.setdefault(speaker_key(previous.name), gender)
        if previous.name and previous.where:
            reader.places.setdefault(speaker_key(previous.name), previous.where)
        return None if previous.official else (previous.name, previous.description)
    if subject is not None and subject.kind == "pronoun":
        i = bisect.bisect_right(reader.starts, pos) - 1
        return None, person_described(reader.masked(reader.starts[max(i - 2, 0)], pos))
    return None, subject.description if subject else None


def _paragraph_speaker(reader: Reader, pos: int) -> Subject | None:
    """Words quoted with no attribution at all go on from the last testimony of the same paragraph."""
    official = [p for p, s in reader.said if s.official and p < pos and "\n\n" not in reader.text[p:pos]]
    last = reader.found[-1] if reader.found else None
    if official and (last is None or official[-1] > last.start):
        return Subject("description", None, None, official=True)
    if last is None or "\n\n" in reader.text[last.start : pos]:
        return None
    if last.speaker is None:
        return Subject("description", None, last.description) if last.description else None
    return Subject("name", last.speaker, last.description)


def _named_with_noun(reader: Reader, pos: int, phrase: str, reach: int = 6000) -> Subject | None:
    """The person a description points back to: "le médecin" after "Jean-Marc Dupont, médecin
    bénévole"; "l'humoriste" after "l'humoriste Zgary"."""
    noun = re.sub(r"^(?:the|le|la|l[’'])\s*(?:jeune\s+|young\s+)?", "", phrase, flags=re.I).split()
    if not noun:
        return None
    word = re.escape(noun[0])
    before = reader.masked(max(0, pos - reach), pos)
    name = r"((?:[A-ZÀ-Þ][\w’'-]+)(?:\s+[A-ZÀ-Þ][\w’'-]+){0,2})"
    found = [
        m
        for pattern in (rf"\b{word}\s+{name}", rf"{name},\s+(?:\w+\s+){{0,2}}{word}\b")
        for m in re.finditer(pattern, before)
    ]
    found = [m for m in found if parse_subject(m.group(1), reader.vocab) is not None]
    if not found:
        return None
    best = max(found, key=lambda m: m.start())
    subject = parse_subject(best.group(1), reader.vocab)
    return subject if subject is not None and subject.kind in ("name", "pseudonym") else None


def antecedent(
    reader: Reader, pos: int, gender: str | None = None, blocking: bool = False, max_sentences: int = 12
) -> Subject | None:
    """The person last spoken of before `pos`: a testimony's speaker or a sentence's named subject, passing
    over people a pronoun of the other gender was used for ("note-t-elle" is not the "il" of before)."""

    def fits(name: str | None) -> bool:
        return gender is None or name is None or reader.genders.get(speaker_key(name), gender) == gender

    i = bisect.bisect_right(reader.starts, pos) - 1
    paragraphs = 0
    for j in range(i, max(i - max_sentences, -1), -1):
        lo = reader.starts[j]
        hi = pos if j == i else reader.starts[j + 1]
        spoken = [
            (f.start, Subject("name", f.speaker, f.description))
            for f in reader.found
            if lo <= f.start < hi and f.speaker and fits(f.speaker)
        ]
        spoken += [
            (p, s)
            for p, s in reader.said
            if lo <= p < hi
            and (
                s.official
                and blocking
                or s.kind in ("name", "pseudonym")
                or j == i
                and s.kind == "description"
            )
        ]
        if spoken:
            return max(spoken, key=lambda item: item[0])[1]
        sentence = reader.masked(lo, hi)
        subject = parse_subject(sentence, reader.vocab)
        if subject is not None and subject.official and blocking:
            return subject
        if subject is None or subject.kind not in ("name", "pseudonym", "pronoun"):
            subject = first_named(sentence, reader.vocab) or subject
        if subject and subject.kind in ("name", "pseudonym") and fits(subject.name):
            return subject
        paragraphs += reader.text.count("\n\n", lo, hi)
        if paragraphs > 3:
            break
    return None


def linked_footnote(reader: Reader, span: QuoteSpan, s0: int, s1: int, speaker: str | None) -> int | None:
    """The footnote a testimony points to: a marker right after it or its sentence, then one on the
    speaker's name, then a note remembered for the speaker, then the next interview note in the paragraph."""
    close = span.close
    positions = [p for p, _ in reader.markers]
    for lo, hi in ((close, close + 4), (s1 - 5, s1 + 1), (s0, span.open)):
        k = bisect.bisect_left(positions, lo)
        if k < len(positions) and positions[k] <= hi:
            return reader.markers[k][1]
    if speaker:
        key = speaker_key(speaker)
        known = [(abs(p - close), n) for p, k, n in reader.memory if k == key and p - close < 3000]
        if known:
            return min(known)[1]
    end = reader.text.find("\n\n", close)
    end = len(reader.text) if end < 0 else end
    k = bisect.bisect_left(positions, close)
    for p, number in reader.markers[k:]:
        if p > end:
            break
        note = reader.note(number)
        if note is not None and note.is_interview:
            return number
    return None


def placed(
    reader: Reader,
    parts: tuple[tuple[int, int], ...],
    speaker: str | None,
    description: str | None,
    footnote: int | None,
    window: str,
    note_at: int | None,
) -> Found:
    """Place and date: from an interview footnote, an interview note above, the sentence, the document."""
    sources: list[tuple[Note, DateSource]] = []
    fn = reader.note(footnote) if footnote is not None else None
    if fn is not None and fn.is_interview:
        sources.append((fn, "footnote"))
    if note_at is not None:
        line_end = reader.text.find("\n", note_at)
        line = reader.text[note_at : line_end if line_end >= 0 else len(reader.text)]
        sources.append((read_note(line, reader.vocab), "sentence"))
    dates = find_dates(window)
    sources.append(
        (Note(find_place(window, reader.vocab), dates[0].value if dates else None, False), "sentence")
    )
    introduced = reader.people.get(speaker_key(speaker), (None, None))[1] if speaker else None
    for desc in (description, introduced):
        sources.append((Note(find_place(desc or "", reader.vocab), None, False), "sentence"))
    if speaker and speaker_key(speaker) in reader.places:
        sources.append((Note(reader.places[speaker_key(speaker)], None, False), "sentence"))
    place = next((s.place for s, _ in sources if s.place), None) or reader.setting
    fallback: tuple[str | None, DateSource] = (reader.doc_date, "document" if reader.doc_date else "none")
    date, date_source = next(((s.date, src) for s, src in sources if s.date), fallback)
    if speaker and footnote is not None and fn is not None and fn.is_interview:
        reader.memory.append((parts[0][0], speaker_key(speaker), footnote))
    return Found(parts, speaker, description, place, date, date_source, footnote)


def note_before(reader: Reader, pos: int, reach: int = 4000) -> int | None:
    """The last interview note ("Interviewed in Dunkirk, 8 October 2020") within reach above `pos`."""
    notes = [
        m.start()
        for m in re.finditer(r"(?m)^.*$", reader.text[max(0, pos - reach) : pos])
        if NOTE_PARAGRAPH.match(m.group(0))
    ]
    return max(0, pos - reach) + notes[-1] if notes else None
