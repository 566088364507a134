"""Judgments, orders and opinions of the Court of Justice of the EU (and the General Court), as EUR-Lex gives
them: the heading, case numbers (joined cases; years the source dropped are recovered from the text or the
CELEX file name, 62010CJ0411 = C-411/10), parties, kind of decision and the operative part."""

from __future__ import annotations

import re
from pathlib import Path

from ingest import courts as C
from ingest.citation_atoms import CJEU_NUMBER, ECLI
from ingest.records import RulingInfo
from ingest.ruling_keys import normalise_dashes
from ingest.ruling_text import DATE, full_date, make_info, squash

_CELEX = re.compile(r"6(?P<y>\d{4})(?P<t>CJ|CO|CC|CA|CB|CV|TJ|TO|TC)(?P<n>\d{4})")
_CJEU_HEAD = re.compile(
    r"\A\s*(?:Avis juridique important\s*\|\s*\d{5}[A-Z])?\s*(?P<h>JUDGMENT OF THE COURT|"
    r"ORDER OF THE (?:PRESIDENT OF THE )?COURT|OPINION OF ADVOCATE GENERAL|ARRÊT DE LA COUR|"
    r"ORDONNANCE DE LA COUR|CONCLUSIONS DE L['’]AVOCAT GÉNÉRAL|Judgment of the Court|Order of the Court|"
    r"Opinion of Advocate General|"
    rf"(?:Joined\s+)?Cases?\s+[CT]\s?{C.DASH})"
)
_CJEU_DATE = re.compile(
    rf"(?:JUDGMENT|ORDER|ORDONNANCE|ARRÊT|Judgment|Order)\s+(?:OF THE COURT|DE LA COUR|of the Court)\s*"
    rf"(?:\([^)]*\))?\s*,?\s*(?:of\s+|du\s+)?(?P<d>{DATE})",
    re.I,
)
_DELIVERED = re.compile(
    rf"(?:Delivered in open court in Luxembourg on|Ainsi prononcé en audience publique à "
    rf"Luxembourg, le)\s+(?P<d>{DATE})"
)
_IN_CASE = re.compile(
    rf"\b(?:In|Dans les?)\s+(?=(?:Joined\s+)?[Cc]ases?\s|affaires?\s)(?P<n>{CJEU_NUMBER.pattern})"
)
_ONE = re.compile(rf"(?P<l>[CTF])?\s?{C.DASH}?\s?0*(?P<n>\d{{1,4}})/(?P<y>\d{{2}})?(?P<s>\s?(?:PPU|P|R))?")
_OPERATIVE = re.compile(
    r"(?:On those grounds|Par ces motifs)[^:]{0,300}?"
    r"(?:hereby(?:\s+(?:rules|orders|declares(?:\s+and\s+rules)?))?"
    r"|rules as follows"
    r"|déclare et arrête|dit pour droit|ordonne|déclare)\s*:",
    re.I,
)
_OPERATIVE_OLD = re.compile(r"Operative part\s*\n\s*The Court\s*:", re.I)
_OPERATIVE_END = re.compile(
    r"\[Signatures\]|\n\s*Signatures\s*\n|\n\s*Top\s*$|\(\s*\*\)\s*Language of the case|"
    r"\*\s*Language of the case|\*\s*Langue de procédure|\Z"
)
_CJEU_KINDS = {
    "JUDGMENT": "judgment",
    "ARRÊT": "judgment",
    "ORDER": "order",
    "ORDONNANCE": "ordonnance",
    "OPINION": "opinion",
    "CONCLUSIONS": "opinion",
}
_CELEX_KINDS = {
    "CJ": "judgment",
    "TJ": "judgment",
    "CO": "order",
    "TO": "order",
    "CC": "opinion",
    "TC": "opinion",
    "CV": "opinion",
}


