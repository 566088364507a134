"""References to rulings in English and French text: "Case C-411/10 N.S. and Others", "M.S.S. v. Belgium and
Greece [GC], no. 30696/09", "[2019] UKUT 00197 (IAC)", "Conseil d'État, 31 juillet 2017, n° 412125",
"Lille Administrative Tribunal, 22 March 2017", "Cass. crim., 4 mars 2020, n° 19-13.124",
"decision 2017-171 of 27 July 2017".

Like eyecite: find the pieces (court names, case numbers, ECLIs, report references, dates; see
`ingest.citation_atoms`), then join neighbours separated only by "glue" (commas, "du", "of", "n°", a case name
between commas). A citation needs a court and a date, number or ECLI: "the Conseil d'État" alone is a mention,
"Article 3 ECHR" and "Directive 2011/51/EU" are not rulings. Every citation of one ruling gets the same `key`
(`ingest.courts.ruling_key`), and `resolve` groups a document's citations by ruling.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable, Sequence

from ingest import courts as C
from ingest.citation_atoms import Atom, find_atoms
from ingest.records import Citation
from ingest.ruling_keys import normalise_dashes, number_key, ruling_key

_GLUE_WORDS = frozenset(
    """
    du de des d' le la les l' en date of on in the a by dated à au aux judgment judgement judgments arrêt
    arrêts order orders ordonnance ord décision décisions decision decisions jugement ruling rulings réf
    référé référés juge judge summary sect section ass assemblée plén plénière chambre ch chamber grand
    grande criminelle civile sociale commerciale crim civ soc com gde première deuxième troisième 1re 2e 3e
    1ère mixte gc req requête application no n° nos pourvoi case cases aff affaire affaires jointes joined
    with given delivered made rendu rendue rendus statuant full formation section contentieux
""".split()
)
_RULING_WORDS = frozenset(
    """
    judgment judgement judgments order orders ordonnance décision decision decisions jugement arrêt ruling
    ruled judge juge held jugé
