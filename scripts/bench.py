#!/usr/bin/env python
"""How long a paperfeed build takes, and how much memory it needs, as the feed grows.

    python scripts/bench.py [-n 1000 -n 10000] [--keep DIR]

For each N it writes N synthetic but realistic entries and a site like the repo's into
a temp dir, then times each stage in a fresh process, so every peak memory figure
belongs to one stage alone: load+validate, convert (pages), feeds, and the whole
`mkdocs build`, which repeats the first three itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any

import yaml

from paperfeed.catalog import Catalog
from paperfeed.convert import to_markdown
from paperfeed.feeds import FeedSettings, render_feeds
from paperfeed.load import load_entries, load_papers
from paperfeed.pages import site_pages

REPO = Path(__file__).resolve().parent.parent
SITE_URL = "https://bench.example.org/feed/"
SEED = 20241127
FIRST_DAY = date(2024, 1, 2)
DEFAULT_SIZES = (1000, 10000)
MB = 1024 * 1024

# Vocabulary of the generated text: enough variety that pages and the search index
# are not trivially compressible repetitions of a few words.
WORDS = """
model models learning network networks neural deep training data dataset benchmark
method approach framework task tasks performance results accuracy efficient efficiency
large language vision image images video representation representations attention
transformer transformers diffusion generative reinforcement policy reward agent agents
graph graphs optimization gradient stochastic convergence loss objective supervised
self-supervised contrastive pretraining fine-tuning inference latency memory scaling
parameters architecture layers embedding embeddings token tokens sequence sequences
retrieval reasoning alignment robustness adversarial uncertainty calibration evaluation
we propose introduce show demonstrate analyze study present novel simple effective
existing prior state-of-the-art baselines experiments empirical theoretical analysis
across multiple diverse domains while maintaining improving reducing compared
significantly outperforms achieves consistent gains under settings real-world synthetic
this that these our the a an of to in for on with by from and or as at is are which
""".split()
MATH = ("$O(n^2)$", "$O(n \\log n)$", "$\\epsilon$", "$\\mathbb{R}^d$", "$k$")
FIRST_NAMES = """
Ada Alan Grace Yoshua Geoffrey Fei-Fei Andrew Ilya Oriol Demis Kaiming Ross Jitendra
Pieter Sergey Chelsea Percy Christopher Dan Emma Li Wei Xin Yann Léon Łukasz José Zoë
Priya Arjun Mei Hiroshi Sven Ingrid Olga Tomás Amara Kwame Fatima Noor Mateo Elena
""".split()
LAST_NAMES = """
Lovelace Turing Hopper Bengio Hinton Li Ng Sutskever Vinyals Hassabis He Girshick
Malik Abbeel Levine Finn Liang Manning Jurafsky Strubell Zhang Wang Chen Liu Yang LeCun
Bottou Kaiser García Müller Patel Sharma Tanaka Suzuki Andersson Johansson Ivanova
Novak Okafor Mensah Haddad Rossi Silva Kowalski Nakamura Kim Park Nguyen Schmidt Dubois
""".split()
TAGS = """
transformers attention diffusion gans vaes reinforcement-learning robotics nlp
machine-translation question-answering summarization speech audio computer-vision
object-detection segmentation image-generation video-generation 3d nerf
self-supervised contrastive-learning representation-learning graph-neural-networks
optimization theory scaling-laws efficiency quantization pruning distillation
federated-learning privacy fairness interpretability alignment rlhf safety
benchmarks datasets evaluation retrieval rag agents reasoning code-generation math
multimodal vision-language medical-imaging biology chemistry climate time-series
recommender-systems tabular causal-inference bayesian uncertainty continual-learning
meta-learning few-shot
""".split()


# -- synthetic entries --------------------------------------------------------------


def sentence(rng: Random, words: int) -> str:
    """A capitalised run of words ending in a full stop."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: Random, words: int, extras: list[str]) -> str:
    """About `words` words of sentences, with `extras` (math, URLs) dropped in."""
    sentences: list[str] = []
    used = 0
    while used < words:
        size = min(rng.randint(12, 24), max(words - used, 6))
        sentences.append(sentence(rng, size))
        used += size
    for extra in extras:
        sentences.insert(rng.randint(1, len(sentences)), extra)
    return " ".join(sentences)


