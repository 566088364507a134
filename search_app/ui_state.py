"""What the UI keeps between runs and fetches from the index each run: Streamlit session state, no rendering.

The index is opened once per process behind `st.cache_resource` and refreshed on every run, so a new ingest
shows without a restart. Sessions share that one searcher, so its calls are made under a lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import streamlit as st

from index.search import Filters, Hit, QueryError, Searcher, SearchResult
from search_app.ui_render import FACET_LABELS, language_name

PAGE_SIZE = 10
# facet field -> (Filters attribute, widget key, help)
FACET_WIDGETS = {
    "org": ("orgs", "f_org", "Passages that name every chosen organisation."),
    "place": ("places", "f_place", "Passages that name every chosen place."),
    "person": ("persons", "f_person", "Passages that name every chosen person."),
    "kind": ("kinds", "f_kind", "Documents of any of the chosen kinds."),
    "lang": ("langs", "f_lang", "Passages in any of the chosen languages."),
}
# facet field -> (Filters attribute, widget key, help) for the values to leave out
EXCLUDE_WIDGETS = {
    "org": ("exclude_orgs", "x_org", "Leave out passages that name any of the chosen organisations."),
    "place": ("exclude_places", "x_place", "Leave out passages that name any of the chosen places."),
    "person": ("exclude_persons", "x_person", "Leave out passages that name any of the chosen persons."),
    "kind": ("exclude_kinds", "x_kind", "Leave out documents of the chosen kinds."),
    "lang": ("exclude_langs", "x_lang", "Leave out passages in the chosen languages."),
}
# The entities shown as chips on a passage card: facet field -> Hit attribute
HIT_ENTITIES = {"org": "orgs", "place": "places", "person": "persons"}


@dataclass(frozen=True)
class SharedIndex:
    searcher: Searcher
    lock: threading.Lock
    warmed: threading.Event = field(default_factory=threading.Event)  # set once `warm_up` has run


@st.cache_resource(show_spinner="Opening the index…")
def open_shared_index(path: str) -> SharedIndex:
    """The index, opened once per process; a missing index raises and is not cached, so a later run retries."""
    from index.engine import open_searcher

    shared = SharedIndex(open_searcher(Path(path)), threading.Lock())  # type: ignore[arg-type] # a Searcher
    threading.Thread(target=warm_up, args=(shared,), name="temoin-warm-up", daemon=True).start()
    return shared


def warm_up(shared: SharedIndex) -> None:
    """Load the query encoder and the vectors, and run one search, while the person types the first query:
    loading them on the first search made it take 1.2-1.7 s on the shared corpus. Also langdetect's profiles,
    which a query's language needs when its function words do not tell (the first French sentence searched
    took 0.5 s more on the demo index)."""
    from ingest.language import load_profiles

    try:
        with shared.lock:
            load_profiles()
            semantic = getattr(shared.searcher, "semantic", None)
            if semantic is not None and semantic() is not None:
                shared.searcher.search("warm up", limit=1, mode="hybrid")
    except Exception:  # noqa: BLE001 - the first real search meets the same problem and shows it
        pass
    finally:
        shared.warmed.set()


@st.cache_data(show_spinner=False, max_entries=8)
def index_years(path: str, generation: int, _searcher: Searcher) -> list[int]:
    """The years documents in the index are dated, computed once per index generation."""
    result = _searcher.search("", limit=1)
    return sorted(int(f.value) for f in result.facets.get("year", ()) if f.value.isdigit())


# ------------------------------------------------------------------ state


def filters_from_state(years: list[int]) -> Filters:
    """The sidebar's choices as `Filters`, read before the widgets are drawn (their options need the facets
    of the search these filters make). A year range covering every year is no filter: it keeps undated ones."""
    ss = st.session_state
    widgets = [*FACET_WIDGETS.values(), *EXCLUDE_WIDGETS.values()]
    chosen = {attr: tuple(ss.get(key) or ()) for attr, key, _help in widgets}
    since = until = None
    span = ss.get("years")
    if len(years) > 1 and span and tuple(span) != (years[0], years[-1]):
        since, until = str(span[0]), str(span[1])
    return Filters(**chosen, since=since, until=until)


def active_filters(filters: Filters) -> list[tuple[str, str, str]]:
    """(widget key, value, label) for each chosen filter value."""
    out = []
    for facet, (attr, key, _help) in FACET_WIDGETS.items():
        for value in getattr(filters, attr):
            out.append((key, value, f"{FACET_LABELS[facet]}: {facet_value_label(facet, value)}"))
    for facet, (attr, key, _help) in EXCLUDE_WIDGETS.items():
        for value in getattr(filters, attr):
            out.append((key, value, f"Not {FACET_LABELS[facet].lower()}: {facet_value_label(facet, value)}"))
    if filters.since or filters.until:
        out.append(("years", "", f"Years: {filters.since}–{filters.until}"))
    return out


def facet_value_label(field: str, value: str) -> str:
    if field == "lang":
        return language_name(value)
    return value.capitalize() if field == "kind" else value


def open_hit(hit: Hit) -> None:
    st.session_state["open_hit"] = hit


def close_document() -> None:
    st.session_state.pop("open_hit", None)


def open_span(doc_id: str, page: int | None, start: int, end: int, key: str) -> None:
    """Open the document view on `text[start:end]` (a testimony, a citation), shaded like a passage.
    `key` names what was opened: the view's own widgets (its page, say) are keyed by it."""
    st.session_state["open_hit"] = Hit(
        doc_id=doc_id, title="", source="", kind="", lang="", date=None, page=page, passage_id=key,
        score=0.0, text="", snippet="", orgs=(), places=(), persons=(), dates=(), start=start, end=end,
    )


