"""The wheel: what `pip install paperfeed` gets, installed as a user installs it.

The wheel is built from the package's sources, installed (not editable) with its
dependencies from the package index into a fresh venv, and used from a folder outside
this checkout with no PYTHONPATH: `init`, `check`, `add --from-bibtex`, `mkdocs build`,
`paperfeed build` and `mkdocs serve` must work with nothing but what the wheel holds.
With a warm pip cache the install takes about 17 s here and this file about 35 s.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest

from test_release import project_version

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "paperfeed"
NAME, URL = "Lab Papers", "https://lab.example.org/papers/"
PAPER_ID = "lovelace2024engines"
PAPER_URL = f"{URL}papers/{PAPER_ID}/"
BIBTEX = """\
@inproceedings{lovelace2024engines,
  title = {Notes on the {Analytical} Engine},
  author = {Lovelace, Ada and Babbage, Charles},
  abstract = {We describe an engine that computes. It weaves algebraic patterns.},
  booktitle = {Proceedings of the Workshop on Engines},
  year = {2024},
  month = mar,
  day = {9},
}
"""
TITLE = "Notes on the Analytical Engine"


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args}:\n{result.stdout}\n{result.stderr}"
    return result


# --- the wheel ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from the package's sources.

    They are copied first: a build in place leaves build/ and *.egg-info in the checkout.
    """
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
    )
    out = tmp_path_factory.mktemp("dist")
    ok(
        run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check"]
            + ["-q", "-w", str(out), str(source)],
            cwd=out,
            timeout=600,
        )
    )
    (built,) = out.glob("paperfeed-*.whl")
    return built


