"""Semantic search: the vector store beside the index, exact top-k, rank fusion, and the encoder across
languages (on sentences we wrote; skipped when the encoder package is absent)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.hybrid import FusedHit, exact_query, fuse, other_language_places, rank
from index.vector_writer import VectorWriter, sync_vectors
from index.vectors import (
    VectorIndex,
    chance_similarity,
    document_vectors,
    nearest_units,
    open_vectors,
    top_k,
    vectors_dir,
)
from ingest.embed import ENCODERS, ROWS_VERSION, EncoderUnavailable, embed, load_encoder

DIM = 8


def unit_rows(seed: int, n: int, dim: int = DIM) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def index_of(ids: list[str], matrix: np.ndarray) -> VectorIndex:
    return VectorIndex("test", matrix.shape[1], 0, tuple(ids), ("",) * len(ids), matrix,
                       {i: r for r, i in enumerate(ids)})


# ------------------------------------------------------------------ the store


def test_round_trip_keeps_ids_vectors_and_generation(tmp_path: Path) -> None:
    writer = VectorWriter(tmp_path, "test", DIM)
    a, b = unit_rows(1, 3), unit_rows(2, 2)
    writer.replace("a.txt", "h1", ["a:0", "a:1", "a:q0001"], a)
    writer.replace("b.txt", "h2", ["b:0", "b:1"], b)
    writer.commit(generation=4)
    store = open_vectors(tmp_path)
    assert store is not None
    assert store.generation == 4 and store.in_step(4) and not store.in_step(5)
    assert (store.encoder, store.dim) == ("test", DIM)
    assert store.ids == ("a:0", "a:1", "a:q0001", "b:0", "b:1")
    assert store.matrix.dtype == np.float32
    np.testing.assert_allclose(store.matrix, np.concatenate([a, b]), atol=2e-3)  # stored as float16


def test_no_store_is_none(tmp_path: Path) -> None:
    assert open_vectors(tmp_path) is None


def test_replace_and_delete_follow_the_source(tmp_path: Path) -> None:
    writer = VectorWriter(tmp_path, "test", DIM)
    writer.replace("a.txt", "h1", ["a:0", "a:1"], unit_rows(1, 2))
    writer.replace("b.txt", "h2", ["b:0"], unit_rows(2, 1))
    writer.commit(1)
    writer = VectorWriter(tmp_path, "test", DIM)  # a later ingest
    new_a = unit_rows(3, 3)
    writer.replace("a.txt", "h1b", ["a2:0", "a2:1", "a2:2"], new_a)
    writer.delete("b.txt")
    writer.commit(2)
    store = open_vectors(tmp_path)
    assert store is not None
    assert store.ids == ("a2:0", "a2:1", "a2:2")
    assert set(store.sources) == {"a.txt"}
    np.testing.assert_allclose(store.matrix, new_a, atol=2e-3)
    assert writer.hashes == {"a.txt": "h1b"}


def test_uncommitted_changes_are_invisible_and_leftovers_are_cleaned(tmp_path: Path) -> None:
    writer = VectorWriter(tmp_path, "test", DIM)
    writer.replace("a.txt", "h1", ["a:0"], unit_rows(1, 1))
    writer.commit(1)
    before = (vectors_dir(tmp_path) / "MANIFEST.json").read_bytes()
    crashed = VectorWriter(tmp_path, "test", DIM)
    crashed.replace("a.txt", "h2", ["a:9"], unit_rows(2, 1))
    crashed.delete("a.txt")
    (vectors_dir(tmp_path) / "seg-000099.tmp.npz").write_bytes(b"half written")  # a crash mid-segment
    store = open_vectors(tmp_path)
    assert store is not None and store.ids == ("a:0",) and store.generation == 1
    assert (vectors_dir(tmp_path) / "MANIFEST.json").read_bytes() == before
    writer = VectorWriter(tmp_path, "test", DIM)
    writer.replace("b.txt", "h3", ["b:0"], unit_rows(3, 1))
    writer.commit(2)
    names = sorted(p.name for p in vectors_dir(tmp_path).iterdir())
    assert "seg-000099.tmp.npz" not in names and not [n for n in names if n.endswith(".tmp")]


def test_cancel_forgets_pending_rows(tmp_path: Path) -> None:
    writer = VectorWriter(tmp_path, "test", DIM)
    writer.replace("a.txt", "h1", ["a:0"], unit_rows(1, 1))
    writer.commit(1)
    writer.replace("b.txt", "h2", ["b:0"], unit_rows(2, 1))
    writer.delete("a.txt")
    writer.cancel()
    writer.commit(2)
    store = open_vectors(tmp_path)
    assert store is not None and store.ids == ("a:0",) and store.generation == 2


def test_many_commits_merge_into_few_segments(tmp_path: Path) -> None:
    writer = VectorWriter(tmp_path, "test", DIM)
    for n in range(20):
        writer.replace(f"s{n % 5}.txt", f"h{n}", [f"s{n % 5}:{n}"], unit_rows(n, 1))
        writer.commit(n)
    store = open_vectors(tmp_path)
    assert store is not None
    assert sorted(store.ids) == [f"s{n % 5}:{n}" for n in range(15, 20)]
    manifest = json.loads((vectors_dir(tmp_path) / "MANIFEST.json").read_text())
    assert len(manifest["segments"]) <= 8
    assert len(list(vectors_dir(tmp_path).glob("seg-*.npz"))) == len(manifest["segments"])


def test_another_encoder_starts_afresh(tmp_path: Path) -> None:
    writer = VectorWriter(tmp_path, "test", DIM)
    writer.replace("a.txt", "h1", ["a:0"], unit_rows(1, 1))
    writer.commit(1)
    other = VectorWriter(tmp_path, "other", 4)
    assert other.hashes == {}  # every source will be embedded again by sync_vectors
    other.commit(1)
    store = open_vectors(tmp_path)
    assert store is not None and (store.encoder, store.dim, store.ids) == ("other", 4, ())


def test_rows_made_otherwise_start_afresh(tmp_path: Path) -> None:
    """Vectors stored before ROWS_VERSION 2 (a passage's row encoded whole, no "rows" in the manifest) are
    embedded again rather than mixed with rows made as the mean of the sentences."""
    writer = VectorWriter(tmp_path, "test", DIM)
    writer.replace("a.txt", "h1", ["a:0"], unit_rows(1, 1))
    writer.commit(1)
    manifest_path = vectors_dir(tmp_path) / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["rows"] == ROWS_VERSION
    assert VectorWriter(tmp_path, "test", DIM).hashes == {"a.txt": "h1"}
    del manifest["rows"]
    manifest_path.write_text(json.dumps(manifest))
    assert VectorWriter(tmp_path, "test", DIM).hashes == {}


def test_mismatched_rows_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2 ids but 1 vectors"):
        VectorWriter(tmp_path, "test", DIM).replace("a.txt", "h", ["a:0", "a:1"], unit_rows(1, 1))


class FakeWhoosh:
    """What sync_vectors reads from a Whoosh searcher: stored records found by field values."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def documents(self, **terms: str) -> list[dict[str, Any]]:
        return [r for r in self.records if all(r.get(k) == v for k, v in terms.items())]


def whoosh_records(source: str, file_hash: str, texts: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"type": "document", "source": source, "file_hash": file_hash, "id": f"doc:{source}"}]
    out += [{"type": "passage", "source": source, "id": f"{source}:{n}", "content": t} for n, t in enumerate(texts)]
    out.append({"type": "citation", "source": source, "id": f"{source}:cite:0000"})  # not embedded
    return out


