"""Ruling documents: court, date and case numbers of every real ruling in ../shared/corpus, checked against
facts that do not come from our parser (CJEU file names and headings, the UT export's header, Judilibre's
JSON), headings we wrote for courts the corpus lacks, and documents that are not rulings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.citations import find_citations
from ingest.readers import read
from ingest.rulings import citation_keys, ruling_info
from tests.conftest import DEMO, SHARED, needs_shared

CJ = "Court of Justice of the European Union"


def _files(folder: str, pattern: str) -> list[Any]:
    """The shared corpus files to test, or one placeholder that skips (with the reason) when it is absent."""
    paths = sorted((SHARED / folder).glob(pattern)) if SHARED.is_dir() else []
    if not paths:
        return [pytest.param(None, marks=needs_shared, id=f"{folder}-absent")]
    return [pytest.param(p, id=p.name) for p in paths]


def _text(path: Path, part: int = 0) -> tuple[str, Any]:
    raw = read(path)[part]
    return "\n".join(p.text for p in raw.pages), raw


# ---------------------------------------------------------------- CJEU: the CELEX file name is the fact

_MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}
_MONTHS |= {
    m: i
    for i, m in enumerate(
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(), 1
    )
}


def _heading_date(text: str) -> str | None:
    """The date in the heading's first lines, only when it still has its year (the source dropped most)."""
    first = " ".join([line for line in text.splitlines() if line.strip()][:4])
    m = re.search(
        r"(?i)(judgment|order|ordonnance) (of the court|de la cour)\b[^.(]*?(?:\([^)]*\))?[, ]*(?:of )?"
        r"(\d{1,2} )?([a-zéû]+)(?: (\d{4}))?",
        first,
    )
    if not m or not m.group(5) or m.group(4).lower() not in _MONTHS:
        return None
    month = f"{m.group(5)}-{_MONTHS[m.group(4).lower()]:02d}"
    return f"{month}-{int(m.group(3)):02d}" if m.group(3) else month


@pytest.mark.parametrize("path", _files("cjeu_migration", "6*.txt"))
def test_cjeu_ruling(path: Path) -> None:
    text, _ = _text(path)
    celex = re.fullmatch(r"6(\d{4})(CJ|CO)(\d{4})", path.stem)
    assert celex, path.name
    info = ruling_info(text, source=str(path))
    assert info is not None
    assert info.court == CJ
    assert info.numbers[0] == f"C-{int(celex.group(3))}/{celex.group(1)[2:]}" or info.numbers[0].startswith(
        f"C-{int(celex.group(3))}/{celex.group(1)[2:]} "
    )  # "C-601/15 PPU"
    assert all(re.fullmatch(r"C-\d+/\d\d(?: (?:P|PPU|R))?", n) for n in info.numbers), info.numbers
    assert info.date == _heading_date(text)
    french = text.lstrip().startswith("ORDONNANCE")
    assert info.decision == {"CJ": "judgment", "CO": "ordonnance" if french else "order"}[celex.group(2)]
    assert info.operative_part, "the operative part (after 'On those grounds … rules:')"
    assert info.key == f"eu-cj:{info.numbers[0].split()[0]}"


@needs_shared
def test_cjeu_joined_cases_and_operative_part() -> None:
    path = SHARED / "cjeu_migration" / "62010CJ0411.txt"
    text, _ = _text(path)
    info = ruling_info(text, source=str(path))
    assert info is not None
    assert info.numbers == ("C-411/10", "C-493/10")  # heading: "Joined Cases C-411/and C-493/N. S."
    assert info.operative_part is not None and info.operative_part.startswith("1.")
    assert "Article 3(2) of Regulation No 343/2003" in info.operative_part
    assert "[Signatures]" not in info.operative_part
    # without the file name the year of C-411 is still in the text ("N. S. (C‑411/10)")
    bare = ruling_info(text)
    assert bare is not None and bare.numbers[0] == "C-411/10"


# ---------------------------------------------------------------- Upper Tribunal: the export's header

# Reported decisions print only the hearing date; the promulgation date is not in their text.
_NO_PROMULGATION_DATE = {"2019_UKUT_197.txt", "2019_UKUT_216.txt", "2019_UKUT_217.txt"}


