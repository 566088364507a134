"""Names of people, places and offices in the words around a quotation, and what interview notes say.

A capitalised word is a person's name only when the document never writes it in lower case, it is not
in the gazetteer as an organisation or a place, and it is not a title, a month, a language, a sentence's
opening preposition or a French participle ("Accusé d'avoir…"). Places are read after "in", "at", "à".
Offices (mayor, préfecture, police) and documents (report, article, tweet) mark words that are not a
witness's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest.dates import MONTHS, find_dates
from ingest.gazetteer import Entry, fold
from ingest.records import Label

HONORIFICS = r"(?:Dr|Mr|Mrs|Ms|Mme|Mlle|M|Me|Mgr|Pr|Father|Sister|Brother|Imam|Sheikh|Maître)\.?"

PARTICLE = r"(?:de|du|des|da|van|von|der|den|al|el|ben|bin|ibn|la|le|d’|d')"

CAP_WORD = r"[A-ZÀ-ÖØ-Þ][\w’'\-]*\.?"

_NAME = re.compile(rf"(?:{HONORIFICS}\s+)?{CAP_WORD}(?:\s+(?:{PARTICLE}\s+)?{CAP_WORD}){{0,3}}")

PSEUDONYM = re.compile(r"[“\"«‘]\s*([A-ZÀ-ÖØ-Þ][\w’'\-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w’'.\-]*){0,2})\s*[”\"»’]")

# Words that open a sentence or a phrase but never a name.
_NOT_NAMES = frozenset(
    "in on for at as when while after before since during however also then meanwhile yet but and or "
    "if so although though because despite according following finally today instead indeed this that "
    "these those there here it its we you i some many most all both each other others what which who "
    "whose where why how asked like unlike with without by from to of over under about around between "
    "among amongst le la les un une des du de en au aux à a dans pour par sur sous avec sans chez "
    "depuis pendant selon mais et ou puis alors ainsi donc car quand lorsque si comme avant après ce "
    "cette ces cet il elle ils elles nous vous je j’ leur son sa ses même aujourd’hui hier demain ici "
    "là contactée contacté interrogée interrogé yes no oui non the an one he she they his her their "
    "our my originaire posé posée interviewed witness q a. unless whether even only just perhaps "
    "maybe thus therefore hence still again every any none such similarly furthermore moreover lastly "
    "firstly secondly overall throughout beyond within upon towards against along across behind "
    "referring regarding concerning given similar human humanitarian local national international "
    "european french british english dear mister madam vers lors malgré parmi entre dès sauf face "
    "grâce afin durant hors près loin outre contre chaque tout tous toute toutes seule seul beaucoup "
    "plusieurs certains certaines aucun aucune rien personne c’est c'est voilà pourtant cependant "
    "ensuite enfin désormais encore lundi mardi mercredi jeudi vendredi samedi dimanche monday "
    "tuesday wednesday thursday friday saturday sunday somebody someone nobody everybody everyone "
    "anybody quelqu’un quelqu'un deux trois quatre cinq six sept huit neuf dix onze douze vingt "
    "trente cent mille two three four five seven eight nine ten eleven twelve twenty hundred thousand "
    "dozens dozen hundreds thousands otherwise moreover besides nevertheless accordingly consequently".split()
)

# Words that make capitalised words an organisation's name rather than a person's.
ORG_WORD = re.compile(
    r"(?<![\w-])(?:Watch|Association|Associations|Collectif|Network|Alliance|Solidaires?|Solidarité|Rights|"
    r"Refugees?|Support|Centre|Center|Croix|Cross|Secours|Médecins?|Amnesty|ONG|NGO|Union|Fédération|"
    r"Federation|Comité|Committee|Ligue|League|Auberge|Utopia|Emmaüs|Cimade|Foundation|Fondation|Trust|"
    r"Council|Conseil|Ministry|Ministère|Office|Bureau|Agency|Agence|Project|Projet|Observers?|Tribunal|"
    r"Court|Cour|Police|Gendarmerie|Préfecture|Prefecture|Mairie|Party|Parti|Group|Groupe|Church|Église|"
    r"Caritas|International|Internationale|Nations|Commission|Services?|Bus|Kitchen|Kitchens|Legal|"
    r"Juridique|Humanitarian|Humanitaire|Inc|Ltd|SA|SAS|Member|States|Kingdom|Republic|Government|"
    r"Secretary|Department|Direction|Affaires)(?![\w-])"
)

# A French participle or infinitive opening a sentence ("Accusé d'avoir…", "Aider les flics…"): not a name.
_VERB_FORM_START = re.compile(
    r"[A-ZÀ-Þ][a-zà-ÿ]+(?:é|ée|és|ées|ant)(?=\s*,|\s+(?:d[’']|de|du|des|par|à|au|en|et)\b)"
    r"|[A-ZÀ-Þ][a-zà-ÿ]+(?:er|ir|re)(?=\s+(?:les?|la|l[’']|des|un|une|à|au|aux|de|du|aussi)\b)"
    r"|[ÉEA-ZÀ-Þ][a-zà-ÿ]+ez\b"
)

# Titles that open a name even though the document writes them in lower case too ("the President").
_TITLES = frozenset(
    "president mayor minister prefect judge senator general prince king queen father sister professor "
    "doctor inspector sergeant captain colonel commander président maire ministre préfet juge "
    "sénateur député commissaire maître".split()
)

_MEDIA = frozenset(
    "monde figaro parisien libération liberation afp franceinfo bfmtv point express obs humanité "
    "mediapart streetpress guardian times bbc reuters télégramme ouest-france voix independent "
    "telegraph observer amnesty twitter facebook".split()
)

_LANGUAGES = frozenset(
    "english french arabic tigrinya pashto farsi dari kurdish sorani spanish italian german urdu "
    "amharic anglais français arabe persan kurde espagnol".split()
)

_PLACE_CUE = re.compile(
    rf"(?<![\w-])(?:in|at|near|à|près de|au|aux)\s+(?:the\s+|la\s+|le\s+|l[’'])?"
    rf"({CAP_WORD}(?:[\s-](?:{PARTICLE}\s+)?{CAP_WORD}){{0,2}})"
)

_INTERVIEW_NOTE = re.compile(
    r"\b(?:interview\w*|entretien\w*|témoign\w*|testimon\w*|conducted|spoke|spoken|met\b|rencontr\w*|"
    r"recueilli\w*|name known|nom connu|conversation|phone call|by phone|par téléphone|"
    r"correspondence|e-?mail)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Note:
    """What an interview note or footnote says about a testimony."""

    place: str | None
    date: str | None
    is_interview: bool


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What tells a name from a common word in one document: words it writes in lower case, the gazetteer."""

    lowercase: frozenset[str]
    gazetteer: Mapping[str, Entry]

    def is_org_or_place(self, text: str) -> bool:
        return fold(text) in self.gazetteer

    def place_name(self, text: str) -> str | None:
        entry = self.gazetteer.get(fold(text))
        if entry is None:
            return None
        return entry.name if entry.label == Label.PLACE else None


