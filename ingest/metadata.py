"""Document metadata: a sidecar `NAME.meta.json` wins, then the folder's catalogue (`ingest/catalogue.py`),
then what the file carries, then what the text says."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path

from ingest.dates import find_dates, is_partial_iso, parse_date
from ingest.records import IngestError, Kind, Metadata, metadata_from_json, to_jsonable

OPENING_CHARS = 12000  # "the opening pages", where a document states its date
SIGNATURE_HEAD = 1500  # a dateline opens a press release …
SIGNATURE_TAIL = 4000  # … a signature closes a statement or a ruling


def sidecar_paths(path: Path) -> list[Path]:
    """`report.meta.json` or `report.pdf.meta.json` beside `report.pdf`."""
    return [path.with_name(path.stem + ".meta.json"), path.with_name(path.name + ".meta.json")]


def load_sidecar(path: Path) -> Metadata:
    for candidate in sidecar_paths(path):
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise IngestError(str(path), f"unreadable sidecar {candidate.name}: {exc}") from exc
            if not isinstance(data, dict):
                raise IngestError(str(path), f"sidecar {candidate.name} is not a JSON object")
            return with_iso_date(metadata_from_json(data))
    return Metadata()


def metadata_key(sidecar: Metadata, listed: Metadata) -> str:
    """A fingerprint of what a file's sidecar and its catalogue row say of it ("" when neither says
    anything): kept with the indexed document, so that an edited sidecar or catalogue row has the file built
    again although its bytes are unchanged. Taken from the parsed values, so a file sent to a cluster worker
    with its sidecar and row gets the fingerprint the ingesting machine computes."""
    values = [to_jsonable(sidecar), to_jsonable(listed)]
    if not any(v for part in values for v in part.values()):
        return ""
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def with_iso_date(meta: Metadata) -> Metadata:
    """Metadata written by hand ("20 April 2021") with its date in ISO form."""
    if meta.date and not is_partial_iso(meta.date):
        return dataclasses.replace(meta, date=parse_date(meta.date))
    return meta


_SIGNATURE = re.compile(
    r"^\s*(?:(?:Fait|Done|Signed)\s+(?:à|at|in)\s+)?[A-ZÀ-Þ][\w' -]{1,40},\s*(?:le\s+|on\s+|the\s+)?(?P<date>.{6,40}?)\s*\.?\s*$",
    re.M,
)


def infer_date(text: str) -> str | None:
    """The date a document gives itself: a signature line ("Paris, April 12 2013", "Fait à Lille, le
    12 avril 2021"), else the latest full date in its opening pages."""
    # Signature lines only where they stand: the very start or the end (captions mid-text look the same).
    tail_start = max(len(text) - SIGNATURE_TAIL, 0)
    for region in (text[tail_start:], text[:SIGNATURE_HEAD]):
        for m in reversed(list(_SIGNATURE.finditer(region))):
            value = parse_date(m.group("date"))
            if value and len(value) == 10:  # a signature gives the day; a caption gives a month
                return value
    dates = [d.value for d in find_dates(text[:OPENING_CHARS])]
    precise = [d for d in dates if len(d) == 10] or dates
    return max(precise) if precise else None


_GENERIC_HEADINGS = re.compile(
    r"^(?:executive summary|summary|contents|table of contents|introduction|foreword|preface|abstract|"
    r"(?:key |main )?recommendations|background|methodology|acknowledge?ments|overview|conclusions?|glossary|"
    r"(?:list of )?(?:abbreviations|acronyms)|annex(?:es)?|appendix|endnotes|notes|"
    r"sommaire|r[ée]sum[ée]|introduction|avant-propos|table des mati[èe]res|r[ée]publique fran[çc]aise|"
    r"au nom du peuple fran[çc]ais|(?:principales )?recommandations|contexte|m[ée]thodologie|remerciements|"
    r"glossaire|sigles(?: et abr[ée]viations)?|annexes?)$",
    re.I,
)
# A publisher's notice on a report's first pages ("First published in 2008 by Amnesty International ...",
# "© Copyright ...", "AI Index: ..."): never the title, though it reads like a heading in mixed case.
_BOILERPLATE = re.compile(
    r"^(?:first published|published (?:by|in)|printed (?:on|in|by)|©|\(c\) |copyright|all rights reserved|isbn|"
    r"issn|ai index|index:|original language|www\.|https?://|tous droits r[ée]serv[ée]s|d[ée]p[ôo]t l[ée]gal|"
    r"imprim[ée] )",
    re.I,
)
_STREET = re.compile(  # an address on a report's imprint page ("1 Easton Street London", "12 rue de la Paix")
    r"^\d{1,4}(?:[a-z]|bis|ter)?,? (?:(?:rue|avenue|av\.|boulevard|bd|quai|all[ée]e|place|chemin|impasse|cours) "
    r"|[A-Za-zÀ-ÿ'-]+ (?:street|road|avenue|lane|square|place|row|way)\b)",
    re.I,
)
TITLE_WORDS = 20  # a longer line is a sentence wrapped at the page's edge, not a title


def infer_title(text: str, source: Path) -> str:
    """The first line that reads like a heading (not a generic section name nor a sentence), preferring one in
    mixed case over a shouted masthead or court name above it; else the file name."""
    candidates: list[str] = []
    for line in text.splitlines()[:40]:
        line = re.sub(r"\s+", " ", line).strip(" #*_-–—:\ufffc")
        letters = sum(c.isalpha() for c in line)
        if not (8 <= len(line) <= 160) or letters < 0.6 * len(line.replace(" ", "")):
            continue
        if _GENERIC_HEADINGS.match(line) or line[0].islower() or re.search(r"[.,;]$", line) or "|" in line:
            continue  # a section name, a sentence, or a breadcrumb ("Société | Migrants")
        if _BOILERPLATE.match(line) or _STREET.match(line) or len(line.split()) > TITLE_WORDS:
            continue
        candidates.append(line)
        if len(candidates) >= 3:
            break
    mixed = [c for c in candidates[:2] if not c.isupper()]  # the third: past a masthead of two lines
    if mixed:
        return mixed[0]
    if candidates:
        return candidates[0]
    return source.stem.replace("_", " ").replace("-", " ")


# A hearing transcript says so in its first lines: a session marker, or the court's own formulas. Its first
# line (a line number and a weekday, a tribunal's name in capitals) makes a poor title for a citation.
_HEAD_CHARS = 4000
_SESSION = re.compile(r"\[\s*(?:open|closed|private|public)\s+session\s*\]|\[\s*audience (?:publique|à huis clos)", re.I)
_HEARING_CUES = [
    re.compile(c, re.I)
    for c in (
        r"P R O C E E D I N G S|^\s*proceedings\s*$", r"\bbefore the judges\b", r"\bcourt reporters?\b",
        r"\bupon commencing at\b", r"\bcall the case\b", r"\bthe registrar\s*:", r"\bexamination[- ]in[- ]chief\b",
        r"\bcross-examin", r"\bfor the prosecution\s*:", r"\bfor the accused\b", r"\bcontinued trial\b",
    )
]
# a numbered transcript's line numbers, at a line's start or where cleaning joined its lines ("versus 8    Mitar")
_LINE_NUMBER = re.compile(r"(?:^|(?<=\s))\d{1,2}[ \t]{2,}", re.M)  # a column of numbers: two spaces or more
_CASE_NUMBER = re.compile(
    r"\bcase\s+(?:no\.?|number|n°)\s*:?\s*([A-Z]{1,6}-[0-9A-Z/-]*[0-9][0-9A-Z/-]*)"
    r"|\b((?:IT|ICTR|MICT|IRMCT|ICC|STL|SCSL|ECCC)-[0-9]{2,4}-[0-9][0-9A-Z/-]*)",
    re.I,
)
_NAME = r"((?:[A-ZÀ-Þ](?:\.|[\w'’-]*))(?:[ \t]+[A-ZÀ-Þ](?:\.|[\w'’-]*)){0,3})"  # words, or initials
_ACCUSED = [
    re.compile(r"(?i:\bprosecutor\b.{0,60}?(?:\bv\.|\bvs\.?|\bversus\b|\bcontre\b|\bc\.))[ \t]*\n?[ \t]*" + _NAME, re.S),
    re.compile(r"(?i:\bfor the (?:accused|defen[cs]e of))[ \t]+" + _NAME),
]


def hearing_title(text: str) -> tuple[str, str | None] | None:
    """For a hearing transcript, a title to cite it by and the day (or month) of the hearing:
    "Prosecutor v. <accused> (<case number>), hearing of <date>", with what the transcript gives of the three;
    None for any other text, or a transcript that names neither case nor accused."""
    opening = text[:_HEAD_CHARS]
    head = _LINE_NUMBER.sub("", opening)
    if not _SESSION.search(head) and sum(bool(c.search(head)) for c in _HEARING_CUES) < 2:
        return None
    # the case's own number is the one its pages repeat (in headers or footers); others are cited once or twice
    numbers = [(a or b).rstrip("-/.").upper() for a, b in _CASE_NUMBER.findall(text)]
    case = max(dict.fromkeys(numbers), key=numbers.count) if numbers else None
    accused = next((m.group(1).rstrip(".:,") for p in _ACCUSED if (m := p.search(head))), None)
    if accused and accused.isupper():
        accused = " ".join(w.capitalize() if w.isalpha() else w.title() for w in accused.split())
    day = next((d.value for d in find_dates(opening) if len(d.value) >= 7), None)  # the first: the hearing's
    if not case and not accused:
        return None
    name = f"Prosecutor v. {accused}" if accused else "Hearing transcript"
    parts = [f"{name} ({case})" if case and accused else name if accused else f"{name} {case}"]
    if day:
        parts.append(f"hearing of {day}")
    return ", ".join(parts), day


# A title a file carries that is only a file name: what a word processor or a PDF converter left behind
# ("10811.exe", "Microsoft Word - draft3.doc").
_FILE_NAME_TITLE = re.compile(r"(?:microsoft word - .*|[^\s/\\]{0,80}\.(?:exe|docx?|pdf|wpd|rtf|txt|tmp|indd|qxd|qxp|odt|pages|xlsx?|pptx?|html?))", re.I)


def file_title(title: str | None) -> str | None:
    """The title a file carries, unless it is only a file name, or has no letter ("2011", "-"); its case mended
    when small capitals came out as mixed letters ("THe sTATe oF THe world’s HumAN rIgHTs")."""
    title = (title or "").strip().strip("\ufffc\ufeff").strip()  # an image's placeholder, a byte-order mark
    if not title or _FILE_NAME_TITLE.fullmatch(title) or not any(c.isalpha() for c in title):
        return None
    return mended_case(title)


# A word whose case flips inside it: a small-caps font read letter by letter ("sTATe", "THe", "rIgHTs").
_BROKEN_CASE = re.compile(r"[a-zà-ÿ][A-ZÀ-Þ]|^[A-ZÀ-Þ]{2,}[a-zà-ÿ]")


def mended_case(title: str) -> str:
    """`title` with each word capitalised when more than half its words flip case inside ("THe sTATe oF THe
    world’s HumAN rIgHTs" -> "The State Of The World’s Human Rights"); else as it is: one "iPhone" or
    "GmbH" among ordinary words stays."""
    words = title.split()
    if sum(bool(_BROKEN_CASE.search(w)) for w in words) * 2 <= len(words):
        return title
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


_KIND_CUES: dict[Kind, tuple[str, ...]] = {
    Kind.RULING: (
        r"\bjudgment of the court\b",
        r"\border of the court\b",
        r"\barr[eê]t\b",
        r"\bcour de cassation\b",
        r"\bupper tribunal\b",
        r"\bukut\b",
        r"\bdecision and reasons\b",
        r"\bpourvoi\b",
        r"\bordonnance\b",
        r"\btribunal administratif\b",
        r"\bconseil d['’][ée]tat\b",
        r"\bau nom du peuple fran[cç]ais\b",
        r"\bjudgment\b",
        r"\bpar ces motifs\b",
        r"\bthe court hereby\b",
        r"\bappellant\b",
        r"\brespondent\b",
        r"\bgrand chamber\b",
        r"\bpreliminary ruling\b",
        r"\bconsid[ée]rant\b",
        r"\bd[ée]cide\b",
    ),
    Kind.TESTIMONY: (
        r"\btranscript\b",
        r"\bwitness\b",
        r"\bt[ée]moin\b",
        r"\btestimon(?:y|ies)\b",
        r"\bt[ée]moignage",
        r"\bcross-examination\b",
        r"\bexamination-in-chief\b",
        r"^\s*(?:Q|A)[.:]\s",
        r"\binterviewed\b",
    ),
    Kind.PRESS: (
        r"\bpress release\b",
        r"\bpress statement\b",
        r"\bcommuniqu[ée] de presse\b",
        r"\bpress contact\b",
        r"\bcontact presse\b",
        r"\bjoint statement\b",
        r"\bd[ée]claration commune\b",
        r"^\s*(?:Par|By) [A-ZÀ-Þ][a-zà-ÿ]+ [A-ZÀ-Þ]",
        r"\bpubli[ée] le\b",
        r"\bmis à jour le\b",
        r"\bjournaliste\b",
        r"\bcorrespondent\b",
    ),
    Kind.REPORT: (
        r"\bexecutive summary\b",
        r"\brecommendations\b",
        r"\bmethodology\b",
        r"\brapport\b",
        r"\breport\b",
        r"\bsynth[èe]se\b",
        r"\bannual report\b",
        r"\btable of contents\b",
        r"\bsommaire\b",
    ),
}
_COMPILED = {kind: [re.compile(c, re.I | re.M) for c in cues] for kind, cues in _KIND_CUES.items()}
_WEIGHT = {Kind.RULING: 1.0, Kind.TESTIMONY: 1.0, Kind.PRESS: 3.0, Kind.REPORT: 0.8}


# How a ruling opens: the court and the kind of decision stand in its first lines.
_RULING_OPENING = re.compile(
    r"^\s*(?:JUDGMENT|JUDGEMENT|ARR[ÊE]T|ORDONNANCE|ORDER OF THE COURT|DECISION AND REASONS|"
    r"COUR DE CASSATION|TRIBUNAL ADMINISTRATIF|COUR ADMINISTRATIVE D['’]APPEL|CONSEIL D['’][ÉE]TAT|"
    r"AU NOM DU PEUPLE FRAN[ÇC]AIS|IN THE UPPER TRIBUNAL|UPPER TRIBUNAL)\b"
    r"|\bJudgment of the Court\b|\bOrder of the Court\b|\bUpper Tribunal \(Immigration|\bPourvoi n°"
    r"|\bAudience publique du\b",
    re.M,
)
_REPORT_TITLE = re.compile(r"\b(?:report|rapport|study|étude|survey|briefing)\b", re.I)


def infer_kind(text: str, title: str = "", footnotes: int = 0) -> Kind:
    """The kind whose cues the opening of the text (and the title) carries most strongly; a ruling is
    recognised by how it opens, since reports and press cite rulings all the time."""
    if _RULING_OPENING.search(text[:600]) or _RULING_OPENING.search(title):
        return Kind.RULING
    head = f"{title}\n{text[:OPENING_CHARS]}"
    scores: dict[Kind, float] = {}
    for kind, patterns in _COMPILED.items():
        hits = sum(min(len(p.findall(head)), 3) for p in patterns)
        scores[kind] = hits * _WEIGHT[kind]
    scores[Kind.RULING] *= 0.3  # cues seen only past the opening: a document that discusses rulings
    if _REPORT_TITLE.search(title):
        scores[Kind.REPORT] += 3
    scores[Kind.REPORT] += min(footnotes, 20) / 5  # a footnoted document is a report more than anything
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else Kind.OTHER


# A full date in ISO order, as web addresses and the files saved from them carry their publication date:
# `/2016/02/02/`, `-2016-02-02-`, `20140822` (a time may follow: `201706271233`).
_ADDRESS_DATE = re.compile(
    r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})(?:(?P<s>[-/_.])(?P<m>[01][0-9])(?P=s)(?P<d>[0-3][0-9])|"
    r"(?P<m2>[01][0-9])(?P<d2>[0-3][0-9])(?:[0-2][0-9][0-5][0-9])?)(?![0-9])"
)


def address_date(*addresses: str | None) -> str | None:
    """The first valid full date (ISO) in a web address or a file name, as a site or an export names an
    article after the day it appeared; None where there is none (a year or a month alone is not taken)."""
    import datetime

    for address in addresses:
        for m in _ADDRESS_DATE.finditer(address or ""):
            month, day = m.group("m") or m.group("m2"), m.group("d") or m.group("d2")
            try:
                return datetime.date(int(m.group("y")), int(month), int(day)).isoformat()
            except ValueError:
                continue
    return None


def web_kind(kind: Kind, url: str | None, publisher: str | None) -> Kind:
    """A page saved from the web (it names its address, or its file name its site) whose text gives no kind
    is an article: press."""
    return Kind.PRESS if kind is Kind.OTHER and (url or publisher) else kind


_HOST_PUBLISHER = re.compile(r"_(?:www-)?([a-z0-9-]+)-(?:fr|com|org|ch|net|info|be)\b")


def infer_publisher(source: Path) -> str | None:
    """Press exports often name the site in the file name (`…_www-liberation-fr.md`)."""
    m = _HOST_PUBLISHER.search(source.name)
    return m.group(1).replace("-", " ").title() if m else None
