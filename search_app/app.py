"""Temoin's search UI: widgets and rendering only. Start it with `temoin serve`.

Session state and the index calls live in `search_app.ui_state`; every piece of HTML comes from
`search_app.ui_render`, which escapes what documents contain; the document view beside the results is
`search_app.ui_document`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from index.schema import IndexError_
from index.search import Hit
from ingest.settings import load_settings
from search_app import ui_document as document
from search_app import ui_evidence as evidence
from search_app import ui_export as export
from search_app import ui_files as files
from search_app import ui_render as ui
from search_app import ui_semantic as semantic
from search_app import ui_style as style
from search_app.evidence_pack import passage_item
from search_app.ui_state import (
    EXCLUDE_WIDGETS,
    FACET_WIDGETS,
    HIT_ENTITIES,
    PAGE_SIZE,
    Screen,
    SharedIndex,
    active_filters,
    add_filter,
    clear_filters,
    close_document,
    facet_value_label,
    fetch,
    open_hit,
    open_shared_index,
    remove_filter,
    results_page,
    results_page_key,
)

QUERY_HELP = """
- `eviction water` — passages with **all** the words. Case and accents do not matter, and English and
  French word forms match (`evicted` finds *eviction*).
- `"tear gas"` — the exact phrase.
- `calais AND (police OR CRS) NOT court` — AND, OR, NOT in capitals; brackets group.
- `field:value` — `title:judgment`, `org:"Border Watch"`, `place:Calais`, `person:…`, `kind:ruling`,
  `lang:fr`, `year:2021`.

