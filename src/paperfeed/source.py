"""One entry file as text and YAML: everything that can be wrong before the fields.

Entries come from strangers' pull requests, so the reader is strict: UTF-8 without a
byte-order mark, LF line ends (CRLF is read as LF: Windows editors write it), no tabs,
and plain YAML only. Anchors, aliases, tags, duplicate keys and keys that are lists or
mappings have no use in an entry and each hides something (an alias bomb, an object
constructor, a silently dropped value), so all are refused with the line. A file that
is a symbolic link is refused too: it could make the build read any file on the machine.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from paperfeed.errors import PaperfeedError, Problem

try:  # libyaml is about 14x faster; the pure-Python loader gives the same results
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null", "seq", "map")
)


class EntryLoader(_BaseLoader):
    """YAML as the format wants it: no floats and no timestamps.

    Unquoted arXiv ids (`2401.10210`) would become floats and lose digits, and dates are
    parsed by the model so that a bad one gets a proper message; both stay text here.
    """

    yaml_implicit_resolvers = {
        first: [
            (tag, rx)
            for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")
        ]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


@dataclass
class Source:
    """One parsed file: its data, and where each field sits in it."""

    path: str
    data: Any
    node: yaml.Node | None

    def line_of(self, loc: tuple[Any, ...]) -> int | None:
        """The 1-based line of the value at `loc`, or of the closest enclosing one."""
        node, line = self.node, 1
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                match = [(k, v) for k, v in node.value if k.value == str(key)]
                if not match:
                    break
                line, node = match[0][0].start_mark.line + 1, match[0][1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if key >= len(node.value):
                    break
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def field_lines(self) -> dict[str, int]:
        """The line of each top-level field, as `line_of` gives it, in the file's order."""
        lines: dict[str, int] = {}
        if isinstance(self.node, yaml.MappingNode):
            for key, _ in self.node.value:
                # setdefault: line_of takes the first of a key given twice, too
                lines.setdefault(str(key.value), key.start_mark.line + 1)
        return lines


# What a symbolic link among the entries is told: it is refused, never followed.
LINK_MESSAGE = (
    "is a symbolic link: entries must be real files, so that a pull request cannot make "
    "the build read a file outside papers/; put the entry itself there"
)
FOLDER_LINK_MESSAGE = (
    "is a symbolic link to a folder: entries must be in real folders under papers/; "
    "replace the link with a folder"
)

# Opening with O_NOFOLLOW refuses a link in the same system call that opens the file,
# so there is no moment between a check and the read for the file to become a link.
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_file(path: Path, shown_as: str) -> Source:
    """Read and parse one file; `shown_as` is the path used in messages."""
    try:
        raw = _read_bytes(path)
    except OSError as e:
        if e.errno == errno.ELOOP and path.is_symlink():
            raise PaperfeedError(Problem(shown_as, None, "file", LINK_MESSAGE)) from None
        raise PaperfeedError(
            Problem(shown_as, None, "file", f"cannot be read: {e.strerror}")
        ) from None
    return parse(decode(raw, shown_as), shown_as)


def _read_bytes(path: Path) -> bytes:
    descriptor = os.open(path, os.O_RDONLY | _NO_FOLLOW)
    with open(descriptor, "rb") as file:
        return file.read()


