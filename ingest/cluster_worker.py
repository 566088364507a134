"""What runs inside a Dask worker: the spaCy pipelines, loaded once per worker process, and the per-file build.

Imported only where `distributed` is installed (the `temoin[cluster]` extra): `ingest.cluster` checks first.
Files arrive as bytes (with their sidecars) and are written to a private temporary folder under their own
name, so that the readers pick them by suffix and check their magic bytes exactly as on the local machine;
the records name the file by its path on the machine that sent it.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

from ingest import readers
from ingest.metadata import load_sidecar
from ingest.pipeline import StageClock, build_record
from ingest.records import IngestError

PLUGIN_NAME = "temoin-pipelines"


class PipelinesPlugin(WorkerPlugin):
    """Registered on every worker of the cluster; loads the spaCy pipelines on a worker's first file and keeps
    them for the worker process's life (later ingests from the same client settings reuse them)."""

    name = PLUGIN_NAME

    def __init__(self, models: Mapping[str, str], extras: Mapping[str, Any]) -> None:
        self.models = dict(models)
        self.extras = dict(extras)
        self._pipelines: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:  # sent to the workers without the lock or loaded models
        return {"models": self.models, "extras": self.extras}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["models"], state["extras"])  # type: ignore[misc]

    def setup(self, worker: Any) -> None:
        # pdfminer logs a warning for every damaged operator of a broken PDF; the file's result says what matters.
        logging.getLogger("pdfminer").setLevel(logging.ERROR)

    def pipelines(self) -> dict[str, Any]:
        """The pipelines, loaded by the first task that needs them (not in `setup`, which would block the
        worker's event loop, and its heartbeats, for the seconds the models take to load)."""
        with self._lock:  # a worker with several threads loads them once
            if self._pipelines is None:
                from ingest.entities import load_pipelines

                self._pipelines = {**load_pipelines(self.models), **self.extras}
            return self._pipelines


def build_shipped(
    name: str, data: bytes, sidecars: Mapping[str, bytes], source: str, digest: str, ner_batch_size: int
) -> tuple[Any, ...]:
    """Read and build one file sent as bytes. Returns ("built", records, stage seconds, seconds),
    ("failed", reason, stage seconds, seconds) or ("unusable", reason) when the models cannot load."""
    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN_NAME)
    if plugin is None:
        return ("unusable", f"the Dask worker {worker.address} has no Temoin pipelines plugin")
    try:
        pipelines = plugin.pipelines()
    except OSError as exc:  # a model that is not installed on that machine
        return ("unusable", f"the Dask worker {worker.address} cannot load the spaCy models: {exc}")
    clock = StageClock()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="temoin-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        for sidecar_name, sidecar_bytes in sidecars.items():
            (Path(folder) / sidecar_name).write_bytes(sidecar_bytes)
        try:
            raws = clock.timed("read", readers.read, path, ocr=pipelines.get("ocr"))
            records = [
                build_record(raw, digest, pipelines, Path(source), clock, ner_batch_size, sidecar=load_sidecar(path))
                for raw in raws
            ]
        except IngestError as exc:
            return ("failed", exc.reason, dict(clock.seconds), time.perf_counter() - t0)
        except MemoryError:
            return ("failed", "ran out of memory on its Dask worker", dict(clock.seconds), time.perf_counter() - t0)
    return ("built", records, dict(clock.seconds), time.perf_counter() - t0)