""".split()
)
_SENTENCE_END = re.compile(r"^\s*[.!?](?:\s|$)|[a-zà-ÿ]{3,}[.!?]\s+[A-ZÀ-Ý]")
_PREFIX = re.compile(
    r"(?:(?:the|la|le|l['’])\s+)?(?:[Jj]udgments?|[Oo]rders?|[Dd]ecisions?|[Rr]ulings?|[Aa]rrêts?|[Oo]rdonnances?|"
    r"[Dd]écisions?|[Jj]ugements?)\s+(?:of|du|in|de)\s+$"
)
_TRAILING_NAME = re.compile(r",\s*([A-ZÀ-Ý][^,;()\n]{1,78}?)(?=\s*(?:[,;)]|\.(?:\s|$)|$))")
_FOOTNOTE_START = re.compile(r"(?:^|\n)[ \t]*\d{0,3}[ \t]*$")


def _word(w: str) -> str:
    return w.lower().strip(".:’'").replace("’", "'")


_NOT_NAMES = re.compile(
    r"(?:Articles?|Art\.|Directive|Regulation|Règlement|Décret|Decree|Loi|Law|Act|Paragraph|Point|Recital|Annex|"
    r"Section|Rule|Protocol|Convention|Report|Rapport|Ibid)\b"
)


def _name_like(piece: str) -> bool:
    """A party or case name between commas: "Commune de Calais", "Agrokonsulting-04"; not "Article 3"."""
    text = piece.strip()
    return (
        0 < len(text) <= 100
        and bool(re.match(r"[A-ZÀ-Ý]", text))
        and len(text.split()) <= 10
        and not _NOT_NAMES.match(text)
        and not re.search(r"https?:|www\.|\d{3}", text)
    )


def _glue(gap: str, title_ok: bool = False) -> tuple[bool, str | None]:
    """Whether the text between two pieces keeps them in one citation, and a case name found in it."""
    if _SENTENCE_END.search(gap) or "\n\n" in gap.replace(" ", "").replace("\t", ""):
        return False, None
    if title_ok and len(gap) <= 260 and re.fullmatch(r",[^.;:]*,\s*", gap, re.S):
        return True, None
    if len(gap) > 160:
        return False, None
    pieces = re.split(r"([,;()\[\]–—])", gap)
    name = None
    for i in range(0, len(pieces), 2):
        piece = pieces[i]
        words = [_word(w) for w in piece.split()]
        if all(w in _GLUE_WORDS or not w for w in words):
            continue
        if 0 < i < len(pieces) - 1 and _name_like(piece):
            if pieces[i - 1] != "(":  # "(France)", "(Civil Division)": a qualifier, not the parties
                name = name or " ".join(piece.split())
            continue
        lowercase = all(w.isalpha() and w == w.lower() for w in piece.split())
        if len(pieces) == 1 and lowercase and len(words) <= 7 and _RULING_WORDS & set(words):
            continue
        return False, None
    return True, name


def _slug(court: str | None) -> str | None:
    return C.court_slug(court) if court else None


def _group_court(group: list[Atom]) -> str | None:
    explicit = [a.court for a in group if a.kind == "court"]
    implied = [a.court for a in group if a.kind != "court" and a.court]
    return (explicit or implied or [None])[0]


def _joins(text: str, group: list[Atom], atom: Atom) -> tuple[bool, str | None]:
    prev = group[-1]
    gap = text[prev.end : atom.start]
    kinds = [a.kind for a in group]
    if atom.kind == "date" and ("date" in kinds):
        return False, None
    if atom.kind in ("ecli", "report", "court") and atom.kind in kinds:
        return False, None
    if atom.kind == "number" and "number" in kinds:
        joined = atom.family == "cjeu" and re.fullmatch(
            r"\s*\(?\s*(?:joined with|jointes? (?:à|avec))\s*", gap
        )
        if not joined:
            return False, None
    court = _group_court(group)
    if atom.court and court and _slug(atom.court) != _slug(court):
        return False, None
    if atom.kind == "court" and kinds == ["date"] and not _date_names_ruling(text, group[0], gap):
        return False, None
    if (
        atom.kind == "date"
        and prev.kind == "court"
        and not gap.strip(" \t)")
        and re.search(
            r"(?:[Jj]udges?|JUDGE|[Jj]uges?|Président|President|Registrar|Greffier)\s+(?:of\s+|du\s+|de\s+)?(?:the\s+|la\s+)?\(?$",
            text[max(0, prev.start - 30) : prev.start],
        )
    ):
        return False, None  # a signature, "Judge of the Upper Tribunal 29 May 2019", not a citation
    if atom.kind == "date" and re.search(r"\b(?:in|en|since|depuis|until|jusqu'en|from|between)\s*$", gap):
        return False, None  # "the Défenseur des Droits in June 2011": when something happened, not a ruling
    title_ok = (
        prev.kind == "court"
        and atom.kind == "date"
        and len(group) == 1
        and prev.court != C.DDD
        and bool(_FOOTNOTE_START.search(text, max(0, prev.start - 6), prev.start))
    )
    return _glue(gap, title_ok)


def _date_names_ruling(text: str, date: Atom, gap: str) -> bool:
    """A date before a court belongs to it only in "decision of 13 November 2012 by the …" and the like."""
    before = text[max(0, date.start - 40) : date.start]
    words = {_word(w) for w in gap.split()}
    return bool(
        _PREFIX.search(before)
        or re.search(r"\b(?:made|given|rendue?)\s+(?:on|le)\s+$", before)
        or _RULING_WORDS & words
    )


def _groups(text: str, atoms: list[Atom]) -> list[tuple[list[Atom], list[str]]]:
    groups: list[tuple[list[Atom], list[str]]] = []
    for atom in atoms:
        if groups:
            ok, name = _joins(text, groups[-1][0], atom)
            if ok:
                groups[-1][0].append(atom)
                if name:
                    groups[-1][1].append(name)
                continue
        groups.append(([atom], []))
    return groups


def _best_date(dates: Iterable[str | None]) -> str | None:
    """The most precise of the dates, when they agree (each is a prefix of it)."""
    known = sorted({d for d in dates if d}, key=len, reverse=True)
    if not known:
        return None
    best = known[0]
    return best if all(best.startswith(d) for d in known) else known[-1] if len(known) > 1 else best


def _citation(text: str, group: list[Atom], names: list[str]) -> Citation | None:
    """The citation a group of pieces makes, or None (no court, or nothing that identifies a ruling)."""
    court = _group_court(group)
    numbers = [a for a in group if a.kind == "number"]
    ecli = next((a.value for a in group if a.kind == "ecli"), None)
    date_atom = next((a for a in group if a.kind == "date"), None)
    if court is None or not all(a.alone or len(group) > 1 for a in group):
        return None
    if not numbers and not ecli and date_atom is None and not any(a.kind == "report" for a in group):
        return None
    chambers = [a.court for a in group if a.court in C.UT_CHAMBERS.values()]
    if court == C.UT and chambers and chambers[0]:
        court = chambers[0]
    number = " and ".join(a.value for a in numbers if a.value) or None
    ecli_number = next((a.name for a in group if a.kind == "ecli" and a.name), None)
    number = number or ecli_number
    date = _best_date([date_atom.value if date_atom else None, *[a.date for a in group if a.kind != "date"]])
    start, end = group[0].start, group[-1].end
    name = next((a.name for a in group if a.kind == "number" and a.name), None) or (
        names[0] if names else None
    )
    if name is None and group[-1].kind == "date" and _names_after_date(court):
        m = _TRAILING_NAME.match(text, end, min(len(text), end + 90))
        if m and _name_like(m.group(1)) and not re.match(r"(?:ECLI|EU:|n°|No\b|req)", m.group(1)):
            name, end = " ".join(m.group(1).split()), m.end(1)
    if group[0].kind in ("date", "number"):
        m = _PREFIX.search(text, max(0, start - 30), start)
        if m:
            start = m.start()
    return Citation(
        key=ruling_key(court, number, date, ecli, name),
        court=court,
        date=date,
        number=number,
        name=name,
        text=text[start:end],
        start=start,
        end=end,
        ecli=ecli,
    )


def _names_after_date(court: str) -> bool:
    """Courts cited "court, date, name" (French style): "Conseil d'État, 31 juillet 2017, Commune de …"."""
    slug = C.court_slug(court)
    return slug == "echr" or (slug.startswith("fr-") and slug != "fr-ddd")


def _page_of(pages: Sequence[tuple[int | None, int, int]], starts: list[int], offset: int) -> int | None:
    i = bisect.bisect_right(starts, offset) - 1
    if i >= 0 and pages[i][1] <= offset < pages[i][2]:
        return pages[i][0]
    return None


def find_citations(text: str, pages: Sequence[tuple[int | None, int, int]] = ()) -> list[Citation]:
    """Every ruling citation in the text, in order; `pages` ((page number, start, end) spans) fill `page`."""
    ordered = sorted(pages, key=lambda p: p[1])
    starts = [p[1] for p in ordered]
    found = []
    for group, names in _groups(text, find_atoms(text)):
        citation = _citation(text, group, names)
        if citation is not None:
            if ordered:
                citation = dataclasses.replace(citation, page=_page_of(ordered, starts, citation.start))
            found.append(citation)
    return found


# ---------------------------------------------------------------- resolution


def case_numbers(citation: Citation) -> list[str]:
    """The normalised case numbers a citation gives (several for joined cases), incomplete ones left out."""
    if not citation.number:
        return []
    parts = re.split(r"\s+(?:and|et|to|à)\s+|,\s*", normalise_dashes(citation.number))
    keys = [number_key(citation.court, p) for p in parts]
    return [f"{C.court_slug(citation.court)}:{k}" for k in keys if k]


def resolve(citations: Iterable[Citation]) -> dict[str, list[Citation]]:
    """Citations grouped by the ruling they cite, under one key each, with details shared within a group.

    Two citations cite one ruling when they share a key, a case number (joined cases included) or an ECLI;
    a citation with a date but no number joins the one ruling of that court with a number and a matching date;
    an incomplete number ("C-41/") joins the one complete number it starts. Each citation in a group gets the
    group's key and any number, date, name or ECLI it lacked.
    """
    items = list(citations)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    seen: dict[str, int] = {}
    for i, c in enumerate(items):
        for token in [c.key, *case_numbers(c), *([f"ecli:{c.ecli}"] if c.ecli else [])]:
            if token in seen:
                union(i, seen[token])
            seen.setdefault(token, i)
    numbered = [i for i, c in enumerate(items) if case_numbers(c)]
    for i, c in enumerate(items):
        if case_numbers(c):
            continue
        slug = C.court_slug(c.court)
        candidates = {
            find(j) for j in numbered if C.court_slug(items[j].court) == slug and _matches(c, items[j])
        }
        if len(candidates) == 1:
            union(i, candidates.pop())
    members: dict[int, list[int]] = {}
    for i in range(len(items)):
        members.setdefault(find(i), []).append(i)
    resolved: dict[str, list[Citation]] = {}
    for group in members.values():
        cites = [items[i] for i in group]
        key = _group_key(cites)
        filled = _shared_details(cites)
        resolved.setdefault(key, []).extend(
            dataclasses.replace(
                c,
                key=key,
                number=c.number if case_numbers(c) else filled["number"] or c.number,
                date=filled["date"] if not c.date or (filled["date"] or "").startswith(c.date) else c.date,
                name=c.name or filled["name"],
                ecli=c.ecli or filled["ecli"],
            )
            for c in cites
        )
    return resolved


def _matches(unnumbered: Citation, numbered: Citation) -> bool:
    if unnumbered.number:  # an incomplete number: "C-41/" and "C-41/90"
        bare = normalise_dashes(unnumbered.number).split(" and ")[0].rstrip("/ ")
        return any(k.split(":", 1)[1].startswith(bare + "/") for k in case_numbers(numbered))
    if not unnumbered.date or not numbered.date:
        return False
    return numbered.date.startswith(unnumbered.date) and len(unnumbered.date) >= 7


def _group_key(cites: list[Citation]) -> str:
    with_number = [c for c in cites if case_numbers(c)]
    if with_number:
        return with_number[0].key
    with_ecli = [c for c in cites if c.ecli]
    if with_ecli:
        return with_ecli[0].key
    return max(cites, key=lambda c: len(c.date or "")).key


def _shared_details(cites: list[Citation]) -> dict[str, str | None]:
    def first(values: Iterable[str | None]) -> str | None:
        return next((v for v in values if v), None)

    return {
        "number": first(c.number for c in cites if case_numbers(c)),
        "date": _best_date(c.date for c in cites),
        "name": first(c.name for c in cites),
        "ecli": first(c.ecli for c in cites),
    }
