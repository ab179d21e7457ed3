"""Read every entry under `papers/` and report all that is wrong in one run.

A contributor fixing a pull request wants the whole list at once, each item with the
line to go to; so nothing here stops at the first problem.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from paperfeed.duplicates import find_duplicates
from paperfeed.entry import FIELDS, LINK_KINDS, Entry, Paper
from paperfeed.errors import PaperfeedError, Problem
from paperfeed.processes import map_chunks
from paperfeed.source import (
    FOLDER_LINK_MESSAGE,
    LINK_MESSAGE,
    EntryLoader,
    Source,
    parse,
    read_file,
    shown_name,
)

# Entry lives beside Paper, and the reader's names in source.py; all stay importable
# from here, where callers of 0.2 and feeds' scripts (submission.py of 0.1) import them.
__all__ = ["Entry", "EntryLoader", "Source", "load_entries", "load_papers", "parse", "read_file"]


def validate(source: Source, now: datetime | None = None) -> Paper:
    """Turn parsed data into a Paper, translating every failure into a Problem.

    With `now`, an `added` more than a day ahead of it is refused: a paper cannot join
    the feed in the future (a day of slack covers every time zone).
    """
    try:
        paper = Paper.model_validate(source.data)
    except ValidationError as e:
        raise PaperfeedError([_problem(source, err) for err in e.errors()]) from None
    if now is not None and paper.added_at > now + timedelta(days=1):
        raise PaperfeedError(
            Problem(
                source.path,
                source.line_of(("added",)),
                "added",
                f"{paper.added.isoformat()!r} is in the future: use the day it joins the feed",
            )
        )
    return paper


def _problem(source: Source, err: Any) -> Problem:
    loc = tuple(err["loc"])
    # pydantic marks a bad mapping key with a trailing "[key]" step
    bad_key = len(loc) > 1 and loc[-1] == "[key]"
    loc = loc[:-1] if bad_key else loc
    field = ".".join(shown_name(part) for part in loc) or "file"
    line = source.line_of(loc)
    return Problem(source.path, line, field, _message(err, loc, bad_key))


def _message(err: Any, loc: tuple[Any, ...], bad_key: bool) -> str:
    kind, value = err["type"], err.get("input")
    if kind == "missing":
        return f"is required but missing: add a line `{loc[-1]}: ...`"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), FIELDS, n=1)
        hint = f"did you mean `{close[0]}`?" if close else "allowed: " + ", ".join(FIELDS)
        return f"is not a field of a paper entry: {hint}"
    if bad_key:
        return f"is not a link kind: use one of {', '.join(LINK_KINDS)}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not valid: {_PATTERN_HINTS.get(loc[0], 'check the format')}"
    if kind in ("string_type", "int_type", "list_type", "dict_type"):
        want = {
            "string_type": "text",
            "int_type": "a whole number",
            "list_type": "a list like [a, b]",
            "dict_type": "a mapping like {code: https://...}",
        }
        hint = " (quote it)" if kind == "string_type" and isinstance(value, (int, bool)) else ""
        return f"must be {want[kind]}, not {_yaml_kind(value)}{hint}"
    if kind == "too_short":
        return "must not be empty: list at least one"
    if kind == "greater_than_equal":
        return f"{value!r} is negative: use 0 or more"
    if kind in ("string_too_long", "too_long"):
        limit = err["ctx"]["max_length"]
        if isinstance(value, str):
            return f"is {len(value)} characters long: the limit is {limit}"
        return f"has {len(value)} items: the limit is {limit}"
    return f"{err['msg']} (got {value!r})"


_PATTERN_HINTS = {
    "id": "use lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
    "arxiv": "use an arXiv id such as 2401.10215, 2401.10215v2 or hep-th/9901001",
    "doi": "use a DOI such as 10.1109/CVPR.2015.7298682, without https://doi.org/",
    "tags": "use lowercase words joined by '-', e.g. face-recognition",
}


def _yaml_kind(value: Any) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        type(None): "empty",
    }
    return names.get(type(value), type(value).__name__)


def entry_files(papers_dir: Path) -> list[Path]:
    """Every entry file, sorted so the order never depends on the file system.

    Symbolic links are left out: `entry_links` lists them, for the check to refuse.
    """
    return _scan(papers_dir)[0]


def entry_links(papers_dir: Path) -> list[Path]:
    """The symbolic links under `papers_dir` that stand for an entry file or a folder.

    A link is never followed: in a pull request it could point the build at any file of
    the machine that builds (a secret, a key) and publish its text in an error message.
    """
    return _scan(papers_dir)[1]


def _scan(papers_dir: Path) -> tuple[list[Path], list[Path]]:
    """(entry files, links), each sorted; file types come from the directory listing, so
    there is no stat per file, only per link (to tell a link to a folder)."""
    files: list[Path] = []
    links: list[Path] = []
    folders = [str(papers_dir)]
    while folders:
        try:
            listing = os.scandir(folders.pop())
        except OSError:
            continue  # as os.walk does: a folder that went away has no entries
        with listing:
            for item in listing:
                is_entry = item.name.endswith((".yaml", ".yml")) and not item.name.startswith(".")
                if item.is_symlink():
                    if is_entry or item.is_dir():
                        links.append(Path(item.path))
                elif item.is_dir(follow_symlinks=False):
                    folders.append(item.path)
                elif is_entry:
                    files.append(Path(item.path))
    return sorted(files), sorted(links)


# (paper, source) -> its page; module-level, so that worker processes can run it.
Convert = Callable[[Paper, str], Any]


class EntryCache:
    """What loading made of each file, reused while the file stays the same.

    `mkdocs serve` rebuilds everything when one entry changes; with this cache (kept in
    the process between rebuilds) only new and changed files are read again. A file is
    the same while its size, modification time and inode are.
    """

    def __init__(self) -> None:
        self._setup: tuple[Any, ...] = ()
        self._by_path: dict[str, tuple[tuple[int, int, int], Any]] = {}

    def known(self, paths: Sequence[str], setup: tuple[Any, ...]) -> dict[str, Any]:
        """The cached results of `paths` (with the same root and converter)."""
        if setup != self._setup:
            self._setup, self._by_path = setup, {}
        found = {}
        for path in paths:
            cached = self._by_path.get(path)
            if cached and cached[0] == _stamp(path):
                found[path] = cached[1]
        self._by_path = {path: self._by_path[path] for path in found}  # forget the rest
        return found

    def store(self, results: dict[str, Any]) -> None:
        for path, result in results.items():
            if isinstance(result, Entry):  # problems are found again, never cached
                self._by_path[path] = (_stamp(path), result)


def _stamp(path: str) -> tuple[int, int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def load_entries(
    papers_dir: Path,
    root: Path | None = None,
    convert: Convert | None = None,
    now: datetime | None = None,
    cache: EntryCache | None = None,
) -> list[Entry]:
    """Every entry under `papers_dir`, in path order; paths are shown relative to `root`.

    With `convert`, each paper is also converted in the same pass: on a big feed both
    steps then run in the worker that read the file, and each paper crosses between
    processes once. `now` (default: the clock) bounds `added`. With `cache`, files read
    before and unchanged since are not read again. Raises one PaperfeedError listing
    every problem of every file.
    """
    root = root or papers_dir.parent
    now = now or datetime.now(timezone.utc)
    if not papers_dir.is_dir():
        raise PaperfeedError(
            Problem(
                str(papers_dir), None, "papers_dir", "is not a folder: create it or fix the path"
            )
        )
    files, links = _scan(papers_dir)
    paths = [str(path) for path in files]
    known = cache.known(paths, (str(root), convert)) if cache else {}
    jobs = [(path, _shown(Path(path), root), convert, now) for path in paths if path not in known]
    read = dict(zip([job[0] for job in jobs], map_chunks(_load_chunk, jobs), strict=True))
    if cache:
        cache.store(read)
    entries: list[Entry] = []
    problems = [_link_problem(link, root) for link in links]
    first_seen: dict[str, str] = {}
    for path in paths:
        entry = known[path] if path in known else read[path]
        if isinstance(entry, list):  # the file's problems
            problems.extend(entry)
            continue
        if entry.paper.id in first_seen:
            problems.append(
                Problem(
                    entry.source,
                    entry.line_of("id"),
                    "id",
                    f"{entry.paper.id!r} is already used by {first_seen[entry.paper.id]}: "
                    "ids must be unique",
                )
            )
            continue
        first_seen[entry.paper.id] = entry.source
        entries.append(entry)
    problems += find_duplicates(entries)
    if problems:
        raise PaperfeedError(problems)
    return entries


def load_papers(papers_dir: Path, root: Path | None = None) -> dict[str, Paper]:
    """Every valid Paper under `papers_dir`, by the path shown for its file."""
    return {entry.source: entry.paper for entry in load_entries(papers_dir, root)}


_Job = tuple[str, str, "Convert | None", datetime]
_Result = Entry | list[Problem]  # the entry, or the problems of its file


def _load_chunk(jobs: Sequence[_Job]) -> list[_Result]:
    """Read, validate (and convert) some files: what one worker does (see processes.py)."""
    out: list[_Result] = []
    for path, shown, convert, now in jobs:
        try:
            source = read_file(Path(path), shown)
            paper = validate(source, now)
        except PaperfeedError as e:
            out.append(e.problems)
            continue
        page = convert(paper, shown) if convert else None
        out.append(Entry(shown, paper, page, source.field_lines()))
    return out


def _link_problem(link: Path, root: Path) -> Problem:
    if link.is_dir():
        return Problem(_shown(link, root), None, "folder", FOLDER_LINK_MESSAGE)
    return Problem(_shown(link, root), None, "file", LINK_MESSAGE)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
