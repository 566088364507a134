"""Cleaning: running headers, page numbers, hyphenation, footnotes apart and linked, offsets back to raw."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import clean
from ingest.records import RawDocument, RawPage
from tests.conftest import SHARED, needs_shared


def _pdf_like(pages: list[str]) -> RawDocument:
    return RawDocument("r.pdf", "pdf", tuple(RawPage(i + 1, t) for i, t in enumerate(pages)))


BODY = (
    "{name} volunteers in Calais reported that tents were taken during the eviction.{n} They said the police\n"
    "gave no notice on day {n} and that the belongings were not returned to their owners, despite the protec-\n"
    "tion the law gives to personal property. The asylum-\nseekers were told to leave area {n}.\n"
)


NAMES = ["Twelve", "Several", "Nine", "Older"]


def _report(pages: int = 4) -> RawDocument:
    out = []
    for i in range(pages):
        n = i + 1
        out.append(
            f"Border Watch · Shelter Under Pressure · 2021\n\n{BODY.format(n=n, name=NAMES[i])}\n"
            f"{n} Interviewed in Calais, July 202{i}.\n\n{n + 10}\n"
        )
    return _pdf_like(out)


def test_running_header_and_page_numbers_removed() -> None:
    cleaned = clean(_report())
    assert "Border Watch · Shelter" not in cleaned.text
    assert not any(line.strip().isdigit() for line in cleaned.text.splitlines())


def test_footnotes_apart_and_linked() -> None:
    cleaned = clean(_report())
    assert [(f.number, f.page, f.text) for f in cleaned.footnotes] == [
        (n, n, f"Interviewed in Calais, July 202{n - 1}.") for n in range(1, 5)
    ]
    for f in cleaned.footnotes:
        assert cleaned.text[f.start : f.end] == f.text
    assert [n for _, n in cleaned.markers] == [1, 2, 3, 4]
    body = [s for s in cleaned.segments if s.section == "body"]
    first = cleaned.text[body[0].start : body[0].end]
    assert "during the eviction. They said" in first  # marker detached
    pos, number = cleaned.markers[0]
    assert number == 1 and cleaned.text[pos - 9 : pos] == "eviction."


def test_hyphenation() -> None:
    cleaned = clean(_report())
    assert "the protection the law" in cleaned.text
    assert "The asylumseekers were told" not in cleaned.text or "asylum-seekers" not in cleaned.raw


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("the right to protec-\ntion of the family", "the right to protection of the family"),
        ("many asylum-\nseekers, asylum-seekers all", "many asylum-seekers, asylum-seekers all"),
        ("Jean-\nPierre came", "Jean-Pierre came"),
        ("soixante-\ndix personnes", "soixante-dix personnes"),
        ("une situa-\ntion grave, une situation", "une situation grave, une situation"),
    ],
)
def test_hyphen_table(lines: str, expected: str) -> None:
    doc = RawDocument("t.txt", "text", (RawPage(None, lines + "\n"),))
    # "soixante-dix" keeps its hyphen only when the text says so elsewhere; teach it here
    if "soixante" in lines:
        doc = RawDocument("t.txt", "text", (RawPage(None, lines + "\n\nsoixante-dix\n"),))
    assert clean(doc).text.startswith(expected)


def test_offset_map_points_back_to_raw() -> None:
    doc = _report()
    cleaned = clean(doc)
    for word in ("volunteers", "belongings", "Interviewed"):
        pos = cleaned.text.index(word)
        raw_pos = cleaned.offsets.to_raw(pos)
        assert cleaned.raw[raw_pos : raw_pos + len(word)] == word


def _numbered_transcript(pages: int = 2) -> str:
    """A hearing transcript of our own, as tribunals publish them in text: each page's lines numbered 1 to 25
    in a column, the page's footer after them."""
    turns = [
        "JUDGE ALVAREZ:  Please continue, Mr. Hale.",
        "MR. HALE:  Thank you.",
        "Q.   Where were you when the convoy left the school?",
        "A.   Near the gate, with my brother.  We saw the trucks leave in the",
        "night, three of them, and the lights were off.",
        "Q.   Did anyone speak to you?",
        "A.   A soldier told us to go home and not to come back to the",
        "school.",
    ]
    out = []
    for page in range(pages):
        lines = [f"{n:>2}            {turns[(n - 1) % len(turns)]}" for n in range(1, 24)] + ["24", "25"]
        out.append("\n".join(lines) + f"\n\nTuesday, 4 March 2003\t\tCase No. IT-99-77-T\n\nPage {100 + page}\n\n")
    return "".join(out * 2)


def test_a_numbered_transcript_loses_its_line_numbers_and_footers() -> None:
    doc = RawDocument("t.txt", "text", (RawPage(None, _numbered_transcript()),))
    cleaned = clean(doc)
    assert "A.   Near the gate, with my brother.  We saw the trucks leave in the night, three of them" in cleaned.text
    assert "to come back to the school." in cleaned.text  # no "7" left between the two lines of the answer
    assert not any(line.strip().isdigit() for line in cleaned.text.splitlines())
    assert "Case No." not in cleaned.text and "Page 10" not in cleaned.text
    for clean_start, raw_start, length in cleaned.offsets.runs:
        assert cleaned.text[clean_start : clean_start + length] == cleaned.raw[raw_start : raw_start + length]


@pytest.mark.parametrize("sep", [".  ", "  "])
def test_numbered_paragraphs_are_not_a_transcript(sep: str) -> None:
    """A ruling's or a report's numbered paragraphs keep their numbers: they are how it is cited."""
    paragraphs = "\n".join(
        f"{n}{sep}The committee notes the situation in camp {n}, where families have slept outside since the "
        f"eviction, and asks the authorities for shelter and water before the winter." for n in range(1, 30)
    )
    cleaned = clean(RawDocument("r.txt", "text", (RawPage(None, paragraphs),)))
    assert f"12{sep}The committee notes the situation in camp 12" in cleaned.text


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300), min_size=1, max_size=4))
@settings(max_examples=150, deadline=None)
def test_clean_never_raises_and_spans_hold(pages: list[str]) -> None:
    cleaned = clean(_pdf_like(pages))
    for seg in cleaned.segments:
        assert 0 <= seg.start <= seg.end <= len(cleaned.text)
    for f in cleaned.footnotes:
        assert cleaned.text[f.start : f.end] == f.text
    for clean_start, raw_start, length in cleaned.offsets.runs:
        assert cleaned.text[clean_start : clean_start + length] == cleaned.raw[raw_start : raw_start + length]


@needs_shared
def test_seed_report_footnotes() -> None:
    from ingest.readers import read

    cleaned = clean(read(SHARED / "seeds" / "amnesty-2019-targeting-solidarity.txt")[0])
    notes = {f.number: f.text for f in cleaned.footnotes}
    assert notes[18] == "Interviewed in Calais, July 2018."
    assert notes[44] == "Both interviews conducted in August 2018 in Calais."
    assert len(notes) >= 90
    # markers are detached from the words they were glued to, and point at existing notes
    assert "criminalization”1" not in cleaned.text
    assert {n for _, n in cleaned.markers} <= set(notes)
    assert len(cleaned.markers) >= 80
