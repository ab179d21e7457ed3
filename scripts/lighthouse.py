#!/usr/bin/env python
"""Lighthouse scores of the demo site's home page and one paper page (issue 6).

    python scripts/lighthouse.py [--site DIR] [--paper papers/1706.03762/] [--min 95]
                                 [--runs 3] [--no-gzip] [--reports DIR]

Installs Lighthouse 12 with npm into .cache/lighthouse/ (once; never globally, and never
a browser of its own: it drives Debian's /usr/bin/chromium), builds the demo site into a
temp dir unless --site is given, serves it on 127.0.0.1 from a thread, and runs
Lighthouse's default mobile preset with only the performance, accessibility,
best-practices and SEO categories. Text files are served gzipped, as GitHub Pages serves
them (--no-gzip to see the site served raw).

It prints each page's four scores (0-100; the median of --runs runs, since the
performance score moves from run to run with the machine's load), then every audit of
those categories that scored below 1 in the median run, with its weight in its category's
score (weight 0: a diagnostic that does not move the score). Exit status 0 when every
score is at least --min, 1 otherwise, 2 when Lighthouse could not score a page. Not part
of the unit tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_server import serve

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "lighthouse"
LIGHTHOUSE = CACHE / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
    " --disable-component-update --disable-sync --no-first-run"
)
# Besides text/*: what a static host compresses.


@dataclass
class Failing:
    """An audit of one of the four categories that scored below 1."""

    category: str
    id: str
    title: str
    score: float
    weight: float
    detail: str


@dataclass
class Report:
    """What Lighthouse found on one page in one run."""

    page: str
    scores: dict[str, int]
    failing: list[Failing]


def node_env() -> dict[str, str]:
    """The environment for npm and Lighthouse: Debian's Chromium, no browser download."""
    return dict(os.environ, CHROME_PATH=CHROME, PUPPETEER_SKIP_DOWNLOAD="1")


def ensure_lighthouse() -> Path:
    """Install Lighthouse 12 into .cache/lighthouse/ unless it is there; return its binary."""
    if not LIGHTHOUSE.exists():
        if shutil.which("npm") is None:
            sys.exit("npm is needed to install Lighthouse (apt-get install npm)")
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"Installing lighthouse@12 into {CACHE} ...", file=sys.stderr)
        npm = ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]
        subprocess.run(
            [*npm, "--prefix", str(CACHE), "lighthouse@12"],
            check=True,
            env=node_env(),
            stdout=sys.stderr,  # npm's summary is not part of the report
        )
    if not Path(CHROME).exists():
        sys.exit(f"{CHROME} is missing: run scripts/install-chromium")
    return LIGHTHOUSE


def build_site(dest: Path) -> Path:
    """Build the demo site into dest with the repo's venv and return dest."""
    venv_python = REPO / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    print("Building the demo site ...", file=sys.stderr)
    subprocess.run(
        [python, "-m", "mkdocs", "build", "-q", "-d", str(dest)],
        check=True,
        cwd=REPO,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    return dest


def run_lighthouse(binary: Path, url: str, out: Path) -> dict[str, Any]:
    """Run Lighthouse's mobile preset on url, keep its JSON report at out, return it."""
    print(f"Running Lighthouse on {url} ({out.stem}) ...", file=sys.stderr)
    done = subprocess.run(
        [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env=node_env(),
    )
    if done.returncode != 0:  # Lighthouse has said why on stderr
        print(f"Lighthouse could not score {url}", file=sys.stderr)
        raise SystemExit(2)
    report = json.loads(out.read_text(encoding="utf-8"))
    for warning in report.get("runWarnings") or []:
        print(f"Lighthouse warns on {url}: {warning}", file=sys.stderr)
    return report


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
                weight = ref.get("weight", 0)
                failing.append(
                    Failing(name, audit["id"], audit["title"], score, weight, describe(audit))
                )
    return Report(page, scores, failing)


def median_report(runs: list[Report]) -> Report:
    """One page's runs as one: the median of each score, the audits of the median run."""
    scores = {c: round(statistics.median(r.scores[c] for r in runs)) for c in CATEGORIES}
    middle = sorted(runs, key=lambda r: r.scores["performance"])[(len(runs) - 1) // 2]
    return Report(middle.page, scores, middle.failing)


def print_reports(pages: list[tuple[Report, list[int]]], threshold: int) -> None:
    """Print the score table and, per page, the audits that scored below 1."""
    width = max(len("page"), *(len(r.page) for r, _ in pages))
    print(f"{'page':<{width}}  " + "  ".join(f"{c:>14}" for c in CATEGORIES))
    for r, _ in pages:
        cells = (f"{r.scores[c]:>13}{'!' if r.scores[c] < threshold else ' '}" for c in CATEGORIES)
        print(f"{r.page:<{width}}  " + "  ".join(cells))
    for r, performance_runs in pages:
        runs = ", ".join(map(str, performance_runs))
        each = f" (performance in each run: {runs})" if len(performance_runs) > 1 else ""
        print(f"\n{r.page}: {len(r.failing)} audit(s) below 1{each}")
        for f in r.failing:
            hint = f" -- {f.detail}" if f.detail else ""
            print(f"  [{f.category}, weight {f.weight:g}] {f.id} ({f.score:.2f}): {f.title}{hint}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--site", type=Path, help="a built site to score (default: build the demo site)")
    add("--paper", default="papers/1706.03762/", help="the paper page (default: %(default)s)")
    add("--min", type=int, default=95, dest="threshold", help="passing score (default: 95)")
    add("--runs", type=int, default=3, help="runs per page, scores are their median (default: 3)")
    add("--no-gzip", dest="gzip", action="store_false", help="serve text uncompressed")
    add("--reports", type=Path, help="keep the JSON reports in this folder")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Score the pages; 0 when every score reaches the threshold, 1 otherwise."""
    args = parse_args(argv)
    binary = ensure_lighthouse()
    paper = args.paper.strip("/")
    pages = {"home": "", "paper": f"{paper}/" if paper else ""}
    results: list[tuple[Report, list[int]]] = []
    with tempfile.TemporaryDirectory(prefix="pf-lighthouse-") as tmp:
        site = args.site.resolve() if args.site else build_site(Path(tmp) / "site")
        if not (site / "index.html").is_file():
            sys.exit(f"{site} has no index.html: is it a built site?")
        reports_dir = args.reports or Path(tmp)
        reports_dir.mkdir(parents=True, exist_ok=True)
        with serve(site, args.gzip) as base:
            for name, path in pages.items():
                runs = [
                    summarize(f"{name} (/{path})", run_lighthouse(binary, base + path, out))
                    for out in (reports_dir / f"{name}-{n}.json" for n in range(1, args.runs + 1))
                ]
                results.append((median_report(runs), [r.scores["performance"] for r in runs]))
    print_reports(results, args.threshold)
    ok = all(score >= args.threshold for r, _ in results for score in r.scores.values())
    print(f"\n{'PASS' if ok else 'FAIL'}: every score must be at least {args.threshold}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