def decode(raw: bytes, shown_as: str) -> str:
    """The file's text, or a problem naming the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise PaperfeedError(
            Problem(shown_as, line, "file", f"is not UTF-8 (byte {e.start}): save it as UTF-8")
        ) from None


def parse(text: str, path: str) -> Source:
    """Parse one file's text, or raise a PaperfeedError with every problem found.

    CRLF line ends are read as LF: a contributor on Windows writes them without knowing,
    and they change nothing in the data. Lines are counted by LF either way.
    """
    text = text.replace("\r\n", "\n")
    problems = _text_problems(text, path)
    try:
        source = _parse_yaml(text, path)
    except PaperfeedError as e:
        # A tab is also a YAML syntax error; say it once, the clearer way.
        tab_lines = {p.line for p in problems if p.field == "tab"}
        problems += [p for p in e.problems if p.field != "yaml" or p.line not in tab_lines]
        raise PaperfeedError(problems) from None
    if problems:
        raise PaperfeedError(problems)
    return source


def _text_problems(text: str, path: str) -> list[Problem]:
    problems = []
    if text.startswith("\ufeff"):
        problems.append(
            Problem(path, 1, "file", "starts with a byte-order mark: save it as UTF-8 without BOM")
        )
    if "\r" in text:  # CRLF is gone by now: a CR alone, as old Mac editors wrote lines
        line = text.count("\n", 0, text.index("\r")) + 1
        problems.append(
            Problem(
                path,
                line,
                "file",
                "has a carriage return (CR) without a line feed: save it with LF line ends",
            )
        )
    for number, content in enumerate(text.split("\n"), start=1):
        if "\t" in content:
            column = content.index("\t") + 1
            problems.append(
                Problem(path, number, "tab", f"at column {column}: use spaces, not tabs")
            )
    return problems


def _parse_yaml(text: str, path: str) -> Source:
    loader = EntryLoader(text.removeprefix("\ufeff"))
    try:
        node = loader.get_single_node()
        if node is None:
            raise PaperfeedError(Problem(path, 1, "file", "is empty: a paper entry is a mapping"))
        problems = _plain_yaml_problems(node, path)
        if problems:
            raise PaperfeedError(problems)
        data = loader.construct_document(node)
    except yaml.reader.ReaderError as e:
        line: int | None = text.count("\n", 0, e.position) + 1
        raise PaperfeedError(
            Problem(
                path, line, "file", f"contains the control character U+{e.character:04X}: remove it"
            )
        ) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        where = f" (column {mark.column + 1})" if mark else ""
        raise PaperfeedError(
            Problem(path, line, "yaml", f"{e.problem or e}{where}: fix the YAML syntax")
        ) from None
    except yaml.YAMLError as e:
        raise PaperfeedError(Problem(path, None, "yaml", f"{e}: fix the YAML syntax")) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kinds: dict[type, str] = {list: "list", str: "single value"}
        kind = kinds.get(type(data), type(data).__name__)
        raise PaperfeedError(
            Problem(
                path, 1, "file", f"holds a {kind}, not a mapping of fields: write `id: ...` etc."
            )
        )
    return Source(path, data, node)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def shown_name(key: object) -> str:
    """A key as messages show it: as written if it is a plain word, else quoted, so that an
    empty key or one with a line break or ": " cannot garble a `path:line: field:` line."""
    text = str(key)
    return text if _PLAIN_NAME.fullmatch(text) else repr(text)


def _plain_yaml_problems(root: yaml.Node, path: str) -> list[Problem]:
    """Aliases, tags and duplicate keys anywhere in the file, each with its line.

    Each node is visited once: a node met twice is an alias, and stopping there keeps
    an alias bomb (a few lines that expand to billions of values) from costing anything.
    """
    problems: list[Problem] = []
    seen: set[int] = set()
    # (node, field name, line of the key that holds it)
    stack: list[tuple[yaml.Node, str, int]] = [(root, "file", 1)]
    while stack:
        node, field, where = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            problems.append(
                Problem(path, where, field, "uses a YAML alias (*name): write the value out")
            )
            continue
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            problems.append(
                Problem(path, line, field, f"has the YAML tag {node.tag!r}: remove the tag")
            )
            continue
        # Children go on the stack last-first, so they are visited in document order and
        # the first appearance of a node is where it is written, not where it is repeated.
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            children = []
            written_after = node.start_mark.index  # each key is written after this
            for key, value in node.value:
                key_line = key.start_mark.line + 1
                if key.start_mark.index < written_after:
                    # An alias as a key: its node is the anchored one, written before the
                    # place it keys, so the line shown is that of the value beside it.
                    problems.append(
                        Problem(
                            path,
                            value.start_mark.line + 1,
                            field,
                            "uses a YAML alias (*name) as a key: write the key out",
                        )
                    )
                    continue
                # max: a value that is itself an alias ends where its anchor was written
                written_after = max(written_after, value.end_mark.index)
                if not isinstance(key, yaml.ScalarNode):
                    # `? [a, b] : c`: YAML allows it, but a field name is one word, and
                    # such a key cannot even be compared with the others.
                    kind = "list" if isinstance(key, yaml.SequenceNode) else "mapping"
                    problems.append(
                        Problem(
                            path,
                            key_line,
                            field,
                            f"has a {kind} as a key: a key is a name, as in `title: ...`",
                        )
                    )
                    continue
                name = shown_name(key.value)
                name = name if field == "file" else f"{field}.{name}"
                if key.tag not in _PLAIN_TAGS:
                    problems.append(
                        Problem(
                            path, key_line, name, f"has the YAML tag {key.tag!r}: remove the tag"
                        )
                    )
                elif key.value in keys:
                    problems.append(
                        Problem(
                            path,
                            key_line,
                            name,
                            f"is given twice (first on line {keys[key.value]}): keep one",
                        )
                    )
                keys.setdefault(key.value, key_line)
                children.append((value, name, key_line))
            stack.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            items = [(item, f"{field}.{i}", where) for i, item in enumerate(node.value)]
            stack.extend(reversed(items))
    return sorted(problems, key=lambda p: (p.line or 0, p.field))
