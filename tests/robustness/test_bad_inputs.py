"""Bad input never crashes the batch: a seeded sample of the bad files from `badfiles.py`, ingested through
worker processes after good documents, gives one plain result per file and loses nothing already indexed.
(`bench/robustness.py` runs the full set, heavy files included.)"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.search import Searcher
from index.writer import IndexWriter
from ingest.ocr import OcrOptions
from ingest.pipeline import StageClock, ingest_paths
from ingest.records import IngestSummary
from ingest.settings import Settings
from ingest.workers import WorkerPool
from tests.conftest import SHARED, needs_shared
from tests.robustness.badfiles import BadFile, make_bad_files

pytestmark = needs_shared

SAMPLE = 160  # of ~290 light bad files; the rest run in the benchmark
FILE_TIMEOUT = 120.0
GOOD = [
    SHARED / "seeds" / "calais-harassment-statement-2013.txt",
    SHARED / "cjeu_migration" / "62006CJ0072.txt",
    SHARED / "judilibre_fr" / "tcom_sample_detail_resolved.json",
]
# What the reason must say for inputs whose outcome does not depend on where the damage fell.
EXPECTED: list[tuple[str, str, str]] = [
    ("zero-bytes", "failed", "empty file"),
    ("pdf-header-only", "failed", "PDF"),
    ("pdf-encrypted", "failed", "encrypted PDF"),
    ("pdf-image-only", "failed", "OCR"),
    ("zip-named-pdf", "failed", "ZIP archive"),
    ("zip-named-txt", "failed", "ZIP archive"),
    ("png-named-txt", "failed", "PNG image"),
    ("png-named-pdf", "failed", "PNG image"),
    ("png-named-html", "failed", "PNG image"),
    ("text-named-pdf", "failed", "not a PDF"),
    ("json-nested-deep", "failed", "nested too deeply"),
    ("json-nested-dicts", "failed", "nested too deeply"),
    ("json-no-text", "failed", "no text"),
    ("text-only-whitespace", "failed", "no text"),
    ("text-utf16le-no-bom-en", "added", ""),
    ("text-utf16be-no-bom-fr", "added", ""),
    ("text-utf16-bom-fr", "added", ""),
    ("text-cp1252-fr", "added", ""),
    ("text-latin1-fr", "added", ""),
    ("html-utf16-no-bom", "added", ""),
    ("text-one-long-word", "added", ""),
]
_TRACEBACK = re.compile(r"Traceback|File \"|line \d+, in ")


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> list[BadFile]:
    folder = tmp_path_factory.mktemp("bad")
    made = make_bad_files(folder, seed=0, heavy=False)
    always = {kind for kind, _, _ in EXPECTED}
    rng = random.Random(1)
    chosen = [b for b in made if b.kind in always]
    rest = [b for b in made if b.kind not in always]
    chosen += rng.sample(rest, min(len(rest), SAMPLE - len(chosen)))
    return sorted(chosen, key=lambda b: b.path.name)


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(2, Settings().models, memory_mb=2048, extras={"ocr": OcrOptions(cache_dir=None)}) as workers:
        yield workers


def _ingest(paths: list[Path], index_dir: Path, pool: WorkerPool, clock: StageClock) -> IngestSummary:
    writer = IndexWriter(index_dir)
    try:
        return ingest_paths(paths, writer, {}, workers=pool, file_timeout=FILE_TIMEOUT, clock=clock, progress=False)
    finally:
        writer.close()


def test_bad_inputs_give_one_plain_result_each_and_lose_nothing(
    tmp_path: Path, bad_files: list[BadFile], pool: WorkerPool
) -> None:
    index_dir = tmp_path / "ix"
    good = tmp_path / "good"
    good.mkdir()
    for source in GOOD:
        shutil.copy(source, good / source.name)
    # A good file that goes bad later: its failure must not remove what the index holds for it.
    goes_bad = good / GOOD[0].name
    before = _ingest([good], index_dir, pool, StageClock())
    assert [r.status for r in before.results] == ["added"] * len(GOOD)
    kept = _documents(index_dir)
    goes_bad.write_bytes(b"%PDF-1.4\n" + goes_bad.read_bytes()[:100])  # now text that claims to be a PDF
    goes_bad_source = str(goes_bad.resolve())

    clock = StageClock()
    paths = [b.path for b in bad_files] + [goes_bad]
    summary = _ingest(paths, index_dir, pool, clock)

    # Exactly one result per input, in input order.
    assert [r.path for r in summary.results] == [str(p.resolve()) for p in paths]
    problems = []
    for result in summary.results:
        if result.status == "failed":
            reason = result.reason or ""
            if not reason.strip() or _TRACEBACK.search(reason) or "\n" in reason:
                problems.append(f"{Path(result.path).name}: unclear reason {reason!r}")
            if "crashed" in reason or "exited unexpectedly" in reason:
                problems.append(f"{Path(result.path).name}: {reason}")
        elif result.status not in ("added", "updated", "unchanged"):
            problems.append(f"{Path(result.path).name}: status {result.status}")
    assert not problems, "\n".join(problems)
    # No file ran past the time limit (a generous margin for a loaded machine; killed files say so).
    slow = {p: s for p, s in clock.file_seconds.items() if s > FILE_TIMEOUT + 30}
    assert not slow
    by_kind = {b.path.name: b.kind for b in bad_files}
    outcomes = {Path(r.path).name: r for r in summary.results}
    for kind, status, words in EXPECTED:
        for name in (n for n, k in by_kind.items() if k == kind):
            result = outcomes[name]
            assert result.status == status, (name, result)
            assert words in (result.reason or ""), (name, result.reason)
    assert outcomes[goes_bad.name].status == "failed"

    # The index is still readable, and every good document is there and searchable.
    after = _documents(index_dir)
    for doc_id, (source, passages) in kept.items():
        assert after.get(doc_id) == (source, passages), (doc_id, source)
    searcher = Searcher(index_dir)
    try:
        assert searcher.search("Calais").total > 0
        assert any(f["path"] == goes_bad_source for f in searcher.failures())
    finally:
        searcher.close()


def _documents(index_dir: Path) -> dict[str, tuple[str, int]]:
    searcher = Searcher(index_dir)
    try:
        return {
            d["id"]: (d["source"], len((searcher.document(d["id"]) or {}).get("passages", [])))
            for d in searcher.documents()
        }
    finally:
        searcher.close()
