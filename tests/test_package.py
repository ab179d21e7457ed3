"""The package's shape: modules that import each other in one direction, one error family."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

import paperfeed.cli
from paperfeed.add import AddError
from paperfeed.arxiv_id import ArxivIdError
from paperfeed.errors import PaperfeedError, Problem
from paperfeed.importers.http import FetchError
from paperfeed.scaffold import FeedSettingError
from paperfeed.submission import SubmissionError

PACKAGE = Path(paperfeed.cli.__file__).parent


def import_graph() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports, anywhere.

    Imports under `if TYPE_CHECKING:` and inside functions count too: they hide a cycle
    from the interpreter, not from a reader.
    """
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    found.add(submodule if submodule in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {other for other in found if other in modules and other != name}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of `graph`, or [] if there is none."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str]:
        if name in path:
            return path[path.index(name) :] + [name]
        if name in done:
            return []
        for other in sorted(graph[name]):
            found = visit(other, [*path, name])
            if found:
                return found
        done.add(name)
        return []

    for name in sorted(graph):
        found = visit(name, [])
        if found:
            return found
    return []


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = import_graph()
    assert {"paperfeed.load", "paperfeed.duplicates"} <= graph.keys()
    assert cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize(
    "error", [AddError, ArxivIdError, FeedSettingError, FetchError, SubmissionError]
)
def test_every_error_of_the_library_is_a_paperfeed_error(error: type[Exception]) -> None:
    assert issubclass(error, PaperfeedError)
    raised = error("why, in words for the user")
    assert str(raised) == raised.report() == "why, in words for the user"
    assert raised.problems == []


@pytest.mark.parametrize("error", [ArxivIdError, FeedSettingError, SubmissionError])
def test_errors_that_were_value_errors_still_are(error: type[Exception]) -> None:
    assert issubclass(error, ValueError)


def test_an_error_with_problems_reports_them_one_a_line() -> None:
    problems = [Problem("b.yaml", 2, "title", "is empty"), Problem("a.yaml", None, "file", "x")]
    error = PaperfeedError(problems)
    assert str(error) == error.report() == "a.yaml: file: x\nb.yaml:2: title: is empty"


def test_the_cli_turns_any_paperfeed_error_into_its_message_and_status_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fails() -> str:
        raise PaperfeedError(Problem("paper.schema.json", None, "schema", "cannot be made"))

    monkeypatch.setattr(paperfeed.cli, "schema_text", fails)
    result = CliRunner().invoke(paperfeed.cli.main, ["schema"])
    assert result.exit_code == 1
    assert result.output == "paper.schema.json: schema: cannot be made\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)
