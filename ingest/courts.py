"""Courts and bodies whose rulings we cite: one canonical name each, the ways English and French texts write
them, and the prefix of the key (`ingest.ruling_keys`) that links a citation to a ruling.

A table, not code paths: adding a court is adding a row. Courts tied to a city (tribunaux administratifs,
cours d'appel …) are templates: "TA Lille", "Lille Administrative Tribunal" and "Tribunal administratif de
Lille" all become "Tribunal administratif de Lille".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen, non-breaking hyphen, figure, en, em dash, minus
DASH = f"[{DASHES}]"
APOS = "['\u2019]"


@dataclass(frozen=True, slots=True)
class Court:
    """A court with its canonical name, the key prefix of its rulings, and the names texts give it."""

    name: str
    slug: str
    aliases: tuple[str, ...]  # regular expressions, tried in order


EU_CJ = "Court of Justice of the European Union"
EU_GC = "General Court"
ECTHR = "European Court of Human Rights"
CE = "Conseil d'État"
CASS = "Cour de cassation"
CONS_CONST = "Conseil constitutionnel"
CNDA = "Cour nationale du droit d'asile"
DDD = "Défenseur des Droits"
UT = "Upper Tribunal"
UT_IAC = "Upper Tribunal (IAC)"
EWCA = "Court of Appeal (England and Wales)"
UKSC = "UK Supreme Court"

COURTS: tuple[Court, ...] = (
    Court(
        EU_CJ,
        "eu-cj",
        (
            r"Court of Justice of the European (?:Union|Communities)",
            r"Court of Justice of the EU\b",
            r"European Court of Justice",
            r"Cour de justice de l['’]Union européenne",
            r"Cour de justice des Communautés européennes",
            r"(?<!High )Court of Justice(?! of England)",
            r"CJEU",
            r"CJUE",
            r"CJCE",
            r"ECJ",
        ),
    ),
    Court(
        EU_GC,
        "eu-gc",
        (
            r"General Court(?: of the European Union)?",
            r"Court of First Instance",
            r"Tribunal de l['’]Union européenne",
            r"Tribunal de première instance des Communautés européennes",
        ),
    ),
    Court(
        ECTHR,
        "echr",
        (
            r"European Court of Human Rights",
            r"Cour européenne des droits de l['’]homme",
            r"ECtHR",
            r"ECt\.?HR",
            r"Eur\.\s?Ct\.\s?H\.\s?R\.",
            r"Cour\s?EDH",
            r"CEDH",
            r"CrEDH",
            r"Strasbourg [Cc]ourt",
        ),
    ),
    Court(
        CE,
        "fr-ce",
        (
            r"(?:French )?Conseil d['’]\s?[ÉEé]tat",
            r"CONSEIL D['’]\s?[ÉE]TAT",
            r"(?:French )?Council of State",
            r"CE(?=,?\s+(?:[Ss]ect|[Aa]ss|ord|réf|juge|\d{1,2}(?:er)?\s))",
        ),
    ),
    Court(
        CASS,
        "fr-cass",
        (
            r"(?:French )?Cour de cassation",
            r"COUR DE CASSATION",
            r"(?:French )?Court of Cassation",
            (
                r"Cass\.?(?:,?\s*(?:crim|civ|soc|com|ass\.?\s*plén|ch\.\s*mixte)\.?(?:\s*\d(?:re|e|ère))?"
                r"|\s*\d(?:re|e|ère)\s*civ\.?)?(?=[\s,])"
            ),
            r"(?:Crim|Soc|Com|Civ\.\s*\d(?:re|e|ère)|\d(?:re|e|ère)\s*[Cc]iv)\.(?=,\s*\d)",
        ),
    ),
    Court(
        CONS_CONST,
        "fr-cc",
        (r"Conseil constitutionnel", r"(?:French )?Constitutional Council", r"Cons\.\s?const\."),
    ),
    Court(
        CNDA,
        "fr-cnda",
        (
            r"Cour nationale du droit d['’]asile",
            r"CNDA",
            r"National (?:Court of Asylum|Asylum Court)",
        ),
    ),
    Court(
        DDD,
        "fr-ddd",
        (
            r"D[ée]fenseurs? des [Dd]roits",
            r"DÉFENSEUR DES DROITS",
            r"(?:French )?Defender of (?:Human )?Rights",
            r"Human Rights Defender",
            r"Rights Defender",
        ),
    ),
    Court(UT_IAC, "uk-ut", (r"Upper Tribunal \((?:Immigration and Asylum Chamber|IAC)\)", r"UTIAC")),
    Court(UT, "uk-ut", (r"Upper Tribunal",)),
    Court(
        EWCA,
        "ew-ca",
        (
            r"Court of Appeal \(England (?:and|&) Wales\)",
            r"Court of Appeal of England and Wales",
            r"England and Wales Court of Appeal",
            r"Court of Appeal(?! of [A-Z])",
        ),
    ),
    Court(UKSC, "uk-sc", (r"(?:UK|United Kingdom) Supreme Court", r"Supreme Court of the United Kingdom")),
    Court("House of Lords", "uk-hl", (r"House of Lords",)),
)

# Neutral citations name their court: "[2019] UKUT 197 (IAC)".
NEUTRAL_COURTS: dict[str, tuple[str, str]] = {
    "UKUT": (UT, "uk-ut"),
    "UKSC": (UKSC, "uk-sc"),
    "UKHL": ("House of Lords", "uk-hl"),
    "UKPC": ("Privy Council", "uk-pc"),
    "EWCA CIV": (EWCA, "ew-ca"),
    "EWCA CRIM": (EWCA, "ew-ca"),
    "EWHC": ("High Court (England and Wales)", "ew-hc"),
    "UKAIT": ("Asylum and Immigration Tribunal", "uk-ait"),
    "UKAITUR": ("Asylum and Immigration Tribunal", "uk-ait"),
    "UKIAT": ("Immigration Appeal Tribunal", "uk-iat"),
    "CSIH": ("Court of Session", "sc-cs"),
    "CSOH": ("Court of Session", "sc-cs"),
    "NICA": ("Court of Appeal (Northern Ireland)", "ni-ca"),
    "ECHR": (ECTHR, "echr"),
    "SCC": ("Supreme Court of Canada", "ca-scc"),
}
UT_CHAMBERS = {
    "IAC": UT_IAC,
    "AAC": "Upper Tribunal (AAC)",
    "LC": "Upper Tribunal (Lands Chamber)",
    "TCC": "Upper Tribunal (Tax and Chancery Chamber)",
}

# Courts tied to a city: canonical template, key prefix, French and English forms ({city}: the city pattern).
_CITY = (
    r"(?P<city>(?:La |Le |Les )?[A-ZÀ-Ý][\wÀ-ÿ'’]*"
    r"(?:-(?:sur|en|la|le|lès|les|de|du|d['’]|[A-ZÀ-Ý][\wÀ-ÿ'’]*)){0,4})"
)
_CITY_UPPER = r"(?P<city>[A-ZÀ-Ý][A-ZÀ-Ý'’]+(?:[- ][A-ZÀ-Ýa-zà-ÿ'’]+){0,4})"
_NOT_CITIES = {
    "The",
    "A",
    "An",
    "French",
    "Federal",
    "Supreme",
    "Higher",
    "High",
    "National",
    "Regional",
    "Local",
    "Lower",
    "European",
    "Upper",
    "First",
    "Second",
    "This",
    "That",
    "Its",
    "Their",
    "Our",
    "His",
    "Her",
    "England",
    "Administrative",
    "Tribunal",
    "Cour",
    "Court",
    "Paris's",
    "Civil",
    "Criminal",
    "Commercial",
    "Appeal",
}


@dataclass(frozen=True, slots=True)
class CityCourt:
    template: str
    slug: str
    aliases: tuple[str, ...]


CITY_COURTS: tuple[CityCourt, ...] = (
    CityCourt(
        "Tribunal administratif de {city}",
        "fr-ta",
        (
            rf"[Tt]ribunal [Aa]dministrati(?:f|ve) (?:de |d{APOS}){_CITY}",
            rf"T\.?\s?A\.? (?:de |d{APOS})?{_CITY}",
            rf"{_CITY} Administrative (?:Tribunal|Court)(?! of [Aa]ppeal)",
            rf"Administrative (?:Tribunal|Court) (?:of|in) (?!Appeal){_CITY}",
        ),
    ),
    CityCourt(
        "Cour administrative d'appel de {city}",
        "fr-caa",
        (
            rf"[Cc]our administrative d{APOS}appel (?:de |d{APOS}){_CITY}",
            rf"CAA (?:de |d{APOS})?{_CITY}",
            rf"{_CITY} Administrative Court of Appeal",
            rf"Administrative Court of Appeal of {_CITY}",
        ),
    ),
    CityCourt(
        "Cour d'appel de {city}",
        "fr-ca",
        (
            rf"[Cc]our d{APOS}appel (?:de |d{APOS}){_CITY}",
            rf"CA (?:de |d{APOS})?{_CITY}(?=,)",
            rf"{_CITY} Court of Appeal",
            rf"Court of Appeal of {_CITY}",
        ),
    ),
    CityCourt("Tribunal judiciaire de {city}", "fr-tj", (rf"[Tt]ribunal judiciaire (?:de |d{APOS}){_CITY}",)),
    CityCourt(
        "Tribunal de grande instance de {city}",
        "fr-tgi",
        (
            rf"[Tt]ribunal de grande instance (?:de |d{APOS}){_CITY}",
            rf"TGI (?:de |d{APOS})?{_CITY}",
        ),
    ),
    CityCourt(
        "Tribunal correctionnel de {city}",
        "fr-tcorr",
        (rf"[Tt]ribunal correctionnel (?:de |d{APOS}){_CITY}",),
    ),
    CityCourt(
        "Tribunal de commerce de {city}", "fr-tcom", (rf"[Tt]ribunal de commerce (?:de |d{APOS}){_CITY}",)
    ),
)

# The same courts as a ruling's own heading writes them, in capitals: "TRIBUNAL ADMINISTRATIF\nDE LILLE".
CITY_HEADINGS: tuple[tuple[CityCourt, str], ...] = tuple(
    (court, pattern)
    for court, pattern in zip(
        CITY_COURTS,
        (
            rf"TRIBUNAL ADMINISTRATIF\s+(?:DE\s+|D{APOS}\s*){_CITY_UPPER}",
            rf"COUR ADMINISTRATIVE D{APOS}APPEL\s+(?:DE\s+|D{APOS}\s*){_CITY_UPPER}",
            rf"COUR D{APOS}APPEL\s+(?:[Dd][Ee]\s+|[Dd]{APOS}\s*){_CITY_UPPER}",
            rf"TRIBUNAL JUDICIAIRE\s+(?:DE\s+|D{APOS}\s*){_CITY_UPPER}",
            rf"TRIBUNAL DE GRANDE INSTANCE\s+(?:DE\s+|D{APOS}\s*){_CITY_UPPER}",
            rf"TRIBUNAL CORRECTIONNEL\s+(?:DE\s+|D{APOS}\s*){_CITY_UPPER}",
            rf"TRIBUNAL DE COMMERCE\s+(?:DE\s+|D{APOS}\s*){_CITY_UPPER}",
        ),
    )
)

_SLUGS = {c.name: c.slug for c in COURTS} | {name: slug for name, slug in NEUTRAL_COURTS.values()}
_SLUGS |= {name: "uk-ut" for name in UT_CHAMBERS.values()}


def court_pattern() -> re.Pattern[str]:
    """One pattern for every court name; group `c<i>_<a>` names the row of COURTS, `t<j>_<k>` a city court."""
    parts = [
        f"(?P<c{i}_{a}>{alias})" for i, court in enumerate(COURTS) for a, alias in enumerate(court.aliases)
    ]
    parts += [
        f"(?P<t{j}_{k}>{alias.replace('(?P<city>', f'(?P<city{j}_{k}>')})"
        for j, court in enumerate(CITY_COURTS)
        for k, alias in enumerate(court.aliases)
    ]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])")


def court_of_match(m: re.Match[str]) -> str | None:
    """The canonical court a `court_pattern()` match names, or None (an English word taken for a city)."""
    group = m.lastgroup or ""
    if group.startswith("c"):
        return COURTS[int(group[1:].split("_")[0])].name
    j, k = (int(x) for x in group[1:].split("_"))
    city = m.group(f"city{j}_{k}")
    if city in _NOT_CITIES or city.split()[0] in _NOT_CITIES:
        return None
    return city_court(CITY_COURTS[j], city)


def city_court(court: CityCourt, city: str) -> str:
    """ "Tribunal administratif de Lille" from the court row and a city as written ("LILLE", "lille")."""
    name = canonical_city(city)
    template = court.template
    if name[:1].upper() in "AEIOUYÉÈ" and template.endswith(" de {city}"):
        template = template[: -len(" de {city}")] + " d'{city}"
    return template.format(city=name)


def canonical_city(city: str) -> str:
    """ "LA ROCHE-SUR-YON" → "La Roche-sur-Yon", "CHAMBÉRY" → "Chambéry"; words in mixed case are kept."""
    small = {"sur", "en", "lès", "les", "de", "du", "d", "la", "le", "sous", "aux"}

    def word(w: str, first: bool) -> str:
        if not w.isupper() and not w.islower():
            return w
        low = w.lower()
        return low if (low in small and not first) else low.capitalize()

    parts = re.split(r"([- ])", city.strip())
    return "".join(p if p in "- " else word(p, i == 0) for i, p in enumerate(parts))


def court_slug(court: str) -> str:
    """The key prefix for a canonical court name: "fr-ce", "fr-ta-lille" …"""
    if court in _SLUGS:
        return _SLUGS[court]
    for city_court_row in CITY_COURTS:
        prefix = city_court_row.template.split("{city}")[0]
        alt = prefix[:-3] + "d'" if prefix.endswith(" de ") else prefix
        for p in (prefix, alt):
            if court.startswith(p):
                return f"{city_court_row.slug}-{fold_slug(court[len(p) :])}"
    return fold_slug(court)


def fold_slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Château-Thierry" → "chateau-thierry"."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "-".join(re.findall(r"[a-z0-9]+", bare.lower()))
