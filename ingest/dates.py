"""Dates in English and French text as ISO partial dates: `2018`, `2018-07`, `2018-07-31`, never a made-up day.

Our own small parser rather than dateparser: we need the precision the text gives (a month stays a month),
spans for every match, and speed over millions of words; the forms used in this field are few.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    # English
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
    # French
    "janvier": 1,
    "janv": 1,
    "février": 2,
    "fevrier": 2,
    "févr": 2,
    "fevr": 2,
    "fév": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
    "déc": 12,
}
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|er|ᵉʳ)?"
_QUALIFIER = r"(?:(?:early|mid|late|end of|beginning of|début|fin|mi)[- ](?:de |d’|d')?)?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(rf"\b(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])(?:-(?P<d>0[1-9]|[12]\d|3[01]))?\b")),
    ("dmy", re.compile(rf"\b(?:le\s+)?(?P<d>{_DAY})\.?\s+(?P<mon>{_MONTH})\.?,?\s+(?P<y>{_YEAR})\b", re.I)),
    ("mdy", re.compile(rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>{_DAY}),?\s+(?P<y>{_YEAR})\b", re.I)),
    (
        "my",
        re.compile(
            rf"(?<![\w-]){_QUALIFIER}(?P<mon>{_MONTH})\.?,?\s+(?:of\s+|de\s+|d['’])?(?P<y>{_YEAR})\b", re.I
        ),
    ),
    ("numeric", re.compile(rf"\b(?P<d>0?[1-9]|[12]\d|3[01])[/.](?P<m>0?[1-9]|1[0-2])[/.](?P<y>{_YEAR})\b")),
)
_BARE_YEAR = re.compile(rf"\b(?P<y>{_YEAR})\b")
# A year written as a year, not a number: "in 2016", "depuis 2002", "the first half of 2017", "l'été 2018".
_YEAR_IN_CONTEXT = re.compile(
    rf"(?:\b(?:in|since|until|by|during|from|throughout|of|en|depuis|jusqu['’]en|dès|avant|après|année|"
    rf"summer|winter|spring|autumn|fall|été|hiver|printemps|automne|semestre|half|quarter|trimestre)"
    rf"(?:\s+(?:of|de|d['’]|l['’]))?\s+)(?P<y>{_YEAR})\b(?!\s*[-/]\s*\d)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    start: int
    end: int
    text: str
    value: str


def _valid_day(year: int, month: int, day: int) -> bool:
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return 1 <= day <= days[month - 1]


def _value(kind: str, m: re.Match[str]) -> str | None:
    year = int(m.group("y"))
    month = int(m.group("m")) if "m" in m.groupdict() and m.group("m") else None
    if month is None and "mon" in m.groupdict():
        month = MONTHS.get(m.group("mon").lower().rstrip("."))
    if month is None:
        return f"{year:04d}"
    day_text = m.groupdict().get("d")
    if day_text:
        day = int(re.match(r"\d+", day_text).group(0))  # type: ignore[union-attr]
        if not _valid_day(year, month, day):
            return None
        return f"{year:04d}-{month:02d}-{day:02d}"
    return f"{year:04d}-{month:02d}"


def find_dates(text: str, bare_years: bool = False) -> list[DateMatch]:
    """Every date written out in the text, longest form first, without overlaps, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[DateMatch] = []
    patterns = _PATTERNS + ((("year", _BARE_YEAR),) if bare_years else (("year", _YEAR_IN_CONTEXT),))
    for kind, pattern in patterns:
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            value = _value(kind, m)
            if value is None:
                continue
            # a year in context spans the year only: "in 2016" is dated 2016, the word "in" is not the date
            start, end = (m.start("y"), m.end("y")) if kind == "year" else (m.start(), m.end())
            taken.append((start, end))
            found.append(DateMatch(start, end, text[start:end], value))
    return sorted(found, key=lambda d: d.start)


def parse_date(text: str) -> str | None:
    """The ISO partial date of a date expression ("31 juillet 2017", "mid-March 2019", "2018"), or None."""
    matches = find_dates(text.strip(), bare_years=True)
    if not matches:
        return None
    best = max(matches, key=lambda d: (len(d.value), d.end - d.start))
    return best.value


def date_bounds(value: str) -> tuple[int, int]:
    """A partial date as the first and last day it covers, as YYYYMMDD integers (for range filters)."""
    parts = [int(p) for p in value.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return year * 10000 + 101, year * 10000 + 1231
    month = parts[1]
    if len(parts) == 2:
        last = 31
        while not _valid_day(year, month, last):
            last -= 1
        return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + last
    day = year * 10000 + month * 100 + parts[2]
    return day, day


_ISO_PARTIAL = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")


def is_partial_iso(value: str) -> bool:
    return bool(_ISO_PARTIAL.match(value))
