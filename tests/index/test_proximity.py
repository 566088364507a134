"""Words as written first (index/proximity.py): among keyword results, the passages holding a query's plain
words one after the other come before those holding them apart; the fusion of a hybrid search keeps that."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh.query import Or, Phrase

from index.evidence import search_quotes
from index.hybrid import rank
from index.proximity import holding_in_order, phrase_tokens
from index.search import Searcher
from index.vectors import VectorIndex
from tests.conftest import build_index

# Short, and naming both words often: BM25 puts it first for "police violence", though it never says so.
APART = """# Night patrols in the dunes

Police came at night. Violence followed: police pushed people, and the violence of the police went on.
Police officers, police vans; violence again, police again.
"""

# Long, and saying "police violence" once.
WRITTEN = """# Testimonies gathered in the camps

Volunteers from the association recorded the testimonies of thirty people living in the woods near the
industrial zone over the winter. Most described the cold, the lack of water points and the distance to the
nearest food distribution. Several spoke of police violence during the morning evictions, and two asked
that their names be withheld. The association kept the recordings and shared a summary with the Ombudsman.
"""

FR_WRITTEN = """# Rapport d'observation

Les observateurs ont consigné des violences policières lors des expulsions du mois de mars, ainsi que la
destruction de tentes et de sacs de couchage appartenant aux personnes exilées.
"""

TESTIMONIES = """# Voices from the camps, spring 2021

The association collected the following accounts in Calais in April 2021.

"Police came at night, and after the police the violence: the police kicked the tents, more violence, always
police," said a man from Eritrea who had slept near the canal for two months.

"What we saw every morning of that spring was police violence against people who were only asleep in the
woods near the industrial zone, and nobody came to ask us about it," said a volunteer of the association who
asked that her name be withheld.
"""

FR_APART = """# Notes de terrain

Violences, encore des violences. Les agents sont venus, la brigade policière aussi ; violences la nuit,
violences le matin.
"""


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Path:
    folder = tmp_path_factory.mktemp("proximity")
    index = folder / "index"
    files = {
        "apart.md": APART,
        "written.md": WRITTEN,
        "fr_written.md": FR_WRITTEN,
        "fr_apart.md": FR_APART,
        "testimonies.md": TESTIMONIES,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    # two batches, two segments: positions are read segment by segment
    build_index([folder / "apart.md", folder / "fr_apart.md"], index, pipelines)
    build_index(
        [folder / "written.md", folder / "fr_written.md", folder / "testimonies.md"], index, pipelines
    )
    return index


@pytest.fixture()
def searcher(index_dir: Path) -> Iterator[Searcher]:
    opened = Searcher(index_dir)
    yield opened
    opened.close()


def sources(searcher: Searcher, text: str, **kwargs: Any) -> list[str]:
    hits = searcher.search(text, limit=10, with_facets=False, mode="keyword", **kwargs).hits
    return [Path(h.source).name for h in hits]


@pytest.mark.parametrize(
    ("query", "first", "then"),
    [
        ("police violence", "written.md", "apart.md"),  # BM25 alone put apart.md first
        ("Police Violence", "written.md", "apart.md"),  # case and accents are folded, as in search
        ("violence policière", "fr_written.md", "fr_apart.md"),  # stemmed: "violences policières" holds it
    ],
)
def test_the_passage_holding_the_words_as_written_comes_first(
    searcher: Searcher, query: str, first: str, then: str
) -> None:
    found = sources(searcher, query)
    assert found.index(first) < found.index(then)


def test_words_in_another_order_or_with_syntax_keep_bm25_order(searcher: Searcher) -> None:
    # neither passage holds "violence police" as written: BM25's order stands, the short passage first
    assert sources(searcher, "violence police")[0] == "apart.md"
    # a query with syntax says what it wants: left to BM25 too
    assert sources(searcher, "police AND violence")[0] == "apart.md"
    # a quoted phrase finds only the passages that hold it
    assert sorted(sources(searcher, '"police violence"')) == ["testimonies.md", "written.md"]


def test_pages_of_reordered_results_do_not_overlap(searcher: Searcher) -> None:
    whole = [h.passage_id for h in searcher.search("police violence", limit=10, mode="keyword").hits]
    paged = [
        h.passage_id
        for offset in range(len(whole))
        for h in searcher.search("police violence", limit=1, offset=offset, mode="keyword").hits
    ]
    assert len(whole) >= 2 and paged == whole


@pytest.mark.parametrize(
    "query", ["police violence", "violence police", "violences policières", "the police"]
)
def test_holding_in_order_is_what_a_phrase_query_finds(searcher: Searcher, query: str) -> None:
    tokens = phrase_tokens(searcher.schema, query)
    assert tokens is not None
    reader = searcher.raw().reader()
    docnums = list(reader.all_doc_ids())
    phrases = Or([Phrase(f, words, slop=1) for f, words in tokens.items()])
    expected = set(searcher.raw().docs_for_query(phrases))
    assert holding_in_order(reader, docnums, tokens) == expected
    assert reader.is_atomic() is False  # the two batches left two segments


def test_testimonies_holding_the_words_as_written_come_first(searcher: Searcher) -> None:
    _, apart = search_quotes(searcher, "violence police", mode="keyword")
    _, written = search_quotes(searcher, "police violence", mode="keyword")
    assert len(apart) == len(written) == 2
    assert apart[0].quote.startswith("Police came at night")  # BM25: the short one naming both often
    assert written[0].quote.startswith("What we saw every morning")


@pytest.mark.parametrize(
    "text", ["First-tier Tribunal", "First-tier", "Grande-Synthe evictions", "droit d'asile"]
)
def test_hyphens_and_apostrophes_inside_words_are_plain(searcher: Searcher, text: str) -> None:
    assert phrase_tokens(searcher.schema, text) is not None


@pytest.mark.parametrize(
    "text", ["police", '"police violence"', "org:utopia police", "police AND violence", ""]
)
def test_only_two_or_more_plain_words_are_reordered(searcher: Searcher, text: str) -> None:
    assert phrase_tokens(searcher.schema, text) is None


def test_hybrid_fusion_keeps_the_words_as_written_first_among_keyword_hits() -> None:
    ids = ["k1", "k2", "k3", "m1"]
    rows = np.eye(4, dtype=np.float32)
    rows[0] = rows[3] = np.array([0.8, 0.0, 0.0, 0.6], dtype=np.float32)  # k1 and m1 nearest the query
    store = VectorIndex("test", 4, 0, tuple(ids), ("",) * 4, rows, {i: r for r, i in enumerate(ids)})
    query = np.array([0.8, 0.0, 0.0, 0.6], dtype=np.float32)
    plain = [h.id for h in rank("hybrid", ["k1", "k2", "k3"], store, query, None, limit=10)]
    written = [
        h.id for h in rank("hybrid", ["k1", "k2", "k3"], store, query, None, limit=10, as_written={"k3"})
    ]
    assert plain.index("k1") < plain.index("k3")  # meaning lifts k1
    keyword_places = [i for i, h in enumerate(plain) if h.startswith("k")]
    # k3 takes the keyword hits' first place
    assert [written[i] for i in keyword_places] == ["k3", "k1", "k2"]
    assert written.index("m1") == plain.index("m1")  # a hit found by meaning alone keeps its place
