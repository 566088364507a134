"""Language of documents and passages with langdetect, seeded so that the same text always gets the same answer."""

from __future__ import annotations

import re
from collections import Counter

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

MIN_LETTERS = 20  # below this, a passage takes its document's language
_LETTER = re.compile(r"[^\W\d_]", re.U)
_SAMPLE_CHARS = 1200


def detect_language(text: str, default: str = "und") -> str:
    """ISO 639-1 code of the text's language, or `default` when the text has too few letters to tell."""
    if len(_LETTER.findall(text[:_SAMPLE_CHARS])) < MIN_LETTERS:
        return default
    DetectorFactory.seed = 0  # langdetect is random unless seeded before each detector is built
    try:
        candidates = detect_langs(text[:_SAMPLE_CHARS])
    except LangDetectException:
        return default
    return candidates[0].lang if candidates else default


def majority_language(weighted: list[tuple[str, int]], default: str = "en") -> str:
    """The language most of the words are in, from (language, word count) pairs."""
    weights: Counter[str] = Counter()
    for lang, words in weighted:
        weights[lang] += words
    return weights.most_common(1)[0][0] if weights else default


def document_language(passage_texts: list[str], default: str = "en") -> str:
    """The language most of the document's words are in."""
    return majority_language(
        [(lang, len(t.split())) for t in passage_texts if (lang := detect_language(t, default=""))], default
    )
