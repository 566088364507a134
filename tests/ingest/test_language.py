"""Language detection: deterministic, per document and per passage, safe on text with no letters."""

from __future__ import annotations

import pytest

from ingest.language import detect_language, document_language

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
