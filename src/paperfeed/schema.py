"""The JSON Schema of a paper entry, generated from the model, for editors.

An editor that reads it (through the `# yaml-language-server: $schema=...` line that
`paperfeed add` writes) completes field names and flags mistakes while one types.
Generated from Paper, it cannot drift from what `paperfeed check` accepts; the test
suite fails when the committed `paper.schema.json` is older than the model.
"""

from __future__ import annotations

import json
from typing import Any

from paperfeed.entry import Paper

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# A name, not an address: the schema is found through the relative path in each entry.
SCHEMA_ID = "urn:paperfeed:paper-entry"
# JSON Schema 2020-12 makes `format` an annotation that validators may skip, so the date
# formats are also written as patterns, which every validator applies.
FORMAT_PATTERNS = {
    "date": r"^\d{4}-\d{2}-\d{2}$",
    # RFC 3339 wants a zone; so does the model, for a zoneless time is ambiguous.
    "date-time": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$",
}


def paper_schema() -> dict[str, Any]:
    """The schema of one entry file, as a JSON-ready mapping."""
    generated = Paper.model_json_schema()
    _add_format_patterns(generated)
    head = {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "paperfeed paper entry",
        "description": (
            "One paper of a paperfeed feed: a YAML file under papers/, by convention "
            "papers/YYYY/MM/<id>.yaml. `paperfeed check` says what is wrong and how to fix it."
        ),
    }
    return {**head, **{k: v for k, v in generated.items() if k not in head}}


def schema_text() -> str:
    """The schema as written to paper.schema.json: stable, so a diff shows real changes."""
    return json.dumps(paper_schema(), indent=2, ensure_ascii=False) + "\n"


def _add_format_patterns(node: Any) -> None:
    if isinstance(node, dict):
        pattern = FORMAT_PATTERNS.get(node.get("format", ""))
        if pattern and node.get("type") == "string":
            node.setdefault("pattern", pattern)
        for value in node.values():
            _add_format_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _add_format_patterns(value)