@pytest.mark.parametrize("path", _files("utiac", "*.txt"))
def test_upper_tribunal_ruling(path: Path) -> None:
    text, raw = _text(path)
    case_id = re.search(r"^case_id:\s*(.+)$", path.read_text(encoding="utf-8"), re.M)
    assert case_id
    info = ruling_info(text, source=str(path))
    assert info is not None
    assert info.court == "Upper Tribunal (IAC)"
    expected = case_id.group(1).split("&")[0].strip()
    if expected.startswith("["):
        assert re.sub(r" \(IAC\)$", "", info.numbers[0]) == expected
    else:
        assert info.numbers[0] == expected
    if path.name in _NO_PROMULGATION_DATE:
        assert info.date is None
    else:
        assert info.date == raw.metadata.date


@needs_shared
def test_a_ruling_dated_by_its_exports_header_is_titled_with_that_date(pipelines: dict[str, Any]) -> None:
    """A reported decision prints no promulgation date (above); its export's header gives one, which the
    document takes, and its title now says it too instead of "undated"."""
    from ingest.pipeline import StageClock, read_and_build

    path = SHARED / "utiac" / "2019_UKUT_197.txt"
    (record,) = read_and_build(path, "test", pipelines, StageClock())
    assert record.document.date == "2019-06-07"
    assert record.document.title.startswith("Upper Tribunal (IAC), 2019-06-07, [2019] UKUT 197")


# ---------------------------------------------------------------- Judilibre: the JSON fields are the fact

# Where the JSON contradicts the decision's own text, the text wins and the test says why.
_TEXT_OVER_JSON = {
    # The sample's metadata belong to another decision: its text reads "Arrêt du Mardi 15 Février 2022" and
    # "No RG 20/00024"; the JSON says 2020-11-18 (the Cour de cassation sample's date) and 20/00804.
    "ca_sample_detail_resolved.json": {"date": "2022-02-15", "number": "20/00024"},
    # "JUGEMENT du mercredi 23 novembre 2022": the export's date is a day early (a UTC conversion).
    "tcom_sample_detail_resolved.json": {"date": "2022-11-23"},
}


