"""Words as written first: among the best keyword results for a query of plain words, the passages holding
them one after the other, in the query's order (as quoting them would find), come before those holding them
apart, each group in BM25 order.

BM25 scores each word alone, so a passage naming "police" here and "violence" there can pass one about
police violence. Measured with bench/keyword_loss.py over the whole shared corpus (300 queries of 2-3 words
drawn from its passages, half English, half French; relevant: the passages holding the words in that order):
keyword recall@5 / MRR 0.890 / 0.784 -> 0.987 / 0.975, hybrid 0.890 / 0.772 -> 0.987 / 0.968 (with the
fusion keeping them first: index/hybrid.py `rank(as_written=...)`; without, hybrid MRR was 0.905). On the
labelled exact terms (tests/golden/semantic, judged by hand) keyword MRR 0.874 -> 1.000.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# How many of the best results are reordered: the keyword side of a hybrid search takes as many
# (hybrid.DEPTH), and a page past them keeps BM25 order, so pages never overlap. Reading the positions of 50
# results took 1.4-24 ms over the shared corpus (2 to 5 words).
WINDOW = 50
# Plain words, apostrophes and hyphens inside them allowed ("droit d'asile", "First-tier Tribunal"): no
# quotes, no field, no operator.
_WORDS = re.compile(r"\s*[^\W_]+(?:['’-][^\W_]+)*(?:\s+[^\W_]+(?:['’-][^\W_]+)*)*\s*")
# The passage's text, stemmed as its language (a passage fills one of them).
_FIELDS = ("content_en", "content_fr")


def phrase_tokens(schema: Any, text: str) -> dict[str, list[str]] | None:
    """The tokens of `text` in each stemmed text field, when it is two or more plain words; else None (a
    quoted phrase already asks for them as written; a query with syntax says what it wants)."""
    from index.search import OPERATORS  # the query parser's; index.search imports this module

    if not _WORDS.fullmatch(text) or OPERATORS.intersection(text.split()):
        return None
    text = text.replace("’", "'")
    tokens = {
        f: [t.text for t in schema[f].tokenize(text, mode="query")] for f in _FIELDS if f in schema.names()
    }
    return tokens if any(len(t) >= 2 for t in tokens.values()) else None


def holding_in_order(reader: Any, docnums: Sequence[int], tokens: dict[str, Sequence[str]]) -> set[int]:
    """Which of `docnums` hold, in one of the fields of `tokens`, that field's tokens one after the other (as
    a quoted phrase finds them: each token at the position after the one before). Read from the postings'
    positions of only those documents: the phrase query Whoosh runs for this walks every document holding
    the words between them, 35 ms for "police violence" over the shared corpus, where this reads 50."""
    held: set[int] = set()
    wanted = sorted(set(docnums))
    for segment, offset in reader.leaf_readers():
        local = [d - offset for d in wanted if offset <= d < offset + segment.doc_count_all()]
        if not local:
            continue
        for fieldname, words in tokens.items():
            if len(words) < 2 or fieldname not in segment.indexed_field_names():
                continue
            if not all(segment.doc_frequency(fieldname, w) for w in words):
                continue  # a word this segment's field never holds: no document of it holds the phrase
            matchers = {w: segment.postings(fieldname, w) for w in dict.fromkeys(words)}
            for docnum in local:
                if docnum + offset in held:
                    continue
                at: dict[str, set[int]] = {}
                for w, m in matchers.items():
                    if m.is_active() and m.id() < docnum:
                        m.skip_to(docnum)
                    if not m.is_active() or m.id() != docnum:
                        break
                    at[w] = set(m.value_as("positions"))
                else:
                    if any(all(p + i in at[w] for i, w in enumerate(words)) for p in at[words[0]]):
                        held.add(docnum + offset)
    return held


def words_as_written_first(
    reader: Any, results: Any, tokens: dict[str, list[str]], window: int = WINDOW
) -> set[int]:
    """Reorder Whoosh `results` in place: of its first `window`, those holding `tokens` in order come first.
    Returns their document numbers: the fusion of a hybrid search keeps them first among keyword hits."""
    top = results.top_n[:window]
    held = holding_in_order(reader, [d for _, d in top], tokens)
    if held and len(held) < len(top):
        # sorted is stable: each group keeps BM25's order
        results.top_n[:window] = sorted(top, key=lambda t: t[1] not in held)
    return held
