"""Which files a folder walk reads: hidden files, sidecars, what a `.temoinignore` names, catalogues and a
folder's README are left out, each with its reason; a file named itself is always read."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest import readers
from ingest.catalogue import is_catalogue

IGNORE_FILE = ".temoinignore"


def _ignore_patterns(folder: Path, cache: dict[Path, list[str]]) -> list[str]:
    """The patterns of a folder's `.temoinignore`: one per line, `#` starts a comment."""
    patterns = cache.get(folder)
    if patterns is None:
        try:
            lines = (folder / IGNORE_FILE).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            lines = []
        patterns = cache[folder] = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return patterns


def _ignored(child: Path, root: Path, cache: dict[Path, list[str]]) -> bool:
    """Whether a `.temoinignore` in the file's folder or one above it, up to the folder being ingested, names
    it: a pattern with a `/` matches the path from that folder, one without matches the name (fnmatch)."""
    folder = child.parent
    while True:
        rel = child.relative_to(folder).as_posix()
        for pattern in _ignore_patterns(folder, cache):
            if fnmatch.fnmatchcase(rel if "/" in pattern else child.name, pattern.strip("/")):
                return True
        if folder == root:
            return False
        folder = folder.parent


# A folder's own description, by the convention of software and data collections alike: what the collection
# is, where its files came from. It is about the documents, not one of them, so a folder walk leaves it out.
_NOTE_NAMES = frozenset({"readme", "lisezmoi"})
_NOTE_SUFFIXES = frozenset({"", ".md", ".markdown", ".txt", ".rst"})


def collection_note(path: Path) -> bool:
    """Whether the file is a folder's README (or LISEZMOI), in text or Markdown."""
    return path.stem.lower() in _NOTE_NAMES and path.suffix.lower() in _NOTE_SUFFIXES


def iter_files(paths: Iterable[Path], left_out: list[tuple[Path, str]] | None = None) -> Iterator[Path]:
    """Every file under the given paths, in a stable order; hidden files and sidecars left out, and, each
    with its reason in `left_out` when given, what a folder's `.temoinignore` names, catalogues
    (`ingest/catalogue.py`) and a folder's README. A file named itself is never left out."""
    for path in paths:
        if path.is_dir():
            cache: dict[Path, list[str]] = {}
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if not child.is_file() or any(p.startswith(".") for p in rel):
                    continue
                if child.name.endswith(readers.SIDECAR_SUFFIX):
                    continue
                reason = (
                    f"named in {IGNORE_FILE}" if _ignored(child, path, cache)
                    else "the collection's catalogue: it gives its files' metadata" if is_catalogue(child)
                    else "the folder's own description (README)" if collection_note(child)
                    else None
                )
                if reason is None:
                    yield child
                elif left_out is not None:
                    left_out.append((child, reason))
        else:
            yield path
