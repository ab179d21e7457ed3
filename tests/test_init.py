"""`paperfeed init` and `upgrade`: a thin feed that checks, builds and runs this one's workflows."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from conftest import REPO, entry, write_entry
from paperfeed.cli_init import init, upgrade
from paperfeed.theme import THEME_DIR
from test_workflows import FROM_CHECKOUT, LOCK, check_jsonschema, serious, zizmor

URL = "https://lab.example.org/papers/"


FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


def run_init(*args: str) -> Result:
    return CliRunner().invoke(init, list(args))


def run_upgrade(*args: str) -> Result:
    return CliRunner().invoke(upgrade, list(args))


def new_feed(root: Path, name: str = "Lab Papers", url: str = URL) -> Path:
    result = run_init(str(root), "--name", name, "--url", url)
    assert result.exit_code == 0, result.output
    return root


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A Python module run in the new feed's folder, as its README and CI run it."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def files_under(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_a_new_feed_checks_and_builds_with_no_papers(tmp_path: Path) -> None:
    feed = new_feed(tmp_path / "feed")
    assert sorted(p.name for p in feed.iterdir()) == [
        ".github",
        ".gitignore",
        "README.md",
        "docs",
        "mkdocs.yml",
        "papers",
        "requirements-build.txt",
        "requirements.in",
        "requirements.txt",
    ]
    assert [p.name for p in (feed / "papers").iterdir()] == [".gitkeep"]

    check = run(feed, "paperfeed.cli", "check")
    assert check.returncode == 0, check.stderr
    assert check.stdout == "0 papers OK (0 days, 0 tags)\n"

    build = run(feed, "mkdocs", "build", "--strict")
    assert build.returncode == 0, build.stderr
    site = feed / "site"
    assert "Lab Papers" in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "about/index.html").is_file() and (site / "contributing/index.html").is_file()
    assert f"<link>{URL}</link>" in (site / "feed.xml").read_text(encoding="utf-8")


def test_a_new_feed_builds_its_first_paper(tmp_path: Path) -> None:
    feed = new_feed(tmp_path / "feed")
    write_entry(feed / "papers" / "2024" / "11", entry(tags=["graphs"]))

    check = run(feed, "paperfeed.cli", "check")
    assert check.returncode == 0, check.stderr
    assert check.stdout == "1 papers OK (1 days, 1 tags)\n"

    build = run(feed, "mkdocs", "build", "--strict")
    assert build.returncode == 0, build.stderr
    assert (feed / "site/papers/2401.00001/index.html").is_file()
    assert f"{URL}papers/2401.00001/" in (feed / "site/feed.xml").read_text(encoding="utf-8")


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run_init(str(tmp_path), "--name", "Lab Papers", "--url", URL)
    assert result.exit_code == 1
    assert f"{tmp_path}: DIR: is not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "feed").write_text("")
    result = run_init(str(tmp_path / "feed"), "--name", "Lab Papers", "--url", URL)
    assert result.exit_code == 1
    assert "DIR: is a file" in result.output


def test_init_accepts_a_fresh_clone_that_holds_only_git(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    new_feed(tmp_path)
    assert (tmp_path / "mkdocs.yml").is_file()
    assert (tmp_path / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


@pytest.mark.parametrize(
    ("given", "site_url"),
    [
        ("https://lab.example.org/papers", "https://lab.example.org/papers/"),
        ("https://owner.github.io/feed/", "https://owner.github.io/feed/"),
        ("http://localhost:8000", "http://localhost:8000/"),
    ],
)
def test_url_becomes_site_url_with_a_trailing_slash(
    tmp_path: Path, given: str, site_url: str
) -> None:
    feed = new_feed(tmp_path, url=given)
    config = yaml.safe_load((feed / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_url"] == site_url


@pytest.mark.parametrize(
    "url",
    ["lab.example.org/papers", "ftp://lab.example.org/", "https://", "https://a.org/?q=1"],
)
def test_init_refuses_a_url_that_is_not_a_site_address(tmp_path: Path, url: str) -> None:
    result = run_init(str(tmp_path / "feed"), "--name", "Lab Papers", "--url", url)
    assert result.exit_code == 2
    assert "Invalid value for '--url'" in result.output
    assert not (tmp_path / "feed").exists()


def test_any_one_line_name_is_written_safely(tmp_path: Path) -> None:
    name = 'Lab: "Reading" #1 \\ Ünïcode'
    feed = new_feed(tmp_path, name=name)
    config = yaml.safe_load((feed / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_name"] == name
    assert (feed / "README.md").read_text(encoding="utf-8").startswith(f"# {name}\n")


@pytest.mark.parametrize("name", ["", "  ", "two\nlines"])
def test_init_refuses_a_name_that_is_not_one_line(tmp_path: Path, name: str) -> None:
    result = run_init(str(tmp_path / "feed"), "--name", name, "--url", URL)
    assert result.exit_code == 2
    assert "Invalid value for '--name'" in result.output


def test_a_new_feed_has_this_sites_theme_plugins_and_nav(tmp_path: Path) -> None:
    ours = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    theirs = yaml.safe_load((new_feed(tmp_path) / "mkdocs.yml").read_text(encoding="utf-8"))
    # This site keeps a partial of its own in overrides/; a new feed has none.
    assert ours["theme"].pop("custom_dir") == "overrides" and "custom_dir" not in theirs["theme"]
    for key in ("theme", "plugins", "markdown_extensions"):
        assert theirs[key] == ours[key], key
    contributing = {"Contributing": "contributing.md"}
    assert theirs["nav"] == [*(item for item in ours["nav"] if item != contributing), contributing]


def test_a_new_feed_has_this_repositorys_github_files_and_no_copy_of_the_theme(
    tmp_path: Path,
) -> None:
    feed = new_feed(tmp_path)
    assert not (feed / "overrides").exists()
    theirs = files_under(feed / ".github")
    assert sorted(theirs) == [
        "ISSUE_TEMPLATE/submit-paper.yml",
        "dependabot.yml",
        "pull_request_template.md",
        "workflows/check.yml",
        "workflows/deploy.yml",
        "workflows/digest.yml",
        "workflows/submit-paper.yml",
    ]
    # This repository is a feed too: its GitHub files are the packaged ones, but for how
    # its workflows install paperfeed.
    ours = files_under(REPO / ".github")
    # Dependabot's settings differ: this repository's locks come from pyproject.toml.
    del theirs["dependabot.yml"]
    for path, data in theirs.items():
        text = data.decode("utf-8")
        for feeds, here in FROM_CHECKOUT.items():
            text = text.replace(feeds, here)
        assert ours[path].decode("utf-8") == text, path
    contributing = "docs/contributing.md"
    assert (feed / contributing).read_bytes() == (REPO / contributing).read_bytes()


def test_a_new_feeds_workflows_install_its_requirements_and_pass_the_same_checks(
    tmp_path: Path,
) -> None:
    feed = new_feed(tmp_path)
    requirements = (feed / "requirements.in").read_text().splitlines()
    assert [line for line in requirements if not line.startswith("#")] == [
        f"paperfeed=={version('paperfeed')}"
    ]
    # the lock, as tested in this repository, written with no network
    assert (feed / "requirements.txt").read_bytes() == (REPO / LOCK).read_bytes()
    workflows = sorted((feed / ".github/workflows").glob("*.yml"))
    assert len(workflows) == 4
    for path in workflows:
        text = path.read_text()
        assert "pip install --require-hashes --no-build-isolation -r requirements.txt" in text
        assert "pip install --no-deps --no-build-isolation -r requirements.in" in text
        assert "-e ." not in text
    result = check_jsonschema("vendor.github-workflows", *workflows)
    assert result.returncode == 0, result.stdout
    findings, _ = zizmor(feed / ".github")
    assert serious(findings) == []


def test_requirement_option_sets_how_the_feed_installs_paperfeed(tmp_path: Path) -> None:
    spec = "paperfeed @ git+https://github.com/owner/paperfeed@v0.1.0"
    result = run_init(str(tmp_path), "--name", "N", "--url", URL, "--requirement", spec)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "requirements.in").read_text().splitlines()[-1] == spec


def test_a_demo_feed_starts_with_three_papers_and_builds_them(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    result = run_init(str(feed), "--name", "Lab Papers", "--url", URL, "--demo")
    assert result.exit_code == 0, result.output
    papers = sorted(p.name for p in (feed / "papers").rglob("*") if p.is_file())
    assert len(papers) == 3 and all(name.endswith(".yaml") for name in papers)
    check = run(feed, "paperfeed.cli", "check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("3 papers OK")
    build = run(feed, "mkdocs", "build", "--strict")
    assert build.returncode == 0, build.stderr
    paper = (feed / "site/papers/1706.03762/index.html").read_text(encoding="utf-8")
    assert "Attention Is All You Need" in paper


def test_a_feeds_own_partial_wins_over_the_packaged_one(tmp_path: Path) -> None:
    feed = new_feed(tmp_path / "feed")
    write_entry(feed / "papers" / "2024" / "11", entry())
    ours = (THEME_DIR / "partials" / "search.html").read_text(encoding="utf-8")
    mine = feed / "overrides" / "partials" / "search.html"
    mine.parent.mkdir(parents=True)
    mine.write_text("<div class=lab-search>Ask the librarian</div>\n", encoding="utf-8")
    css = feed / "overrides" / "assets" / "stylesheets" / "paperfeed.css"
    css.parent.mkdir(parents=True)
    css.write_text(".lab { color: teal }\n", encoding="utf-8")
    config = feed / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  name: material\n", "  name: material\n  custom_dir: overrides\n", 1
        ),
        encoding="utf-8",
    )
    build = run(feed, "mkdocs", "build", "--strict")
    assert build.returncode == 0, build.stderr
    for page in ("site/index.html", "site/papers/2401.00001/index.html"):
        html = (feed / page).read_text(encoding="utf-8")
        assert "<div class=lab-search>Ask the librarian</div>" in html, page
        assert 'class="pf-card' in html or "pf-paper" in html, page  # the rest is ours
    assert 'data-md-component="search"' in ours  # what the feed's partial replaced
    assert (feed / "site/assets/stylesheets/paperfeed.css").read_text() == ".lab { color: teal }\n"


def test_a_new_feed_is_up_to_date(tmp_path: Path) -> None:
    feed = new_feed(tmp_path / "feed")
    result = run_upgrade(str(feed), "--check")
    assert result.exit_code == 0, result.output
    assert result.output == f"{feed}: up to date with paperfeed {version('paperfeed')}\n"


def tree_hashes(root: Path) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in files_under(root).items()}


def test_upgrade_refreshes_the_github_files_and_the_pin_and_nothing_of_the_feeds(
    tmp_path: Path,
) -> None:
    feed = new_feed(tmp_path / "feed")
    write_entry(feed / "papers" / "2024" / "11", entry())
    workflow = feed / ".github/workflows/check.yml"
    workflow.write_text(workflow.read_text().replace("timeout-minutes: 15", "timeout-minutes: 9"))
    (feed / ".github/ISSUE_TEMPLATE/submit-paper.yml").unlink()
    (feed / ".github/workflows/mine.yml").write_text("name: Mine\n")
    # a feed from before the locks: its pin (and a package of its own) in requirements.txt
    (feed / "requirements.in").unlink()
    (feed / "requirements.txt").write_text("# pinned\npaperfeed==0.0.9\nrich\n")
    (feed / "docs/about.md").write_text("# Ours\n")
    own = {
        path: digest
        for path, digest in tree_hashes(feed).items()
        if path.startswith(("papers/", "docs/", "mkdocs.yml", ".github/workflows/mine.yml"))
    }

    check = run_upgrade(str(feed), "--check")
    assert check.exit_code == 1
    assert "-    timeout-minutes: 9\n+    timeout-minutes: 15\n" in check.output
    assert "--- /dev/null\n+++ b/.github/ISSUE_TEMPLATE/submit-paper.yml\n" in check.output
    assert "-paperfeed==0.0.9\n" in check.output
    assert "--- /dev/null\n+++ b/requirements.in\n" in check.output
    assert "timeout-minutes: 9" in workflow.read_text()  # --check writes nothing

    done = run_upgrade(str(feed))
    assert done.exit_code == 0, done.output
    assert done.output.endswith(
        f"{feed}: 4 written, 0 removed (paperfeed {version('paperfeed')})"
        ": review them with `git diff` and commit\n"
    )
    assert "timeout-minutes: 15" in workflow.read_text()
    # requirements.txt became requirements.in, and the lock took its place
    assert (feed / "requirements.in").read_text() == (
        f"# pinned\npaperfeed=={version('paperfeed')}\nrich\n"
    )
    assert (feed / "requirements.txt").read_bytes() == (REPO / LOCK).read_bytes()
    after = tree_hashes(feed)
    assert {path: after[path] for path in own} == own
    assert run_upgrade(str(feed), "--check").exit_code == 0


def test_upgrade_outside_a_feed_says_so(tmp_path: Path) -> None:
    result = run_upgrade(str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'mkdocs.yml'}: upgrade: cannot be read" in result.output


def test_a_feed_made_by_0_1_0_builds_and_upgrades_to_a_thin_feed(tmp_path: Path) -> None:
    # The fixture is what `paperfeed init` of 0.1.0 wrote (from a checkout): a copy of the
    # theme in overrides/, the form's script in .github/scripts/, the pin 0.1.0.
    feed = tmp_path / "feed"
    shutil.copytree(FIXTURES / "made-by-0.1.0", feed)
    papers = tree_hashes(feed / "papers")
    build = run(feed, "mkdocs", "build", "--strict")
    assert build.returncode == 0, build.stderr
    before = (feed / "site/papers/1706.03762/index.html").read_text(encoding="utf-8")
    assert "Attention Is All You Need" in before

    done = run_upgrade(str(feed))
    assert done.exit_code == 0, done.output
    assert not (feed / ".github/scripts").exists()
    assert sorted(p.relative_to(feed).as_posix() for p in (feed / "overrides").rglob("*")) == [
        "overrides/README.md"
    ]
    assert (
        "python -m paperfeed.submission parse"
        in (feed / ".github/workflows/submit-paper.yml").read_text()
    )
    assert tree_hashes(feed / "papers") == papers
    shutil.rmtree(feed / "site")
    build = run(feed, "mkdocs", "build", "--strict")
    assert build.returncode == 0, build.stderr
    assert "Attention Is All You Need" in (feed / "site/papers/1706.03762/index.html").read_text(
        encoding="utf-8"
    )
    assert not (feed / "site/README").exists() and not (feed / "site/README.md").exists()


def test_upgrade_brings_an_older_lock_up_to_this_versions(tmp_path: Path) -> None:
    feed = new_feed(tmp_path / "feed")
    (feed / "requirements.in").write_text("paperfeed==0.0.9\n")
    old_lock = "mkdocs==1.6.0 \\\n    --hash=sha256:" + "0" * 64 + "\n"
    (feed / "requirements.txt").write_text(old_lock)
    (feed / "requirements-build.txt").write_text("setuptools==1\n")
    done = run_upgrade(str(feed))
    assert done.exit_code == 0, done.output
    assert (feed / "requirements.in").read_text() == f"paperfeed=={version('paperfeed')}\n"
    assert (feed / "requirements.txt").read_bytes() == (REPO / LOCK).read_bytes()
    assert (feed / "requirements-build.txt").read_bytes() == (
        REPO / "src/paperfeed/starter/requirements-build.txt"
    ).read_bytes()
    assert run_upgrade(str(feed), "--check").exit_code == 0


@pytest.mark.parametrize(
    ("source", "lock"),
    [
        # the feed compiled its lock after this release: paperfeed in it, with hashes
        ("paperfeed\n", "paperfeed=={v} \\\n    --hash=sha256:" + "1" * 64 + "\n"),
        # the feed has packages of its own, which only its own lock holds
        ("paperfeed=={v}\nmkdocs-rss-plugin\n", "rich==1 \\\n    --hash=sha256:" + "2" * 64 + "\n"),
    ],
)
def test_upgrade_keeps_a_lock_the_feed_refreshed_itself(
    tmp_path: Path, source: str, lock: str
) -> None:
    feed = new_feed(tmp_path / "feed")
    (feed / "requirements.in").write_text(source.format(v=version("paperfeed")))
    (feed / "requirements.txt").write_text(lock.format(v=version("paperfeed")))
    done = run_upgrade(str(feed))
    assert done.exit_code == 0, done.output
    assert (feed / "requirements.txt").read_text() == lock.format(v=version("paperfeed"))
