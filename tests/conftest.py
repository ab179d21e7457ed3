"""Shared fixtures: paper entries written as files, and real MkDocs builds of them."""

from __future__ import annotations

import gzip
import json
import re
import textwrap
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from localserver import LocalServer

REPO = Path(__file__).resolve().parent.parent


def entry(**fields: Any) -> dict[str, Any]:
    """A valid entry with every required field; keyword arguments replace or add fields."""
    base: dict[str, Any] = {
        "id": "2401.00001",
        "title": "A Paper About Things",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "abstract": "We study things. They turn out to be interesting.",
        "published": "2024-01-02",
        "added": "2024-11-27",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def write_entry(papers: Path, fields: dict[str, Any], name: str | None = None) -> Path:
    path = papers / (name or f"{fields.get('id', 'entry')}.yaml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(fields, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def text_of(html: str) -> str:
    """The visible text, roughly: tags dropped, entities decoded, spaces folded."""
    html = re.sub(r"<script[^>]*>.*?</script>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


class Site:
    """A feed site in a temp dir: papers, mkdocs.yml, and a real `mkdocs build`."""

    def __init__(self, root: Path):
        self.root = root
        self.papers = root / "papers"
        self.papers.mkdir(parents=True, exist_ok=True)
        (root / "docs").mkdir(exist_ok=True)
        self.site_dir = root / "site"
        self.site_url: str | None = "https://feeds.example.org/lab/"
        self.plugin_options: dict[str, Any] = {}

    def add(self, **fields: Any) -> Path:
        return write_entry(self.papers, entry(**fields))

    def config(self) -> Path:
        config: dict[str, Any] = {
            "site_name": "Lab Feed",
            "theme": {"name": "material", "font": False},
            "nav": [{"Home": "index.md"}, {"Archive": "archive.md"}, {"Tags": "tags/index.md"}],
            "plugins": ["search", {"paperfeed": self.plugin_options}],
        }
        if self.site_url:
            config["site_url"] = self.site_url
        path = self.root / "mkdocs.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return path

    def build(self, **options: Any) -> Path:
        cfg = load_config(str(self.config()), site_dir=str(self.site_dir), **options)
        cfg.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does
        build(cfg)
        return self.site_dir

    def html(self, url_path: str) -> str:
        return (self.site_dir / url_path / "index.html").read_text(encoding="utf-8")

    def read(self, path: str) -> str:
        return (self.site_dir / path).read_text(encoding="utf-8")

    def files(self) -> dict[str, bytes]:
        """Every file of the built site but the search index, whose chunk names follow
        Pagefind's hash-map order (compare `search_records()` instead)."""
        found = (p for p in self.site_dir.rglob("*") if p.is_file())
        return {
            p.relative_to(self.site_dir).as_posix(): p.read_bytes()
            for p in found
            if p.relative_to(self.site_dir).parts[0] != "pagefind"
        }

    def search_records(self) -> list[dict[str, Any]]:
        """What Pagefind stored of each indexed page: url, content, meta, filters.

        Each is a gzip file of JSON behind a short signature, as the browser reads it.
        """
        records = []
        for path in sorted((self.site_dir / "pagefind").rglob("fragment/*")):
            data = gzip.decompress(path.read_bytes())
            records.append(json.loads(data[data.index(b"{") :]))
        return records


def built_with_and_without(
    monkeypatch: pytest.MonkeyPatch, cache: ModuleType, name: str, make: Callable[[str], Site]
) -> tuple[Site, Site, list[Any]]:
    """The site `make(folder)` built with the render cache of module `cache` (whose
    install(env, enabled) puts it in env.globals[name]), and built with it disabled;
    and the two cache objects, to ask whether the first was used."""
    install = cache.install
    caches: list[Any] = []

    def installed(env: Any, enabled: bool = True) -> None:
        install(env, enabled)
        caches.append(env.globals[name].__self__)

    monkeypatch.setattr(cache, "install", installed)
    cached = make("cached")
    cached.build()
    monkeypatch.setattr(cache, "install", lambda env: installed(env, enabled=False))
    rendered = make("rendered")
    rendered.build()
    return cached, rendered, caches


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 that answers what a test routes to it."""
    with LocalServer() as running:
        yield running
