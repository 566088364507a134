"""The `temoin` CLI contract: JSON shapes, exit codes, one clear line for user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search_app.cli import main
from tests.conftest import DEMO


@pytest.fixture(scope="module")
def demo_cli_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    assert main(["ingest", str(DEMO), "--index", str(index_dir), "--json"]) == 0
    return index_dir


def test_ingest_summary_contract(demo_cli_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["ingest", str(DEMO), "--index", str(demo_cli_index), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"added", "updated", "unchanged", "failed"}
    assert data["added"] == 0 and data["updated"] == 0 and data["unchanged"] >= 7 and data["failed"] == []


def test_search_json_contract(demo_cli_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["search", "eviction", "--index", str(demo_cli_index), "--json", "--limit", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"query", "total", "took_ms", "hits", "facets"}
    assert 0 < len(data["hits"]) <= 3
    hit = data["hits"][0]
    assert set(hit) >= {"doc_id", "title", "source", "kind", "lang", "date", "page", "passage_id", "score", "text",
                        "snippet", "orgs", "places", "persons", "dates"}
    assert set(data["facets"]) == {"org", "place", "person", "kind", "lang", "year", "mentioned_year"}
    assert all(set(v) == {"value", "count"} for v in data["facets"]["place"])


def test_search_pdf_hit_has_page(demo_cli_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    main(["search", "*", "--kind", "report", "--index", str(demo_cli_index), "--json", "--limit", "50"])
    hits = json.loads(capsys.readouterr().out)["hits"]
    pdf_hits = [h for h in hits if h["source"].endswith(".pdf")]
    assert pdf_hits and all(isinstance(h["page"], int) and h["page"] >= 1 for h in pdf_hits)


def test_filters_and_dates(demo_cli_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    main(["search", "Calais", "--lang", "fr", "--index", str(demo_cli_index), "--json", "--limit", "50"])
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and all(h["lang"] == "fr" for h in hits)
    main(["search", "Calais", "--since", "2022", "--index", str(demo_cli_index), "--json", "--limit", "50"])
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits and all(h["date"] >= "2022" for h in hits)


def test_entities_and_doc(demo_cli_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["entities", "--label", "PLACE", "--index", str(demo_cli_index), "--json"]) == 0
    entities = json.loads(capsys.readouterr().out)["entities"]
    assert entities and all(e["label"] == "PLACE" for e in entities)
    assert "Calais" in [e["name"] for e in entities[:3]]
    assert set(entities[0]) == {"label", "name", "aliases", "count", "documents"}
    main(["search", "ordonnance", "--index", str(demo_cli_index), "--json", "--limit", "1"])
    doc_id = json.loads(capsys.readouterr().out)["hits"][0]["doc_id"]
    assert main(["doc", doc_id, "--index", str(demo_cli_index), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["document"]["id"] == doc_id and doc["pages"] and "entities" in doc


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "x", "--index", "/nonexistent/index"], "no index at"),
        (["ingest", "/nonexistent/file.pdf", "--index", "/tmp/x"], "no such file"),
        (["doc", "0000", "--index", "{index}"], "no document"),
        (["search", "x", "--since", "yesterday", "--index", "{index}"], "--since takes"),
    ],
)
def test_user_mistakes_give_one_line(
    argv: list[str], message: str, demo_cli_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    argv = [a.replace("{index}", str(demo_cli_index)) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_quotes_contract_and_speaker_filter(demo_cli_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["quotes", "--index", str(demo_cli_index), "--json", "--limit", "100"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] >= 10
    hit = data["hits"][0]
    assert set(hit) >= {"quote", "speaker", "speaker_description", "place", "date", "date_source", "doc_id", "title",
                        "page", "passage_id", "footnote"}
    speakers = {h["speaker"] for h in data["hits"] if h["speaker"]}
    assert speakers and not any(s[0] in "“\"«" for s in speakers)
    name = sorted(speakers)[0]
    folded = name.upper()
    assert main(["quotes", "--speaker", folded, "--index", str(demo_cli_index), "--json"]) == 0
    only = json.loads(capsys.readouterr().out)["hits"]
    assert only and all(h["speaker"] == name for h in only)


def test_rulings_contract_and_cited_by(demo_cli_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["rulings", "--index", str(demo_cli_index), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] >= 3
    hit = data["hits"][0]
    assert set(hit) >= {"ruling_id", "court", "date", "number", "name", "in_index", "doc_id", "cited_by"}
    assert hit["cited_by"] and set(hit["cited_by"][0]) == {"doc_id", "title", "page"}
    assert any(h["in_index"] for h in data["hits"])
    assert main(["rulings", "--court", "conseil d'etat", "--index", str(demo_cli_index), "--json"]) == 0
    courts = {h["court"] for h in json.loads(capsys.readouterr().out)["hits"]}
    assert courts == {"Conseil d'État"}


def test_failures_listed_and_retried(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    broken = folder / "statement.pdf"
    broken.write_bytes(b"%PDF-1.4\n%truncated")
    index_dir = str(tmp_path / "ix")
    assert main(["ingest", str(folder), "--index", index_dir]) == 0
    capsys.readouterr()
    assert main(["failures", "--index", index_dir, "--json"]) == 0
    failures = json.loads(capsys.readouterr().out)["failures"]
    assert [Path(f["path"]).name for f in failures] == ["statement.pdf"]
    assert "damaged PDF" in failures[0]["reason"] and failures[0]["date"]
    assert main(["ingest", "--retry-failed", "--index", index_dir, "--json"]) == 0
    retried = json.loads(capsys.readouterr().out)
    assert retried["unchanged"] == 0 and len(retried["failed"]) == 1  # read again, still broken
    broken.write_text("Now a plain statement about the eviction of the camp in Calais.\n")
    broken.rename(folder / "statement.txt")
    assert main(["ingest", str(folder), "--index", index_dir, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 1


def test_a_folders_temoinignore_leaves_its_files_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A README beside the documents, drafts in a sub-folder: named in `.temoinignore`, they are not ingested,
    unless named on the command line. The demo corpus leaves its own README out so."""
    folder = tmp_path / "docs"
    (folder / "drafts").mkdir(parents=True)
    (folder / "README.md").write_text("# What this folder holds\n\nNotes on the files, not a document.\n")
    (folder / "statement.txt").write_text("Statement, Calais, 3 March 2021.\n\nThe water points were closed.\n")
    (folder / "drafts" / "draft-1.txt").write_text("Draft, not for citation.\n\nThe tents were taken.\n")
    (folder / "drafts" / "final.txt").write_text("Final text, 5 March 2021.\n\nThe tents were taken at dawn.\n")
    (folder / ".temoinignore").write_text("# not documents\nREADME.md\n\ndrafts/draft-*\n")
    index_dir = tmp_path / "index"

    def sources() -> list[str]:
        from index.engine import open_searcher

        searcher = open_searcher(index_dir)
        try:
            return sorted(Path(d["source"]).name for d in searcher.documents())
        finally:
            searcher.close()

    assert main(["ingest", str(folder), "--index", str(index_dir), "--json"]) == 0
    assert sources() == ["final.txt", "statement.txt"]
    assert main(["ingest", str(folder / "README.md"), "--index", str(index_dir), "--json"]) == 0
    assert sources() == ["README.md", "final.txt", "statement.txt"]

    from ingest.walk import iter_files

    assert "README.md" not in [p.name for p in iter_files([DEMO])]


