"""Worker processes for ingestion: isolation, limits and parallelism for the stages of `build_record`.

Each worker is a fresh interpreter (spawned, not forked: no inherited locks or threads) that loads its spaCy
pipelines once, then reads and builds one file at a time under a memory limit (`RLIMIT_AS`). The parent
hands out one file per idle worker and, while files wait, the next one ahead (`IN_FLIGHT`), enforces the
per-file time limit by killing the worker (a file sent ahead gives back to the queue), replaces any
worker that dies, and gives results back in input order so that the index is written deterministically.
Workers die with the parent: `PR_SET_PDEATHSIG` on Linux, and a watchdog thread that exits when the parent
goes away (the kernel signal follows the parent *thread*, the watchdog covers the rest). What runs in the
child, and the reasons a file gets when its worker dies, are in `ingest.worker_process`.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Generic, TypeVar

from ingest.records import DocumentRecord
from ingest.worker_process import crash_reason, memory_reason, no_main_for_children, worker_main

T = TypeVar("T")
_STARTUP_TIMEOUT = 600.0  # seconds a new worker may take to load its models before we give up
# Files taken ahead per worker (hashed, waiting for a worker), and the size from which one of them goes first.
# In input order, a big file met near the end keeps one worker busy long after the other has run out of work:
# the 2.4 MB Gacumbitsi transcript, 14% of the shared corpus's words, is its 234th file of 267 (a schedule
# of the corpus's files by their words: 9.3% over half the work with 2 workers in input order, 0.1% when a
# file of 1 MB or more among the next 16 starts first).
LOOKAHEAD_PER_WORKER = 8
BIG_FILE_BYTES = 1_000_000
# Files a worker holds at once: the one it builds and the next, already in its pipe. With one, a worker that
# finished while this process was writing the previous file's records waited for it to come back to hand out
# the next (7 s of 93 on bench/run.py's sample with 1 worker). The next file is sent only when every worker has
# one and at least as many wait as there are workers, and never a big file, so that a file sent ahead seldom
# waits behind a long one while another worker runs out of work.
IN_FLIGHT = 2


class WorkerError(Exception):
    """The workers cannot run (models fail to load, memory limit too small): the ingest cannot go on."""


class WorkerBug(RuntimeError):
    """A programming error inside a worker; carries the worker's traceback. Not caught: it is a bug."""


@dataclass(frozen=True, slots=True)
class Built:
    """A file read and built: its records, and seconds per stage spent in the worker."""

    records: list[DocumentRecord]
    stage_seconds: dict[str, float]
    seconds: float
    vectors: Any = None  # ingest.embed.RecordVectors when embeddings are on (the `encoder` setting)


@dataclass(frozen=True, slots=True)
class Failed:
    """A file that failed, with a plain reason (reader error, time or memory limit, crashed worker)."""

    reason: str
    stage_seconds: dict[str, float]
    seconds: float


Outcome = Built | Failed


# ------------------------------------------------------------------ in the parent


@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection
    ready: bool = False
    # (sequence number, path, digest, bytes) of the files sent, in order: it builds the first
    tasks: list[tuple[int, str, str, int]] = field(default_factory=list)
    started: float = 0.0  # when the first began (a file sent ahead: when the one before it came back)
    born: float = field(default_factory=time.monotonic)

    @property
    def task(self) -> tuple[int, str] | None:
        """(sequence number, path) of the file it is building, if any."""
        return (self.tasks[0][0], self.tasks[0][1]) if self.tasks else None


