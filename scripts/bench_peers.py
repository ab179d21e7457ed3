"""What paperfeed is measured against: the sites one would build instead, from the same papers.

Each peer is a plain MkDocs site in its own folder under the bench root. bench.py writes
it from `bench_corpus.papers(n)`, the corpus paperfeed reads, then builds it in a fresh
process as it builds paperfeed's, so the two figures compare like with like.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bench_corpus import SITE_URL

Paper = dict[str, Any]


@dataclass(frozen=True)
class Peer:
    """One alternative: how to write its site, and what its build must leave behind."""

    name: str
    folder: str
    write: Callable[[Path, Iterable[Paper]], None]
    # Files (relative to site/) whose absence means the build did not do its job.
    outputs: tuple[str, ...]
    # Grows faster than N: skipped above --peer-max, or big runs never end.
    capped: bool = False

    @property
    def stage(self) -> str:
        """The peer's row in the report, beside paperfeed's stages."""
        return f"peer: {self.name}"

    def root(self, bench_root: Path) -> Path:
        """The peer's own site folder (mkdocs.yml, docs/, site/)."""
        return bench_root / self.folder


def write_config(root: Path, config: dict[str, Any]) -> None:
    """mkdocs.yml; the site name and URL are shared, and no web fonts are fetched."""
    base: dict[str, Any] = {
        "site_name": "Bench Peer",
        "site_url": SITE_URL,
        "theme": {"name": "material", "font": False},
    }
    root.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(base | config, sort_keys=False)
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")


def byline(paper: Paper) -> str:
    """The authors and the day, as one emphasised line."""
    return f"*{', '.join(paper['authors'])}* · {paper['added']}"


def write_material(root: Path, papers: Iterable[Paper]) -> None:
    """Bare Material: a page per paper, a nav with Home only (as paperfeed's is short), lunr."""
    write_config(root, {"nav": [{"Home": "index.md"}], "plugins": ["search"]})
    docs = root / "docs"
    (docs / "papers").mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Papers\n\nOne page per paper.\n", encoding="utf-8")
    for paper in papers:
        tags = f"\n\nTags: {', '.join(paper['tags'])}" if paper["tags"] else ""
        text = f"# {paper['title']}\n\n{byline(paper)}\n\n{paper['abstract']}{tags}\n"
        (docs / "papers" / f"{paper['id']}.md").write_text(text, encoding="utf-8")


def write_blog(root: Path, papers: Iterable[Paper]) -> None:
    """Material's blog (tags as categories, with archive and category pages) with an RSS feed.

    Listings show title and byline, cut at the excerpt mark, as paperfeed's cards do. The
    rss plugin takes dates from the front matter only (`use_git: false`): the bench root
    is not a git repository, and under --keep it could sit inside one.
    """
    rss = {
        "match_path": "blog/posts/.*",
        "date_from_meta": {"as_creation": "date", "as_update": "date"},
        "use_git": False,
        "cache_dir": str(root / ".cache" / "rss"),
    }
    write_config(
        root,
        {
            "nav": [{"Home": "index.md"}, {"Blog": "blog/index.md"}],
            "plugins": ["search", "blog", {"rss": rss}],
        },
    )
    docs = root / "docs"
    posts = docs / "blog" / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Papers\n\nSee the blog.\n", encoding="utf-8")
    (docs / "blog" / "index.md").write_text("# Blog\n", encoding="utf-8")
    for paper in papers:
        meta: dict[str, Any] = {"date": date.fromisoformat(paper["added"])}
        if paper["tags"]:
            meta["categories"] = paper["tags"]
        front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
        text = (
            f"---\n{front}---\n\n# {paper['title']}\n\n{byline(paper)}\n\n"
            f"<!-- more -->\n\n{paper['abstract']}\n"
        )
        (posts / f"{paper['id']}.md").write_text(text, encoding="utf-8")


PEERS = (
    Peer("material", "peer-material", write_material, ("search/search_index.json",)),
    Peer(
        "blog+rss",
        "peer-blog-rss",
        write_blog,
        ("search/search_index.json", "feed_rss_created.xml", "feed_json_created.json"),
        capped=True,
    ),
)
