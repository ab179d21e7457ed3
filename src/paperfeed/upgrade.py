"""Bring an existing feed's paperfeed files up to the installed version.

What came from paperfeed is refreshed: the GitHub files (workflows, issue form, pull
request template) and the `paperfeed==` pin in requirements.txt. What is the feed's own
is never written: papers/, docs/, mkdocs.yml, and any file in overrides/ that differs
from the theme of every release. A feed made before the theme was packaged (0.1.0)
holds a copy of it in overrides/; an unchanged copy would pin the feed to that old
theme, so it goes (`released_themes.json` knows each release's files by hash).
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
    for path, data in managed(plan(_feed_of(root))).items():
        _refresh(root, path, data, found)
    requirements = root / "requirements.txt"
    if requirements.is_file():
        text = requirements.read_text(encoding="utf-8")
        pinned = _PIN.sub(f"paperfeed=={version('paperfeed')}", text, count=1)
        _refresh(root, "requirements.txt", pinned.encode("utf-8"), found)
    for path in RETIRED:
        if (root / path).is_file():
            _remove(root, path, found)
    _drop_theme_copies(root, found)
    return found


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
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_LenientLoader)
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


class _LenientLoader(yaml.SafeLoader):
    """A safe loader that reads any tag as the plain value under it."""


_LenientLoader.add_multi_constructor(
    "",
    lambda loader, suffix, node: (
        loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None
    ),
)


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
