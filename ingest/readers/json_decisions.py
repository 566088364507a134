"""JSON: court decisions exported from open-data APIs (Judilibre's shape), else any JSON's strings.

A file may hold one decision, or a list of them (`results`, `resolved`): each becomes a document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.readers.text import decode, pages_of
from ingest.records import IngestError, Kind, Metadata, RawDocument

_LIST_KEYS = ("results", "resolved", "decisions", "items")


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
    text = "\n".join(_strings(obj))
    if not text.strip():
        raise IngestError(str(path), "JSON holds no text")
    return [RawDocument(source=str(path), format="json", pages=pages_of(text))]