def fake_embed(texts: list[str]) -> np.ndarray:
    return np.stack([unit_rows(sum(map(ord, t)), 1)[0] for t in texts]) if texts else np.zeros((0, DIM))


def fake_units(ids: list[str], texts: list[str]) -> tuple[list[str], np.ndarray]:
    return ids, fake_embed(texts)


def test_sync_embeds_new_and_changed_sources_and_drops_deleted(tmp_path: Path) -> None:
    writer = VectorWriter(tmp_path, "test", DIM)
    whoosh = FakeWhoosh(whoosh_records("a", "h1", ["one", "two"]) + whoosh_records("b", "h2", ["three"]))
    report = sync_vectors(whoosh, writer, fake_units, generation=1)
    assert (report.embedded_sources, report.deleted_sources, report.embedded_rows) == (2, 0, 3)
    calls: list[list[str]] = []
    whoosh = FakeWhoosh(whoosh_records("a", "h1", ["one", "two"]) + whoosh_records("c", "h3", ["four"]))
    report = sync_vectors(whoosh, writer, lambda i, t: calls.append(t) or fake_units(i, t), generation=2)
    assert calls == [["four"]]  # "a" is unchanged: not embedded again
    assert (report.embedded_sources, report.deleted_sources) == (1, 1)
    store = open_vectors(tmp_path)
    assert store is not None and store.generation == 2
    assert store.ids == ("a:0", "a:1", "c:0")


