"""Big feeds are loaded, converted and rendered by worker processes: same site, same errors."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from mkdocs.exceptions import Abort

from conftest import Site, entry, write_entry
from paperfeed import processes
from paperfeed.convert import convert
from paperfeed.errors import PaperfeedError
from paperfeed.load import load_entries
from paperfeed.plugin import workers
from paperfeed.plugin.reuse import manifest_path


def write_feed(papers: Path, n: int) -> None:
    for i in range(n):
        write_entry(
            papers,
            entry(
                id=f"p{i:03d}",
                title=f"Paper {i}",
                tags=[f"t{i % 4}"],
                abstract=f"Paper {i} costs $O(n^{i % 3})$.",
            ),
        )


def test_workers_give_what_one_process_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_feed(tmp_path / "papers", 40)
    alone = load_entries(tmp_path / "papers", convert=convert)
    pools = []

    class CountedPool(processes.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(kwargs["max_workers"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(processes, "MIN_ITEMS", 4)
    monkeypatch.setattr(processes, "ProcessPoolExecutor", CountedPool)
    together = load_entries(tmp_path / "papers", convert=convert)
    assert together == alone
    assert pools == ([2] if processes.cores() >= 2 else [])


def test_workers_report_every_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_feed(tmp_path / "papers", 20)
    write_entry(tmp_path / "papers", entry(id="p003"), "zz-duplicate.yaml")
    write_entry(tmp_path / "papers", entry(id="bad", upvotes=-3), "zz-bad.yaml")
    monkeypatch.setattr(processes, "MIN_ITEMS", 4)
    with pytest.raises(PaperfeedError) as info:
        load_entries(tmp_path / "papers")
    assert [str(p) for p in info.value.problems] == [
        "papers/zz-bad.yaml:9: upvotes: -3 is negative: use 0 or more",
        "papers/zz-duplicate.yaml:1: id: 'p003' is already used by papers/p003.yaml: "
        "ids must be unique",
    ]


def test_a_site_built_by_workers_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = Site(tmp_path / "one"), Site(tmp_path / "two")
    for site in (one, two):
        write_feed(site.papers, 24)
    one.build()
    monkeypatch.setattr(processes, "MIN_ITEMS", 4)
    two.build()

    assert one.files() == two.files()
    assert one.search_records() == two.search_records()


def test_pages_rendered_by_forked_workers_are_the_same(tmp_path: Path) -> None:
    alone, forked = Site(tmp_path / "alone"), Site(tmp_path / "forked")
    for site, count in ((alone, 1), (forked, 3)):
        write_feed(site.papers, 24)
        site.plugin_options["render_workers"] = count
        site.build()
    assert alone.files() == forked.files()
    assert alone.search_records() == forked.search_records()
    # The workers made the fingerprints of their pages: the next build, comparing its
    # own, keeps every page (the same file, linked in).
    manifest = json.loads(manifest_path(forked.site_dir).read_text())["pages"]
    assert len(manifest) > 24
    inodes = {uri: (forked.site_dir / uri).stat().st_ino for uri in manifest}
    forked.build()
    assert {uri: (forked.site_dir / uri).stat().st_ino for uri in manifest} == inodes


def test_a_page_that_fails_in_a_worker_fails_the_build_and_keeps_the_site(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write_feed(site.papers, 12)
    site.plugin_options["render_workers"] = 2
    site.build()
    before = site.files()
    site.add(id="p999", title="Never published")

    def failing(page, *args):  # noqa: ANN001, ANN202 - runs in the worker only
        raise RuntimeError(f"the theme broke on {page.file.src_uri}")

    monkeypatch.setattr(workers, "_build_page", failing)
    with pytest.raises(Abort):
        site.build()
    assert "rendering pages in worker processes: RuntimeError: the theme broke on" in caplog.text
    assert site.files() == before


def test_a_warning_in_a_worker_fails_a_strict_build(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write_feed(site.papers, 12)
    site.plugin_options["render_workers"] = 2
    real = workers._build_page

    def warning(page, *args):  # noqa: ANN001, ANN202
        logging.getLogger("mkdocs.plugins.test").warning("odd page %s", page.file.src_uri)
        return real(page, *args)

    monkeypatch.setattr(workers, "_build_page", warning)
    with pytest.raises(Abort):
        site.build(strict=True)
    assert "warning(s) while rendering pages" in caplog.text
