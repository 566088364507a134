"""`temoin ingest`: wires the index writer (index/engine.py), the embeddings and the place files are read
(this process, local worker processes or a Dask cluster) to the ingest pipeline. No printing: the CLI prints,
and what must be said on the way goes through `say`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ingest.pipeline import StageClock
from ingest.records import IngestSummary
from ingest.settings import Settings


def run_ingest(
    paths: Sequence[Path], index: Path, settings: Settings, *, engine: str | None, retry_failed: bool,
    workers: int, cluster: str | None, say: Callable[[str], None],
) -> tuple[IngestSummary, StageClock]:
    """Ingest `paths` into the index at `index`; returns the summary and the clock of each changed file.

    `workers` 0 reads in this process, else in that many worker processes; `cluster` (a scheduler address)
    reads on a Dask cluster instead. Raises `IndexError_`, `WorkerError` or `ClusterError` (one clear line):
    the batch in progress is then dropped, what was committed is whole."""
    from index.engine import open_writer
    from index.schema import IndexError_
    from index.writer import IndexWriter
    from ingest.cluster import open_cluster
    from ingest.entities import load_pipelines
    from ingest.ocr import options_from_settings
    from ingest.pipeline import ingest_paths
    from ingest.versions import stage_fingerprints
    from ingest.workers import WorkerError, WorkerPool

    client = open_cluster(cluster) if cluster else None  # before the lock: an unreachable address fails fast
    try:
        writer = open_writer(
            index, engine=engine, retry_failed=retry_failed, default=settings.engine,
            build=stage_fingerprints(settings.models),
        )
    except IndexError_:
        if client is not None:
            client.close()
        raise
    extras = {"ocr": options_from_settings(settings)}
    clock = StageClock()
    try:
        from index.semantic import start_embeddings  # semantic search: vectors written with the records

        if isinstance(writer, IndexWriter):
            encoder = start_embeddings(writer, settings.encoder, say, settings.ann_min_rows)
        else:  # the vectors sit beside a Whoosh index (index/vectors.py); a Tantivy index is keyword only
            encoder = None
            say("the Tantivy engine has keyword search only: semantic search needs the Whoosh engine")
        if client is not None:  # on a Dask cluster; this process writes
            from ingest.cluster import ClusterError, ClusterPool

            try:
                pool = ClusterPool(
                    client, settings.models, settings.ner_batch_size, settings.worker_memory_mb,
                    {**extras, **({"encoder": encoder.name} if encoder else {})},
                )
                summary = ingest_paths(
                    paths, writer, extras, commit_every=settings.commit_every, workers=pool,
                    file_timeout=settings.file_timeout, clock=clock,
                )
            except ClusterError as exc:
                raise WorkerError(str(exc)) from exc
        elif workers == 0:  # in this process: for debugging; no time or memory limit
            summary = ingest_paths(
                paths, writer, {**load_pipelines(settings.models), **extras, **({"encoder": encoder} if encoder else {})},
                commit_every=settings.commit_every, ner_batch_size=settings.ner_batch_size, clock=clock,
            )
        else:
            with WorkerPool(workers, settings.models, settings.ner_batch_size, settings.worker_memory_mb,
                            {**extras, **({"encoder": encoder.name} if encoder else {})}) as pool:
                summary = ingest_paths(
                    paths, writer, extras, commit_every=settings.commit_every, workers=pool,
                    file_timeout=settings.file_timeout, clock=clock,
                )
        if isinstance(writer, IndexWriter):  # the workers have ended: merge the batch's small segments, said
            writer.compact(say)
    except (IndexError_, WorkerError):
        writer.cancel()
        raise
    finally:
        writer.close()
        if client is not None:
            client.close()
    return summary, clock

