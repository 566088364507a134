"""Files in and out of the UI: the original PDF of an indexed document, and documents added by upload.

The original is served only for a document found in the index by its id: the path comes from the stored
record, never from the request. Uploads are saved in `uploads/` beside the index and read by the same
pipeline as `temoin ingest`, one result per file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from search_app.ui_render import md_escape
from search_app.ui_state import SharedIndex

UPLOAD_TYPES = ["pdf", "txt", "md", "html", "htm", "json"]
SIDECAR_SUFFIX = ".meta.json"  # metadata beside a document: saved, and read with that document




@dataclass(frozen=True, slots=True)
class UploadResult:
    """One uploaded file's outcome: the pipeline's status (added, updated, unchanged, failed), or "metadata"
    for a sidecar, which is read with its document rather than on its own."""

    name: str
    status: str
    reason: str = ""


# ------------------------------------------------------------------ the original file


def original_pdf(doc: Mapping[str, Any]) -> Path | None:
    """The PDF a stored document was read from, if it is a PDF and still on disk. Only a path the index
    holds for an ingested document is ever opened: nothing the browser sends names a file."""
    source = doc.get("source") or ""
    path = Path(source)
    if not source or path.suffix.lower() != ".pdf" or not path.is_file():
        return None
    return path


def ingested_bytes(doc: Mapping[str, Any], path: Path) -> bytes | None:
    """The file's bytes if they are still the ones that were ingested (same SHA-256), else None: a file
    replaced or swapped since, even through a link, is not served as the document's original."""
    stat = path.stat()
    return _checked_bytes(str(path.resolve()), stat.st_size, stat.st_mtime_ns, doc.get("file_hash") or "")


@st.cache_data(max_entries=8, show_spinner=False)
def _checked_bytes(path: str, size: int, mtime_ns: int, file_hash: str) -> bytes | None:
    """Read and checked once per file version (size and time in the key): a rerun does not hash it again."""
    data = Path(path).read_bytes()
    return data if hashlib.sha256(data).hexdigest() == file_hash else None


def inline_url(data: bytes, name: str, key: str) -> str:
    """A URL the browser opens inline (its PDF viewer), served by Streamlit's media files from the bytes given:
    the same store `st.download_button` uses, without the attachment header, so `#page=N` works. The file
    lives while the view that shows the link does."""
    from streamlit import runtime

    url = runtime.get_instance().media_file_mgr.add(data, "application/pdf", f"temoin.original.{key}", name)
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{url}" if base else url


def render_original(doc: Mapping[str, Any], page: int | None) -> None:
    """The original PDF, opened in the browser at the passage's page, and a download of it."""
    path = original_pdf(doc)
    if path is None:
        return
    try:
        data = ingested_bytes(doc, path)
    except OSError as exc:
        st.caption(f"The original PDF cannot be read: {exc.strerror or exc}.")
        return
    if data is None:
        st.caption("The original PDF has changed since it was read into the index: ingest it again to get it.")
        return
    url = inline_url(data, path.name, str(doc.get("doc_id") or doc.get("file_hash")))
    with st.container(horizontal=True, vertical_alignment="center", key="original-pdf"):
        st.link_button(
            f"Open the PDF at page {page}" if page is not None else "Open the PDF",
            f"{url}#page={page}" if page is not None else url,
            icon=":material/open_in_new:",
        )
        st.download_button(
            "Download the PDF", data, file_name=path.name, mime="application/pdf", key="download-original",
            icon=":material/download:", on_click="ignore",
        )
        st.caption(
            f"The passage is on page {page} of the PDF." if page is not None else f"`{path.name}`"
        )


# ------------------------------------------------------------------ adding documents


def safe_name(name: str) -> str | None:
    """The uploaded file's own name without any folder part; None for a name that cannot be a file."""
    base = Path(name.replace("\\", "/")).name.strip()
    if not base or base.startswith(".") or base in (".", ".."):
        return None
    return base


def upload_folder(index: Path) -> Path:
    return index.resolve().parent / "uploads"


def save_uploads(uploads: Sequence[tuple[str, bytes]], folder: Path) -> tuple[list[Path], list[UploadResult]]:
    """Write the uploads into `folder`; the documents to read, and a result for each file that is not one."""
    folder.mkdir(parents=True, exist_ok=True)
    documents: list[Path] = []
    others: list[UploadResult] = []
    for name, data in uploads:
        base = safe_name(name)
        if base is None:
            others.append(UploadResult(name, "failed", "not a usable file name"))
            continue
        target = folder / base
        target.write_bytes(data)
        if base.lower().endswith(SIDECAR_SUFFIX):
            others.append(UploadResult(base, "metadata", "read with its document, when added with it"))
        else:
            documents.append(target)
    return documents, others


