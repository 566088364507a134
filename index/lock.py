"""One ingest at a time per index: an advisory lock held for a whole ingest, not only during commits.

Whoosh's own write lock is taken per commit, so two ingests could take turns between commits and
interleave their batches. This lock (`INGEST.lock` in the index folder, `flock`) is held from the
writer's opening to its closing. The kernel drops it when the process dies, even by SIGKILL, so a killed
ingest never leaves the index locked. The file holds the holder's pid and start time for the message.
"""

from __future__ import annotations

import fcntl
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

LOCK_NAME = "INGEST.lock"


class IngestLocked(Exception):
    """Another process is ingesting into this index."""


class IngestLock:
    """`with IngestLock(index_dir, timeout): ...` — waits up to `timeout` seconds, then refuses."""

    def __init__(self, index_dir: Path, timeout: float = 0.0) -> None:
        self.path = index_dir / LOCK_NAME
        self.timeout = timeout
        self._fh: IO[str] | None = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.close()
                    who = self.holder()
                    raise IngestLocked(
                        f"{self.path.parent}: another ingest is writing to this index"
                        + (f" ({who})" if who else "")
                        + "; try again when it ends"
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        fh.write(f"pid {os.getpid()}, since {started}\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> IngestLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
