"""Language detection: deterministic, per document and per passage, safe on text with no letters."""

from __future__ import annotations

import pytest

from ingest.language import by_function_words, detect_language, document_language, langdetect_language

EN = "The families were evicted from the camp at dawn and their tents were taken away by the police."
FR = "Les familles ont été expulsées du campement à l’aube et leurs tentes ont été emportées par la police."


@pytest.mark.parametrize(("text", "lang"), [(EN, "en"), (FR, "fr")])
def test_detect(text: str, lang: str) -> None:
    assert {detect_language(text) for _ in range(5)} == {lang}


@pytest.mark.parametrize("text", ["", "12 345 — 2018/07/31", "§ 12.", "https://"])
def test_no_letters_gets_default(text: str) -> None:
    assert detect_language(text, default="fr") == "fr"


def test_document_language_by_weight() -> None:
    assert document_language([FR, FR, EN]) == "fr"
    assert document_language([]) == "en"


# Prose of our own, long enough for the function-word count (ingest/language.py, `by_function_words`).
EN_PROSE = (
    "The report describes how the families who were living under the bridge were moved on by the police "
    "before dawn, and how their belongings, which had been gathered in bags, were taken away to a depot that "
    "nobody could reach without a car. They told the researchers that this had happened three times that month."
)
FR_PROSE = (
    "Le rapport décrit comment les familles qui vivaient sous le pont ont été déplacées par la police avant "
    "l'aube, et comment leurs affaires, rassemblées dans des sacs, ont été emportées vers un dépôt que "
    "personne ne pouvait atteindre sans voiture. Elles ont dit aux enquêteurs que cette scène se répète "
    "chaque semaine et que les associations sont averties trop tard pour être sur place."
)
OTHER_PROSE = {
    "es": (
        "El informe describe cómo las familias que vivían debajo del puente fueron desalojadas por la policía "
        "antes del amanecer, y cómo sus pertenencias fueron llevadas a un depósito que nadie podía alcanzar sin "
        "coche. Dijeron a los investigadores que esto había ocurrido tres veces ese mes."
    ),
    "it": (
        "Il rapporto descrive come le famiglie che vivevano sotto il ponte sono state spostate dalla polizia "
        "prima dell'alba, e come i loro beni sono stati portati in un deposito che nessuno poteva raggiungere "
        "senza macchina. Hanno detto ai ricercatori che questo era successo tre volte quel mese."
    ),
}


@pytest.mark.parametrize(("text", "lang"), [(EN_PROSE, "en"), (FR_PROSE, "fr")])
def test_function_words_decide_plain_prose_as_langdetect_does(text: str, lang: str) -> None:
    assert by_function_words(text) == lang
    assert langdetect_language(text) == lang
    assert detect_language(text) == lang


@pytest.mark.parametrize("lang", sorted(OTHER_PROSE))
def test_other_languages_are_left_to_langdetect(lang: str) -> None:
    text = OTHER_PROSE[lang]
    assert by_function_words(text) is None
    assert detect_language(text) == lang


def test_mixed_or_short_text_is_left_to_langdetect() -> None:
    half_each = EN_PROSE[:200] + " " + FR_PROSE[:200]
    assert by_function_words(half_each) is None
    assert by_function_words("The camp and the tents of the families") is None  # under 20 words
    assert detect_language(half_each) in {"en", "fr"}
