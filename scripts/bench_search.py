#!/usr/bin/env python
"""What a reader's search costs in the built site: time to results and bytes fetched.

    python scripts/bench_search.py SITE_DIR [WORD ...]

The bench's site is served on 127.0.0.1 under its own sub-path (/feed/) and opened in
headless Chromium. Each run presses "/" on the home page, which loads Pagefind, then
enters one word and waits for the first result in the list, then for the first page of
them (search.js shows each result once its fragment is in). Times come from the page's
performance.now(), bytes from the Resource Timing entries of the page and of Pagefind's
web worker, which fetches the index itself. Every run is a fresh browser context, so
nothing comes from a cache. The figures are the median of the runs. A feed indexed in
parts is searched newest part first, so the count of results is the box's once the
first page is in: "N+" (read as N) while older parts have not been searched.

Text is served gzipped, as GitHub Pages serves it (site_server.py); Pagefind's index,
wasm and fragments are gzipped by Pagefind itself.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench_corpus import SITE_URL
from site_server import serve

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# In most abstracts of the corpus (bench_corpus.WORDS), and a tag only a few papers carry.
COMMON, RARE = "diffusion", "quantization"
RUNS = 3
# The targets at 10,000 papers.
TARGET_MS = 300
TARGET_KB = 300
TIMEOUT_MS = 20_000
KB = 1024

# Run in every page before its scripts: room for every resource entry, the moment the
# "/" that opens the box is pressed (window, capture: before search.js sees it), and the
# moment Pagefind is ready (search.js marks the box data-state="ready"): that needs
# pagefind.js, its worker, the wasm and the index's metadata. The lists of tags and
# years load only when a reader opens them, so a search does not pay for them.
INIT_SCRIPT = """
performance.setResourceTimingBufferSize(100000);
window.addEventListener("keydown", (event) => {
  if (event.key === "/") window.__pfOpenedAt ??= performance.now();
}, true);
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-pf-search]");
  if (!box) return;
  new MutationObserver((_, seen) => {
    if (box.dataset.state !== "ready") return;
    window.__pfReadyAt ??= performance.now();
    seen.disconnect();
  }).observe(box, {attributes: true});
});
"""
READY = "window.__pfReadyAt !== undefined"
# A run's resource entries, each on the page's clock (a worker's clock starts later).
ENTRIES = """
(pageOrigin) => performance.getEntriesByType("resource").map((e) => ({
  name: e.name,
  start: e.startTime + performance.timeOrigin - (pageOrigin ?? performance.timeOrigin),
  bytes: e.transferSize || e.encodedBodySize,
}))
"""
# Enter the word as if its last key were typed now; resolve when the first result is in
# the list (shown) and when the first page of them is (page: PAGE results, or all there
# are). Any wait search.js makes between keystrokes is part of the time, as for a reader.
PAGE = 10  # search.js's PAGE
QUERY = """
([word, timeout, pageSize]) => new Promise((resolve, reject) => {
  const input = document.querySelector("[data-pf-search-query]");
  const list = document.querySelector(".md-search-result__list");
  const meta = document.querySelector(".md-search-result__meta");
  let typed, shown;
  const seen = new MutationObserver(() => {
    const items = list.querySelectorAll("li.md-search-result__item:not(.pf-search-more)");
    if (!items.length) return;
    shown ??= performance.now();
    const results = Number(meta.textContent.replace(/\\D/g, "")) || 0;
    if (items.length < Math.min(pageSize, results)) return;
    seen.disconnect();
    resolve({typed, shown, page: performance.now(), results});
  });
  seen.observe(list, {childList: true});
  setTimeout(() => {
    seen.disconnect();
    const what = shown === undefined ? "no result shown" : "the first page not complete";
    reject(new Error(`${what} for ${word} after ${timeout} ms: ${meta.textContent}`));
  }, timeout);
  input.value = word;
  typed = performance.now();
  input.dispatchEvent(new Event("input", {bubbles: true}));
})
"""


class SearchError(Exception):
    """The search did not work in the browser: no Pagefind, or no result shown."""


@dataclass(frozen=True)
class Run:
    """One search on a fresh page: opening the box, then one query, each with its bytes;
    query_ms to the first result shown, page_ms to the first page of them."""

    word: str
    results: int
    open_ms: float
    open_bytes: int
    open_files: int
    query_ms: float
    query_bytes: int
    query_files: int
    page_ms: float


def missing() -> str | None:
    """Why the browser cannot run here, or None: the bench skips this stage rather than fail."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}: run scripts/install-chromium, or --no-browser"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[test]', or --no-browser"
    return None


