"""The Streamlit UI's logic, run headless with AppTest against an index built from small files written here,
plus the pure HTML helpers in `search_app.ui_render` (escaping, marking, page views)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from index.search import Hit
from search_app import ui_render as ui


EN_PRESS = """\
Calais: the court orders water points for people sleeping outside

Joint statement by Border Watch and the Legal Shelter Network, Lille, 20 April 2021.

On 12 April 2021 the administrative court of Lille ordered the prefect of the Pas-de-Calais to install
drinking water points and showers near the informal living sites in Calais within eight days. Border Watch
welcomes the order: leaving people without water exposes them to inhuman and degrading treatment.

But a water tap does not make a home. The same week, our observers recorded eleven evictions in Calais. At
each of them, police officers and a cleaning contractor took away tents, blankets and sleeping bags.
"""

FR_ORDONNANCE = """\
Ordonnance du juge des référés sur l'accès à l'eau à Calais

Le juge des référés du tribunal administratif de Lille, statuant en urgence le 12 avril 2021, enjoint au
préfet du Pas-de-Calais d'installer des points d'eau potable et des douches à proximité des lieux de vie
informels de Calais, dans un délai de huit jours.

Le juge relève que les personnes exilées présentes à Calais, parmi lesquelles des mineurs non accompagnés,
sont privées d'un accès suffisant à l'eau, ce qui les expose à des traitements inhumains ou dégradants.
"""

# Field notes quoting a hostile leaflet (markup, a script, dollar signs): shared with the other UI tests.
SCRIPT_NOTES = (Path(__file__).resolve().parent / "fixtures" / "dunkirk-notes.txt").read_text(
    encoding="utf-8"
)

REPORT_PAGES = (
    (
        "Shelter under pressure: evictions in Calais in the spring of 2021. Between January and May 2021 our "
        "observers recorded 412 eviction operations at informal living sites in Calais and Grande-Synthe. "
        "Police officers and a cleaning contractor removed tents and sleeping bags from people who had nowhere "
        "else to go."
    ),
    (
        "Belongings taken during evictions are in principle kept at a depot, where their owners may reclaim "
        "them. In practice, of the 96 people who told us they had tried to recover property, only 11 found "
        "anything at all, and fewer still got back identity papers or medical prescriptions."
    ),
)

TESTIMONY = """\
Voices from the shore: testimonies collected in Grande-Synthe in 2019

