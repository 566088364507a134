"""Who said a quotation: rules over the words around it, English and French.

The rules read the sentence a quotation stands in: the speech verb nearest to it ("told Amnesty
International", "raconte-t-il", "he says"), and the subject of that verb: a pseudonym in quotation marks,
a name, a pronoun, or a description such as "a volunteer with Utopia 56", with what follows a name as the
speaker's description. Everything here is pure string work, so every rule can be tested with a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.quote_names import (
    CAP_WORD,
    DOCUMENT,
    OFFICIAL,
    OFFICIAL_TAIL,
    PLACE_WORD_BEFORE,
    PSEUDONYM,
    Vocabulary,
    find_place,
    inner_name,
    name_after_article,
    name_at,
    words,
)
from ingest.speech_verbs import EN_VERBS, FR_VERBS, SPEECH_VERB

# Verbs whose subject follows them: "heard from “Reza”", "according to one of them", "selon Marie".
_SUBJECT_AFTER = re.compile(r"^(?:heard from|according to|in the words of|selon|d’après|d'après)$", re.I)

_PASSIVE_BY = re.compile(r"\b(?:said|told|noted|stated|described|explained|put|reported)\s+by\s+(.+)$", re.I)

_PRONOUNS = frozenset("he she they il elle ils elles".split())

_DETERMINERS = frozenset(
    "a an one another the some two three four many several his her their our local un une des le la "
    "les l’ l' l’un l'un l’une l'une ce cet cette ces son sa ses leur leurs plusieurs deux trois".split()
)


_STRAY_NUMBER = re.compile(r"^\s*\d{1,3}\s+(?=[A-ZÀ-Þ“«\"])")

# "the so-called “Jungle”": a quoted term, not a pseudonym.
_TERM_BEFORE = re.compile(r"(?:so-called|dite?s?|appelée?s?|the|la|le|du|de la|des|of|as)\s*$", re.I)

_BARE_NOUN = re.compile(
    r"(?:police|officers?|gendarmes?|policiers?|agents?|residents?|neighbours?|volunteers?|"
    r"witnesses|habitants|riverains|bénévoles|voisins|locals|soldiers?|guards?)\b",
    re.I,
)

_FINITE = re.compile(
    r",\s+(?:is|was|were|are|has|had|have|lives|lived|felt|feels|believes|believed|remained|became|"
    r"arrived|came|spent|est|était|vit|a été|avait|habite|travaille|arrivée?)(?![\w-])"
)

_DESCRIPTION_START = re.compile(
    r"(?:(?i:a|an|the|one|another|un|une|le|la|les|des|who|qui|from|de|du|originaire|âgée?|aged|mother|"
    r"father|mère|père|vice|head|chair|member|volunteer|coordinat\w*|director|directeur|directrice|"
    r"président\w*|responsable|bénévole|médecin|doctor|lawyer|avocat\w*|journalist\w*|also)\b|"
    r"(?i:l[’']|co-)|\d|[A-ZÀ-ÖØ-Þ])"
)

_LEADING_ADVERBIAL = re.compile(
    r"^\s*(?:(?:\w+ing|\w+(?:é|ée|és|ées)|vers|lors|malgré|face|selon|d’après|d'après|in|on|for|at|during|after|before|since|however|also|then|meanwhile|finally|instead|"
    r"indeed|moreover|furthermore|similarly|likewise|later|earlier|asked|en|le|au|à|a|dans|pour|depuis|"
    r"pendant|après|avant|puis|alors|ainsi|enfin|mais|contactée?|interrogée?|as|when|while|once|de|du|des|"
    r"sur|par|lors|dès|depuis|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|yesterday|today|hier|aujourd’hui|aujourd'hui|outre|"
    r"although|though|because|if|quand|lorsque|comme|si)\b[^,;:]{0,80},\s*)+",
    re.I,
)


_CLAUSE_BOUNDARY = re.compile(
    r"(?:[;:]|\s[—–]\s|,\s+(?:and|but|while|whereas|et|mais)\s|\s(?:and|but|while|whereas|when|that|et|"
    r"mais|quand|lorsque|que|qui)\s|\squ[’'])",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Subject:
    """The person a quotation is attributed to. `kind` says how it was written."""

    kind: str  # "name", "pseudonym", "pronoun", "description", "anaphor"
    name: str | None
    description: str | None
    official: bool = False
    gender: str | None = None  # "m" or "f" where a pronoun says so
    where: str | None = None  # a place the words around the name give ("…refugees in the Calais area")


@dataclass(frozen=True, slots=True)
class Attribution:
    subject: Subject | None
    verb: str | None
    colon: bool = False


def _clean_phrase(text: str) -> str | None:
    phrase = re.sub(r"\s+", " ", text).strip(" ,;:()—–-\u00a0\u202f")
    if not phrase or len(words(phrase)) > 25:
        return None
    return phrase


# A role, then the person's name: "L'historien Paul Girard", "the lawyer Jane Smith", "la militante Anne
# Martin". The name is the speaker, the role (and what follows the name) the description.
_ROLE_THEN_NAME = re.compile(r"(?i:the|le|la|l[’'])\s*((?:[a-zà-öø-ÿ][\w’'-]*\s+){1,3})(?=[A-ZÀ-ÖØ-Þ])")
# not "l'humoriste du Jamel Comedy Club": a role does not end with a preposition or an article
_NOT_ROLE_END = frozenset("du de des of at for with the la le".split())


def parse_subject(region: str, vocab: Vocabulary) -> Subject | None:
    """The speaker named at the start of `region` (leading adverbials skipped), what follows as description.

    "“Samir”, an Afghan national living in Calais," -> pseudonym Samir, "an Afghan national living in Calais".
    """
    text = _LEADING_ADVERBIAL.sub("", _STRAY_NUMBER.sub("", region)).strip()
    if not text:
        return None
    pseudo = PSEUDONYM.match(text)
    if pseudo and not _TERM_BEFORE.search(text[: pseudo.start()]):
        return _placed_subject(
            _subject("pseudonym", pseudo.group(1), text[pseudo.end() :]), text[pseudo.end() :], vocab
        )
    first = words(text[:30])
    if first and first[0].lower() in _PRONOUNS:
        return pronoun(first[0])
    name = name_at(text, 0, vocab) or name_after_article(text, vocab)
    if name:
        return _placed_subject(_subject("name", name.group(0), text[name.end() :]), text[name.end() :], vocab)
    if first and (first[0].lower() in _DETERMINERS or _ELIDED_ARTICLE.match(text)):
        role = _ROLE_THEN_NAME.match(text)
        if role and role.group(1).split()[-1] in _NOT_ROLE_END:
            role = None
        named = name_at(text, role.end(), vocab) if role else None
        if role and named and len(named.group(0).split()) >= 2:  # "L'historien Paul Girard, qui …,"
            after = _description(text[named.end() :]) if text[named.end() :].lstrip().startswith(",") else None
            desc = role.group(0).strip() + (", " + after if after else "")
            return _placed_subject(_subject("name", named.group(0), "", desc), text[named.end() :], vocab)
        inner = PSEUDONYM.search(text) or inner_name(text, vocab)
        if inner is not None:
            desc = _clean_phrase(text[: inner.start()])
            return _subject("pseudonym" if inner.re is PSEUDONYM else "name", inner.group(1), "", desc)
        return _described(text, first[0].lower() in {"the", "le", "la", "l"})
    if first and _BARE_NOUN.match(text) and len(first) <= 4:
        return _described(text, False)
    if len(words(text)) <= 8:
        return first_named(text, vocab)
    return None


def _placed_subject(subject: Subject, rest: str, vocab: Vocabulary) -> Subject:
    """The subject with the place its apposition names, read before the description is trimmed."""
    where = find_place(_cut_at_verb(rest), vocab)
    return Subject(subject.kind, subject.name, subject.description, subject.official, subject.gender, where)


def pronoun(word: str) -> Subject:
    gender = {"he": "m", "il": "m", "ils": "m", "she": "f", "elle": "f", "elles": "f"}.get(word.lower())
    return Subject("pronoun", None, None, gender=gender)


def _described(text: str, definite: bool) -> Subject | None:
    """A speaker described, not named: "a worker with a medical charity", "une bénévole", "police"."""
    phrase = _clean_phrase(" ".join(_cut_at_verb(text).split()[:16]))
    if phrase is None:
        return None
    official = bool(OFFICIAL.search(_head(phrase)) or DOCUMENT.search(_head(phrase, 4)))
    noun = re.sub(r"^(?:the|le|la|l[’'])\s*", "", phrase, flags=re.I)
    definite = definite or bool(_ELIDED_ARTICLE.match(phrase))
    noun = _ELIDED_ARTICLE.sub("", noun)
    kind = "anaphor" if definite and not official and _PERSON_NOUN.match(noun) else "description"
    return Subject(kind, None, phrase, official)


def _head(phrase: str, limit: int = 8) -> str:
    """A description's head: up to its first relative clause or comma ("the response of the Minister" in
    "the response of the Minister, who…"), so an office named there counts, one in a later clause not."""
    cut = re.split(r",|\s(?:who|which|that|qui|que|dont|whose)\s", phrase, maxsplit=1)[0]
    return " ".join(words(cut)[:limit])


def first_named(region: str, vocab: Vocabulary) -> Subject | None:
    """The first person named anywhere in `region`: the topic of a sentence such as "One case is that of
    Charlotte Head, who was pushed to the floor:"."""
    pseudo = PSEUDONYM.search(region)
    for m in re.finditer(rf"(?<![\w’'])(?={CAP_WORD})", region):
        if pseudo and pseudo.start() < m.start():
            break
        name = name_at(region, m.start(), vocab)
        before = region[max(0, m.start() - 20) : m.start()]
        inside = bool(re.search(r"[a-zà-ÿ,]\s+$", before)) and not PLACE_WORD_BEFORE.search(before)
        if name and (len(name.group(0).split()) >= 2 or inside):
            return _subject("name", name.group(0), region[name.end() :])
    if pseudo and not _TERM_BEFORE.search(region[: pseudo.start()]):
        return _subject("pseudonym", pseudo.group(1), region[pseudo.end() :])
    return None