def _cjeu_numbers(text: str, head: str, celex: re.Match[str] | None) -> list[str]:
    """Case numbers from the heading; years the source dropped ("C-411/") come from the same number written in
    full elsewhere, the CELEX file name, or the other joined cases when they all share one year."""
    m = _IN_CASE.search(head) or CJEU_NUMBER.search(head)
    parts = (
        [p for p in _ONE.finditer(normalise_dashes(m.group("n") if "n" in m.groupdict() else m.group(0)))]
        if m
        else []
    )
    known_years = {p.group("y") for p in parts if p.group("y")}
    if celex and not known_years and parts and int(parts[0].group("n")) == int(celex.group("n")):
        known_years = {celex.group("y")[2:]}  # joined cases all lost their year: they share the lead's
    lead_letter = "T" if celex and celex.group("t").startswith("T") else "C"
    numbers = []
    for p in parts:
        letter, num, year, suffix = (
            p.group("l") or lead_letter,
            int(p.group("n")),
            p.group("y"),
            p.group("s") or "",
        )
        if not year:
            again = re.search(rf"\b{letter}\s?{C.DASH}\s?0*{num}/(\d{{2}})(?!\d)", text)
            if again:
                year = again.group(1)
            elif celex and int(celex.group("n")) == num:
                year = celex.group("y")[2:]
            elif len(known_years) == 1:
                year = next(iter(known_years))
        numbers.append(f"{letter}-{num}/{year or ''}" + (f" {suffix.strip()}" if suffix.strip() else ""))
    if celex:
        lead = f"{lead_letter}-{int(celex.group('n'))}/{celex.group('y')[2:]}"
        if not any(n.split()[0] == lead for n in numbers):
            numbers.insert(0, lead)
    return numbers


def _cjeu_name(text: str, head: str) -> str | None:
    parties = re.search(
        r"(?:in the proceedings|dans (?:la|les) procédures?)[^\n]{0,40}\n(?P<p>.{1,600}?)\n\s*"
        r"(?:THE COURT|THE PRESIDENT|"
        r"LA COUR|LE PRÉSIDENT)",
        text[:15000],
        re.S,
    )
    if parties:
        p = re.split(
            r",?\s*\b(?:intervening part|joined part|other part|interveners?\b|parties intervenantes)",
            parties.group("p"),
        )[0]
        return squash(re.sub(rf"\(\s*[CT]{C.DASH}[^)]*\)", "", p))
    action = re.search(
        r"\n(?P<a>[^\n,]{3,120}),[^\n]*\n\s*applicants?,(?:.|\n){0,400}?\n\s*v\s*\n(?P<b>[^\n,]{3,120}),",
        text[:15000],
    )
    if action:
        return squash(f"{action.group('a')} v {action.group('b')}")
    old = re.search(r"\d{5}J[^\n]*?\.\s+-\s+(?P<p>[^\n]+?)\.\s+-\s", head)
    if old:
        return squash(old.group("p"))
    dash = re.search(r"OF THE COURT[^\n]*?[–-]\s+(?P<p>[^\n(]+? v [^\n(]+)", head, re.I)
    if dash:
        return squash(dash.group("p"))
    top = re.match(rf"\s*(?:Joined\s+)?Cases?\s+(?:{CJEU_NUMBER.pattern})\s*(?P<p>[^(]{{1,300}})\(", head)
    if top and re.search(r"\sv\.?\s", top.group("p")):
        return squash(top.group("p"))
    return None


def cjeu_ruling(text: str, title: str | None, source: str | None) -> RulingInfo | None:
    """The CJEU ruling this text is, when its heading (or its CELEX file name) says so."""
    celex = _CELEX.search(Path(source).stem) if source else None
    head_match = _CJEU_HEAD.match(text)
    if head_match is None and celex is None:
        return None
    if head_match is None and not re.search(r"\bTHE COURT\b|\bLA COUR\b|hereby rules|Operative part", text):
        return None
    head = text[:4000]
    numbers = _cjeu_numbers(text, head, celex)
    if not numbers:
        return None
    court = C.EU_GC if numbers[0].startswith("T") else C.EU_CJ
    date_match = _CJEU_DATE.search(head[:1500]) or _DELIVERED.search(text)
    ecli_match = ECLI.search(head)
    ecli = ecli_match.group(0) if ecli_match else None
    date = full_date(date_match.group("d")) if date_match else None
    heading = head_match.group("h").split()[0].upper() if head_match else ""
    decision = _CJEU_KINDS.get(heading) or (_CELEX_KINDS.get(celex.group("t")) if celex else None)
    matches = list(_OPERATIVE.finditer(text)) or list(_OPERATIVE_OLD.finditer(text))
    operative = None
    if matches:
        start = matches[-1].end()
        end = _OPERATIVE_END.search(text, start)
        operative = text[start : end.start() if end else len(text)].strip() or None
    return make_info(court, date, numbers, ecli, _cjeu_name(text, head), decision, operative)
