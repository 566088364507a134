"""Readers on realistic bytes: encodings, formats, broken files, and the real PDFs beside the project."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from ingest.readers import read
from ingest.readers.text import decode
from ingest.records import IngestError, Kind
from tests.conftest import DEMO, SHARED, needs_shared

FRENCH = "Le juge des référés a ordonné à l’État de créer des points d’eau à Calais, « sans délai »."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (FRENCH.encode("utf-8"), FRENCH),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), FRENCH),
        (FRENCH.encode("utf-16"), FRENCH),  # with BOM
        (FRENCH.encode("utf-16-le"), FRENCH),  # no BOM: NUL bytes tell
        (FRENCH.encode("utf-16-be"), FRENCH),
        ("Le député a déclaré : “c’est inacceptable”".encode("cp1252"), "Le député a déclaré : “c’est inacceptable”"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le-nobom", "utf16be-nobom", "cp1252"],
)
def test_decode_encodings(data: bytes, expected: str) -> None:
    assert decode(data, "x.txt") == expected


def test_decode_refuses_binary() -> None:
    with pytest.raises(IngestError, match="binary"):
        decode(b"\x00\x01\x02\x03garbage" * 10 + b"\xff\xfe\x00", "blob.txt")


def test_decode_invalid_cp1252_byte() -> None:
    # 0x81 is undefined in cp1252 and invalid as UTF-8 here
    with pytest.raises(IngestError, match="not valid UTF-8 or cp1252"):
        decode("abc déf".encode("latin-1") + b"\x81", "x.txt")


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_markdown_front_matter_and_marks(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "article.md",
        '---\ntitle: "À Calais, les tentes saisies"\nurl: http://example.org/a\n---\n'
        "**Calais** -- « On nous a pris les tentes », raconte [Ahmed](http://x.org).\n\n> Une citation.\n",
    )
    doc = read(path)[0]
    assert doc.metadata.title == "À Calais, les tentes saisies"
    assert doc.metadata.url == "http://example.org/a"
    text = doc.pages[0].text
    assert "**" not in text and "](" not in text
    assert "Calais -- « On nous a pris les tentes », raconte Ahmed." in text
    assert doc.pages[0].number is None


def test_markdown_headings_and_block_quotes_stay_paragraphs_of_their_own(tmp_path: Path) -> None:
    """The marks' patterns took the blank line before a heading or a block quote with the mark, gluing the
    heading or the quotation onto the paragraph above, and an empty ">" line with the line after it."""
    path = _write(
        tmp_path,
        "report.md",
        "# Evictions\n\nThe first paragraph ends here.\n\n## Conditions in the camp\n\nThe camp had no water.\n\n"
        "> “They cut the tents,” he said.\n>\n> “We slept in the rain.”\n\n* * *\n\nThe last paragraph.\n",
    )
    paragraphs = [p.strip() for p in read(path)[0].pages[0].text.split("\n\n") if p.strip()]
    assert paragraphs == [
        "Evictions", "The first paragraph ends here.", "Conditions in the camp", "The camp had no water.",
        "“They cut the tents,” he said.", "“We slept in the rain.”", "The last paragraph.",
    ]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [  # pandoc's attributes, as its conversion of web pages leaves them, are not words of the document
        ('Voir ![](http://x.org/a.png){.wp-image-64680 width="398" height="211"}Le juge', "Voir Le juge"),
        ("la [Grèce](/tags/grece){.surligner} doit", "la Grèce doit"),
        ("## Un acte inacceptable {#un-acte-inacceptable .article__sub-title}", "Un acte inacceptable"),
        ("[Par Ahmed]{.author .fn} a écrit", "Par Ahmed a écrit"),
        ('![](a.png){width="300" height="301"}', ""),
        ("::: {.encadre}\nLe texte.\n:::", "Le texte."),
        ("un ensemble {x} et un ratio {3:2} restent", "un ensemble {x} et un ratio {3:2} restent"),
    ],
)
def test_markdown_pandoc_attributes_are_not_text(tmp_path: Path, markdown: str, expected: str) -> None:
    path = _write(tmp_path, "article.md", "Titre\n\n" + markdown + "\n\nFin.\n")
    text = read(path)[0].pages[0].text
    assert [p.strip() for p in text.split("\n\n") if p.strip()] == ["Titre", *([expected] if expected else []), "Fin."]


def test_header_block_metadata(tmp_path: Path) -> None:
    path = _write(tmp_path, "d.txt", "case_id: [2019] UKUT 197\npromulgation_date: 2019-06-07\n\nUpper Tribunal text.")
    doc = read(path)[0]
    assert doc.metadata.date == "2019-06-07"
    assert doc.pages[0].text.strip() == "Upper Tribunal text."


def test_html_drops_scripts_keeps_blocks(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "page.html",
        "<html lang='fr'><head><title>Décision n° 12</title><script>var x = 'hidden';</script></head>"
        "<body><nav>Menu</nav><h1>Décision</h1><p>Premier paragraphe.</p><p>Second&nbsp;paragraphe &amp; fin.</p></body></html>",
    )
    doc = read(path)[0]
    assert doc.metadata.title == "Décision n° 12"
    assert doc.metadata.language == "fr"
    text = doc.pages[0].text
    assert "hidden" not in text and "Menu" not in text
    assert "Premier paragraphe.\n\nSecond\xa0paragraphe & fin." in text


def test_form_feeds_are_pages(tmp_path: Path) -> None:
    doc = read(_write(tmp_path, "p.txt", "page one\fpage two\f"))[0]
    assert [(p.number, p.text) for p in doc.pages] == [(1, "page one"), (2, "page two")]


def test_json_decisions_one_document_each(tmp_path: Path) -> None:
    decisions = {"results": [
        {"id": "a", "jurisdiction": "Cour de cassation", "chamber": "Chambre criminelle", "number": "19-13.124",
         "decision_date": "2020-03-04", "text": "LA COUR DE CASSATION ... Rejette le pourvoi."},
        {"id": "b", "jurisdiction": "Cour de cassation", "decision_date": "2021-01-05", "summary": "Résumé seul."},
    ]}
    docs = read(_write(tmp_path, "export.json", json.dumps(decisions)))
    assert [d.part for d in docs] == [0, 1]
    assert docs[0].metadata.kind is Kind.RULING
    assert docs[0].metadata.date == "2020-03-04"
    assert "n° 19-13.124" in (docs[0].metadata.title or "")
    assert docs[1].pages[0].text == "Résumé seul."


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.pdf", b"", "empty file"),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 200, "not a PDF"),
        ("truncated.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "damaged PDF"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a .txt file"),
        ("broken.json", b'{"text": "unterminated', "invalid JSON"),
        ("notes.docx", b"whatever", "unsupported file type .docx"),
    ],
)
def test_bad_files_fail_with_a_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    with pytest.raises(IngestError) as info:
        read(_write(tmp_path, name, data))
    assert reason in info.value.reason
    assert info.value.path.endswith(name)


def test_encrypted_pdf_is_reported(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Confidential testimony")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(IngestError, match="encrypted PDF"):
        read(path)


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    fpdf = pytest.importorskip("fpdf")
    from PIL import Image  # fpdf2 depends on Pillow

    image = tmp_path / "scan.png"
    Image.new("RGB", (200, 100), "white").save(image)
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=100)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(IngestError, match="needs OCR"):
        read(path)


@needs_shared
@pytest.mark.parametrize("name", ["2007-campaiging.pdf", "2007-countries.pdf"])
def test_damaged_shared_pdfs_fail(name: str) -> None:
    with pytest.raises(IngestError, match="damaged PDF"):
        read(SHARED / "pdf" / "amnesty" / name)


@needs_shared
def test_shared_pdf_pages_are_numbered() -> None:
    doc = read(SHARED / "pdf" / "fixtures" / "federal-register-2020-17221.pdf")[0]
    assert [p.number for p in doc.pages] == list(range(1, 16))
    assert doc.metadata.date == "2020-08-06"
    assert all(p.text.strip() for p in doc.pages)


def test_demo_pdf_reads() -> None:
    pdfs = sorted(DEMO.glob("*.pdf"))
    assert pdfs, "the demo corpus has a PDF report"
    doc = read(pdfs[0])[0]
    assert len(doc.pages) >= 3
    assert doc.metadata.title
