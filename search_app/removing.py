"""`temoin remove`: documents taken out of the index, with their passages, testimonies, citations and vectors.

A document ingested by mistake, one that names a person it must not, a file withdrawn by its author: the
index keeps a document until told otherwise, even when its file is gone or now named in `.temoinignore`.
Targets are files or folders (as ingested: the path is resolved, so a relative path works; the file need not
exist any more) or document ids (`temoin search --json`, `temoin doc`; a unique prefix is enough). A failed
file's record goes the same way. The removal is one commit under the ingest lock, with the vectors deleted
in step (the same writer and vector store as `temoin ingest`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.settings import Settings


def _targets(target: str, documents: list[dict[str, Any]], failures: list[str]) -> tuple[list[str], str | None]:
    """The sources `target` names, or why it names none."""
    resolved = str(Path(target).expanduser().resolve())
    inside = resolved.rstrip(os.sep) + os.sep
    by_path = sorted({
        s for s in [*(d["source"] for d in documents), *failures] if s == resolved or s.startswith(inside)
    })
    if by_path:
        return by_path, None
    by_id = sorted({d["source"] for d in documents if d["id"].startswith(target)}) if target.strip() else []
    if len(by_id) == 1:
        return by_id, None
    if by_id:
        return [], f"{len(by_id)} documents have an id starting {target!r}: give more of it"
    return [], "no document in the index was read from there or has that id"


def remove_documents(
    index: Path, settings: Settings, targets: list[str], dry_run: bool, say: Callable[[str], None],
    engine: str | None = None,
) -> dict[str, Any]:
    """Remove the documents `targets` name. Returns {"removed": [{"source", "doc_id", "title"}],
    "not_found": [{"target", "reason"}]}; with `dry_run`, what would be removed, nothing changed."""
    from index.engine import open_searcher, open_writer
    from index.writer import IndexWriter

    searcher = open_searcher(index, engine)
    try:
        documents = searcher.documents()
        failures = [f["path"] for f in searcher.failures()]
    finally:
        searcher.close()
    sources: list[str] = []
    not_found = []
    for target in targets:
        found, reason = _targets(target, documents, failures)
        if reason:
            not_found.append({"target": target, "reason": reason})
        sources.extend(s for s in found if s not in sources)
    by_source = {d["source"]: d for d in documents}
    removed = [
        {"source": s, "doc_id": by_source[s]["id"] if s in by_source else None,
         "title": by_source[s].get("title") if s in by_source else "(a file that failed)"}
        for s in sources
    ]
    if dry_run or not sources:
        return {"removed": removed, "not_found": not_found}
    writer = open_writer(index, engine)
    try:
        if isinstance(writer, IndexWriter):  # the vectors beside a Whoosh index go with their passages
            _attach_vectors(writer, settings, say)
        for source in sources:
            writer.delete(source)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        writer.close()
    return {"removed": removed, "not_found": not_found}


def _attach_vectors(writer: Any, settings: Settings, say: Callable[[str], None]) -> None:
    """The vector store, attached as `temoin ingest` attaches it; with embeddings off (or the encoder's package
    missing), the store already there when it is in step with the index, so that a removed document's vectors
    do not outlive it. A store behind the index is left to the next ingest, which drops the rows of documents
    the index no longer holds (index/vector_writer.py `sync_vectors`)."""
    from index.semantic import start_embeddings
    from index.vector_writer import VectorWriter
    from index.vectors import read_manifest, vectors_dir

    if start_embeddings(writer, settings.encoder, lambda _note: None, settings.ann_min_rows) is not None:
        return
    manifest = read_manifest(vectors_dir(writer.path))
    if manifest is None:
        return
    store = VectorWriter(writer.path, manifest["encoder"], int(manifest["dim"]), settings.ann_min_rows)
    if store.generation == writer.ix.latest_generation():
        writer.vectors = store
    else:
        say("the vectors are behind the index: the removed documents' vectors go at the next ingest")