def abstract(rng: Random) -> str:
    """About 190 words in two paragraphs; some have inline math or a link, as real ones do."""
    first = [f"The cost is {rng.choice(MATH)} in the input size."] if rng.random() < 0.3 else []
    second = (
        [f"Code: https://github.com/{rng.choice(LAST_NAMES).lower()}/{rng.choice(WORDS)}."]
        if rng.random() < 0.2
        else []
    )
    return paragraph(rng, 95, first) + "\n\n" + paragraph(rng, 95, second)


def entry(rng: Random, paper_id: str, added: date) -> dict[str, Any]:
    """One entry as a contributor would write it; dates stay text, as the loader wants."""
    fields: dict[str, Any] = {
        "id": paper_id,
        "arxiv": paper_id,
        "title": sentence(rng, 12)[:-1],
        "authors": [
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(3, 12))
        ],
        "abstract": abstract(rng),
        "published": (added - timedelta(days=rng.randint(1, 365))).isoformat(),
        "added": added.isoformat(),
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
        "upvotes": int(rng.expovariate(1 / 25)),
    }
    if rng.random() < 0.5:
        fields["summary"] = sentence(rng, rng.randint(10, 18))
    return fields


def schedule(rng: Random, n: int) -> Iterator[tuple[str, date]]:
    """(arXiv-style id, added day) for n papers at 30-50 a day, ids numbered per month."""
    day, left_today, per_month = FIRST_DAY, rng.randint(30, 50), 0
    for _ in range(n):
        if left_today == 0:
            next_day = day + timedelta(days=1)
            per_month = 0 if next_day.month != day.month else per_month
            day, left_today = next_day, rng.randint(30, 50)
        per_month += 1
        left_today -= 1
        yield f"{day:%y%m}.{per_month:05d}", day


def write_papers(root: Path, n: int) -> None:
    """n entries as papers/YYYY/MM/<id>.yaml, the same every run."""
    rng = Random(SEED)
    for paper_id, added in schedule(rng, n):
        folder = root / "papers" / f"{added:%Y}" / f"{added:%m}"
        folder.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(
            entry(rng, paper_id, added),
            Dumper=yaml.CSafeDumper,
            sort_keys=False,
            allow_unicode=True,
        )
        (folder / f"{paper_id}.yaml").write_text(text, encoding="utf-8")


def write_site(root: Path, author_min: int = 1) -> None:
    """A mkdocs.yml like the repo's (its theme overrides, a short nav) and an empty docs/."""
    config = {
        "site_name": "Bench Feed",
        "site_url": SITE_URL,
        "theme": {
            "name": "material",
            "custom_dir": str(REPO / "overrides"),
            "font": False,
            "features": ["navigation.tabs", "search.suggest", "search.highlight"],
        },
        "nav": [{"Home": "index.md"}, {"Archive": "archive.md"}, {"Tags": "tags/index.md"}],
        "plugins": [
            "search",
            {"paperfeed": {"papers_dir": "papers", "author_pages_min_papers": author_min}},
        ],
        "markdown_extensions": ["attr_list", "admonition", {"toc": {"permalink": True}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)


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
    entries = load_entries(root / "papers", root, convert=to_markdown)
    catalog = Catalog({entry.source: entry.paper for entry in entries})
    pages = list(site_pages(catalog, {entry.paper.id: entry.page or "" for entry in entries}))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "output_bytes": sum(len(p.text.encode()) for p in pages)}


def stage_feeds(root: Path) -> dict[str, Any]:
    """Render every feed: main, code and one per tag (RSS and Atom), JSON Feed and OPML."""
    catalog = catalog_of(root)
    start = time.perf_counter()
    feeds = render_feeds(catalog, FeedSettings(title="Bench Feed", site_url=SITE_URL))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "output_bytes": sum(len(data) for data in feeds.values())}


