"""The release: a version tag builds, tests and publishes the wheel; one version everywhere.

The release workflow runs only on GitHub, so it is checked here as test_workflows.py
checks the others: GitHub's schema, zizmor, and the rules this project keeps.
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from importlib.metadata import distribution
from pathlib import Path
from typing import Any

import pytest
import yaml

import paperfeed
from test_workflows import GITHUB, check_jsonschema, serious, zizmor

REPO = Path(__file__).resolve().parent.parent
RELEASE = GITHUB / "workflows" / "release.yml"
CHANGELOG = REPO / "CHANGELOG.md"


def project_version() -> str:
    """pyproject.toml's `version`, the one source of it (tomllib is not in Python 3.10)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("\n[project]\n", 1)[1].split("\n[", 1)[0]
    (found,) = re.findall(r'^version = "([^"]+)"$', project, flags=re.MULTILINE)
    return found


def release() -> dict[str, Any]:
    return yaml.safe_load(RELEASE.read_text(encoding="utf-8"))


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


def actions(job: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(job) if "uses" in step]


def script(job: dict[str, Any]) -> str:
    return "\n".join(step["run"] for step in steps(job) if "run" in step)


# --- the tools, offline ---------------------------------------------------------------


def test_release_matches_githubs_schema() -> None:
    result = check_jsonschema("vendor.github-workflows", RELEASE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_of_medium_or_high_severity_in_the_release() -> None:
    findings, log = zizmor(GITHUB)
    assert f"completed {RELEASE}" in log
    assert [f for f in serious(findings) if "release.yml" in f] == []


def test_zizmor_would_flag_a_cache_in_the_release(tmp_path: Path) -> None:
    # Why the release, alone of the workflows, installs without the pip cache: a cache
    # written by another workflow run could slip something into what is published.
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    text = RELEASE.read_text(encoding="utf-8")
    cached = text.replace(
        'python-version: "3.12"\n', 'python-version: "3.12"\n          cache: pip\n'
    )
    assert cached != text
    (workflows / "release.yml").write_text(cached, encoding="utf-8")
    findings, _ = zizmor(tmp_path / ".github")
    assert [f for f in findings if f["ident"] == "cache-poisoning"], findings


# --- what it runs on and what it may do --------------------------------------------------


def test_release_runs_on_version_tags_only() -> None:
    workflow = release()
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    assert on == {"push": {"tags": ["v*"]}}
    assert workflow["concurrency"] == {"group": "release", "cancel-in-progress": False}


def test_each_release_job_gets_only_what_it_uses() -> None:
    workflow = release()
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert list(jobs) == ["build", "publish"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    # The job that holds the OIDC token PyPI trusts writes nothing else and runs no code
    # of the repository: no checkout, only the download and the publishing action.
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    assert jobs["publish"]["needs"] == "build"
    assert jobs["publish"]["environment"]["name"] == "pypi"
    assert actions(jobs["publish"]) == ["actions/download-artifact", "pypa/gh-action-pypi-publish"]
    assert not any("run" in step for step in steps(jobs["publish"]))
    assert all(job["timeout-minutes"] <= 60 for job in jobs.values())


def test_pypi_gets_no_secret() -> None:
    text = RELEASE.read_text(encoding="utf-8")
    assert "secrets." not in text and "GITHUB_TOKEN" not in text
    (publish,) = [s for s in steps(release()["jobs"]["publish"]) if "pypi-publish" in s["uses"]]
    assert set(publish.get("with", {})) <= {"packages-dir", "repository-url", "print-hash"}


def test_release_actions_are_pinned_to_commits_with_their_version() -> None:
    workflow = release()
    used = [
        step["uses"] for job in workflow["jobs"].values() for step in steps(job) if "uses" in step
    ]
    assert len(used) == 5
    for action in used:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
    lines = [line for line in RELEASE.read_text().splitlines() if "uses:" in line]
    assert len(lines) == len(used)
    for line in lines:
        assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
    # The same commits as the other workflows, for the actions they share.
    deploy = (GITHUB / "workflows" / "deploy.yml").read_text()
    for name in ("actions/checkout", "actions/setup-python"):
        (pin,) = [u for u in used if u.startswith(name + "@")]
        assert pin in deploy, pin


def test_the_checkout_keeps_no_token_and_no_cache_is_used() -> None:
    build = release()["jobs"]["build"]
    (checkout,) = [s for s in steps(build) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["persist-credentials"] is False
    (setup,) = [s for s in steps(build) if s.get("uses", "").startswith("actions/setup-python@")]
    assert "cache" not in setup["with"]


def test_scripts_get_no_expressions() -> None:
    for job in release()["jobs"].values():
        for step in steps(job):
            assert "${{" not in step.get("run", ""), step.get("name")


# --- what the build job does ------------------------------------------------------------


def test_build_checks_the_tag_tests_the_installed_wheel_and_uploads_dist() -> None:
    build = release()["jobs"]["build"]
    run = script(build)
    # built with the locked setuptools, not one an isolated build would fetch unchecked
    assert "python -m build --no-isolation --outdir dist ." in run
    # the tag is compared with pyproject's version (the tag's name comes from the runner)
    assert '"$GITHUB_REF_NAME" != "v$version"' in run
    assert 'tomllib.load(open("pyproject.toml", "rb"))["project"]["version"]' in run
    # the wheel, not the checkout, goes into a fresh venv, and its pytest runs the tests
    assert 'python -m venv "$RUNNER_TEMP/venv"' in run
    assert (
        '"$RUNNER_TEMP/venv/bin/pip" install --require-hashes --no-build-isolation'
        " -r requirements/test.txt" in run
    )
    assert '"$RUNNER_TEMP/venv/bin/pip" install --no-deps "$wheel"' in run
    assert "pip install -e" not in run and "pip install ." not in run
    assert '"$RUNNER_TEMP/venv/bin/pytest"' in run
    assert build["env"]["PAPERFEED_TESTS_FROM_WHEEL"] == "1"
    (upload,) = [
        s for s in steps(build) if s.get("uses", "").startswith("actions/upload-artifact@")
    ]
    assert upload["with"]["path"] == "dist/"
    (download,) = [
        s
        for s in steps(release()["jobs"]["publish"])
        if s["uses"].startswith("actions/download-artifact@")
    ]
    assert download["with"]["name"] == upload["with"]["name"]
    assert download["with"]["path"] == "dist/"


@pytest.mark.skipif(
    os.environ.get("PAPERFEED_TESTS_FROM_WHEEL") != "1",
    reason="only in the release workflow, which runs the suite against the built wheel",
)
def test_the_suite_imports_the_installed_wheel_not_the_checkout() -> None:
    location = Path(paperfeed.__file__).resolve()
    assert location.is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve())
    assert not location.is_relative_to(REPO)
    assert Path(sys.prefix).resolve() != Path(sys.base_prefix).resolve()  # a venv
    # not an editable install of the checkout either
    direct_url = distribution("paperfeed").read_text("direct_url.json") or ""
    assert '"editable": true' not in direct_url


# --- one version ------------------------------------------------------------------------


def changelog_releases() -> list[tuple[str, str]]:
    text = CHANGELOG.read_text(encoding="utf-8")
    return re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", text, flags=re.MULTILINE)


def test_the_newest_release_in_the_changelog_is_pyprojects_version() -> None:
    releases = changelog_releases()
    assert releases, "CHANGELOG.md has no '## [X.Y.Z] - YYYY-MM-DD' heading"
    assert releases[0][0] == project_version()


def test_the_changelog_keeps_its_format() -> None:
    text = CHANGELOG.read_text(encoding="utf-8")
    headings = re.findall(r"^## .*$", text, flags=re.MULTILINE)
    assert headings[0] == "## [Unreleased]"
    releases = changelog_releases()
    assert len(headings) == 1 + len(releases)  # every other heading is a dated release
    versions = [tuple(int(n) for n in v.split(".")) for v, _ in releases]
    dates = [d for _, d in releases]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert dates == sorted(dates, reverse=True)
    for section in re.findall(r"^### (.*)$", text, flags=re.MULTILINE):
        assert section in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_the_installed_version_is_pyprojects() -> None:
    assert distribution("paperfeed").version == project_version()
