"""Exports, the evidence pack, the timelines, the original PDF and adding documents by upload, run headless
with AppTest against an index built here from the evidence tests' files and a two-page PDF."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from index.evidence import search_quotes
from index.search import Searcher
from search_app import evidence_pack
from search_app import ui_export as export
from search_app import ui_files as files
from tests.conftest import build_index
from tests.test_app_evidence import PRESS, REPORT



def write_pdf(path: Path, pages: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))


@pytest.fixture(scope="module")
def export_index(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Path:
    base = tmp_path_factory.mktemp("export")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "tents-report.txt").write_text(REPORT, encoding="utf-8")
    (corpus / "tents-report.meta.json").write_text(
        json.dumps({"title": "Nowhere to go", "kind": "report", "date": "2021-06", "publisher": "Border Watch"}),
        encoding="utf-8",
    )
    (corpus / "press.txt").write_text(PRESS, encoding="utf-8")
    (corpus / "press.meta.json").write_text(
        json.dumps({"title": "Les tentes confisquées", "kind": "press", "date": "2020-05-03",
                    "publisher": "La Voix du Nord", "language": "fr"}),
        encoding="utf-8",
    )
    write_pdf(
        corpus / "water-points.pdf",
        [
            "Water points in Calais. A report on access to drinking water for people living outside.",
            "On the second page: the prefecture removed the water tanks from the camp in Calais in 2019.",
        ],
    )
    summary = build_index([corpus], base / "index", pipelines)
    assert summary.count("added") == 3, [(r.path, r.reason) for r in summary.results]
    return base / "index"


@pytest.fixture
def app(export_index: Path, start_app: Callable[[Path], AppTest]) -> AppTest:
    at = start_app(export_index)
    assert not at.exception, at.exception
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="q").input(query)
    return run(at)


def chart_data(proto: Any) -> Any:
    """The data a bar chart was drawn from, as Streamlit sent it to the browser."""
    import pyarrow as pa

    (dataset,) = proto.datasets
    return pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()


def downloads(at: AppTest) -> dict[str, Any]:
    return {el.proto.label: el.proto for el in at.get("download_button")}


# ------------------------------------------------------------------ exports


def test_passage_export_has_a_header_and_every_match(app: AppTest, export_index: Path) -> None:
    search(app, "calais")
    buttons = downloads(app)
    assert {"CSV", "JSON"} <= set(buttons)
    searcher = Searcher(export_index)
    hits = searcher.search("calais", limit=100).hits
    data = export.to_csv(export.passage_rows(hits), export.EXPORT_COLUMNS["passages"]).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert list(rows[0]) == export.EXPORT_COLUMNS["passages"][: len(rows[0])]
    assert "doc_id" in rows[0] and "text" in rows[0] and "page" in rows[0]
    assert len(rows) == len(hits) == searcher.search("calais").total
    assert {r["title"] for r in rows} >= {"Nowhere to go"}
    assert any("water tanks" in r["text"] and r["page"] == "2" for r in rows)
    assert json.loads(export.to_json(export.passage_rows(hits)))[0]["doc_id"] == hits[0].doc_id


def test_testimony_and_ruling_exports(app: AppTest, export_index: Path) -> None:
    app.segmented_control(key="view").set_value("Testimonies")
    run(app)
    assert {"CSV", "JSON"} <= set(downloads(app))
    _total, quotes = search_quotes(Searcher(export_index), limit=100)
    data = export.to_csv(export.quote_rows(quotes), export.EXPORT_COLUMNS["testimonies"]).decode("utf-8")
    header = data.splitlines()[0]
    assert header.startswith("quote,speaker,speaker_description,place,date")
    assert header.endswith(",citation")
    assert "They took our tents again." in data and "Samir" in data
    assert "« " not in header
    app.segmented_control(key="view").set_value("Rulings")
    run(app)
    assert {"CSV", "JSON"} <= set(downloads(app))


# ------------------------------------------------------------------ evidence pack


def test_the_evidence_pack_holds_the_ticked_quote(app: AppTest) -> None:
    app.segmented_control(key="view").set_value("Testimonies")
    run(app)
    samir = next(n for n, m in enumerate(app.markdown) if "Samir" in m.value)
    assert samir is not None
    boxes = [c for c in app.checkbox if c.key.startswith("pick-quote-")]
    assert boxes
    # the first card is Samir's or Ahmad's: tick each and find Samir in the pack
    for box in boxes:
        box.check()
    run(app)
    items = list(app.session_state[export.PACK].values())
    md = export.pack_markdown(items)
    assert "Speaker: Samir, a 19-year-old from Sudan" in md
    assert "> They took our tents again. We slept on the ground in the rain." in md
    assert "Document: Nowhere to go" in md and "Publisher: Border Watch" in md
    assert "Citation: “They took our tents again." in md
    assert {"Download the pack (Markdown)", "Download the pack (Word)"} <= set(downloads(app))
    doc = Document(io.BytesIO(evidence_pack.pack_docx(items)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "They took our tents again. We slept on the ground in the rain." in paragraphs
    assert "Speaker: Samir, a 19-year-old from Sudan" in paragraphs
    # kept across views and searches
    app.segmented_control(key="view").set_value("Passages")
    run(app)
    search(app, "tents")
    assert len(app.session_state[export.PACK]) == len(boxes)
    app.checkbox(key=[c.key for c in app.checkbox if c.key.startswith("pick-")][0]).check()
    run(app)
    assert len(app.session_state[export.PACK]) == len(boxes) + 1


def test_pack_markdown_escapes_only_markup() -> None:
    item = {
        "kind": "passage", "text": "They wrote <script>x</script> and *stars*\n# not a heading",
        "speaker": None, "place": "Calais", "date": "2021", "title": "A [report]_1", "publisher": "BW",
        "page": 3, "doc_id": "d", "citation": None,
    }
    md = export.pack_markdown([item], today="2026-01-01")
    assert "> They wrote \\<script\\>x\\</script\\> and \\*stars\\*" in md
    assert "> \\# not a heading" in md
    assert "## 1. Passage: A \\[report\\]\\_1" in md
    assert "- Page: 3" in md and "- Place: Calais" in md and "Speaker" not in md


def test_pack_docx_holds_each_item_as_plain_text() -> None:
    """The Word pack: a heading per item, the words in the Quote style, the fields as bullets, the citation;
    markup and control characters from a document are text (or U+FFFD), never lost or interpreted."""
    items = [
        {
            "kind": "quote", "text": "We had nowhere to go.\nThey came at dawn <script>x</script>\x01",
            "speaker": "A woman from Eritrea", "place": "Calais", "date": "2018-07", "title": "Report **one**",
            "publisher": "BW", "page": 12, "doc_id": "d1", "citation": "“We had nowhere to go.” (BW, p. 12)",
        },
        {
            "kind": "passage", "text": "Les tentes ont été saisies.", "speaker": None, "place": None,
            "date": None, "title": None, "publisher": None, "page": None, "doc_id": "d2", "citation": None,
        },
    ]
    doc = Document(io.BytesIO(evidence_pack.pack_docx(items, today="2026-01-01")))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Heading 1", "Evidence pack") in paragraphs
    assert ("Normal", "2 items selected in Temoin on 2026-01-01.") in paragraphs
    assert ("Heading 2", "1. Testimony: Report **one**") in paragraphs
    assert ("Quote", "We had nowhere to go.") in paragraphs
    assert ("Quote", "They came at dawn <script>x</script>\ufffd") in paragraphs
    for line in ("Speaker: A woman from Eritrea", "Place: Calais", "Date: 2018-07", "Page: 12", "Publisher: BW"):
        assert ("List Bullet", line) in paragraphs
    assert ("Normal", "Citation: “We had nowhere to go.” (BW, p. 12)") in paragraphs
    assert ("Heading 2", "2. Passage: Untitled") in paragraphs
    assert ("Quote", "Les tentes ont été saisies.") in paragraphs
    # the passage has no speaker, place or page: no empty bullets
    second = paragraphs[[t for _, t in paragraphs].index("2. Passage: Untitled"):]
    assert not [t for style, t in second if style == "List Bullet"]
    assert doc.core_properties.title == "Evidence pack"


# ------------------------------------------------------------------ timelines


def test_the_timeline_counts_the_year_facet(app: AppTest, export_index: Path) -> None:
    search(app, "calais OR tentes")
    charts = app.get("vega_lite_chart")
    assert len(charts) == 1
    facet = Searcher(export_index).search("calais OR tentes").facets["year"]
    expected = {f.value: f.count for f in facet if f.value.isdigit()}
    assert len(expected) >= 2
    shown = chart_data(charts[0].proto)
    assert {str(y): int(n) for y, n in zip(shown["Year"], shown["Passages"])} == expected
    assert any("date of their document" in c.value for c in app.caption)
    app.toggle(key="timeline_mentioned").set_value(True)
    run(app)
    assert any("years they name" in c.value for c in app.caption)


def test_period_frame_by_month_and_undated() -> None:
    frame, undated = export.period_frame(["2021-04-14", "2021-04", "2021", None], by_month=True)
    assert dict(zip(frame.index, frame["Testimonies"])) == {"2021": 1, "2021-04": 2}
    assert undated == 1


# ------------------------------------------------------------------ the original PDF


def test_a_pdf_document_offers_its_bytes(app: AppTest, export_index: Path) -> None:
    search(app, "tanks")
    next(b for b in app.button if b.key and b.key.startswith("open-")).click()
    run(app)
    button = downloads(app)["Download the PDF"]
    assert any("page 2 of the PDF" in c.value for c in app.caption)
    link = next(b for b in app.link_button if b.label.startswith("Open the PDF"))
    assert link.label == "Open the PDF at page 2"
    assert "/media/" in link.proto.url and link.proto.url.endswith(".pdf#page=2")
    record = Searcher(export_index).search("tanks").hits[0]
    assert files.original_pdf({"source": record.source}) == Path(record.source)
    assert Path(record.source).read_bytes().startswith(b"%PDF")
    assert button is not None
    assert files.original_pdf({"source": str(export_index / "missing.pdf")}) is None
    assert files.original_pdf({"source": __file__}) is None


def test_the_original_is_served_only_while_its_bytes_are_the_ingested_ones(tmp_path: Path) -> None:
    """A file replaced since it was ingested (or a link swapped to point elsewhere) is not served."""
    import hashlib

    pdf = tmp_path / "report.pdf"
    write_pdf(pdf, ["A page about the camp."])
    doc = {"source": str(pdf), "file_hash": hashlib.sha256(pdf.read_bytes()).hexdigest()}
    path = files.original_pdf(doc)
    assert path == pdf and files.ingested_bytes(doc, path) == pdf.read_bytes()
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-1.4 not for the browser")
    pdf.unlink()
    pdf.symlink_to(secret)
    assert files.ingested_bytes(doc, pdf) is None


# ------------------------------------------------------------------ adding documents


def test_uploads_report_added_and_failed(tmp_path: Path, pipelines: dict[str, Any]) -> None:
    index = tmp_path / "index"
    note = "Camp notes\n\nOn 2 March 2022 the police cleared the camp near the canal in Grande-Synthe.\n"
    seen: list[tuple[int, int, str]] = []
    results = files.ingest_uploads(
        [("../../notes.txt", note.encode()), ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf")],
        index,
        pipelines,
        lambda done, total, name: seen.append((done, total, name)),
    )
    by_name = {r.name: r for r in results}
    assert by_name["notes.txt"].status == "added"
    assert by_name["broken.pdf"].status == "failed" and by_name["broken.pdf"].reason
    assert (tmp_path / "uploads" / "notes.txt").is_file()
    assert seen[0] == (0, 2, "notes.txt") and seen[-1] == (2, 2, "")
    assert Searcher(index).search("canal").total == 1
    again = files.ingest_uploads([("notes.txt", note.encode())], index, pipelines)
    assert [r.status for r in again] == ["unchanged"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("report.pdf", "report.pdf"), ("../../etc/passwd", "passwd"), ("a\\b\\c.txt", "c.txt"), (".hidden", None),
     ("", None), ("..", None)],
)
def test_safe_name(name: str, expected: str | None) -> None:
    assert files.safe_name(name) == expected


def test_the_sidebar_offers_adding_documents(app: AppTest) -> None:
    assert any(e.label == "Add documents" for e in app.sidebar.expander)
    assert app.button(key="ingest-uploads").disabled
