"""A folder's catalogue (a manifest of provenance, a harvest's list) gives its files' metadata and is not
indexed as a document; a JSON of short values is refused with its reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.catalogue import catalogue_metadata, read_catalogue, shipped_catalogue
from ingest.walk import iter_files
from ingest.readers import read
from ingest.records import IngestError, Kind
from tests.conftest import SHARED, build_index, needs_shared

REPORT = """Shelters taken at dawn

The monitoring team visited the settlement near the canal on three mornings in March. Each time, officers
arrived before six, woke the families and removed the tents, blankets and phone chargers. Volunteers who
filmed the operation were asked for their identity papers and told to leave the area.
"""

ARRET = """Les associations requérantes demandent au juge des référés d'ordonner l'installation de points
d'eau et de sanitaires près du campement. Le juge relève que les personnes présentes n'ont accès à aucune
fontaine et que cette carence les expose à des traitements inhumains. Il enjoint au préfet d'agir sous huit
jours.
"""

MANIFEST = (
    "local_path\tlanguage\tkind\ttitle\tdate\tpublisher\tdescription\n"
    "reports/shelters.txt\ten\treport\tShelters taken at dawn (field report)\t3 March 2022\tBorder Watch\t"
    "A monitoring team's notes on evictions near the canal, kept by the archive\n"
    # the collection labels the French order by the collection's language, as real manifests do
    "rulings/ordonnance.txt\ten\truling\t\t2021-04-12\t\tAn urgent order on water points, in French\n"
)


def _collection(root: Path) -> Path:
    (root / "reports").mkdir(parents=True)
    (root / "rulings").mkdir()
    (root / "reports" / "shelters.txt").write_text(REPORT, encoding="utf-8")
    (root / "rulings" / "ordonnance.txt").write_text(ARRET, encoding="utf-8")
    (root / "MANIFEST.tsv").write_text(MANIFEST, encoding="utf-8")
    # a harvest's list beside the files: what it fetched, and from where
    harvest = [{"local": "shelters.txt", "path": "exports/shelters.txt", "bytes": 612, "commit": "4be1c0d"}]
    (root / "reports" / "_index.json").write_text(json.dumps(harvest), encoding="utf-8")
    return root


def test_catalogues_are_left_out_and_describe_the_files(tmp_path: Path) -> None:
    root = _collection(tmp_path / "collection")
    assert [p.relative_to(root).as_posix() for p in iter_files([root])] == [
        "reports/shelters.txt", "rulings/ordonnance.txt",
    ]
    assert read_catalogue(root / "MANIFEST.tsv") is not None
    assert read_catalogue(root / "reports" / "_index.json") is not None
    meta = catalogue_metadata(root / "reports" / "shelters.txt")
    # the harvest's list names the file but says nothing of it: the manifest above says the rest
    assert (meta.title, meta.date, meta.kind, meta.publisher, meta.language) == (
        "Shelters taken at dawn (field report)", "2022-03-03", Kind.REPORT, "Border Watch", "en",
    )
    # named on its own, a catalogue is read like any file
    assert list(iter_files([root / "MANIFEST.tsv"])) == [root / "MANIFEST.tsv"]


def test_ingested_documents_carry_the_catalogue_metadata(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    from index.search import Searcher

    root = _collection(tmp_path / "collection")
    sidecar = {"publisher": "Tribunal administratif"}
    (root / "rulings" / "ordonnance.meta.json").write_text(json.dumps(sidecar))
    summary = build_index([root], tmp_path / "index", pipelines)
    assert (summary.count("added"), summary.count("failed")) == (2, 0)
    searcher = Searcher(tmp_path / "index")
    try:
        docs = {Path(d["source"]).name: d for d in searcher.documents()}
        assert set(docs) == {"shelters.txt", "ordonnance.txt"}
        report, order = docs["shelters.txt"], docs["ordonnance.txt"]
        assert (report["title"], report["date"], report["kind"], report["publisher"]) == (
            "Shelters taken at dawn (field report)", "2022-03-03", "report", "Border Watch",
        )
        # the sidecar's publisher wins; the manifest's kind and date fill the rest; its "en" does not
        # override what the French text says
        assert (order["kind"], order["date"]) == ("ruling", "2021-04-12")
        assert order["publisher"] == "Tribunal administratif"
        assert order["language"] == "fr"
        # the manifest's own words ("archive") are in no passage
        assert searcher.search("archive").total == 0
        assert searcher.search("canal").total == 1
    finally:
        searcher.close()


def test_a_table_that_names_no_file_is_a_document(tmp_path: Path) -> None:
    table = tmp_path / "incidents.tsv"
    table.write_text(
        "date\tplace\taccount\n2022-03-03\tcanal\tOfficers removed the tents of four families before dawn.\n",
        encoding="utf-8",
    )
    names_missing = tmp_path / "manifest.csv"
    names_missing.write_text("path,kind\nelsewhere/report.pdf,report\nelsewhere/ruling.pdf,ruling\n")
    # interviews naming their recordings: the table is the text, the recordings are not documents we read
    (tmp_path / "hiwa-2020-10-14.mp3").write_bytes(b"ID3")
    (tmp_path / "samir-2020-10-15.mp3").write_bytes(b"ID3")
    interviews = tmp_path / "interviews.csv"
    interviews.write_text(
        "file,speaker,answer\n"
        "hiwa-2020-10-14.mp3,Hiwa,We had two tents. The police took one last week.\n"
        "samir-2020-10-15.mp3,Samir,They came at five in the morning and took the blankets too.\n",
        encoding="utf-8",
    )
    assert read_catalogue(table) is None and read_catalogue(names_missing) is None
    assert read_catalogue(interviews) is None
    assert [p for p in iter_files([tmp_path]) if p.suffix != ".mp3"] == [table, interviews, names_missing]


def test_a_json_of_short_values_is_refused_with_its_reason(tmp_path: Path) -> None:
    listing = tmp_path / "_index.json"
    listing.write_text(json.dumps([
        {"case_id": "[2019] UKUT 217", "promulgation_date": "2019-07-01", "path": "sample/cases.csv"},
        {"case_id": "[2019] UKUT 216", "promulgation_date": "2019-06-28", "path": "sample/cases.csv"},
    ]))
    with pytest.raises(IngestError) as raised:
        read(listing)
    assert "no text to search" in raised.value.reason
    assert "2 records of case_id, promulgation_date, path" in raised.value.reason
    prose = tmp_path / "statement.json"
    prose.write_text(json.dumps({"title": "Statement", "body": REPORT}))
    assert "officers" in read(prose)[0].pages[0].text


def test_a_cluster_worker_gets_the_row_with_the_file(tmp_path: Path) -> None:
    """A Dask worker writes the file and what travels with it into a folder of its own: the row must come
    with it (ingest/cluster_worker.py)."""
    root = _collection(tmp_path / "collection")
    source = root / "reports" / "shelters.txt"
    shipped = shipped_catalogue(source)
    elsewhere = tmp_path / "worker"
    elsewhere.mkdir()
    (elsewhere / source.name).write_bytes(source.read_bytes())
    for name, data in shipped.items():
        (elsewhere / name).write_bytes(data)
    assert catalogue_metadata(elsewhere / source.name) == catalogue_metadata(source)
    assert shipped_catalogue(root / "MANIFEST.tsv") == {}


@needs_shared
def test_the_shared_corpus_manifest_and_harvest_lists() -> None:
    """The real corpus's MANIFEST.tsv and the harvest lists beside its files are catalogues, not documents;
    the manifest's kind reaches files in sub-folders, under a list that only names them."""
    left_out: list[tuple[Path, str]] = []
    files = {p.relative_to(SHARED).as_posix() for p in iter_files([SHARED], left_out)}
    assert "MANIFEST.tsv" not in files and "cjeu_migration/_selection.json" not in files
    assert "tribunal_transcripts/_index.json" not in files
    # the corpus's README describes the collection: left out too, each with its reason
    reasons = {p.relative_to(SHARED).as_posix(): why for p, why in left_out}
    assert "README.md" not in files and "README" in reasons["README.md"]
    assert "catalogue" in reasons["MANIFEST.tsv"]
    manifest = read_catalogue(SHARED / "MANIFEST.tsv")
    assert manifest is not None and len(manifest.rows) >= 200
    cjeu = sorted((SHARED / "cjeu_migration").glob("*.txt"))[0]
    assert catalogue_metadata(cjeu).kind is Kind.RULING
