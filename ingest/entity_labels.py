"""One label and one name per entity over a whole document, after all mentions are found: the gazetteer's
label and spelling for known names, an acronym and its expansion as one name, a person addressed with a
title ("Mr. X") as a person, common words dropped, one label per name, and a surname alone completed to the
full name the document gives.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from ingest.gazetteer import Entry, fold
from ingest.names import ARTICLE, TITLE
from ingest.records import Label, Mention

# An ordinal before a generic word keeps it generic ("Fourth Chamber", "Première chambre").
_ORDINAL = re.compile(
    r"^(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|grand|full|"
    r"premi[eè]re?|deuxi[eè]me|troisi[eè]me|quatri[eè]me|cinqui[eè]me|\d+(?:st|nd|rd|th|e|re|ème))\s+",
    re.I,
)


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


def lowercase_words(text: str) -> set[str]:
    """Words the text writes in lowercase: a one-word 'name' among them is a common noun at a sentence start
    or in a heading, not a name."""
    return set(re.findall(r"(?<![\w'’-])[a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+(?![\w'’-])", text))


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
            or gazetteer.get(fold(ARTICLE.sub("", m.name)))
            or gazetteer.get(fold(_ORDINAL.sub("", ARTICLE.sub("", m.name))))
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
        if m.label is Label.PERSON and known is None and (title := TITLE.match(m.name)):
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
