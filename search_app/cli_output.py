"""What the `temoin` command prints: each command's results as text lines or as its JSON contract.

The commands in cli.py ask the library and hand the answer here; these functions shape it (the JSON keys
scripts rely on, the text a person reads) and print it. No parsing of arguments, no opening of the index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ingest.records import to_jsonable


def emit(data: Any, as_json: bool, text: str) -> None:
    """Print `data` as JSON (records made plain) when asked, else the text."""
    if as_json:
        print(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2))
    else:
        print(text)


def print_json(data: dict[str, Any]) -> None:
    """Print a dict already made of plain JSON values (no record conversion)."""
    print(json.dumps(data, ensure_ascii=False, indent=2))


# ------------------------------------------------------------------ ingest, reindex, remove


def ingest_text(data: dict[str, Any]) -> str:
    """The ingest summary (`summary_json`) as lines: counts, then each failure and warning."""
    lines = [(f"added {data['added']}, updated {data['updated']}, unchanged {data['unchanged']}, "
              f"failed {len(data['failed'])}")]
    lines += [f"  failed: {f['path']}: {f['reason']}" for f in data["failed"]]
    lines += [f"  warning: {w['path']}: {w['warning']}" for w in data["warnings"]]
    if data["left_out"]:
        lines.append(f"left out of the folders: {len(data['left_out'])} (name a file to read it)")
        lines += [f"  left out: {f['path']}: {f['reason']}" for f in data["left_out"]]
    return "\n".join(lines)


def ingest_json(data: dict[str, Any], file_seconds: dict[str, float], verbose: bool) -> dict[str, Any]:
    """`temoin ingest --json`: the summary, with one result per file only when `verbose`."""
    data_out = dict(data)
    if not verbose:
        data_out.pop("files")
    else:  # how long each changed file took to read and build: for finding the slow ones
        for f in data_out["files"]:
            if f["path"] in file_seconds:
                f["seconds"] = round(file_seconds[f["path"]], 3)
    return data_out


def reindex_text(data: dict[str, Any], dry_run: bool) -> str:
    """What `run_reindex` did (or would do), grouped by the stages re-run."""
    verb = "would re-run" if dry_run else "re-ran"
    by_stages: dict[str, int] = {}
    for stages in data["from_records"].values():
        by_stages[", ".join(stages)] = by_stages.get(", ".join(stages), 0) + 1
    lines = [f"up to date: {data['up_to_date']} files"]
    lines += [f"{verb} {stages} from the stored passages: {n} files" for stages, n in sorted(by_stages.items())]
    if data["read_again"]:
        lines.append(f"{'would read' if dry_run else 'read'} again (reading, cleaning, language or quotes "
                     f"stale): {len(data['read_again'])} files")
    lines += [f"  failed: {f['path']}: {f['reason']}" for f in data["read_again_failed"]]
    lines += [f"  source gone (ingest it from where it is now): {f}" for f in data["source_gone"]]
    return "\n".join(lines)


def remove_text(data: dict[str, Any], dry_run: bool) -> str:
    """What `remove_documents` removed (or would remove), and the targets it could not."""
    verb = "would remove" if dry_run else "removed"
    lines = [f"{verb} {len(data['removed'])} documents"]
    lines += [f"  {r['title']}  [{r['doc_id'] or 'failed file'}]  {r['source']}" for r in data["removed"]]
    lines += [f"  not removed: {n['target']}: {n['reason']}" for n in data["not_found"]]
    return "\n".join(lines)


# ------------------------------------------------------------------ search, entities, doc


def search_json(result: Any) -> dict[str, Any]:
    """`temoin search --json`: the hits with their entities, span and language, and the facets."""
    data = {
        "query": result.query,
        "mode": result.mode,
        "total": result.total,
        "took_ms": result.took_ms,
        "hits": [
            {k: v for k, v in to_jsonable(h).items() if k not in {"publisher", "section", "start", "end", "footnotes"}}
            | {"orgs": list(h.orgs), "places": list(h.places), "persons": list(h.persons), "dates": list(h.dates),
               "publisher": h.publisher, "section": h.section, "span": [h.start, h.end],
               "footnotes": list(h.footnotes), "language": h.lang}
            for h in result.hits
        ],
        "facets": {name: [{"value": f.value, "count": f.count} for f in values]
                   for name, values in result.facets.items()},
    }
    if result.fallback:
        data["note"] = "the query could not be parsed; searched for its words instead"
    return data


def search_text(result: Any, offset: int) -> str:
    """The hits numbered from `offset + 1`, each with its snippet, the marks shown as **bold**."""
    import html as html_lib
    import re

    lines = [f"{result.total} passages ({result.took_ms:.0f} ms, {result.mode})"
             + ("  [query not understood: searched its words]" if result.fallback else "")]
    for i, h in enumerate(result.hits, start=1 + offset):
        where = f"p. {h.page}" if h.page else "no pages"
        lines.append(f"\n{i}. {h.title} — {h.kind}, {h.date or 'undated'}, {where}  [{h.doc_id}]"
                     f"  ({h.lang}; {h.why})")
        snippet = html_lib.unescape(re.sub(r"</?mark>", "**", h.snippet))
        lines.append("   " + snippet.replace("\n", " "))
    return "\n".join(lines)


def entities_text(found: Sequence[dict[str, Any]]) -> str:
    """One entity a line, most frequent first, with up to five of its other spellings."""
    return "\n".join(
        f"{e['count']:6d}  {e['label']:<6} {e['name']}  ({e['documents']} docs)"
        + (f"  also: {'; '.join(e['aliases'][:5])}" if e["aliases"] else "")
        for e in found
    )


def doc_data(record: dict[str, Any]) -> dict[str, Any]:
    """`temoin doc --json`: a stored document's metadata, its pages' text, footnotes and entity counts."""
    doc = record["document"]
    text = doc["text"]
    pages = [
        {"page": page, "start": start, "end": end, "text": text[start:end]}
        for page, start, end in doc.get("page_spans", [])
    ]
    entities: dict[str, dict[str, int]] = {}
    for m in record["mentions"]:
        entities.setdefault(m["label"], {}).setdefault(m["name"], 0)
        entities[m["label"]][m["name"]] += 1
    return {
        "document": {k: v for k, v in doc.items() if k not in {"text", "page_spans"}},
        "pages": pages,
        "footnotes": record["footnotes"],
        "entities": {lab: [{"name": n, "count": c} for n, c in sorted(v.items(), key=lambda kv: -kv[1])]
                     for lab, v in entities.items()},
        "passages": len(record["passages"]),
    }


def doc_text(data: dict[str, Any]) -> str:
    """`doc_data` for a person: the metadata in a few lines, then up to 15 entities per label."""
    meta = data["document"]
    lines = [f"{meta['title']}",
             (f"  id {meta['id']} · {meta['kind']} · {meta['language']} · {meta['date'] or 'undated'}"
              f" · {meta['publisher'] or 'publisher unknown'} · {meta['pages'] or 'no'} pages"),
             f"  source {meta['source']}", f"  {data['passages']} passages, {len(data['footnotes'])} footnotes"]
    for lab, values in data["entities"].items():
        lines.append(f"  {lab}: " + ", ".join(v["name"] for v in values[:15]))
    return "\n".join(lines)


# ------------------------------------------------------------------ quotes, rulings, failures


def quotes_data(total: int, hits: Sequence[Any]) -> dict[str, Any]:
    """`temoin quotes --json`: each testimony's fields and its citation as text."""
    from index.evidence import citation_text

    keys = ("quote_id", "quote", "speaker", "speaker_description", "place", "date", "date_source", "doc_id",
            "title", "page", "passage_id", "footnote", "why", "language")
    return {"total": total, "hits": [{k: getattr(h, k) for k in keys} | {"citation": citation_text(h)} for h in hits]}


