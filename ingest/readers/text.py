"""Plain text and Markdown: decoding with a declared fallback order, pages split on form feeds."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ingest.records import IngestError, Metadata, RawDocument, RawPage, metadata_from_json

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)
# A leading block of `key: value` lines, as some exports put before the text (case_id, promulgation_date …).
_HEADER_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_ -]{0,30}):[ \t]*(.*)$")
_HEADER_KEYS = {
    "title": "title",
    "date": "date",
    "promulgation_date": "date",
    "decision_date": "date",
    "published": "date",
    "url": "url",
    "publisher": "publisher",
    "author": "publisher",
    "kind": "kind",
    "case_id": "title",
    "language": "language",
    "lang": "language",
}


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
MAX_CONTROL_SHARE = 0.05  # text has tabs, newlines and form feeds, and very few other control characters


def decode(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, UTF-16 LE/BE without BOM when NULs say so, then cp1252;
    refused when the result is mostly control characters (binary data that happened to decode)."""
    text = _decode(data, path)
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > MAX_CONTROL_SHARE * len(sample):
        raise IngestError(path, "binary data, not text (control characters)")
    return text


def _decode(data: bytes, path: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", path)
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(0) > len(sample) // 4:
        # Text in UTF-16 with no BOM: ASCII characters leave every other byte NUL.
        odd_nuls = sample[1::2].count(0)
        even_nuls = sample[0::2].count(0)
        encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
        return _strict(data, encoding, path)
    if b"\x00" in sample:
        raise IngestError(path, "binary data, not text (NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise IngestError(path, "not valid UTF-8 or cp1252") from exc


def _strict(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"not valid {encoding.upper()} text (byte {exc.start})") from exc


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file: {exc.strerror or exc}") from exc


def split_header(text: str) -> tuple[Metadata, str]:
    """Metadata from YAML-like front matter or a leading `key: value` block, and the text after it.

    The document's text starts after the header: spans point into the extracted text, not the raw file.
    """
    match = _FRONT_MATTER.match(text)
    if match:
        block, end = match.group(1), match.end()
    else:
        lines = text.split("\n")
        count = 0
        for line in lines:
            if not _HEADER_LINE.match(line.rstrip("\r")):
                break
            count += 1
        if count == 0 or (count < len(lines) and lines[count].strip()):
            return Metadata(), text
        block = "\n".join(lines[:count])
        end = len(block)
        if not any(_HEADER_LINE.match(l).group(1).strip().lower() in _HEADER_KEYS for l in lines[:count]):  # type: ignore[union-attr]
            return Metadata(), text
    fields: dict[str, str] = {}
    for line in block.splitlines():
        m = _HEADER_LINE.match(line.strip())
        if m and m.group(1).strip().lower() in _HEADER_KEYS:
            value = m.group(2).strip().strip("\"'")
            fields.setdefault(_HEADER_KEYS[m.group(1).strip().lower()], value)
    return metadata_from_json(fields), text[end:].lstrip("\r\n")


def pages_of(text: str) -> tuple[RawPage, ...]:
    """Form feeds mark pages; text without them has no page numbers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" not in text:
        return (RawPage(number=None, text=text),)
    parts = text.split("\f")
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return tuple(RawPage(number=i + 1, text=p) for i, p in enumerate(parts))


def read_text(path: Path) -> list[RawDocument]:
    text = decode(_read_bytes(path), str(path))
    metadata, body = split_header(text)
    if not body.strip():
        raise IngestError(str(path), "no text in file")
    return [RawDocument(source=str(path), format="text", pages=pages_of(body), metadata=metadata)]


# Pandoc's attributes, as its conversion of web pages leaves them after images, links, spans and headings:
# "{.wp-image-64680 width="398" height="211"}", "{#un-acte-inacceptable .article__sub-title}". Read as words
# they put "wp-image-64680 width 398" into passages and snippets (58 passages of the shared corpus's press).
_ATTRIBUTE = r"(?:[.#][\w:-]+|[\w-]+=(?:\"[^\"\n]*\"|[^\s}]+))"
_ATTRIBUTES = rf"\{{[ \t]*{_ATTRIBUTE}(?:[ \t]+{_ATTRIBUTE})*[ \t]*\}}"

_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[ \t]*:{3,}.*$", re.M), ""),  # pandoc's fenced divs ("::: {.note}", ":::")
    (re.compile(rf"(?<!!)\[([^\]\n]+)\]{_ATTRIBUTES}"), r"\1"),  # pandoc's bracketed spans: keep the words
    (re.compile(_ATTRIBUTES), ""),  # the attributes of an image, a link or a heading
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: keep the alt text
    (re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)"), r"\1"),  # links: keep the words
    # [ \t], not \s: \s also matches a line's end, and a blank line before a heading or a block quote was
    # taken with its mark, gluing the heading or the quotation onto the paragraph above it
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.M), ""),  # heading marks
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),  # block quotes; an empty ">" line stays a blank line
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)"), r"\1"),  # italics
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!'\"|<>~])"), r"\1"),  # escapes
    (re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$", re.M), ""),  # horizontal rules
)


def markdown_to_text(markdown: str) -> str:
    """Markdown as the words a reader sees: marks removed, links and emphasis kept as their text."""
    text = markdown
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return text


def first_markdown_heading(markdown: str) -> str | None:
    m = re.search(r"^[ \t]{0,3}#[ \t]+(.+?)[ \t]*#*[ \t]*$", markdown, re.M)
    return m.group(1).strip() if m else None


def read_markdown(path: Path) -> list[RawDocument]:
    text = decode(_read_bytes(path), str(path))
    metadata, body = split_header(text)
    heading = first_markdown_heading(body)
    if heading and not metadata.title:
        metadata = Metadata(title=markdown_to_text(heading)).merged_over(metadata)
    plain = markdown_to_text(body)
    if not plain.strip():
        raise IngestError(str(path), "no text in file")
    return [RawDocument(source=str(path), format="markdown", pages=pages_of(plain), metadata=metadata)]
