"""What a person sees: `temoin serve` on a free port, driven in Debian's Chromium with Playwright.

Screenshots of the results and of the document view are saved in the test's tmp_path (the path is printed).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 60.0
ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

# Field notes quoting a hostile leaflet (markup, a script, dollar signs): shared with the other UI tests.
NOTES = (Path(__file__).resolve().parent / "fixtures" / "dunkirk-notes.txt").read_text(
    encoding="utf-8"
)

ORDONNANCE = """\
Ordonnance du juge des référés sur l'accès à l'eau à Calais

Le juge des référés du tribunal administratif de Lille, statuant en urgence le 12 avril 2021, enjoint au
préfet du Pas-de-Calais d'installer des points d'eau potable et des douches à proximité des lieux de vie
informels de Calais, dans un délai de huit jours.
"""

REPORT = """\
Nowhere to go: evictions on the northern coast

Interviewed in Calais, 14 April 2021

“Samir”, a 19-year-old from Sudan, told us, “They took our tents again. We slept on the ground in the rain.”

The order to install water points in Calais was upheld on appeal (Conseil d'État, 31 juillet 2017, n° 412125).
"""


@pytest.fixture(scope="module")
def browser_index(tmp_path_factory: pytest.TempPathFactory, pipelines: dict[str, Any]) -> Path:
    from index.writer import IndexWriter
    from ingest.pipeline import ingest_paths

    base = tmp_path_factory.mktemp("browser")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "dunkirk-notes.txt").write_text(NOTES, encoding="utf-8")
    (corpus / "dunkirk-notes.meta.json").write_text(
        json.dumps(
            {
                "title": "Field notes <b>Dunkirk</b>",
                "kind": "report",
                "date": "2021-05",
                "publisher": "Observatoire des frontières",
                "language": "en",
            }
        ),
        encoding="utf-8",
    )
    (corpus / "ordonnance-lille-eau.txt").write_text(ORDONNANCE, encoding="utf-8")
    (corpus / "tents-report.txt").write_text(REPORT, encoding="utf-8")
    (corpus / "tents-report.meta.json").write_text(
        json.dumps({"title": "Nowhere to go", "kind": "report", "publisher": "Border Watch"}),
        encoding="utf-8",
    )
    writer = IndexWriter(base / "index")
    try:
        ingest_paths([corpus], writer, pipelines, progress=False)
    finally:
        writer.close()
    return base / "index"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"temoin serve exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(
        f"temoin serve did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text(errors='replace')}"
    )


def settle(page: Any, quiet_ms: int = 700, timeout_ms: int = 60_000) -> None:
    """Wait until the app's script has been idle for `quiet_ms`: Streamlit shows its running icon while a
    run goes on, and a click landing then may act on an element the run is about to replace."""
    running = page.locator("[data-testid='stStatusWidgetRunningIcon']")
    deadline = time.monotonic() + timeout_ms / 1000
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        now = time.monotonic()
        if running.count():
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif (now - quiet_since) * 1000 >= quiet_ms:
            return
        page.wait_for_timeout(100)


def download(page: Any, button: str) -> Path:
    """Click a download button once the app is idle and return the downloaded file. A button whose data is
    built on click names a callable registered by one run of the script; a rerun under load can replace it
    between render and click, and then no download comes. A user clicks again: so does this, once."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    def once() -> Path:
        settle(page)
        with page.expect_download(timeout=30_000) as pending:
            page.get_by_role("button", name=button).click()
        return Path(pending.value.path())

    try:
        return once()
    except PlaywrightTimeout:
        return once()


@contextlib.contextmanager
def serving(index_dir: Path, log: Path) -> Iterator[str]:
    """`temoin serve` on a free port, in its own process group, so that stopping it also stops the
    Streamlit it starts; yields the address once the server answers."""
    port = free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "search_app.cli", "serve", "--index", str(index_dir), "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, proc, log)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server(browser_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(browser_index, tmp_path_factory.mktemp("serve") / "serve.log") as url:
        yield url


def test_search_then_read_the_document(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import Dialog, expect, sync_playwright

    expect.set_options(timeout=30_000)  # as the page's own waits: a loaded machine renders late, not wrongly

    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})

            def record_dialog(dialog: Dialog) -> None:
                dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", record_dialog)
            page.set_default_timeout(30_000)
            page.goto(server)

            box = page.get_by_placeholder("Search:")
            box.fill("leaflet")
            box.press("Enter")
            card = page.locator(".tm-hit").first
            expect(card.locator(".tm-title")).to_have_text("Field notes <b>Dunkirk</b>")
            expect(card.locator(".tm-snippet mark").first).to_have_text("leaflet", ignore_case=True)
            expect(card.locator(".tm-meta")).to_contain_text("2021-05")
            page.wait_for_timeout(500)  # let the fonts settle for the screenshot
            page.screenshot(path=tmp_path / "results.png")

            page.get_by_role("button", name="Open document").first.click()
            text = page.locator(".tm-page")
            expect(text).to_contain_text("<script>alert(1)</script> followed by a phone number")
            expect(text).to_contain_text('it costs $5 and $10 to "register"')
            expect(text).to_contain_text("[square brackets](javascript:alert(2))")
            expect(text.locator(".tm-passage mark").first).to_be_visible()
            assert text.locator("script, a, img, em").count() == 0
            expect(page.locator("table.tm-metadata")).to_contain_text("Observatoire des frontières")
            expect(page.get_by_text("Named in the text shown")).to_be_visible()
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "document.png")

            # the query is in the address, so a search can be shared
            assert "q=leaflet" in page.url
            page.goto(f"{server}/?q=eau")
            expect(page.locator(".tm-hit .tm-title").first).to_have_text(
                "Ordonnance du juge des référés sur l'accès à l'eau à Calais"
            )
            page.screenshot(path=tmp_path / "french.png")
        finally:
            browser.close()
    assert dialogs == []
    print(f"screenshots in {tmp_path}")