_ELIDED_ARTICLE = re.compile(r"(?:l|d)[’'](?=\w)", re.I)

# Nouns for people: "the man", "la jeune femme", "le médecin" refer back to someone already named.
_PERSON_NOUN = re.compile(
    r"(?:jeune\s+)?(?:homme|femme|médecin|bénévole|garçon|fille|père|mère|enfant|adolescente?|migrante?|"
    r"réfugiée?|exilée?|militante?|avocate?|humoriste|quadra|trentenaire|quadragénaire|quinquagénaire|"
    r"retraitée?|volontaire|photographe|journaliste|fondat(?:rice|eur)|coordinat(?:rice|eur)|jeune|"
    r"man|woman|boy|girl|volunteer|doctor|father|mother|lawyer|teenager|witness|victim|survivor|"
    r"young man|young woman|activist|founder|nurse|infirmière?|interlocut(?:eur|rice)|observat(?:rice|eur)|"
    r"riverain|habitante?|voisine?|observer|resident|neighbour)s?\b",
    re.I,
)


def person_described(text: str) -> str | None:
    """The last person a passage describes without naming: "d'une observatrice de l'association Border
    Watch", "a young man from Sudan"; for a pronoun that has no named person to go back to."""
    found = list(_PERSON_DESCRIBED.finditer(text))
    return _clean_phrase(found[-1].group(0)) if found else None