def ingest_uploads(
    uploads: Sequence[tuple[str, bytes]],
    index: Path,
    pipelines: Mapping[str, Any],
    on_file: Callable[[int, int, str], None] | None = None,
    pool: Any = None,
    file_timeout: float = 600.0,
) -> list[UploadResult]:
    """Save the uploads beside the index and read them into it: one result per file, committed file by file
    so a failure later on keeps what was added. `on_file(done, total, name)` reports progress. With a worker
    `pool` (what the UI uses), each file is read in a worker under the time and memory limits, as
    `temoin ingest` reads it; without, in this process."""
    from index.engine import open_writer
    from ingest.pipeline import ingest_paths

    documents, results = save_uploads(uploads, upload_folder(index))
    if not documents:
        return results
    writer = open_writer(index)  # the engine that built the index
    try:
        if pipelines.get("encoder"):  # the encoder setting: vectors written with the records
            from index.semantic import start_embeddings
            from ingest.settings import load_settings

            start_embeddings(writer, getattr(pipelines["encoder"], "name", pipelines["encoder"]), lambda _: None,
                             load_settings().ann_min_rows)
        for n, path in enumerate(documents):
            if on_file is not None:
                on_file(n, len(documents), path.name)
            summary = ingest_paths(
                [path], writer, pipelines, progress=False, workers=pool, file_timeout=file_timeout
            )
            for r in summary.results:
                results.append(UploadResult(Path(r.path).name, r.status, r.reason or "; ".join(r.warnings)))
        if on_file is not None:
            on_file(len(documents), len(documents), "")
    finally:
        writer.close()
    return results


def results_frame(results: Sequence[UploadResult]) -> pd.DataFrame:
    return pd.DataFrame([{"File": r.name, "Result": r.status, "Reason": r.reason} for r in results])


def _run_ingest(shared: SharedIndex, index: Path, uploads: Sequence[tuple[str, bytes]]) -> None:
    from index.schema import IndexError_

    from ingest.ocr import options_from_settings
    from ingest.settings import load_settings
    from ingest.workers import WorkerError, WorkerPool

    settings = load_settings()
    extras: dict[str, Any] = {"ocr": options_from_settings(settings), "encoder": settings.encoder}
    bar = st.progress(0.0, text="Loading the language models…")

    def on_file(done: int, total: int, name: str) -> None:
        bar.progress(done / total, text=f"Reading {name} ({done + 1} of {total})" if name else "Done")

    try:
        # One worker process, under the same time and memory limits as `temoin ingest`: a hostile upload
        # cannot hang or exhaust the UI's own process.
        with WorkerPool(1, settings.models, settings.ner_batch_size, settings.worker_memory_mb, extras) as pool:
            results = ingest_uploads(uploads, index, extras, on_file, pool, settings.file_timeout)
    except WorkerError as exc:
        st.session_state["ingest_report"] = ([], f"The documents could not be read: {exc}")
        return
    except IndexError_ as exc:
        st.session_state["ingest_report"] = ([], f"The index could not be written: {exc}")
        return
    with shared.lock:
        shared.searcher.refresh()
    st.session_state["ingest_report"] = (results, None)
    st.session_state["upload_no"] = st.session_state.get("upload_no", 0) + 1  # a fresh, empty uploader


def render_add_documents(shared: SharedIndex, index: Path) -> None:
    """The sidebar's "Add documents": upload, read into the index, report each file."""
    report = st.session_state.get("ingest_report")
    # open after an ingest, so its report is seen
    with st.sidebar.expander("Add documents", icon=":material/upload_file:", expanded=bool(report)):
        chosen = st.file_uploader(
            "PDF, text, Markdown, HTML or JSON files",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            key=f"uploads_{st.session_state.get('upload_no', 0)}",
            help=f"Saved in {upload_folder(index)} and read into the index. "
            "A file's metadata can come with it as NAME.meta.json.",
        )
        if st.button("Add to the index", key="ingest-uploads", disabled=not chosen, icon=":material/add:"):
            _run_ingest(shared, index, [(f.name, f.getvalue()) for f in chosen or []])
            st.rerun()
        if report:
            results, error = report
            if error:
                st.error(error)
            if results:
                counts = pd.Series([r.status for r in results]).value_counts()
                st.caption(" · ".join(f"{n} {status}" for status, n in counts.items()))
                for r in results:
                    reason = f": {md_escape(r.reason)}" if r.reason else ""
                    st.markdown(f"- **{md_escape(r.name)}** — {r.status}{reason}")