@pytest.mark.parametrize("path", _files("judilibre_fr", "*_detail_resolved.json"))
def test_judilibre_ruling(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    text, raw = _text(path)
    info = ruling_info(text, raw.metadata.title, str(path))
    assert info is not None
    assert info.court == (data.get("location") or data["jurisdiction"])
    expected = {"date": data["decision_date"], "number": data["number"]} | _TEXT_OVER_JSON.get(path.name, {})
    assert info.date == expected["date"]
    assert info.numbers[0] == expected["number"]


# ---------------------------------------------------------------- headings we wrote (courts the corpus lacks)

# fmt: off
_HEADINGS = [
    ("""CONSEIL D'ETAT
statuant au contentieux

N° 412125
__________

MINISTRE D'ETAT, MINISTRE DE L'INTERIEUR
COMMUNE DE CALAIS
__________

Ordonnance du 31 juillet 2017

RÉPUBLIQUE FRANÇAISE

AU NOM DU PEUPLE FRANÇAIS

Le juge des référés du Conseil d'Etat
""", ("Conseil d'État", "2017-07-31", ("412125",), "ordonnance", "fr-ce:412125")),
    ("""TRIBUNAL ADMINISTRATIF
DE CERGY-PONTOISE

N° 1902345
___________

M. A. B.
___________

Audience du 3 mars 2020
Lecture du 17 mars 2020

RÉPUBLIQUE FRANÇAISE
""", ("Tribunal administratif de Cergy-Pontoise", "2020-03-17", ("1902345",), "judgment",
      "fr-ta-cergy-pontoise:1902345")),
    ("""EUROPEAN COURT OF HUMAN RIGHTS

GRAND CHAMBER

CASE OF M.S.S. v. BELGIUM AND GREECE

(Application no. 30696/09)

JUDGMENT

STRASBOURG

21 January 2011
""", ("European Court of Human Rights", "2011-01-21", ("30696/09",), "judgment", "echr:30696/09")),
    ("""Décision du Défenseur des droits n° 2017-171

RÉSUMÉ ANONYMISÉ DE LA DÉCISION

Décision relative à des fouilles

Paris, le 27 juillet 2017
""", ("Défenseur des Droits", "2017-07-27", ("2017-171",), "decision", "fr-ddd:2017-171")),
    ("""JUDGMENT OF THE COURT (Grand Chamber)

21 December 2011 (*)

In Joined Cases C‑411/10 and C‑493/10,
REFERENCES for a preliminary ruling …, in the proceedings
N. S.
v
Secretary of State for the Home Department
THE COURT (Grand Chamber),
…
On those grounds, the Court (Grand Chamber) hereby rules:

1. The decision adopted by a Member State …

[Signatures]
""", ("Court of Justice of the European Union", "2011-12-21", ("C-411/10", "C-493/10"), "judgment",
      "eu-cj:C-411/10")),
]
# fmt: on


@pytest.mark.parametrize(("text", "expected"), _HEADINGS, ids=lambda v: v[:30] if isinstance(v, str) else "")
def test_ruling_heading(text: str, expected: tuple[str, str, tuple[str, ...], str, str]) -> None:
    info = ruling_info(text)
    assert info is not None
    assert (info.court, info.date, info.numbers, info.decision, info.key) == expected


# ---------------------------------------------------------------- demo corpus: citations find their rulings


def test_demo_rulings_and_the_citations_that_find_them() -> None:
    order, _ = _text(DEMO / "ta-lille-ordonnance-2021-0412.txt")
    judgment, raw = _text(DEMO / "judgment-r-on-the-application-of-a-2021.html")
    ta = ruling_info(order)
    ut = ruling_info(judgment, raw.metadata.title)
    assert ta is not None and ut is not None
    assert (ta.court, ta.date, ta.numbers, ta.decision) == (
        "Tribunal administratif de Lille",
        "2021-04-12",
        ("2101234",),
        "ordonnance",
    )
    assert ta.name == "ASSOCIATION LEGAL SHELTER NETWORK et ASSOCIATION COLLECTIF DUNES SOLIDAIRES"
    assert (ut.court, ut.date, ut.numbers, ut.decision) == (
        "Upper Tribunal (IAC)",
        "2021-04-29",
        ("[2021] UKUT 123 (IAC)", "JR/2731/2020"),
        "judgment",
    )
    report, _ = _text(DEMO / "border-watch-report-2021.pdf")
    statement, _ = _text(DEMO / "press-statement-2021-04.md")
    cited = {c.key for text in (report, statement, judgment) for c in find_citations(text)}
    assert (
        ta.key in cited
    )  # "Tribunal administratif de Lille, juge des référés, ordonnance du 12 avril 2021, n° 2101234"
    assert ut.key in cited  # the judgment's own neutral citation
    # "On 12 April 2021, the summary judge of the Tribunal administratif de Lille ordered": no number, but the
    # court and full date are among the keys the order can be found by.
    by_date = [c for c in find_citations(statement) if c.court == ta.court]
    assert by_date and by_date[0].key in citation_keys(ta)


def _not_rulings() -> list[Any]:
    demo = [
        pytest.param(DEMO / n, id=n)
        for n in (
            "bilingual-statement-2019.txt",
            "press-statement-2021-04.md",
            "testimonies-grande-synthe-2020.md",
            "temoignage-calais-2022.txt",
            "border-watch-report-2021.pdf",
        )
    ]
    shared = [
        p
        for folder, pattern in (
            ("seeds", "*.txt"),
            ("press_fr_akinarticle", "*.md"),
            ("tribunal_transcripts", "*.txt"),
            ("amnesty_text", "*.txt"),
        )
        for p in _files(folder, pattern)
    ]
    return demo + shared


@pytest.mark.parametrize("path", _not_rulings())
def test_not_a_ruling(path: Path) -> None:
    """Reports, press and testimony cite rulings or name courts in their first lines; they are not rulings."""
    for part in range(len(read(path))):
        text, raw = _text(path, part)
        assert ruling_info(text, raw.metadata.title, str(path)) is None


_HEADING_PARTS = st.sampled_from(
    [
        "JUDGMENT OF THE COURT (Grand Chamber)\n",
        "December (*)\n",
        "In Joined Cases C-411/and C-493/10,\n",
        "Upper Tribunal (Immigration and Asylum Chamber) ",
        "Appeal Number: PA/03532/2018",
        "On 3 June 2019",
        "COUR DE CASSATION\n",
        "Audience publique du 18 novembre 2020\n",
        "Pourvoi n° Y 19-19.463\n",
        "TRIBUNAL ADMINISTRATIF\nDE LILLE\n",
        "N° 2101234\n",
        "Ordonnance du 12 avril 2021\n",
        "Before ",
        "AU NOM DU PEUPLE FRANÇAIS\n",
        "On those grounds, the Court hereby rules:\n",
        "[Signatures]",
        "\n",
        " ",
        "CASE OF X v. Y\n(Application no. 1/10)\n",
        "Décision n° 2017-171\n",
        "Défenseur des droits",
        "[2019] UKUT 197",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(_HEADING_PARTS, max_size=20).map("".join)))
def test_ruling_info_never_raises(text: str) -> None:
    for source in (None, "62010CJ0411.txt"):
        info = ruling_info(text, source=source)
        assert info is None or (
            info.key and info.court and (info.date is None or len(info.date) in (4, 7, 10))
        )
