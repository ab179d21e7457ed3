#!/usr/bin/env python
"""How long a paperfeed build takes, and how much memory it needs, as the feed grows.

    python scripts/bench.py [-n 1000 -n 10000] [--huge] [--peers [--peer-max N]] [--keep DIR]
                            [--no-browser] [--no-serve]

For each N it writes N synthetic but realistic entries and a site like the repo's into
a temp dir, then times each stage in a fresh process, so every peak memory figure
belongs to one stage alone: load+validate, convert (pages), feeds, and the whole
`mkdocs build`, which repeats the first three itself. Then it searches the built site
in headless Chromium (bench_search), unless --no-browser. With --peers it also builds the
sites one would make instead (bench_peers) from the same papers, to compare with. Last,
unless --no-serve, it times how soon `mkdocs serve` shows an edited and a new paper
(bench_serve); that changes the papers, so nothing is measured after it.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import Any

from bench_corpus import SITE_URL, census, papers, write_papers, write_site
from bench_peers import PEERS, Peer
from bench_search import SearchError, measure_site, missing, summary
from bench_serve import ServeError, measure_serve
from bench_serve import summary as serve_summary
from paperfeed.authors import page_minimum
from paperfeed.catalog import Catalog
from paperfeed.convert import convert
from paperfeed.feeds import FeedSettings, render_feeds
from paperfeed.load import load_entries, load_papers
from paperfeed.pages import site_pages

DEFAULT_SIZES = (1000, 10000)
HUGE = 100_000
PEER_MAX = 5000
# Growing N tenfold should cost at most this much more than tenfold time.
LINEARITY_TARGET = 1.2
BUILD = "mkdocs build"
SEARCH = "search (browser)"
SERVE = "serve edit"
MB = 1024 * 1024
# What the site's bytes are spent on: (kind, pattern on the path in the site), first match
# wins; fnmatch's * crosses folders. A file no pattern matches is "other".
KINDS = (
    ("paper pages", "papers/*/index.html"),
    ("author pages", "authors/*index.html"),
    ("author feeds", "authors/*/*.xml"),
    ("tag pages", "tags/*index.html"),
    ("tag feeds", "tags/*/*.xml"),
    ("day/week/month listings", "days/*"),
    ("day/week/month listings", "weeks/*"),
    ("day/week/month listings", "months/*"),
    ("site feeds", "feed.xml"),
    ("site feeds", "atom.xml"),
    ("site feeds", "feed.json"),
    ("site feeds", "code/*.xml"),
    ("site feeds", "digest/*"),
    ("site feeds", "feeds.opml"),
    ("data export", "papers.json"),
    ("sitemap", "sitemap.xml*"),
    ("search index", "pagefind/*"),
    ("assets", "assets/*"),
)
OTHER = "other"

Results = dict[int, dict[str, dict[str, Any]]]


# -- stages, each run in a child process ------------------------------------------------


def peak_mb(who: int) -> float:
    """Peak RSS in MB; ru_maxrss is in KB on Linux but in bytes on macOS."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024


def catalog_of(root: Path) -> Catalog:
    """The loaded catalog, for stages that start where loading ends (not timed)."""
    return Catalog(load_papers(root / "papers", root))


def stage_load(root: Path) -> dict[str, Any]:
    """Read and validate every entry: what each build pays before anything is made."""
    start = time.perf_counter()
    load_papers(root / "papers", root)
    return {"seconds": time.perf_counter() - start}


def stage_convert(root: Path) -> dict[str, Any]:
    """Make every page's Markdown; listing cards come later, from the templates in mkdocs."""
    catalog = catalog_of(root)
    start = time.perf_counter()
    pages = list(site_pages(catalog))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "output_bytes": sum(len(p.text.encode()) for p in pages)}


def stage_prepare(root: Path) -> dict[str, Any]:
    """What the plugin does before MkDocs starts: load, validate and convert in one pass."""
    start = time.perf_counter()
    entries = load_entries(root / "papers", root, convert=convert)
    catalog = Catalog({entry.source: entry.paper for entry in entries})
    pages = list(site_pages(catalog, {entry.paper.id: entry.page for entry in entries}))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "output_bytes": sum(len(p.text.encode()) for p in pages)}