@contextmanager
def serve_feed(site: Path) -> Iterator[str]:
    """The site under SITE_URL's path, gzipped as it will be published; yields its URL."""
    path = urlsplit(SITE_URL).path.strip("/")
    with tempfile.TemporaryDirectory(prefix="paperfeed-bench-serve-") as tmp:
        (Path(tmp) / path).parent.mkdir(parents=True, exist_ok=True)
        (Path(tmp) / path).symlink_to(site.resolve(), target_is_directory=True)
        with serve(Path(tmp)) as base:
            yield f"{base}{path}/"


def entries(page: Any) -> list[dict[str, Any]]:
    """Every resource the page and its workers fetched, on the page's clock."""
    origin = page.evaluate("performance.timeOrigin")
    found = page.evaluate(ENTRIES, origin)
    for worker in page.workers:
        found += worker.evaluate(ENTRIES, origin)
    return found


def settle(page: Any, quiet_ms: int = 300) -> None:
    """Wait until no new resource arrives for `quiet_ms`, so a phase's bytes are all in."""
    count = -1
    for _ in range(TIMEOUT_MS // quiet_ms):
        now = len(entries(page))
        if now == count:
            return
        count = now
        page.wait_for_timeout(quiet_ms)


def phase(found: list[dict[str, Any]], start: float, end: float) -> tuple[int, int]:
    """(bytes, files) of the resources requested from `start` to `end`."""
    inside = [e for e in found if start <= e["start"] <= end]
    return sum(e["bytes"] for e in inside), len(inside)


def search_once(browser: Any, url: str, word: str) -> Run:
    """Open the home page in a fresh context, open the box with "/", and search `word`."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(INIT_SCRIPT)
        page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        settle(page)  # the favicon, fetched after load, is not the box's
        page.keyboard.press("/")
        try:
            page.wait_for_function(READY, timeout=TIMEOUT_MS)
        except Exception as e:
            meta = page.text_content(".md-search-result__meta")
            raise SearchError(f"Pagefind did not load on {url}: {meta!r} ({e})") from None
        opened, ready = page.evaluate("[window.__pfOpenedAt, window.__pfReadyAt]")
        settle(page)
        try:
            shown = page.evaluate(QUERY, [word, TIMEOUT_MS, PAGE])
        except Exception as e:
            raise SearchError(f"search for {word!r} on {url} failed: {e}") from None
        settle(page)  # a resource's entry is written when it is in, not when it is asked for
        found = entries(page)
        return Run(
            word,
            shown["results"],
            ready - opened,
            *phase(found, opened, shown["typed"]),
            shown["shown"] - shown["typed"],
            *phase(found, shown["typed"], shown["page"]),
            shown["page"] - shown["typed"],
        )
    finally:
        context.close()


def measure_site(
    site: Path, words: tuple[str, ...] = (COMMON, RARE), runs: int = RUNS
) -> dict[str, Any]:
    """Each word's median Run over `runs` fresh page loads, as {"searches": [dict, ...]}."""
    from playwright.sync_api import sync_playwright

    if not (site / "pagefind").is_dir():
        raise SearchError(f"{site} has no pagefind/ folder: build the site first")
    searches = []
    with serve_feed(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            for word in words:
                done = [search_once(browser, url, word) for _ in range(runs)]
                figures = {
                    key: statistics.median(getattr(run, key) for run in done)
                    for key in asdict(done[0])
                    if key != "word"
                }
                searches.append({"word": word, **figures})
        finally:
            browser.close()
    return {"searches": searches, "runs": runs}


def summary(label: str, search: dict[str, Any]) -> str:
    """One search's line in the bench's report; the first search on a page pays for both
    opening the box and the query, so the byte target is held against their sum."""
    first = search["open_bytes"] + search["query_bytes"]
    over = [
        *(["time"] if search["query_ms"] > TARGET_MS else []),
        *(["bytes"] if first > TARGET_KB * KB else []),
    ]
    flag = f"  over target ({', '.join(over)})" if over else ""
    return (
        f"{label}search {search['word']!r} ({search['results']:.0f} results): "
        f"results in {search['query_ms']:.0f} ms, {search['query_bytes'] / KB:.0f} KB "
        f"for the query (+ {search['open_bytes'] / KB:.0f} KB, {search['open_ms']:.0f} ms "
        f"to open the box; {first / KB:.0f} KB in all); "
        f"target <= {TARGET_MS} ms and <= {TARGET_KB} KB{flag}"
    )


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit(__doc__.split("\n\n")[1])
    if reason := missing():
        sys.exit(reason)
    site, words = Path(argv[0]), tuple(argv[1:]) or (COMMON, RARE)
    for search in measure_site(site, words)["searches"]:
        print(summary("", search))
        print(f"  the first page of results in {search['page_ms']:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