# ------------------------------------------------------------------ exact search


@pytest.mark.parametrize("n,k,keep", [(1, 5, 1.0), (50, 1, 1.0), (50, 10, 1.0), (200, 50, 0.3), (200, 7, 0.02)])
def test_top_k_equals_brute_force(n: int, k: int, keep: float) -> None:
    matrix = unit_rows(7, n)
    ids = [f"p{i:04d}" for i in range(n)]
    store = index_of(ids, matrix)
    query = unit_rows(8, 1)[0]
    mask = np.random.default_rng(9).random(n) < keep if keep < 1 else None
    allowed = range(n) if mask is None else np.flatnonzero(mask)
    expected = sorted(((float(matrix[i] @ query), ids[i]) for i in allowed), key=lambda si: (-si[0], si[1]))[:k]
    got = top_k(store, query, k, mask)
    assert [h.id for h in got] == [i for _, i in expected]
    np.testing.assert_allclose([h.score for h in got], [s for s, _ in expected], rtol=1e-5)


def test_document_vectors_are_the_normalised_mean_of_whole_unit_rows() -> None:
    matrix = unit_rows(11, 5)
    ids = ["a:0", "a:0#1", "b:0", "a:1", "b:q0001"]
    store = VectorIndex("test", DIM, 0, tuple(ids), ("a.txt", "a.txt", "b.txt", "a.txt", "b.txt"), matrix,
                        {i: r for r, i in enumerate(ids)})
    doc_of_row, docs = document_vectors(store)
    a = (matrix[0] + matrix[3]) / np.linalg.norm(matrix[0] + matrix[3])  # the sentence row a:0#1 left out
    b = (matrix[2] + matrix[4]) / np.linalg.norm(matrix[2] + matrix[4])
    assert doc_of_row.tolist() == [0, 0, 1, 0, 1]
    np.testing.assert_allclose(docs, np.stack([a, b]), rtol=1e-5)
    assert document_vectors(store)[1] is docs  # built once per loaded store


def test_context_ranks_a_passage_of_a_document_about_the_query_first() -> None:
    # Two documents: "on" (all its passages near the query) and "off" (about something else, but one passage
    # sharing wording with the query, a little nearer than any passage of "on").
    rng = np.random.default_rng(3)
    query = unit_rows(4, 1)[0]
    other = unit_rows(5, 1)[0]
    other -= (other @ query) * query
    other /= np.linalg.norm(other)

    def at(cosine: float) -> np.ndarray:
        return cosine * query + np.sqrt(1 - cosine**2) * other

    on = [at(0.70) + 0.01 * rng.standard_normal(DIM) for _ in range(4)]
    off = [at(0.75)] + [at(-0.2) + 0.01 * rng.standard_normal(DIM) for _ in range(4)]
    rows = np.stack([*on, *off]).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    ids = [f"on:{i}" for i in range(4)] + [f"off:{i}" for i in range(5)]
    store = VectorIndex("test", DIM, 0, tuple(ids), ("on.txt",) * 4 + ("off.txt",) * 5, rows,
                        {i: r for r, i in enumerate(ids)})
    assert nearest_units(store, query, 1)[0].id == "off:0"  # by its own cosine
    hits = nearest_units(store, query, 3, context=0.5)
    assert [h.id.split(":")[0] for h in hits] == ["on", "on", "on"]
    assert hits[0].score == pytest.approx(float(rows[ids.index(hits[0].id)] @ query), rel=1e-5)  # its own cosine
    only_off = np.array([i.startswith("off") for i in ids])
    assert top_k(store, query, 1, only_off, context=0.5)[0].id == "off:0"  # filters still apply


def test_kept_scores_serve_other_filters_and_queries_exactly() -> None:
    """The scores kept for the last queries give what scoring afresh gives, whatever the filter or query."""
    n = 300
    matrix = unit_rows(21, n)
    ids = [f"p{i:04d}" for i in range(n)]
    store = index_of(ids, matrix)
    rng = np.random.default_rng(22)
    queries = unit_rows(23, 6)
    for round_ in range(3):
        for qi, query in enumerate(queries):  # six queries: more than are kept, so some are scored again
            mask = rng.random(n) < (0.9 if (qi + round_) % 2 else 0.5)
            expected = sorted(((float(matrix[i] @ query), ids[i]) for i in np.flatnonzero(mask)),
                              key=lambda si: (-si[0], si[1]))[:5]
            assert [h.id for h in top_k(store, query, 5, mask)] == [i for _, i in expected]
            assert top_k(store, query, 1)[0].id == max(ids, key=lambda i: float(matrix[ids.index(i)] @ query))