{paragraphs}
"""
NAMES = [
    "Yonas",
    "Mariam",
    "Karim",
    "Samir",
    "Hewa",
    "Dawit",
    "Amina",
    "Rahel",
    "Omid",
    "Bilal",
    "Saba",
    "Noor",
]
MONTHS = [
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "March",
    "April",
]


def make_testimonies() -> str:
    paragraphs = []
    for i, (name, month) in enumerate(zip(NAMES, MONTHS, strict=True)):
        paragraphs.append(
            f"Testimony {i + 1}. {name}, interviewed in {month} 2019, had slept in a tent by the canal for "
            f'{i + 2} weeks. "They came at six in the morning," {name} said. "They cut the tent open with a '
            "knife and threw it in the truck with my blanket and my papers. Nobody told us where to go. The "
            'next day a charity gave me another tent, and three days later it was taken again." The '
            f"volunteers who met {name} saw the same operation repeated along the canal in {month}, always "
            "early, always with the same cleaning company, and never with an offer of shelter. Children and "
            "women were among the people whose tents were taken; some had been in Grande-Synthe for months "
            "and had already lost their shelter several times before the winter."
        )
    return TESTIMONY.format(paragraphs="\n\n".join(paragraphs))


def write_pdf(path: Path, pages: tuple[str, ...]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_pdf(folder / "shelter-report.pdf", REPORT_PAGES)
    (folder / "shelter-report.meta.json").write_text(
        json.dumps(
            {"title": "Shelter under pressure", "kind": "report", "date": "2021-06", "language": "en"}
        ),
        encoding="utf-8",
    )
    (folder / "calais-water-statement.md").write_text(EN_PRESS, encoding="utf-8")
    (folder / "calais-water-statement.meta.json").write_text(
        json.dumps({"kind": "press", "date": "2021-04-20", "publisher": "Border Watch", "language": "en"}),
        encoding="utf-8",
    )
    (folder / "ordonnance-lille-eau.txt").write_text(FR_ORDONNANCE, encoding="utf-8")
    (folder / "ordonnance-lille-eau.meta.json").write_text(
        json.dumps({"kind": "ruling", "date": "2021-04-12", "language": "fr"}), encoding="utf-8"
    )
    (folder / "dunkirk-notes.txt").write_text(SCRIPT_NOTES, encoding="utf-8")
    (folder / "dunkirk-notes.meta.json").write_text(
        json.dumps(
            {
                "title": "Field notes <b>Dunkirk</b> & <img src=x onerror=alert(3)>",
                "kind": "report",
                "date": "2021-05",
                "publisher": "Observatoire <i>des</i> frontières",
                "language": "en",
            }
        ),
        encoding="utf-8",
    )
    (folder / "testimonies-2019.txt").write_text(make_testimonies(), encoding="utf-8")
    (folder / "testimonies-2019.meta.json").write_text(
        json.dumps(
            {"kind": "testimony", "date": "2019-12", "publisher": "Legal Shelter Network", "language": "en"}
        ),
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def app_index(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Path:
    from index.writer import IndexWriter
    from ingest.pipeline import ingest_paths

    base = tmp_path_factory.mktemp("ui")
    corpus = write_corpus(base / "corpus")
    index_dir = base / "index"
    writer = IndexWriter(index_dir)
    try:
        summary = ingest_paths([corpus], writer, pipelines, progress=False)
    finally:
        writer.close()
    assert summary.count("added") == 5, [(r.path, r.reason) for r in summary.results]
    return index_dir


@pytest.fixture
def app(app_index: Path, start_app: Callable[[Path], AppTest]) -> AppTest:
    at = start_app(app_index)
    assert not at.exception
    return at


# ------------------------------------------------------------------ reading what the app shows


def search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="q").input(query).run()
    assert not at.exception, at.exception
    return at


def hit_cards(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith('<div class="tm-hit">')]


def hit_titles(at: AppTest) -> list[str]:
    titles = []
    for card in hit_cards(at):
        found = re.search(r'<div class="tm-title">(.*?)</div>', card)
        assert found, card
        titles.append(html.unescape(found.group(1)))
    return titles


def total(at: AppTest) -> int:
    for caption in at.caption:
        m = re.match(r"(\d+) passages? · showing", caption.value)
        if m:
            return int(m.group(1))
    return 0


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for kind in (at.info, at.warning, at.error) for e in kind]
    return "\n".join(parts)


def page_text(at: AppTest) -> str:
    """The document view's page, spaces collapsed (PDF text keeps the justification's double spaces)."""
    page = next(m.value for m in at.markdown if m.value.startswith('<div class="tm-page">'))
    return re.sub(r"\s+", " ", page)


def open_first(at: AppTest) -> AppTest:
    button = next(b for b in at.button if (b.key or "").startswith("open-"))
    button.click().run()
    assert not at.exception, at.exception
    return at


# ------------------------------------------------------------------ the app


def test_landing_lists_the_documents(app: AppTest) -> None:
    frame = app.dataframe[0].value
    assert len(frame) == 5
    assert "Ordonnance du juge des référés sur l'accès à l'eau à Calais" in set(frame["Title"])
    assert "5 documents" in all_text(app)


def test_a_search_shows_titles_snippets_and_facts(app: AppTest) -> None:
    search(app, "water")
    titles = hit_titles(app)
    assert titles[0] == "Calais: the court orders water points for people sleeping outside"
    card = hit_cards(app)[0]
    assert "<mark>water</mark>" in card
    assert "2021-04-20" in card and "Border Watch" in card and "English" in card
    assert "p. " not in card  # a text file has no pages, so none is shown


def test_accents_and_french_forms_match(app: AppTest) -> None:
    search(app, "accès eau")
    assert hit_titles(app) == ["Ordonnance du juge des référés sur l'accès à l'eau à Calais"]


def test_a_language_filter_narrows_and_keeps_other_choices(app: AppTest) -> None:
    search(app, "Calais")
    before = total(app)
    assert {
        "Calais: the court orders water points for people sleeping outside",
        "Ordonnance du juge des référés sur l'accès à l'eau à Calais",
    } <= set(hit_titles(app))
    app.sidebar.multiselect(key="f_lang").select("fr").run()
    assert not app.exception
    assert 0 < total(app) < before
    assert set(hit_titles(app)) == {"Ordonnance du juge des référés sur l'accès à l'eau à Calais"}
    # an OR filter keeps listing the values it hides, with their counts
    assert any(o.startswith("English (") for o in app.sidebar.multiselect(key="f_lang").options)


def test_kind_and_year_filters(app: AppTest) -> None:
    search(app, "tent")
    assert total(app) > 3
    app.sidebar.multiselect(key="f_kind").select("press").run()
    assert set(hit_titles(app)) == {"Calais: the court orders water points for people sleeping outside"}
    app.sidebar.multiselect(key="f_kind").unselect("press").run()
    app.sidebar.slider(key="years").set_range(2019, 2019).run()
    assert set(hit_titles(app)) == {"Voices from the shore: testimonies collected in Grande-Synthe in 2019"}


def test_results_are_paginated(app: AppTest) -> None:
    search(app, "tent")
    count = total(app)
    assert count > 10
    first_page = hit_cards(app)
    assert len(first_page) == 10
    assert any("showing 1–10" in c.value for c in app.caption)
    app.pagination[0].set_value(2).run()
    assert any(f"showing 11–{count}" in c.value for c in app.caption)
    second_page = hit_cards(app)
    assert len(second_page) == count - 10 and not set(second_page) & set(first_page)
    # a new query starts again on the first page
    search(app, "tent canal")
    assert any("showing 1–" in c.value for c in app.caption)


def test_no_results_suggests_removing_a_filter(app: AppTest) -> None:
    search(app, "Calais")
    app.sidebar.multiselect(key="f_lang").select("fr").run()
    search(app, "blankets")
    assert not hit_cards(app)
    assert any("removing a filter" in i.value for i in app.info)
    drop = next(b for b in app.button if b.label.startswith("✕ Language"))
    drop.click().run()
    assert hit_titles(app)[0] == "Calais: the court orders water points for people sleeping outside"


def test_a_query_that_cannot_be_parsed_says_so(app: AppTest) -> None:
    search(app, "water AND (")
    assert any("not understood" in w.value for w in app.warning)
    assert hit_titles(app)  # its words were still searched


def test_document_view_shows_metadata_text_and_entities(app: AppTest) -> None:
    search(app, "showers")
    assert hit_titles(app)[0] == "Calais: the court orders water points for people sleeping outside"
    open_first(app)
    page = next(m.value for m in app.markdown if m.value.startswith('<div class="tm-page">'))
    assert '<span class="tm-passage">' in page and "<mark>showers</mark>" in page
    metadata = next(m.value for m in app.markdown if m.value.startswith('<table class="tm-metadata">'))
    assert "Border Watch" in metadata and "2021-04-20" in metadata
    assert any("tm-chip" in m.value and "Calais" in m.value for m in app.markdown)
    app.button(key="close-doc").click().run()
    assert not any(m.value.startswith('<div class="tm-page">') for m in app.markdown)


def test_switching_views_closes_the_open_document(app: AppTest) -> None:
    search(app, "showers")
    open_first(app)
    assert any(m.value.startswith('<div class="tm-page">') for m in app.markdown)
    app.segmented_control(key="view").set_value("Rulings").run()
    assert not app.exception
    assert not any(m.value.startswith('<div class="tm-page">') for m in app.markdown)
    app.segmented_control(key="view").set_value("Passages").run()
    assert not any(m.value.startswith('<div class="tm-page">') for m in app.markdown)


def test_a_paged_document_opens_on_the_page_of_the_hit(app: AppTest) -> None:
    search(app, "depot")
    assert hit_titles(app) == ["Shelter under pressure"]
    assert " · p. 2 · " in hit_cards(app)[0]
    open_first(app)
    assert any(m.value == "**Page 2 of 2**" for m in app.markdown)
    page = page_text(app)
    assert "<mark>depot</mark>" in page and "412 eviction operations" not in page
    app.pagination[-1].set_value(1).run()
    assert any(m.value == "**Page 1 of 2 · the passage is on page 2**" for m in app.markdown)
    page = page_text(app)
    assert "412 eviction operations" in page and "tm-passage" not in page


def test_markup_in_documents_is_shown_as_text(app: AppTest) -> None:
    search(app, "leaflet")
    card = hit_cards(app)[0]
    assert "Field notes &lt;b&gt;Dunkirk&lt;/b&gt; &amp; &lt;img src=x onerror=alert(3)&gt;" in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    open_first(app)
    page = next(m.value for m in app.markdown if m.value.startswith('<div class="tm-page">'))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#36;5" in page  # never read as the start of a formula
    everything = all_text(app)
    for raw in ("<script", "<img", "<b>Dunkirk", "<i>des"):
        assert raw not in everything
    assert "Observatoire &lt;i&gt;des&lt;/i&gt; frontières" in everything


def test_no_index_tells_how_to_make_one(tmp_path: Path, start_app: Callable[[Path], AppTest]) -> None:
    at = start_app(tmp_path / "nothing-here")
    assert not at.exception
    assert any("no index" in i.value.lower() for i in at.info)
    assert "temoin ingest PATH" in at.code[0].value


# ------------------------------------------------------------------ the HTML helpers

TEXT = "Intro.\n\nThe <b>court</b> ordered water & showers.\n\nEnd."
BODY = (8, 49)  # "The <b>court</b> … showers."


@pytest.mark.parametrize(
    ("span", "passage", "terms", "expected"),
    [
        ((0, 6), None, (), "Intro."),
        (BODY, None, (), "The &lt;b&gt;court&lt;/b&gt; ordered water &amp; showers."),
        ((0, 12), None, (), "Intro.<br><br>The "),
        (
            BODY,
            BODY,
            ("water",),
            (
                '<span class="tm-passage">The &lt;b&gt;court&lt;/b&gt; ordered </span>'
                '<span class="tm-passage"><mark>water</mark></span><span class="tm-passage"> &amp; showers.</span>'
            ),
        ),
        (
            (0, 12),
            BODY,
            ("The",),
            (
                'Intro.<br><br><span class="tm-passage"><mark>The</mark></span>'
                '<span class="tm-passage"> </span>'
            ),
        ),
        ((51, 55), BODY, ("water",), "End."),  # the passage is elsewhere: nothing marked
        ((0, 6), None, ("Intro",), "Intro."),  # terms are marked only inside the passage
    ],
)
def test_marked_html(
    span: tuple[int, int], passage: tuple[int, int] | None, terms: tuple[str, ...], expected: str
) -> None:
    assert ui.marked_html(TEXT, span, passage, terms) == expected


@pytest.mark.parametrize(
    ("snippet", "terms"),
    [
        ("the <mark>court</mark> ordered <mark>water</mark> … <mark>water</mark>", ("court", "water")),
        ("&lt;script&gt;<mark>alert</mark>(1)", ("alert",)),
        ("<mark>l&#x27;eau</mark> et <mark>accès</mark>", ("accès", "l'eau")),  # same length: a-z
        ("no match here", ()),
    ],
)
def test_snippet_terms(snippet: str, terms: tuple[str, ...]) -> None:
    assert ui.snippet_terms(snippet) == terms


def make_hit(**changes: Any) -> Hit:
    fields: dict[str, Any] = {
        "doc_id": "d",
        "title": "T",
        "source": "s",
        "kind": "report",
        "lang": "fr",
        "date": None,
        "page": None,
        "passage_id": "d:1",
        "score": 1.0,
        "text": "x",
        "snippet": "x",
        "orgs": (),
        "places": (),
        "persons": (),
        "dates": (),
    }
    fields.update(changes)
    return Hit(**fields)


@pytest.mark.parametrize(
    ("changes", "meta"),
    [
        ({}, ["undated", "French"]),
        (
            {"page": 12, "date": "2021-04", "publisher": "Border Watch", "lang": "en"},
            ["2021-04", "p. 12", "Border Watch", "English"],
        ),
        ({"page": 3, "section": "footnote", "footnotes": (4,)}, ["undated", "p. 3", "footnote 4", "French"]),
        ({"lang": "de"}, ["undated", "de"]),
    ],
)
def test_hit_meta(changes: dict[str, Any], meta: list[str]) -> None:
    assert ui.hit_meta(make_hit(**changes)) == meta


def test_hit_html_is_one_line_and_escaped() -> None:
    card = ui.hit_html(
        make_hit(title="A <b>title</b>", snippet="line one\n\nline <mark>two</mark>", publisher="X & Y")
    )
    assert "\n" not in card
    assert "A &lt;b&gt;title&lt;/b&gt;" in card and "X &amp; Y" in card and "<mark>two</mark>" in card


PAGED = {
    "document": {
        "text": "Page one body.\n\n1 A note.\n\nPage two body.",
        "page_spans": [[1, 0, 14], [1, 16, 25], [2, 27, 41]],
    },
    "footnotes": [{"number": 1, "page": 1, "start": 16, "end": 25, "text": "1 A note."}],
    "mentions": [
        {"label": "PLACE", "name": "Calais", "start": 0, "end": 4},
        {"label": "PLACE", "name": "Calais", "start": 5, "end": 8},
        {"label": "DATE", "name": "May 2021", "value": "2021-05", "start": 30, "end": 34},
    ],
}


def test_page_view_separates_footnotes_from_the_page_body() -> None:
    view = ui.page_view(PAGED, 1, (0, 14))
    assert view.heading == "Page 1"
    assert view.body == ((0, 14),)
    assert [f["number"] for f in view.footnotes] == [1]
    assert ui.page_view(PAGED, 2, (27, 41)).body == ((27, 41),)
    assert ui.page_numbers(PAGED) == [1, 2]
    page = ui.page_html(PAGED, view, (0, 14), ("body",))
    assert "A note" not in page and "<mark>body</mark>" in page
    notes = ui.footnotes_html(PAGED, view, (0, 14), cited=(1,))
    assert '<li class="tm-cited">' in notes and "A note." in notes


def test_entity_counts_by_page() -> None:
    assert ui.entity_counts(PAGED, (0, 25)) == {"PLACE": [("Calais", 2)]}
    assert ui.entity_counts(PAGED) == {"PLACE": [("Calais", 2)], "DATE": [("2021-05", 1)]}


def test_documents_without_pages_show_the_paragraphs_around_the_passage() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 60 for i in range(20)]
    text = "\n\n".join(paragraphs)
    start = text.index("Paragraph 10")
    end = start + len(paragraphs[10])
    record = {
        "document": {"text": text, "page_spans": [[None, 0, len(text)]]},
        "footnotes": [],
        "mentions": [],
    }
    view = ui.page_view(record, None, (start, end))
    ((lo, hi),) = view.body
    assert view.heading == "Around the passage"
    assert (
        lo < start
        and end < hi
        and text[lo:].startswith("Paragraph")
        and text[hi:].lstrip().startswith("Paragraph")
    )
    assert start - lo <= ui.CONTEXT_BEFORE and hi - end <= ui.CONTEXT_AFTER
    assert ui.page_view(record, None, (start, end), whole_document=True).body == ((0, len(text)),)


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.org/r?a=1&b=2", '<a href="https://example.org/r?a=1&amp;b=2"'),
        ("javascript:alert(1)", None),
    ],
)
def test_metadata_links_only_web_addresses(url: str, link: str | None) -> None:
    table = ui.metadata_html({"id": "x", "title": "t", "kind": "report", "url": url, "source": "a<b"})
    assert "a&lt;b" in table
    if link:
        assert link in table
    else:
        assert "<a " not in table


def test_a_new_ingest_shows_without_a_restart(
    tmp_path: Path, pipelines: dict[str, Any], start_app: Callable[[Path], AppTest]
) -> None:
    from index.writer import IndexWriter
    from ingest.pipeline import ingest_paths

    index_dir = tmp_path / "index"
    IndexWriter(index_dir).close()  # an index with nothing in it yet
    at = start_app(index_dir)
    assert any("index is empty" in i.value for i in at.info)

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ordonnance-lille-eau.txt").write_text(FR_ORDONNANCE, encoding="utf-8")
    writer = IndexWriter(index_dir)
    try:
        ingest_paths([corpus], writer, pipelines, progress=False)
    finally:
        writer.close()
    search(at, "douches")
    assert hit_titles(at) == ["Ordonnance du juge des référés sur l'accès à l'eau à Calais"]


def test_a_long_document_without_pages_opens_around_the_passage(app: AppTest) -> None:
    search(app, "Noor")
    open_first(app)
    assert any(m.value == "**Around the passage**" for m in app.markdown)
    shown = re.sub(r"<[^>]+>", "", page_text(app))
    assert shown.startswith("Testimony 12. Noor") and "Testimony 1. " not in shown
    assert '<span class="tm-passage"><mark>Noor</mark></span>' in page_text(app)
    next(t for t in app.toggle if t.key.startswith("whole_doc_")).set_value(True).run()
    assert any(m.value == "**Whole document**" for m in app.markdown)
    assert "Testimony 1. Yonas" in page_text(app)


def test_excluding_an_organisation_leaves_out_its_passages(app: AppTest) -> None:
    search(app, "Calais")
    before = total(app)
    assert "Calais: the court orders water points for people sleeping outside" in hit_titles(app)
    exclude = app.sidebar.multiselect(key="x_org")
    assert any(o.startswith("Border Watch (") for o in exclude.options)
    exclude.select("Border Watch").run()
    assert not app.exception, app.exception
    assert 0 < total(app) < before
    assert not any("Border Watch" in card for card in hit_cards(app))
    assert app.sidebar.multiselect(key="x_org").value == ["Border Watch"]
    # an exclusion is a filter like the others: Clear filters drops it
    next(b for b in app.sidebar.button if b.label == "Clear filters").click().run()
    assert total(app) == before


def test_an_entity_chip_narrows_to_passages_naming_it(app: AppTest) -> None:
    search(app, "Calais")
    before = total(app)
    chip = next(b for b in app.button if (b.key or "").startswith("chip-") and b.label == "Border Watch")
    chip.click().run()
    assert not app.exception, app.exception
    assert 0 < total(app) < before
    assert app.sidebar.multiselect(key="f_org").value == ["Border Watch"]
    # every passage shown names it, and its chip, now chosen, can no longer be clicked
    chosen = [b for b in app.button if (b.key or "").startswith("chip-") and b.label == "Border Watch"]
    assert len(chosen) == len(hit_cards(app)) and all(b.disabled for b in chosen)


def test_entity_chip_labels_take_markdown_literally() -> None:
    assert ui.md_escape("*Nord* [Pas-de-Calais]") == r"\*Nord\* \[Pas\-de\-Calais\]"
