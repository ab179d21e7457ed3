"""Writing new entries: from an importer's fields to a file `paperfeed check` passes.

Entries are read and edited by people in pull requests, so a written file looks like a
hand-written one: the format's field order, ids quoted, the abstract as a `|` block,
and a first line that points editors at the JSON Schema. Each entry is validated with
the model, read back through the loader, and checked against the papers already there
before it is written, atomically: a failed run leaves no broken or half-written file.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from paperfeed.arxiv_id import strip_version
from paperfeed.duplicates import Claims, Clash
from paperfeed.entry import Entry, Paper
from paperfeed.errors import PaperfeedError
from paperfeed.importers import Found
from paperfeed.load import entry_files, validate
from paperfeed.processes import map_chunks
from paperfeed.source import Source, parse, read_file

SCHEMA_FILE = "paper.schema.json"  # at the repository root: the folder above papers/


class AddError(PaperfeedError):
    """Why one paper was not written, in words for the person who asked for it."""


def entry_id(fields: dict[str, Any], ref: str) -> str:
    """A new entry's id: its arXiv id (hep-th/9901001 -> hep-th-9901001), else `ref`'s slug."""
    arxiv = fields.get("arxiv")
    if isinstance(arxiv, str) and arxiv:
        return strip_version(arxiv).lower().replace("/", "-")
    plain = unicodedata.normalize("NFKD", ref).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9._-]+", "-", plain).lstrip("._-").rstrip("-")[:128]


def entry_path(papers_dir: Path, paper: Paper) -> Path:
    """papers/YYYY/MM/<id>.yaml, from the day the paper joins the feed."""
    return papers_dir / f"{paper.day:%Y}" / f"{paper.day:%m}" / f"{paper.id}.yaml"


def render(paper: Paper, schema: str) -> str:
    """The text of an entry file; `schema` is the schema's path relative to the file."""
    data: dict[str, Any] = {}
    for name, value in paper.fields().items():
        if name in ("id", "arxiv"):
            value = _Quoted(value)  # unquoted, 2401.10210 would read as a number elsewhere
        elif name == "abstract":
            value = _Literal(value + "\n")  # the final newline makes it `|`, not `|-`
        elif isinstance(value, datetime):
            value = value.isoformat()
        data[name] = value
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,  # lists and links on one line, as people write them
        width=1 << 20,  # never fold a title or an author list over two lines
    )
    return f"# yaml-language-server: $schema={schema}\n{body}"


class _Quoted(str):
    pass


class _Literal(str):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"')
)
_Dumper.add_representer(
    _Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="|")
)


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A dot name: load.entry_files skips it, should a crash leave it behind.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class Writer:
    """Adds entries to a papers folder, refusing any paper the folder already has."""

    def __init__(
        self,
        papers_dir: Path,
        added: date | datetime,
        submitted_by: str | None = None,
        root: Path | None = None,
        now: datetime | None = None,
    ):
        """`root` is where paths are shown from (default: the current folder)."""
        self.papers_dir = papers_dir
        self.added = added
        self.submitted_by = submitted_by
        self.root = root or Path.cwd()
        self.now = now or datetime.now(timezone.utc)
        self.schema = papers_dir.absolute().parent / SCHEMA_FILE
        self._claims = Claims()
        self._ids: dict[str, str] = {}
        for entry in existing_entries(papers_dir, self.root):
            self._claim(entry)

    def add(self, found: Found) -> Entry:
        """Write one paper's entry and return it, or raise AddError saying why not."""
        fields = {**found.fields, "id": entry_id(found.fields, found.ref), "added": self.added}
        if self.submitted_by:
            fields["submitted_by"] = self.submitted_by
        paper = self._validate(Source(found.ref, fields, None))
        path = entry_path(self.papers_dir, paper)
        entry = Entry(_shown(path, self.root), paper)
        self._refuse_links(path)
        self._refuse_duplicates(entry, path)
        schema = Path(os.path.relpath(self.schema, path.absolute().parent)).as_posix()
        text = render(paper, schema)
        # The guarantee: what is written loads back, through the loader, as this paper.
        try:
            loads_back = validate(parse(text, entry.source), self.now) == paper
        except PaperfeedError:
            loads_back = False
        if not loads_back:
            raise AddError("its entry would not load back as the same paper: not written")
        try:
            write_atomically(path, text)
        except OSError as e:
            raise AddError(f"cannot write {entry.source}: {e.strerror or e}") from None
        self._claim(entry)
        return entry

    def _validate(self, source: Source) -> Paper:
        try:
            return validate(source, self.now)
        except PaperfeedError as e:
            raise AddError(
                "its data is not a valid entry: "
                + "; ".join(f"{p.field}: {p.message}" for p in e.problems)
            ) from None

    def _refuse_duplicates(self, entry: Entry, path: Path) -> None:
        clashes = self._claims.clashes(entry)
        if entry.paper.id in self._ids:
            clashes.insert(0, Clash("id", entry.paper.id, self._ids[entry.paper.id]))
        if clashes:
            by_file: dict[str, list[str]] = {}
            for clash in clashes:
                by_file.setdefault(clash.other, []).append(clash.field)
            raise AddError(
                "already in the feed: "
                + "; ".join(
                    f"{other} has the same {', '.join(fields)}" for other, fields in by_file.items()
                )
            )
        if path.exists():  # a file the loader could not read, under the same name
            raise AddError(f"{entry.source} exists already: fix it with `paperfeed check`")

    def _refuse_links(self, path: Path) -> None:
        """Refuse to write through a symbolic link under papers/: the entry would land
        wherever the link points, outside the feed (the check refuses such links too)."""
        relative = path.relative_to(self.papers_dir)
        for depth in range(1, len(relative.parts) + 1):
            step = self.papers_dir.joinpath(*relative.parts[:depth])
            if step.is_symlink():
                what = "file" if step == path else "folder"
                raise AddError(
                    f"{_shown(step, self.root)} is a symbolic link: paperfeed writes entries "
                    f"only into real folders and files; replace the link with a real {what}"
                )

    def _claim(self, entry: Entry) -> None:
        self._claims.claim(entry)
        self._ids.setdefault(entry.paper.id, entry.source)


def existing_entries(papers_dir: Path, root: Path) -> list[Entry]:
    """The valid entries under `papers_dir`; broken ones are `paperfeed check`'s business."""
    jobs = [(str(path), _shown(path, root)) for path in entry_files(papers_dir)]
    return [entry for entry in map_chunks(_read_valid, jobs) if entry is not None]


def _read_valid(jobs: Sequence[tuple[str, str]]) -> list[Entry | None]:
    """Read some files, None for each that does not load (module-level: see processes.py)."""
    out: list[Entry | None] = []
    for path, shown in jobs:
        try:
            source = read_file(Path(path), shown)
            out.append(Entry(shown, validate(source), lines=source.field_lines()))
        except PaperfeedError:
            out.append(None)
    return out


def _shown(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()
