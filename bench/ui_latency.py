"""What a person waits for in the UI: from pressing Enter to the new results on screen, in Chromium.

    .venv/bin/temoin ingest ../shared/corpus --index /tmp/shared-index
    .venv/bin/python bench/ui_latency.py --index /tmp/shared-index [--queries 30] [--out bench/results/ui.json]

Starts `temoin serve` on the index, types queries drawn from the indexed passages into the search box, and
times each until its results replace the previous ones: first with no filter, then with the most frequent
organisation chosen in the sidebar, then with that organisation and the French language. The time includes
the search, the facets and counts for the sidebar, the timeline, the rendering and the browser's drawing.
Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_ui_browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

class RunWatcher:
    """Counts the app's completed runs, read from Streamlit's own messages on the websocket: a search has
    answered when its run has finished and the browser has drawn the next frame."""

    def __init__(self, page: Any) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.page = page
        self.finished = 0
        self.finished_at = 0.0
        self.server_ms: list[float] = []  # Enter to the run's end as the browser hears of it
        done = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")

        def on_frame(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                try:
                    msg = ForwardMsg.FromString(payload)
                except Exception:  # noqa: BLE001 - frames that are not ForwardMsgs
                    return
                if msg.WhichOneof("type") == "script_finished" and msg.script_finished == done:
                    self.finished += 1
                    self.finished_at = time.perf_counter()

        page.on("websocket", lambda ws: ws.on("framereceived", on_frame))

    def wait_after(self, action: Any) -> float:
        """Milliseconds from `action()` to the end of the run it starts, drawn on screen."""
        before = self.finished
        t0 = time.perf_counter()
        action()
        deadline = t0 + 60
        while self.finished <= before:
            if time.perf_counter() > deadline:
                self.page.screenshot(path="/tmp/ui-latency-timeout.png")
                raise TimeoutError("the app did not finish a run within 60 s")
            self.page.wait_for_timeout(2)
        self.server_ms.append((self.finished_at - t0) * 1000)
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        return (time.perf_counter() - t0) * 1000


BROAD = "Calais OR asylum OR police OR droit"  # a query with many results, to choose the filters on


def sample_queries(index: Path, count: int, seed: int = 0) -> list[str]:
    """Words and two-word queries from real passages, as people type them."""
    from index.search import Searcher

    rng = random.Random(seed)
    searcher = Searcher(index)
    try:
        docs = searcher.documents()
        out: list[str] = []
        while len(out) < count:
            record = searcher.document(rng.choice(docs)["id"]) or {}
            passages = record.get("passages") or []
            if not passages:
                continue
            words = re.findall(r"[A-Za-zÀ-ÿ]{5,}", rng.choice(passages)["text"])
            if len(words) < 3:
                continue
            i = rng.randrange(len(words) - 1)
            query = words[i] if rng.random() < 0.6 else f"{words[i]} {words[i + 1]}"
            if query not in out:
                out.append(query)
        return out
    finally:
        searcher.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(q * (len(ordered) - 1))), len(ordered) - 1)]


def time_queries(page: Any, runs: RunWatcher, queries: list[str]) -> list[float]:
    box = page.get_by_placeholder("Search:")
    times = []
    for query in queries:
        box.fill(query)
        times.append(runs.wait_after(lambda: box.press("Enter")))
    return times


def choose(page: Any, runs: RunWatcher, label: str, option: str | None = None) -> str:
    """Pick one value in a sidebar multiselect: the first (the most frequent), or the one holding `option`."""
    sidebar = page.locator("[data-testid='stSidebar']")
    select = sidebar.locator("[data-testid='stMultiSelect']").filter(
        has=page.get_by_text(label, exact=True)
    ).first
    select.click()
    options = page.locator("[role='option']").filter(has_not_text="Select all")
    pick = options.filter(has_text=option).first if option else options.first
    text = pick.inner_text()
    runs.wait_after(pick.click)
    page.keyboard.press("Escape")
    return text


def clear_filters(page: Any, runs: RunWatcher) -> None:
    button = page.get_by_role("button", name="Clear filters")
    if button.count():
        runs.wait_after(button.first.click)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ui.json")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    queries = sample_queries(args.index, args.queries + 2)
    port = free_port()
    log = open(os.devnull, "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(args.index), "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
        env=dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false"),
    )
    results: dict[str, Any] = {"index": str(args.index), "queries": len(queries) - 2, "runs": {}}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            runs = RunWatcher(page)
            deadline = time.monotonic() + 120
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/")
                    page.get_by_placeholder("Search:").wait_for(timeout=60_000)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(1)
            time_queries(page, runs, queries[:2])  # warm: models, index and caches opened once per server
            settings = {"no filter": [], "organisation": [("Organisation", None)],
                        "language": [("Language", "French")]}
            for name, picks in settings.items():
                clear_filters(page, runs)
                time_queries(page, runs, [BROAD])  # results with facets to choose from
                chosen = ", ".join(choose(page, runs, *pick) for pick in picks)
                runs.server_ms.clear()
                times = time_queries(page, runs, queries[2:])
                results["runs"][name] = {
                    "filter": chosen, "median_ms": round(statistics.median(times)),
                    "p95_ms": round(percentile(times, 0.95)), "max_ms": round(max(times)),
                    "run_end_median_ms": round(statistics.median(runs.server_ms)),
                }
            page.screenshot(path=str(args.out.with_suffix(".png")))
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"UI latency, Enter to results on screen, {results['queries']} queries, index {args.index}")
    print(f"{'filters':<28}{'median':>10}{'p95':>10}{'max':>10}{'run ends':>12}")
    for name, r in results["runs"].items():
        print(f"{name:<28}{r['median_ms']:>7} ms{r['p95_ms']:>7} ms{r['max_ms']:>7} ms"
              f"{r['run_end_median_ms']:>9} ms   {r['filter']}")
    print("(run ends: median time until the browser hears that the app's run has finished; the rest is drawing)")


if __name__ == "__main__":
    main()
