#!/usr/bin/env python
"""Lighthouse scores of the demo site's home page and one paper page (issue 6).

    python scripts/lighthouse.py [--site DIR] [--paper papers/1706.03762/] [--min 95]

Installs Lighthouse 12 with npm into .cache/lighthouse/ (once; never globally and
never a browser of its own), builds the demo site into a temp dir unless --site is
given, serves it on 127.0.0.1, and runs Lighthouse on Debian's Chromium with its
default mobile preset and only the performance, accessibility, best-practices and
SEO categories. It prints each page's four scores (0-100) and every audit of those
categories that scored below 1, so a developer knows what to fix. Exit status 0 when
every score is at least --min, 1 otherwise. Not part of the unit tests.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "lighthouse"
LIGHTHOUSE = CACHE / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TEXT_TYPES = {"application/javascript", "application/json", "application/xml", "image/svg+xml"}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
    " --disable-component-update --disable-sync --no-first-run"
)


@dataclass
class Failing:
    """An audit of one of the four categories that scored below 1."""

    category: str
    id: str
    title: str
    score: float
    detail: str


@dataclass
class Report:
    """What Lighthouse found on one page."""

    page: str
    scores: dict[str, int]
    failing: list[Failing]


def node_env() -> dict[str, str]:
    """The environment for npm and Lighthouse: Debian's Chromium, no browser download."""
    env = dict(os.environ)
    env.update(CHROME_PATH=CHROME, PUPPETEER_SKIP_DOWNLOAD="1")
    return env


def ensure_lighthouse() -> Path:
    """Install Lighthouse 12 into .cache/lighthouse/ unless it is there; return its binary."""
    if not LIGHTHOUSE.exists():
        if shutil.which("npm") is None:
            sys.exit("npm is needed to install Lighthouse (apt-get install npm)")
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"Installing lighthouse@12 into {CACHE.relative_to(REPO)}/ ...", file=sys.stderr)
        subprocess.run(
            ["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund",
             "--loglevel=error", "lighthouse@12"],
            check=True, env=node_env(),
        )
    return LIGHTHOUSE


def build_site(dest: Path) -> Path:
    """Build the demo site into dest with the repo's venv and return dest."""
    python = REPO / ".venv" / "bin" / "python"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    print("Building the demo site ...", file=sys.stderr)
    subprocess.run(
        [str(python if python.exists() else sys.executable), "-m", "mkdocs", "build",
         "-q", "-d", str(dest)],
        check=True, cwd=REPO, env=env,
    )
    return dest


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files quietly, gzipping text when asked to, as GitHub Pages does."""

    def __init__(self, *args: Any, compress: bool = True, **kwargs: Any) -> None:
        """A handler for one request; compress=False serves every file as it is."""
        self.compress = compress
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Log nothing."""

    def do_GET(self) -> None:  # noqa: N802
        """Send a text file gzipped if the client accepts it; anything else as usual."""
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        kind = self.guess_type(str(path))
        if not (self.compress and path.is_file() and compressible(kind)
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)


def compressible(kind: str) -> bool:
    """Whether a response of this MIME type is text that a web host would compress."""
    return kind.startswith("text/") or kind.split(";")[0] in TEXT_TYPES


@contextmanager
def serve(root: Path, compress: bool = True) -> Iterator[str]:
    """Serve root on 127.0.0.1 on a free port in a thread; yield its base URL."""
    handler = functools.partial(Handler, directory=str(root), compress=compress)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def run_lighthouse(binary: Path, url: str, out: Path) -> dict[str, Any]:
    """Run Lighthouse's mobile preset on url, keep its JSON report at out, return it."""
    subprocess.run(
        [str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
        check=True, env=node_env(),
    )
    return json.loads(out.read_text(encoding="utf-8"))


def describe(audit: dict[str, Any]) -> str:
    """A short hint of what an audit found: its value, or the first items it lists."""
    if audit.get("displayValue"):
        return str(audit["displayValue"])
    items = (audit.get("details") or {}).get("items") or []
    found = []
    for item in items[:3]:
        node = item.get("node") or {}
        found.append(node.get("selector") or item.get("url") or node.get("snippet") or "")
    more = f" (+{len(items) - 3} more)" if len(items) > 3 else ""
    return ", ".join(f for f in found if f) + more


def summarize(page: str, report: dict[str, Any]) -> Report:
    """Each category's score (0-100) and the failing audits of one Lighthouse report."""
    scores: dict[str, int] = {}
    failing: list[Failing] = []
    audits = report["audits"]
    for name in CATEGORIES:
        category = report["categories"][name]
        scores[name] = round((category["score"] or 0) * 100)
        for ref in category["auditRefs"]:
            audit = audits[ref["id"]]
            score = audit.get("score")
            if score is not None and score < 1 and audit.get("scoreDisplayMode") != "informative":
                failing.append(Failing(name, audit["id"], audit["title"], score, describe(audit)))
    return Report(page, scores, failing)


def print_reports(reports: list[Report], threshold: int) -> None:
    """Print the score table and, per page, the audits that scored below 1."""
    width = max(len("page"), *(len(r.page) for r in reports))
    print(f"{'page':<{width}}  " + "  ".join(f"{c:>14}" for c in CATEGORIES))
    for r in reports:
        cells = (f"{r.scores[c]:>13}{'!' if r.scores[c] < threshold else ' '}" for c in CATEGORIES)
        print(f"{r.page:<{width}}  " + "  ".join(cells))
    for r in reports:
        print(f"\n{r.page}: {len(r.failing)} audit(s) below 1")
        for f in r.failing:
            hint = f" -- {f.detail}" if f.detail else ""
            print(f"  [{f.category}] {f.id} ({f.score:.2f}): {f.title}{hint}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site to score (default: build the demo site)")
    parser.add_argument("--paper", default="papers/1706.03762/", help="the paper page to score, relative to the site")
    parser.add_argument("--min", type=int, default=95, dest="threshold", help="lowest passing score (default: 95)")
    parser.add_argument("--no-gzip", dest="gzip", action="store_false",
                        help="serve files uncompressed (by default text is gzipped, as on GitHub Pages)")
    parser.add_argument("--reports", type=Path, help="keep the JSON reports in this folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Score the pages; 0 when every score reaches the threshold, 1 otherwise."""
    args = parse_args(argv)
    binary = ensure_lighthouse()
    with tempfile.TemporaryDirectory(prefix="pf-lighthouse-") as tmp:
        site = args.site.resolve() if args.site else build_site(Path(tmp) / "site")
        if not (site / "index.html").is_file():
            sys.exit(f"{site} has no index.html: is it a built site?")
        reports_dir = args.reports or Path(tmp)
        reports_dir.mkdir(parents=True, exist_ok=True)
        pages = {"home": "", "paper": args.paper.strip("/") + "/"}
        reports = []
        with serve(site, args.gzip) as base:
            for name, path in pages.items():
                print(f"Running Lighthouse on {base}{path} ...", file=sys.stderr)
                report = run_lighthouse(binary, base + path, reports_dir / f"{name}.json")
                reports.append(summarize(f"{name} (/{path})", report))
    print_reports(reports, args.threshold)
    ok = all(score >= args.threshold for r in reports for score in r.scores.values())
    print(f"\n{'PASS' if ok else 'FAIL'}: every score must be at least {args.threshold}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