def test_chance_similarity_is_what_unrelated_documents_reach() -> None:
    # 40 documents of 5 passages; each document's passages are near its own direction, documents are random
    rng = np.random.default_rng(31)
    topics = unit_rows(32, 40, dim=64)
    rows, ids, sources = [], [], []
    for d, topic in enumerate(topics):
        for p in range(5):
            v = topic + 0.3 * rng.standard_normal(64) / 8
            rows.append(v / np.linalg.norm(v))
            ids.append(f"d{d}:{p}")
            sources.append(f"d{d}.txt")
    store = VectorIndex("test", 64, 0, tuple(ids), tuple(sources), np.array(rows, dtype=np.float32),
                        {i: r for r, i in enumerate(ids)})
    floor = chance_similarity(store)
    same_doc = float(store.matrix[0] @ store.matrix[1])
    other_docs = store.matrix[0] @ store.matrix[5:].T
    assert same_doc > floor  # passages of one subject are above what chance gives
    assert 0.93 <= float(np.mean(other_docs <= floor)) <= 0.97  # its 95th percentile, within sampling error
    few = VectorIndex("test", 64, 0, tuple(ids[:50]), tuple(sources[:50]), store.matrix[:50], {})
    assert chance_similarity(few) == -1.0  # 10 documents: too few to tell chance from relation


@pytest.mark.parametrize(
    "text,exact",
    [
        ("604/2013", True), ("C-411/10", True), ("ACAT", True), ("Article 33", True), ("art. 3", True),
        ('"garde à vue"', True), ("n° 2101234", True),
        ("tear gas", False), ("Calais", False), ("Conseil d'État", False), ("UNHCR report", False),
        ("Dublin III", False), ("article", False), ("police violence in Calais", False), ('"tear gas" Calais', False),
    ],
)
def test_exact_queries_are_identifiers_or_one_quoted_phrase(text: str, exact: bool) -> None:
    assert exact_query(text) is exact


def test_mask_keeps_only_known_ids() -> None:
    store = index_of(["a", "b", "c"], unit_rows(1, 3))
    assert store.mask(["c", "a", "unknown"]).tolist() == [True, False, True]


# ------------------------------------------------------------------ fusion


@pytest.mark.parametrize(
    "keyword,semantic,k,expected",
    [
        # agreement wins: b is 2nd in both, above a and c that are 1st in one only
        (["a", "b"], ["c", "b"], 1.0, [("b", "both"), ("a", "keywords"), ("c", "meaning")]),
        # with a large k ranks matter little, so being in both lists dominates
        (["a", "b", "c"], ["c"], 60.0, [("c", "both"), ("a", "keywords"), ("b", "keywords")]),
        # the same rank on either side: the words win (the meaning side weighs 0.75, SEMANTIC_WEIGHT)
        (["x"], ["w"], 10.0, [("x", "keywords"), ("w", "meaning")]),
        (["a", "a", "b"], [], 10.0, [("a", "keywords"), ("b", "keywords")]),  # a repeated id counts once
        ([], [], 10.0, []),
    ],
)
def test_rrf_table(keyword: list[str], semantic: list[str], k: float, expected: list[tuple[str, str]]) -> None:
    assert [(h.id, h.why) for h in fuse(keyword, semantic, k=k)] == expected


def test_a_hit_of_one_side_alone_stays_below_the_keyword_first_five() -> None:
    # Defaults (index/hybrid.py RRF_K): the meaning side's or the bridge's first hit, found by it alone, comes
    # after keyword search's fifth, so a same-language keyword query keeps its first five; with the sixth it
    # may pass, and a hit both sides found may pass any.
    keyword = ["k1", "k2", "k3", "k4", "k5", "k6"]
    order = [h.id for h in fuse(keyword, ["s1"], bridge=["b1"])]
    assert order[:5] == keyword[:5]
    assert order.index("s1") < order.index("k6") and order.index("b1") < order.index("k6")
    assert [h.id for h in fuse(keyword, ["k5"])][0] == "k5"


