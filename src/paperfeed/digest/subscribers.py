"""The subscribers file: one address a line; `#` comments and blank lines allowed.

A bad line must not stop a digest to everyone else, so it is reported with its line
number and skipped; an address listed twice gets one email.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from paperfeed.errors import PaperfeedError, Problem

# A plain addr-spec: the dot-atom local part and a domain of DNS labels, ASCII only.
# Stricter than RFC 5322 on purpose: quoted local parts and bracketed IPs are legal
# and almost never a real subscriber.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
MAX_LENGTH = 254  # RFC 5321's limit on a forward path


@dataclass(frozen=True)
class Subscribers:
    addresses: tuple[str, ...]  # in file order, each once
    lines: tuple[int, ...]  # the line of each address
    problems: tuple[Problem, ...]  # the lines skipped, and why

    def line_of(self, address: str) -> int | None:
        for found, line in zip(self.addresses, self.lines, strict=True):
            if found == address:
                return line
        return None


def parse_subscribers(text: str, path: str = "subscribers") -> Subscribers:
    """The addresses of a subscribers file's text; `path` names it in problems."""
    addresses: list[str] = []
    lines: list[int] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        reason = _wrong(line)
        if reason:
            problems.append(Problem(path, number, "address", f"{reason}: skipped"))
            continue
        key = line.lower()
        if key in seen:
            problems.append(
                Problem(path, number, "address", f"is already on line {seen[key]}: skipped")
            )
            continue
        seen[key] = number
        addresses.append(line)
        lines.append(number)
    return Subscribers(tuple(addresses), tuple(lines), tuple(problems))


def read_subscribers(path: Path) -> Subscribers:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "it is not UTF-8 text"
        raise PaperfeedError(
            Problem(str(path), None, "subscribers", f"cannot be read: {reason}")
        ) from None
    return parse_subscribers(text, str(path))


def _wrong(line: str) -> str | None:
    """Why `line` is not an address, or None. The line itself is never repeated: a
    workflow's log may be public, and the line is someone's address, nearly."""
    if len(line) > MAX_LENGTH:
        return f"is {len(line)} characters long, more than an address may be ({MAX_LENGTH})"
    if _ADDRESS.fullmatch(line):
        return None
    if line.count("@") != 1:
        return "is not an email address: it needs exactly one @"
    if any(c.isspace() for c in line):
        return "is not an email address: it has a space (one address a line)"
    return "is not an email address like name@example.org"


def masked(address: str) -> str:
    """An address as logs show it, "a***@example.org": enough to tell which, no more."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
