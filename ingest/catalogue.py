"""A folder's catalogue: a table that lists the folder's files with what is known of them, such as a
collection's `MANIFEST.tsv` of provenance (path, language, kind, licence, description) or a harvest's
`_index.json` (one record per file fetched).

A catalogue is metadata, not a document: `temoin ingest` leaves it out of the index (it would otherwise come
up as a passage for every word its descriptions hold), and its row for a file fills what the file's sidecar
leaves unsaid (`title`, `date`, `kind`, `publisher`, `url`), above what the file itself or its text says. Its
`language` is used only when the text's own cannot be told: collections label a file by its collection, and
the shared corpus lists a French order of the CJEU as `en`.

What makes a catalogue is its content, not its name: a `.tsv`, `.csv` or `.json` table of records with a
column naming files (`local_path`, `local`, `path`, `file`, `filename`), at least half of which are files of
its folder that we read as documents (by that path from the folder, else by their name in it), and no value
long enough to be a text.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from ingest.metadata import with_iso_date
from ingest.readers import is_supported
from ingest.records import Metadata, metadata_from_json

SUFFIXES = (".tsv", ".csv", ".json")
FILE_COLUMNS = ("local_path", "local", "path", "file", "filename", "file_name")
MAX_BYTES = 5 << 20  # larger tables are data, read as documents
TEXT_CHARS = 2000  # a record holding a value this long carries a text (a decision's), not a description
LEVELS_UP = 3  # a file's catalogue is in its folder or one of the three above it
# The name under which a file's row travels with it to a cluster worker (`ingest/cluster.py`).
SHIPPED_NAME = "temoin-catalogue.json"


@dataclass(frozen=True)
class Catalogue:
    path: Path
    rows: dict[str, dict[str, Any]]  # resolved path of each file it names -> its record


def row_metadata(fields: dict[str, Any]) -> Metadata:
    """A row (its headers lower-cased, as `listed_row` gives it) read as a sidecar is: the same fields, a kind
    in any case ("Report"), and a date in any form the dates module reads."""
    if isinstance(fields.get("kind"), str):
        fields = {**fields, "kind": fields["kind"].strip().lower()}
    return with_iso_date(metadata_from_json(fields))


def _records(path: Path, data: bytes) -> list[dict[str, Any]] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if path.suffix.lower() == ".json":
        try:
            obj = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            return None
        if isinstance(obj, list) and obj and all(isinstance(r, dict) for r in obj):
            return obj
        return None
    delimiter = "\t" if path.suffix.lower() == ".tsv" else None
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            return None
    try:
        return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        return None


def _named_file(folder: Path, value: str) -> Path | None:
    """The file of `folder` a catalogue value names: by that path from the folder, else by its last part."""
    value = value.strip()
    if not value:
        return None
    relative = PurePosixPath(value.replace("\\", "/"))
    candidates = [] if relative.is_absolute() or PureWindowsPath(value).drive else [folder / relative]
    candidates.append(folder / relative.name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    return None


def read_catalogue(path: Path) -> Catalogue | None:
    """The catalogue this file is, or None when it is not one (a document, a data table, unreadable)."""
    if path.suffix.lower() not in SUFFIXES:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    if stat.st_size > MAX_BYTES:
        return None
    return _read(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _read(path_str: str, mtime_ns: int, size: int) -> Catalogue | None:
    path = Path(path_str)
    try:
        records = _records(path, path.read_bytes())
    except OSError:
        return None
    if not records:
        return None
    headers = {k.strip().lower(): k for k in records[0] if isinstance(k, str)}
    column = next((headers[c] for c in FILE_COLUMNS if c in headers), None)
    if column is None:
        return None
    if any(len(str(v)) >= TEXT_CHARS for r in records for v in r.values()):
        return None
    rows: dict[str, dict[str, Any]] = {}
    for record in records:
        named = _named_file(path.parent, str(record.get(column) or ""))
        # only documents we read: a table of interviews naming their audio files is itself the text
        if named is not None and named != path and is_supported(named):
            rows.setdefault(str(named), record)
    if len(rows) * 2 < len(records):
        return None
    return Catalogue(path, rows)


def is_catalogue(path: Path) -> bool:
    return read_catalogue(path) is not None


def catalogues_near(file: Path) -> list[Catalogue]:
    """The catalogues of the (resolved) file's folder and of the folders above it (up to `LEVELS_UP`), nearest
    first."""
    found: list[Catalogue] = []
    folder = file.parent
    for _ in range(LEVELS_UP + 1):
        try:
            listed = _tables(str(folder), folder.stat().st_mtime_ns)
        except OSError:
            listed = ()
        found.extend(c for c in map(read_catalogue, listed) if c is not None)
        if folder.parent == folder:
            break
        folder = folder.parent
    return found


@lru_cache(maxsize=1024)
def _tables(folder: str, mtime_ns: int) -> tuple[Path, ...]:
    """The folder's files that could be catalogues, listed once per state of the folder (its mtime changes
    when a file is added or removed): every document of a folder of 10,000 asks for them."""
    try:
        files = [p for p in Path(folder).iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()]
    except OSError:
        return ()
    return tuple(sorted(files))


def listed_row(file: Path) -> dict[str, Any]:
    """What the catalogues naming this file say of it, the nearest first where two say a field (a harvest's
    list beside the files may name them only, the collection's manifest above say their kind)."""
    merged: dict[str, Any] = {}
    file = file.resolve()
    for catalogue in catalogues_near(file):
        row = catalogue.rows.get(str(file))
        for key, value in (row or {}).items():
            if isinstance(key, str) and key.strip().lower() not in FILE_COLUMNS and str(value or "").strip():
                merged.setdefault(key.strip().lower(), value)
    return merged


def catalogue_metadata(file: Path) -> Metadata:
    """What the catalogues say of this file (empty when none names it)."""
    return row_metadata(listed_row(file))


def shipped_catalogue(file: Path) -> dict[str, bytes]:
    """The file's catalogue row as a one-row catalogue, to send beside it to a worker that cannot see its
    folder (`ingest/cluster.py`); empty when no catalogue names it."""
    row = listed_row(file)
    return {SHIPPED_NAME: json.dumps([{"path": file.name, **row}]).encode("utf-8")} if row else {}
