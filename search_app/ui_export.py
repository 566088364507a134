"""Exports of what a view lists (CSV and JSON), the evidence pack's widgets, and the timelines.

The builders are plain functions over the index's result types so they are tested without Streamlit; the
`render_*` functions only place widgets. Downloads are files, not rendered HTML: the CSV and JSON carry the
text as it is, and the Markdown escapes only what a Markdown reader would take for markup.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from index.evidence import QuoteHit, RulingHit, citation_text
from index.search import FacetValue, Filters, Hit, Searcher
from search_app.evidence_pack import md_text, pack_docx, pack_markdown

EXPORT_LIMIT = 1000  # rows in one export: a page of results is ten, a brief rarely cites more
PACK = "evidence_pack"  # session-state key: item key -> item (a dict of plain strings), in the order ticked


# ------------------------------------------------------------------ CSV and JSON


def _rows(items: Iterable[Any]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(item) for item in items]


def _cell(value: Any) -> str:
    """One CSV cell: lists joined with "; ", nested records (a ruling's citing documents) in a short form."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell_item(v) for v in value)
    return str(value)


def _cell_item(value: Any) -> str:
    if isinstance(value, dict) and "title" in value:  # CitedBy
        page = f", p. {value['page']}" if value.get("page") is not None else ""
        return f"{value['title']}{page} [{value['doc_id']}]"
    return str(value)


def to_csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> bytes:
    """UTF-8 CSV with a header row of the field names; every field of every row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def to_json(rows: list[dict[str, Any]]) -> bytes:
    return json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8")


def field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def passage_rows(hits: Iterable[Hit]) -> list[dict[str, Any]]:
    return _rows(hits)


def quote_rows(hits: Iterable[QuoteHit]) -> list[dict[str, Any]]:
    """Each testimony's fields, and the citation an advocate would paste."""
    return [{**dataclasses.asdict(h), "citation": citation_text(h)} for h in hits]


def ruling_rows(hits: Iterable[RulingHit]) -> list[dict[str, Any]]:
    return _rows(hits)


EXPORT_COLUMNS: dict[str, list[str]] = {
    "passages": field_names(Hit),
    "testimonies": [*field_names(QuoteHit), "citation"],
    "rulings": field_names(RulingHit),
}


def passage_export(
    searcher: Searcher, lock: Any, query: str, filters: Filters, sort: str, mode: str | None = None
) -> Callable[[], list[dict[str, Any]]]:
    """The rows of every matching passage (up to EXPORT_LIMIT), fetched only when a download is clicked:
    building a thousand hits with snippets on every search would cost more than the search itself. The click
    runs outside the script, so the searcher is used under the index lock, as the script uses it."""

    def rows() -> list[dict[str, Any]]:
        with lock:
            hits = searcher.search(query, filters, limit=EXPORT_LIMIT, sort=sort, with_facets=False, mode=mode).hits
        return passage_rows(hits)

    return rows


def render_downloads(
    name: str, rows: list[dict[str, Any]] | Callable[[], list[dict[str, Any]]], total: int
) -> None:
    """CSV and JSON buttons for the rows a view lists (or a function that gives them on click), with a note
    when the export is capped."""
    columns = EXPORT_COLUMNS[name]
    csv_data: bytes | Callable[[], bytes]
    json_data: bytes | Callable[[], bytes]
    if callable(rows):
        fetch = rows
        csv_data, json_data = (lambda: to_csv(fetch(), columns)), (lambda: to_json(fetch()))
        count = min(total, EXPORT_LIMIT)
    else:
        csv_data, json_data, count = to_csv(rows, columns), to_json(rows), len(rows)
    with st.container(horizontal=True, key=f"export-{name}"):
        st.download_button(
            "CSV", csv_data, file_name=f"temoin-{name}.csv", mime="text/csv",
            icon=":material/download:", key=f"csv-{name}", type="tertiary", on_click="ignore",
        )
        st.download_button(
            "JSON", json_data, file_name=f"temoin-{name}.json", mime="application/json",
            icon=":material/download:", key=f"json-{name}", type="tertiary", on_click="ignore",
        )
        if total > count:
            st.caption(f"The export holds the first {count} of {total}.")


# ------------------------------------------------------------------ the evidence pack

def pack() -> dict[str, dict[str, Any]]:
    return st.session_state.setdefault(PACK, {})


def _toggle(key: str, widget: str, item: dict[str, Any]) -> None:
    chosen = pack()
    if st.session_state.get(widget):
        chosen[key] = item
    else:
        chosen.pop(key, None)


def render_pick(key: str, item: dict[str, Any], widget: str) -> None:
    """The "Add to the evidence pack" box on a card; its state follows the pack, so it survives searches."""
    st.session_state[widget] = key in pack()
    st.checkbox(
        "Evidence pack", key=widget, on_change=_toggle, args=(key, widget, item),
        help="Tick to add this to the evidence pack, a Markdown or Word file listing what you ticked.",
    )


def _clear_pack() -> None:
    pack().clear()


def render_pack() -> None:
    """The evidence pack's summary and download, shown whenever something is ticked."""
    items = list(pack().values())
    if not items:
        return
    n = len(items)
    with st.expander(f"Evidence pack · {n} item{'s' if n != 1 else ''}", icon=":material/inventory_2:"):
        for item in items:
            page = f", p. {item['page']}" if item.get("page") is not None else ""
            who = f"{item['speaker']} — " if item.get("speaker") else ""
            st.markdown(f"- {md_text(who + (item.get('title') or 'Untitled') + page)}")
        with st.container(horizontal=True):
            st.download_button(
                "Download the pack (Markdown)", pack_markdown(items).encode("utf-8"),
                file_name="temoin-evidence-pack.md", mime="text/markdown", icon=":material/download:",
                key="pack-download", on_click="ignore",
            )
            st.download_button(
                "Download the pack (Word)", lambda: pack_docx(items), file_name="temoin-evidence-pack.docx",
                mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                icon=":material/download:", key="pack-download-docx", on_click="ignore",
            )
            st.button("Empty the pack", on_click=_clear_pack, key="pack-clear", type="tertiary")


# ------------------------------------------------------------------ timelines


def year_frame(values: Iterable[FacetValue], label: str = "Passages") -> pd.DataFrame:
    """A facet's counts by year as a chart's data, index = year (text, so the axis shows no thousands)."""
    pairs = [(f.value, f.count) for f in values if f.value.isdigit()]
    return pd.DataFrame({label: [n for _, n in pairs]}, index=pd.Index([y for y, _ in pairs], name="Year"))


def period_frame(dates: Iterable[str | None], by_month: bool, label: str = "Testimonies") -> tuple[
    pd.DataFrame, int
]:
    """Counts by year (or by month where the date gives one) and how many have no date."""
    counts: Counter[str] = Counter()
    undated = 0
    for d in dates:
        if not d or not d[:4].isdigit():
            undated += 1
        else:
            counts[d[:7] if by_month and len(d) >= 7 else d[:4]] += 1
    keys = sorted(counts)
    name = "Month" if by_month else "Year"
    return pd.DataFrame({label: [counts[k] for k in keys]}, index=pd.Index(keys, name=name)), undated


def render_passage_timeline(facets: dict[str, tuple[FacetValue, ...]], total: int) -> None:
    mentioned = st.toggle(
        "Count the dates named in the passages", key="timeline_mentioned",
        help="Off: each passage counted once, in its document's year. On: in every year the passage names.",
    )
    field = "mentioned_year" if mentioned else "year"
    frame = year_frame(facets.get(field, ()))
    if frame.empty:
        st.caption("No matching passage has a date to place on the timeline.")
        return
    st.bar_chart(frame, height=160, x_label="", y_label="Passages")
    dated = int(frame["Passages"].sum())
    if mentioned:
        st.caption("Matching passages by the years they name (a passage naming two years counts in both).")
    else:
        st.caption(
            f"Matching passages by the date of their document: {dated} of {total} dated."
            if dated < total
            else "Matching passages by the date of their document."
        )


def render_quote_timeline(quotes: Sequence[QuoteHit]) -> None:
    by_month = st.toggle("By month", key="timeline_month")
    frame, undated = period_frame((q.date for q in quotes), by_month)
    if frame.empty:
        st.caption("No matching testimony has a date to place on the timeline.")
        return
    st.bar_chart(frame, height=160, x_label="", y_label="Testimonies")
    note = f"; {undated} undated" if undated else ""
    st.caption(
        "Matching testimonies by the date they were given, or, when the text gives none, the date of their "
        f"document{note}."
    )
