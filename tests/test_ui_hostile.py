"""Hostile documents are inert in every view, in a real browser.

The documents in tests/fixtures/hostile carry HTML, a <script>, javascript: links, an iframe, Markdown and
LaTeX that Streamlit would render, and control characters, in their text, title and publisher. Each view
(passages, document, testimonies, evidence pack, rulings) must show them as text: no dialog opens, no
element the documents wrote exists in the page, no LaTeX or Markdown is rendered from them, no traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, build_index
from tests.test_ui_browser import CHROMIUM, CHROMIUM_ARGS, serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

HOSTILE = FIXTURES / "hostile"
# What the documents would inject if they were rendered: none of it may exist in the page.
INJECTED = ", ".join([
    "img[onerror]", "a[href^='javascript']", "iframe", "[onclick]", ".katex", "[data-testid='stException']",
    ".tm-hit script", ".tm-page script", ".tm-quote script", "b:text('du gras')", "strong:text('burned')",
])


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Iterator[str]:
    index_dir = tmp_path_factory.mktemp("hostile") / "index"
    summary = build_index([HOSTILE], index_dir, pipelines)
    assert [r.status for r in summary.results] == ["added", "added"]
    with serving(index_dir, index_dir.parent / "serve.log") as url:
        yield url


def test_hostile_documents_are_text_in_every_view(hostile_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import Dialog, Page, expect, sync_playwright

    dialogs: list[str] = []

    def inert(page: Page, view: str) -> None:
        page.wait_for_timeout(600)  # let anything that would run, run
        found = page.locator(INJECTED)
        assert found.count() == 0, f"{view}: rendered from a document: {found.first.evaluate('e => e.outerHTML')}"
        assert dialogs == [], f"{view}: a document's script ran: {dialogs}"
        page.screenshot(path=tmp_path / f"hostile-{view}.png")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})

            def record(dialog: Dialog) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", record)
            page.set_default_timeout(30_000)

            # Passages: the card's title, publisher and snippet
            page.goto(f"{hostile_server}/?q=tents")
            card = page.locator(".tm-hit").first
            expect(card.locator(".tm-title")).to_contain_text("Camp report <img src=x onerror=alert('title')>")
            expect(card).to_contain_text("Collectif [Dunes](javascript:alert('publisher')) $x^2$")
            expect(card.locator(".tm-snippet")).to_contain_text("<script>alert('quote')</script>")
            inert(page, "passages")

            # The document view: the page text with its control characters, the metadata
            page.get_by_role("button", name="Open document").first.click()
            text = page.locator(".tm-page")
            expect(text).to_contain_text("[the prefecture](javascript:alert('link'))")
            expect(text).to_contain_text("**burned** everything; it cost us $20 and $30 to replace :red[them].")
            expect(page.locator("table.tm-metadata")).to_contain_text("Collectif [Dunes]")
            # control characters are shown as signs, and a bidi override cannot turn "gnp.exe" into "exe.png"
            expect(text).to_contain_text("a bell \u2407, an escape \u241b[31m in red \u241b[0m")
            expect(text).to_contain_text("right-to-left mark [U+202E] gnp.exe in its text")
            inert(page, "document")

            # A French HTML page: its scripts are not text, its markup is gone, its words remain
            page.goto(f"{hostile_server}/?q=saisies")
            expect(page.locator(".tm-hit .tm-title").first).to_have_text("Avis <b>officiel</b> aux exilés")
            page.get_by_role("button", name="Open document").first.click()
            expect(page.locator(".tm-page")).to_contain_text("$\\frac{1}{2}$ avec `du code`, du gras")
            expect(page.locator(".tm-page")).not_to_contain_text("alert('body')")
            inert(page, "html-document")

            # Testimonies, then the evidence pack that lists the ticked one
            page.goto(hostile_server)
            page.get_by_role("radio", name="Testimonies").click()
            quote = page.locator(".tm-quote").first
            expect(quote.locator(".tm-qtext")).to_contain_text("<script>alert('quote')</script> and **burned**")
            page.get_by_text("Citation to copy").first.click()
            inert(page, "testimonies")
            page.get_by_text("Evidence pack", exact=True).first.click()
            page.get_by_text("Evidence pack · 1 item").click()
            expect(page.get_by_text("Karim, a 30-year-old from Sudan — Camp report <img src=x")).to_be_visible()
            inert(page, "evidence-pack")

            # Rulings: the citing document's title is a button label, which Streamlit reads as Markdown
            page.get_by_role("radio", name="Rulings").click()
            expect(page.locator(".tm-hit .tm-title").first).to_have_text("Conseil d'État, 2017-07-31, n° 412125")
            expect(page.get_by_role("button", name="Camp report <img src=x onerror=alert('title')>")).to_be_visible()
            inert(page, "rulings")
        finally:
            browser.close()
    print(f"screenshots in {tmp_path}")