def test_testimonies_and_rulings_views(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # as the page's own waits: a loaded machine renders late, not wrongly

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.set_default_timeout(30_000)
            page.goto(server)
            page.get_by_role("radio", name="Testimonies").click()
            card = page.locator(".tm-quote").first
            expect(card.locator(".tm-qtext")).to_contain_text("They took our tents again.")
            expect(card.locator(".tm-who")).to_contain_text("Samir, a 19-year-old from Sudan")
            expect(card.locator(".tm-meta")).to_have_text("Calais · 2021-04-14")
            page.get_by_text("Citation to copy").first.click()
            expect(page.locator("code").filter(has_text="— Samir").first).to_be_visible()
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "testimonies.png")

            page.get_by_role("button", name="Open the document").first.click()
            expect(page.locator(".tm-page .tm-passage")).to_have_text(
                "They took our tents again. We slept on the ground in the rain."
            )
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "testimony-document.png")

            page.get_by_role("radio", name="Rulings").click()
            first = page.locator(".tm-hit").first
            expect(first.locator(".tm-title")).to_have_text("Conseil d'État, 2017-07-31, n° 412125")
            expect(page.get_by_role("button", name="Nowhere to go")).to_be_visible()
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "rulings.png")
            assert "view=Rulings" in page.url
        finally:
            browser.close()
    print(f"screenshots in {tmp_path}")


