"""HTML and text for the Streamlit UI, kept apart from the widgets so it can be tested without a browser.

Everything a document supplies (titles, text, footnotes, entity names, publishers) goes through
`html.escape` here before the app puts it in `unsafe_allow_html` markdown. The one exception is
`Hit.snippet`, which `index.search` already escapes (matches wrapped in <mark>).

The HTML we produce is a single line: Streamlit's markdown treats a line opening with `<div` as a raw HTML
block only until the next blank line, after which document text would be read as markdown again.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from index.search import Hit

LANGUAGES = {"en": "English", "fr": "French"}
FACET_LABELS = {
    "org": "Organisation",
    "place": "Place",
    "person": "Person",
    "kind": "Kind",
    "lang": "Language",
}
ENTITY_LABELS = {"PERSON": "People", "ORG": "Organisations", "PLACE": "Places", "DATE": "Dates"}
# Text shown around a passage in documents without pages: a little before (so the passage sits near the top
# of the view, where it is seen without scrolling), more after.
CONTEXT_BEFORE = 600
CONTEXT_AFTER = 1500

Span = tuple[int, int]


# Control characters a document may carry: C0 controls (tab and line ends aside), DEL, and the bidi
# embeddings, overrides and isolates that can make "gnp.exe" display as "exe.png".
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␇, ␛: Unicode's pictures of the C0 controls
    return "\u2421" if code == 0x7F else f"[U+{code:04X}]"


def visible_controls(text: str) -> str:
    """Control characters shown as visible signs rather than acted on (a bell, an escape, a bidi override)."""
    return _CONTROLS.sub(_control_picture, text)


def esc(text: object) -> str:
    """Text made safe for HTML, with `$` written as an entity so the markdown renderer never reads it as math,
    and control characters shown, not obeyed."""
    return html.escape(visible_controls(str(text))).replace("$", "&#36;")


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code or "unknown language")


def page_label(page: int | None) -> str:
    """ "p. 12", or nothing for a document without pages."""
    return f"p. {page}" if page is not None else ""


def one_line(snippet: str) -> str:
    """A snippet on one line: its own newlines would end the raw HTML block."""
    return visible_controls(re.sub(r"\s+", " ", snippet).strip())


def hit_meta(hit: Hit) -> list[str]:
    """The facts shown under a result's title, plain text, in reading order."""
    parts = [hit.date or "undated", page_label(hit.page)]
    if hit.section == "footnote":
        parts.append("footnote " + ", ".join(str(n) for n in hit.footnotes) if hit.footnotes else "footnote")
    parts += [hit.publisher or "", language_name(hit.lang)]
    return [p for p in parts if p]


def ocr_badge(hit: Hit) -> str:
    """ "text from OCR" on a passage read from a page image, with the engine's confidence as a tooltip."""
    if not hit.ocr:
        return ""
    confidence = hit.ocr_confidence
    tip = f"OCR mean word confidence {confidence:.0f}/100" if confidence is not None else "read by OCR"
    return f' <span class="tm-badge tm-ocr" title="{esc(tip)}">text from OCR</span>'


def hit_html(hit: Hit) -> str:
    """One result: title, kind badge (and "text from OCR") and facts, then the highlighted snippet."""
    meta = " · ".join(esc(p) for p in hit_meta(hit))
    return (
        f'<div class="tm-hit"><div class="tm-title">{esc(hit.title)}</div>'
        f'<div class="tm-meta"><span class="tm-badge">{esc(hit.kind)}</span>{ocr_badge(hit)} {meta}</div>'
        f'<div class="tm-snippet">{one_line(hit.snippet)}</div></div>'
    )


def snippet_terms(snippet: str) -> tuple[str, ...]:
    """The words the search matched, as the snippet marked them (longest first, for the regex)."""
    found = {html.unescape(t).strip() for t in re.findall(r"<mark>(.*?)</mark>", snippet, flags=re.DOTALL)}
    return tuple(sorted(found - {""}, key=lambda t: (-len(t), t)))


def marked_html(text: str, span: Span, passage: Span | None, terms: tuple[str, ...] = ()) -> str:
    """`text[span]` escaped, line breaks kept as <br>; the part inside `passage` shaded, and within it the
    matched `terms` in <mark>."""
    start, end = span
    cuts = {start, end}
    shade: Span | None = None
    marks: list[Span] = []
    if passage is not None and passage[0] < end and passage[1] > start:
        shade = (max(passage[0], start), min(passage[1], end))
        cuts.update(shade)
        if terms:
            pattern = re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE
            )
            marks = [(m.start(), m.end()) for m in pattern.finditer(text, shade[0], shade[1])]
            cuts.update(x for m in marks for x in m)
    bounds = sorted(cuts)
    pieces = []
    for a, b in itertools.pairwise(bounds):
        piece = _lines(text[a:b])
        if any(m0 <= a and b <= m1 for m0, m1 in marks):
            piece = f"<mark>{piece}</mark>"
        if shade is not None and shade[0] <= a and b <= shade[1]:
            piece = f'<span class="tm-passage">{piece}</span>'
        pieces.append(piece)
    return "".join(pieces)


