"""A paper's card and row, copied from listing to listing (pieces.py), are byte for
byte what each listing would have rendered; so are pages given their front matter
already parsed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import Site, built_with_and_without
from paperfeed.convert import split_page
from paperfeed.plugin import pieces
from paperfeed.plugin.generated import ParsedPage


def make_site(root: Path) -> Site:
    # Each paper is on its day, week, month, tag and author pages, and on the home page,
    # trending and code (papers with code) at another depth.
    site = Site(root)
    site.plugin_options["render_workers"] = 1  # one process: one cache sees every page
    for i in range(12):
        site.add(
            id=f"p{i:02d}",
            title=f"Paper <number> {i}",
            added=f"2024-11-{20 + i % 8:02d}",
            authors=[f"Author {i % 4}", "Shared Author", f"Other {i % 3}"],
            tags=[f"t{i % 3}", "all"],
            upvotes=i,
            links={"code": f"https://example.org/code/{i}"} if i % 2 else {},
        )
    return site


def test_copied_cards_and_rows_are_what_each_page_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached, rendered, caches = built_with_and_without(
        monkeypatch, pieces, "pf_piece", lambda name: make_site(tmp_path / name)
    )

    files, expected = cached.files(), rendered.files()
    assert files.keys() == expected.keys()
    assert [path for path in files if files[path] != expected[path]] == []
    assert caches[0].reused > 0  # listings took cards and rows from a copy
    assert caches[1].reused == 0


def test_a_full_cache_starts_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pieces, "LIMIT", 3)
    site = make_site(tmp_path / "small")
    site.build()
    monkeypatch.setattr(pieces, "LIMIT", 50_000)
    big = make_site(tmp_path / "big")
    big.build()
    assert site.files() == big.files()


def test_front_matter_kept_parsed_renders_what_its_yaml_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pages are handed to MkDocs with their front matter already parsed
    # (plugin/generated.py's ParsedPage); read from the YAML of their text, every file
    # is the same.
    kept = make_site(tmp_path / "kept")
    kept.build()
    monkeypatch.setattr(
        ParsedPage, "front_matter", lambda page: yaml.safe_load(split_page(page.text)[0])
    )
    parsed = make_site(tmp_path / "parsed")
    parsed.build()
    files, expected = kept.files(), parsed.files()
    assert files.keys() == expected.keys()
    assert [path for path in files if files[path] != expected[path]] == []
