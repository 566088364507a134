"""Passages: paragraph-aware, 100–250 words, never across a page or into footnotes, spans exact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import clean
from ingest.passages import split_passages
from ingest.records import RawDocument, RawPage
from tests.conftest import SHARED, needs_shared


def _paragraph(page: int, i: int, words: int = 60) -> str:
    return " ".join(f"p{page}w{i}x{k}" for k in range(words)) + "."


def test_passages_respect_pages_and_sizes() -> None:
    pages = ["\n\n".join(_paragraph(p + 1, i) for i in range(7)) for p in range(3)]
    doc = RawDocument("r.pdf", "pdf", tuple(RawPage(i + 1, t) for i, t in enumerate(pages)))
    cleaned = clean(doc)
    passages = split_passages(cleaned, "d", "en")
    assert {p.page for p in passages} == {1, 2, 3}
    for p in passages:
        assert cleaned.text[p.start : p.end] == p.text
        page_words = {w for w in p.text.split()}
        assert all(w.startswith(f"p{p.page}w") for w in page_words), "a passage crossed a page"
        assert 100 <= len(p.text.split()) <= 250


def test_long_paragraph_is_cut_at_sentences() -> None:
    sentence = "The police removed the tents of the families near the canal again. "
    doc = RawDocument("t.txt", "text", (RawPage(None, sentence * 80),))
    passages = split_passages(clean(doc), "d", "en")
    assert len(passages) >= 3
    assert all(len(p.text.split()) <= 250 for p in passages)
    assert all(p.text.endswith("again.") for p in passages)


@needs_shared
def test_seed_passages_link_their_footnotes() -> None:
    from ingest.readers import read

    cleaned = clean(read(SHARED / "seeds" / "amnesty-2019-targeting-solidarity.txt")[0])
    passages = split_passages(cleaned, "d", "en")
    body = [p for p in passages if p.section == "body"]
    notes = [p for p in passages if p.section == "footnote"]
    assert len(notes) == len(cleaned.footnotes)
    calling_18 = [p for p in body if 18 in p.footnotes]
    assert calling_18 and "Abbas" in calling_18[0].text
    sizes = [len(p.text.split()) for p in body]
    assert sum(1 for n in sizes if 60 <= n <= 250) >= 0.8 * len(sizes)


@given(st.lists(st.text(max_size=500), min_size=1, max_size=3))
@settings(max_examples=100, deadline=None)
def test_spans_round_trip(pages: list[str]) -> None:
    doc = RawDocument("r.pdf", "pdf", tuple(RawPage(i + 1, t) for i, t in enumerate(pages)))
    cleaned = clean(doc)
    for p in split_passages(cleaned, "d", "en"):
        assert cleaned.text[p.start : p.end] == p.text
        assert p.text.strip() == p.text and p.text
