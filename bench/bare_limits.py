"""The bare limits an ingest is measured against (issue 7): pdfminer.six alone on the same PDFs, and spaCy's
NER alone on the same passages, in one process, without any of our code in the loop. When the ingest embeds
(issue 10), also the encoder alone: each passage and testimony quote encoded once, whole, the least a vector
per unit costs.

Used by bench/run.py (`--bare`, and always in its default mode). Figures, never assertions.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from index.search import Searcher
from ingest.pipeline import STAGES

# The stages of one file's build that the bare limits stand for: all but the embeddings and the writing.
BUILD_STAGES = tuple(s for s in STAGES if s not in ("embed", "index"))


def pdfminer_alone(pdfs: Iterable[Path]) -> dict[str, Any]:
    """`pdfminer.high_level.extract_pages` with its default layout analysis (what ingest/readers/pdf.py asks
    for), the text of every text box taken: seconds, pages, words."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    seconds, pages, words, files = 0.0, 0, 0, 0
    for path in pdfs:
        t0 = time.perf_counter()
        try:
            for page in extract_pages(path):
                pages += 1
                words += sum(len(el.get_text().split()) for el in page if isinstance(el, LTTextContainer))
        except Exception:  # noqa: BLE001 - a PDF our ingest read may still trip the bare loop: its time counts
            pass
        seconds += time.perf_counter() - t0
        files += 1
    return {"files": files, "seconds": round(seconds, 2), "pages": pages, "words": words}


def bare_pipeline(name: str) -> Any:
    """A spaCy pipeline loaded with only the components its NER needs (as ingest/entities.py loads it,
    without our entity rulers)."""
    import spacy

    full = spacy.load(name)
    keep = {"ner"}
    if any("listener" in node.name.lower() for node in full.get_pipe("ner").model.walk()):
        keep.add("tok2vec")
    return spacy.load(name, exclude=[p for p in full.pipe_names if p not in keep])


def ner_alone(
    texts: Mapping[str, list[str]], models: Mapping[str, str], batch_size: int = 64
) -> dict[str, Any]:
    """Each language's bare NER pipeline (`bare_pipeline`) run over that language's passages with
    `nlp.pipe`."""
    seconds, words, passages = 0.0, 0, 0
    for lang, group in texts.items():
        if not group:
            continue
        nlp = bare_pipeline(models[lang])
        t0 = time.perf_counter()
        for _doc in nlp.pipe(group, batch_size=batch_size):
            pass
        seconds += time.perf_counter() - t0
        words += sum(len(t.split()) for t in group)
        passages += len(group)
    return {"passages": passages, "seconds": round(seconds, 2), "words": words}


def encoder_alone(texts: list[str], name: str) -> dict[str, Any]:
    """The encoder's own `encode` over each text once, in batches of 64, one thread (as an ingest worker
    runs it); loading it is not timed."""
    from ingest.embed import DEFAULT_BATCH, load_encoder

    encode = load_encoder(name).encode_passages
    t0 = time.perf_counter()
    for start in range(0, len(texts), DEFAULT_BATCH):
        encode(texts[start : start + DEFAULT_BATCH])
    seconds = time.perf_counter() - t0
    return {"encoder": name, "units": len(texts), "seconds": round(seconds, 2),
            "words": sum(len(t.split()) for t in texts)}


def stored_texts(index_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """The stored passages and testimony quotes of the index, read once."""
    searcher = Searcher(index_dir)
    try:
        return {kind: searcher.stored(kind) for kind in ("passage", "quote")}
    finally:
        searcher.close()


def passage_texts(passages: list[dict[str, Any]], models: Mapping[str, str]) -> dict[str, list[str]]:
    """The indexed passages' texts by the pipeline that read them (another language goes to English's, as
    ingest/entities.py does)."""
    out: dict[str, list[str]] = {lang: [] for lang in models}
    fallback = "en" if "en" in models else next(iter(models))
    for row in passages:
        lang = row.get("lang") if row.get("lang") in models else fallback
        out[lang].append(row.get("content", ""))
    return out


def measure(
    read: list[Path], index_dir: Path, models: Mapping[str, str], batch_size: int, encoder: str | None = None
) -> dict[str, Any]:
    """The bare limits of the files an ingest read (its PDFs for pdfminer) into `index_dir`; with `encoder`
    (the ingest embedded), the encoder alone too, and the three together as "seconds_with_encoder"."""
    pdf = pdfminer_alone(p for p in read if p.suffix.lower() == ".pdf")
    stored = stored_texts(index_dir)
    ner = ner_alone(passage_texts(stored["passage"], models), models, batch_size)
    out: dict[str, Any] = {"pdfminer": pdf, "ner": ner, "seconds": round(pdf["seconds"] + ner["seconds"], 2)}
    if encoder:  # every passage and testimony quote: what gets a vector
        units = [row.get("content", "") for kind in ("passage", "quote") for row in stored[kind]]
        out["encoder"] = encoder_alone(units, encoder)
        out["seconds_with_encoder"] = round(out["seconds"] + out["encoder"]["seconds"], 2)
    return out


def overhead(ours_s: float, bare_s: float) -> str:
    return f"{(ours_s / bare_s - 1) * 100:+.0f}%" if bare_s else "-"
