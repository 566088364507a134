"""Ingestion on a Dask cluster (`temoin ingest --cluster ADDRESS`): the same per-file build as the local worker
processes, on the workers of a `dask.distributed` scheduler; this process stays the only writer.

Files travel as bytes sent by this process (with their sidecars and catalogue row), not as paths: the workers
need no shared folder, and what they build is exactly what was hashed here (a file edited meanwhile cannot
give records under another file's hash). The cost is the network: each file crosses it once, the records come
back.

On each Dask worker the file is built in a child process (`ingest.cluster_worker`), so time and memory limits
and their reasons are those of `ingest.workers.WorkerPool`; a file whose Dask worker itself dies is failed
after the scheduler's allowed retries (Dask's `KilledWorker`). One file fails, the batch goes on. Needs the
optional extra `temoin[cluster]`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ingest.catalogue import shipped_catalogue
from ingest.metadata import sidecar_paths
from ingest.workers import Built, Failed, Outcome, WorkerBug

T = TypeVar("T")
_STARTUP_ALLOWANCE = 600.0  # seconds a fresh Dask worker may take to load its models (as ingest.workers)
EXTRA_MISSING = "cluster ingestion needs the optional extra: pip install 'temoin[cluster]' (dask and distributed)"


class ClusterError(Exception):
    """The cluster cannot be used (extra missing, scheduler unreachable, workers unable to load the models)."""


def open_cluster(address: str, timeout: float = 10.0) -> Any:
    """A `distributed.Client` connected to the scheduler at `address` (tcp://host:8786), or `ClusterError`."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ClusterError(EXTRA_MISSING) from exc
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:  # refused, unknown host, nothing answering in time
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    except ValueError as exc:  # an address Dask cannot parse
        raise ClusterError(f"not a Dask scheduler address: {address!r} ({exc})") from exc


def check_workers(client: Any, models: Mapping[str, str]) -> None:
    """Refuse a cluster whose workers would build records differently from this machine: every worker must
    have the same stage fingerprints (our stage versions, spaCy and model versions, gazetteer), since the index
    records this machine's fingerprints for what they build (`temoin reindex`)."""
    from ingest.versions import stage_fingerprints

    here = stage_fingerprints(models)
    workers = client.run(stage_fingerprints, dict(models))
    if not workers:
        raise ClusterError("the Dask cluster has no workers")
    for address, theirs in sorted(workers.items()):
        differ = [stage for stage in here if theirs.get(stage) != here[stage]]
        if differ:
            stage = differ[0]
            raise ClusterError(f"the Dask worker {address} would build differently from this machine "
                               f"({stage}: {theirs.get(stage)!r} there, {here[stage]!r} here); "
                               "install the same Temoin and models on every worker")


@dataclass
class _Job:
    context: Any
    future: Any  # None: settled here (unchanged file, or failed before sending)
    outcome: Outcome | None
    path: str


class ClusterPool:
    """Runs `ingest.cluster_worker.build_shipped` for each file on the cluster behind `client`; the same
    `run` contract as `WorkerPool`, so `ingest_paths` takes either. On each Dask worker the file is built in a
    child process under `file_timeout` and `memory_mb`, as here."""

    def __init__(
        self,
        client: Any,
        models: Mapping[str, str],
        ner_batch_size: int = 64,
        memory_mb: int = 0,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        from ingest.cluster_worker import PipelinesPlugin

        self.client = client
        check_workers(client, models)
        # Replaces a plugin of the same name from an earlier ingest, so changed settings take effect.
        client.register_plugin(PipelinesPlugin(models, ner_batch_size, memory_mb, dict(extras or {})))

    def threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def run(self, jobs: Iterable[tuple[T, Path | None, str]], file_timeout: float) -> Iterator[tuple[T, Outcome | None]]:
        """Build every job's file on the cluster; yield (context, outcome) in the order of `jobs`."""
        from ingest.cluster_worker import build_shipped

        # Files sent ahead of the oldest unfinished one, so that every worker has the next one at hand.
        window = 2 * self.threads() + 2
        queue: deque[_Job] = deque()
        source_jobs = iter(jobs)
        exhausted = False
        while True:
            while not exhausted and sum(j.future is not None for j in queue) < window:
                try:
                    context, path, digest = next(source_jobs)
                except StopIteration:
                    exhausted = True
                    break
                queue.append(self._send(build_shipped, context, path, digest, file_timeout))
            if not queue:
                return
            head = queue.popleft()
            if head.future is not None:
                head.outcome = self._wait(head, file_timeout)
            yield head.context, head.outcome

    def _send(self, task: Any, context: Any, path: Path | None, digest: str, file_timeout: float) -> _Job:
        if path is None:
            return _Job(context, None, None, "")
        source = str(path.resolve())
        try:
            data = path.read_bytes()
            sidecars = {c.name: c.read_bytes() for c in sidecar_paths(path) if c.is_file()}
            sidecars.update(shipped_catalogue(path))  # the worker cannot see the folder's catalogue
        except OSError as exc:
            return _Job(context, None, Failed(f"cannot read file: {exc.strerror or exc}", {}, 0.0), source)
        future = self.client.submit(
            task, path.name, data, sidecars, source, digest, file_timeout,
            key=f"temoin-build-{digest[:16]}-{time.monotonic_ns()}", pure=False,
        )
        return _Job(context, future, None, source)

    def _wait(self, job: _Job, file_timeout: float) -> Outcome:
        """The head job's outcome. Its worker enforces `file_timeout` itself (by killing the process reading the
        file); the wait here only guards against a worker that stops answering, counted from when the job is
        the oldest unfinished one, with room for a fresh worker to load its models."""
        from distributed import CancelledError, KilledWorker

        started = time.monotonic()
        patience = file_timeout + _STARTUP_ALLOWANCE
        try:
            reply = job.future.result(timeout=patience)
        except TimeoutError:
            self.client.cancel(job.future, force=True)
            return Failed(f"no answer from its Dask worker in {patience:g} s", {}, time.monotonic() - started)
        except KilledWorker as exc:
            return Failed(f"the Dask worker reading it died ({exc.last_worker.address}, "
                          f"{exc.allowed_failures + 1} tries)", {}, time.monotonic() - started)
        except CancelledError as exc:
            raise ClusterError(f"the Dask scheduler dropped the work (scheduler gone?): {exc}") from exc
        except Exception as exc:  # raised by our code on the worker: a bug, as in a local worker
            raise WorkerBug(f"Dask worker failed on {job.path}: {type(exc).__name__}: {exc}") from exc
        finally:
            job.future.release()
        kind = reply[0]
        if kind == "unusable":
            raise ClusterError(reply[1])
        if kind == "built":
            return Built(reply[1], reply[2], reply[3], reply[4])
        return Failed(reply[1], reply[2], reply[3])
