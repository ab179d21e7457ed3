"""The error family of the library, and the problems its checks report.

Every error paperfeed raises derives from `PaperfeedError`, so a caller (the CLI, the
MkDocs plugin, a script) catches one type and shows its text, never a traceback. A
check of files reports `Problem`s that name the file, the line and the field, so a
contributor can go straight to the mistake; other failures (a server not reached, a
paper not added) carry one message.
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
    """Raised with every problem found in one run, never just the first, or a message."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            self._message: str | None = problems
        else:
            found = problems if isinstance(problems, list) else [problems]
            self.problems = sorted(found, key=lambda p: (p.path, p.line or 0, p.field, p.message))
            self._message = None
        super().__init__(self.report())

    def report(self, limit: int | None = None) -> str:
        """One problem a line; past `limit`, a count of the rest. Or the message."""
        if self._message is not None:
            return self._message
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [str(p) for p in shown]
        if len(shown) < len(self.problems):
            more = len(self.problems) - len(shown)
            lines.append(f"... and {more:,} more: `paperfeed check` lists every one")
        return "\n".join(lines)
