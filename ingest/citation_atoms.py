"""The pieces a ruling citation is made of, found one kind at a time: court names, case numbers, ECLIs, law
report references and dates. `ingest.citations` joins neighbouring pieces into citations.

Each kind is one regular expression and one small function; a number only one court uses (CJEU "C-411/10",
a pourvoi "19-13.124", a neutral citation "[2019] UKUT 197 (IAC)") names its court itself.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from ingest import courts as C
from ingest.case_names import name_after, name_before
from ingest.courts import DASH
from ingest.dates import find_dates
from ingest.ruling_keys import normalise_dashes

AtomKind = Literal["court", "number", "ecli", "report", "date"]


@dataclass(frozen=True, slots=True)
class Atom:
    """One piece of a citation. `court` is the court the piece names or implies; `date` a date it implies."""

    kind: AtomKind
    start: int
    end: int
    court: str | None = None
    value: str | None = None  # the number as normalised, the ECLI, or the ISO date of a date
    date: str | None = None
    name: str | None = None
    family: str = ""  # which kind of number: "cjeu", "echr", "neutral", "cass", "ddd", "generic"
    alone: bool = True  # can make a citation without another piece (a bare "ECHR 2011" cannot)


_D = DASH
_CJEU_ONE = rf"[CTF]\s?{_D}\s?\d{{1,4}}/(?:\d{{2}}(?!\d))?(?:\s?(?:PPU|P\(R\)|P|R|AJ|REC|DEP|SA|OP)\b)?"
_OLD_ONE = r"\d{1,3}/(?:\d{2}(?!\d))?"
_LIST_SEP = r"\s*(?:,|\band\b|\bet\b|\bto\b|\bà\b)\s*"
CJEU_NUMBER = re.compile(
    rf"(?<![\w/{C.DASHES}])(?:(?:(?:Joined\s+)?[Cc]ases?|[Aa]ff(?:aires?)?\.?(?:\s+jointes)?)\s+)?"
    rf"(?:{_CJEU_ONE}(?:{_LIST_SEP}{_CJEU_ONE})*)"
    rf"|(?<![\w/])(?:Joined\s+)?Cases?\s+{_OLD_ONE}(?:{_LIST_SEP}{_OLD_ONE})*"
)
_APP = r"\d{1,6}/\d{2}(?![\d/])"
ECHR_NUMBER = re.compile(
    rf"(?<![\w])(?P<prefix>(?:[Aa]pplications?|[Rr]equêtes?|[Rr]eq\.)\s+)?(?P<no>nos?\.|n[°o]s?\.?|Nos?\.?)\s*"
    rf"(?P<n>{_APP}(?:{_LIST_SEP}{_APP})*)"
)
NEUTRAL = re.compile(
    r"\[(?P<y>(?:19|20)\d\d)\]\s*(?P<c>UKUT|UKSC|UKHL|UKPC|EWCA\s+Civ|EWCA\s+Crim|EWHC|UKAITUR|UKAIT|UKIAT|CSIH|CSOH"
    r"|NICA|ECHR|SCC)(?:\s+0*(?P<n>\d{1,5})(?!\d)|(?=\s+[A-Za-z]|[.,;)]))"
    r"(?:\s*\((?P<ch>IAC|AAC|LC|TCC|Admin|QB|KB|Fam|Ch|Comm|Pat|IPEC)\))?"
)
REPORT = re.compile(
    rf"\[(?P<y>(?:19|20)\d\d)\]\s*(?:E\.?C\.?R\.?\s*(?P<part>II|I)?(?:\s?{_D}\s?\d+)?(?:\s*\*?\d+)?|EUECJ(?=\s))"
    r"|(?<![\w])ECHR\s+(?P<ey>(?:19|20)\d\d)(?:-[IVX]+)?"
)
POURVOI = re.compile(
    rf"(?:(?:[Pp]ourvois?|[Aa]ppeals?)\s+)?(?:n[°o]s?\.?|No\.?)\s*(?:[A-Z]\s+)?(?P<n>\d{{2}}\s?{_D}\s?\d{{2}}\.\d{{3}})(?!\d)"
)
DECISION_NUMBER = re.compile(
    rf"(?:[Dd][ée]cision(?:-cadre)?|DÉCISION)\s+(?:n[°o]\.?\s*)?"
    rf"(?P<n>(?:(?:MDS|MLD|MDE|MSP|MSA)\s?{_D}?\s?)?\d{{4}}\s?{_D}\s?\d{{1,3}}(?:/\d{{1,3}})?)"
    r"(?:\s+(?P<cc>QPC|DC|LP|L|AN|SEN|ELEC|ORGA|FNR|REF|I|D))?(?![\w/-])"
)
GENERIC_NUMBER = re.compile(
    r"(?<![\w])(?:(?:[Rr]eq\.|[Rr]equête|RG|R\.G\.)\s*)?(?:n[°o]s?\.?|N[°o]\.?|No\.?|nos\.)\s*"
    r"(?P<n>\d[\d. ]{3,10}\d|\d{2}/\d{4,5}|\d{2}[A-Z]{2}\d{5}|[A-Z]{2}/\d{4,5}/\d{4})(?![\d/-])"
)
ECLI = re.compile(
    r"(?:ECLI:)?(?:EU:[CTF]:(?:19|20)\d\d:\d+|CE:ECHR:(?:19|20)\d\d:\d{4}[A-Z]{3}\d{9})"
    r"|ECLI:[A-Z]{2}:[A-Z]+:(?:19|20)\d\d:[\w.]*\w"
)
URL = re.compile(r"(?:https?://|www\.)\S+")
COURT_NAMES = C.court_pattern()


def _normal(text: str) -> str:
    return " ".join(normalise_dashes(text).replace("\u00a0", " ").split())


# "Raad van State (Council of State, Netherlands)", "Conseil d'État (Belgium)": a foreign court, translated.
_FOREIGN = re.compile(
    r"\s*[,(]\s*(?:[^(),]{0,40},\s*)?(?:Belgium|Belgique|Luxembourg|Netherlands|Pays-Bas|Italy|Italie|Greece|Grèce|Spain|Portugal|"
    r"Ireland|Colombia|Turkey|Germany|Austria|Bulgaria|Romania|Cyprus|Czech|Poland|Hungary|Lithuania)\b"
)


# Words one of which is in or right after every court name: the full pattern only runs around them, which
# makes a long report ten times quicker to scan than trying some fifty alternatives at every position.
_COURT_TRIGGER = re.compile(
    r"Cour|COUR|Conseil|CONSEIL|Council|Tribunal|tribunal|TRIBUNAL|CJ|ECJ|ECt|Eur\.|EDH|Cass|Crim\.|Soc\.|Com\.|"
    r"[Cc]iv\.|\bCE\b|\bTA\b|T\.\s?A\.|\bCAA?\b|TGI|CNDA|Cons\.|[Dd][ée]fenseur|DÉFENSEUR|Defender|UTIAC|"
    r"House of Lords|Supreme Court|Strasbourg"
)


def _court_matches(text: str) -> list[re.Match[str]]:
    matches: list[re.Match[str]] = []
    done = 0
    for trigger in _COURT_TRIGGER.finditer(text):
        if trigger.end() <= done:
            continue
        start = max(done, trigger.start() - 60)
        for m in COURT_NAMES.finditer(text, start, min(len(text), trigger.end() + 140)):
            if m.end() > trigger.start():
                matches.append(m)
                done = m.end()
                break
    return matches


def court_atoms(text: str) -> list[Atom]:
    atoms = []
    for m in _court_matches(text):
        court = C.court_of_match(m)
        translated = text[max(0, m.start() - 1) : m.start()] == "(" and m.group(0).startswith(
            ("Council", "Court")
        )
        foreign = _FOREIGN.match(text, m.end()) or translated  # "Raad van State (Council of State)"
        if court and not foreign:
            atoms.append(Atom("court", m.start(), m.end(), court=court))
    return atoms


def cjeu_atoms(text: str) -> list[Atom]:
    atoms = []
    for m in CJEU_NUMBER.finditer(text):
        core = _with_years(
            re.sub(r"^(?:Joined\s+)?[Cc]ases?\s+|^[Aa]ff\S*\s+(?:jointes\s+)?", "", _normal(m.group(0)))
        )
        court = C.EU_GC if core.startswith("T") else C.EU_CJ
        name, end = name_after(text, m.end())
        atoms.append(Atom("number", m.start(), end, court=court, value=core, name=name, family="cjeu"))
    return atoms


def _with_years(numbers: str) -> str:
    """ "C-6/ and C-9/90" → "C-6/90 and C-9/90": in a list of joined cases (or a range, "C-397/ to C-403/01")
    a number that lost its year takes the year of the next one that kept it."""
    parts = re.split(r"(\s*(?:,|\band\b|\bet\b|\bto\b|\bà\b)\s*)", numbers)
    year = None
    for i in range(len(parts) - 1, -1, -2):
        m = re.match(r"([CTF]-)?(\d+)/(\d{2})?(.*)$", parts[i])
        if not m:
            continue
        if m.group(3):
            year = m.group(3)
        elif year:
            parts[i] = f"{m.group(1) or ''}{m.group(2)}/{year}{m.group(4)}"
    seps = {",": ", ", "and": " and ", "et": " and ", "to": " to ", "à": " to "}
    return "".join(seps.get(p.strip(), p) if i % 2 else p for i, p in enumerate(parts))


def echr_atoms(text: str) -> list[Atom]:
    atoms = []
    for m in ECHR_NUMBER.finditer(text):
        strong = bool(m.group("prefix")) or m.group("no") in ("no.", "nos.")
        name, start = name_before(text, m.start())
        atoms.append(
            Atom(
                "number",
                start,
                m.end(),
                court=C.ECTHR if strong else None,
                value=_normal(m.group("n")),
                name=name,
                family="echr",
            )
        )
    return atoms


def neutral_atoms(text: str) -> list[Atom]:
    atoms = []
    for m in NEUTRAL.finditer(text):
        code = " ".join(m.group("c").upper().split())
        court, _ = C.NEUTRAL_COURTS[code]
        chamber = m.group("ch")
        if code == "UKUT" and chamber:
            court = C.UT_CHAMBERS.get(chamber.upper(), court)
        label = " ".join(m.group("c").split())
        number = None  # "[2011] UKUT" whose number the source lost: court and year only
        if m.group("n"):
            number = f"[{m.group('y')}] {label} {int(m.group('n'))}" + (f" ({chamber})" if chamber else "")
        name, start = name_before(text, m.start())
        atoms.append(
            Atom(
                "number",
                start,
                m.end(),
                court=court,
                value=number,
                date=m.group("y"),
                name=name,
                family="neutral",
            )
        )
    return atoms


def report_atoms(text: str) -> list[Atom]:
    atoms = []
    for m in REPORT.finditer(text):
        if m.group("ey"):
            atoms.append(Atom("report", m.start(), m.end(), court=C.ECTHR, date=m.group("ey"), alone=False))
        else:
            court = C.EU_GC if m.group("part") == "II" else C.EU_CJ
            atoms.append(Atom("report", m.start(), m.end(), court=court, date=m.group("y")))
    return atoms


def pourvoi_atoms(text: str) -> list[Atom]:
    return [
        Atom(
            "number",
            m.start(),
            m.end(),
            court=C.CASS,
            value=_normal(m.group("n")).replace(" ", ""),
            family="cass",
        )
        for m in POURVOI.finditer(text)
    ]


def decision_atoms(text: str) -> list[Atom]:
    atoms = []
    for m in DECISION_NUMBER.finditer(text):
        number = _normal(m.group("n")).replace(" ", "")
        court = C.CONS_CONST if m.group("cc") else C.DDD
        value = f"{number} {m.group('cc')}" if m.group("cc") else number
        atoms.append(Atom("number", m.start(), m.end(), court=court, value=value, family="ddd"))
    return atoms


def generic_atoms(text: str) -> list[Atom]:
    return [
        Atom("number", m.start(), m.end(), value=_normal(m.group("n")), family="generic")
        for m in GENERIC_NUMBER.finditer(text)
    ]


def ecli_parts(ecli: str) -> tuple[str | None, str | None, str | None]:
    """Court, date and case number an ECLI spells out (as far as it does)."""
    parts = ecli.upper().removeprefix("ECLI:").split(":")
    country, code, year, rest = parts[0], parts[1], parts[2], ":".join(parts[3:])
    if country == "EU":
        return {"C": C.EU_CJ, "T": C.EU_GC}.get(code), year, None
    if country == "FR" and code.startswith("CE"):
        m = re.match(r"(\d+)\.(\d{4})(\d\d)(\d\d)$", rest)
        return C.CE, (f"{m.group(2)}-{m.group(3)}-{m.group(4)}" if m else year), (m.group(1) if m else None)
    if country == "FR" and code == "CCASS":
        return C.CASS, year, None
    if country == "CE" and code == "ECHR":
        m = re.match(r"(\d\d)(\d\d)[A-Z]{3}(\d{7})(\d\d)$", rest)
        if m:
            return C.ECTHR, f"{year}-{m.group(1)}-{m.group(2)}", f"{int(m.group(3))}/{m.group(4)}"
        return C.ECTHR, year, None
    return None, year, None


def ecli_atoms(text: str) -> list[Atom]:
    atoms = []
    for m in ECLI.finditer(text):
        ecli = m.group(0) if m.group(0).startswith("ECLI:") else "ECLI:" + m.group(0)
        court, date, number = ecli_parts(ecli)
        atoms.append(Atom("ecli", m.start(), m.end(), court=court, value=ecli, date=date, name=number))
    return atoms


def date_atoms(text: str, near: list[Atom] | None = None, margin: int = 300) -> list[Atom]:
    """Dates in the text, or only those within `margin` characters of other pieces (a date far from any court
    or number cannot be part of a citation, and long reports hold thousands)."""
    if near is None:
        return [Atom("date", d.start, d.end, value=d.value) for d in find_dates(text)]
    windows: list[list[int]] = []
    for atom in sorted(near, key=lambda a: a.start):
        a, b = max(0, atom.start - margin), min(len(text), atom.end + margin)
        if windows and a <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], b)
        else:
            windows.append([a, b])
    return [
        Atom("date", a + d.start, a + d.end, value=d.value)
        for a, b in windows
        for d in find_dates(text[a:b])
        if (d.start > 0 or a == 0) and (a + d.end < b or b == len(text))
    ]


# Most specific first: where two pieces overlap, the earlier kind in this list wins. Dates come last, and
# only near the other pieces.
FINDERS = (
    ecli_atoms,
    neutral_atoms,
    cjeu_atoms,
    pourvoi_atoms,
    decision_atoms,
    echr_atoms,
    report_atoms,
    generic_atoms,
    court_atoms,
)


class _Spans:
    """Non-overlapping spans, sorted, to ask whether a new span overlaps one already taken."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.ends, start + 1)  # first span ending after `start`
        return i < len(self.starts) and self.starts[i] < end

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def find_atoms(text: str) -> list[Atom]:
    """Every citation piece in the text, without overlaps and outside URLs, in text order."""
    taken = _Spans()
    for m in URL.finditer(text):
        taken.add(m.start(), m.end())
    kept: list[Atom] = []

    def keep(atom: Atom) -> None:
        if taken.overlaps(atom.start, atom.end):
            if atom.kind != "number" or atom.name is None:
                return
            atom = _without_name(text, atom)
            if taken.overlaps(atom.start, atom.end):
                return
        taken.add(atom.start, atom.end)
        kept.append(atom)

    for finder in FINDERS:
        for atom in finder(text):
            keep(atom)
    for atom in date_atoms(text, near=kept):
        keep(atom)
    return sorted(kept, key=lambda a: a.start)


def _without_name(text: str, atom: Atom) -> Atom:
    """The number alone, when the name read around it overlaps another piece."""
    pattern = {"cjeu": CJEU_NUMBER, "echr": ECHR_NUMBER, "neutral": NEUTRAL}.get(atom.family)
    if pattern is None:
        return atom
    m = pattern.search(text, atom.start, atom.end)
    if not m:
        return atom
    return Atom(
        atom.kind, m.start(), m.end(), atom.court, atom.value, atom.date, None, atom.family, atom.alone
    )
