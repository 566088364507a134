"""The key every citation of one ruling shares, and the ruling document too: court + case number normalised
("C‑411/10" and "C-411/10", "[2019] UKUT 00197 (IAC)" and "[2019] UKUT 197"), else the ECLI, else court +
date."""

from __future__ import annotations

import re

from ingest.courts import DASH, court_slug, fold_slug


def normalise_dashes(text: str) -> str:
    return re.sub(DASH, "-", text)


def number_key(court: str, number: str) -> str | None:
    """The part of a case number that identifies the ruling, or None when the number is incomplete
    (a CJEU number whose year was lost: "C-411/")."""
    n = " ".join(normalise_dashes(number).split())
    slug = court_slug(court)
    if slug in ("eu-cj", "eu-gc"):
        m = re.match(r"(?:([CTF])-)?0*(\d+)/(\d{2})(?!\d)", n)
        if not m:
            return None
        return f"{m.group(1) or ''}{'-' if m.group(1) else ''}{int(m.group(2))}/{m.group(3)}"
    if n.startswith("["):
        m = re.match(r"\[(\d{4})\]\s*([A-Z]+(?: Civ| Crim)?)\s*0*(\d+)(?:\s*\((\w+)\))?", n, re.I)
        if m:
            division = m.group(2).split()[1:] + ([m.group(4)] if m.group(4) and slug == "ew-hc" else [])
            return "/".join([m.group(1), *[d.lower() for d in division], str(int(m.group(3)))])
    if slug == "echr":
        m = re.search(r"(\d+)/(\d{2})(?!\d)", n)
        return f"{int(m.group(1))}/{m.group(2)}" if m else None
    if slug == "fr-cass":
        m = re.search(r"(\d{2})-?(\d{2})\.?(\d{3})", n.replace(" ", ""))
        return f"{m.group(1)}-{m.group(2)}.{m.group(3)}" if m else None
    if slug in ("fr-ddd", "fr-cc"):
        m = re.search(r"(?:([A-Z]{3})-?)?(\d{4})-(\d+)", n.upper())
        if not m:
            return None
        return f"{m.group(1) + '-' if m.group(1) else ''}{m.group(2)}-{int(m.group(3)):03d}"
    m = re.fullmatch(r"[\d .]+", n)
    if m:
        return re.sub(r"\D", "", n)
    return re.sub(r"\s+", "", n.upper())


def ruling_key(
    court: str,
    number: str | None = None,
    date: str | None = None,
    ecli: str | None = None,
    name: str | None = None,
) -> str:
    """The key every citation of one ruling shares: court + normalised case number, else the ECLI, else
    court + full date (which identifies a ruling of a court well enough), else court + partial date + name."""
    slug = court_slug(court)
    if number:
        first = re.split(r"\s+(?:and|et|to|à)\s+|,\s*", normalise_dashes(number))[0]
        key = number_key(court, first)
        if key:
            return f"{slug}:{key}"
    if ecli:
        return f"ecli:{ecli.upper().removeprefix('ECLI:')}"
    if number:
        return f"{slug}:{' '.join(normalise_dashes(number).split())}?{date or ''}"
    if date and len(date) == 10 or not name:
        return f"{slug}:{date or 'undated'}"
    return f"{slug}:{date or 'undated'}:{fold_slug(name)[:40].strip('-')}"
