"""What runs inside a Dask worker: a local `WorkerPool` of one process that holds the spaCy pipelines (loaded
once per Dask worker), and the task that builds one file in it.

Each file is built in that child process, not in the Dask worker's own thread, for the same reasons as on one
machine: a file past its time limit or its memory limit is stopped by killing the child (a Python thread
cannot be stopped), and the failure reasons are the local ones. Imported only where `distributed` is
installed (the `temoin[cluster]` extra): `ingest.cluster` checks first.

Files arrive as bytes (with their sidecars) and are written to a private temporary folder under their own
name, so that the readers pick them by suffix and check their magic bytes exactly as on the local machine;
the records then name the file by its path on the machine that sent it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

from ingest.workers import Built, Failed, WorkerError, WorkerPool

PLUGIN_NAME = "temoin-pipelines"
DAEMON_WORKERS = (
    "the Dask worker {address} runs as a daemon process and cannot start the process that reads files: "
    "start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False"
)


class PipelinesPlugin(WorkerPlugin):
    """Registered on every worker of the cluster by each ingest: starts one ingest process per Dask worker
    process (its models load in the background while files are being sent) and keeps it until the next
    ingest registers the plugin afresh (with its own settings) or the worker stops."""

    name = PLUGIN_NAME

    def __init__(self, models: Mapping[str, str], ner_batch_size: int, memory_mb: int, extras: Mapping[str, Any]) -> None:
        self.models = dict(models)
        self.ner_batch_size = ner_batch_size
        self.memory_mb = memory_mb
        self.extras = dict(extras)
        self.pool: WorkerPool | None = None
        self.lock = threading.Lock()  # one file at a time: run the workers with --nthreads 1

    def __getstate__(self) -> dict[str, Any]:  # sent to the workers without the lock or the pool
        return {"models": self.models, "ner_batch_size": self.ner_batch_size, "memory_mb": self.memory_mb,
                "extras": self.extras}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    async def setup(self, worker: Any) -> None:
        if multiprocessing.current_process().daemon:
            return  # reported by the first task, with what to do
        self.pool = WorkerPool(1, self.models, self.ner_batch_size, self.memory_mb, self.extras)
        await asyncio.to_thread(self.pool.start)  # spawning takes a moment; the models load in the child

    def teardown(self, worker: Any) -> None:
        if self.pool is not None:
            self.pool.close()


def build_shipped(
    name: str, data: bytes, sidecars: Mapping[str, bytes], source: str, digest: str, file_timeout: float
) -> tuple[Any, ...]:
    """Read and build one file sent as bytes. Returns ("built", records, stage seconds, seconds),
    ("failed", reason, stage seconds, seconds) or ("unusable", reason) when this worker cannot build."""
    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN_NAME)
    if plugin is None:
        return ("unusable", f"the Dask worker {worker.address} has no Temoin plugin")
    if plugin.pool is None:
        return ("unusable", DAEMON_WORKERS.format(address=worker.address))
    with plugin.lock, tempfile.TemporaryDirectory(prefix="temoin-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        for sidecar_name, sidecar_bytes in sidecars.items():
            (Path(folder) / sidecar_name).write_bytes(sidecar_bytes)
        try:
            ((_, outcome),) = list(plugin.pool.run([(None, path, digest)], file_timeout))
        except WorkerError as exc:  # the models do not load on this machine
            return ("unusable", f"on the Dask worker {worker.address}: {exc}")
    if isinstance(outcome, Failed):
        return ("failed", outcome.reason, outcome.stage_seconds, outcome.seconds)
    assert isinstance(outcome, Built)
    records = [dataclasses.replace(r, document=dataclasses.replace(r.document, source=source))
               for r in outcome.records]
    return ("built", records, outcome.stage_seconds, outcome.seconds, outcome.vectors)  # vectors: ids, rows
