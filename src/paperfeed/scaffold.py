"""The files of a feed's own repository, as this version of paperfeed writes them.

They live in the package (`starter/`), so an installed paperfeed can start a feed and
refresh one without any checkout of paperfeed's repository. A feed holds only what is
its own (its config, papers, pages and GitHub files); the theme stays in the package
and the plugin puts it in front of Material's. Files ending in `.jinja` are rendered
with the feed's name and address; `github/` becomes `.github/` and `gitignore`
`.gitignore`, as a package holds no dot-files reliably. Everything is read and checked
before the first file is written.

The lock a new feed starts with (`requirements.txt`, `requirements-build.txt`: every
package paperfeed needs, with the hashes of its files) is one of these files, written by
paperfeed's `requirements/lock` before each release: `init` needs no network, and the
feed's workflows install hash-checked from their first run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from jinja2 import Environment, StrictUndefined

from paperfeed.errors import PaperfeedError, Problem
from paperfeed.urls import is_web_url

STARTER = Path(__file__).resolve().with_name("starter")

# The starter's example papers, written only when asked for (`init --demo`).
_DEMO = PurePosixPath("demo")
_DOTTED = {"github": ".github", "gitignore": ".gitignore"}
_RENDERED = ".jinja"
# What `upgrade` refreshes as it is: the files that come from paperfeed, not from the
# feed (requirements.in and the lock, requirements.txt, have rules of their own there).
MANAGED = (".github/", "requirements-build.txt")


class FeedSettingError(PaperfeedError, ValueError):
    """A name, address or requirement a feed cannot have; the message says how to fix it.

    Still a ValueError, as callers of 0.2 caught one.
    """


@dataclass(frozen=True)
class Feed:
    """What makes one feed different from another."""

    name: str
    url: str
    requirement: str


def site_url(url: str) -> str:
    """The site's address with a trailing slash, which MkDocs and the feeds build on."""
    url = url.strip()
    if not is_web_url(url):
        raise FeedSettingError(
            f"{url!r} is not a web address: write it like https://example.org/papers/"
        )
    parts = urlsplit(url)
    if parts.query or parts.fragment or any(c.isspace() for c in url):
        raise FeedSettingError(
            f"{url!r} has a query, a #fragment or spaces: give the site's base address"
        )
    return url if url.endswith("/") else url + "/"


def site_name(name: str) -> str:
    """The site's name: one line of text, as it goes into the header and the feeds."""
    name = name.strip()
    if not name or not name.isprintable():
        raise FeedSettingError(f"{name!r} is not a name: give one line of text, e.g. 'Lab Papers'")
    return name


def requirement(line: str) -> str:
    """How the new feed installs paperfeed: one line of requirements.in."""
    line = line.strip()
    if not line or "\n" in line:
        raise FeedSettingError(f"{line!r} is not one requirement line, e.g. 'paperfeed==0.2.0'")
    return line


def plan(feed: Feed, demo: bool = False) -> dict[str, bytes]:
    """Every file of the new feed, by path relative to it: nothing is written yet."""
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    values = {
        "name": feed.name,
        "url": feed.url,
        "requirement": feed.requirement,
        # JSON strings are YAML double-quoted scalars: any name is written safely.
        "name_yaml": json.dumps(feed.name, ensure_ascii=False),
        "url_yaml": json.dumps(feed.url),
    }
    files: dict[str, bytes] = {}
    for source in sorted(p for p in STARTER.rglob("*") if p.is_file()):
        relative = PurePosixPath(source.relative_to(STARTER).as_posix())
        if "__pycache__" in relative.parts:
            continue
        if relative.parts[0] == _DEMO.name:
            if demo:
                files[f"papers/2024/11/{relative.name}"] = source.read_bytes()
            continue
        target = _target(relative)
        if relative.suffix == _RENDERED:
            text = env.from_string(source.read_text(encoding="utf-8")).render(values)
            files[target] = text.encode("utf-8")
        else:
            files[target] = source.read_bytes()
    if not demo:
        files["papers/.gitkeep"] = b""
    return dict(sorted(files.items()))


def _target(relative: PurePosixPath) -> str:
    parts = [_DOTTED.get(relative.parts[0], relative.parts[0]), *relative.parts[1:]]
    path = "/".join(parts)
    return path.removesuffix(_RENDERED)


def managed(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files of a plan that `upgrade` keeps in step with the installed paperfeed."""
    return {path: data for path, data in files.items() if path.startswith(MANAGED)}


def scaffold(target: Path, feed: Feed, demo: bool = False) -> list[str]:
    """Write a new feed into `target`, which must be new or empty; return what was written."""
    feed = Feed(site_name(feed.name), site_url(feed.url), requirement(feed.requirement))
    _refuse_non_empty(target)
    files = plan(feed, demo)
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
