"""Bodies NER misses where the text itself says they are bodies: acronyms the text defines and their
expansions ("Syndicat de la magistrature (SM)"), an acronym in parentheses after a body's name, the acronym
that authors a cited source, a quoted name after "organisation" or "association". Each finder adds ORG
mentions where no mention is yet; `acronym_definitions` also gives the label passes each acronym's expansion.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping

from ingest.gazetteer import Entry, fold
from ingest.names import is_law, normalise_name, trim_mention
from ingest.records import Label, Mention, Passage

_WORD = r"[A-ZÀ-Þ][\w'’-]*"
_LINK = r"(?:\s+(?:of|the|for|and|on|de|des|du|la|le|et|pour|sur|à|d['’]|l['’]))*"
_DEFINED_ACRONYM = re.compile(rf"({_WORD}(?:[ \t]+[\w'’-]+){{1,9}})[ \t]*\(([A-Z][A-Z0-9&]{{1,9}})\)")
_ACRONYM_FIRST = re.compile(
    rf"\b([A-Z][A-Z0-9&]{{1,9}})[ \t]*\(({_WORD}(?:[ \t]+(?:(?:of|the|for|and|on|de|des|du|la|le|et|pour|sur|à)[ \t]+"
    rf"|[dl]['’])*{_WORD}){{1,9}})\)"
)


def _initials_match(acronym: str, expansion: str) -> bool:
    """Whether the acronym's letters are the initials of the expansion's words, in order (function words
    may be skipped or used: IGPN ← Inspection Générale de la Police Nationale)."""
    words = re.findall(r"[\w]+", expansion.replace("-", " "))
    letters = [c for c in fold(acronym) if c.isalpha()]
    initials = [fold(w)[0] for w in words if w]
    if len(letters) < 2 or fold(words[0])[0] != letters[0]:
        return False
    i = 0
    for c in initials:
        if i < len(letters) and c == letters[i]:
            i += 1
    if i == len(letters):
        return True
    # A French acronym with its English expansion keeps the letters, not their order (IGPN ← Inspectorate-
    # General of the National Police): the capitalised words' initials are the same letters.
    capitals = sorted(fold(w)[0] for w in words if w[:1].isupper())
    return capitals == sorted(letters)


def expansion_start(acronym: str, expansion: str) -> int | None:
    """Where the expansion of an acronym starts in the words before it: the shortest run of words, opening on
    a capital, whose initials give the acronym ("signed by the Syndicat de la magistrature" → "Syndicat …")."""
    for w in reversed(list(re.finditer(r"\S+", expansion))):
        if w.group(0)[:1].isupper() and _initials_match(acronym, expansion[w.start() :]):
            return w.start()
    return None


def acronym_definitions(text: str) -> dict[str, str]:
    """Folded acronym or expansion → the expansion, where the text defines an acronym: "the
    Inspectorate-General of the National Police (IGPN)" or "IGPN (Inspection générale …)"."""
    found: dict[str, str] = {}
    for pattern, swap in ((_DEFINED_ACRONYM, False), (_ACRONYM_FIRST, True)):
        for m in pattern.finditer(text):
            expansion, acronym = (m.group(2), m.group(1)) if swap else (m.group(1), m.group(2))
            offset = expansion_start(acronym, expansion)
            if offset is not None:
                tail = normalise_name(expansion[offset:])
                found.setdefault(fold(acronym), tail)
                found.setdefault(fold(tail), tail)
    return found


class _NewBodies:
    """Bodies found by a rule after NER: each span is added once, inside one passage, where no mention is."""

    def __init__(self, text: str, passages: list[Passage], existing: list[Mention]) -> None:
        self.text = text
        self.passages = passages
        self.starts = [p.start for p in passages]
        self.covered = bytearray(len(text) + 1)  # positions already inside a mention
        for m in existing:
            self.covered[m.start : m.end] = b"\x01" * (m.end - m.start)
        self.found: list[Mention] = []

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self.starts, start) - 1
        if i < 0 or end > self.passages[i].end or any(self.covered[start:end]):
            return
        surface = self.text[start:end]
        self.found.append(Mention(Label.ORG, surface, normalise_name(surface), start, end, self.passages[i].id))
        self.covered[start:end] = b"\x01" * (end - start)


