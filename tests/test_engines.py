"""The engines: MkDocs 1.6 and ProperDocs, its drop-in continuation, build the same site.

ProperDocs (`properdocs build`) loads the plugins and themes MkDocs would, by the same
entry points (`mkdocs.plugins`, `mkdocs.themes`), and maps every `mkdocs.*` import to
its own modules, so paperfeed's plugin and Material's theme run unchanged. The demo
site of this repository is built by each and compared file by file.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENGINES = ("mkdocs", "properdocs")
# Material names the engine in every page's head: the one line the engines may differ in.
GENERATOR = re.compile(rb'<meta name="generator" content="([^"]*)">')
# Pagefind names these after hashes of its in-memory maps, whose order changes per run.
UNORDERED = re.compile(r"(^|/)filter/|\.pf_meta$|(^|/)pagefind-entry\.json$")


def demo(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("papers", "docs", "overrides"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def build(engine: str, root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = BIN / engine
    assert command.is_file(), f"{command}: missing: pip install -e '.[test]'"
    return subprocess.run(
        [str(command), "build", "-f", "mkdocs.yml", *options],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"},
    )


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def is_unordered(path: str) -> bool:
    return path.startswith("pagefind/") and UNORDERED.search(path) is not None


def unordered(site_files: dict[str, bytes]) -> list[tuple[str, str]]:
    """Pagefind's files with names that change from run to run: (folder, suffix) each."""
    return sorted((str(Path(p).parent), Path(p).suffix) for p in site_files if is_unordered(p))


def search_records(site: Path) -> list[dict[str, Any]]:
    """What Pagefind stored of each page (a gzip file of JSON behind a short signature)."""
    records = []
    for path in sorted((site / "pagefind").rglob("fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        records.append(json.loads(data[data.index(b"{") :]))
    return records


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """The demo site built by each engine, in its own copy of the demo: (site, log)."""
    sites = {}
    for engine in ENGINES:
        root = demo(tmp_path_factory.mktemp(engine) / "demo")
        result = build(engine, root)
        assert result.returncode == 0, f"{engine}:\n{result.stdout}\n{result.stderr}"
        sites[engine] = (root / "site", result.stderr)
    return sites


def test_properdocs_loads_the_paperfeed_plugin_and_materials_theme(
    built: dict[str, tuple[Path, str]],
) -> None:
    site, log = built["properdocs"]
    assert "Loaded 16 papers over 5 days" in log  # paperfeed's plugin ran
    assert "Search index: 18 pages indexed by Pagefind" in log
    home = (site / "index.html").read_bytes()
    (generator,) = GENERATOR.findall(home)
    assert re.fullmatch(rb"mkdocs-ProperDocs 1\.6\.\d+, mkdocs-material-9\.\d+\.\d+", generator)
    assert b'class="md-header' in home and b'class="pf-card' in home
    assert (site / "assets/stylesheets/paperfeed.css").is_file()
    assert (site / "papers/1706.03762/index.html").is_file()
    # The project's own partial (overrides/ in front of paperfeed's theme and Material's).
    assert (ROOT / "overrides/partials/copyright.html").is_file()
    mkdocs_home = (built["mkdocs"][0] / "index.html").read_bytes()
    assert b"md-copyright" in home and home.count(b"md-copyright") == mkdocs_home.count(
        b"md-copyright"
    )


def test_both_engines_write_the_same_files_but_for_the_engines_name(
    built: dict[str, tuple[Path, str]],
) -> None:
    ours, theirs = files(built["mkdocs"][0]), files(built["properdocs"][0])
    # (Pagefind's unordered files: as many of each kind, in the same folders)
    assert unordered(ours) == unordered(theirs) and unordered(ours)
    ours = {path: data for path, data in ours.items() if not is_unordered(path)}
    theirs = {path: data for path, data in theirs.items() if not is_unordered(path)}
    assert sorted(ours) == sorted(theirs)
    named = 0
    for path, data in ours.items():
        other = theirs[path]
        if data != other:
            # Only the generator line of a page may differ, and only by the engine's name.
            mkdocs, properdocs = GENERATOR.findall(data), GENERATOR.findall(other)
            assert len(mkdocs) == len(properdocs) == 1, path
            assert mkdocs[0].startswith(b"mkdocs-1.") and b"ProperDocs" in properdocs[0], path
            assert GENERATOR.sub(b"", data) == GENERATOR.sub(b"", other), path
            named += 1
    pages = [p for p in ours if p.endswith(".html") and GENERATOR.search(ours[p])]
    assert named == len(pages) > 60
    # The sitemap's gzip is dated by the newest page, not the clock: the same bytes too.
    assert ours["sitemap.xml.gz"] == theirs["sitemap.xml.gz"]
    assert ours["feed.xml"] == theirs["feed.xml"] and ours["papers.json"] == theirs["papers.json"]


def test_both_engines_give_the_same_search_index(built: dict[str, tuple[Path, str]]) -> None:
    (ours, _), (theirs, _) = built["mkdocs"], built["properdocs"]
    assert search_records(ours) == search_records(theirs)
    assert len(search_records(ours)) == 18
    for entry in (ours / "pagefind").rglob("pagefind-entry.json"):
        mine = json.loads(entry.read_text(encoding="utf-8"))
        other = json.loads((theirs / entry.relative_to(ours)).read_text(encoding="utf-8"))
        for index in (mine, other):
            for language in index["languages"].values():
                del language["hash"]  # named after the unordered files
        assert mine == other


# --- the engines' logs -------------------------------------------------------------------
# ProperDocs logs as `properdocs...` and counts warnings with a handler on the `properdocs`
# logger: paperfeed listens to and counts both names.


def test_properdocs_says_nothing_of_the_pages_paperfeed_renders_itself(
    built: dict[str, tuple[Path, str]],
) -> None:
    assert "Page skipped" not in built["mkdocs"][1]
    assert "Page skipped" not in built["properdocs"][1]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_strict_build_that_fails_leaves_the_last_site(engine: str, tmp_path: Path) -> None:
    root = demo(tmp_path / "demo")
    assert build(engine, root).returncode == 0
    about = root / "site/about/index.html"
    before = about.read_bytes()
    with (root / "docs/about.md").open("a", encoding="utf-8") as f:
        f.write("\n[A page that is not there](missing.md)\n")
    failed = build(engine, root, "--strict")
    assert failed.returncode == 1
    assert "Aborted with 1 warnings in strict mode!" in failed.stdout + failed.stderr
    assert about.read_bytes() == before
