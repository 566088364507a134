"""Acceptance on the real corpus beside the project (skipped when ../shared/corpus is absent)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from index.search import Filters, Searcher
from tests.conftest import SHARED, build_index, needs_shared

pytestmark = needs_shared

REPORT = "amnesty-2019-targeting-solidarity.txt"
STATEMENT = "calais-harassment-statement-2013.txt"


def _phrases(text: str, count: int) -> list[str]:
    """Eight-word runs of plain words from across a passage text, as a person would copy them."""
    words = re.findall(r"[A-Za-z]+", text)
    step = max(len(words) // (count + 1), 1)
    return [" ".join(words[i : i + 8]) for i in range(step, len(words) - 8, step)][:count]


def test_seed_phrases_find_their_passage(seeds_index: Path) -> None:
    s = Searcher(seeds_index)
    report = next(d for d in s.documents() if d["source"].endswith(REPORT))
    record = s.document(report["id"])
    body = [p for p in record["passages"] if p["section"] == "body" and len(p["text"].split()) > 60]
    found = total = 0
    for passage in body[::6]:
        for phrase in _phrases(passage["text"], 1):
            total += 1
            hits = s.search(f'"{phrase}"', limit=3).hits
            found += any(h.passage_id == passage["id"] for h in hits)
    assert total >= 10
    assert found / total >= 0.9, f"{found}/{total} phrases found their passage in the top three"


def test_dates_separate_statement_and_report(seeds_index: Path) -> None:
    s = Searcher(seeds_index)
    old = {Path(h.source).name for h in s.search("Calais", Filters(until="2015"), limit=50).hits}
    new = {Path(h.source).name for h in s.search("Calais", Filters(since="2019"), limit=50).hits}
    assert old == {STATEMENT}
    assert new == {REPORT}


def test_org_facet_lists_the_report_organisations(seeds_index: Path) -> None:
    s = Searcher(seeds_index)
    orgs = [f.value for f in s.search("", Filters(), limit=1).facets["org"]]
    for name in ("Secours Catholique", "Utopia 56", "Cabane Juridique", "Human Rights Watch", "Amnesty International"):
        assert name in orgs, f"{name} missing from {orgs}"
    persons = {e["name"] for e in s.entities("PERSON", limit=500)}
    assert "Calais" not in persons


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> tuple[Path, Any]:
    """A slice of every folder, the damaged and the small real PDFs included."""
    files: list[Path] = []
    for folder in sorted(p for p in SHARED.iterdir() if p.is_dir()):
        if folder.name == "pdf":
            files += [f for f in sorted(folder.rglob("*.pdf")) if f.stat().st_size < 2_000_000]
        elif folder.name != "amnesty_text":
            files += sorted(f for f in folder.iterdir() if f.is_file() and f.stat().st_size < 300_000)[:3]
    index_dir = tmp_path_factory.mktemp("sample") / "index"
    return index_dir, build_index(files, index_dir, pipelines)


def test_sample_ingest_every_file_has_a_result(sample_index: tuple[Path, Any]) -> None:
    index_dir, summary = sample_index
    by_name = {Path(r.path).name: r for r in summary.results}
    for name in ("2007-campaiging.pdf", "2007-countries.pdf"):
        assert by_name[name].status == "failed" and "damaged PDF" in (by_name[name].reason or "")
    failed = [r for r in summary.results if r.status == "failed"]
    # a harvest's list of what it fetched (press_fr_akinarticle/_index.json), named on its own, is read like
    # any file named, and refused: it holds nothing to search (in a folder it is a catalogue, left out)
    listings = [r for r in failed if "JSON holds no text to search, only short values" in (r.reason or "")]
    assert {Path(r.path).name for r in listings} <= {"_index.json", "_selection.json"}
    assert any(Path(r.path).parent.name == "press_fr_akinarticle" for r in listings), failed
    assert len(failed) == 2 + len(listings), failed
    assert all(r.status == "added" for r in summary.results if r not in failed)


def test_pdf_hits_carry_the_page_they_stand_on(sample_index: tuple[Path, Any]) -> None:
    from pdfminer.high_level import extract_text

    index_dir, _ = sample_index
    pdf = SHARED / "pdf" / "amnesty" / "2006-intro.pdf"
    s = Searcher(index_dir)
    checked = 0
    for page in (2, 5, 9):
        words = re.findall(r"\w+", extract_text(str(pdf), page_numbers=[page - 1]))
        phrase = " ".join(words[40:46])
        hits = s.search(f'"{phrase}"', limit=3).hits
        assert hits, phrase
        assert hits[0].source.endswith("2006-intro.pdf") and hits[0].page == page
        checked += 1
    assert checked == 3


def test_french_press_and_transcripts_are_searchable(sample_index: tuple[Path, Any]) -> None:
    index_dir, _ = sample_index
    s = Searcher(index_dir)
    langs = {f.value for f in s.search("").facets["lang"]}
    assert {"en", "fr"} <= langs
    assert s.search("migrants", Filters(langs=("fr",))).total > 0


def test_defender_of_rights_finds_the_2013_statement(seeds_index: Path) -> None:
    s = Searcher(seeds_index)
    names = {Path(h.source).name for h in s.search("", Filters(orgs=("Défenseur des Droits",)), limit=50).hits}
    assert STATEMENT in names and REPORT in names