def defined_acronym_mentions(text: str, passages: list[Passage], existing: list[Mention]) -> list[Mention]:
    """Mentions of acronyms the text defines, and of their expansions, where NER saw nothing: a body the
    text takes the trouble to define ("Syndicat de la magistrature (SM)") is a name every time it recurs."""
    bodies = _NewBodies(text, passages, existing)
    add = bodies.add
    done: set[str] = set()

    for pattern, swap in ((_DEFINED_ACRONYM, False), (_ACRONYM_FIRST, True)):
        for m in pattern.finditer(text):
            e_group, a_group = (2, 1) if swap else (1, 2)
            acronym, expansion = m.group(a_group), m.group(e_group)
            offset = expansion_start(acronym, expansion)
            if offset is not None:
                add(m.start(e_group) + offset, m.end(e_group))
                done.add(acronym)
    if done:  # every later use of a defined acronym, in one pass over the text
        alternatives = "|".join(re.escape(a) for a in sorted(done, key=len, reverse=True))
        for occurrence in re.finditer(rf"(?<![\w-])(?:{alternatives})(?![\w-])", text):
            add(occurrence.start(), occurrence.end())
    return bodies.found


_PAREN_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9&]{2,9})\)")


def named_body_acronyms(
    text: str, passages: list[Passage], existing: list[Mention], gazetteer: Mapping[str, Entry]
) -> list[Mention]:
    """An acronym in parentheses right after a body's name ("the Antiracist Group for … (GADEM)") names that
    body, even when its letters are not the name's initials (a French acronym after an English name): it is a
    body there and wherever the text uses it again. Only after a name NER or the gazetteer took for a body, so
    a procedure's acronym ("… territoire français (OQTF)") stays out."""
    bodies = _NewBodies(text, passages, existing)
    ends = sorted(m.end for m in existing if m.label is Label.ORG)
    acronyms: set[str] = set()
    for m in _PAREN_ACRONYM.finditer(text):
        acronym = m.group(1)
        if any(bodies.covered[m.start(1) : m.end(1)]) or fold(acronym) in gazetteer:
            continue
        i = bisect.bisect_right(ends, m.start()) - 1
        if i < 0 or m.start() - ends[i] > 80:
            continue
        between = text[ends[i] : m.start()]
        if re.search(r"[.;:!?\n]|\)", between):
            continue  # a sentence, a clause or another parenthesis lies between: not that body's acronym
        acronyms.add(acronym)
    if acronyms:
        alternatives = "|".join(re.escape(a) for a in sorted(acronyms, key=len, reverse=True))
        for occurrence in re.finditer(rf"(?<![\w-])(?:{alternatives})(?![\w-])", text):
            bodies.add(occurrence.start(), occurrence.end())
    return bodies.found


# A body as the author of a cited source: "16 ECRE, New Agreement …, 19 January 2018, www.ecre.org/…" or
# "(PSM, La situation à …, 2 March 2019, www.…)": an acronym opening a citation that holds a link or a date.
_CITED_AUTHOR = re.compile(r"(?m)(?:^[ \t]*\d{0,3}[ \t]*|\()([A-Z][A-Z0-9&]{1,9}),[ \t]+[^\n]{5,300}?(?:www\.|https?://)")
# A name in quotation marks after the noun that says what it is: the organisation “Terre d’Errances”.
_NAMED_BODY = re.compile(
    r"\b(?:organi[sz]ations?|associations?|NGOs?|ONGs?|collecti(?:ve|f)s?|groups?|groupes?|charit(?:y|ies)|"
    r"networks?|réseaux?|collectives?)[ \t]+[“\"«][ \t]?([A-ZÀ-ÖØ-Þ][^”\"»\n]{1,60}?)[ \t]?[”\"»]",
    re.I,
)


def cited_and_named_bodies(text: str, passages: list[Passage], existing: list[Mention]) -> list[Mention]:
    """Bodies NER misses where the text says what they are: the acronym that authors a cited source (a
    footnote opening "ECRE, Title, date, link"), and a quoted name after "organisation", "association",
    "collectif"… Each is a body there and, for acronyms, wherever the text uses it again."""
    bodies = _NewBodies(text, passages, existing)
    acronyms = {m.group(1) for m in _CITED_AUTHOR.finditer(text) if len(m.group(1)) >= 3}
    for m in _NAMED_BODY.finditer(text):
        trimmed = trim_mention(m.group(1), Label.ORG)
        if trimmed is not None and not is_law(m.group(1)):
            bodies.add(m.start(1) + trimmed[0], m.start(1) + trimmed[1])
    if acronyms:
        alternatives = "|".join(re.escape(a) for a in sorted(acronyms, key=len, reverse=True))
        for occurrence in re.finditer(rf"(?<![\w/.-])(?:{alternatives})(?![\w-])", text):
            bodies.add(occurrence.start(), occurrence.end())
    return bodies.found