def document_vocabulary(text: str, gazetteer: Mapping[str, Entry]) -> Vocabulary:
    return Vocabulary(frozenset(re.findall(r"\b[a-zà-öø-ÿ][\w’'-]+", text)), gazetteer)


def words(text: str) -> list[str]:
    return re.findall(r"[\w’'-]+", text)


def name_at(text: str, pos: int, vocab: Vocabulary) -> re.Match[str] | None:
    """A person's name starting at `pos`, or None when the capitalised words there are not one."""
    m = _NAME.match(text, pos)
    if m is None or _VERB_FORM_START.match(text, pos):
        return None
    first = re.sub(r"[.’']$", "", m.group(0).split()[0])
    if first.lower() in _NOT_NAMES or first.lower() in MONTHS or first.lower() in _LANGUAGES:
        return None
    if (
        first.lower() in vocab.lowercase
        and not re.match(HONORIFICS + r"$", first)
        and first.lower() not in _TITLES
    ):
        return None
    if (
        vocab.is_org_or_place(m.group(0))
        or vocab.is_org_or_place(first)
        or first.isupper()
        and len(first) > 1
    ):
        return None
    if (
        re.match(r"[LD][’'][a-zà-ÿ]", first)
        or _PLACE_COMPOUND.search(m.group(0))
        or text[m.end() : m.end() + 1].isalpha()
    ):
        return None
    bare = re.sub(rf"^{HONORIFICS}\s*", "", m.group(0)).strip(" .")
    if len(bare) < 2 or re.fullmatch(r"[A-ZÀ-Þ]\.?", m.group(0)):
        return None  # an initial or a title alone
    if " " not in m.group(0) and re.search(
        r"(?:les|des|aux|the)\s+$", text[max(0, m.start() - 6) : m.start()], re.I
    ):
        return None  # "les Iraniens": a people, not a person
    org = ORG_WORD.search(m.group(0))
    if org:
        # "Amine de Médecins du Monde": the person's name stops before the organisation's.
        head = re.match(rf"(.+?)\s+(?:{PARTICLE}|of|from|with)\s*$", m.group(0)[: org.start()])
        if head is None or head.group(1) == "":
            return None
        return _NAME.match(text[: m.start() + len(head.group(1))], pos)
    return m