class WorkerPool:
    """`count` worker processes, each with its own spaCy pipelines; use as a context manager."""

    def __init__(
        self,
        count: int,
        models: Mapping[str, str],
        ner_batch_size: int = 64,
        memory_mb: int = 0,
        extras: Mapping[str, Any] | None = None,
    ) -> None:
        if count < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.count = count
        self.models = dict(models)
        self.ner_batch_size = ner_batch_size
        self.memory_mb = memory_mb
        self.extras = dict(extras or {})  # picklable objects the stages read from `pipelines` (OCR options)
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self.replaced = 0  # workers started to replace one that died or was killed

    def __enter__(self) -> WorkerPool:
        return self  # workers start on demand: an ingest where nothing changed loads no model

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, wanted: int | None = None) -> None:
        """Start workers up to `wanted` (at most `count`; all of them by default)."""
        wanted = self.count if wanted is None else min(wanted, self.count)
        while len(self._workers) < wanted:
            self._workers.append(self._spawn())

    def _spawn(self) -> _Worker:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=worker_main,
            args=(child_conn, os.getpid(), self.models, self.ner_batch_size, self.memory_mb, self.extras),
            name="temoin-ingest-worker",
            daemon=True,
        )
        with no_main_for_children():
            process.start()
        child_conn.close()
        return _Worker(process, parent_conn)

    def wait_ready(self, timeout: float = _STARTUP_TIMEOUT) -> None:
        """Start every worker and wait until each has loaded its models: benchmarks time the work, not the load
        (an ingest does not wait: `run` hands files to workers as they become ready)."""
        self.start()
        for w in self._workers:
            if w.ready:
                continue
            try:
                message = (
                    w.conn.recv() if w.conn.poll(timeout) else ("unusable", f"no models after {timeout:g} s")
                )
            except (EOFError, OSError):
                message = ("unusable", crash_reason(w.process.exitcode))
            if message[0] != "ready":
                raise WorkerError(f"an ingest worker could not start: {message[1]}")
            w.ready = True

    def busy(self) -> list[tuple[int, str]]:
        """(pid, path) of every worker now reading a file; for progress displays and tests."""
        return [(w.process.pid, w.task[1]) for w in self._workers if w.task is not None]

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    def _bury(self, worker: _Worker, kill: bool) -> None:
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self._workers[self._workers.index(worker)] = self._spawn()
        self.replaced += 1

    def close(self) -> None:
        for w in self._workers:
            try:
                w.conn.send(None)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        for w in self._workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
        self._workers = []

    def run(
        self, jobs: Iterable[tuple[T, Path | None, str]], file_timeout: float
    ) -> Iterator[tuple[T, Outcome | None]]:
        """Build every job's file in the workers; yield (context, outcome) in the order of `jobs`.

        A job whose path is None passes through (outcome None) in its place: unchanged files keep their slot.
        A file that takes longer than `file_timeout` seconds, or whose worker dies, yields `Failed`.
        """
        run = _Run(self, iter(jobs), file_timeout)
        yield from run.results()


