"""One ingest worker process, the child's side: how it starts, dies with its parent, keeps to its memory
limit and builds files (`worker_main`); and the reasons a file gets when its worker runs out of memory or
dies. The parent's side, the pool that starts these processes and hands them files, is `ingest.workers`.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
import traceback
import types
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ingest.records import IngestError

_PR_SET_PDEATHSIG = 1


@contextmanager
def no_main_for_children() -> Iterator[None]:
    """Start a spawned child without running the parent's main script in it.

    `spawn` imports the parent's `__main__` in the child (as `__mp_main__`) before the target runs. A worker
    needs nothing from it (its target lives in this module), and the main script can be heavy. In the UI it
    is `search_app/app.py`, which imports Streamlit, opens the index and loads the encoder: 1.6 GB of address
    space before the worker has loaded a model, most of a 2 GB `worker_memory_mb`. Streamlit's AppTest leaves
    it as `__main__` in a test run too. While a worker starts, `__main__` is an empty module.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is None:
            del sys.modules["__main__"]
        else:
            sys.modules["__main__"] = main


# ------------------------------------------------------------------ inside a worker


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL us when the parent dies, and watch the parent ourselves as a fallback."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(1.0)

    # The parent may have died between spawning us and the prctl call: the watchdog sees it at once.
    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _limit_memory(memory_mb: int) -> None:
    import resource

    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def memory_reason(memory_mb: int) -> str:
    """The reason a file gets when its worker passed its memory limit, naming the setting to raise."""
    return f"needed more than {memory_mb} MB of memory (worker_memory_mb)"


def worker_main(
    conn: Connection,
    parent_pid: int,
    models: dict[str, str],
    ner_batch_size: int,
    memory_mb: int,
    extras: dict[str, Any],
) -> None:
    """A worker's life: load the pipelines once, then build one file per request until told to stop."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _limit_memory(memory_mb)
    # pdfminer logs a warning for every damaged operator of a broken PDF; the file's result says what matters.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    from ingest.embed import resolve_encoder
    from ingest.entities import load_pipelines
    from ingest.pipeline import StageClock, embed_built, read_and_build

    try:
        pipelines = resolve_encoder({**load_pipelines(models), **extras})
    except MemoryError:
        conn.send(("unusable", f"loading the spaCy models {memory_reason(memory_mb)}"))
        return
    except OSError as exc:  # a model that is not installed
        conn.send(("unusable", f"cannot load the spaCy models: {exc}"))
        return
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except EOFError:  # the parent has gone
            return
        if task is None:
            return
        key, path, digest = task
        clock = StageClock()
        t0 = time.perf_counter()
        fatal = False
        try:
            records = read_and_build(Path(path), digest, pipelines, clock, ner_batch_size)
            reply: tuple[Any, ...] = ("built", key, records, embed_built(records, pipelines, clock))
        except IngestError as exc:
            reply = ("failed", key, exc.reason)
        except MemoryError:
            # Whatever held the memory is gone with the frames; the worker still leaves, to start afresh.
            reply, fatal = ("failed", key, memory_reason(memory_mb)), True
        except Exception:  # a bug: reported to the parent, which raises it
            reply, fatal = ("bug", key, traceback.format_exc()), True
        try:
            conn.send((*reply, dict(clock.seconds), time.perf_counter() - t0))
        except MemoryError:  # pickling big records can run out of memory too
            conn.send(
                ("failed", key, memory_reason(memory_mb), dict(clock.seconds), time.perf_counter() - t0)
            )
            fatal = True
        if fatal:
            return


# ------------------------------------------------------------------ when a worker dies


def crash_reason(exitcode: int | None) -> str:
    """The reason a file gets when its worker died: the signal's name when one killed it, else the exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = "unknown signal"
        return f"the worker reading it crashed (signal {-exitcode}, {name})"
    return f"the worker reading it exited unexpectedly (exit code {exitcode})"