def stage_feeds(root: Path) -> dict[str, Any]:
    """Render every feed: main, code, one per tag and author (RSS and Atom), JSON Feed, OPML."""
    catalog = catalog_of(root)
    # the authors with a page, as the plugin chooses them when the feed does not say
    minimum = page_minimum([count for _, _, count in catalog.authors], len(catalog.papers))
    settings = FeedSettings(title="Bench Feed", site_url=SITE_URL, author_min=minimum)
    start = time.perf_counter()
    feeds = render_feeds(catalog, settings)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "output_bytes": sum(len(data) for data in feeds.values())}


def stage_similar(root: Path) -> dict[str, Any]:
    """Each paper's similar papers (similar.py), numpy and scipy's import included."""
    catalog = catalog_of(root)
    start = time.perf_counter()
    from paperfeed.similar import similar_papers

    found = similar_papers(catalog.papers)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "output_bytes": 0,
        "with_lists": sum(1 for n in found.values() if n),
    }


def search_index(site: Path) -> dict[str, Any]:
    """The built search index, Pagefind's folder or lunr's one JSON file, whichever exists."""
    pagefind = site / "pagefind"
    if pagefind.is_dir():
        sizes = {f: f.stat().st_size for f in pagefind.rglob("*") if f.is_file()}
        largest = max(sizes, key=sizes.__getitem__, default=None)
        return {
            "search_kind": "pagefind",
            "search_index_bytes": sum(sizes.values()),
            "search_files": len(sizes),
            "search_largest_bytes": sizes[largest] if largest else 0,
            "search_largest": str(largest.relative_to(site)) if largest else "-",
        }
    lunr = site / "search" / "search_index.json"
    if lunr.is_file():
        return {"search_kind": "lunr", "search_index_bytes": lunr.stat().st_size}
    return {"search_kind": None}


def mkdocs_build(root: Path, outputs: tuple[str, ...] = ()) -> dict[str, Any]:
    """`mkdocs build` in `root`, as users run it; its memory is the mkdocs process's own peak."""
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml", "-d", "site"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"mkdocs build in {root} failed ({done.returncode}):\n{done.stderr}")
    site = root / "site"
    missing = [name for name in outputs if not (site / name).is_file()]
    if missing:
        sys.exit(f"mkdocs build in {root} made no {', '.join(missing)}:\n{done.stderr}")
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(resource.RUSAGE_CHILDREN),
        "output_bytes": sum(f.stat().st_size for f in site.rglob("*") if f.is_file()),
        **search_index(site),
    }


def kind_of(path: str) -> str:
    """The kind of a file of the site, by its path there (KINDS)."""
    return next((kind for kind, pattern in KINDS if fnmatch.fnmatchcase(path, pattern)), OTHER)


def site_kinds(site: Path) -> dict[str, dict[str, int]]:
    """Bytes and files of each kind in the built site, every kind listed, even if empty."""
    kinds = {kind: {"bytes": 0, "files": 0} for kind, _ in (*KINDS, (OTHER, ""))}
    for f in site.rglob("*"):
        if f.is_file():
            figures = kinds[kind_of(f.relative_to(site).as_posix())]
            figures["bytes"] += f.stat().st_size
            figures["files"] += 1
    return kinds


def stage_mkdocs(root: Path) -> dict[str, Any]:
    """paperfeed's whole build, the size of one paper page in it, and of each kind of file."""
    result = mkdocs_build(root)
    paper_page = min((root / "site").glob("papers/*/index.html"))
    kinds = site_kinds(root / "site")
    return result | {"paper_page_bytes": paper_page.stat().st_size, "kinds": kinds}


def stage_search(root: Path) -> dict[str, Any]:
    """A reader's search in the site the build left: its seconds are the common word's wait
    for results; the memory is the browser's, spread over processes, so it is not given."""
    if reason := missing():
        return {"skipped": reason}
    try:
        result = measure_site(root / "site")
    except SearchError as e:
        sys.exit(f"the search does not work in the browser: {e}")
    return {"seconds": result["searches"][0]["query_ms"] / 1000, "peak_mb": None, **result}


