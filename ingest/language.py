"""Language of documents and passages with langdetect, seeded so that the same text always gets the same answer."""

from __future__ import annotations

import re
from collections import Counter

from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

MIN_LETTERS = 20  # below this, a passage takes its document's language
_LETTER = re.compile(r"[^\W\d_]", re.U)
# langdetect's time is in reading the text's n-grams and in its random trials (7 by default). Over 2,500
# passages of ../shared/corpus, 600 characters and 3 trials gave the language of 1,200 characters and 7
# trials for all but 5 (columns of single letters, a list of Italian parties' names in an English ruling),
# in 1.7 ms a passage instead of 3.0.
_SAMPLE_CHARS = 600
TRIALS = 3
_factory: DetectorFactory | None = None


def _detector() -> Detector:
    global _factory
    if _factory is None:
        factory = DetectorFactory()
        factory.load_profile(PROFILES_DIRECTORY)
        factory.set_seed(0)  # langdetect is random unless seeded: the same text always gets the same answer
        _factory = factory
    detector = _factory.create()
    detector.n_trial = TRIALS
    return detector


def detect_language(text: str, default: str = "und") -> str:
    """ISO 639-1 code of the text's language, or `default` when the text has too few letters to tell."""
    sample = text[:_SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return default
    detector = _detector()
    try:
        detector.append(sample)
        candidates = detector.get_probabilities()
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
