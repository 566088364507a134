"""Properties of the text stages on any text: they never raise, and every span they return round-trips
(`text[start:end] == record.text`). Text is drawn from printable characters, white space, control
characters, quotation marks and digits, mixed with fragments of the documents we read (dates, footnote
lines, speakers, case numbers) so that the interesting code paths are reached, not just the fast exits."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.citations import find_citations
from ingest.clean import clean
from ingest.dates import date_bounds, find_dates, is_partial_iso, parse_date
from ingest.gazetteer import load_gazetteer
from ingest.passages import split_passages
from ingest.quotes import extract_quotes
from ingest.records import RawDocument, RawPage

FRAGMENTS = [
    "the camp was evicted", "Calais", "Grande-Synthe", "La police a détruit les tentes.", "Mr Ahmed said:",
    "A. told us:", "Q.", "A.", "WITNESS:", "« Ils ont pris nos sacs »", "“They took our shoes”", '"We ran"',
    "12 March 2019", "2019-07", "31/12/2018", "le 3 juillet 2017", "1er mai 2016", "July 2015", "2019",
    "CJEU", "C-411/10", "[2019] UKUT 197 (IAC)", "Conseil d'État", "CE, 31 juillet 2017, n° 412125",
    "Cour de cassation", "ECLI:EU:C:2011:865", "Case C-180/17", "v.", "Secretary of State for the Home Department",
    "1 See the report of the Defender of Rights.", "2 Ibid.", "¹", "²", "Page 3 of 10", "Amnesty International",
    "-\n", "\n\n", "\n", "\f", "\t", " ", "...", "—", "’", "(", ")", "[", "]", ":", ";", "•",
]
ALPHABET = st.characters(
    min_codepoint=0, max_codepoint=0x2FFF, blacklist_categories=("Cs",)  # no lone surrogates: not from files
) | st.sampled_from(list("«»“”‘’\"'0123456789\n\f\t \u00a0\u202f\x00\x0b\r"))
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(ALPHABET, max_size=12)), max_size=80).map("".join)
PAGES = st.lists(TEXT, min_size=1, max_size=4)
# Modest for CI; `PROPERTY_EXAMPLES=2000 pytest tests/robustness/test_properties.py` to search harder.
PROPERTY = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _raw(pages: list[str], numbered: bool) -> RawDocument:
    return RawDocument(
        source="property.txt",
        format="pdf" if numbered else "text",
        pages=tuple(RawPage(number=(i + 1) if numbered else None, text=t) for i, t in enumerate(pages)),
    )


@pytest.fixture(scope="module")
def gazetteer() -> Any:
    return load_gazetteer()


@PROPERTY
@given(pages=PAGES, numbered=st.booleans())
def test_clean_never_raises_and_its_spans_round_trip(pages: list[str], numbered: bool) -> None:
    cleaned = clean(_raw(pages if numbered else ["".join(pages)], numbered))
    text = cleaned.text
    for segment in cleaned.segments:
        assert 0 <= segment.start <= segment.end <= len(text)
    for note in cleaned.footnotes:
        assert text[note.start : note.end] == note.text
    for pos, _number in cleaned.markers:
        assert 0 <= pos <= len(text)
    for pos in range(0, len(text) + 1, max(1, len(text) // 20)):
        assert 0 <= cleaned.offsets.to_raw(pos) <= len(cleaned.raw)


@PROPERTY
@given(pages=PAGES, numbered=st.booleans())
def test_passages_round_trip_and_do_not_overlap(pages: list[str], numbered: bool) -> None:
    cleaned = clean(_raw(pages, numbered))
    passages = split_passages(cleaned, "doc", lang="en")
    previous_end = 0
    for p in passages:
        assert cleaned.text[p.start : p.end] == p.text
        assert p.text.strip()
        if p.section == "body":
            assert p.start >= previous_end
            previous_end = p.end


@PROPERTY
@given(text=TEXT, bare_years=st.booleans())
def test_dates_round_trip_and_are_partial_iso(text: str, bare_years: bool) -> None:
    for m in find_dates(text, bare_years=bare_years):
        assert text[m.start : m.end] == m.text
        assert is_partial_iso(m.value)
        lo, hi = date_bounds(m.value)
        assert lo <= hi
    value = parse_date(text)
    assert value is None or is_partial_iso(value)


@PROPERTY
@given(pages=PAGES, numbered=st.booleans(), doc_date=st.sampled_from([None, "2019", "2019-07", "2019-07-31"]))
def test_quotes_round_trip(pages: list[str], numbered: bool, doc_date: str | None, gazetteer: Any) -> None:
    cleaned = clean(_raw(pages, numbered))
    passages = split_passages(cleaned, "doc", lang="en")
    for q in extract_quotes(cleaned, passages, "doc", doc_date, gazetteer):
        assert cleaned.text[q.start : q.end] == q.text
        assert q.date is None or is_partial_iso(q.date)


@PROPERTY
@given(pages=PAGES, numbered=st.booleans())
def test_citations_round_trip(pages: list[str], numbered: bool) -> None:
    cleaned = clean(_raw(pages, numbered))
    page_spans = tuple((s.page, s.start, s.end) for s in cleaned.segments)
    for c in find_citations(cleaned.text, page_spans):
        assert cleaned.text[c.start : c.end] == c.text
        assert c.date is None or is_partial_iso(c.date)