_PLACE_COMPOUND = re.compile(r"\w-(?:sur|sous|en|lès|lez|les|le|la|de|du|des|aux|d’|d')-\w", re.I)

PLACE_WORD_BEFORE = re.compile(
    r"(?<![\w’'])(?:de|des|du|d[’']|la|le|les|l[’']|à|au|aux|en|in|at|on|of|from|to|into|near|the|a|an|sur|vers|"
    r"par|pour|chez|rue|avenue|boulevard|place|quai|route|via|dans|via|with|avec)\s+$",
    re.I,
)


def name_after_article(text: str, vocab: Vocabulary) -> re.Match[str] | None:
    """ "le Dr Martin", "the Reverend Smith": a definite article before a name."""
    article = re.match(r"(?:le|la|the)\s+(?=[A-ZÀ-ÖØ-Þ])", text, re.I)
    return name_at(text, article.end(), vocab) if article else None


_INNER_NAME = re.compile(rf",\s+({CAP_WORD}(?:\s+{CAP_WORD}){{0,2}})\s*,?\s*$")


def inner_name(text: str, vocab: Vocabulary) -> re.Match[str] | None:
    """ "one of them, Nelly," : a name closing a description."""
    m = _INNER_NAME.search(text)
    if m and name_at(text, m.start(1), vocab):
        return m
    return None


def read_note(text: str, vocab: Vocabulary) -> Note:
    """Place and date of a footnote or interview note: "Interviewed in Calais, July 2018."."""
    dates = find_dates(text)
    return Note(
        find_place(text, vocab), dates[0].value if dates else None, bool(_INTERVIEW_NOTE.search(text))
    )


def find_place(text: str, vocab: Vocabulary) -> str | None:
    """The first place written after "in/at/à": the gazetteer's name for it, or the capitalised words."""
    fallback: str | None = None
    for m in _PLACE_CUE.finditer(text):
        candidate = m.group(1).rstrip(".")
        first = candidate.split()[0].lower()
        if first in MONTHS or first in _LANGUAGES or first in _NOT_NAMES:
            continue
        known = vocab.place_name(candidate) or vocab.place_name(candidate.split()[0])
        if known:
            return known
        cue = m.group(0).split()[0].lower()
        if (
            fallback is None
            and cue in ("in", "at", "near", "à")
            and not vocab.is_org_or_place(candidate)
            and first not in vocab.lowercase
            and first not in _MEDIA
            and not ORG_WORD.search(candidate)
        ):
            fallback = candidate
    return fallback


# Offices and documents: words whose speakers are not witnesses.
OFFICIAL = re.compile(
    r"(?<![\w-])(?:president|prime minister|minister|ministry|mayor|prefect|préfet|préfète|préfecture|"
    r"prefecture|"
    r"spokes(?:person|man|woman)|porte-parole|rapporteur|commissioner|commissaire|prosecutor|procureur|"
    r"parquet|government|gouvernement|ministre|ministère|maire|mairie|municipalit\w*|police\w*|polic\w*|"
    r"officers?|gendarmes?|gendarmerie|crs|authorit\w+|autorit\w+|court|tribunal|cour|judge|juge|"
    r"magistrat\w*|ombudsman|défenseur des droits|commission|senator|sénat\w*|député\w*|deputy|mp|"
    r"officials?|entourage|source\w*|syndica\w*|union|élu\w*|conseil\w*|council|état|state|tigres)\b",
    re.I,
)

DOCUMENT = re.compile(
    r"\b(?:report|rapport|law|loi|article|declaration|déclaration|convention|directive|regulation|"
    r"règlement|order|arrêté|ordonnance|decision|décision|judgment|judgement|jugement|ruling|arrêt|letter|"
    r"lettre|tweet|caption|légende|poster|affiche|banner|banderole|slogan|placard|sign|pancarte|study|"
    r"étude|survey|statement|communiqué|press release|resolution|résolution|document|book|livre|title|"
    r"titre|headline|circular|circulaire|decree|décret|code|treaty|traité|text|texte|website|page|"
    r"guidelines|findings|factsheet|message|inscription|graffiti)s?\b",
    re.I,
)

# Police and officials right before a speech verb: "he heard officers say", "the police told him".
OFFICIAL_TAIL = re.compile(
    r"(?:\b(?:the|a|an|one|les|des|un|une|le|la)\s+)?(?:[\w-]+\s+){0,2}?(?:police|officers?|policiers?|gendarmes?|"
    r"CRS|agents?|guards?|soldiers?|militaires?|officials?)(?:\s+[\w-]+){0,1}\s*[,:]?\s*$",
    re.I,
)