def _lines(text: str) -> str:
    return esc(text).replace("\n", "<br>")


# ------------------------------------------------------------------ the document view


@dataclass(frozen=True, slots=True)
class PageView:
    """What the document view shows for one hit: body spans, the footnotes that belong with them, a heading."""

    heading: str
    body: tuple[Span, ...]
    footnotes: tuple[dict[str, Any], ...]
    whole: Span  # from the first character shown to the last, for choosing entities


def page_numbers(record: dict[str, Any]) -> list[int]:
    """The physical pages a document has, in order (empty when its format has none)."""
    return sorted({p for p, _s, _e in record["document"].get("page_spans", []) if p is not None})


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _without(spans: list[Span], holes: list[Span]) -> list[Span]:
    """`spans` with the `holes` cut out (footnotes are shown apart from the body)."""
    out: list[Span] = []
    for start, end in spans:
        pos = start
        for h0, h1 in sorted(holes):
            if h1 <= pos or h0 >= end:
                continue
            if h0 > pos:
                out.append((pos, h0))
            pos = max(pos, h1)
        if pos < end:
            out.append((pos, end))
    return [(s, e) for s, e in out if e > s]


def page_view(
    record: dict[str, Any],
    page: int | None,
    passage: Span,
    whole_document: bool = False,
    cited: tuple[int, ...] = (),
) -> PageView:
    """The text to show around a passage: its page when the document has pages, else the paragraphs around
    it (or the whole text). Footnotes of that page (or cited by the passage) are listed apart."""
    doc = record["document"]
    text: str = doc["text"]
    footnotes: list[dict[str, Any]] = record.get("footnotes", [])
    spans = [(s, e) for p, s, e in doc.get("page_spans", []) if p is not None and p == page]
    if spans:
        notes = [f for f in footnotes if f.get("page") == page]
        heading = f"Page {page}"
    else:
        window = (0, len(text)) if whole_document else context_window(text, passage)
        spans = [window]
        notes = [f for f in footnotes if f["number"] in cited or _overlaps((f["start"], f["end"]), window)]
        heading = "Whole document" if whole_document or window == (0, len(text)) else "Around the passage"
    body = _without(spans, [(f["start"], f["end"]) for f in notes])
    whole = (min(s for s, _ in spans), max(e for _, e in spans))
    return PageView(heading, tuple(body), tuple(sorted(notes, key=lambda f: f["number"])), whole)


def context_window(
    text: str, passage: Span, before: int = CONTEXT_BEFORE, after: int = CONTEXT_AFTER
) -> Span:
    """The passage with up to `before` characters before it and `after` after it, cut at paragraph breaks."""
    lo = max(passage[0] - before, 0)
    hi = min(passage[1] + after, len(text))
    if lo > 0:
        para = text.find("\n\n", lo, passage[0])
        lo = para + 2 if para != -1 else lo
    if hi < len(text):
        para = text.rfind("\n\n", passage[1], hi)
        hi = para if para != -1 else hi
    while lo < passage[0] and text[lo].isspace():
        lo += 1
    while hi > passage[1] and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def page_html(record: dict[str, Any], view: PageView, passage: Span, terms: tuple[str, ...] = ()) -> str:
    """The body text of a view, escaped, the passage shaded; gaps between spans shown as paragraph breaks."""
    text = record["document"]["text"]
    parts = [marked_html(text, span, passage, terms) for span in view.body]
    return '<div class="tm-page">' + "<br><br>".join(p for p in parts if p.strip()) + "</div>"


def footnotes_html(
    record: dict[str, Any], view: PageView, passage: Span, cited: tuple[int, ...], terms: tuple[str, ...] = ()
) -> str:
    """The footnotes of a view as a list; those the passage cites are emphasised, a footnote hit is shaded."""
    text = record["document"]["text"]
    items = []
    for note in view.footnotes:
        body = marked_html(text, (note["start"], note["end"]), passage, terms)
        css = ' class="tm-cited"' if note["number"] in cited else ""
        items.append(f'<li{css}><span class="tm-fn">{int(note["number"])}</span> {body}</li>')
    return '<div class="tm-notes-head">Footnotes</div><ol class="tm-notes">' + "".join(items) + "</ol>"


def entity_counts(record: dict[str, Any], within: Span | None = None) -> dict[str, list[tuple[str, int]]]:
    """Entity names by label, most mentioned first; only mentions inside `within` when it is given.
    Dates are shown as the ISO value they were read as, when there is one."""
    counts: dict[str, Counter[str]] = {}
    for m in record.get("mentions", []):
        if within is not None and not (within[0] <= m["start"] < within[1]):
            continue
        name = (m.get("value") or m["name"]) if m["label"] == "DATE" else m["name"]
        counts.setdefault(m["label"], Counter())[name] += 1
    ordered = [lab for lab in ENTITY_LABELS if lab in counts] + sorted(set(counts) - set(ENTITY_LABELS))
    return {lab: sorted(counts[lab].items(), key=lambda kv: (-kv[1], kv[0])) for lab in ordered}


