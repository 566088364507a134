"""What part of an entity span is a name, and the name's canonical form: noise cut from a span's edges, spans
that are no name (a sentence, a date, a link, a law) told apart, names normalised. Shared by the spaCy pass
(`ingest.entities`) and the rule-based finders and label passes after it.
"""

from __future__ import annotations

import re

from ingest.dates import MONTHS, find_dates
from ingest.records import Label

_EDGE = "\"“”«»‘’'•▪◦●■*()[]{},;:!?¿¡/\\|–—-_ \t\n\u00a0\u202f"
_GLUED_DIGITS = re.compile(r"(?<=[a-zà-öø-ÿ.,;:’”\"»)])\d{1,3}$")
ARTICLE = re.compile(r"^(?:(?:the|la|les|le)\s+|l['’]\s*)", re.I)
_LETTERS = re.compile(r"[^\W\d_]")
_NAME_TOKEN = re.compile(
    r"^(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|de|du|des|di|da|van|von|der|den|le|la|bin|ben|al|el|d['’][A-ZÀ-ÖØ-Þ][\w'’-]*|[A-Z]\.)$"
)
SENTENCE_INSIDE = re.compile(r"(?<!\b[A-Z])(?<!\bMr)(?<!\bDr)(?<!\bSt)(?<!\bMe)[.!?]\s+[A-ZÀ-ÖØ-Þ]")
# A name does not end on a function word ("Préfet du", "Ministry of").
_TRAILING_FUNCTION_WORD = re.compile(
    r"[\s-](?:du|de|des|la|le|les|of|the|and|et|à|au|aux|en|for|pour|sur|on)$", re.I
)
_CALENDAR_WORD = re.compile(
    r"^(?:(?:"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)$",
    re.I,
)
_INITIALS = re.compile(r"^(?:[A-Z]\.){1,4}[A-Z]?\.?$")  # "M.S.S." is a case name's initials, not a place
# A form of address or a role before a person's name is not part of it ("Counsel Mensah" is Mensah).
TITLE = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Mister|Madam|Madame|Mme|Mlle|Monsieur|Dr|Doctor|Prof|Professor|Sir|Dame|"
    r"Judge|Justice|Counsel|Maître|Me|President|Président|Présidente|Prosecutor|Registrar|"
    r"Lord|Lady|Father|Sister|Brother|Mgr)\.?\s+)+",
    re.I,
)


# The head noun of a legal instrument: a name built on it is a law, not a body, place or person ("Council
# Regulation", "Reception Conditions Directive", "Schengen Borders Code", "Loi Toubon", "Statut de Rome"). In
# English the head closes the name or comes before its first "of/on/relating"; in French it opens the name.
INSTRUMENT = (
    r"regulation|directive|code|statute|convention|treaty|act|charter|protocol|covenant|law|decree|ordinance|agreement|"
    r"règlement|reglement|loi|décret|decret|ordonnance|charte|traité|traite|protocole|pacte|statut|circulaire|arrêté"
)
_LAW_EN = re.compile(rf"(?:^|(?<!\bof)\s)(?:{INSTRUMENT})(?:\s+(?:of|on|relating|concerning|for)\b.*)?$", re.I)
_LAW_FR = re.compile(
    r"^(?:la\s+|le\s+|l['’])?(?:règlement|reglement|loi|décret|decret|ordonnance|charte|traité|traite|protocole|accord|"
    r"pacte|statut|circulaire|arrêté|arrete|code|convention|directive)\b(?!-)",
    re.I,
)
_PARTICLES = {"de", "du", "des", "la", "le", "van", "von", "der", "den", "di", "da", "al", "el", "bin", "ben", "and", "of"}


def is_law(name: str) -> bool:
    """Whether a name is built on the head noun of a legal instrument (a law, not a body or a place)."""
    return bool(_LAW_EN.search(name) or (" " in name and _LAW_FR.match(name)))


def uncapitalise(name: str) -> str:
    """A name written in capitals, as a heading or a transcript's speaker writes it, in the usual case:
    "CENTRAL ASIA" → "Central Asia", "MR. REDDY" → "Mr. Reddy", "JEAN DE LA FONTAINE" → "Jean de la Fontaine"."""
    words = re.split(r"(\s+|-)", name)
    out = []
    for i, w in enumerate(words):
        low = w.lower()
        out.append(low if i and low in _PARTICLES else w[:1] + w[1:].lower())
    return "".join(out)


def normalise_name(text: str) -> str:
    """The canonical form of a name: one kind of apostrophe and space, no leading article for bodies."""
    name = text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")
    name = re.sub(r"\s+", " ", name).strip()
    name = re.sub(r"'s$", "", name)
    return name


def trim_mention(text: str, label: Label) -> tuple[int, int] | None:
    """The part of an entity span that is a name, as offsets into `text`, or None when it is noise."""
    start, end = 0, len(text)
    while True:
        before = (start, end)
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        glued = _GLUED_DIGITS.search(text, start, end)
        if glued and glued.start() > start:
            end = glued.start()
        while end > start and text[end - 1] in ".":
            end -= 1
        if (start, end) == before:
            break
    span = text[start:end]
    if not span or "\n" in span or "http" in span or "www." in span or "@" in span:
        return None
    letters = len(_LETTERS.findall(span))
    if letters < 2 or letters < 0.6 * len(span.replace(" ", "")):
        return None
    if label is not Label.DATE and SENTENCE_INSIDE.search(span):
        return None
    if _TRAILING_FUNCTION_WORD.search(span) or (label is not Label.ORG and _INITIALS.match(span)):
        return None
    # A month or weekday is not a name, and a name does not hold a date ("Council of 11 May 2011").
    if label is not Label.DATE and (_CALENDAR_WORD.match(span) or find_dates(span)):
        return None
    if label is not Label.DATE and _CALENDAR_WORD.match(span.split()[-1]):
        return None  # "Council of June": an instrument and its date, cut short, not a body
    tokens = span.split()
    if label is Label.PERSON:
        if len(tokens) > 5 or any(ch.isdigit() for ch in span):
            return None
        if len(tokens) > 1 and tokens[-1].lower() in _PARTICLES:
            return None  # "Van der", "Jean de": a name cut short
        if not all(_NAME_TOKEN.match(t) for t in tokens) or not span[0].isupper():
            return None
    elif label is Label.PLACE:
        if len(tokens) > 6 or any(ch.isdigit() for ch in span) or not span[0].isupper():
            return None
    elif label is Label.ORG:
        bare = ARTICLE.sub("", span)
        if len(tokens) > 10 or not bare or not (bare[0].isupper() or bare[0].isdigit()):
            return None
        if span.isupper() and len(span) > 40:
            return None  # a shouted heading, not a name
    return start, end


# A token that holds a link's marks. Tokens are found first and tested one by one: a single pattern with
# `\S*` on both sides backtracks quadratically on a long token (80,000 characters took 47 s).
_TOKEN = re.compile(r"\S+")
# ... and a path or a repository's name ("owner/some-project-name", "data/full_texts/...").
_LINK_MARK = re.compile(
    r"https?://|www\.|\.(?:org|com|fr|uk|eu|net|int|gov|htm|html|pdf|txt)\b|/[a-z0-9]+(?:[-_][a-z0-9]+){2,}|\w/\w+[_/]"
)


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where the tokens that are (or hold) web addresses or file names stand in `text`."""
    if not _LINK_MARK.search(text):  # a token's mark is the text's: most passages hold none
        return []
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text) if _LINK_MARK.search(m.group())]
