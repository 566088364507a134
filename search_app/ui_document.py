"""The document view beside the results: an opened hit's document, on the page its passage stands on.

Widgets only, as app.py; the HTML comes from `search_app.ui_render`, which escapes what documents contain.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from index.search import Hit
from search_app import ui_evidence as evidence
from search_app import ui_files as files
from search_app import ui_render as ui
from search_app.ui_state import close_document


def render_document(record: dict[str, Any] | None) -> None:
    """The opened hit's document: its metadata and original, the page (or text around the passage) with the
    passage marked and its footnotes, what is named there, and its testimonies and citations. `record` is
    `Searcher.document`'s, None when the document left the index since the search."""
    hit: Hit = st.session_state["open_hit"]
    with st.container(horizontal=True, horizontal_alignment="right"):
        st.button("Close", on_click=close_document, icon=":material/close:", key="close-doc", type="tertiary")
    if record is None:
        st.warning("This document is no longer in the index (it was changed or removed since the search).")
        return
    doc = record["document"]
    st.markdown(f'<h3 class="tm-doctitle">{ui.esc(doc.get("title", ""))}</h3>', unsafe_allow_html=True)
    st.markdown(ui.metadata_html(doc), unsafe_allow_html=True)
    files.render_original(doc, hit.page)
    evidence.render_ruling_info(record)

    # Widgets keyed by the passage: a newly opened hit starts on its own page, or around its passage.
    numbers = ui.page_numbers(record)
    page_key = f"doc_page_{hit.passage_id}"
    page_no: int | None = None
    home = numbers.index(hit.page) + 1 if hit.page is not None and hit.page in numbers else 0
    whole = False
    if home:
        chosen = int(st.session_state.get(page_key) or home)
        page_no = numbers[min(chosen, len(numbers)) - 1]
    elif ui.context_window(doc["text"], (hit.start, hit.end)) != (0, len(doc["text"])):
        whole = st.toggle("Show the whole document", key=f"whole_doc_{hit.passage_id}")
    view = ui.page_view(record, page_no, (hit.start, hit.end), whole, hit.footnotes)
    terms = ui.snippet_terms(hit.snippet)
    where = view.heading + (f" of {len(numbers)}" if page_no is not None else "")
    if page_no is not None and page_no != hit.page:
        where += f" · the passage is on page {hit.page}"
    st.markdown(f"**{where}**")
    with st.container(border=True, key="doc-page"):
        st.markdown(ui.page_html(record, view, (hit.start, hit.end), terms), unsafe_allow_html=True)
        if view.footnotes:
            st.markdown(
                ui.footnotes_html(record, view, (hit.start, hit.end), hit.footnotes, terms),
                unsafe_allow_html=True,
            )
    if page_no is not None and len(numbers) > 1:
        st.pagination(len(numbers), default=home, key=page_key)
    named = ui.entity_counts(record, view.whole)
    st.markdown("**Named on this page**" if page_no is not None else "**Named in the text shown**")
    if named:
        st.markdown(ui.entities_html(named), unsafe_allow_html=True)
    else:
        st.caption("No people, places, organisations or dates were recognised here.")
    with st.expander("Everything named in the document"):
        st.markdown(
            ui.entities_html(ui.entity_counts(record)) or "Nothing was recognised.", unsafe_allow_html=True
        )
    evidence.render_document_evidence(record)