_PERSON_DESCRIBED = re.compile(
    rf"(?<!\w)(?:une?|an?|one)\s+(?:[\w’'-]+\s+){{0,2}}?{_PERSON_NOUN.pattern}"
    r"(?:\s+(?:de|du|des|d[’']|of|with|from)\s+[^,.;:«»“”]{1,60})?",
    re.I,
)


def _cut_at_verb(text: str) -> str:
    """A description ends where the sentence's verb begins: "a Sudanese national, said he had been…"."""
    for verb in [*SPEECH_VERB.finditer(text), *_FINITE.finditer(text)]:
        before = words(text[: verb.start()])
        if before and before[-1].lower() not in _DETERMINERS:
            return text[: verb.start()].rstrip(" ,")
    return text


def _subject(kind: str, name: str, rest: str, description: str | None = None) -> Subject:
    desc = description if description is not None else _description(rest)
    head = " ".join(words(desc or "")[:5])
    official = bool(OFFICIAL.search(name) or head and (OFFICIAL.search(head) or DOCUMENT.search(head)))
    name = name.strip()
    official = official or bool(DOCUMENT.match(name))  # "Article 1 provides that …"
    if name.endswith(".") and len(name.split()[-1]) > 2:
        name = name[:-1]
    return Subject(kind, name, desc, official)


