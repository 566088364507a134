"""OCR results on disk, keyed by the hash of the page image and the OCR settings.

Keying by the rendered page (not the file) means a page is never read twice, even when other pages of its
file changed or the file moved. Entries are written atomically (temporary file, then rename), so ingestion
workers may share one cache directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def cache_key(image: bytes, config: str) -> str:
    """sha256 of the page image and of everything that changes what OCR reads from it."""
    digest = hashlib.sha256(image)
    digest.update(b"\0")
    digest.update(config.encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class OcrCache:
    """A directory of JSON entries, `<key[:2]>/<key>.json`; `root=None` caches nothing."""

    root: Path | None

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry, or None when absent or unreadable (a damaged entry is just read again)."""
        if self.root is None:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store an entry; a cache that cannot be written costs only a later OCR run, so errors pass."""
        if self.root is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
