"""Keyword and semantic rankings fused into one, each hit saying why it matched.

Reciprocal-rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): a hit scores sum(w / (k + rank)) over the
rankings it appears in. It needs no score calibration between BM25 and cosine, which live on unrelated
scales, and it rewards what both rankings agree on. `k` and the semantic weight were tuned on
tests/golden/semantic/ by bench/semantic_eval.py (see the defaults' comments).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Literal

import numpy as np

from index.vectors import VectorIndex, nearest_units
from ingest.language import LANGS, other_language

Why = Literal["keywords", "meaning", "both", "translation"]
Mode = Literal["keyword", "semantic", "hybrid"]
# Tuned on tests/golden/semantic (49 queries; bench/fusion_grid.py over the shipped path, use-m3 with sentence
# rows, keyword side as shipped: every word must match). recall@5 / MRR: keyword 0.27 / 0.28, semantic
# 0.49 / 0.47; RRF k=10 with the semantic side weighted 1: 0.62 / 0.63, but exact-term queries (article numbers,
# names of bodies) fell from 0.89 to 0.80 recall@5, as meaning-only hits slipped between passages holding the
# term. Weight 0.75 keeps them: 0.64 / 0.63 overall, same-language 0.77 / 0.75 (keyword 0.46 / 0.47), exact-term
# 0.89 / 0.92 (keyword 0.89 / 0.87), cross-language 0.45 / 0.46 (keyword 0). k from 5 to 60 changes nothing
# more than the third decimal. Expect lower figures on queries nobody tuned on.
# k = 12 (it was 10) so that a hit found by one side alone, the meaning side's first included (0.75 / 13),
# never passes the keyword side's fifth (1 / 17): same-language keyword queries keep keyword search's first
# five. Measured with bench/keyword_loss.py (300 queries of 2-3 words drawn from the whole shared corpus's
# own passages, half English, half French; relevant: the passages holding the words in that order): recall@5
# keyword 0.890, hybrid 0.880 at k = 10 (5 queries lost their passage from the first five, 3 of them to a
# meaning-only hit at 5th), 0.890 at 12 (3 lost, 3 gained: keyword hits the meaning side also found, moved
# up); 15 the same, but the labelled set's same-language recall@5 fell 0.79 -> 0.76. At 12 the labelled set
# went 0.772 / 0.715 -> 0.775 / 0.725 (cross-language 0.740 / 0.701 -> 0.748 / 0.726), the first held-out
# set 0.617 / 0.530 -> 0.617 / 0.533. Keeping keyword order among the keyword hits (the fusion choosing only
# where they go) lost none from the first five either, but the labelled exact terms' MRR fell from 0.918 to
# 0.872 (keyword 0.874): the meaning side helps order the passages that hold a term.
RRF_K = 12.0
SEMANTIC_WEIGHT = 0.75
# The meaning side ranks a passage by its cosine with the query plus this much of its document's (the mean of
# the document's passages, index/vectors.py `document_vectors`). A query's words match many sentences of
# unrelated documents; what the whole document is about tells them apart, and it carries across languages
# better than one sentence does. Measured on tests/golden/semantic (bench/semantic_eval.py) with weights
# 0 / 0.25 / 0.5 / 1: on the labelled set's 31 documents, hybrid recall@5 0.64 / 0.70 / 0.70 / 0.70 and
# cross-language 0.45 / 0.55 / 0.56 / 0.56; on the whole shared corpus (265 documents, 27,171 units, the
# same labels, so a floor: unlabelled passages also answer), hybrid 0.34 / 0.40 / 0.47 / 0.49, cross-language
# 0.29 / 0.34 / 0.46 / 0.41, exact terms unchanged (0.89 on the 31; 0.45 on all). Centring document vectors
# per language (to take the language out of them), or a document's top 3 passages instead of its mean, lost
# most of the gain on both. So did ranking each language apart and interleaving (cross-language 0.45 -> 0.40 on
# the 31) and pseudo-relevance feedback (the query moved toward its first 3 hits: no gain, or a loss). So
# did a second ranking over the other language's rows, the query moved by the languages' mean difference
# (FR->EN first five 3/10 -> 4-5/10 on the 31; same-language MRR 0.65 / 0.85 -> 0.45 / 0.40).
# So did taking hubs down (stop 29): each document's cosine less beta times the mean cosine of its vector with
# its 10 nearest documents' (CSLS, Conneau et al. 2018), since a long yearly report's mean is near any
# question of rights. Over the whole shared corpus, beta 0 / 0.5 / 1, French queries' English document among
# the first five: 6 / 6 / 6, 7 / 7 / 7, 6 / 4 / 2 of 10 on the three sets (English queries' French one 8 -> 9).
CONTEXT_WEIGHT = 0.5
# Not done: moving a document's third and later hits found by meaning or in translation behind the other
# documents' hits, so that one long ruling or yearly report does not fill a page. Over the whole shared corpus
# (the three sets of tests/golden/semantic; stop 29) French queries found their English document among the
# first five 6 -> 6, 7 -> 7, 6 -> 7 of 10, but their passage 5 -> 4, 5 -> 4, 1 -> 1, and cross-language MRR
# fell (0.530 -> 0.518, 0.533 -> 0.511, 0.297 -> 0.291): the document that answers often holds the neighbours
# of the passage that does. With one hit per document, worse still; with three, no gain.
DEPTH = 50  # candidates taken from the keyword and bridge rankings before fusing
# Candidates taken from the meaning side, whatever page is asked for: a passage far down by meaning that also
# holds the query's terms in translation belongs in the fusion. It used to be the page's end + DEPTH, so a
# page of 10 (the CLI and the UI) took 60 and ranked differently from the 50-hit lists the figures were
# measured with (100): French queries with their English passage in the first five, labelled set, 6 of 10 at
# 50-60, 8 of 10 at 100, the same at 150 and 200; nothing else changed (bench/semantic_eval.py).
SEMANTIC_DEPTH = 100
# The third ranking of a hybrid search: passages of the other language holding the query's terms of the field
# in translation (index/bridge.py), each counted in proportion to the share of the query it answers. On
# tests/golden/semantic (bench/semantic_eval.py), weights 0 / 0.5 / 0.75 / 1 / 1.5: French queries with their
# English passage in the first five 3 / 6 / 8 / 8 / 8 of 10, English ones with their French passage 10/10 at
# all; same-language first five unchanged up to 1 (6/8 English, 8/10 French; 4/8 at 1.5), same-language MRR
# 0.75 / 0.72 / 0.72 / 0.71 / 0.69. Counted by rank alone (not by share), 0.5 already cost English queries 2 of
# their 6. On the held-out queries (tests/golden/semantic/heldout.jsonl, never tuned on) 0.75 takes French
# queries from 4 to 5 of 10 and cross-language MRR 0.47 -> 0.52, same-language unchanged.
# The bridge stands in for the query's words in the other language, so a passage that holds the words
# themselves gets nothing more from holding their translation too: bilingual text (a CJEU ruling's
# "Conseil d'État (Council of State, France)") would count one notion twice and pass the passages that
# hold the words in one language only. Over the whole shared corpus "Conseil d'État" had its labelled
# passage 4th by keyword and 8th by hybrid, behind English rulings naming the court in both languages;
# 4th now. No other query of the labelled and first held-out sets moved, in either direction.
BRIDGE_WEIGHT = 0.75
# Keyword search's first five stay in a hybrid search's first five, in the fused order. RRF_K keeps a hit
# found by one side alone below them, but one found both by meaning and in translation could pass them: over
# the whole shared corpus "police violence" put three French passages (why: translation) among its first
# five and pushed out the English passages keyword search ranks 4th and 5th. Measured
# (bench/semantic_eval.py, the three sets over the whole shared corpus; bench/keyword_loss.py, 300 drawn
# queries) before -> after: every recall@5, MRR and first-five count by direction unchanged (the sets'
# cross-language queries have no keyword hits in their own language, or their answer stays in the first
# five); drawn queries ranked worse by hybrid than by keyword 5 -> 4, MRR 0.964 -> 0.966. Translation hits
# then start at the sixth place, still on a first page.
KEPT_KEYWORD_HITS = 5
# A query made only of identifiers or a quoted phrase ("604/2013", "ACAT", "Article 33", "\"garde à vue\"")
# asks for those very characters: the meaning side then weighs less. Measured on the 11 exact-term queries of
# tests/golden/semantic over the whole shared corpus: recall@5 / MRR keyword 0.47 / 0.47, hybrid at 0.75
# 0.455 / 0.468 ("ACAT": a passage about the same subject without the acronym came fifth), at 0.5 0.47 / 0.47;
# on the labelled set's 31 documents 0.894 / 0.92 at both weights. Such a query's keyword hits also come
# before any hit without its words (`rank(keyword_first=True)`): over the whole corpus "\"Article 33\"" had
# its passage 24th by keyword, 31st by hybrid, "\"garde à vue\"" 17th and 20th, as passages near in meaning
# came between; now 24th and 17th, and the labelled set's exact-term MRR stays 0.918 (keyword 0.874).
EXACT_WEIGHT = 0.5
# When no passage holds every word of the query (a sentence, a paraphrase), keyword search gives nothing, and
# only the other language had a ranking by words: the passages holding the query's terms in translation. A
# French sentence then answered in English first, an English one in French. The passages of the query's own
# language holding some of its content words now join that ranking, each by the share of the words it holds
# times this weight (a passage holding all of the query's notions in translation outranks one holding half of
# its words). Measured with bench/semantic_eval.py, weights 0 / 0.5 / 1: labelled set recall@5 / MRR
# 0.775 / 0.740, 0.796 / 0.776, 0.776 / 0.771; same-language 0.794 / 0.724, 0.836 / 0.787, 0.801 / 0.796;
# cross-language 0.748 / 0.764, 0.740 / 0.761, 0.740 / 0.735; first held-out set MRR 0.533, 0.564, 0.555
# (same-language 0.555, 0.650, 0.674; cross-language 0.523, 0.521, 0.495), recall@5 unchanged. Keyword
# search's own hits are untouched (bench/keyword_loss.py: the same figures), since it only applies when
# there are none.
PARTIAL_WEIGHT = 0.5
# Of a hybrid search's first five, this many go to the best hits in the other language (English for a French
# query, French for an English one), when the query's language is known and no hit of the query's words would
# leave: the encoder rates a passage of the query's own language higher than its translation, so loosely
# related passages in the query's language filled the first five while the document that answers, often the
# first of the other language's (6 of the third set's 10 English queries, searched among French passages),
# came far below. Measured over the whole shared corpus (four sets of tests/golden/semantic: 139 queries; the
# third written at stop 29 by a helper, whose first run showed this), first five holding the
# answer's document / passage, with 0 -> 2 places: English queries over French text 31 -> 35 / 24 -> 29 of 40
# (the third set alone 4 -> 7 / 3 -> 7 of 10), French over English 26 / 13 of 40 both, French over French
# 25 / 23 of 30 both, English over English 18 / 12 -> 18 / 11 of 29; 1 place (tried on the hits as ranked
# before): English over French 33 / 26, against 34 / 28 for 2 places there.
# A hit taking such a place is nearer the query than unrelated passages come by chance
# (`index.vectors.chance_similarity`) or holds the query's terms in translation; the same-language hits it
# displaces come next, before the rest. Adding to the other language's cosines instead (+0.04 / +0.08) gained
# less for English queries (33 / 35) and cost French queries over French text (23 / 20 of 30).
# Also tried, no change on the four sets: the other language's 10 nearest added to the meaning side's pool
# (for "prison overcrowding minimum cell space per detainee" the 100 nearest held no French passage), and
# choosing the places by cosine rather than in the fused order (English queries over French text 35 -> 34).
OTHER_LANGUAGE_PLACES = 2
FIRST_PAGE_HEAD = 5
_ACRONYM = re.compile(r"[A-ZÀ-Ý]{2,}")
_REFERENCE_WORDS = {"art", "art.", "article", "articles", "n°", "no", "no.", "nº"}


def has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _identifier(word: str) -> bool:
    return has_digit(word) or bool(_ACRONYM.fullmatch(word))


def exact_query(text: str) -> bool:
    """Whether `text` is one quoted phrase, or identifiers alone: numbers and references ("604/2013",
    "C-411/10", "Article 33") or acronyms in capitals ("ACAT", "CNCDH")."""
    text = text.strip()
    if re.fullmatch(r'"[^"]+"', text):
        return True
    words = text.split()
    return any(_identifier(w) for w in words) and all(_identifier(w) or w.lower() in _REFERENCE_WORDS for w in words)


def weight_for(exact: bool) -> float:
    """The meaning side's weight in the fusion for a query, `exact` or not (`exact_query`)."""
    return EXACT_WEIGHT if exact else SEMANTIC_WEIGHT