def test_a_folders_readme_and_catalogue_are_left_out_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A collection's README (or LISEZMOI) describes the collection: a folder walk leaves it out, as it leaves
    out the catalogue, and the summary names both with their reason; named on the command line, it is read."""
    folder = tmp_path / "archive"
    (folder / "temoignages").mkdir(parents=True)
    (folder / "README.md").write_text(
        "# Archive of the monitoring team\n\nReports and testimonies gathered in Calais, 2020-2022. "
        "MANIFEST.tsv lists where each file came from.\n", encoding="utf-8",
    )
    (folder / "temoignages" / "LISEZMOI.txt").write_text(
        "Témoignages recueillis par l'association, anonymisés.\n", encoding="utf-8"
    )
    (folder / "report.txt").write_text(
        "Field report, 3 March 2021.\n\nThe water points near the canal were closed by the police.\n"
    )
    (folder / "readme-first-witness.txt").write_text(  # a document whose name only begins so
        "Witness statement, 4 March 2021.\n\nThey took our blankets and the phone chargers.\n"
    )
    (folder / "MANIFEST.tsv").write_text(
        "local_path\tkind\ttitle\nreport.txt\treport\tField report\n"
        "readme-first-witness.txt\ttestimony\tWitness statement\n"
    )
    index_dir = str(tmp_path / "index")

    assert main(["ingest", str(folder), "--index", index_dir, "--workers", "0"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "added 2, updated 0, unchanged 0, failed 0"
    assert "left out of the folders: 3 (name a file to read it)" in out
    assert f"left out: {folder / 'README.md'}: the folder's own description (README)" in out
    lisezmoi = folder / "temoignages" / "LISEZMOI.txt"
    assert f"left out: {lisezmoi}: the folder's own description (README)" in out
    assert f"left out: {folder / 'MANIFEST.tsv'}: the collection's catalogue" in out

    assert main(["ingest", str(folder / "README.md"), "--index", index_dir, "--json", "--workers", "0"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["added"], summary["left_out"]) == (1, [])