def entities_html(entities: dict[str, list[tuple[str, int]]]) -> str:
    rows = []
    for label, names in entities.items():
        chips = "".join(
            f'<span class="tm-chip">{esc(name)}' + (f" <small>×{n}</small>" if n > 1 else "") + "</span>"
            for name, n in names
        )
        rows.append(f'<div class="tm-ents"><b>{esc(ENTITY_LABELS.get(label, label))}</b> {chips}</div>')
    return "".join(rows)


def metadata_html(doc: dict[str, Any]) -> str:
    """The document's record as a small table; a URL becomes a link only when it is http(s)."""
    url = doc.get("url") or ""
    link = (
        f'<a href="{esc(url)}" target="_blank" rel="noopener">{esc(url)}</a>'
        if re.match(r"https?://", url)
        else esc(url)
    )
    rows = [
        ("Kind", doc.get("kind")),
        ("Date", doc.get("date") or "undated"),
        ("Publisher", doc.get("publisher") or "unknown"),
        ("Language", language_name(doc.get("language") or "")),
        ("Pages", doc.get("pages") or "no page numbers"),
        ("Source", doc.get("source")),
    ]
    cells = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    if url:
        cells += f"<tr><th>URL</th><td>{link}</td></tr>"
    cells += f"<tr><th>Id</th><td><code>{esc(doc.get('id', ''))}</code></td></tr>"
    return f'<table class="tm-metadata">{cells}</table>'


# ------------------------------------------------------------------ testimonies and rulings


def md_escape(text: object) -> str:
    """Text for a widget label, which Streamlit reads as markdown: every markdown sign taken literally."""
    text = visible_controls(" ".join(str(text).split()))
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", text)


def quote_date(date: str | None, source: str, footnote: int | None = None) -> str:
    """When the words were said, and where that date comes from when it is not the testimony's own."""
    if not date or source == "none":
        return "undated"
    if source == "document":
        return f"{date} (date of the document: the testimony gives none)"
    if source == "footnote" and footnote is not None:
        return f"{date} (footnote {footnote})"
    return date


def quote_html(hit: Any) -> str:
    """A testimony card: the words large, then who said them, where and when, then the source."""
    who = f'<b>{esc(hit.speaker)}</b>' if hit.speaker else "<i>Unnamed witness</i>"
    if hit.speaker_description:
        who += f", {esc(hit.speaker_description)}"
    when = [p for p in (hit.place, quote_date(hit.date, hit.date_source, hit.footnote)) if p]
    source = [p for p in (hit.title, hit.publisher, page_label(hit.page)) if p]
    return (
        f'<div class="tm-quote"><div class="tm-qtext">“{_lines(hit.quote.strip())}”</div>'
        f'<div class="tm-who">{who}</div>'
        f'<div class="tm-meta">{" · ".join(esc(p) for p in when)}</div>'
        f'<div class="tm-src">{" · ".join(esc(p) for p in source)}</div></div>'
    )


def ruling_title(court: str | None, date: str | None, number: str | None, name: str | None = None) -> str:
    """ "Conseil d'État, 2017-07-31, n° 412125 (Name)", plain text."""
    parts = [court or "Unknown court", date or "undated"] + ([f"n° {number}"] if number else [])
    return ", ".join(parts) + (f" ({name})" if name else "")


def ruling_html(hit: Any) -> str:
    """A ruling: court, date, number and name; whether the index holds it; how often it is cited."""
    docs = len({c.doc_id for c in hit.cited_by})
    cited = (
        f"cited {hit.citations} time{'s' if hit.citations != 1 else ''} in {docs} "
        f"document{'s' if docs != 1 else ''}"
        if hit.citations
        else "not cited by other documents"
    )
    badge = "in the index" if hit.in_index else "not in the index"
    title = ruling_title(hit.court, hit.date, hit.number, hit.name)
    return (
        f'<div class="tm-hit"><div class="tm-title">{esc(title)}'
        f'</div><div class="tm-meta"><span class="tm-badge">{badge}</span> {esc(cited)}</div></div>'
    )


def ruling_info_html(ruling: dict[str, Any]) -> str:
    """A ruling document's own particulars, as a small table."""
    rows = [
        ("Court", ruling.get("court")),
        ("Date", ruling.get("date") or "undated"),
        ("Number", ", ".join(ruling.get("numbers") or []) or "none found"),
        ("ECLI", ruling.get("ecli")),
        ("Name", ruling.get("name")),
        ("Decision", ruling.get("decision")),
    ]
    cells = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows if v)
    return f'<table class="tm-metadata tm-ruling">{cells}</table>'


def first_words(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
