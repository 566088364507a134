"""Screenshots of the UI's main views on the demo corpus, for the README (docs/screenshots/).

    .venv/bin/temoin ingest corpus --index /tmp/demo-index
    .venv/bin/python scripts/take_screenshots.py --index /tmp/demo-index

Starts `temoin serve` on the index and drives Debian's Chromium with Playwright.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_ui_browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(args.index), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env=dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(60_000)
            for _ in range(60):
                try:
                    page.goto(f"{url}/?q=tents")
                    break
                except Exception:  # noqa: BLE001 - the server is still starting
                    time.sleep(1)
            expect(page.locator(".tm-hit").first).to_be_visible()
            page.wait_for_timeout(1500)
            page.screenshot(path=args.out / "passages.png")

            page.get_by_role("button", name="Open document").first.click()
            expect(page.locator(".tm-page")).to_be_visible()
            page.get_by_text("Evidence pack", exact=True).first.click()
            page.wait_for_timeout(1500)
            page.screenshot(path=args.out / "document.png")

            page.goto(url)
            page.get_by_role("radio", name="Testimonies").click()
            expect(page.locator(".tm-quote").first).to_be_visible()
            page.wait_for_timeout(1500)
            page.screenshot(path=args.out / "testimonies.png")

            page.get_by_role("radio", name="Rulings").click()
            expect(page.locator(".tm-hit").first).to_be_visible()
            page.wait_for_timeout(1500)
            page.screenshot(path=args.out / "rulings.png")
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
