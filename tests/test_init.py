"""`paperfeed init`: a new feed that checks, builds and runs the same workflows as this one."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from test_workflows import check_jsonschema, serious, zizmor

from conftest import REPO, entry, write_entry
from paperfeed.cli_init import init
from paperfeed.errors import PaperfeedError
from paperfeed.scaffold import COPIED, Feed, scaffold

URL = "https://lab.example.org/papers/"


def run_init(*args: str) -> Result:
    return CliRunner().invoke(init, list(args))


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
        "overrides",
        "papers",
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
    for key in ("theme", "plugins", "markdown_extensions"):
        assert theirs[key] == ours[key], key
    contributing = {"Contributing": "contributing.md"}
    assert theirs["nav"] == [*(item for item in ours["nav"] if item != contributing), contributing]


def test_a_new_feed_copies_the_templates_and_the_github_files(tmp_path: Path) -> None:
    feed = new_feed(tmp_path)
    assert files_under(feed / "overrides") == files_under(REPO / "overrides")
    assert sorted(files_under(feed / ".github")) == [
        "ISSUE_TEMPLATE/submit-paper.yml",
        "pull_request_template.md",
        "scripts/submission.py",
        "workflows/check.yml",
        "workflows/deploy.yml",
        "workflows/submit-paper.yml",
    ]
    for path in COPIED:
        if (REPO / path).is_file() and not path.startswith(".github/workflows/"):
            assert (feed / path).read_bytes() == (REPO / path).read_bytes(), path


def test_a_new_feeds_workflows_install_its_requirements_and_pass_the_same_checks(
    tmp_path: Path,
) -> None:
    feed = new_feed(tmp_path)
    requirements = (feed / "requirements.txt").read_text().splitlines()
    assert [line for line in requirements if not line.startswith("#")] == [
        f"paperfeed=={version('paperfeed')}"
    ]
    workflows = sorted((feed / ".github/workflows").glob("*.yml"))
    assert len(workflows) == 3
    for path in workflows:
        text = path.read_text()
        assert "pip install -r requirements.txt" in text and "-e ." not in text
        assert "cache-dependency-path: requirements.txt" in text
    result = check_jsonschema("vendor.github-workflows", *workflows)
    assert result.returncode == 0, result.stdout
    findings, _ = zizmor(feed / ".github")
    assert serious(findings) == []


def test_requirement_option_sets_how_the_feed_installs_paperfeed(tmp_path: Path) -> None:
    spec = "paperfeed @ git+https://github.com/owner/paperfeed@v0.1.0"
    result = run_init(str(tmp_path), "--name", "N", "--url", URL, "--requirement", spec)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "requirements.txt").read_text().splitlines()[-1] == spec


def test_without_the_source_checkout_init_says_what_is_missing(tmp_path: Path) -> None:
    # What an install without the checkout looks like: no overrides/ or .github/ beside it.
    installed = tmp_path / "site-packages"
    installed.mkdir()
    with pytest.raises(PaperfeedError) as raised:
        scaffold(tmp_path / "feed", Feed("N", URL, "paperfeed"), root=installed)
    (problem,) = raised.value.problems
    assert problem.path == str(installed)
    assert f"has no pyproject.toml, {', '.join(COPIED)}: " in problem.message
    assert "installed with `pip install -e .`" in problem.message
    assert not (tmp_path / "feed").exists()