def stage_serve(root: Path) -> dict[str, Any]:
    """How soon `mkdocs serve` shows an edited paper (its seconds, the median of a few edits)
    and a new one; the memory is the server's peak over the whole session."""
    try:
        return measure_serve(root)
    except ServeError as e:
        sys.exit(f"mkdocs serve in {root}: {e}")


def stage_peer(peer: Peer) -> Callable[[Path], dict[str, Any]]:
    """A peer's whole build, in its own folder, written beforehand by the parent."""
    return lambda root: mkdocs_build(peer.root(root), peer.outputs)


STAGES: dict[str, Callable[[Path], dict[str, Any]]] = {
    "load+validate": stage_load,
    "convert": stage_convert,
    "load+validate+convert": stage_prepare,
    "feeds": stage_feeds,
    "similar papers": stage_similar,
    BUILD: stage_mkdocs,
    SEARCH: stage_search,
}
PEER_STAGES = {peer.stage: stage_peer(peer) for peer in PEERS}
# Run after every other stage, peers included: it edits the papers the others measure.
LAST_STAGES = {SERVE: stage_serve}


def run_child(stage: str, root: Path) -> None:
    """The child's side: run one stage and print its figures as one JSON line."""
    result = (STAGES | PEER_STAGES | LAST_STAGES)[stage](root)
    # Big feeds are loaded and converted by worker processes: count the larger peak.
    result.setdefault(
        "peak_mb", max(peak_mb(resource.RUSAGE_SELF), peak_mb(resource.RUSAGE_CHILDREN))
    )
    print(json.dumps(result))


# -- the parent: generate, measure ------------------------------------------------------


def measure(stage: str, root: Path) -> dict[str, Any]:
    """Run one stage in a fresh interpreter, so nothing earlier inflates its peak memory."""
    command = [sys.executable, __file__, "--stage", stage, "--dir", str(root)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"stage {stage!r} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def bench(
    n: int,
    root: Path,
    author_min: int | None,
    peers: bool,
    peer_max: int,
    browser: bool = True,
    serve: bool = True,
) -> dict[str, dict[str, Any]]:
    """Every stage's figures for n papers, generated into `root`, then the peers' if asked,
    then the server's, which edits the papers."""
    print(f"N={n}: writing entries to {root}", file=sys.stderr)
    write_papers(root, n)
    write_site(root, author_min)
    results: dict[str, dict[str, Any]] = {"corpus": {"line": census(papers(n))}}
    for stage in STAGES:
        if stage == SEARCH and not browser:
            continue
        print(f"N={n}: {stage}", file=sys.stderr)
        results[stage] = measure(stage, root)
        if "skipped" in results[stage]:
            print(f"N={n}: {stage} skipped: {results[stage]['skipped']}", file=sys.stderr)
    for peer in PEERS if peers else ():
        if peer.capped and n > peer_max:
            results[peer.stage] = {"skipped": f"N > peer max {peer_max}"}
            continue
        print(f"N={n}: writing and building {peer.stage}", file=sys.stderr)
        peer.write(peer.root(root), papers(n))
        results[peer.stage] = measure(peer.stage, root)
    if serve:
        print(f"N={n}: {SERVE}", file=sys.stderr)
        results[SERVE] = measure(SERVE, root)
    return results


def work_dir(keep: Path | None, n: int) -> tempfile.TemporaryDirectory[str] | Path:
    """Where one size is built: a temp dir, or a fresh folder under --keep to look at."""
    if keep is None:
        return tempfile.TemporaryDirectory(prefix=f"paperfeed-bench-{n}-")
    root = keep / f"n{n}"
    if root.exists() and any(root.iterdir()):
        sys.exit(f"{root} is not empty: remove it or choose another --keep folder")
    root.mkdir(parents=True, exist_ok=True)
    return root


def run_size(args: argparse.Namespace, n: int, cleanup: ExitStack) -> dict[str, dict[str, Any]]:
    """One size's figures. A temp dir is removed when the whole run ends, not before the
    next size: on ext4 without a journal (the README's machine), creating files is slow
    for minutes after many were deleted, and that would fall on the next size's builds."""
    place = work_dir(args.keep, n)
    if not isinstance(place, Path):
        place = Path(cleanup.enter_context(place))
    options = (args.author_pages_min, args.peers, args.peer_max, args.browser, args.serve)
    return bench(n, place, *options)