A query that cannot be read as written (an unclosed bracket, say) is searched as plain words.
"""
VIEWS = ["Passages", "Testimonies", "Rulings"]
EXCLUDE_LABELS = {
    "org": "Exclude organisations",
    "place": "Exclude places",
    "person": "Exclude persons",
    "kind": "Exclude kinds",
    "lang": "Exclude languages",
}
CHIP_ICONS = {"org": ":material/corporate_fare:", "place": ":material/place:", "person": ":material/person:"}
# Entity chips per kind on a passage card: the first named (all are in the document view and the sidebar).
# Each chip is a button the browser draws: 6 per kind put the organisation-filtered search at 499 ms
# (bench/ui_latency.py, shared corpus), 3 at 472 ms.
CHIPS_PER_KIND = 3


# ------------------------------------------------------------------ rendering


def render_no_index(path: Path, reason: str) -> None:
    """No usable index: say why (the index's own words) and how to make one; no traceback."""
    st.title("Temoin")
    st.info(reason[:1].upper() + reason[1:].rstrip(".") + ".", icon=":material/info:")
    st.code(f"temoin ingest PATH --index {path}", language="bash")
    st.caption("PATH is a file or a folder of documents. Reload this page when the ingest has finished.")


def render_sidebar(screen: Screen, path: str) -> None:
    sb = st.sidebar
    sb.header("Filters")
    facets = screen.result.facets if screen.result is not None else {}
    for field, (_attr, key, help_text) in FACET_WIDGETS.items():
        values = screen.disjunctive.get(field) if screen.disjunctive and field in screen.disjunctive else None
        counts = {f.value: f.count for f in (values if values is not None else facets.get(field, ()))}
        selected = list(st.session_state.get(key) or [])
        options = list(counts) + [v for v in selected if v not in counts]
        _xattr, xkey, xhelp = EXCLUDE_WIDGETS[field]
        excluded = list(st.session_state.get(xkey) or [])
        xoptions = list(counts) + [v for v in excluded if v not in counts]

        def label(value: str, field: str = field, counts: dict[str, int] = counts) -> str:
            return f"{facet_value_label(field, value)} ({counts.get(value, 0)})"

        # The browser holds the chosen values as their labels and sends them back as such. Setting the value
        # each run sends the labels with today's counts, so a chip never shows, nor returns, a stale count.
        if options:
            st.session_state[key] = selected
            sb.multiselect(
                ui.FACET_LABELS[field], options, format_func=label, key=key, help=help_text, placeholder="Any"
            )
        if xoptions:
            st.session_state[xkey] = excluded
            sb.multiselect(
                EXCLUDE_LABELS[field], xoptions, format_func=label, key=xkey, help=xhelp, placeholder="None"
            )
    if len(screen.years) > 1:
        lo, hi = screen.years[0], screen.years[-1]
        span = st.session_state.get("years")
        if not span or span[0] < lo or span[1] > hi or span[0] > span[1]:
            st.session_state["years"] = (lo, hi)
        sb.slider("Years", lo, hi, key="years", help="Narrowing the years leaves out undated documents.")
        year_counts = facets.get("year", ())
        if year_counts:
            sb.caption("Passages by year: " + ", ".join(f"{f.value} ({f.count})" for f in year_counts))
    sb.radio(
        "Order",
        ["relevance", "date"],
        key="sort",
        horizontal=True,
        format_func={"relevance": "Most relevant", "date": "Newest first"}.__getitem__,
    )
    if active_filters(screen.filters):
        sb.button("Clear filters", on_click=clear_filters, icon=":material/filter_alt_off:")
    sb.divider()
    sb.caption(
        f"{screen.stats['documents']} documents · {screen.stats['passages']} passages  \nindex `{path}`"
    )


def render_welcome(screen: Screen) -> None:
    """Before any search: what the index holds, and the files it could not read."""
    docs = screen.documents or []
    st.subheader(f"{len(docs)} documents in the index")
    table = pd.DataFrame(
        [
            {
                "Title": d.get("title"),
                "Kind": d.get("kind"),
                "Date": d.get("date") or "",
                "Publisher": d.get("publisher") or "",
                "Language": ui.language_name(d.get("language") or ""),
                "Pages": str(d["pages"]) if d.get("pages") else "",
            }
            for d in sorted(docs, key=lambda d: d.get("date") or "", reverse=True)
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"Title": st.column_config.TextColumn(width="large")},
    )
    if screen.failures:
        n = len(screen.failures)
        with st.expander(f"{n} file{'s' if n > 1 else ''} could not be read"):
            st.dataframe(
                pd.DataFrame([{"File": f.get("path"), "Reason": f.get("reason")} for f in screen.failures]),
                hide_index=True,
                width="stretch",
            )


def render_results(
    screen: Screen, exports: Callable[[], list[dict[str, Any]]] | None = None, shared: SharedIndex | None = None
) -> None:
    result = screen.result
    if screen.error:
        st.error(screen.error, icon=":material/error:")
        return
    assert result is not None
    if result.fallback:
        st.warning(
            "The query was not understood as written (check its quotes, brackets and AND/OR/NOT), "
            "so its words were searched instead.",
            icon=":material/help:",
        )
    if screen.total == 0 or not result.hits:
        render_no_results(screen)
        return
    first = (results_page() - 1) * PAGE_SIZE + 1
    last = first + len(result.hits) - 1
    plural = "passage" if screen.total == 1 else "passages"
    st.caption(f"{screen.total} {plural} · showing {first}–{last} · {result.took_ms:.0f} ms")
    if exports is not None:
        export.render_downloads("passages", exports, screen.total)
    shown: Hit | None = st.session_state.get("open_hit")
    query_lang = semantic.query_language(result.query, result.hits) if result.mode != "keyword" else ""
    for hit in result.hits:
        with st.container(border=True):
            badges = semantic.badges_html(hit.lang, hit.why, query_lang) if result.mode != "keyword" else ""
            st.markdown(ui.hit_html(hit) + badges, unsafe_allow_html=True)
            render_entity_chips(hit, screen)
            is_open = shown is not None and shown.passage_id == hit.passage_id
            with st.container(horizontal=True, vertical_alignment="center"):
                st.button(
                    "Shown in the document view" if is_open else "Open document",
                    key=f"open-{hit.passage_id}",
                    on_click=open_hit,
                    args=(hit,),
                    type="tertiary",
                    icon=":material/visibility:" if is_open else ":material/article:",
                    disabled=is_open,
                )
                export.render_pick(
                    f"passage:{hit.passage_id}", passage_item(hit), f"pick-{hit.passage_id}"
                )
                if shared is not None:
                    semantic.render_more_like_this(shared, hit)
            if shared is not None:
                semantic.render_similar(shared, hit)
    pages = math.ceil(screen.total / PAGE_SIZE)
    if pages > 1:
        st.pagination(pages, key=results_page_key())


def render_entity_chips(hit: Hit, screen: Screen) -> None:
    """The passage's organisations, places and persons as small buttons; one click narrows the search to it."""
    chips = [
        (field, value)
        for field, attr in HIT_ENTITIES.items()
        for value in list(dict.fromkeys(getattr(hit, attr)))[:CHIPS_PER_KIND]
    ]
    if not chips:
        return
    with st.container(horizontal=True, gap="small", key=f"chips-{hit.passage_id}"):
        for i, (field, value) in enumerate(chips):
            chosen = value in getattr(screen.filters, FACET_WIDGETS[field][0])
            st.button(
                ui.md_escape(value),
                key=f"chip-{hit.passage_id}-{i}",
                on_click=add_filter,
                args=(field, value),
                icon=CHIP_ICONS[field],
                help=None if chosen else f"Only passages naming {ui.md_escape(value)}",
                disabled=chosen,
            )


def render_no_results(screen: Screen) -> None:
    chosen = active_filters(screen.filters)
    if chosen:
        st.info(
            "No passage matches this query with these filters. Try removing a filter:",
            icon=":material/search_off:",
        )
        cols = st.columns(min(len(chosen), 4))
        for i, (key, value, label) in enumerate(chosen):
            cols[i % len(cols)].button(
                f"✕ {label}", key=f"drop-{key}-{value}", on_click=remove_filter, args=(key, value)
            )
    else:
        st.info(
            "No passage matches this query. Try fewer words, another spelling, or OR between words.",
            icon=":material/search_off:",
        )


def main() -> None:
    st.set_page_config(page_title="Temoin", page_icon=":material/travel_explore:", layout="wide")
    st.markdown(style.CSS + style.EVIDENCE_CSS, unsafe_allow_html=True)
    try:
        path = load_settings().index.expanduser().resolve()
    except (OSError, ValueError) as exc:
        st.error(f"Cannot read the settings: {exc}")
        return
    try:
        shared = open_shared_index(str(path))
    except IndexError_ as exc:
        render_no_index(path, str(exc))
        return

    st.title("Temoin")
    view = st.segmented_control(
        "View",
        VIEWS,
        key="view",
        default=VIEWS[0],
        required=True,
        label_visibility="collapsed",
        bind="query-params",
        on_change=close_document,  # a passage opened in one view is not what the next view is about
    )
    if view in ("Testimonies", "Rulings"):
        render_evidence(shared, str(path), view)
    else:
        render_passages(shared, str(path))
    files.render_add_documents(shared, path)


def render_passages(shared: SharedIndex, path: str) -> None:
    """The passage search: query box, facets in the sidebar, results beside the document view."""
    query = (
        st.text_input(
            "Search the documents",
            key="q",
            placeholder='Search: eviction water · "tear gas" · org:"Border Watch" · calais NOT court',
            label_visibility="collapsed",
            bind="query-params",
        )
        or ""
    )
    semantic.render_mode_control(shared.searcher)
    with st.expander("How to write a query"):
        st.markdown(QUERY_HELP)

    screen = fetch(shared, path, query)
    render_sidebar(screen, path)
    if screen.stats["documents"] == 0:
        render_empty_index()
        return
    results_col, doc_col = main_columns()
    with results_col:
        export.render_pack()
        if screen.result is None and not screen.error:
            render_welcome(screen)
        else:
            exports = None
            if screen.result is not None and screen.total:
                export.render_passage_timeline(screen.result.facets, screen.total)
                exports = export.passage_export(
                    shared.searcher, shared.lock, query, screen.filters,
                    str(st.session_state.get("sort", "relevance")), semantic.chosen_mode(),
                )
            render_results(screen, exports, shared)
    if doc_col is not None:
        with doc_col:
            document.render_document(screen.record)


def render_evidence(shared: SharedIndex, path: str, view: str) -> None:
    """The Testimonies or Rulings view: its filters in the sidebar, its list beside the document view."""
    screen, options = evidence.fetch_evidence(shared, path, view)
    if view == "Testimonies":
        evidence.render_testimonies_sidebar(options)
    else:
        evidence.render_rulings_sidebar(options)
    st.sidebar.divider()
    st.sidebar.caption(
        f"{screen.stats['documents']} documents · {screen.stats['passages']} passages  \nindex `{path}`"
    )
    if screen.stats["documents"] == 0:
        render_empty_index()
        return
    list_col, doc_col = main_columns()
    with list_col:
        export.render_pack()
        if view == "Testimonies":
            evidence.render_testimonies(shared, screen)
        else:
            evidence.render_rulings(shared, screen)
    if doc_col is not None:
        with doc_col:
            document.render_document(screen.record)


def render_empty_index() -> None:
    st.info("The index is empty. Read documents into it with `temoin ingest PATH`.", icon=":material/info:")


def main_columns() -> tuple[Any, Any]:
    """The list alone, or the list beside the document view when a document is open."""
    if "open_hit" in st.session_state:
        left, right = st.columns([1, 1.2], gap="large")
        return left, right
    return st.container(), None


main()
