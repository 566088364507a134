"""`temoin reindex`: wires the index's plan (index/reindex.py) to the stages that rebuild records
(ingest/restage.py) and to the pipeline for files that must be read again. No printing: the CLI prints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest.settings import Settings


def run_reindex(index: Path, settings: Settings, stages: Sequence[str] | None, dry_run: bool) -> dict[str, Any]:
    """Re-run `stages` (default: every stale one) on the index; returns what was (or would be) done.

    Stages that re-run from stored records do so in this process; files that must be read again go through
    the ingest pipeline in worker processes (`settings.workers`), forced past their unchanged hash."""
    from index.reindex import plan_reindex, rerun_from_records, stored_sources
    from index.writer import IndexWriter
    from ingest.entities import load_pipelines
    from ingest.ocr import options_from_settings
    from ingest.pipeline import ingest_paths
    from ingest.restage import RereadSink, rerun_stages
    from ingest.versions import FROM_RECORDS, stage_fingerprints, stale_stages, with_downstream
    from ingest.workers import WorkerPool

    current = stage_fingerprints(settings.models)
    writer = IndexWriter(index, build=current)
    try:
        asked = with_downstream(set(stages)) if stages else None
        plan = plan_reindex(stored_sources(writer), current, FROM_RECORDS, stale_stages, asked)
        files = sorted(plan.from_files)
        present = [f for f in files if Path(f).is_file()]
        data: dict[str, Any] = {
            "up_to_date": len(plan.current),
            "from_records": {src: sorted(st) for src, st in sorted(plan.from_records.items())},
            "read_again": {src: sorted(plan.from_files[src]) for src in present},
            "source_gone": [f for f in files if f not in present],
            "documents_rebuilt": 0,
            "read_again_failed": [],
            "fingerprints": current,
        }
        if dry_run:
            return data
        needed = set().union(*plan.from_records.values()) if plan.from_records else set()
        pipelines = load_pipelines(settings.models) if "entities" in needed else {}
        data["documents_rebuilt"] = rerun_from_records(
            writer, plan, current,
            lambda record, todo: rerun_stages(record, todo, pipelines, settings.ner_batch_size),
            settings.commit_every,
        )
        if present:
            extras = {"ocr": options_from_settings(settings)}
            sink = RereadSink(writer, present)
            paths = [Path(f) for f in present]
            if settings.workers == 0:
                summary = ingest_paths(paths, sink, {**(pipelines or load_pipelines(settings.models)), **extras},
                                       commit_every=settings.commit_every, ner_batch_size=settings.ner_batch_size)
            else:
                with WorkerPool(min(settings.workers, len(paths)), settings.models, settings.ner_batch_size,
                                settings.worker_memory_mb, extras) as pool:
                    summary = ingest_paths(paths, sink, extras, workers=pool, commit_every=settings.commit_every,
                                           file_timeout=settings.file_timeout)
            data["read_again_failed"] = [{"path": r.path, "reason": r.reason}
                                         for r in summary.results if r.status == "failed"]
        return data
    except BaseException:
        writer.cancel()  # Ctrl-C or an error: what was committed is whole; the batch in progress is dropped
        raise
    finally:
        writer.close()
