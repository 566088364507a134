"""Bring an index up to date with the installed models and stages, without reading unchanged files again.

Each document's payload keeps the fingerprint of every stage that built it (`build`, written by the index
writer). `plan_reindex` compares them with the current ones (or takes the stages asked for) and splits the
work: stages that re-run from the stored record (its passages and text), and files that must be read again.
`rerun_from_records` replaces each source's records with their rebuilt form, in batches.

Atomic: a source's records and their fingerprints are replaced in one Whoosh commit, so an interrupted
reindex leaves every document whole, either as it was or rebuilt, and says which; running it again finishes
the rest. Knows nothing of spaCy: the caller passes the function that rebuilds a record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ingest.records import DocumentRecord, record_from_json
from index.writer import IndexWriter

Rebuild = Callable[[DocumentRecord, frozenset[str]], DocumentRecord]


@dataclass(frozen=True, slots=True)
class StoredSource:
    """One source in the index: its documents' stored payloads (records with their `build`), in id order."""

    source: str
    file_hash: str
    payloads: tuple[dict[str, Any], ...]

    def builds(self) -> list[dict[str, str]]:
        return [dict(p.get("build") or {}) for p in self.payloads]


@dataclass(frozen=True, slots=True)
class ReindexPlan:
    from_records: dict[str, frozenset[str]] = field(default_factory=dict)  # source -> stages to re-run
    from_files: dict[str, frozenset[str]] = field(default_factory=dict)  # source -> stale stages needing the file
    current: dict[str, int] = field(default_factory=dict)  # sources already up to date: their document count


def stored_sources(writer: IndexWriter) -> Iterator[StoredSource]:
    """Every indexed source with its stored document records, in source order."""
    by_source: dict[str, list[dict[str, Any]]] = {}
    hashes: dict[str, str] = {}
    for stored in writer._searcher.documents(type="document"):
        by_source.setdefault(stored["source"], []).append(json.loads(stored["payload"]))
        hashes[stored["source"]] = stored["file_hash"]
    for source in sorted(by_source):
        payloads = sorted(by_source[source], key=lambda p: p["document"]["id"])
        yield StoredSource(source, hashes[source], tuple(payloads))


def plan_reindex(
    sources: Iterator[StoredSource],
    current: Mapping[str, str],
    from_records: Collection[str],
    stale: Callable[[Mapping[str, str], Mapping[str, str]], set[str]],
    stages: Collection[str] | None = None,
) -> ReindexPlan:
    """What to re-run for each source: `stages` when given (for every source), else the stages `stale` finds
    out of date for any of its documents. A source with any stage outside `from_records` is read again."""
    plan = ReindexPlan()
    for s in sources:
        todo: set[str] = set(stages) if stages is not None else set()
        if stages is None:
            for build in s.builds():
                todo |= stale(build, current)
        if not todo:
            plan.current[s.source] = len(s.payloads)
        elif todo <= set(from_records):
            plan.from_records[s.source] = frozenset(todo)
        else:
            plan.from_files[s.source] = frozenset(todo)
    return plan


def rerun_from_records(
    writer: IndexWriter,
    plan: ReindexPlan,
    current: Mapping[str, str],
    rebuild: Rebuild,
    commit_every: int = 25,
    on_source: Callable[[str], None] | None = None,
) -> int:
    """Rebuild the planned sources' records from their stored form; returns the number of documents rebuilt.
    Each document keeps the fingerprints of the stages not re-run and takes the current ones of those re-run.
    On any exception (Ctrl-C included) the batch not yet committed is dropped and the exception goes on."""
    wanted = plan.from_records
    done = pending = 0
    try:
        for s in stored_sources(writer):
            stages = wanted.get(s.source)
            if stages is None:
                continue
            records = [rebuild(record_from_json(p), stages) for p in s.payloads]
            builds = [{**build, **{st: current[st] for st in stages}} for build in s.builds()]
            writer.replace(s.source, records, builds)
            done += len(records)
            pending += 1
            if on_source is not None:
                on_source(s.source)
            if pending >= commit_every:
                writer.commit()
                pending = 0
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return done