def stage_mkdocs(root: Path) -> dict[str, Any]:
    """The real build, as users run it; its memory is the mkdocs process's own peak."""
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml", "-d", "site"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"mkdocs build failed ({done.returncode}):\n{done.stderr}")
    site = root / "site"
    paper_page = min(site.glob("papers/*/index.html"))
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(resource.RUSAGE_CHILDREN),
        "output_bytes": sum(f.stat().st_size for f in site.rglob("*") if f.is_file()),
        "paper_page_bytes": paper_page.stat().st_size,
        "search_index_bytes": (site / "search" / "search_index.json").stat().st_size,
    }


STAGES: dict[str, Callable[[Path], dict[str, Any]]] = {
    "load+validate": stage_load,
    "convert": stage_convert,
    "load+validate+convert": stage_prepare,
    "feeds": stage_feeds,
    "mkdocs build": stage_mkdocs,
}


def run_child(stage: str, root: Path) -> None:
    """The child's side: run one stage and print its figures as one JSON line."""
    result = STAGES[stage](root)
    # Big feeds are loaded and converted by worker processes: count the larger peak.
    result.setdefault(
        "peak_mb", max(peak_mb(resource.RUSAGE_SELF), peak_mb(resource.RUSAGE_CHILDREN))
    )
    print(json.dumps(result))


# -- the parent: generate, measure, report ------------------------------------------------


def measure(stage: str, root: Path) -> dict[str, Any]:
    """Run one stage in a fresh interpreter, so nothing earlier inflates its peak memory."""
    command = [sys.executable, __file__, "--stage", stage, "--dir", str(root)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"stage {stage!r} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def bench(n: int, root: Path, author_min: int) -> dict[str, dict[str, Any]]:
    """Every stage's figures for n papers, generated into `root`."""
    print(f"N={n}: writing entries to {root}", file=sys.stderr)
    write_papers(root, n)
    write_site(root, author_min)
    results = {}
    for stage in STAGES:
        print(f"N={n}: {stage}", file=sys.stderr)
        results[stage] = measure(stage, root)
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


def run_size(keep: Path | None, n: int, author_min: int) -> dict[str, dict[str, Any]]:
    """One size's figures; a temp dir is removed afterwards, a --keep folder is not."""
    place = work_dir(keep, n)
    if isinstance(place, Path):
        return bench(n, place, author_min)
    with place as tmp:
        return bench(n, Path(tmp), author_min)


def machine() -> str:
    """The figures mean little without the machine; nproc counts the CPUs we may use."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"machine: nproc {cpus}, Python {platform.python_version()}, {platform.platform()}"


def report(results: dict[int, dict[str, dict[str, Any]]]) -> str:
    """One plain-text table of every stage and size, then the whole-build summary per size."""
    header = f"{'stage':<22} {'N':>7} {'seconds':>9} {'peak MB':>9} {'output MB':>10}"
    lines = [machine(), "", header, "-" * len(header)]
    for n, stages in results.items():
        for stage, r in stages.items():
            out = f"{r['output_bytes'] / MB:.2f}" if "output_bytes" in r else "-"
            lines.append(f"{stage:<22} {n:>7} {r['seconds']:>9.3f} {r['peak_mb']:>9.1f} {out:>10}")
    lines.append("")
    for n, stages in results.items():
        build = stages["mkdocs build"]
        lines.append(
            f"N={n}: whole build (mkdocs build, which includes load, convert and feeds) "
            f"{build['seconds']:.1f} s, peak {build['peak_mb']:.0f} MB; "
            f"one paper page {build['paper_page_bytes'] / 1024:.1f} KB; "
            f"search index {build['search_index_bytes'] / MB:.2f} MB"
        )
    return "\n".join(lines)


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
        "--keep",
        type=Path,
        metavar="DIR",
        help="build in DIR/n<N> and keep it, instead of a temp dir",
    )
    parser.add_argument(
        "--author-pages-min",
        type=positive,
        default=1,
        metavar="N",
        help="the plugin's author_pages_min_papers (default 1: a page per author)",
    )
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.stage:
        run_child(args.stage, args.dir)
        return
    results = {
        n: run_size(args.keep, n, args.author_pages_min) for n in args.sizes or DEFAULT_SIZES
    }
    print(report(results))


if __name__ == "__main__":
    main()