def remove_filter(key: str, value: str) -> None:
    if key == "years":
        st.session_state.pop("years", None)
    else:
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v != value]


def add_filter(field: str, value: str) -> None:
    """Narrow to passages with `value` in `field` (an entity chip on a card), no longer excluding it."""
    key = FACET_WIDGETS[field][1]
    chosen = list(st.session_state.get(key) or [])
    if value not in chosen:
        st.session_state[key] = chosen + [value]
    xkey = EXCLUDE_WIDGETS[field][1]
    st.session_state[xkey] = [v for v in st.session_state.get(xkey) or [] if v != value]


def clear_filters() -> None:
    for _attr, key, _help in [*FACET_WIDGETS.values(), *EXCLUDE_WIDGETS.values()]:
        st.session_state[key] = []
    st.session_state.pop("years", None)


# ------------------------------------------------------------------ data


@dataclass
class Screen:
    """Everything one run shows, fetched under the index lock."""

    stats: dict[str, int]
    years: list[int]
    filters: Filters
    result: SearchResult | None = None
    total: int = 0
    error: str | None = None
    disjunctive: dict[str, Any] | None = None  # facet counts for kind/lang ignoring their own filter
    record: dict[str, Any] | None = None
    documents: list[dict[str, Any]] | None = None
    failures: list[dict[str, Any]] | None = None


def fetch(shared: SharedIndex, path: str, query: str) -> Screen:
    """One run's data: the document list before any search, else a page of results with facets; and the
    record of the document open in the document view."""
    searcher = shared.searcher
    with shared.lock:
        searcher.refresh()
        stats = searcher.stats()
        years = index_years(path, searcher.generation(), searcher)
        filters = filters_from_state(years)
        screen = Screen(stats, years, filters)
        if not query.strip() and not active_filters(filters):
            screen.documents = searcher.documents()
            screen.failures = searcher.failures() if stats["failures"] else []
        else:
            sort = st.session_state.get("sort", "relevance")
            mode = st.session_state.get("mode")  # search_app/ui_semantic.py: hybrid, semantic or keyword
            mode = mode if mode in ("hybrid", "semantic", "keyword") else None
            # A new search gets a new pagination widget, which starts on page 1.
            signature = (query, filters, sort, mode)
            if st.session_state.get("signature") != signature:
                st.session_state["signature"] = signature
                st.session_state["search_no"] = st.session_state.get("search_no", 0) + 1
            offset = (results_page() - 1) * PAGE_SIZE
            try:
                screen.result = searcher.search(query, filters, limit=PAGE_SIZE, offset=offset, sort=sort, mode=mode)
                if offset and not screen.result.hits:  # the index shrank under a later page
                    st.session_state["search_no"] += 1
                    screen.result = searcher.search(query, filters, limit=PAGE_SIZE, sort=sort, mode=mode)
                # OR-filters (kind, language) list the values their own filter would otherwise hide.
                without_own = {"kind": replace(filters, kinds=()), "lang": replace(filters, langs=())}
                screen.disjunctive = {
                    field: searcher.search(query, others, limit=1, mode=mode).facets.get(field, ())
                    for field, others in without_own.items()
                    if others != filters
                }
            except QueryError as exc:
                screen.error = str(exc)
            if screen.result is not None:
                screen.total = screen.result.total
        hit: Hit | None = st.session_state.get("open_hit")
        if hit is not None:
            screen.record = searcher.document(hit.doc_id)
    return screen


def results_page_key() -> str:
    return f"results_page_{st.session_state.get('search_no', 0)}"


def results_page() -> int:
    return int(st.session_state.get(results_page_key()) or 1)

