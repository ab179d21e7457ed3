"""Bring an existing feed's paperfeed files up to the installed version.

What came from paperfeed is refreshed: the GitHub files (workflows, issue form, pull
request template, Dependabot's settings), the `paperfeed==` pin in requirements.in and
the locks (requirements.txt, requirements-build.txt; see `_refresh_lock`). A feed from
before the locks kept its pin in requirements.txt: that file becomes requirements.in
and the lock takes its place. What is the feed's own is never written: papers/, docs/,
mkdocs.yml, and any file in overrides/ that differs from the theme of every release. A
feed made before the theme was packaged (0.1.0) holds a copy of it in overrides/; an
unchanged copy would pin the feed to that old theme, so it goes (`released_themes.json`
knows each release's files by hash).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import yaml

from paperfeed import mkdocs_yml
from paperfeed.errors import PaperfeedError, Problem
from paperfeed.scaffold import Feed, managed, plan
from paperfeed.theme import THEME_DIR

RELEASED_THEMES = Path(__file__).with_name("released_themes.json")
# Shipped by earlier versions, now part of the package (python -m paperfeed.submission).
RETIRED = (".github/scripts/submission.py",)
_PIN = re.compile(r"^paperfeed\s*==\s*[^\s#;]+", re.MULTILINE)
_OVERRIDES_NOTE = (
    "# This feed's own templates\n\n"
    "A file here replaces paperfeed's file of the same path (for example\n"
    "`partials/search.html` or `assets/stylesheets/paperfeed.css`); the rest of the\n"
    "theme comes from the installed paperfeed.\n"
)


@dataclass
class Changes:
    """What an upgrade writes and removes, by path relative to the feed."""

    written: dict[str, bytes] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.written or self.removed)


def changes(root: Path) -> Changes:
    """Compare the feed in `root` with what this version would write; nothing is written."""
    found = Changes()
    files = plan(_feed_of(root))
    for path, data in managed(files).items():
        _refresh(root, path, data, found)
    _refresh_requirements(root, files, found)
    for path in RETIRED:
        if (root / path).is_file():
            _remove(root, path, found)
    _drop_theme_copies(root, found)
    return found


def _refresh_requirements(root: Path, files: dict[str, bytes], found: Changes) -> None:
    pin = f"paperfeed=={version('paperfeed')}"
    source, lock = root / "requirements.in", root / "requirements.txt"
    old_lock = lock.read_text(encoding="utf-8") if lock.is_file() else ""
    if source.is_file():
        wanted = source.read_text(encoding="utf-8")
    elif old_lock and not _is_lock(old_lock):
        wanted = old_lock  # the pin and any packages of the feed's own, as before 0.3
    else:
        wanted = files["requirements.in"].decode("utf-8")
    wanted = _PIN.sub(pin, wanted, count=1)
    _refresh(root, "requirements.in", wanted.encode("utf-8"), found)
    if _refresh_lock(old_lock, wanted, pin):
        _refresh(root, "requirements.txt", files["requirements.txt"], found)


def _refresh_lock(old_lock: str, wanted: str, pin: str) -> bool:
    """Whether requirements.txt becomes the lock this version ships.

    It does unless the feed refreshed it itself and it still holds: the feed's
    requirements.in names packages of its own (which only the feed's own lock has), or
    the lock already pins this paperfeed with its hashes (refreshed after this release).
    """
    if not _is_lock(old_lock):
        return True
    if re.search(rf"^{re.escape(pin)}\s", old_lock, flags=re.MULTILINE):
        return False
    return _requirements(wanted) == ["paperfeed"]


def _is_lock(text: str) -> bool:
    return "--hash=" in text


def _requirements(text: str) -> list[str]:
    """The names of the packages a requirements file lists (paperfeed for any spec of it)."""
    names = []
    for line in text.splitlines():
        line = line.partition("#")[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[\s<>=!~;@\[]", line, maxsplit=1)[0].lower())
    return names


def apply(root: Path, found: Changes) -> None:
    for path, data in found.written.items():
        target = root / path
        _refuse_link(root, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for path in found.removed:
        (root / path).unlink()
        # a folder the removal leaves empty (.github/scripts/) goes with it
        for folder in (root / path).parents:
            if folder == root or any(folder.iterdir()):
                break
            folder.rmdir()


def _feed_of(root: Path) -> Feed:
    config_file = root / "mkdocs.yml"
    try:
        # mkdocs.yml may hold MkDocs' own tags (!ENV, !relative): only two plain keys are read.
        config = mkdocs_yml.load(config_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise PaperfeedError(
            Problem(
                str(config_file),
                None,
                "upgrade",
                f"cannot be read ({e}): run upgrade in a feed's folder",
            )
        ) from None
    if not isinstance(config, dict):
        raise PaperfeedError(Problem(str(config_file), None, "upgrade", "is not a MkDocs config"))
    return Feed(str(config.get("site_name", "")), str(config.get("site_url", "")), "paperfeed")


def _refresh(root: Path, path: str, data: bytes, found: Changes) -> None:
    target = root / path
    old = target.read_bytes() if target.is_file() else b""
    if old == data and target.is_file():
        return
    found.written[path] = data
    found.diffs.append(_diff(path, old, data, new_file=not target.is_file()))


def _remove(root: Path, path: str, found: Changes) -> None:
    found.removed.append(path)
    found.diffs.append(_diff(path, (root / path).read_bytes(), b"", new_file=False))


def _drop_theme_copies(root: Path, found: Changes) -> None:
    overrides = root / "overrides"
    if not overrides.is_dir():
        return
    released = json.loads(RELEASED_THEMES.read_text(encoding="utf-8"))
    copies = [
        p
        for p in sorted(overrides.rglob("*"))
        if p.is_file() and _is_stock(p, p.relative_to(overrides).as_posix(), released)
    ]
    for copy in copies:
        _remove(root, copy.relative_to(root).as_posix(), found)
    left = [p for p in overrides.rglob("*") if p.is_file() and p not in copies]
    if copies and not left:
        # mkdocs.yml may still name the folder (custom_dir): it must stay a folder.
        _refresh(root, "overrides/README.md", _OVERRIDES_NOTE.encode("utf-8"), found)


def _is_stock(path: Path, name: str, released: dict[str, dict[str, str]]) -> bool:
    """Whether the file is paperfeed's own theme file, of this version or a release."""
    data = path.read_bytes()
    packaged = THEME_DIR / name
    if packaged.is_file() and packaged.read_bytes() == data:
        return True
    return hashlib.sha256(data).hexdigest() in released.get(name, {}).values()


def _diff(path: str, old: bytes, new: bytes, new_file: bool) -> str:
    before = old.decode("utf-8", errors="replace").splitlines(keepends=True)
    after = new.decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(
        before, after, "/dev/null" if new_file else f"a/{path}", f"b/{path}" if new else "/dev/null"
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _refuse_link(root: Path, path: str) -> None:
    # Never write through a link: it could point anywhere, papers/ included.
    for parent in [root / path, *(root / path).parents]:
        if parent == root:
            break
        if parent.is_symlink():
            raise PaperfeedError(
                Problem(
                    str(parent),
                    None,
                    "upgrade",
                    "is a symbolic link: upgrade writes no file through one",
                )
            )
