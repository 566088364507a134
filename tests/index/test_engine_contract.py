"""One contract for both engines: the same assertions run on a Whoosh and a Tantivy index of the same files.

Each query is asked of both engines: Whoosh, the default, is the reference; Tantivy must return the same
passages (ranking may differ: the engines weigh BM25 differently), the same totals and the same facet
counts. Then the writer's promises: replace, delete, skip unchanged files by content hash, one ingest at a
time, nothing committed lost when an ingest is killed.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.query import Phrase

from bench.kill_harness import KillPoint, ingest_env, partial_ok, run_and_kill, snapshot
from index.engine import ENGINES, engine_of, open_searcher, open_writer
from index.evidence import list_rulings, search_quotes
from index.schema import FACET_FIELDS, IndexError_
from index.search import Filters
from index.writer import IndexBusy
from ingest.pipeline import ingest_paths
from tests.conftest import DEMO, SHARED, needs_shared

QUERIES = [  # (query, filters, at least this many passages on the demo corpus: a query that finds nothing proves nothing)
    ("police", Filters(), 10),
    ("expulsion", Filters(), 3),  # stemmed: expulsion(s), French and English
    ("évacuation", Filters(), 1),
    ("evacuation", Filters(), 1),  # accents folded
    ("œuvre", Filters(), 1),  # a ligature: Tantivy indexes "oeuvre"
    ('"Grande-Synthe"', Filters(), 20),  # a phrase
    ("police AND (tents OR camp)", Filters(), 5),
    ("police OR tents", Filters(), 20),
    ("droits NOT homme", Filters(), 5),
    ("Calais ANDNOT police", Filters(), 20),
    ("title:calais", Filters(), 20),
    ("kind:ruling", Filters(), 10),
    ("lang:en police", Filters(), 5),
    ("migr*", Filters(), 2),  # wildcards
    ("m?grants", Filters(), 1),
    ("enfants~", Filters(), 1),  # fuzzy
    ("year:[2018 TO 2020]", Filters(), 10),  # a range over words
    ("page:1", Filters(), 2),
    ("", Filters(orgs=("border watch",)), 10),  # a filter value without regard to case
    ("", Filters(orgs=("Cabane Juridique",), exclude_kinds=("ruling",)), 1),
    ("", Filters(places=("calais",), langs=("fr",)), 5),
    ("", Filters(exclude_places=("Calais", "Grande-Synthe")), 10),
    ("Calais", Filters(kinds=("report", "press")), 10),
    ("Calais", Filters(since="2021"), 10),  # document date
    ("Calais", Filters(until="2020-06"), 5),
    ("", Filters(mentioned_since="2017", mentioned_until="2017-12"), 5),  # a date the passage names
    ("", Filters(mentioned_since="2020-01"), 5),
    ('"Calais AND (( title:', Filters(), 10),  # unreadable: falls back to its words
]


def build(paths: list[Path], index_dir: Path, pipelines: dict[str, Any], engine: str) -> Any:
    writer = open_writer(index_dir, engine=engine)
    try:
        return ingest_paths(paths, writer, pipelines, progress=False)
    finally:
        writer.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> dict[str, Any]:
    """Both engines' searchers on indexes of the demo corpus."""
    searchers = {}
    for engine in ENGINES:
        index_dir = tmp_path_factory.mktemp(engine) / "index"
        build([DEMO], index_dir, pipelines, engine)
        searchers[engine] = open_searcher(index_dir)
    return searchers


def passages(result: Any) -> list[str]:
    return sorted(h.passage_id for h in result.hits)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("query", "filters", "at_least"), QUERIES, ids=[f"{q}|{f}" for q, f, _ in QUERIES])
def test_same_passages_totals_and_facets(demo: dict[str, Any], engine: str, query: str, filters: Filters, at_least: int) -> None:
    result = demo[engine].search(query, filters, limit=500)
    reference = demo["whoosh"].search(query, filters, limit=500)
    assert result.total >= at_least
    assert result.total == len(result.hits)
    assert passages(result) == passages(reference)
    assert result.facets == reference.facets
    assert result.fallback == reference.fallback


