"""The digest workflow: scheduled, skips without SMTP settings, secrets only through env,
its state in the Actions cache, and the same checks as every other workflow."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from conftest import REPO
from test_workflows import FROM_CHECKOUT, check_jsonschema, steps, triggers, zizmor

OURS = REPO / ".github" / "workflows" / "digest.yml"
PACKAGED = REPO / "src" / "paperfeed" / "starter" / "github" / "workflows" / "digest.yml"


def workflow() -> dict:
    return yaml.safe_load(OURS.read_text(encoding="utf-8"))


def test_the_repositorys_copy_is_the_packaged_one_but_for_the_install() -> None:
    text = PACKAGED.read_text(encoding="utf-8")
    for feeds, here in FROM_CHECKOUT.items():
        assert feeds in text
        text = text.replace(feeds, here)
    assert OURS.read_text(encoding="utf-8") == text


def test_it_passes_githubs_schema_and_zizmor(tmp_path: Path) -> None:
    result = check_jsonschema("vendor.github-workflows", OURS, PACKAGED)
    assert result.returncode == 0, result.stdout + result.stderr
    alone = tmp_path / ".github" / "workflows"
    alone.mkdir(parents=True)
    shutil.copy(PACKAGED, alone / "digest.yml")
    findings, log = zizmor(tmp_path / ".github")
    assert "completed" in log
    assert findings == []  # not even a low one, in the pedantic persona


def test_it_runs_weekly_or_by_hand_for_a_day_or_a_week() -> None:
    on = triggers(workflow())
    assert on["schedule"] == [{"cron": "0 7 * * 1"}]
    inputs = on["workflow_dispatch"]["inputs"]
    assert inputs["period"]["options"] == ["week", "day"]
    assert inputs["date"]["type"] == "string"


def test_it_grants_nothing_but_reading_the_papers() -> None:
    flow = workflow()
    assert flow["permissions"] == {}
    (job,) = flow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert job["environment"] == {"name": "digest"}
    assert flow["concurrency"] == {"group": "digest", "cancel-in-progress": False}


def test_secrets_reach_the_command_only_through_env() -> None:
    for step in steps(workflow()):
        assert "${{" not in step.get("run", ""), step.get("name")
    text = OURS.read_text(encoding="utf-8")
    used = set(re.findall(r"secrets\.(\w+)", text))
    assert used == {
        "PAPERFEED_SMTP_HOST",
        "PAPERFEED_SMTP_PORT",
        "PAPERFEED_SMTP_USER",
        "PAPERFEED_SMTP_PASSWORD",
        "PAPERFEED_SMTP_FROM",
        "PAPERFEED_SMTP_TLS",
        "DIGEST_SUBSCRIBERS",
    }
    for line in text.splitlines():
        if "secrets." in line:
            assert re.fullmatch(r"\s+[A-Z_]+: \$\{\{ secrets\.[A-Z_]+ \}\}", line), line


def test_it_skips_cleanly_without_an_smtp_host() -> None:
    first, *rest = steps(workflow())
    assert first["id"] == "setup" and "enabled=false" in first["run"]
    gated = [s for s in rest if s.get("name") != "Remove the subscribers file"]
    assert all("steps.setup.outputs.enabled == 'true'" in s["if"] for s in gated)


def test_the_state_is_restored_and_saved_with_the_cache_even_after_a_failure() -> None:
    by_use = {s["uses"].split("@")[0]: s for s in steps(workflow()) if "uses" in s}
    restore, save = by_use["actions/cache/restore"], by_use["actions/cache/save"]
    assert restore["with"]["path"] == save["with"]["path"] == "digest-state.json"
    assert restore["with"]["key"] == save["with"]["key"]
    assert "github.run_id" in save["with"]["key"] and "github.run_attempt" in save["with"]["key"]
    assert restore["with"]["restore-keys"] == "digest-state-"
    assert save["if"].startswith("always() && ")
    (sending,) = [s for s in steps(workflow()) if "paperfeed digest" in s.get("run", "")]
    assert (
        '--send --to-file "$RUNNER_TEMP/subscribers.txt" --state digest-state.json'
        in (sending["run"])
    )
    # a scheduled run digests the period that ended yesterday, never an older one
    assert "date -u -d yesterday +%F" in sending["run"]
