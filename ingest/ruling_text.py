"""Small helpers to read rulings' headings: dates as headings write them, names on one line, RulingInfo."""

from __future__ import annotations

import re

from ingest.dates import MONTHS, parse_date
from ingest.records import RulingInfo
from ingest.ruling_keys import ruling_key

MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
DATE = rf"(?:\d{{1,2}}(?:er|st|nd|rd|th)?\s+)?(?:{MONTH})\.?(?:\s+\d{{4}})?"
WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"


def make_info(
    court: str,
    date: str | None,
    numbers: list[str],
    ecli: str | None = None,
    name: str | None = None,
    decision: str | None = None,
    operative_part: str | None = None,
) -> RulingInfo:
    """A RulingInfo whose key is the one citations of this ruling get (`ingest.courts.ruling_key`)."""
    numbers = list(dict.fromkeys(numbers))
    key = ruling_key(court, numbers[0] if numbers else None, date, ecli, name)
    return RulingInfo(
        court=court,
        date=date,
        numbers=tuple(numbers),
        key=key,
        ecli=ecli,
        name=name,
        decision=decision,
        operative_part=operative_part,
    )


def squash(text: str | None, limit: int = 300) -> str | None:
    """Text on one line, without stray punctuation at its ends, cut at a word past `limit`."""
    if not text:
        return None
    text = " ".join(text.split()).strip(" ,;:-–")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text or None


def full_date(text: str | None) -> str | None:
    """A date with its year; a month without one ("December") gives nothing rather than a guess."""
    value = parse_date(text) if text else None
    return value if value and re.search(r"\d{4}", text or "") else None