def test_keyword_first_five_keep_their_places_whatever_both_other_sides_found() -> None:
    """A passage found by meaning and in translation outscores keyword hits in the fusion (above), but in a
    hybrid search keyword search's first five stay in the first five; with fewer keyword hits, it passes."""
    keyword = ["k1", "k2", "k3", "k4", "k5", "k6"]
    others = [f"m{i}" for i in range(120)]  # nearer the query than any keyword hit: those fall past the depth
    rows = np.zeros((len(keyword) + 1 + len(others), 4), dtype=np.float32)
    rows[: len(keyword), 0] = -1.0
    rows[len(keyword), 0] = 1.0  # t1, nearest by meaning
    rows[len(keyword) + 1 :, :2] = [0.3, 1.0]
    store = index_of([*keyword, "t1", *others], rows / np.linalg.norm(rows, axis=1, keepdims=True))
    query = store.matrix[len(keyword)]
    fused = [h.id for h in fuse(keyword, ["t1"], bridge=["t1"])]
    assert fused.index("t1") < 5
    hits = rank("hybrid", keyword, store, query, None, limit=10, bridge=["t1"])
    order = [h.id for h in hits]
    assert set(order[:5]) == set(keyword[:5]) and order[5] == "t1"
    assert next(h for h in hits if h.id == "t1").why == "translation"
    few = [h.id for h in rank("hybrid", ["k1", "k2"], store, query, None, limit=10, bridge=["t1"])]
    assert few.index("t1") < few.index("k2")
    # the keyword hits keep the fused order among themselves
    assert order[:5] == [i for i in fused if i in keyword[:5]]


# (language, why, cosine) of each fused hit, best first; the order other_language_places gives, English query
OTHER_LANGUAGE_CASES = [
    pytest.param(  # loosely related English passages filled the first five: the best two French ones come 4th, 5th
        [("en", "meaning", .6), ("en", "meaning", .55), ("en", "meaning", .5), ("en", "meaning", .5),
         ("en", "meaning", .5), ("en", "meaning", .5), ("fr", "meaning", .48), ("fr", "translation", None),
         ("fr", "meaning", .45)],
        [0, 1, 2, 6, 7, 3, 4, 5, 8], id="two-places"),
    pytest.param(  # one French hit there already: one more
        [("en", "meaning", .6), ("fr", "meaning", .55), ("en", "meaning", .5), ("en", "meaning", .5),
         ("en", "meaning", .5), ("fr", "meaning", .45)],
        [0, 1, 2, 3, 5, 4], id="one-more"),
    pytest.param(  # hits holding the query's words keep their places
        [("en", "keywords", None), ("en", "both", .6), ("en", "both", .5), ("en", "keywords", None),
         ("en", "meaning", .5), ("fr", "meaning", .5), ("fr", "meaning", .5)],
        [0, 1, 2, 3, 5, 4, 6], id="words-kept"),
    pytest.param(  # no nearer than chance (floor 0.4), not in translation: no place
        [("en", "meaning", .6), ("en", "meaning", .55), ("en", "meaning", .5), ("en", "meaning", .5),
         ("en", "meaning", .5), ("fr", "meaning", .39), ("de", "meaning", .6)],
        [0, 1, 2, 3, 4, 5, 6], id="below-chance"),
]


@pytest.mark.parametrize(("hits", "expected"), OTHER_LANGUAGE_CASES)
def test_other_language_places(hits: list[tuple[str, str, float | None]], expected: list[int]) -> None:
    fused = [FusedHit(f"d{n}:0", 1.0 / (n + 1), why, None, None, sim) for n, (_lang, why, sim) in enumerate(hits)]  # type: ignore[arg-type]
    lang_of = lambda i: hits[i][0]  # noqa: E731
    assert other_language_places(fused, lang_of, "en", 0.4) == expected
    assert other_language_places(fused, lang_of, None, 0.4) == list(range(len(hits)))  # language unknown
    assert other_language_places(fused, lang_of, "en", 0.4, places=0) == list(range(len(hits)))


