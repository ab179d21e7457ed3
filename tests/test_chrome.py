"""Chrome copied from page to page (chrome.py) is byte for byte the chrome each page
would have rendered: every file of a site is the same built with and without it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import Site, built_with_and_without, write_text
from paperfeed.plugin import chrome
from paperfeed.plugin.material_config import without_search

# Pages at every depth: papers/<id>/, tags/<tag>/ ... at two, trending/ and the
# hand-written about/ at one, guide/deep/page/ at three. Hand-written pages share a
# template, main.html: notes/a/ links the nav's notes/ as "../", other/b/ as
# "../../notes/"; other/c/ hides the navigation, other/d/ has a table of contents.
NAV = [
    {"Home": "index.md"},
    {"Archive": "archive.md"},
    {"Tags": "tags/index.md"},
    {"Notes": "notes/index.md"},
]
DOCS = {
    "about.md": "Who we are, without headings.\n",
    "guide/deep/page.md": "A page three folders down.\n",
    "notes/index.md": "Notes.\n",
    "notes/a.md": "A note.\n",
    "other/b.md": "Another page.\n",
    "other/c.md": "---\nhide: [navigation]\n---\nWithout the navigation.\n",
    "other/d.md": "# D\n\n## One part\n\nText.\n\n## Another\n\nMore.\n",
    "js/extra.js": "// extra\n",
}

SITES: dict[str, dict[str, Any]] = {
    "plain": {"theme": {}, "nav": NAV},
    "tabs": {
        "theme": {"features": ["navigation.tabs", "navigation.footer", "navigation.sections"]},
        # a section, and links into the folders of the first and the last tag page:
        # "feed.xml" from that page, "../t0/feed.xml" from the other tag pages
        "nav": [
            *NAV,
            {"Browse": [{"About": "about.md"}, {"Feed of t0": "tags/t0/feed.xml"}]},
            {"Feed of t2": "tags/t2/feed.xml"},
        ],
        "repo_url": "https://github.com/example/lab-feed",
        "extra_javascript": ["js/extra.js"],
    },
    "sticky tabs": {
        "theme": {
            "features": ["navigation.tabs", "navigation.tabs.sticky", "toc.integrate"],
            "palette": [
                {"scheme": "default", "toggle": {"icon": "material/brightness-7", "name": "Dark"}},
                {"scheme": "slate", "toggle": {"icon": "material/brightness-4", "name": "Light"}},
            ],
        },
        "nav": NAV,
        "site_url": "https://example.org/groups/lab/feed/",
    },
}


def make_site(root: Path, options: dict[str, Any]) -> Site:
    site = Site(root)
    site.plugin_options["render_workers"] = 1  # one process: one cache sees every page
    for i in range(9):
        site.add(
            id=f"p{i:02d}",
            title=f"Paper number {i}",
            added=f"2024-11-{25 + i % 3}",
            authors=[f"Author {i % 3}", "Shared Author"],
            tags=[f"t{i % 3}"],
        )
    site.add(id="p99", title="Lab Feed", added="2024-11-27")  # its title is the site's name
    for path, text in DOCS.items():
        write_text(root / "docs" / path, text)
    config = site.config
    site.config = lambda: _with(config(), options)  # type: ignore[method-assign]
    return site


def _with(path: Path, options: dict[str, Any]) -> Path:
    config = yaml.safe_load(path.read_text())
    config["theme"].update(options.get("theme", {}))
    config.update({k: v for k, v in options.items() if k != "theme"})
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.mark.parametrize("options", SITES.values(), ids=SITES.keys())
def test_copied_chrome_is_the_chrome_each_page_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    cached, rendered, caches = built_with_and_without(
        monkeypatch, chrome, "chrome", lambda name: make_site(tmp_path / name, options)
    )

    files, expected = cached.files(), rendered.files()
    assert files.keys() == expected.keys()
    assert [path for path in files if files[path] != expected[path]] == []
    assert caches[0].copied > 0  # pages took their chrome from a copy
    assert caches[1].copied == 0


PAGES = ["index.html", "papers/p01/index.html", "tags/t0/index.html", "about/index.html"]


@pytest.mark.parametrize(("name", "offered"), [("plain", False), ("sticky tabs", True)])
def test_a_saved_colour_scheme_is_restored_only_where_the_site_offers_one(
    tmp_path: Path, name: str, offered: bool
) -> None:
    site = make_site(tmp_path, SITES[name])
    site.build()
    for page in PAGES:
        html = site.read(page)
        assert ('__md_get("__palette")' in html) is offered, page
        assert ('data-md-component="palette"' in html) is offered, page


def test_the_pages_share_one_search_box_and_carry_only_its_frame(tmp_path: Path) -> None:
    site = make_site(tmp_path, SITES["plain"])
    site.build()
    box = site.read("assets/javascripts/search-box.html")
    assert "data-pf-search-query" in box
    assert 'placeholder="Search"' in box and "Initializing search" in box
    assert '<select name="tag">' in box and '<select name="year">' in box
    assert "{%" not in box and "<svg" in box  # rendered, icons and all
    for page in PAGES:
        html = site.read(page)
        frame = re.search(r'<div class="md-search" ([^>]*)>(.*?)</div>', html, re.S)
        assert frame and frame.group(2) == "", page
        where = dict(re.findall(r'(data-pf-search[\w-]*)="([^"]*)"', frame.group(1)))
        folder = Path(page).parent
        assert (site.site_dir / folder / where["data-pf-search-box"]).resolve() == (
            site.site_dir / "assets/javascripts/search-box.html"
        ).resolve(), page
        assert "data-pf-search-query" not in html, page


@pytest.mark.parametrize(
    ("language", "none", "copy"),
    [
        ("en", "No matching documents", "Copy to clipboard"),
        ("de", "Keine Suchergebnisse", "In Zwischenablage kopieren"),
    ],
)
def test_search_phrases_are_said_once_by_the_box_not_by_every_page(
    tmp_path: Path, language: str, none: str, copy: str
) -> None:
    site = make_site(tmp_path, {"theme": {"language": language}, "nav": NAV})
    site.build()
    box = site.read("assets/javascripts/search-box.html")
    assert f'data-pf-say-none="{none}"' in box
    for page in PAGES:
        found = re.search(
            r'<script id="__config" type="application/json">(.*?)</script>', site.read(page), re.S
        )
        assert found, page
        settings = json.loads(found.group(1))
        # Material's search never starts here: its worker and phrases are not carried
        assert "search" not in settings, page
        assert not [key for key in settings["translations"] if key.startswith("search")], page
        # what the bundle reads for the rest stays
        assert settings["translations"]["clipboard.copy"] == copy, page
        assert settings["base"] and "features" in settings and "version" in settings, page


@pytest.mark.parametrize(
    "block",
    [
        '<script id="__config" type="application/json">{"base": "."}</script>',  # no search
        '<script id="__config" type="application/json">{"search": "w.js"</script>',  # not JSON
        "<script>var config = {}</script>",  # written some other way
    ],
)
def test_settings_a_newer_material_writes_otherwise_are_left_as_they_are(block: str) -> None:
    assert without_search(block) == block