@dataclass(frozen=True, slots=True)
class FusedHit:
    id: str
    score: float
    # "keywords": only the words matched (all of them; or some, when no passage holds all: `partial`);
    # "meaning": only the embedding; "both"; "translation": the query's terms in the other language
    # (index/bridge.py), not its own words
    why: Why
    keyword_rank: int | None  # 1-based rank in the keyword results, if there
    semantic_rank: int | None  # 1-based rank among the nearest vectors, if there
    similarity: float | None = None  # cosine with the query, when it came from the semantic side
    bridge_rank: int | None = None  # 1-based rank among the passages holding the query's terms in translation


def fuse(
    keyword: Sequence[str],
    semantic: Sequence[str],
    k: float = RRF_K,
    semantic_weight: float = SEMANTIC_WEIGHT,
    similarities: Sequence[float] | None = None,
    bridge: Sequence[str] = (),
    bridge_weight: float = BRIDGE_WEIGHT,
    bridge_cover: Sequence[float] | None = None,
    partial: Collection[str] = (),
) -> list[FusedHit]:
    """The union of the rankings of ids (best first: keyword, semantic, and the query's terms in translation)
    by reciprocal-rank fusion; ties broken by the better single rank, then the id, so the order is
    reproducible. A bridge hit counts in proportion to `bridge_cover`, the share of the query it answers (1
    when not given): a passage holding one of five notions in translation is weak evidence; and not at all
    when the passage holds the query's own words (a keyword hit): one notion is not counted twice. Ids in
    `partial` are in the bridge ranking for holding some of the query's own words, not their translation.
    """
    cover = dict(zip(bridge, bridge_cover)) if bridge_cover is not None else {}
    keyword_rank = {i: r for r, i in reversed(list(enumerate(keyword, 1)))}
    semantic_rank = {i: r for r, i in reversed(list(enumerate(semantic, 1)))}
    bridge_rank = {i: r for r, i in reversed(list(enumerate(bridge, 1)))}
    similarity = dict(zip(semantic, similarities)) if similarities is not None else {}
    hits = []
    for id_ in dict.fromkeys([*keyword, *semantic, *bridge]):
        kr, sr, br = keyword_rank.get(id_), semantic_rank.get(id_), bridge_rank.get(id_)
        score = (
            (1.0 / (k + kr) if kr else 0.0)
            + (semantic_weight / (k + sr) if sr else 0.0)
            + (bridge_weight * cover.get(id_, 1.0) / (k + br) if br and not kr else 0.0)
        )
        words = kr or (br and id_ in partial)
        why: Why = "both" if words and sr else "keywords" if words else "translation" if br else "meaning"
        hits.append(FusedHit(id_, score, why, kr, sr, similarity.get(id_), br))
    hits.sort(key=lambda h: (-h.score, min(h.keyword_rank or 10**9, h.semantic_rank or 10**9, h.bridge_rank or 10**9),
                             h.id))
    return hits