class _Run(Generic[T]):
    """One pass over a sequence of jobs: dispatch, watch, reorder."""

    def __init__(
        self, pool: WorkerPool, jobs: Iterator[tuple[T, Path | None, str]], file_timeout: float
    ) -> None:
        self.pool = pool
        self.jobs = jobs
        self.timeout = file_timeout
        self.contexts: dict[int, T] = {}
        self.done: dict[int, Outcome | None] = {}
        self.queue: list[tuple[int, str, str, int]] = []  # (seq, path, digest, bytes) waiting for a worker
        self.next_seq = 0  # sequence number of the next job to take from `jobs`
        self.next_out = 0  # sequence number of the next result to yield
        self.exhausted = False
        # Jobs taken ahead of the oldest unfinished one: results wait for it to keep the input order, and a
        # slow file (minutes for a 300-page report) must not leave the other workers idle meanwhile.
        self.window = 64 * pool.count
        self.lookahead = LOOKAHEAD_PER_WORKER * pool.count

    def _take(self) -> None:
        while (
            not self.exhausted
            and self.next_seq - self.next_out < self.window
            and len(self.queue) < self.lookahead
        ):
            try:
                context, path, digest = next(self.jobs)
            except StopIteration:
                self.exhausted = True
                return
            seq = self.next_seq
            self.next_seq += 1
            self.contexts[seq] = context
            if path is None:
                self.done[seq] = None
            else:
                try:
                    size = Path(path).stat().st_size
                except OSError:  # the worker reports it
                    size = 0
                self.queue.append((seq, str(path), digest, size))

    def _next(self) -> int:
        """Where in the queue the next file to build is: the first, unless a big file waits (it goes first)."""
        biggest = max(range(len(self.queue)), key=lambda i: self.queue[i][3])
        return biggest if self.queue[biggest][3] >= BIG_FILE_BYTES else 0

    def _dispatch(self) -> None:
        ready = [w for w in self.pool._workers if w.ready]
        for worker in ready:  # first a file for each worker without one
            if not worker.tasks and self.queue:
                self._send(worker, self._next())
        for worker in ready:  # then the next file ahead (IN_FLIGHT), while enough wait for every worker
            if (
                0 < len(worker.tasks) < IN_FLIGHT
                and len(self.queue) >= self.pool.count
                and all(w.tasks for w in ready)
            ):
                i = self._next()
                if self.queue[i][3] < BIG_FILE_BYTES:
                    self._send(worker, i)

    def _send(self, worker: _Worker, i: int) -> None:
        seq, path, digest, _size = self.queue[i]
        try:
            worker.conn.send((seq, path, digest))
        except OSError:  # it died: `_watch` replaces it, the file waits for another
            return
        if not worker.tasks:
            worker.started = time.monotonic()
        worker.tasks.append(self.queue.pop(i))

    def _give_back(self, worker: _Worker) -> None:
        """The files a worker that is going away was sent ahead and never began: back to the head of the queue."""
        self.queue[0:0] = worker.tasks
        worker.tasks = []

    def _keep_busy(self) -> None:
        self._take()
        self.pool.start(sum(w.task is not None for w in self.pool._workers) + len(self.queue))
        self._dispatch()

    def results(self) -> Iterator[tuple[T, Outcome | None]]:
        while True:
            self._keep_busy()
            while self.next_out in self.done:  # workers get new files before the caller writes the old ones
                seq = self.next_out
                self.next_out += 1
                yield self.contexts.pop(seq), self.done.pop(seq)
                self._keep_busy()
            busy = any(w.task is not None for w in self.pool._workers)
            if self.exhausted and not self.queue and not busy and self.next_out >= self.next_seq:
                return
            self._watch()

    def _watch(self) -> None:
        workers = list(self.pool._workers)
        if not workers:
            return
        now = time.monotonic()
        deadlines = [w.started + self.timeout for w in workers if w.task is not None]
        deadlines += [w.born + _STARTUP_TIMEOUT for w in workers if not w.ready]
        wait_for = max(0.0, min(deadlines) - now) if deadlines else None
        handles: list[Any] = [w.conn for w in workers] + [w.process.sentinel for w in workers]
        ready = set(wait(handles, timeout=wait_for))
        for w in workers:
            if w.conn in ready:
                try:
                    message = w.conn.recv()
                except (EOFError, OSError):
                    message = None
                if message is not None:
                    self._receive(w, message)
                    continue
            if w.process.sentinel in ready or (w.conn in ready and not w.process.is_alive()):
                w.process.join(1)
                if not w.ready:
                    raise WorkerError(f"an ingest worker could not start: {crash_reason(w.process.exitcode)}")
                self._fail(w, crash_reason(w.process.exitcode), kill=True)
        now = time.monotonic()
        for w in list(self.pool._workers):
            if w.task is not None and now - w.started > self.timeout:
                self._fail(w, f"took longer than {self.timeout:g} s (file_timeout)", kill=True)
            elif not w.ready and now - w.born > _STARTUP_TIMEOUT:
                raise WorkerError(f"an ingest worker did not load its models in {_STARTUP_TIMEOUT:g} s")

    def _fail(self, worker: _Worker, reason: str, kill: bool) -> None:
        if worker.tasks:
            seq = worker.tasks.pop(0)[0]
            self.done[seq] = Failed(reason, {}, time.monotonic() - worker.started)
        self._give_back(worker)
        self.pool._bury(worker, kill)

    def _receive(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            worker.ready = True
            return
        if kind == "unusable":
            raise WorkerError(f"an ingest worker could not start: {message[1]}")
        seq, stage_seconds, seconds = message[1], message[-2], message[-1]
        if kind == "bug":
            raise WorkerBug(
                f"ingest worker failed on {worker.task[1] if worker.task else '?'}:\n{message[2]}"
            )
        if worker.tasks:
            worker.tasks.pop(0)
        worker.started = time.monotonic()  # the next file sent ahead, if any, begins about now
        self.done[seq] = (
            Built(message[2], stage_seconds, seconds, message[3])
            if kind == "built"
            else Failed(message[2], stage_seconds, seconds)
        )
        if kind == "failed" and message[2] == memory_reason(self.pool.memory_mb):
            self._give_back(worker)
            self.pool._bury(worker, kill=False)  # it left on its own, to start afresh
