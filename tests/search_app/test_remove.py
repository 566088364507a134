"""`temoin remove`: a document out of the index, with its passages, testimonies and vectors; the rest kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.engine import ENGINES, open_searcher
from search_app.cli import main

STATEMENT = (
    "Statement, Calais, 3 March 2021.\n\nThe water points near the canal were closed again this week. "
    "“We carry water from the station now,” said a man from Sudan.\n"
)
REPORT = (
    "Field report, Grande-Synthe, 9 April 2021.\n\nVolunteers counted eleven tents slashed in the woods "
    "after the morning operation; no shelter was offered to the families.\n"
)


def _sources(index_dir: Path) -> list[str]:
    searcher = open_searcher(index_dir)
    try:
        return sorted(Path(d["source"]).name for d in searcher.documents())
    finally:
        searcher.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_remove_takes_a_document_out_and_keeps_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    if engine == "whoosh":  # embeddings on: the vectors must go with the passages
        monkeypatch.setenv("TEMOIN_ENCODER", "use-m3")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    (folder / "report.txt").write_text(REPORT, encoding="utf-8")
    index_dir = str(tmp_path / "index")
    assert main(["ingest", str(folder), "--index", index_dir, "--engine", engine, "--workers", "0", "--json"]) == 0
    capsys.readouterr()

    # a dry run names what would go and changes nothing
    assert main(["remove", str(folder / "statement.txt"), "--index", index_dir, "--dry-run", "--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert [Path(r["source"]).name for r in planned["removed"]] == ["statement.txt"]
    assert _sources(Path(index_dir)) == ["report.txt", "statement.txt"]

    # by path; the file need not exist any more
    (folder / "statement.txt").unlink()
    assert main(["remove", str(folder / "statement.txt"), "--index", index_dir]) == 0
    assert "removed 1 documents" in capsys.readouterr().out
    assert _sources(Path(index_dir)) == ["report.txt"]
    assert main(["search", "water points", "--index", index_dir, "--mode", "keyword", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0
    assert main(["quotes", "--index", index_dir, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0  # its testimony went with it
    assert main(["search", "tents slashed", "--index", index_dir, "--mode", "keyword", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    if engine == "whoosh":  # the vectors went in step: meaning search cannot bring the passage back
        from index.vectors import open_vectors, read_manifest, vectors_dir

        manifest = read_manifest(vectors_dir(Path(index_dir)))
        assert manifest is not None and [Path(s).name for s in manifest["hashes"]] == ["report.txt"]
        store = open_vectors(Path(index_dir))
        assert store is not None and len(store.ids) > 0
        assert not [i for i in store.ids if i.startswith(planned["removed"][0]["doc_id"])]
        assert main(["search", "closed water points by the canal", "--index", index_dir, "--mode", "semantic",
                     "--json"]) == 0
        hits = json.loads(capsys.readouterr().out)["hits"]
        assert hits and all(Path(h["source"]).name == "report.txt" for h in hits)

    # by a prefix of its id; an unknown target is named with the reason, and the exit code says so
    searcher = open_searcher(Path(index_dir))
    [doc] = searcher.documents()
    searcher.close()
    assert main(["remove", doc["id"][:8], "no-such-document", "--index", index_dir, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [Path(r["source"]).name for r in data["removed"]] == ["report.txt"]
    assert data["not_found"] == [{
        "target": "no-such-document", "reason": "no document in the index was read from there or has that id",
    }]
    assert _sources(Path(index_dir)) == []


def test_remove_a_folder_and_a_failed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    (folder / "sub" / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (folder / "report.txt").write_text(REPORT, encoding="utf-8")
    index_dir = str(tmp_path / "index")
    assert main(["ingest", str(folder), "--index", index_dir, "--workers", "0", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["failed"]) == 1
    assert main(["remove", str(folder / "sub"), "--index", index_dir, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(Path(r["source"]).name for r in data["removed"]) == ["broken.pdf", "statement.txt"]
    assert _sources(Path(index_dir)) == ["report.txt"]
    assert main(["failures", "--index", index_dir, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["failures"] == []


def test_remove_on_a_missing_index_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remove", "x", "--index", str(tmp_path / "nothing")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("temoin: ") and "Traceback" not in err