# -- the report -------------------------------------------------------------------------


def machine() -> str:
    """The figures mean little without the machine; nproc counts the CPUs we may use."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"machine: nproc {cpus}, Python {platform.python_version()}, {platform.platform()}"


def versions() -> str:
    """The builders measured change between releases: say which ones these figures are for."""
    found = []
    for name in ("mkdocs", "mkdocs-material", "mkdocs-rss-plugin", "pagefind"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            if name != "pagefind":
                found.append(f"{name} not installed")
    return "versions: " + ", ".join(found)


def linearity(results: Results) -> list[tuple[int, int, dict[str, float]]]:
    """Per consecutive sizes N1 < N2, each stage's t(N2) / ((N2/N1) t(N1)); 1 is linear."""
    sizes = sorted(results)
    pairs = []
    for n1, n2 in pairwise(sizes):
        figures = {}
        for stage, second in results[n2].items():
            first = results[n1].get(stage, {})
            if stage == SEARCH:  # a search should cost the same at any N, not grow with it
                continue
            if first.get("seconds") and "seconds" in second:
                figures[stage] = second["seconds"] / (n2 / n1 * first["seconds"])
        pairs.append((n1, n2, figures))
    return pairs


def linearity_report(results: Results) -> list[str]:
    """The linearity figures, one block per pair of sizes, flagging those over the target."""
    lines = []
    for n1, n2, figures in linearity(results):
        label = f"linearity {n1}->{n2} (t2 / ({n2 / n1:.4g} x t1))"
        lines += ["", f"{label}; target <= {LINEARITY_TARGET}"]
        for stage, figure in figures.items():
            flag = "  over target" if figure > LINEARITY_TARGET else ""
            lines.append(f"  {stage:<22} {figure:>6.2f}{flag}")
    return lines


def search_summary(result: dict[str, Any]) -> str:
    """The search index in a few words, whichever kind the site has."""
    if result.get("search_kind") == "pagefind":
        return (
            f"search index (Pagefind) {result['search_index_bytes'] / MB:.2f} MB "
            f"in {result['search_files']} files, largest {result['search_largest']} "
            f"{result['search_largest_bytes'] / 1024:.1f} KB"
        )
    if result.get("search_kind") == "lunr":
        return f"search index (lunr) {result['search_index_bytes'] / MB:.2f} MB"
    return "no search index found"


def ratio_columns(results: Results) -> list[Peer]:
    """The peers built at some size: each gets a column in the table."""
    return [p for p in PEERS if any("seconds" in s.get(p.stage, {}) for s in results.values())]


def row(stage: str, n: int, r: dict[str, Any], ratios: list[str]) -> str:
    """One line of the table; a skipped stage says why instead of giving figures."""
    if "skipped" in r:
        return f"{stage:<22} {n:>7} skipped ({r['skipped']})"
    out = f"{r['output_bytes'] / MB:.2f}" if "output_bytes" in r else "-"
    peak = "-" if r.get("peak_mb") is None else f"{r['peak_mb']:.1f}"
    cells = "".join(f" {ratio:>14}" for ratio in ratios)
    return f"{stage:<22} {n:>7} {r['seconds']:>9.3f} {peak:>9} {out:>10}{cells}"


def kinds_table(n: int, kinds: dict[str, dict[str, int]]) -> list[str]:
    """The build's bytes and files by kind, per paper and as a share of the site."""
    total = {"bytes": sum(k["bytes"] for k in kinds.values())}
    total["files"] = sum(k["files"] for k in kinds.values())
    header = (
        f"{'kind':<24} {'MB':>8} {'KB/paper':>9} {'files':>7} {'files/paper':>11} {'share%':>7}"
    )
    lines = [f"N={n}: site by kind", header, "-" * len(header)]
    for kind, k in (*kinds.items(), ("total", total)):
        share = 100 * k["bytes"] / total["bytes"] if total["bytes"] else 0.0
        lines.append(
            f"{kind:<24} {k['bytes'] / MB:>8.2f} {k['bytes'] / 1024 / n:>9.2f} "
            f"{k['files']:>7} {k['files'] / n:>11.3f} {share:>7.1f}"
        )
    return lines


