"""The evidence pack: the quotes and passages a user ticked, as a Markdown or a Word (DOCX) file ready to
paste into a brief. Plain functions over plain dicts, so they are tested without Streamlit.

Each item says what was said (or written), by whom, where, when, and on which page of which document, with
the citation to paste for a testimony. Document text goes in as text: the Markdown escapes what a reader
would take for markup, and the DOCX holds it in runs, never as markup.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from index.evidence import QuoteHit, citation_text
from index.search import Hit

FIELDS = (
    ("Speaker", "speaker"), ("Place", "place"), ("Date", "date"), ("Document", "title"),
    ("Publisher", "publisher"), ("Page", "page"),
)

_MD_SIGNS = re.compile(r"([\\`*_\[\]<>])")
_LINE_START = re.compile(r"^(\s*)([#+\-]|\d+[.)])(?=\s|$)")


def md_text(text: object) -> str:
    """Text for the Markdown file, read as written: emphasis, link, code and HTML signs escaped, and a line
    that would open a heading or list escaped at its start; nothing else."""
    lines = []
    for line in str(text).splitlines() or [""]:
        line = _MD_SIGNS.sub(r"\\\1", line)
        lines.append(_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line))
    return "\n".join(lines)


def passage_item(hit: Hit) -> dict[str, Any]:
    return {
        "kind": "passage", "text": hit.text, "speaker": None, "place": ", ".join(hit.places) or None,
        "date": hit.date, "title": hit.title, "publisher": hit.publisher, "page": hit.page,
        "doc_id": hit.doc_id, "citation": None,
    }


def quote_item(hit: QuoteHit) -> dict[str, Any]:
    who = hit.speaker or "Unnamed witness"
    if hit.speaker_description:
        who += f", {hit.speaker_description}"
    return {
        "kind": "quote", "text": hit.quote, "speaker": who, "place": hit.place, "date": hit.date,
        "title": hit.title, "publisher": hit.publisher, "page": hit.page, "doc_id": hit.doc_id,
        "citation": citation_text(hit),
    }


def pack_markdown(items: Sequence[dict[str, Any]], today: str | None = None) -> str:
    """The evidence pack: each quote or passage in a blockquote, then who, where, when and which page of
    which document; for a testimony, the citation ready to paste."""
    out = ["# Evidence pack", "", _intro(items, today)]
    for i, item in enumerate(items, 1):
        out += ["", f"## {_heading(i, item, md_text)}", ""]
        out += ["> " + line if line else ">" for line in md_text(item["text"]).split("\n")]
        out.append("")
        out += [f"- {label}: {md_text(value)}" for label, value in _fields(item)]
        if item.get("citation"):
            out += ["", f"Citation: {md_text(item['citation'])}"]
    return "\n".join(out) + "\n"




def _intro(items: Sequence[dict[str, Any]], today: str | None) -> str:
    n = len(items)
    return f"{n} item{'s' if n != 1 else ''} selected in Temoin on {today or date.today().isoformat()}."


def _heading(i: int, item: dict[str, Any], text: Callable[[object], str]) -> str:
    kind = "Testimony" if item["kind"] == "quote" else "Passage"
    return f"{i}. {kind}: {text(item.get('title') or 'Untitled')}"


def _fields(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(label, str(item[key])) for label, key in FIELDS if item.get(key) not in (None, "")]


# Characters XML 1.0 cannot hold (C0 controls but tab, newline and return; lone surrogates; U+FFFE/FFFF):
# a document may carry them, a Word file may not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text a Word file can hold: characters XML forbids replaced by U+FFFD, so nothing is silently lost."""
    return _NOT_XML.sub("\ufffd", str(value))


def pack_docx(items: Sequence[dict[str, Any]], today: str | None = None) -> bytes:
    """The same pack as a Word document: a heading per item, the words in Word's Quote style, the fields
    as a bulleted list, the citation in its own paragraph. Text goes into runs, so nothing in it is markup."""
    from docx import Document  # python-docx: imported here so the UI starts without loading it

    doc = Document()
    doc.core_properties.title = "Evidence pack"
    doc.core_properties.author = "Temoin"
    doc.add_heading("Evidence pack", level=1)
    doc.add_paragraph(_intro(items, today))
    for i, item in enumerate(items, 1):
        doc.add_heading(_heading(i, item, xml_text), level=2)
        for line in str(item["text"]).splitlines() or [""]:
            doc.add_paragraph(xml_text(line), style="Quote")
        for label, value in _fields(item):
            para = doc.add_paragraph(style="List Bullet")
            para.add_run(f"{label}: ").bold = True
            para.add_run(xml_text(value))
        if item.get("citation"):
            para = doc.add_paragraph()
            para.add_run("Citation: ").bold = True
            para.add_run(xml_text(item["citation"]))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