def quotes_text(total: int, hits: Sequence[Any], corroborating: bool) -> str:
    """The testimonies numbered, each as its citation with its id, language and why it matched."""
    from index.evidence import citation_text

    lines = [f"{total} testimonies" + (" corroborating it" if corroborating else "")] + [
        f"\n{i}. {citation_text(h)}  [{h.quote_id}; {h.language}; {h.why}]" for i, h in enumerate(hits, 1)
    ]
    return "\n".join(lines)


def rulings_data(total: int, hits: Sequence[Any]) -> dict[str, Any]:
    """`temoin rulings --json`: each ruling without its citations (`cited_by` says who cites it)."""
    data: dict[str, Any] = {"total": total, "hits": [to_jsonable(h) for h in hits]}
    for hit in data["hits"]:
        hit.pop("citations", None)
    return data


def rulings_text(total: int, hits: Sequence[Any]) -> str:
    """Each ruling on a line, then up to five of the documents that cite it."""
    lines = [f"{total} rulings"]
    for h in hits:
        where = "in the index" if h.in_index else "cited only"
        lines.append(f"\n{h.court}, {h.date or 'undated'}, {h.number or 'no number'}"
                     + (f" — {h.name}" if h.name else "") + f"  ({where}; cited by {len(h.cited_by)})")
        lines += [f"    {c.title} p. {c.page}" if c.page else f"    {c.title}" for c in h.cited_by[:5]]
    return "\n".join(lines)


def failures_text(failures: Sequence[dict[str, Any]]) -> str:
    """One failed file a line: when, which, why."""
    return "\n".join(f"{f['date']}  {f['path']}: {f['reason']}" for f in failures) or "no failed files"