def report(results: Results) -> str:
    """One table of every stage and size, the whole-build summaries, then the linearity."""
    peers = ratio_columns(results)
    header = f"{'stage':<22} {'N':>7} {'seconds':>9} {'peak MB':>9} {'output MB':>10}"
    header += "".join(f" {'vs ' + p.name:>14}" for p in peers)
    lines = [machine(), versions(), "", header, "-" * len(header)]
    for n, stages in results.items():
        ours = stages[BUILD]["seconds"]
        for stage, r in stages.items():
            if stage == "corpus":
                continue
            ratios = [
                f"{stages[p.stage]['seconds'] / ours:.2f}x"
                if "seconds" in stages.get(p.stage, {})
                else "-"
                for p in (peers if stage == BUILD else ())
            ]
            lines.append(row(stage, n, r, ratios))
    if peers:
        lines.append(
            "vs <peer>: x faster = peer seconds / paperfeed seconds, for the whole build "
            "(> 1: paperfeed is faster)"
        )
    lines.append("")
    for n, stages in results.items():
        build = stages[BUILD]
        if "corpus" in stages:
            lines.append(f"N={n}: {stages['corpus']['line']}")
        lines.append(
            f"N={n}: whole build (mkdocs build, which includes load, convert and feeds) "
            f"{build['seconds']:.1f} s, peak {build['peak_mb']:.0f} MB; "
            f"one paper page {build['paper_page_bytes'] / 1024:.1f} KB; {search_summary(build)}"
        )
        for search in stages.get(SEARCH, {}).get("searches", ()):
            lines.append(summary(f"N={n}: ", search))
        if "seconds" in stages.get(SERVE, {}):
            lines.append(serve_summary(f"N={n}: ", stages[SERVE]))
        for peer in peers:
            r = stages.get(peer.stage, {})
            if "seconds" in r:
                lines.append(
                    f"N={n}: {peer.stage} {r['seconds']:.1f} s, peak {r['peak_mb']:.0f} MB, "
                    f"site {r['output_bytes'] / MB:.1f} MB; {search_summary(r)}"
                )
    for n, stages in results.items():
        if "kinds" in stages[BUILD]:
            lines += ["", *kinds_table(n, stages[BUILD]["kinds"])]
    return "\n".join(lines + linearity_report(results))


# -- the command line -------------------------------------------------------------------


def positive(text: str) -> int:
    """An N of at least 1: an empty feed has no paper page to measure."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number of papers")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n",
        type=positive,
        action="append",
        dest="sizes",
        metavar="N",
        help="number of papers; repeat for several (default: 1000 and 10000)",
    )
    parser.add_argument(
        "--huge",
        action="store_true",
        help=f"also measure {HUGE} papers (takes long)",
    )
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also build the alternatives (" + ", ".join(p.name for p in PEERS) + ") "
        "from the same papers",
    )
    parser.add_argument(
        "--peer-max",
        type=positive,
        default=PEER_MAX,
        metavar="N",
        help="skip the peers that grow faster than N above this size "
        f"(default {PEER_MAX}; " + ", ".join(p.name for p in PEERS if p.capped) + ")",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="build in DIR/n<N> and keep it, instead of a temp dir",
    )
    parser.add_argument(
        "--author-pages-min",
        type=positive,
        default=None,
        metavar="N",
        help="the plugin's author_pages_min_papers (default: not set, the plugin chooses)",
    )
    parser.add_argument(
        "--no-browser",
        dest="browser",
        action="store_false",
        help="do not measure the search in headless Chromium (for machines without it)",
    )
    parser.add_argument(
        "--no-serve",
        dest="serve",
        action="store_false",
        help="do not time how soon `mkdocs serve` shows an edited paper",
    )
    parser.add_argument(
        "--stage", choices=STAGES | PEER_STAGES | LAST_STAGES, help=argparse.SUPPRESS
    )
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.stage:
        run_child(args.stage, args.dir)
        return
    sizes = sorted(set(args.sizes or DEFAULT_SIZES) | ({HUGE} if args.huge else set()))
    with ExitStack() as cleanup:
        print(report({n: run_size(args, n, cleanup) for n in sizes}))


if __name__ == "__main__":
    main()
