"""The Testimonies and Rulings views, and the document view's list of a document's testimonies and rulings.

Data comes from `index.evidence` under the shared index lock; HTML from `search_app.ui_render`, which escapes
what documents contain. Widget labels built from document text go through `ui_render.md_escape`, because
Streamlit reads labels as markdown.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from index.evidence import QuoteHit, RulingHit, citation_text, list_rulings, search_quotes
from index.search import QueryError, Searcher
from search_app import ui_export as export
from search_app import ui_render as ui
from search_app import ui_semantic as semantic
from search_app.evidence_pack import quote_item
from search_app.ui_state import SharedIndex, open_span

STEP = 20  # testimonies or rulings added by each "Show more"
DATE_HELP = "YYYY, YYYY-MM or YYYY-MM-DD."


@dataclass
class EvidenceScreen:
    """One run of the Testimonies or Rulings view."""

    stats: dict[str, int]
    record: dict[str, Any] | None = None
    total: int = 0
    quotes: list[QuoteHit] = field(default_factory=list)
    rulings: list[RulingHit] = field(default_factory=list)
    everything: list[Any] = field(default_factory=list)  # all that match, up to EXPORT_LIMIT
    error: str | None = None


@st.cache_data(show_spinner=False, max_entries=8)
def quote_facets(path: str, generation: int, _searcher: Searcher) -> dict[str, list[tuple[str, int]]]:
    """Places and organisations of the testimonies, most frequent first, once per index generation."""
    counts: dict[str, Counter[str]] = {"place": Counter(), "org": Counter()}
    for stored in _searcher.stored("quote"):
        for name, counter in counts.items():
            counter.update(v for v in (stored.get(name) or "").split(",") if v.strip())
    return {name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) for name, c in counts.items()}


@st.cache_data(show_spinner=False, max_entries=8)
def ruling_courts(path: str, generation: int, _searcher: Searcher) -> list[str]:
    """The courts of every ruling the index holds or cites, once per index generation."""
    _total, rulings = list_rulings(_searcher, limit=1_000_000)
    return sorted({r.court for r in rulings if r.court})


def quote_key(doc_id: str, passage_id: str | None, text: str) -> str:
    """The same name for a testimony whether it is opened from the list or from its document."""
    return f"quote:{doc_id}:{passage_id}:{zlib.crc32(text.encode('utf-8')):08x}"


def _limit(name: str, signature: tuple[Any, ...]) -> int:
    """How many to show: STEP, and STEP more per "Show more"; back to STEP when the search changes."""
    ss = st.session_state
    if ss.get(f"{name}_signature") != signature:
        ss[f"{name}_signature"] = signature
        ss[f"{name}_limit"] = STEP
    return int(ss.get(f"{name}_limit", STEP))


def _show_more(name: str) -> None:
    st.session_state[f"{name}_limit"] = int(st.session_state.get(f"{name}_limit", STEP)) + STEP


def _date(key: str) -> str | None:
    return (st.session_state.get(key) or "").strip() or None


# ------------------------------------------------------------------ callbacks


def open_quote(shared: SharedIndex, hit: QuoteHit) -> None:
    """Open the document at the testimony, its words shaded."""
    key = quote_key(hit.doc_id, hit.passage_id, hit.quote)
    with shared.lock:
        record = shared.searcher.document(hit.doc_id)
    quotes = (record or {}).get("quotes", [])
    found = next((q for q in quotes if quote_key(hit.doc_id, q.get("passage_id"), q["text"]) == key), None)
    if found is not None:
        open_span(hit.doc_id, found.get("page"), found["start"], found["end"], key)
    else:
        open_span(hit.doc_id, hit.page, 0, 0, key)


def open_citing(shared: SharedIndex, ruling: RulingHit, doc_id: str, page: int | None) -> None:
    """Open a citing document at its citation of the ruling (on `page`), the citation shaded."""
    with shared.lock:
        record = shared.searcher.document(doc_id)
    cites = [c for c in (record or {}).get("citations", []) if c.get("page") == page]

    def rank(c: dict[str, Any]) -> int:
        if c.get("key") == ruling.ruling_id or (ruling.number and c.get("number") == ruling.number):
            return 0
        return 1 if (c.get("court"), c.get("date")) == (ruling.court, ruling.date) else 2

    best = min(cites, key=rank, default=None)
    span = (best["start"], best["end"]) if best is not None and rank(best) < 2 else (0, 0)
    open_span(doc_id, page, *span, key=f"cite:{ruling.ruling_id}:{doc_id}:{page}")


def open_ruling(doc_id: str) -> None:
    open_span(doc_id, None, 0, 0, key=f"ruling:{doc_id}")


# ------------------------------------------------------------------ data


def fetch_evidence(shared: SharedIndex, path: str, view: str) -> tuple[EvidenceScreen, dict[str, Any]]:
    """Stats, the open document's record, and what the view's filter widgets offer (the testimonies' places
    and organisations, or the rulings' courts)."""
    searcher = shared.searcher
    with shared.lock:
        searcher.refresh()
        screen = EvidenceScreen(searcher.stats())
        generation = searcher.generation()
        options: dict[str, Any] = (
            quote_facets(path, generation, searcher)
            if view == "Testimonies"
            else {"court": ruling_courts(path, generation, searcher)}
        )
        hit = st.session_state.get("open_hit")
        if hit is not None:
            screen.record = searcher.document(hit.doc_id)
    return screen, options


def search_testimonies(shared: SharedIndex, screen: EvidenceScreen) -> None:
    ss = st.session_state
    text = (ss.get("t_q") or "").strip()
    speaker = (ss.get("t_speaker") or "").strip() or None
    places, orgs = tuple(ss.get("t_place") or ()), tuple(ss.get("t_org") or ())
    since, until = _date("t_since"), _date("t_until")
    mode = semantic.chosen_mode("t_mode")
    limit = _limit("t", (text, speaker, places, orgs, since, until, mode))
    try:
        with shared.lock:
            screen.total, screen.everything = search_quotes(
                shared.searcher, text, speaker, places, orgs, since, until, limit=max(limit, export.EXPORT_LIMIT),
                mode=mode,
            )
        screen.quotes = screen.everything[:limit]
    except QueryError as exc:
        screen.error = str(exc)


def search_rulings(shared: SharedIndex, screen: EvidenceScreen) -> None:
    ss = st.session_state
    text = (ss.get("r_q") or "").strip()
    court = ss.get("r_court") or None
    since, until = _date("r_since"), _date("r_until")
    limit = _limit("r", (text, court, since, until))
    try:
        with shared.lock:
            screen.total, screen.everything = list_rulings(
                shared.searcher, text, court, since, until, limit=max(limit, export.EXPORT_LIMIT)
            )
        screen.rulings = screen.everything[:limit]
    except QueryError as exc:
        screen.error = str(exc)


# ------------------------------------------------------------------ the Testimonies view


def render_testimonies_sidebar(options: dict[str, list[tuple[str, int]]]) -> None:
    sb = st.sidebar
    sb.header("Filters")
    sb.text_input(
        "Speaker",
        key="t_speaker",
        placeholder="Any",
        help="A name or part of one; accents and case do not matter.",
    )
    for name, key, label, help_text in (
        ("place", "t_place", "Place", "Testimonies given in any of the chosen places."),
        ("org", "t_org", "Organisation", "Testimonies in passages that name every chosen organisation."),
    ):
        counts = dict(options.get(name, []))
        selected = list(st.session_state.get(key) or [])
        values = list(counts) + [v for v in selected if v not in counts]
        if values:
            sb.multiselect(
                label,
                values,
                key=key,
                help=help_text,
                placeholder="Any",
                format_func=lambda v, counts=counts: f"{v} ({counts.get(v, 0)})",
            )
    cols = sb.columns(2)
    cols[0].text_input("Said since", key="t_since", placeholder="YYYY-MM", help=DATE_HELP)
    cols[1].text_input("Said until", key="t_until", placeholder="YYYY-MM", help=DATE_HELP)
    sb.caption("The date is the testimony's own; when it gives none, the date of its document.")


def render_testimonies(shared: SharedIndex, screen: EvidenceScreen) -> None:
    st.text_input(
        "Search the testimonies",
        key="t_q",
        placeholder="Search the testimonies' words: tents · police · eau",
        label_visibility="collapsed",
    )
    semantic.render_mode_control(shared.searcher, key="t_mode")
    search_testimonies(shared, screen)
    if screen.error:
        st.error(screen.error, icon=":material/error:")
        return
    if not screen.quotes:
        keys = ("t_q", "t_speaker", "t_place", "t_org", "t_since", "t_until")
        filtered = any(st.session_state.get(k) for k in keys)
        st.info(
            "No testimony matches these words and filters. Try fewer words or remove a filter."
            if filtered
            else "No testimonies were found in these documents: Temoin lists quoted words it can attribute "
            "to a speaker (“…”, told us / « … », raconte-t-il).",
            icon=":material/record_voice_over:",
        )
        return
    plural = "testimony" if screen.total == 1 else "testimonies"
    st.caption(f"{screen.total} {plural} · showing 1–{len(screen.quotes)}")
    export.render_quote_timeline(screen.everything)
    export.render_downloads("testimonies", export.quote_rows(screen.everything), screen.total)
    shown = st.session_state.get("open_hit")
    query_lang = semantic.query_language(st.session_state.get("t_q") or "", screen.quotes)  # once, not per card
    for n, hit in enumerate(screen.quotes):
        key = quote_key(hit.doc_id, hit.passage_id, hit.quote)
        is_open = shown is not None and shown.passage_id == key
        with st.container(border=True):
            st.markdown(ui.quote_html(hit) + semantic.badges_html(hit.language, hit.why if (st.session_state.get(
                "t_q") or "").strip() else None, query_lang), unsafe_allow_html=True)
            with st.container(horizontal=True):
                st.button(
                    "Shown in the document view"
                    if is_open
                    else "Open the document" + (f" at p. {hit.page}" if hit.page is not None else ""),
                    key=f"quote-open-{n}",
                    on_click=open_quote,
                    args=(shared, hit),
                    type="tertiary",
                    icon=":material/visibility:" if is_open else ":material/article:",
                    disabled=is_open,
                )
                export.render_pick(key, quote_item(hit), f"pick-quote-{n}")
                semantic.render_corroborate(shared, hit)
            semantic.render_corroborating(shared, hit)
            with st.expander("Citation to copy", icon=":material/content_copy:"):
                st.code(citation_text(hit), language=None, wrap_lines=True)
    if screen.total > len(screen.quotes):
        st.button("Show more", key="t-more", on_click=_show_more, args=("t",), icon=":material/expand_more:")


# ------------------------------------------------------------------ the Rulings view


def render_rulings_sidebar(options: dict[str, Any]) -> None:
    sb = st.sidebar
    sb.header("Filters")
    courts: list[str] = options.get("court", [])
    if st.session_state.get("r_court") not in (None, *courts):
        st.session_state["r_court"] = None
    sb.selectbox("Court", courts, key="r_court", index=None, placeholder="Any court")
    cols = sb.columns(2)
    cols[0].text_input("Decided since", key="r_since", placeholder="YYYY", help=DATE_HELP)
    cols[1].text_input("Decided until", key="r_until", placeholder="YYYY", help=DATE_HELP)


def render_rulings(shared: SharedIndex, screen: EvidenceScreen) -> None:
    st.text_input(
        "Search the rulings",
        key="r_q",
        placeholder="Words in the court, number or case name: Calais · 412125",
        label_visibility="collapsed",
    )
    search_rulings(shared, screen)
    if screen.error:
        st.error(screen.error, icon=":material/error:")
        return
    if not screen.rulings:
        st.info(
            "No ruling matches these filters."
            if any(st.session_state.get(k) for k in ("r_q", "r_court", "r_since", "r_until"))
            else "No rulings in the index, and none cited by its documents.",
            icon=":material/gavel:",
        )
        return
    plural = "ruling" if screen.total == 1 else "rulings"
    st.caption(f"{screen.total} {plural}, most cited first · showing 1–{len(screen.rulings)}")
    export.render_downloads("rulings", export.ruling_rows(screen.everything), screen.total)
    shown = st.session_state.get("open_hit")
    shown_key = shown.passage_id if shown is not None else None
    for n, hit in enumerate(screen.rulings):
        with st.container(border=True):
            st.markdown(ui.ruling_html(hit), unsafe_allow_html=True)
            if hit.in_index and hit.doc_id:
                own = shown_key == f"ruling:{hit.doc_id}"
                st.button(
                    "Shown in the document view" if own else "Open the ruling",
                    key=f"ruling-open-{n}",
                    on_click=open_ruling,
                    args=(hit.doc_id,),
                    icon=":material/gavel:",
                    type="tertiary",
                    disabled=own,
                )
            if hit.cited_by:
                st.markdown("**Cited by**")
                for m, cited in enumerate(hit.cited_by):
                    key = f"cite:{hit.ruling_id}:{cited.doc_id}:{cited.page}"
                    label = cited.title or "Untitled"
                    label += f" · p. {cited.page}" if cited.page is not None else ""
                    st.button(
                        ui.md_escape(label),
                        key=f"ruling-{n}-cite-{m}",
                        on_click=open_citing,
                        args=(shared, hit, cited.doc_id, cited.page),
                        icon=":material/visibility:" if shown_key == key else ":material/article:",
                        type="tertiary",
                        disabled=shown_key == key,
                    )
    if screen.total > len(screen.rulings):
        st.button("Show more", key="r-more", on_click=_show_more, args=("r",), icon=":material/expand_more:")


# ------------------------------------------------------------------ in the document view


def render_ruling_info(record: dict[str, Any]) -> None:
    """For a ruling: its court, date, numbers, ECLI and, when found, its operative part."""
    ruling = record.get("ruling")
    if not ruling:
        return
    st.markdown("**This ruling**")
    st.markdown(ui.ruling_info_html(ruling), unsafe_allow_html=True)
    if ruling.get("operative_part"):
        with st.expander("Operative part", expanded=True):
            text = ui.esc(ruling["operative_part"]).replace("\n", "<br>")
            st.markdown(f'<div class="tm-operative">{text}</div>', unsafe_allow_html=True)


def render_document_evidence(record: dict[str, Any], opener: Callable[..., None] = open_span) -> None:
    """The testimonies a document holds and the rulings it cites, each opening the view at its place."""
    doc_id = record["document"]["id"]
    shown = st.session_state.get("open_hit")
    # what the view shades, however it was opened (from a list or from here)
    shaded = (shown.start, shown.end) if shown is not None and shown.doc_id == doc_id else None
    quotes = record.get("quotes") or []
    if quotes:
        with st.expander(f"Testimonies in this document ({len(quotes)})", expanded=len(quotes) <= 5):
            for n, q in enumerate(quotes):
                key = quote_key(doc_id, q.get("passage_id"), q["text"])
                label = f"{q.get('speaker') or 'Unnamed witness'} — “{ui.first_words(q['text'])}”"
                label += f" · p. {q['page']}" if q.get("page") is not None else ""
                st.button(
                    ui.md_escape(label),
                    key=f"doc-quote-{n}",
                    on_click=opener,
                    args=(doc_id, q.get("page"), q["start"], q["end"], key),
                    type="tertiary",
                    icon=":material/record_voice_over:",
                    disabled=shaded == (q["start"], q["end"]),
                )
    citations = record.get("citations") or []
    if citations:
        with st.expander(f"Rulings cited ({len(citations)})", expanded=len(citations) <= 5):
            for n, c in enumerate(citations):
                label = ui.ruling_title(c.get("court"), c.get("date"), c.get("number"), c.get("name"))
                label += f" · p. {c['page']}" if c.get("page") is not None else ""
                key = f"doc-cite:{doc_id}:{n}"
                st.button(
                    ui.md_escape(label),
                    key=f"doc-cite-{n}",
                    on_click=opener,
                    args=(doc_id, c.get("page"), c["start"], c["end"], key),
                    type="tertiary",
                    icon=":material/gavel:",
                    disabled=shaded == (c["start"], c["end"]),
                    help=ui.md_escape(c["text"]) if c.get("text") else None,
                )