_EN_POST_SV = re.compile(
    rf"^\s*[,.]?\s*(?P<subj>he|she|they|[“\"«][^”\"»]{{1,40}}[”\"»]|{CAP_WORD}(?:\s+{CAP_WORD}){{0,3}}|"
    rf"(?:an?|one|another)\s+[^,.;“”«»]{{1,80}}?)"
    rf"(?P<desc>,[^,.;]{{1,120}},)?\s+(?:has\s+|had\s+|later\s+|then\s+)?(?P<verb>{EN_VERBS})\b",
)

_POST_VS = re.compile(
    rf"^\s*[,.]?\s*(?:(?:a|ont|avait|avaient|has|had)\s+)?(?P<verb>{EN_VERBS}|{FR_VERBS})"
    r"(?:(?:\s*-?\s*t)?-(?P<pro>il|elle|ils|elles|on)\b|\s+(?P<subj>[^.;!?]{1,200}))",
    re.I,
)

_FR_INVERTED_AUX = re.compile(
    rf"^\s*,?\s*a-t-(?P<pro>il|elle)\s+(?P<verb>{FR_VERBS})\b|^\s*,?\s*(?P<verb2>{FR_VERBS})-(?P<pro2>ils?|elles?)\b",
    re.I,
)


def attribution_after(post: str, vocab: Vocabulary) -> Attribution | None:
    """Attribution written after the quotation: `”, he says.`, `», raconte-t-il.`, `», explique Marie.`"""
    inverted = _FR_INVERTED_AUX.match(post)
    if inverted:
        return Attribution(
            pronoun(inverted.group("pro") or inverted.group("pro2")),
            inverted.group("verb") or inverted.group("verb2"),
        )
    sv = _EN_POST_SV.match(post)
    if sv and (
        sv.group("subj").lower() in _PRONOUNS
        or PSEUDONYM.match(sv.group("subj"))
        or name_at(sv.group("subj"), 0, vocab)
        or re.match(r"(?:an?|one|another)\s", sv.group("subj"), re.I)
    ):
        subject = parse_subject(sv.group("subj") + (sv.group("desc") or ""), vocab)
        return Attribution(subject, sv.group("verb"))
    vs = _POST_VS.match(post)
    if vs is None or _SUBJECT_AFTER.match(vs.group("verb")):
        return None
    if vs.group("pro"):
        return Attribution(pronoun(vs.group("pro")), vs.group("verb"))
    subject = parse_subject(_until_clause_end(vs.group("subj")), vocab)
    return Attribution(subject, vs.group("verb")) if subject else None


def _description(rest: str) -> str | None:
    """What follows a name, when it describes the person (", a 22-year-old Guinean national,")."""
    rest = re.sub(r"^\s*\([^)]{0,80}\)", "", rest)  # « Samir » (le prénom a été changé), 19 ans
    rest = re.sub(r"^\s*[,(]?\s*(?:is|was|est|also|et|and)\s+", "", rest)
    rest = _cut_at_verb(rest.lstrip(" ,(\u00a0"))
    if not _DESCRIPTION_START.match(rest):
        return None
    # The apposition ends at a comma followed by the sentence's verb: "une Soudanaise de 30 ans, attend…".
    pieces = rest.split(", ")
    kept = [pieces[0]]
    for piece in pieces[1:]:
        if not re.match(
            r"(?:(?:a|an|the|who|which|whose|un|une|le|la|les|des|qui|dont)\b|l[’']|[A-ZÀ-Þ\d])", piece
        ):
            break
        kept.append(piece)
    return _clean_phrase(", ".join(kept))