def semantic_ranking(
    vectors: VectorIndex,
    query: np.ndarray,
    allowed: Collection[str] | None,
    depth: int = DEPTH,
    context: float = CONTEXT_WEIGHT,
) -> tuple[list[str], list[float]]:
    """The `depth` nearest ids to the query vector among the `allowed` ids (all when None), with cosines."""
    mask = None if allowed is None else vectors.mask(allowed)
    hits = nearest_units(vectors, query, depth, mask, context)
    return [h.id for h in hits], [h.score for h in hits]


def keep_keyword_places(
    fused: list[FusedHit], kept: Sequence[str], within: int = KEPT_KEYWORD_HITS
) -> list[FusedHit]:
    """The fused order, changed only as far as the `kept` ids need to stand among its first `within`: a hit
    that is not kept takes one of those places only while enough remain for the kept ones still to come."""
    owed = set(kept) & {h.id for h in fused}
    head: list[FusedHit] = []
    rest = list(fused)
    while rest and owed and len(head) < within:
        take = 0
        if rest[0].id not in owed and within - len(head) <= len(owed):
            take = next(i for i, h in enumerate(rest) if h.id in owed)
        hit = rest.pop(take)
        owed.discard(hit.id)
        head.append(hit)
    return head + rest


def rank(
    mode: Mode,
    keyword: Sequence[str],
    vectors: VectorIndex | None,
    query: np.ndarray | None,
    allowed: Collection[str] | None,
    limit: int,
    depth: int = DEPTH,
    k: float = RRF_K,
    semantic_weight: float = SEMANTIC_WEIGHT,
    mask: np.ndarray | None = None,
    context: float = CONTEXT_WEIGHT,
    bridge: Sequence[str] = (),
    bridge_weight: float = BRIDGE_WEIGHT,
    bridge_cover: Sequence[float] | None = None,
    semantic_depth: int = SEMANTIC_DEPTH,
    keyword_first: bool = False,
    partial: Collection[str] = (),
    as_written: Collection[str] = (),
) -> list[FusedHit]:
    """The first `limit` hits for a search in `mode`. `keyword` is the keyword ranking already restricted by
    the filters; `allowed` the ids the same filters let through (or `mask`, the same as a row mask), so
    semantic hits obey them too; `bridge`, hybrid only, the passages of the other language holding the query's
    terms in translation, already filtered; `keyword_first` (a query of identifiers or one quoted phrase,
    `exact_query`) puts the keyword hits before the others, in the fused order among themselves; the keyword
    hits in `as_written` (holding the query's words one after the other: index/proximity.py) take the first
    of the places the keyword hits hold, in the fused order, the others the rest. Without vectors
    (an index not embedded yet) every mode falls back to the keyword ranking."""
    if mode == "keyword" or vectors is None or query is None:
        return [FusedHit(i, 1.0 / (k + r), "keywords", r, None) for r, i in enumerate(keyword[:limit], 1)]
    if mask is not None:
        found = nearest_units(vectors, query, max(semantic_depth, limit), mask, context)
        ids, sims = [h.id for h in found], [h.score for h in found]
    else:
        ids, sims = semantic_ranking(vectors, query, allowed, max(semantic_depth, limit), context)
    if mode == "semantic":
        by_keyword = {i: r for r, i in reversed(list(enumerate(keyword[:depth], 1)))}
        return [
            FusedHit(i, s, "both" if i in by_keyword else "meaning", by_keyword.get(i), r, s)
            for r, (i, s) in enumerate(zip(ids[:limit], sims), 1)
        ]
    fused = fuse(
        list(keyword[:depth]), ids, k, semantic_weight, sims, list(bridge[:depth]), bridge_weight,
        None if bridge_cover is None else list(bridge_cover[:depth]), partial,
    )
    if keyword_first:  # the words were asked for as written: what holds them comes first, in the fused order
        fused = [h for h in fused if h.keyword_rank] + [h for h in fused if not h.keyword_rank]
    if as_written:  # meaning may reorder those holding the words, not put those holding them apart first
        places = [i for i, h in enumerate(fused) if h.keyword_rank]
        in_order = sorted((fused[i] for i in places), key=lambda h: h.id not in as_written)  # stable
        for i, h in zip(places, in_order):
            fused[i] = h
    # keyword search's first five stay in the first five, an identifier's or a quoted phrase's too: there
    # `keyword_first` put every keyword hit first, but in the fused order, so "Article 8" had keyword search's
    # 5th passage 6th
    fused = keep_keyword_places(fused, keyword[:KEPT_KEYWORD_HITS])
    return fused[:limit]


