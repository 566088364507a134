"""JSON: court decisions exported from open-data APIs (Judilibre's shape), else any JSON's strings.

A file may hold one decision, or a list of them (`results`, `resolved`): each becomes a document. A JSON of
short values only (ids, paths, dates, counts: a harvest's list of what it fetched) has no text to search and
is refused with that reason; one listing the files of its folder is their catalogue (`ingest/catalogue.py`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.readers.text import decode, pages_of
from ingest.records import IngestError, Kind, Metadata, RawDocument

_LIST_KEYS = ("results", "resolved", "decisions", "items")
PROSE_WORDS = 8  # a string of this many words is text; a JSON with none is a table of values


def _is_decision(obj: Any) -> bool:
    return isinstance(obj, dict) and ("decision_date" in obj or "jurisdiction" in obj) and (
        "text" in obj or "summary" in obj
    )


def decision_text(obj: dict[str, Any]) -> str:
    """The decision's full text, else its summary and themes (list exports carry no full text)."""
    text = obj.get("text") or ""
    if isinstance(text, str) and text.strip():
        return text
    parts = [str(obj.get("summary") or "")]
    themes = obj.get("themes")
    if isinstance(themes, list) and themes:
        parts.append("Thèmes : " + ", ".join(str(t) for t in themes))
    return "\n\n".join(p for p in parts if p.strip())


def decision_metadata(obj: dict[str, Any]) -> Metadata:
    court = str(obj.get("location") or obj.get("jurisdiction") or "").strip()
    chamber = str(obj.get("chamber") or "").strip()
    number = str(obj.get("number") or "").strip()
    date = str(obj.get("decision_date") or "").strip() or None
    pieces = [court or "Décision"]
    if chamber and chamber != "None":
        pieces.append(chamber)
    if date:
        pieces.append(date)
    if number:
        pieces.append(f"n° {number}")
    return Metadata(
        title=", ".join(pieces),
        date=date,
        kind=Kind.RULING,
        publisher=court or None,
        language="fr",
        url=None,
    )


def _strings(obj: Any, prefix: str = "") -> list[str]:
    if isinstance(obj, str):
        return [f"{prefix}{obj}"] if obj.strip() else []
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in _strings(v, f"{k}: " if isinstance(v, str) else "")]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v, prefix)]
    return []


def read(path: Path) -> list[RawDocument]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    try:
        obj = json.loads(decode(data, str(path)))
    except json.JSONDecodeError as exc:
        message = exc.msg.removesuffix(" starting at")  # "Unterminated string starting at" names no place
        raise IngestError(str(path), f"invalid JSON: {message} at line {exc.lineno}") from exc
    except RecursionError as exc:
        raise IngestError(str(path), "JSON nested too deeply to read") from exc
    try:
        return _documents(path, obj)
    except RecursionError as exc:  # parsed, but deeper than we walk
        raise IngestError(str(path), "JSON nested too deeply to read") from exc


def _documents(path: Path, obj: Any) -> list[RawDocument]:
    decisions: list[dict[str, Any]] = []
    if _is_decision(obj):
        decisions = [obj]
    elif isinstance(obj, dict):
        for key in _LIST_KEYS:
            if isinstance(obj.get(key), list):
                decisions = [d for d in obj[key] if _is_decision(d)]
                break
    elif isinstance(obj, list):
        decisions = [d for d in obj if _is_decision(d)]
    docs = [
        RawDocument(
            source=str(path), format="json", pages=pages_of(decision_text(d)), metadata=decision_metadata(d), part=i
        )
        for i, d in enumerate(decisions)
        if decision_text(d).strip()
    ]
    if docs:
        return docs
    strings = _strings(obj)
    if not strings:
        raise IngestError(str(path), "JSON holds no text")
    if all(len(s.split()) < PROSE_WORDS for s in strings):
        raise IngestError(str(path), f"JSON holds no text to search, only short values ({_shape(obj)})")
    text = "\n".join(strings)
    return [RawDocument(source=str(path), format="json", pages=pages_of(text))]


def _shape(obj: Any) -> str:
    """What a table of values holds, for the reason a file is refused: "39 records of case_id, path, …"."""
    records = obj if isinstance(obj, list) else [obj]
    keys = list(dict.fromkeys(k for r in records if isinstance(r, dict) for k in r))
    named = ", ".join(str(k) for k in keys[:6]) + (", …" if len(keys) > 6 else "")
    return f"{len(records)} records of {named}" if named else f"{len(records)} values"
