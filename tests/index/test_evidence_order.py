"""Testimonies listed with no words typed: what they say first, one document at a time (index/evidence.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from index.evidence import SUBSTANTIVE_WORDS, QuoteHit, browse_order, search_quotes
from index.search import Searcher
from tests.conftest import DEMO, build_index

_BLANK = QuoteHit(
    quote="", speaker=None, speaker_description=None, place=None, date=None, date_source="none", doc_id="",
    title="", publisher=None, page=None, passage_id=None, footnote=None, source="",
)


def quote(doc_id: str, text: str) -> QuoteHit:
    return replace(_BLANK, quote=text, doc_id=doc_id)


def test_a_transcripts_short_answers_go_after_what_the_other_documents_say() -> None:
    hearing = [quote("hearing", t) for t in ("Yes, I did.", "No.", "I do not remember, Your Honour.")] + [
        quote("hearing", "We stayed in the church for three days and nobody brought us water or food."),
        quote("hearing", "When the soldiers came back on the fourth day they took the men away in lorries."),
    ]
    report = [
        quote("report", "The police came at dawn and slashed the tents while we were still inside them."),
        quote("report", "They threw away my papers and my medicine, and I was not given any receipt."),
    ]
    ordered = browse_order(hearing + report)
    assert [q.doc_id for q in ordered[:4]] == ["hearing", "report", "hearing", "report"]  # in turn
    assert all(len(q.quote.split()) >= SUBSTANTIVE_WORDS for q in ordered[:4])
    assert [q.quote for q in ordered[4:]] == ["Yes, I did.", "No.", "I do not remember, Your Honour."]
    assert sorted(ordered, key=id) == sorted(hearing + report, key=id)  # nothing lost, nothing twice


def test_the_demo_testimonies_browse_in_that_order(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    build_index([DEMO], tmp_path / "ix", pipelines)
    searcher = Searcher(tmp_path / "ix")
    total, listed = search_quotes(searcher, "", limit=1000)
    searcher.close()
    assert total == len(listed) >= 5
    lengths = [len(q.quote.split()) >= SUBSTANTIVE_WORDS for q in listed]
    assert lengths == sorted(lengths, reverse=True)  # no short one before a longer one
    saying = [q.doc_id for q in listed if len(q.quote.split()) >= SUBSTANTIVE_WORDS]
    documents = len(set(saying))
    assert documents >= 2 and len(set(saying[:documents])) == documents  # each document once, then again