def test_entity_chips_filter_the_passages(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # as the page's own waits: a loaded machine renders late, not wrongly

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.set_default_timeout(30_000)
            page.goto(f"{server}/?q=calais")
            hit = page.locator(".tm-hit").first
            chips = page.locator("[class*='st-key-chips-']").first
            expect(chips.get_by_role("button", name="Calais").first).to_be_visible()
            page.wait_for_timeout(500)
            top, bottom = hit.bounding_box(), chips.bounding_box()
            assert top and bottom
            page.screenshot(
                path=tmp_path / "passage-chips.png",
                clip={
                    "x": top["x"] - 20,
                    "y": top["y"] - 20,
                    "width": max(top["width"], bottom["width"]) + 40,
                    "height": bottom["y"] + bottom["height"] - top["y"] + 40,
                },
            )
            chips.get_by_role("button", name="Calais").first.click()
            sidebar = page.locator("[data-testid='stSidebar']")
            expect(sidebar.get_by_text("Calais (", exact=False).first).to_be_visible()
            expect(page.locator("[class*='st-key-chips-'] button:disabled").first).to_be_visible()
        finally:
            browser.close()
    print(f"screenshots in {tmp_path}")


def test_exports_pack_timeline_and_adding_documents(server: str, tmp_path: Path) -> None:
    """The new parts: timeline, export buttons, the evidence pack, an upload (a PDF, a broken PDF) and the
    original PDF's download in the document view. Runs last: it adds documents to the module's index."""
    from fpdf import FPDF
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # as the page's own waits: a loaded machine renders late, not wrongly

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in ("Shelter inspection, first page.", "On page two: the shelter in Loon-Plage had no heating."):
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    good = tmp_path / "shelter-inspection.pdf"
    pdf.output(str(good))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a PDF")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.set_default_timeout(30_000)
            page.goto(f"{server}/?q=calais")
            expect(page.locator(".tm-hit").first).to_be_visible()
            expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
            expect(page.get_by_text("by the date of their document")).to_be_visible()
            expect(page.get_by_role("button", name="CSV")).to_be_visible()
            csv_file = download(page, "CSV")  # built on click, from every matching passage
            rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
            assert rows and any("calais" in r["text"].lower() for r in rows)
            assert {"doc_id", "title", "page", "snippet"} <= set(rows[0])
            page.get_by_text("Evidence pack", exact=True).first.click()
            expect(page.get_by_text("Evidence pack · 1 item")).to_be_visible()
            page.get_by_text("Evidence pack · 1 item").click()
            expect(page.get_by_role("button", name="Download the pack (Markdown)")).to_be_visible()
            pack = download(page, "Download the pack (Markdown)").read_text(encoding="utf-8")
            assert pack.startswith("# Evidence pack") and "- Document:" in pack
            from docx import Document

            word = [p.text for p in Document(str(download(page, "Download the pack (Word)"))).paragraphs]
            assert word[0] == "Evidence pack" and any(t.startswith("Document: ") for t in word)
            page.wait_for_timeout(800)
            page.screenshot(path=tmp_path / "export-timeline-pack.png")

            page.get_by_role("radio", name="Testimonies").click()
            expect(page.locator(".tm-quote").first).to_be_visible()
            expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
            page.wait_for_timeout(800)
            page.screenshot(path=tmp_path / "testimonies-timeline.png")

            page.get_by_role("radio", name="Passages").click()
            expect(page.get_by_placeholder("Search:")).to_be_visible(timeout=30_000)  # the view has rerun
            uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
            add = page.get_by_role("button", name="Add to the index")
            for _ in range(3):  # a rerun may close the expander under a slow machine's clicks: open it again
                if not uploader.is_visible() and not add.is_visible():
                    page.get_by_text("Add documents").click()
                    page.wait_for_timeout(1000)
                if add.is_visible() or uploader.count():
                    break
            uploader.set_input_files([str(good), str(broken)])
            for _ in range(3):
                try:
                    add.click(timeout=20_000)
                    break
                except PlaywrightTimeout:
                    page.get_by_text("Add documents").click()
            sidebar = page.locator("[data-testid='stSidebar']")
            # read in a worker process that loads the models first: give it time
            expect(sidebar).to_contain_text("1 added", timeout=120_000)
            expect(sidebar.get_by_text("shelter-inspection.pdf").first).to_be_visible()
            expect(sidebar).to_contain_text("1 failed")
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "add-documents.png")

            box = page.get_by_placeholder("Search:")
            box.fill("heating")
            box.press("Enter")
            # wait for this search's result: the previous search's buttons are on screen until it comes
            expect(page.locator(".tm-hit .tm-snippet mark").first).to_have_text("heating", ignore_case=True)
            page.get_by_role("button", name="Open document").first.click()
            expect(page.get_by_role("button", name="Download the PDF", exact=True)).to_be_visible()
            expect(page.get_by_text("The passage is on page 2 of the PDF.")).to_be_visible()
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "original-pdf.png")
            # the link opens the ingested bytes inline (the browser's PDF viewer) at the passage's page
            link = page.get_by_role("link", name="Open the PDF at page 2")
            expect(link).to_be_visible()
            href = link.get_attribute("href") or ""
            assert href.endswith("#page=2") and link.get_attribute("target") == "_blank"
            served = page.request.get(server + href.split("#")[0])
            assert served.ok and served.headers["content-type"] == "application/pdf"
            assert "attachment" not in served.headers.get("content-disposition", "")
            assert served.body() == good.read_bytes()
        finally:
            browser.close()
    print(f"screenshots in {tmp_path}")
