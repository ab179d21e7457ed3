"""`paperfeed check` never crashes (issue 19): whatever the entry files hold, it exits 0
or 1 and says what is wrong as `path:line: field: message` lines, never a traceback.

Hypothesis writes entry files from YAML fragments (keys, values, complex keys, anchors,
tags, flow collections, stray line ends, bytes that are not UTF-8) and runs the checker
in-process, which takes a few seconds; a real `paperfeed check` subprocess then runs on
files of the same kinds, to see what a contributor sees.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from paperfeed.cli import main

VALID = "id: good\ntitle: T\nauthors: [A]\nabstract: B\npublished: 2024-01-01\nadded: 2024-01-02\n"

FIELDS = [line.split(": ", 1) for line in VALID.splitlines()]
# Scalars as YAML writes them: field names, text, numbers, dates, tags, anchors, aliases.
SCALARS = [
    "id", "title", "authors", "abstract", "published", "added", "tags", "links", "venue",
    "upvotes", "doi", "arxiv", "summary", "thumbnail", "code", "x", "''", "'quoted'",
    '"dq \\x1b"', '"new\\nline"', '"a: b"', "1", "-1", "1.5", "0x1F", ".nan", "true", "~",
    "99999999999999999999999", "2024-01-01", "2024-02-30", "2024-01-01T00:00:00",
    "https://example.org/", "javascript:alert(1)", "10.1000/x", "2401.10215", "é",
    "\u202e", "!!str k", "!!float 3", "!!binary aGk=", "!!python/name:os.system k",
    "&a x", "*a", "<<",
]  # fmt: skip

flow = st.recursive(
    st.sampled_from(SCALARS),
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
        | st.lists(st.tuples(inner, inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        )
        | inner.map(lambda node: f"&a {node}")
    ),
    max_leaves=6,
)


@st.composite
def block(draw: st.DrawFn, indent: str = "", depth: int = 0) -> list[str]:
    """The lines of a block mapping: keys plain, flow collections or `? ` keys."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(flow)
        form = draw(st.integers(0, 4 if depth < 2 else 2))
        if form == 0:
            lines.append(f"{indent}{key}: {draw(flow)}")
        elif form == 1:
            lines += [f"{indent}? {key}", f"{indent}: {draw(flow)}"]
        elif form == 2:
            lines.append(f"{indent}{key}: |")
            lines.append(f"{indent}  {draw(st.sampled_from(SCALARS))}")
        elif form == 3:
            lines.append(f"{indent}{key}:")
            lines += draw(block(indent + "  ", depth + 1))
        else:
            lines.append(f"{indent}{key}:")
            lines += [f"{indent}  - {item}" for item in draw(st.lists(flow, max_size=3))]
    return lines


@st.composite
def entry_files(draw: st.DrawFn) -> bytes:
    """An entry: some valid fields, generated ones among them, and sometimes stray bytes."""
    kept = [f"{k}: {v}" for k, v in FIELDS if draw(st.integers(0, 4))]
    lines = draw(st.permutations(kept + draw(block())))
    if draw(st.integers(0, 5)) == 0:  # a line that is no YAML construct
        noise = draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
        lines.insert(draw(st.integers(0, len(lines))), noise)
    text = "\n".join(lines) + "\n"
    breaks = draw(st.integers(0, 9))
    if breaks == 0:
        text = text.replace("\n", "\r\n")
    elif breaks == 1:
        at = draw(st.integers(0, text.count("\n") - 1))
        parts = text.split("\n")
        text = "\n".join(parts[:at]) + "\r" + "\n".join(parts[at:])
    elif breaks == 2:
        text = text.replace("  ", "\t", 1)
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        raw = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\x00"])) + raw
    if draw(st.integers(0, 9)) == 0:
        raw += draw(st.binary(max_size=8))
    return raw


# A reported problem: `path:line: field: message`, or without a line when there is none.
PROBLEM = re.compile(r"^\S+\.yaml(:\d+)?: [^\n]+: [^\n]+$")
SUMMARY = re.compile(r"^\d+ problem\(s\) found: fix them and run again\.$")


def assert_reported(exit_code: int, output: str) -> None:
    assert exit_code in (0, 1), output
    assert "Traceback" not in output
    lines = output.splitlines()
    if exit_code == 0:
        assert re.fullmatch(r"\d+ papers OK \(.*\)", lines[-1]), output
        return
    assert SUMMARY.match(lines[-1]), output
    bad = [line for line in lines[:-1] if not PROBLEM.match(line)]
    assert bad == [], output


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=entry_files())
@example(raw=b"? [a, b]\n: c\n")
@example(raw=VALID.encode() + b"links:\n  ? {code: x}\n  : https://a.org\n")
@example(raw=b"{[x]: 1, id: c}\n")
@example(raw=VALID.replace("\n", "\r\n").encode())
def test_check_only_ever_reports(tmp_path: Path, raw: bytes) -> None:
    papers = tmp_path / "papers"
    papers.mkdir(exist_ok=True)
    (papers / "x.yaml").write_bytes(raw)
    result = CliRunner().invoke(main, ["check", "--papers", str(papers)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # the traceback hypothesis shrinks and shows
    assert_reported(result.exit_code, result.output)


def test_the_real_command_reports_hostile_files_one_per_line(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    files = {
        "complex-key.yaml": b"? [a, b]\n: c\n",
        "complex-nested.yaml": VALID.encode() + b"links: {? {a: 1} : x}\n",
        "newline-key.yaml": VALID.encode() + b'"new\\nline": 1\n',
        "tag-key.yaml": VALID.encode() + b"!!python/name:os.system : 1\n",
        "lone-cr.yaml": VALID.replace("abstract: B\n", "abstract: B\r").encode(),
        "binary.yaml": b"\x00\xff\xfe id: x\n",
        "alias-key.yaml": b"a: &k [1]\n*k : 2\n",
        "good.yaml": VALID.encode(),
    }
    for name, raw in files.items():
        (papers / name).write_bytes(raw)
    result = subprocess.run(
        [sys.executable, "-m", "paperfeed.cli", "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.stdout == ""
    assert_reported(result.returncode, result.stderr)
    reported = {line.split(":")[0] for line in result.stderr.splitlines()[:-1]}
    assert reported == {f"papers/{name}" for name in files if name != "good.yaml"}
