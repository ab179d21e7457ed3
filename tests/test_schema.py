"""paper.schema.json: as current as the model, and agreeing with it on real entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from conftest import REPO, entry
from paperfeed.add import render
from paperfeed.cli import main
from paperfeed.entry import Paper
from paperfeed.load import EntryLoader
from paperfeed.schema import schema_text

SCHEMA = REPO / "paper.schema.json"
DEMO = sorted((REPO / "papers").rglob("*.yaml"))


def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_committed_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "paper.schema.json is older than the model: run `paperfeed schema --output "
        "paper.schema.json` and commit it"
    )


def test_the_command_prints_what_it_writes(tmp_path: Path) -> None:
    printed = CliRunner().invoke(main, ["schema"])
    written = CliRunner().invoke(main, ["schema", "--output", str(tmp_path / "s.json")])
    assert printed.exit_code == written.exit_code == 0
    assert printed.stdout == (tmp_path / "s.json").read_text(encoding="utf-8") == schema_text()


def test_it_is_a_2020_12_schema_with_its_header() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and schema["description"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["published"]["format"] == "date"
    assert [b["format"] for b in schema["properties"]["added"]["anyOf"]] == ["date-time", "date"]


def test_there_are_demo_entries() -> None:
    assert len(DEMO) >= 10


@pytest.mark.parametrize("path", DEMO, ids=lambda path: path.name)
def test_every_demo_entry_is_valid(path: Path) -> None:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=EntryLoader)
    assert list(validator().iter_errors(data)) == []


def test_an_entry_written_by_add_is_valid() -> None:
    paper = Paper.model_validate(
        entry(
            arxiv="2401.10215v2",
            doi="10.1000/x",
            added="2024-11-27T09:30:00+01:00",
            tags=["a"],
            links={"code": "https://github.com/a/b"},
            upvotes=3,
            thumbnail="https://example.org/t.png",
        )
    )
    data = yaml.load(render(paper, "paper.schema.json"), Loader=EntryLoader)
    assert list(validator().iter_errors(data)) == []


# Each: a change to a valid entry, and the field the schema must blame.
INVALID = {
    "unknown field": ({"abstact": "B"}, ""),
    "missing field": ({"abstract": None}, ""),
    "bad id": ({"id": "My Paper"}, "id"),
    "impossible date": ({"published": "2024-02-30"}, "published"),
    "date in another form": ({"published": "12 March 2015"}, "published"),
    "added without a zone": ({"added": "2024-01-02T10:00:00"}, "added"),
    "negative upvotes": ({"upvotes": -2}, "upvotes"),
    "upvotes as text": ({"upvotes": "many"}, "upvotes"),
    "unknown link kind": ({"links": {"slides": "https://example.org/s.pdf"}}, "links"),
    "bad tag": ({"tags": ["Face Recognition"]}, "tags/0"),
    "bad arxiv id": ({"arxiv": "arXiv:1234"}, "arxiv"),
    "no authors": ({"authors": []}, "authors"),
}


@pytest.mark.parametrize("changes, where", INVALID.values(), ids=INVALID.keys())
def test_invalid_entries_are_rejected_by_schema_and_model_alike(
    changes: dict[str, Any], where: str
) -> None:
    data = entry(**changes)
    errors = list(validator().iter_errors(data))
    assert {"/".join(map(str, e.absolute_path)) for e in errors} == {where}
    with pytest.raises(ValidationError):
        Paper.model_validate(data)
