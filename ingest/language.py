"""Language of documents and passages with langdetect, seeded so that the same text always gets the same answer."""

from __future__ import annotations

import re
from collections import Counter

from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

LANGS = ("en", "fr")  # the two languages Temoin reads closely and searches across
MIN_LETTERS = 20  # below this, a passage takes its document's language
_LETTER = re.compile(r"[^\W\d_]", re.U)
# langdetect's time is in reading the text's n-grams and in its random trials (7 by default). Over 2,500
# passages of ../shared/corpus, 600 characters and 3 trials gave the language of 1,200 characters and 7
# trials for all but 5 (columns of single letters, a list of Italian parties' names in an English ruling),
# in 1.7 ms a passage instead of 3.0.
_SAMPLE_CHARS = 600
TRIALS = 3
_factory: DetectorFactory | None = None
# Running English or French prose says its language in its function words, and counting them takes 0.07 ms
# where langdetect takes ~2. A sample of at least FUNCTION_MIN_WORDS words where one language's words below are
# at least FUNCTION_SHARE of all and the other's at most FUNCTION_OTHER is given that language; anything else
# (short text, lists of names, a passage in both languages, Spanish, Italian, Welsh...) goes to langdetect.
# The French list leaves out what Spanish, Italian or Portuguese also write often (de, la, que, en, il, ne, un).
# Over 6,000 passages of ../shared/corpus, 5,782 were decided here, all as langdetect decides them.
_FUNCTION_WORDS = {
    "en": frozenset(
        "the of and to is that was were for with which this have has been are would there their they who from "
        "not it be by".split()
    ),
    "fr": frozenset("les des du est une dans pour qui pas sur avec aux cette été sont ont au ce et le".split()),
}
FUNCTION_MIN_WORDS = 20
FUNCTION_SHARE = 0.12
FUNCTION_OTHER = 0.03
_WORD = re.compile(r"[^\W\d_]+", re.U)


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


def load_profiles() -> None:
    """Load langdetect's 55 language profiles now, once per process (0.5-0.8 s), rather than in the first
    text that function words cannot decide: in the UI that was the first French sentence searched."""
    _detector()


def detect_language(text: str, default: str = "und") -> str:
    """ISO 639-1 code of the text's language, or `default` when the text has too few letters to tell."""
    sample = text[:_SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return default
    return by_function_words(sample) or langdetect_language(sample, default)


def langdetect_language(sample: str, default: str = "und") -> str:
    """langdetect's answer for the sample, or `default` when it finds none."""
    detector = _detector()
    try:
        detector.append(sample)
        candidates = detector.get_probabilities()
    except LangDetectException:
        return default
    return candidates[0].lang if candidates else default


def by_function_words(sample: str) -> str | None:
    """"en" or "fr" when the sample's function words leave no doubt, else None (see _FUNCTION_WORDS)."""
    words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < FUNCTION_MIN_WORDS:
        return None
    en, fr = _FUNCTION_WORDS["en"], _FUNCTION_WORDS["fr"]
    share_en = sum(w in en for w in words) / len(words)
    share_fr = sum(w in fr for w in words) / len(words)
    if share_en >= FUNCTION_SHARE and share_fr <= FUNCTION_OTHER:
        return "en"
    if share_fr >= FUNCTION_SHARE and share_en <= FUNCTION_OTHER:
        return "fr"
    return None


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


def other_language(lang: str) -> str:
    """The other of the two languages ("en" <-> "fr")."""
    return "fr" if lang == "en" else "en"