def test_an_identifier_query_keeps_keyword_searchs_first_five_too() -> None:
    """A query of identifiers or one quoted phrase puts the keyword hits first, in the fused order: the meaning
    side's favourite among them ("Article 8" in a passage far down by keywords) passed keyword search's fifth,
    which came 6th. Keyword search's first five stay in the first five there too."""
    keyword = ["k1", "k2", "k3", "k4", "k5", "k6"]
    rows = np.zeros((len(keyword), 4), dtype=np.float32)
    rows[:, 1] = 1.0
    rows[5] = [1.0, 0.1, 0.0, 0.0]  # k6, nearest by meaning
    store = index_of(keyword, rows / np.linalg.norm(rows, axis=1, keepdims=True))
    query = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)
    fused = [h.id for h in fuse(keyword, [h.id for h in nearest_units(store, query, 10)])]
    assert fused.index("k6") < fused.index("k5")  # what the fusion alone gives
    order = [h.id for h in rank("hybrid", keyword, store, query, None, limit=10, keyword_first=True)]
    assert set(order[:5]) == set(keyword[:5]) and order[5] == "k6"


def test_rrf_score_and_ranks() -> None:
    (hit,) = [h for h in fuse(["a", "b"], ["b"], k=10.0, semantic_weight=2.0) if h.id == "b"]
    assert hit == FusedHit("b", 1 / 12 + 2 / 11, "both", 2, 1, None)


def test_hybrid_with_filters_returns_only_allowed_ids() -> None:
    ids = [f"p{i}" for i in range(30)]
    store = index_of(ids, unit_rows(3, 30))
    allowed = {f"p{i}" for i in range(0, 30, 3)}
    keyword = ["p3", "p9", "p27"]  # the keyword side is already filtered by Whoosh
    query = store.matrix[1]  # the nearest row, p1, is not allowed
    for mode in ("semantic", "hybrid"):
        hits = rank(mode, keyword, store, query, allowed, limit=20)  # type: ignore[arg-type]
        assert hits and {h.id for h in hits} <= allowed
    hybrid = rank("hybrid", keyword, store, query, allowed, limit=20)
    assert {h.why for h in hybrid} >= {"both", "meaning"}


def test_without_vectors_every_mode_is_keyword() -> None:
    hits = rank("hybrid", ["a", "b"], None, None, None, limit=5)
    assert [(h.id, h.why, h.keyword_rank) for h in hits] == [("a", "keywords", 1), ("b", "keywords", 2)]


# ------------------------------------------------------------------ the encoder, across languages

ENCODER_CASES = [
    pytest.param(name, marks=pytest.mark.skipif(
        importlib.util.find_spec(module) is None, reason=f"the encoder package {package} ({module}) is not installed"
    ))
    for name, (package, module, _) in ENCODERS.items()
]

# Our own sentences: what a search over NGO reports and press in two languages meets.
PASSAGES = {
    "fr-tents": "Cette nuit-là, les gendarmes ont lacéré les tentes des exilés qui dormaient sous le pont.",
    "fr-food": "Le tribunal administratif a annulé l'arrêté du maire qui interdisait les distributions de repas.",
    "fr-pool": "Le conseil municipal a voté le budget de la nouvelle piscine et du gymnase.",
    "fr-apples": "La récolte de pommes a été excellente cette année dans les vergers normands.",
    "en-museum": "The museum opened an exhibition of medieval manuscripts and maps.",
    "en-rail": "The railway company announced new timetables for the summer holidays.",
}
QUERIES = [
    ("police slashed the tents of migrants sleeping under a bridge", "fr-tents"),
    ("a court struck down the mayor's ban on handing out meals", "fr-food"),
]


@pytest.fixture(scope="module", params=ENCODER_CASES)
def encoder(request: pytest.FixtureRequest) -> Any:
    return load_encoder(request.param)  # once per encoder for this module


@pytest.mark.parametrize("query,expected", QUERIES)
def test_english_query_finds_french_passage_first(encoder: Any, query: str, expected: str) -> None:
    ids = list(PASSAGES)
    store = index_of(ids, embed(encoder, list(PASSAGES.values())))
    hits = top_k(store, embed(encoder, [query], query=True)[0], k=len(ids))
    assert hits[0].id == expected


def test_embed_gives_unit_float32_rows_whatever_the_batch(encoder: Any) -> None:
    texts = [*PASSAGES.values(), ""]
    whole = embed(encoder, texts)
    batched = embed(encoder, texts, batch_size=2)
    assert whole.dtype == np.float32 and whole.shape == (len(texts), encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(whole[:-1], axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(whole, batched, atol=1e-4)


def test_unknown_encoder_is_a_clear_error() -> None:
    with pytest.raises(EncoderUnavailable, match="unknown encoder 'nope'"):
        load_encoder("nope")