def packaged_files() -> set[str]:
    """Every file of the package in this checkout, as the wheel names it."""
    return {
        "paperfeed/" + p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_the_wheel_holds_the_theme_the_templates_and_the_starter_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = {n.split("/", 1)[1]: z.read(n).decode() for n in names if ".dist-info/" in n}
    files = {n for n in names if not n.startswith("paperfeed-")}
    for path in [
        "paperfeed/theme/main.html",
        "paperfeed/theme/paper.html",
        "paperfeed/theme/partials/pf-macros.html",
        "paperfeed/theme/partials/search.html",
        "paperfeed/theme/assets/javascripts/search-box.html",
        "paperfeed/theme/assets/javascripts/search.js",
        "paperfeed/theme/assets/javascripts/paperfeed.js",
        "paperfeed/theme/assets/stylesheets/paperfeed.css",
        "paperfeed/templates/paper-body.md",
        "paperfeed/templates/search-record.html",
        "paperfeed/templates/entry.bib",
        "paperfeed/starter/mkdocs.yml.jinja",
        "paperfeed/starter/requirements.in.jinja",
        "paperfeed/starter/requirements.txt",
        "paperfeed/starter/requirements-build.txt",
        "paperfeed/starter/github/dependabot.yml",
        "paperfeed/deploy/deploy-s3.yml",
        "paperfeed/theme/partials/pf-paper.html",
        "paperfeed/theme/assets/javascripts/new-since.js",
        "paperfeed/starter/github/workflows/check.yml",
        "paperfeed/starter/github/workflows/deploy.yml",
        "paperfeed/starter/github/workflows/submit-paper.yml",
        "paperfeed/starter/github/ISSUE_TEMPLATE/submit-paper.yml",
        "paperfeed/starter/github/pull_request_template.md",
        "paperfeed/starter/docs/contributing.md",
        "paperfeed/starter/gitignore",
        "paperfeed/released_themes.json",
        "paperfeed/py.typed",
        "paperfeed/submission.py",
    ]:
        assert path in files, path
    assert [n for n in files if n.startswith("paperfeed/starter/demo/")], "no demo papers"
    assert all(n.endswith(".yaml") for n in files if n.startswith("paperfeed/starter/demo/"))
    # All of the package and nothing else: no benchmark, no tests, no demo site of this repo.
    assert files == packaged_files()
    assert not [n for n in names if re.search(r"bench|conftest|test_|site_server", n)]
    assert all(n.startswith(("paperfeed/", "paperfeed-")) for n in names)
    # Its entry points: the command, and the plugin MkDocs finds by name.
    assert "[console_scripts]\npaperfeed = paperfeed.cli:main" in meta["entry_points.txt"]
    assert (
        "[mkdocs.plugins]\npaperfeed = paperfeed.plugin:PaperfeedPlugin"
        in (meta["entry_points.txt"])
    )
    assert re.search(r"^Requires-Dist: mkdocs<2,>=1\.6\.1$", meta["METADATA"], flags=re.M)
    assert re.search(r"^Requires-Dist: mkdocs-material<10,>=9\.5$", meta["METADATA"], flags=re.M)


# --- the wheel installed ----------------------------------------------------------------


@dataclass(frozen=True)
class Installed:
    venv: Path
    env: dict[str, str]  # no PYTHONPATH, the venv's bin/ first on PATH
    outside: Path  # a folder outside the checkout to work in
    purelib: Path
    seconds: float  # how long the install took

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return run(list(args), cwd=cwd or self.outside, env=self.env)


def clean_env(venv: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")
    }
    bin_dir = venv / "bin"
    env.update(
        PATH=os.pathsep.join([str(bin_dir), env.get("PATH", os.defpath)]),
        VIRTUAL_ENV=str(venv),
        PYTHONNOUSERSITE="1",
        NO_MKDOCS_2_WARNING="1",
        DISABLE_MKDOCS_2_WARNING="true",
    )
    return env


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    venv = tmp_path_factory.mktemp("venv")
    ok(run([sys.executable, "-m", "venv", "--clear", str(venv)], cwd=venv, timeout=300))
    python = venv / "bin" / "python"
    started = time.monotonic()
    # Not editable, with every dependency from the package index (through pip's cache).
    ok(
        run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
            + [str(wheel)],
            cwd=venv,
            env=clean_env(venv),
            timeout=900,
        )
    )
    seconds = time.monotonic() - started
    print(f"\nthe wheel and its dependencies installed in {seconds:.1f} s")
    outside = tmp_path_factory.mktemp("work")
    assert not outside.resolve().is_relative_to(ROOT)
    purelib = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        cwd=outside,
        env=clean_env(venv),
    ).stdout.strip()
    return Installed(venv, clean_env(venv), outside, Path(purelib), seconds)


@pytest.fixture(scope="module")
def feed(installed: Installed) -> Path:
    """A feed made by the installed `paperfeed init`, with a paper from a BibTeX file."""
    ok(installed.run("paperfeed", "init", "feed", "--name", NAME, "--url", URL))
    root = installed.outside / "feed"
    check = ok(installed.run("paperfeed", "check", cwd=root))
    assert check.stdout == "0 papers OK (0 days, 0 tags)\n"
    # No arXiv id in the entry: nothing to complete from the network.
    (root / "refs.bib").write_text(BIBTEX, encoding="utf-8")
    add = ok(
        installed.run(
            "paperfeed", "add", "--from-bibtex", "refs.bib", "--added", "2024-11-27", cwd=root
        )
    )
    assert "Added 1 paper(s)" in add.stdout + add.stderr
    assert (root / "papers/2024/11" / f"{PAPER_ID}.yaml").is_file()
    check = ok(installed.run("paperfeed", "check", cwd=root))
    assert check.stdout == "1 papers OK (1 days, 0 tags)\n"
    return root


