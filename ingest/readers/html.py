"""HTML: visible text with block elements as line breaks; scripts, styles and navigation dropped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from ingest.readers.text import decode, pages_of
from ingest.records import IngestError, Metadata, RawDocument

_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
    "article", "blockquote", "pre", "header", "footer", "dd", "dt", "hr", "figcaption", "td", "th",
}
_SKIP = {"script", "style", "noscript", "template", "svg", "head", "nav"}
_DATE_META = {"date", "dc.date", "dcterms.date", "article:published_time", "citation_date", "citation_publication_date"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.in_title = False
        self.in_h1 = False
        self.title = ""
        self.h1 = ""
        self.meta: dict[str, str] = {}
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html" and attr.get("lang"):
            self.lang = attr["lang"][:2].lower()
        if tag == "meta":
            key = (attr.get("name") or attr.get("property") or "").lower()
            if key and attr.get("content"):
                self.meta.setdefault(key, attr["content"])
        if tag == "title":
            self.in_title = True
        if tag == "h1":
            self.in_h1 = True
        if tag in _SKIP:
            self.skip_depth += 1
        if tag in _BLOCK:
            self.parts.append("\n\n" if tag in {"p", "h1", "h2", "h3", "h4", "blockquote", "li"} else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "h1":
            self.in_h1 = False
        if tag in _SKIP and self.skip_depth:
            self.skip_depth -= 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        if self.skip_depth:
            return
        if self.in_h1:
            self.h1 += data
        self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, _TextExtractor]:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n"), parser


def read(path: Path) -> list[RawDocument]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    text, parser = html_to_text(decode(data, str(path)))
    if not text.strip():
        raise IngestError(str(path), "no visible text in HTML")
    date = next((parser.meta[k] for k in _DATE_META if k in parser.meta), None)
    metadata = Metadata(
        title=(parser.title.strip() or parser.h1.strip() or None),
        date=date[:10] if date else None,
        publisher=parser.meta.get("author") or parser.meta.get("og:site_name"),
        language=parser.lang,
        url=parser.meta.get("og:url"),
    )
    return [RawDocument(source=str(path), format="html", pages=pages_of(text), metadata=metadata)]
