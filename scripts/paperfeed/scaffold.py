"""Write a new feed's repository: site config, templates, workflows and contributor docs.

The templates (`overrides/`), the workflows and issue form (`.github/`) and the
contributing guide are copied from this repository's own files, so a new feed starts
with exactly what the demo site runs and tests, and the two cannot drift apart. Those
files live outside the Python package, so they are looked up in the source checkout the
package runs from (an editable install); an install without them is told so plainly.
Everything is read and checked before the first file is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from paperfeed.errors import PaperfeedError, Problem

# The checkout's root: scripts/paperfeed/scaffold.py -> the folder holding scripts/.
SOURCE_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().with_name("scaffold_templates")

# Copied from the checkout as they are (workflows get _INSTALL_EDITS). Listed one by one:
# a workflow this repository adds for its own tests is not one a feed wants.
COPIED = (
    "overrides",
    ".github/workflows/check.yml",
    ".github/workflows/deploy.yml",
    ".github/workflows/submit-paper.yml",
    ".github/ISSUE_TEMPLATE/submit-paper.yml",
    ".github/scripts/submission.py",
    ".github/pull_request_template.md",
    "docs/contributing.md",
)

# Written from scaffold_templates/: target path -> template name.
RENDERED = {
    "mkdocs.yml": "mkdocs.yml",
    "README.md": "README.md",
    "docs/about.md": "about.md",
    "requirements.txt": "requirements.txt",
    ".gitignore": "gitignore",
}

# This repository's workflows install paperfeed from its own source; a new feed has no
# source, so it installs what requirements.txt names.
_INSTALL_EDITS = {
    "pip install -e .": "pip install -r requirements.txt",
    "cache-dependency-path: pyproject.toml": "cache-dependency-path: requirements.txt",
}
_SKIPPED = ("__pycache__", ".DS_Store")


@dataclass(frozen=True)
class Feed:
    """What makes one feed different from another."""

    name: str
    url: str
    requirement: str


def site_url(url: str) -> str:
    """The site's address with a trailing slash, which MkDocs and the feeds build on."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"{url!r} is not a web address: write it like https://example.org/papers/")
    if parts.query or parts.fragment or any(c.isspace() for c in url):
        raise ValueError(
            f"{url!r} has a query, a #fragment or spaces: give the site's base address"
        )
    return url if url.endswith("/") else url + "/"


def site_name(name: str) -> str:
    """The site's name: one line of text, as it goes into the header and the feeds."""
    name = name.strip()
    if not name or not name.isprintable():
        raise ValueError(f"{name!r} is not a name: give one line of text, e.g. 'Lab Papers'")
    return name


def source_root(root: Path = SOURCE_ROOT) -> Path:
    """The checkout that holds what init copies, or a PaperfeedError naming what is missing."""
    # pyproject.toml tells a checkout from the folder above an installed package.
    missing = [path for path in ("pyproject.toml", *COPIED) if not (root / path).exists()]
    if missing:
        raise PaperfeedError(
            Problem(
                str(root),
                None,
                "init",
                f"has no {', '.join(missing)}: paperfeed init copies the templates and "
                "workflows from paperfeed's source checkout, so run it from a clone "
                "installed with `pip install -e .`",
            )
        )
    return root


def plan(feed: Feed, root: Path = SOURCE_ROOT) -> dict[str, bytes]:
    """Every file of the new feed, by path relative to it: nothing is written yet."""
    root = source_root(root)
    files: dict[str, bytes] = {}
    for name in COPIED:
        source = root / name
        paths = (
            [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        )
        for path in paths:
            if not any(part in _SKIPPED or part.endswith(".pyc") for part in path.parts):
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    for path in files:
        if path.startswith(".github/workflows/"):
            files[path] = _standalone_workflow(path, files[path].decode("utf-8")).encode("utf-8")
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    values = {
        "name": feed.name,
        "url": feed.url,
        "requirement": feed.requirement,
        # JSON strings are YAML double-quoted scalars: any name is written safely.
        "name_yaml": json.dumps(feed.name, ensure_ascii=False),
        "url_yaml": json.dumps(feed.url),
    }
    for target, template in RENDERED.items():
        files[target] = env.get_template(template).render(values).encode("utf-8")
    files["papers/.gitkeep"] = b""
    return dict(sorted(files.items()))


def _standalone_workflow(path: str, text: str) -> str:
    for old, new in _INSTALL_EDITS.items():
        text = text.replace(old, new)
    # A workflow that installs paperfeed another way would be copied broken: say so
    # here, where a test sees it, rather than in the new feed's first CI run.
    for leftover in ("pip install -e", "pyproject.toml"):
        if leftover in text:
            raise PaperfeedError(
                Problem(path, None, "init", f"still refers to {leftover!r} after the install edits")
            )
    return text


def requirement(line: str) -> str:
    """How the new feed installs paperfeed: one line of requirements.txt."""
    line = line.strip()
    if not line or "\n" in line:
        raise ValueError(f"{line!r} is not one requirement line, e.g. 'paperfeed==0.1.0'")
    return line


def scaffold(target: Path, feed: Feed, root: Path = SOURCE_ROOT) -> list[str]:
    """Write a new feed into `target`, which must be new or empty; return what was written."""
    feed = Feed(site_name(feed.name), site_url(feed.url), requirement(feed.requirement))
    _refuse_non_empty(target)
    files = plan(feed, root)
    for path, data in files.items():
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return list(files)


def _refuse_non_empty(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise PaperfeedError(Problem(str(target), None, "DIR", "is a file: name a new folder"))
    # A fresh clone of an empty repository holds only .git: that is the usual start.
    if target.is_dir() and any(p.name != ".git" for p in target.iterdir()):
        raise PaperfeedError(
            Problem(
                str(target),
                None,
                "DIR",
                "is not empty: paperfeed init only writes into a new or empty folder, "
                "so nothing of yours is overwritten",
            )
        )