def test_paperfeed_runs_from_the_venv_not_the_checkout(installed: Installed) -> None:
    where = ok(installed.run("python", "-c", "import paperfeed; print(paperfeed.__file__)"))
    location = Path(where.stdout.strip()).resolve()
    assert location.is_relative_to(installed.purelib.resolve()), location
    assert not location.is_relative_to(ROOT)
    assert shutil.which("paperfeed", path=installed.env["PATH"]) == str(
        installed.venv / "bin" / "paperfeed"
    )
    # the wheel's version is the checkout's (one source: pyproject.toml)
    shown = ok(installed.run("paperfeed", "--version")).stdout
    assert shown == f"paperfeed, version {project_version()}\n"


def search_records(site: Path) -> list[dict[str, object]]:
    """What Pagefind stored of each page (a gzip file of JSON behind a short signature)."""
    records = []
    for path in sorted((site / "pagefind").rglob("fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        records.append(json.loads(data[data.index(b"{") :]))
    return records


def check_site(site: Path, installed: Installed) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    # Material's page, with paperfeed's own pieces and assets, from the installed theme.
    assert 'class="md-header' in home and "mkdocs-material-" in home
    assert f"<title>{NAME}</title>" in home or NAME in home
    assert 'class="pf-card' in home and TITLE in home
    assert '<link rel="stylesheet" href="assets/stylesheets/paperfeed.css">' in home
    assert 'src="assets/javascripts/search.js"' in home
    theme = installed.purelib / "paperfeed" / "theme" / "assets"
    for asset in ("stylesheets/paperfeed.css", "javascripts/search.js"):
        assert (site / "assets" / asset).read_bytes() == (theme / asset).read_bytes(), asset

    page = (site / "papers" / PAPER_ID / "index.html").read_text(encoding="utf-8")
    assert TITLE in page and "Ada Lovelace" in page and "Charles Babbage" in page
    assert "It weaves algebraic patterns." in page
    assert 'class="md-content' in page and "pf-paper__body" in page

    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((site / name).read_bytes())
        assert not parsed.bozo, (name, parsed.bozo_exception)
        assert parsed.feed.title == NAME
        (item,) = parsed.entries
        assert item.title == TITLE and item.link == PAPER_URL, name
    assert json.loads((site / "feed.json").read_text(encoding="utf-8"))["items"][0]["url"] == (
        PAPER_URL
    )

    # The search index: Pagefind's entry file, and the paper among the indexed pages.
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]
    for shard in json.loads((site / "pagefind" / "paperfeed-shards.json").read_text()):
        assert (site / "pagefind" / shard / "pagefind-entry.json").is_file(), shard
    assert (site / "pagefind" / "pagefind.js").is_file()
    (record,) = [r for r in search_records(site) if str(r["url"]).endswith(f"/{PAPER_ID}/")]
    assert "weaves algebraic patterns" in str(record["content"])


def test_an_installed_paperfeed_makes_and_builds_a_feed_outside_the_checkout(
    installed: Installed, feed: Path
) -> None:
    assert not (feed / "overrides").exists()  # the theme comes from the package
    build = ok(installed.run("mkdocs", "build", "--strict", cwd=feed))
    assert "WARNING" not in build.stderr
    check_site(feed / "site", installed)

    shutil.rmtree(feed / "site")
    build = ok(installed.run("paperfeed", "build", "--strict", cwd=feed))
    assert re.search(r"^Built 1 papers, 1 days, 0 tags in [\d.]+ s$", build.stdout, flags=re.M)
    check_site(feed / "site", installed)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with opener.open(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


@pytest.fixture
def serving(installed: Installed, feed: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        ["mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        cwd=feed,
        env=installed.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}/papers/"  # site_url's path
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_installed_mkdocs_serves_the_feed(serving: str) -> None:
    deadline, home = time.monotonic() + 90, ""
    while TITLE not in home and time.monotonic() < deadline:
        time.sleep(0.5)
        home = fetch(serving)
    assert TITLE in home and "assets/stylesheets/paperfeed.css" in home
    assert "pf-paper__body" in fetch(serving + f"papers/{PAPER_ID}/")
    assert "pf-" in fetch(serving + "assets/stylesheets/paperfeed.css")
