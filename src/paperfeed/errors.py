"""The one error type of the library, and the problems it carries.

Every check reports a `Problem` that names the file, the line and the field, so a
contributor can go straight to the mistake; the CLI prints them, the plugin turns
them into a MkDocs `PluginError`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}"


class PaperfeedError(Exception):
    """Raised with every problem found in one run, never just the first."""

    def __init__(self, problems: list[Problem] | Problem):
        found = problems if isinstance(problems, list) else [problems]
        self.problems = sorted(found, key=lambda p: (p.path, p.line or 0, p.field, p.message))
        super().__init__(self.report())

    def report(self, limit: int | None = None) -> str:
        """One problem a line; past `limit`, a count of the rest."""
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [str(p) for p in shown]
        if len(shown) < len(self.problems):
            more = len(self.problems) - len(shown)
            lines.append(f"... and {more:,} more: `paperfeed check` lists every one")
        return "\n".join(lines)