def test_facets_counted_beside_the_search_are_the_same(demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """On a big index the facets are counted on pool threads while the search runs (index/tantivy_facets.py):
    in two groups of fields, or one for a phrase. With the threshold at one record, every contract query takes
    that path and must count as Whoosh does."""
    from concurrent.futures import ThreadPoolExecutor

    from index import tantivy_facets, tantivy_search

    handed: list[tuple[str, ...]] = []

    class Pool(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            handed.append(tuple(args[1]))  # the fields of the group handed over
            return super().submit(fn, *args, **kwargs)

    pool = Pool(max_workers=2)
    monkeypatch.setattr(tantivy_facets, "PARALLEL_RECORDS", 1)
    monkeypatch.setattr(tantivy_facets, "facet_pool", lambda: pool)  # whatever this machine's cores
    searcher = tantivy_search.TantivySearcher(demo["tantivy"].path, cache_size=0)  # nothing counted before
    phrases = 0
    try:
        for query, filters, _at_least in QUERIES:
            before = len(handed)
            result = searcher.search(query, filters, limit=500)
            assert result.facets == demo["whoosh"].search(query, filters, limit=500).facets, query
            groups = handed[before:]
            if any(isinstance(leaf, Phrase) for leaf in searcher.parse(query)[0].leaves()):
                phrases += 1  # its facets in one group, so that its positions are checked once more only
                assert [set(g) for g in groups] == [set(FACET_FIELDS)], query
            else:  # two groups that share no field
                assert len(groups) == 2 and not set(groups[0]) & set(groups[1]), query
                assert set(groups[0]) | set(groups[1]) == set(FACET_FIELDS), query
        before = len(handed)
        assert searcher.search("testimony", with_facets=False).facets == {}
        assert len(handed) == before  # nothing counted without facets
    finally:
        pool.shutdown()
    assert phrases >= 1


@pytest.mark.parametrize("engine", ENGINES)
def test_facets_count_the_matches(demo: dict[str, Any], engine: str) -> None:
    result = demo[engine].search("Calais", limit=500)
    for fieldname in ("kind", "lang"):
        counted: dict[str, int] = {}
        for hit in result.hits:
            value = getattr(hit, fieldname)
            counted[value] = counted.get(value, 0) + 1
        assert {f.value: f.count for f in result.facets[fieldname]} == counted
    years = [f.value for f in result.facets["year"]]
    assert years == sorted(years)


@pytest.mark.parametrize("engine", ENGINES)
def test_snippets_mark_the_query_words_and_escape_the_text(demo: dict[str, Any], engine: str) -> None:
    result = demo[engine].search("expulsions", limit=20)
    marked = [re.findall(r"<mark>(.*?)</mark>", h.snippet) for h in result.hits]
    assert sum(1 for m in marked if m) >= 3
    for words in marked:
        assert all(w.lower().startswith("expuls") for w in words)  # stemmed: expulsion, expulsions
    for hit in result.hits:
        plain = html.unescape(re.sub(r"</?mark>", "", hit.snippet)).replace(" … ", " ")
        assert all(part.strip(" …") in hit.text for part in plain.split(" … "))


@pytest.mark.parametrize("engine", ENGINES)
def test_pages_follow_each_other(demo: dict[str, Any], engine: str) -> None:
    everything = demo[engine].search("Calais", limit=60)
    pages = [demo[engine].search("Calais", limit=20, offset=n).hits for n in (0, 20, 40)]
    assert [h.passage_id for page in pages for h in page] == [h.passage_id for h in everything.hits]
    assert all(p.total == everything.total for p in [demo[engine].search("Calais", limit=20, offset=20)])


@pytest.mark.parametrize("engine", ENGINES)
def test_sort_by_date_newest_first(demo: dict[str, Any], engine: str) -> None:
    result = demo[engine].search("Calais", limit=500, sort="date")
    dates = [h.date or "" for h in result.hits]
    assert dates == sorted(dates, reverse=True)
    assert passages(result) == passages(demo["whoosh"].search("Calais", limit=500))


@pytest.mark.parametrize("engine", ENGINES)
def test_relevance_ranks_alike(demo: dict[str, Any], engine: str) -> None:
    """Scores differ (BM25 over different field statistics) but the best passages are mostly the same."""
    ours = [h.passage_id for h in demo[engine].search("expulsions Calais", limit=5).hits]
    reference = [h.passage_id for h in demo["whoosh"].search("expulsions Calais", limit=5).hits]
    assert len(set(ours) & set(reference)) >= 3


@pytest.mark.parametrize("engine", ENGINES)
def test_records_documents_entities_quotes_and_rulings(demo: dict[str, Any], engine: str) -> None:
    ours, reference = demo[engine], demo["whoosh"]
    assert ours.stats() == reference.stats() and ours.stats()["documents"] >= 7
    assert sorted(d["id"] for d in ours.documents()) == sorted(d["id"] for d in reference.documents())
    some = ours.documents()[0]["id"]
    assert ours.document(some) == reference.document(some)
    assert ours.document(some[:10]) == reference.document(some[:10])  # a unique prefix
    assert [e for e in ours.entities(limit=1000) if e["count"]] == [
        e for e in reference.entities(limit=1000) if e["count"]
    ]
    for kwargs in ({}, {"text": "Calais"}, {"places": ("Grande-Synthe",)}, {"since": "2020"}):
        total, hits = search_quotes(ours, limit=1000, **kwargs)  # type: ignore[arg-type]
        ref_total, ref_hits = search_quotes(reference, limit=1000, **kwargs)  # type: ignore[arg-type]
        assert total == ref_total and {h.quote for h in hits} == {h.quote for h in ref_hits}
    assert search_quotes(ours)[0] >= 5
    # the same rulings, each cited by the same documents; records stored alike list in index order, which
    # is each engine's own (Tantivy indexes on several threads)
    assert _rulings(ours) == _rulings(reference) and list_rulings(ours)[0] >= 3


def _rulings(searcher: Any) -> list[Any]:
    total, hits = list_rulings(searcher)
    return [total] + sorted((repr(dc_replace(h, cited_by=())), sorted(map(repr, h.cited_by))) for h in hits)


def test_engine_is_read_from_the_index_and_a_mismatch_is_refused(demo: dict[str, Any], tmp_path: Path) -> None:
    for engine, searcher in demo.items():
        assert engine_of(searcher.path) == engine
        other = next(e for e in ENGINES if e != engine)
        with pytest.raises(IndexError_, match=f"is a {engine} index, not {other}"):
            open_searcher(searcher.path, other)
    assert engine_of(tmp_path) is None
    with pytest.raises(IndexError_, match="no index at"):
        open_searcher(tmp_path / "none", "tantivy")


def test_cli_builds_and_searches_with_the_engine_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from search_app.cli import main

    index_dir = tmp_path / "ix"
    note = tmp_path / "note.txt"
    note.write_text("Volunteers saw the police seize tents near the canal in Calais.\n", encoding="utf-8")
    assert main(["ingest", "--index", str(index_dir), "--engine", "tantivy", "--workers", "0", str(note)]) == 0
    assert engine_of(index_dir) == "tantivy"
    capsys.readouterr()
    assert main(["search", "--index", str(index_dir), "tents", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    assert main(["search", "--index", str(index_dir), "--engine", "whoosh", "tents"]) != 0
    assert "is a tantivy index, not whoosh" in capsys.readouterr().err


def test_the_ui_searches_a_tantivy_index(demo: dict[str, Any], start_app: Any) -> None:
    at = start_app(demo["tantivy"].path)
    at.text_input[0].input("expulsions").run()
    assert not at.exception
    hits = [m.value for m in at.markdown if 'class="tm-hit"' in m.value]
    assert len(hits) >= 3 and any("<mark>" in h for h in hits)


# ---------------------------------------------------------------- the writer side, for Tantivy (Whoosh's in test_search.py)


def test_reingest_unchanged_changed_deleted_and_failed(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    doc = folder / "note.txt"
    doc.write_text("The first version speaks of tents seized in Calais by the police.\n", encoding="utf-8")
    (folder / "bad.pdf").write_bytes(b"%PDF-1.7 truncated")
    index_dir = tmp_path / "ix"
    first = build([folder], index_dir, pipelines, "tantivy")
    assert (first.count("added"), first.count("failed")) == (1, 1)
    again = build([folder], index_dir, pipelines, "tantivy")
    assert again.count("unchanged") == 2  # by content hash, the failed file too
    doc.write_text("The second version speaks of blankets seized in Grande-Synthe.\n", encoding="utf-8")
    assert build([folder], index_dir, pipelines, "tantivy").count("updated") == 1
    s = open_searcher(index_dir)
    assert s.search("tents").total == 0 and s.search("blankets").total == 1
    assert s.stats()["documents"] == 1
    assert [Path(f["path"]).name for f in s.failures()] == ["bad.pdf"]
    writer = open_writer(index_dir)
    writer.delete(s.documents()[0]["source"])
    writer.close()
    s.refresh()
    assert s.stats()["documents"] == 0 and s.search("blankets").total == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_an_edited_sidecar_or_catalogue_row_builds_the_file_again(
    tmp_path: Path, pipelines: dict[str, Any], engine: str
) -> None:
    """Metadata is what researchers filter by: correcting a date or a kind in a sidecar or in the collection's
    catalogue must reach the index at the next ingest, although the file's bytes are unchanged."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "statement.txt").write_text(
        "Volunteers said the police took the blankets from the camp near the canal.\n", encoding="utf-8")
    (folder / "hearing.txt").write_text(
        "The witness said the guards beat the detainees in the yard at night.\n", encoding="utf-8")
    (folder / "plain.txt").write_text("A note on the weather at the border crossing.\n", encoding="utf-8")
    sidecar = folder / "statement.meta.json"
    sidecar.write_text(json.dumps({"date": "2019-03-01", "kind": "press"}), encoding="utf-8")
    catalogue = folder / "MANIFEST.tsv"
    catalogue.write_text("path\tkind\tdate\nhearing.txt\treport\t2015\n", encoding="utf-8")
    index_dir = tmp_path / "ix"

    def by_name() -> dict[str, dict[str, Any]]:
        return {Path(d["source"]).name: d for d in open_searcher(index_dir).documents()}

    assert build([folder], index_dir, pipelines, engine).count("added") == 3
    first = by_name()
    assert (first["statement.txt"]["date"], first["statement.txt"]["kind"]) == ("2019-03-01", "press")
    assert (first["hearing.txt"]["date"], first["hearing.txt"]["kind"]) == ("2015", "report")
    assert build([folder], index_dir, pipelines, engine).count("unchanged") == 3

    sidecar.write_text(json.dumps({"date": "12 March 2019", "kind": "testimony"}), encoding="utf-8")
    results = build([folder], index_dir, pipelines, engine)
    assert (results.count("updated"), results.count("unchanged")) == (1, 2)
    assert (by_name()["statement.txt"]["date"], by_name()["statement.txt"]["kind"]) == ("2019-03-12", "testimony")

    catalogue.write_text("path\tkind\tdate\tnotes\nhearing.txt\ttestimony\t2015-06-02\tchecked\n",
                         encoding="utf-8")
    results = build([folder], index_dir, pipelines, engine)
    assert (results.count("updated"), results.count("unchanged")) == (1, 2)
    assert (by_name()["hearing.txt"]["date"], by_name()["hearing.txt"]["kind"]) == ("2015-06-02", "testimony")
    # a column that is not metadata (notes) changes nothing: unchanged, not built again
    catalogue.write_text("path\tkind\tdate\tnotes\nhearing.txt\ttestimony\t2015-06-02\tchecked twice\n",
                         encoding="utf-8")
    assert build([folder], index_dir, pipelines, engine).count("unchanged") == 3

    # a sidecar broken while editing: said, with its name; the document indexed stays, no failure is kept
    sidecar.write_text('{"date": "12 March 2019", "kind": ', encoding="utf-8")
    writer = open_writer(index_dir, engine=engine)
    try:
        broken = ingest_paths([folder], writer, pipelines, progress=False)
    finally:
        writer.close()
    assert [(Path(r.path).name, r.status) for r in broken.results if r.status != "unchanged"] == [
        ("statement.txt", "failed")]
    assert "statement.meta.json" in next(r.reason for r in broken.results if r.status == "failed")
    assert by_name()["statement.txt"]["kind"] == "testimony" and open_searcher(index_dir).failures() == []
    sidecar.write_text(json.dumps({"date": "12 March 2019", "kind": "testimony"}), encoding="utf-8")
    assert build([folder], index_dir, pipelines, engine).count("unchanged") == 3  # mended as it was

    sidecar.unlink()  # its metadata gone: the file's own (a text file has none) and what is inferred
    results = build([folder], index_dir, pipelines, engine)
    assert (results.count("updated"), results.count("unchanged")) == (1, 2)
    assert by_name()["statement.txt"]["date"] is None  # its text names no date
    assert open_searcher(index_dir).stats()["documents"] == 3


def test_kept_facets_follow_the_index(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    from index.tantivy_search import TantivySearcher

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("A testimony about the canal camp.\n", encoding="utf-8")
    build([folder], tmp_path / "ix", pipelines, "tantivy")
    s = open_searcher(tmp_path / "ix")
    first = s.search("testimony")
    assert s.search("testimony", offset=1).facets == first.facets  # the next page: the same counts, kept
    (folder / "b.txt").write_text("Another testimony, about the dunes.\n", encoding="utf-8")
    build([folder], tmp_path / "ix", pipelines, "tantivy")
    s.refresh()
    again = s.search("testimony")
    assert again.total == 2 and sum(f.count for f in again.facets["lang"]) == 2  # counted again, not kept
    assert again.facets == TantivySearcher(tmp_path / "ix", cache_size=0).search("testimony").facets


def test_crash_before_commit_keeps_last_committed_index(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Committed testimony about the canal camp.\n")
    build([folder], tmp_path / "ix", pipelines, "tantivy")
    (folder / "b.txt").write_text("Uncommitted testimony about the dunes.\n")
    writer = open_writer(tmp_path / "ix")

    def power_cut() -> None:
        raise SystemExit("power cut before the commit")

    writer.commit = power_cut  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        ingest_paths([folder], writer, pipelines, progress=False)
    writer.lock.release()  # type: ignore[attr-defined]  # as the kernel would for a dead process
    s = open_searcher(tmp_path / "ix")
    assert s.search("canal").total == 1 and s.search("dunes").total == 0


def test_a_second_writer_is_refused_until_the_first_ends(tmp_path: Path) -> None:
    first = open_writer(tmp_path / "ix", engine="tantivy")
    try:
        with pytest.raises(IndexBusy, match=r"another ingest is writing to this index \(pid"):
            open_writer(tmp_path / "ix", lock_timeout=0.3)
    finally:
        first.close()
    open_writer(tmp_path / "ix").close()


@pytest.fixture(scope="module")
def clean_tantivy(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> dict[str, Any]:
    index_dir = tmp_path_factory.mktemp("clean_tantivy") / "index"
    build([DEMO], index_dir, pipelines, "tantivy")
    return snapshot(index_dir)


@pytest.mark.parametrize("point", [KillPoint("writing", 2), KillPoint("commit", 4)], ids=str)
def test_a_killed_tantivy_ingest_keeps_what_it_committed(
    point: KillPoint, tmp_path: Path, clean_tantivy: dict[str, Any], pipelines: dict[str, Any]
) -> None:
    index_dir = tmp_path / "index"
    run = run_and_kill([DEMO], index_dir, point, env=ingest_env(index_dir, {"TEMOIN_ENGINE": "tantivy"}))
    assert run["killed"], f"the ingest ended before {point}: {run}"
    left = snapshot(index_dir)
    assert partial_ok(left, clean_tantivy) == []
    if point.kind == "commit":
        assert len(left["documents"]) >= 1
    summary = build([DEMO], index_dir, pipelines, "tantivy")  # Tantivy's writer lock died with the process
    statuses = [r.status for r in summary.results]
    assert statuses.count("unchanged") == len({d["source"] for d in left["documents"].values()})
    assert snapshot(index_dir) == clean_tantivy


# ---------------------------------------------------------------- a bounded part of the real corpus


@needs_shared
def test_same_results_on_part_of_the_shared_corpus(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    files = sorted(p for p in (SHARED / "seeds").rglob("*") if p.is_file())[:12]
    searchers = {}
    for engine in ENGINES:
        build(files, tmp_path / engine, pipelines, engine)
        searchers[engine] = open_searcher(tmp_path / engine)
    words = [h for h in searchers["whoosh"].search("", limit=50).facets["place"][:6]]
    queries = [("", Filters()), ("asylum", Filters()), ("droit*", Filters()), ('"human rights"', Filters())]
    queries += [("", Filters(places=(f.value,))) for f in words]
    found = 0
    for text, filters in queries:
        ours = searchers["tantivy"].search(text, filters, limit=1000)
        reference = searchers["whoosh"].search(text, filters, limit=1000)
        assert (ours.total, passages(ours)) == (reference.total, passages(reference)), text
        assert ours.facets == reference.facets, text
        found += reference.total
    assert found > 0


# ---------------------------------------------------------------- plain words skip the parser's machinery

PLAIN = [
    "expulsions", "expulsions Calais", "The camp and the Camp", "Œuvre 2019 évacuations", "droits de l homme",
    "x_y", "eviction OR camp", "NOT camp", "camp TO", "  spaced   words  ", "1er mars", "naïve café",
    '"expulsions Calais"', '"droits de l homme"', '"police"', ' " camp  AND tents " ', '"Œuvre 2019"',
    '"x_y z"', '"camp" tents', '"a" "b"', '""',
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_words_give_the_parsers_query(demo: dict[str, Any], text: str) -> None:
    from whoosh.qparser import AndGroup, MultifieldParser

    from index.search import SEARCH_FIELDS

    searcher = demo["whoosh"]
    parser = MultifieldParser(list(SEARCH_FIELDS), searcher.schema, group=AndGroup)
    assert repr(searcher.parse(text)[0]) == repr(parser.parse(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text("aàbcéEÉœŒ1 ", min_size=1, max_size=7), min_size=1, max_size=5), st.booleans())
def test_any_plain_words_give_the_parsers_query(words: list[str], quoted: bool) -> None:
    from whoosh.qparser import AndGroup, MultifieldParser

    from index.schema import build_schema
    from index.search import SEARCH_FIELDS, Searcher

    text = " ".join(words)
    text = f'"{text}"' if quoted else text  # a phrase skips the parser too
    searcher = Searcher.__new__(Searcher)  # parsing needs the schema only, not an index
    searcher.schema = build_schema()
    searcher._parser = MultifieldParser(list(SEARCH_FIELDS), searcher.schema, group=AndGroup)
    if text.strip():
        assert repr(searcher.parse(text)[0]) == repr(searcher._parser.parse(text))


# Letters that may split a word in two when folded or tokenised (a superscript, a dotted capital I, a
# ligature): Tantivy's parser would make a phrase of the parts where the tree makes an OR, so these take the
# tree's way. "ß" folds to two letters but stays one word: Tantivy's parser takes it.
SPLITTING = ["à³a", "a İa", "ﬁn a", "m² a", "Straße a"]


@pytest.mark.parametrize("text", [t for t in PLAIN if t.strip('" ')] + SPLITTING + [f'"{t}"' for t in SPLITTING])
def test_tantivys_own_parse_of_plain_words_finds_what_the_parsed_tree_finds(demo: dict[str, Any], text: str) -> None:
    """Plain words and one quoted phrase of them go to Tantivy's parser (`TantivySearcher._plain`), anything
    else through Whoosh's tree: both must select the same passages."""
    searcher = demo["tantivy"]
    query, _fallback = searcher.parse(text)
    total, tree_hits = searcher.match(query, searcher.filter_query(Filters()), None)
    result = searcher.search(text, limit=1000, with_facets=False)
    assert result.total == total
    assert passages(result) == sorted(stored["id"] for _score, stored in tree_hits)


def test_a_query_is_analysed_as_each_engine_indexed_the_text(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    """Whoosh's Snowball stemmers and Tantivy's part on some words ("emergency" is "emerg" to one, "emergenc"
    to the other; "internationally" and "international" share "intern" in Whoosh, "internat" in Tantivy).
    A Tantivy search analysing its words as Whoosh does looked up stems Tantivy never wrote."""
    text = tmp_path / "notes.txt"
    text.write_text(
        "Field notes, March 2021.\n\nVolunteers kept the shelters open through three emergencies that winter, "
        "while internationally funded teams rebuilt the water points near the camp.\n",
        encoding="utf-8",
    )
    searchers = {}
    for engine in ENGINES:
        build([text], tmp_path / engine, pipelines, engine)
        searchers[engine] = open_searcher(tmp_path / engine)
    for query in ("emergency", "international", "emergency AND shelter", '"international funding"', "emergenc*"):
        found = {engine: searchers[engine].search(query, with_facets=False).total for engine in ENGINES}
        assert found == {"whoosh": 1, "tantivy": 1}, query


def test_snippets_escape_markup_in_the_text_and_are_left_out_when_not_asked_for(
    tmp_path: Path, pipelines: dict[str, Any]
) -> None:
    """Tantivy's own HTML for a snippet, its <b> marks made <mark>: text that looks like markup stays escaped
    (so a literal "<b>" in a document never becomes a mark). Without snippets, hits carry none."""
    text = tmp_path / "notes.txt"
    text.write_text(
        "Field notes, March 2021.\n\nThe <b>police</b> & the \"police\" came back at dawn and cut the tents "
        "of l'abri again; <mark>three</mark> families slept outside.\n",
        encoding="utf-8",
    )
    for engine in ENGINES:
        build([text], tmp_path / engine, pipelines, engine)
        searcher = open_searcher(tmp_path / engine)
        [hit] = searcher.search("police tents", with_facets=False).hits
        assert "<b>" not in hit.snippet and "&lt;b&gt;" in hit.snippet, engine
        assert "&lt;mark&gt;three&lt;/mark&gt;" in hit.snippet and "&amp;" in hit.snippet, engine
        assert set(re.findall(r"<mark>(.*?)</mark>", hit.snippet)) == {"police", "tents"}, engine
        assert html.unescape(re.sub(r"</?mark>", "", hit.snippet)).strip(" …") in hit.text, engine
        [bare] = searcher.search("police tents", with_facets=False, with_snippets=False).hits
        assert (bare.snippet, bare.passage_id, bare.text) == ("", hit.passage_id, hit.text), engine


def test_an_outdated_tantivy_index_is_refused_by_a_reader_and_rebuilt_by_a_writer(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    open_writer(index_dir, engine="tantivy").close()
    (index_dir / "TEMOIN_SCHEMA").write_text("tantivy-0\n")
    (index_dir / "uploads").mkdir()
    (index_dir / "uploads" / "note.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(IndexError_, match="schema tantivy-0"):
        open_searcher(index_dir)
    open_writer(index_dir).close()
    assert open_searcher(index_dir).stats()["documents"] == 0
    assert (index_dir / "uploads" / "note.txt").read_text(encoding="utf-8") == "kept"