def other_language_places(
    hits: Sequence[FusedHit],
    lang_of: Callable[[int], str],
    query_lang: str | None,
    floor: float,
    places: int = OTHER_LANGUAGE_PLACES,
    head: int = FIRST_PAGE_HEAD,
) -> list[int]:
    """The order (indices into `hits`) that gives the last `places` of the first `head` places to the best
    hits in the language other than `query_lang` ("en" or "fr"; None: the order as it is), `lang_of(i)`
    giving hit i's; only hits found in translation or nearer than `floor` by meaning take a place, and only
    from hits of the query's language that hold none of its words. The displaced come right after."""
    order = list(range(len(hits)))
    if query_lang not in LANGS or not places or len(hits) <= head:
        return order
    other = other_language(query_lang)
    first = order[:head]
    need = places - sum(lang_of(i) == other for i in first)
    if need <= 0:
        return order
    wanted = list(islice((  # lazily: `lang_of` reads a stored record, and the first few will do
        i for i in order[head:]
        if lang_of(i) == other and (hits[i].why != "meaning" or (hits[i].similarity or -1.0) > floor)
    ), need))
    free = [i for i in reversed(first) if hits[i].why not in ("keywords", "both") and lang_of(i) == query_lang]
    taken = wanted[: len(free)]
    if not taken:
        return order
    moved, placed = set(free[: len(taken)]), set(taken)
    kept = [i for i in first if i not in moved]
    return kept + taken + sorted(moved) + [i for i in order[head:] if i not in placed]
