"""Is this document a ruling, and which one? Court, date, case numbers, ECLI, parties, kind of decision and
(for the CJEU, see `ingest.ruling_cjeu`) the operative part, read from the ruling's own heading.

A ruling announces itself at its top ("JUDGMENT OF THE COURT (Grand Chamber)", "TRIBUNAL ADMINISTRATIF DE
LILLE … Ordonnance du 12 avril 2021", "Upper Tribunal (Immigration and Asylum Chamber) Appeal Number: …",
"COUR DE CASSATION … Pourvoi n° …"); a report that cites rulings does not, so we only look at headings. The
`key` is `ingest.courts.ruling_key`, the one citations get, so a citation finds the ruling it cites.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest import courts as C
from ingest.citation_atoms import ECLI, NEUTRAL
from ingest.dates import find_dates
from ingest.records import RulingInfo
from ingest.ruling_cjeu import cjeu_ruling
from ingest.ruling_keys import ruling_key
from ingest.ruling_text import DATE, WEEKDAY, full_date, make_info, squash

# ---------------------------------------------------------------- Upper Tribunal (IAC)

_UT_HEAD = re.compile(r"Upper Tribunal\s*\(?\s*Immigration and Asylum Chamber|In the Upper Tribunal", re.I)
_APPEAL_NUMBERS = re.compile(
    r"(?:Appeal Numbers?|Case No\.?|Case Number)\s*:?\s*(?P<n>(?:[A-Za-z]{2}/\d{4,5}/\d{4}[\s,&]*)+)"
)
_GIVEN = re.compile(rf"(?:Judgment|Decision)\s+given\s+on\s+(?P<d>{DATE})", re.I)


def _uk_tribunal(text: str, title: str | None, source: str | None) -> RulingInfo | None:
    head = text[:1500]
    top = _UT_HEAD.search(head)
    if top is None or top.start() > 400:
        return None
    if not re.search(r"Appeal Numbers?|Case No|UKUT|IMMIGRATION ACTS?|Heard at|Judicial Review", head, re.I):
        return None
    numbers: list[str] = []
    neutral = NEUTRAL.search(head[:700])
    if neutral and neutral.group("n"):
        chamber = f" ({neutral.group('ch')})" if neutral.group("ch") else ""
        numbers.append(f"[{neutral.group('y')}] UKUT {int(neutral.group('n'))}{chamber}")
    appeal = _APPEAL_NUMBERS.search(head)
    if appeal:
        numbers += [n.upper() for n in re.findall(r"[A-Za-z]{2}/\d{4,5}/\d{4}", appeal.group("n"))]
    if not numbers:
        return None
    given = _GIVEN.search(head)
    before = re.search(r"Before|BEFORE|Between|BETWEEN", head[top.end() :])
    block = head[: top.end() + before.start()] if before else head[:700]
    if neutral:
        block = block[neutral.end() :]
    # Headings flattened to one line glue words together ("2019On 31 May 2019Before"): part them again.
    dates = find_dates(re.sub(r"(?<=\d{4})(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)", " ", block))
    date = _given_date(given) if given else (dates[-1].value if len(dates) >= 2 else None)
    name = None
    if title and (" v " in title or "UKUT" in title):
        name = squash(NEUTRAL.sub("", title))
    elif neutral:
        name = squash(_UT_HEAD.sub("", head[: neutral.start()]).strip().lstrip(")").strip())
    else:
        parties = re.search(
            r"Between\s*(?P<a>.{1,200}?)\s*(?:Appellants?|Applicants?)\s*and\s*(?P<b>.{1,150}?)\s*Respondents?",
            head,
            re.S | re.I,
        )
        if parties:
            a, b = (
                re.sub(r"\([^()]*(?:ANONYMITY|anonymity|Anonymity)[^()]*\)", "", parties.group(g))
                for g in "ab"
            )
            name = squash(f"{a} v {b}")
    decision = "judgment" if re.search(r"\bJUDGMENT\b|Judgment given", head) else "decision"
    return make_info(C.UT_IAC, date, numbers, None, name, decision)


def _given_date(m: re.Match[str]) -> str | None:
    return full_date(m.group("d"))


# ---------------------------------------------------------------- Cour de cassation

_POURVOI = re.compile(
    r"Pourvois?\s+n[°o]s?\s*(?P<n>(?:[A-Z]\s+)?\d{2}-\d{2}\.\d{3}(?:\s*(?:,|et)\s*(?:[A-Z]\s+)?\d{2}-\d{2}\.\d{3})*)"
)


def _cassation(text: str, title: str | None, source: str | None) -> RulingInfo | None:
    head = text[:2500]
    if not re.search(r"COUR DE CASSATION", head[:600]) or not re.search(
        r"Pourvoi\s+n°|Audience publique du|ARRÊT DE LA COUR DE CASSATION|Arrêt n°", head, re.I
    ):
        return None
    pourvoi = _POURVOI.search(head)
    numbers = re.findall(r"\d{2}-\d{2}\.\d{3}", pourvoi.group("n")) if pourvoi else []
    audience = re.search(rf"Audience publique du\s+{WEEKDAY}(?P<d>{DATE})", head, re.I) or re.search(
        rf"ARRÊT DE LA COUR DE CASSATION[^\n]*?,\s*DU\s+(?P<d>{DATE})", head, re.I
    )
    date = full_date(audience.group("d")) if audience else None
    if title:
        date = date or (re.search(r"\d{4}-\d\d-\d\d", title) or [None])[0]
        numbers = numbers or re.findall(r"\d{2}-\d{2}\.\d{3}", title)
    ecli = ECLI.search(head)
    start = re.search(r"AU NOM DU PEUPLE FRAN[ÇC]AIS|ARRÊT DE LA COUR DE CASSATION", head)
    claimant = re.compile(
        r"\n\s*(?:1°/\s*)?(?P<p>(?:la |le |l['’])?(?:société|association|syndicat|commune|M\.|Mme)"
        r"[^,\n]{1,80}),"
    ).search(head, start.end() if start else 0)
    defendant = re.search(
        r"les opposant\s*:\s*(?:1°/\s*)?(?:à |au |aux )?(?P<p>(?:la |le |l['’])?[^,\n]{1,100}),", head
    )
    name = squash(f"{claimant.group('p')} c/ {defendant.group('p')}") if claimant and defendant else None
    kind = (
        "ordonnance"
        if re.search(r"\bORDONNANCE\b", head)
        else "opinion"
        if re.search(r"\bAVIS\b", head)
        else "judgment"
    )
    return make_info(C.CASS, date, numbers, ecli.group(0) if ecli else None, name, kind)


# ---------------------------------------------------------------- French courts: with a city, CE, CNDA

_FR_MARKER = re.compile(
    r"AU NOM DU PEUPLE FRAN[ÇC]AIS|R[ÉE]PUBLIQUE FRAN[ÇC]AISE|\b(?:ORDONNANCE|JUGEMENT|ARR[ÊE]T|"
    r"D[ÉE]CISION|Ordonnance|Jugement|Arrêt|Décision)\s+(?:du|DU)\b|Lecture du"
)
_FR_DATE = re.compile(
    rf"\b(?P<w>Lecture|Ordonnance|Jugement|Arrêt|Décision|Decision)\s+du\s+{WEEKDAY}(?P<d>{DATE})", re.I
)
_FR_NUMBERS = (
    re.compile(r"(?:^|\n)[ \t]*N[°o]s?\.?\s*(?P<n>\d{5,8}(?:\s*(?:,|et)\s*\d{5,8})*)"),
    re.compile(r"\bR\.?\s?G\.?\s*(?:n[°o]\s*)?:?\s*(?P<n>\d{2}/\d{4,5}|\d{6,12})"),
)
_FR_KINDS = {
    "ordonnance": "ordonnance",
    "jugement": "judgment",
    "arrêt": "judgment",
    "arret": "judgment",
    "décision": "decision",
    "decision": "decision",
    "lecture": "decision",
}
_OTHER_HEADINGS = (
    (C.CE, r"CONSEIL D['’]\s?[ÉE]TAT|Conseil d['’][ÉE]tat(?=\s*\n)"),
    (C.CNDA, r"COUR NATIONALE DU DROIT D['’]ASILE"),
)


def _french_court(text: str, title: str | None, source: str | None) -> RulingInfo | None:
    head = text[:600]
    court = None
    for city_court, pattern in C.CITY_HEADINGS:
        m = re.search(rf"(?m)^[ \t]*{pattern}[ \t]*$", head)
        if m:
            court = C.city_court(city_court, m.group("city"))
            break
    for name, pattern in _OTHER_HEADINGS:
        if court is None and re.search(rf"(?m)^[ \t]*(?:{pattern})[ \t]*$", head):
            court = name
    if court is None or not _FR_MARKER.search(text[:3000]):
        return None
    numbers: list[str] = []
    for (
        number_pattern
    ) in _FR_NUMBERS:  # the case's own number comes first; later ones are the decision appealed
        found = number_pattern.search(text[:1500])
        if found and not numbers:
            numbers = [" ".join(n.split()) for n in re.split(r"\s*(?:,|et)\s*", found.group("n"))]
    dated = [d for d in _FR_DATE.finditer(text[:3000]) if full_date(d.group("d"))]
    lecture = [d for d in dated if d.group("w").lower() == "lecture"]  # "Audience du" is the hearing
    chosen = (lecture or dated)[0] if dated else None
    date = full_date(chosen.group("d")) if chosen else None
    if date is None:
        done = re.search(rf"Fait à [^,\n]+, le\s+(?P<d>{DATE})", text)
        date = full_date(done.group("d")) if done else None
    kind = _FR_KINDS.get(chosen.group("w").lower()) if chosen else None
    if chosen and chosen.group("w").lower() == "lecture" and court != C.CE:
        kind = "judgment"  # a tribunal's "Lecture du …" reads out a jugement, the Conseil d'État's a décision
    if kind == "decision" and re.search(r"\bjuge des référés\b", text[:3000], re.I):
        kind = "ordonnance"
    return make_info(court, date, numbers, None, _french_parties(text[:3000]), kind)


def _french_parties(head: str) -> str | None:
    block = re.search(r"\n\s*N[°o][^\n]*\n\s*_{3,}\s*\n(?P<p>.{1,300}?)\n\s*_{3,}", head, re.S)
    if block:
        return squash(block.group("p"))
    appellant = re.search(r"\bAppelante?s?\s*\n+\s*(?P<p>[^\n]+?)(?:\s+dont\b|,|\n)", head)
    respondent = re.search(r"\bIntimée?s?\s*\n+\s*(?P<p>[^\n]+?)(?:\s+dont\b|,|\n)", head)
    if appellant and respondent:
        return squash(f"{appellant.group('p')} c/ {respondent.group('p')}")
    return None


# ---------------------------------------------------------------- ECtHR, Défenseur des Droits, Cons. const.

_ECTHR_HEAD = re.compile(
    r"(?:CASE OF|AFFAIRE)\s+(?P<name>[^\n]{3,200}?)\s*\n\s*\((?:Application|Requête|Applications|Requêtes)"
    r"\s+nos?\.?\s*(?P<n>\d{1,6}/\d{2})"
)


def _ecthr(text: str, title: str | None, source: str | None) -> RulingInfo | None:
    head = text[:2500]
    m = _ECTHR_HEAD.search(head)
    if not m or not re.search(
        r"EUROPEAN COURT OF HUMAN RIGHTS|COUR EUROPÉENNE DES DROITS DE L['’]HOMME|JUDGMENT|ARRÊT", head
    ):
        return None
    date = re.search(rf"STRASBOURG\s+(?P<d>{DATE})", head, re.I)
    kind = "decision" if re.search(r"\bDECISION\b|\bDÉCISION\b", head) else "judgment"
    return make_info(
        C.ECTHR,
        full_date(date.group("d")) if date else None,
        [m.group("n")],
        None,
        squash(m.group("name")),
        kind,
    )


_DDD_HEAD = re.compile(
    r"D[ée]cision\s+(?:du Défenseur des droits\s+)?n[°o]\s*(?P<n>(?:MDS|MLD|MDE|MSP)?-?\d{4}-\d{1,3}"
    r"(?:/\d{1,3})?)(?:\s+(?P<cc>QPC|DC|LP|L|AN|SEN))?",
    re.I,
)


def _decision_body(text: str, title: str | None, source: str | None) -> RulingInfo | None:
    head = text[:800]
    m = re.compile(rf"(?m)^[ \t]*(?:{_DDD_HEAD.pattern})", re.I).search(head[:300])
    if not m:
        return None
    if m.group("cc") and re.search(r"Conseil constitutionnel", head, re.I):
        court = C.CONS_CONST
    elif re.search(r"D[ée]fenseur des droits", head, re.I):
        court = C.DDD
    else:
        return None
    number = f"{m.group('n')} {m.group('cc')}" if m.group("cc") else m.group("n")
    dated = re.search(rf"(?:du|Paris, le|Le)\s+(?P<d>{DATE})", head)
    return make_info(court, full_date(dated.group("d")) if dated else None, [number], None, None, "decision")


Recogniser = Callable[[str, str | None, str | None], RulingInfo | None]
RECOGNISERS: tuple[Recogniser, ...] = (
    cjeu_ruling,
    _uk_tribunal,
    _cassation,
    _french_court,
    _ecthr,
    _decision_body,
)


def ruling_info(text: str, title: str | None = None, source: str | None = None) -> RulingInfo | None:
    """The ruling this document is, from its heading; None when it is not a ruling (a report citing rulings
    is not). `source` (a path or file name) helps where the text lost details: a CJEU CELEX name (62010CJ0411)
    gives the case number and kind; `title` (from the file's metadata) gives a name or fills a gap."""
    text = text.lstrip("\ufeff")
    for recognise in RECOGNISERS:
        info = recognise(text, title, source)
        if info is not None:
            return info
    return None


def citation_keys(info: RulingInfo) -> tuple[str, ...]:
    """Every key a citation of this ruling may carry: one per case number (joined cases, appeal numbers), its
    ECLI, and court + full date (citations that give no number). The index stores them all."""
    keys = [info.key]
    keys += [ruling_key(info.court, n) for n in info.numbers]
    if info.ecli:
        keys.append(ruling_key(info.court, None, None, info.ecli))
    if info.date and len(info.date) == 10:
        keys.append(ruling_key(info.court, None, info.date))
    return tuple(dict.fromkeys(keys))
