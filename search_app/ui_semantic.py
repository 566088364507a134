"""The UI's semantic parts: the match-mode control, the why / language badges on a result, "more like this"
on a passage and corroborating testimonies on a testimony. Rendering only; the search is index/semantic.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from index.bridge import other_language
from index.evidence import QuoteHit, corroborate
from index.search import Hit
from index.similar import more_like_this
from ingest.language import detect_language
from search_app import ui_render as ui

MODES = {"hybrid": "Words and meaning", "semantic": "Meaning only", "keyword": "Exact words"}
MODE_HELP = (
    "Words and meaning: passages with your words, and passages that say the same in other words or in the "
    "other language (English ↔ French). Meaning only: by meaning alone. Exact words: keyword search, with the "
    "query syntax below."
)
WHY = {
    "keywords": "your words", "meaning": "same meaning", "both": "words + meaning",
    "translation": "your terms, translated",  # index/bridge.py: the query's terms of the field in the other language
}
SIMILAR = 5
CSS = """<style>
.tm-why {background: #eef2ff; color: #3730a3;}
.tm-lang {background: #f1f5f9; color: #334155;}
.tm-other {background: #fef3c7; color: #92400e; font-weight: 600;}
</style>"""


def render_mode_control(searcher: Any, key: str = "mode") -> str | None:
    """The match mode, offered when the index has embeddings; None (keyword search) otherwise."""
    if searcher.default_mode() != "hybrid":
        return None
    st.markdown(CSS, unsafe_allow_html=True)
    chosen = st.segmented_control(
        "Match", list(MODES), key=key, default="hybrid", required=True, format_func=MODES.__getitem__,
        help=MODE_HELP, label_visibility="collapsed",
    )
    return str(chosen or "hybrid")


def chosen_mode(key: str = "mode") -> str | None:
    value = st.session_state.get(key)
    return str(value) if value in MODES else None


def query_language(query: str, hits: Iterable[Any] = ()) -> str:
    """The query's language when it can be told: the bridge's reading of it when a hit was found through the
    query's terms translated (index/bridge.py tells a query's language by the terms only one language has,
    where langdetect cannot place two words: "water points"), else langdetect; "" when neither can."""
    for hit in hits:
        if getattr(hit, "why", None) == "translation":
            found = getattr(hit, "lang", "") or getattr(hit, "language", "")
            if found in ("en", "fr"):
                return other_language(found)
    lang = detect_language(query, default="")
    return lang if lang in ("en", "fr") else ""


def badges_html(lang: str, why: str | None, query_lang: str) -> str:
    """Why a result matched, and its language: marked "other language" when it is not the query's."""
    out = []
    if why and why in WHY:
        out.append(f'<span class="tm-badge tm-why" title="matched by {WHY[why]}">{ui.esc(WHY[why])}</span>')
    if lang:
        other = bool(query_lang) and lang != query_lang
        label = f"{ui.language_name(lang)} · other language" if other else ui.language_name(lang)
        css = "tm-other" if other else "tm-lang"
        out.append(f'<span class="tm-badge {css}" data-lang="{ui.esc(lang)}">{ui.esc(label)}</span>')
    return '<div class="tm-meta">' + " ".join(out) + "</div>" if out else ""


def toggle(key: str, value: str) -> None:
    st.session_state[key] = None if st.session_state.get(key) == value else value


def render_more_like_this(shared: Any, hit: Hit) -> None:
    """A button that lists, under the passage, passages of other documents saying the same in either language."""
    if shared.searcher.semantic() is None:
        return
    is_open = st.session_state.get("similar_to") == hit.passage_id
    st.button(
        "Hide similar passages" if is_open else "More like this", key=f"similar-{hit.passage_id}",
        on_click=toggle, args=("similar_to", hit.passage_id), type="tertiary", icon=":material/join_inner:",
        help="Passages of other documents that say the same thing, in English or French",
    )


def render_similar(shared: Any, hit: Hit) -> None:
    if st.session_state.get("similar_to") != hit.passage_id:
        return
    with shared.lock:
        similar = more_like_this(shared.searcher, hit.passage_id, SIMILAR)
    render_found(
        f"similar-list-{hit.passage_id}", "Passages of other documents that say the same thing",
        [ui.hit_html(other) + badges_html(other.lang, None, hit.lang) for other in similar],
    )


def render_found(key: str, caption: str, cards: list[str]) -> None:
    """What was found by meaning for one passage or testimony, under it: a bordered list of cards."""
    with st.container(border=True, key=key):
        st.caption(caption)
        if not cards:
            st.caption("None found.")
        for card in cards:
            st.markdown(card, unsafe_allow_html=True)


def render_corroborate(shared: Any, hit: QuoteHit) -> None:
    """A button that lists the testimonies of other documents and speakers describing the same kind of event."""
    if not hit.quote_id or shared.searcher.semantic() is None:
        return
    is_open = st.session_state.get("corroborate") == hit.quote_id
    st.button(
        "Hide corroborating testimonies" if is_open else "Corroborating testimonies",
        key=f"corroborate-{hit.quote_id}", on_click=toggle, args=("corroborate", hit.quote_id), type="tertiary",
        icon=":material/diversity_3:",
        help="Other speakers, in other documents, in English or French, describing the same kind of event",
    )


def render_corroborating(shared: Any, hit: QuoteHit) -> None:
    if not hit.quote_id or st.session_state.get("corroborate") != hit.quote_id:
        return
    with shared.lock:
        found = corroborate(shared.searcher, hit.quote_id, SIMILAR)
    render_found(
        f"corroborating-{hit.quote_id}", "Other speakers, other documents, describing the same kind of event",
        [ui.quote_html(other) + badges_html(other.language, None, hit.language) for other in found],
    )
