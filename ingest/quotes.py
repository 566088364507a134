"""Testimonies: the exact words of witnesses, who said them, where and when.

A quotation is a testimony when a person is made to speak it (a speech verb or a colon introduces it, or it
stands alone as someone's words) and it is not a title, a law, a slogan, scare quotes or the words of an
office or a document. Its speaker comes from the sentence, or from the sentences before it for "He added";
its place and date from the sentence, the footnote linked to it ("Interviewed in Calais, July 2018."), an
interview note above it, or, for the date, the document's own date. Hearing transcripts give their
witness's answers instead (`ingest.quote_turns`).

A quotation running over a page break yields one `Quote` per page, the later ones with ids ending "-2",
"-3": each span holds only the quoted words, never the footnotes printed between the pages. A French
quotation interrupted by its attribution (« …, raconte-t-il. … ») yields its two halves the same way.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence

from ingest.clean import CleanDocument
from ingest.dates import find_dates
from ingest.gazetteer import Entry, load_gazetteer
from ingest.quote_attribution import (
    Attribution,
    Subject,
    attribution_after,
    attribution_before,
    parse_subject,
)
from ingest.quote_context import (
    NOTE_PARAGRAPH,
    Found,
    Reader,
    antecedent,
    dateline_place,
    footnote_texts,
    linked_footnote,
    note_before,
    placed,
    remember_interviewees,
    resolve_speaker,
    speaker_key,
)
from ingest.quote_names import document_vocabulary, words
from ingest.quote_spans import BodyStream, QuoteSpan, body_stream, quote_spans, sentence_starts, trimmed_inner
from ingest.quote_turns import witness_turns
from ingest.records import DateSource, Passage, Quote
from ingest.speech_verbs import SPEECH_VERB, SPEECH_VERBS

_FIRST_PERSON_EN = re.compile(r"(?<![\w’'])(?:I|I’m|I'm|I’ve|I've|I’d|I'd|me|my|mine|we|us|our)(?![\w’'])")

_FIRST_PERSON_FR = re.compile(r"(?<![\w’'])(?:je|j’|j'|moi|mon|ma|mes|nous|notre|nos|on|m’|m')(?![\w])", re.I)

_FRENCH_WORDS = re.compile(
    r"(?<![\w’'])(?:le|la|les|des|est|une|que|qui|pas|dans|pour|avec|sur|il|elle|et|à)(?![\w’'])", re.I
)

_ENGLISH_WORDS = re.compile(r"(?<![\w’'])(?:the|and|of|to|is|was|in|that|it|for|with|on|a)(?![\w’'])", re.I)

# Verbs only texts use: "Article 3 provides that “…”", "l'article L. 521-2 dispose : « … »".
_DOCUMENT_VERB = re.compile(
    r"\b(?:provides?|provided|reads?|read as follows|stipulates?|prescribes?|lays? down|defines?|dispose|"
    r"disposent|prévoit|prévoient|énonce|énoncent|stipule|précise que l[’']article)\b[^“«\"]{0,60}$",
    re.I,
)
_LISTENER_SUBJECT = re.compile(
    r"\b(?:was|were|been|being|is|are|été)\s+(?:told|warned|asked|informed|ordered)\b"
)

_CAPTION_OR_SOURCE = re.compile(r"^\s*(?:[-–—]\s*\S|\(?\s*(?:source|photo|©))|©", re.I)

_INCISE = re.compile(
    r",\s+((?:a-t-(?:il|elle)\s+|a\s+|ont\s+)?(?:" + SPEECH_VERBS + r")"
    r"(?:(?:[^«».!?]|(?<=[A-Z])\.|«[^«»]{1,40}»){0,160}?))"
    r"(?:[.,]\s+(?-i:(?=[A-ZÀ-ÖØ-Þ«“]))|,\s+(?=(?:car|mais|et|je|j’|j'|nous|on|il|elle|ils|elles|c’est|c'est|"
    r"parce|donc|puis|alors|si)\b))",
    re.I,
)

# "The points set out, he objects, are based on…": an English attribution inside the quotation marks.
_INCISE_EN = re.compile(
    r",\s+((?:he|she|they|[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?)\s+(?:says|said|adds|added|explains|explained|"
    r"objects|objected|insists|insisted|continues|continued|recalls|recalled|notes|noted|asks|asked))\s*,\s+(?=[a-z])"
)

_INCISE_AT_END = re.compile(
    r",\s+((?:a-t-(?:il|elle)\s+|a\s+|ont\s+)?(?:"
    + SPEECH_VERBS
    + r")(?:(?:[^«».!?]|«[^«»]{1,40}»){0,160}?))[.]?\s*$",
    re.I,
)


def extract_quotes(
    clean: CleanDocument,
    passages: Sequence[Passage],
    doc_id: str,
    doc_date: str | None,
    gazetteer: Mapping[str, Entry] | None = None,
) -> list[Quote]:
    """Every testimony in a document, in text order, with its speaker, place, date and linked footnote."""
    stream = body_stream(clean.text, clean.segments)
    reader = Reader(
        stream=stream,
        spans=quote_spans(stream.text),
        starts=[],
        vocab=document_vocabulary(clean.text, load_gazetteer() if gazetteer is None else gazetteer),
        markers=sorted((p, n) for pos, n in clean.markers if (p := stream.from_doc(pos)) is not None),
        notes=footnote_texts(clean.footnotes),
        doc_date=doc_date,
        setting=None,
    )
    reader.starts = sentence_starts(stream.text, reader.spans)
    reader.setting = dateline_place(stream.text, reader.vocab)
    turns = witness_turns(stream.text)
    remember_interviewees(reader)
    _find_testimonies(reader, turns.spans)
    if turns.hearing and doc_date is None:
        heading = find_dates(stream.text[:3000])
        reader.doc_date = heading[0].value if heading else None  # the hearing's date, as the record opens
    previous: Found | None = None
    for turn in turns.witness:
        previous = _from_turn(reader, turn.start, turn.end, turn.speaker, turns.hearing, previous)
        reader.found.append(previous)
    found = list(reader.found)
    found.sort(key=lambda f: f.start)
    return _records(found, clean, stream, passages, doc_id)


def _find_testimonies(reader: Reader, turn_spans: list[tuple[int, int]]) -> None:
    turn_starts = [a for a, _ in turn_spans]
    note: tuple[int, str | None] | None = None  # (paragraph position, speaker it belongs to)
    notes = [m.start() for m in re.finditer(r"(?m)^.*$", reader.text) if NOTE_PARAGRAPH.match(m.group(0))]
    for span in reader.spans:
        a, b = trimmed_inner(reader.text, span)
        b = a + len(reader.text[a:b].rstrip(" ,\u00a0\u202f"))
        i = bisect.bisect_right(turn_starts, a) - 1
        if i >= 0 and turn_spans[i][0] <= a < turn_spans[i][1]:
            continue
        passed = [p for p in notes if p < a]
        if passed and (note is None or note[0] != passed[-1]):
            note = (passed[-1], None)
        found = _testimony(reader, span, a, b, note[0] if note else None)
        if found is None:
            continue
        if note is not None:
            if note[1] is None:
                note = (note[0], found.speaker)
            elif note[1] != found.speaker:
                note = None
                found = _testimony(reader, span, a, b, None) or found
        reader.found.append(found)


def _testimony(reader: Reader, span: QuoteSpan, a: int, b: int, note_at: int | None) -> Found | None:
    text = reader.text
    inner = text[a:b]
    n = len(words(inner))
    if n < 2 or _title_like(inner):
        return None
    s0, s1 = reader.sentence(span.open)
    pre = reader.masked(s0, span.open)
    post = reader.masked(span.close + 1, s1) if span.closed else ""
    if _CAPTION_OR_SOURCE.match(post) or span.mark == "‘" and not SPEECH_VERB.search(pre[-60:] + post[:40]):
        return None
    parts: tuple[tuple[int, int], ...] = ((a, b),)
    attribution: Attribution | None = None
    incise = _INCISE.search(inner) or _INCISE_AT_END.search(inner) if span.mark == "«" else None
    incise = incise or _INCISE_EN.search(inner)
    if incise:
        attribution = attribution_after(", " + incise.group(1), reader.vocab)
        if attribution:
            parts = ((a, a + incise.start()), (a + incise.end(), b))
            parts = tuple((x, y) for x, y in parts if y > x)
    if attribution is None:
        attribution = attribution_after(post, reader.vocab) or attribution_before(pre, reader.vocab)
    if attribution is None and not pre.strip(" \n\t—–-") and s0 > 0:
        p0, _ = reader.sentence(s0 - 1)
        if re.search(r":\s*$", text[p0:s0]):
            pre = reader.masked(p0, s0)
            attribution = attribution_before(pre, reader.vocab)
    if attribution is not None and attribution.subject is not None and attribution.subject.kind != "pronoun":
        reader.said.append((span.open, attribution.subject))
    if not _is_testimony(reader, span, inner, n, pre, post, attribution):
        return None
    subject = attribution.subject if attribution else _person_before(reader, pre)
    resolved = resolve_speaker(reader, span.open, subject)
    if resolved is not None and resolved[0] and subject is not None and subject.where:
        reader.places.setdefault(speaker_key(resolved[0]), subject.where)
    if resolved is None:
        reader.said.append((span.open, Subject("description", None, None, official=True)))
        return None
    speaker, description = reader.known(*resolved)
    if speaker is None and description is None and not _first_person(inner):
        return None  # words nobody can be said to have spoken are not a testimony
    footnote = linked_footnote(reader, span, s0, s1, speaker)
    return placed(reader, parts, speaker, description, footnote, pre + " " + post, note_at)


def _title_like(inner: str) -> bool:
    ws = words(inner)
    caps = sum(w[0].isupper() for w in ws)
    return len(ws) >= 3 and caps >= 0.6 * len(ws) and not re.search(r"[.!?…]\W*$", inner)


def _is_testimony(
    reader: Reader, span: QuoteSpan, inner: str, n: int, pre: str, post: str, attribution: Attribution | None
) -> bool:
    if _DOCUMENT_VERB.search(pre):
        return False
    if attribution is not None:
        if attribution.subject is not None and attribution.subject.official:
            return False
        if attribution.verb and _LISTENER_SUBJECT.search(pre[-80:]):
            return False
        # Words quoted inside the writer's own sentence ("évoque « une vraie bavure »") are a phrase borrowed,
        # not a testimony, unless long or in the first person.
        integrated = bool(re.search(r"\w\s*$", pre)) and not post.lstrip().startswith(",")
        if integrated and n < 8 and not _first_person(inner):
            return False
        if n >= 3 or re.search(r"[.!?…]\W*$", inner):
            return True
    alone = not pre.strip(" \n\t—–-") and not post.strip(" \n\t.,;:!?…")
    if alone and _heading(reader, span, inner):
        return False
    if alone and n >= 5:
        return not _cited_after(reader, span) and not inner.startswith(("‘", "'"))
    if n >= 5 and _first_person(inner) and attribution is None:
        return _continues_speaker(reader, span) or _person_before(reader, pre) is not None
    return attribution is None and n >= 2 and _continues_speaker(reader, span) and not pre.strip(" \n\t—–-")


def _first_person(inner: str) -> bool:
    """Someone speaking of themselves: "I", "we" (in French "je", "nous", "on")."""
    if len(_FRENCH_WORDS.findall(inner)) > len(_ENGLISH_WORDS.findall(inner)):
        return bool(_FIRST_PERSON_FR.search(inner))
    return bool(_FIRST_PERSON_EN.search(inner))


def _person_before(reader: Reader, pre: str) -> Subject | None:
    """The named person a sentence is about, for words quoted without a speech verb."""
    subject = parse_subject(pre, reader.vocab)
    if subject is not None and subject.kind in ("name", "pseudonym", "pronoun") and not subject.official:
        return subject
    return None


def _heading(reader: Reader, span: QuoteSpan, inner: str) -> bool:
    """A quotation standing as a paragraph of its own without a closing full stop is a heading."""
    before = reader.text[max(0, span.open - 2) : span.open]
    after = reader.text[span.close + 1 : span.close + 3]
    own_paragraph = (span.open == 0 or "\n" in before) and (not after.strip() or "\n" in after)
    return own_paragraph and not re.search(r"[.!?…]\W*$", inner)


def _cited_after(reader: Reader, span: QuoteSpan) -> bool:
    """A quotation followed by where it comes from ("Article 1, UN Declaration…") is a citation."""
    following = reader.text[span.close + 1 : span.close + 80].lstrip(' .\n\t”"»')
    return bool(re.match(r"(?:[-–—]|Article|Art\.|Source|Preamble|Section|Rule|\(?Photo)", following))


def _continues_speaker(reader: Reader, span: QuoteSpan) -> bool:
    """Right after a testimony in the same paragraph: “They take the tents,” he says. “You have no chance.”"""
    if not reader.found:
        return False
    last_end = reader.found[-1].parts[-1][1]
    gap = reader.text[last_end : span.open]
    last = reader.found[-1]
    return 0 <= len(gap) <= 200 and "\n\n" not in gap and bool(last.speaker or last.description)


def _from_turn(
    reader: Reader, start: int, end: int, speaker: str | None, hearing: bool, previous: Found | None
) -> Found:
    """A witness's answer. In a hearing it is dated by the document, or by the date the record opens with;
    in an interview excerpt inside a report ("Q: … A: …") it is the person the text was speaking of."""
    if not hearing:
        if previous is not None and 0 <= start - previous.parts[-1][1] < 600:
            p = previous
            return Found(((start, end),), p.speaker, p.description, p.place, p.date, p.date_source)
        subject = antecedent(reader, start)
        name = subject.name if subject is not None and not subject.official else None
        name, description = reader.known(name, subject.description if subject else None)
        note = note_before(reader, start)
        return placed(reader, ((start, end),), name, description, None, "", note)
    source: DateSource = "document" if reader.doc_date else "none"
    return Found(((start, end),), speaker, None, None, reader.doc_date, source)


def _records(
    found: list[Found], clean: CleanDocument, stream: BodyStream, passages: Sequence[Passage], doc_id: str
) -> list[Quote]:
    """Map stream spans back to the document text: one Quote per page a testimony's words stand on."""
    starts = [p.start for p in passages]
    quotes: list[Quote] = []
    for number, item in enumerate(found):
        spans = [s for a, b in item.parts for s in stream.doc_spans(a, b)]
        for k, (a, b) in enumerate(spans):
            i = bisect.bisect_right(starts, a) - 1
            passage = passages[i] if i >= 0 and passages[i].start <= a < passages[i].end else None
            quotes.append(
                Quote(
                    id=f"{doc_id}:q{number:04d}" + (f"-{k + 1}" if k else ""),
                    doc_id=doc_id,
                    text=clean.text[a:b],
                    start=a,
                    end=b,
                    page=passage.page if passage else _page(clean, a),
                    passage_id=passage.id if passage else None,
                    speaker=item.speaker,
                    speaker_description=item.description,
                    place=item.place,
                    date=item.date,
                    date_source=item.date_source,
                    footnote=item.footnote,
                )
            )
    return quotes


def _page(clean: CleanDocument, pos: int) -> int | None:
    return next((s.page for s in clean.segments if s.start <= pos < s.end), None)