def _until_clause_end(text: str) -> str:
    """A post-verb subject ends at a participle clause or a parenthesis: "Zgary, avant de préciser"."""
    cut = re.search(r",\s+(?:avant|après|en|pour|qui a|qui avait|selon|dans|sur)\b|\s\(", text)
    return text[: cut.start()] if cut else text


def attribution_before(pre: str, vocab: Vocabulary, max_words: int = 14) -> Attribution | None:
    """Attribution written before the quotation: the nearest speech verb and its subject, or a colon."""
    pre = pre.rstrip()
    verbs = [m for m in SPEECH_VERB.finditer(pre) if len(words(pre[m.end() :])) <= max_words]
    if verbs:
        verb = verbs[-1]
        if _SUBJECT_AFTER.match(verb.group(0)):
            return Attribution(parse_subject(pre[verb.end() :], vocab), verb.group(0))
        passive = _PASSIVE_BY.search(pre[verb.start() :])
        if passive:
            return Attribution(parse_subject(passive.group(1), vocab), verb.group(0))
        inverted = _inverted_subject(pre[verb.start() :], verb.group(0), vocab)
        if inverted is not None:
            return Attribution(inverted, verb.group(0))
        official = OFFICIAL_TAIL.search(pre[: verb.start()])
        if official:
            return Attribution(Subject("description", None, official.group(0).strip(), True), verb.group(0))
        if re.search(r"(?:^|\W)(?:qui|who|which)\s*$", pre[: verb.start()], re.I):
            return Attribution(
                None, verb.group(0)
            )  # the speaker named before: "…, l'auteur du blog, qui constate"
        subject = subject_before(pre, verb.start(), vocab) or first_named(pre[: verb.start()], vocab)
        return Attribution(subject, verb.group(0))
    if re.search(r":\s*$", pre):
        according = _ACCORDING_TO.match(pre)
        if according:
            return Attribution(parse_subject(according.group(1), vocab), None, colon=True)
        said = list(SPEECH_VERB.finditer(pre))
        if said and not _SUBJECT_AFTER.match(said[-1].group(0)):
            verb = said[-1]
            inverted = _inverted_subject(pre[verb.start() :], verb.group(0), vocab)
            subject = inverted or subject_before(pre, verb.start(), vocab) or first_named(pre, vocab)
            return Attribution(subject, verb.group(0), colon=True)
        subject = subject_before(pre, len(pre), vocab, people_only=True)
        return Attribution(subject or first_named(pre, vocab), None, colon=True)
    return None


_ACCORDING_TO = re.compile(
    r"^\s*(?:pour|selon|d[’']après|according to)\s+([^,:]{2,120}?(?:,[^,:]{2,80})?),\s", re.I
)

_INVERTING = re.compile(
    rf"(?i:{FR_VERBS})|said|says|added|adds|explained|explains|recalls|recalled|asked|replied"
)


def _inverted_subject(tail: str, verb: str, vocab: Vocabulary) -> Subject | None:
    """ "rappelle Amine :", "explique-t-elle", "said Tim,": a subject written after its verb."""
    if not _INVERTING.fullmatch(verb):
        return None
    after = attribution_after(tail, vocab)
    if after is None or after.subject is None or after.subject.kind not in ("name", "pseudonym", "pronoun"):
        return None
    return after.subject


def subject_before(pre: str, verb_start: int, vocab: Vocabulary, people_only: bool = False) -> Subject | None:
    """The subject of a verb: the clause before it, widened back past boundaries until a speaker is found.
    With `people_only`, descriptions are passed over unless they name an office ("the Mayor accused…:")."""
    bounds = list(_CLAUSE_BOUNDARY.finditer(pre, 0, verb_start))
    if (
        bounds
        and not pre[bounds[-1].end() : verb_start].strip()
        and re.search(r"\b(?:qui|who|which)\s*$", bounds[-1].group(0))
    ):
        return None  # "…, déplore l'auteur du blog, qui constate « … »": the speaker named before
    cuts = [m.end() for m in bounds]
    for cut in [*reversed(cuts), 0]:
        subject = parse_subject(pre[cut:verb_start], vocab)
        if subject is not None and (not people_only or subject.kind != "description" or subject.official):
            return subject
    return None
