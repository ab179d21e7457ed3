"""Pages kept from the last build: a page whose fingerprint did not change keeps its file.

The last build's fingerprints, with the size and time of each file it wrote, are kept
beside the site (`.<site>.paperfeed-pages.json`). A page is kept only if its file in
the previous site is still the one that build wrote, and it is hard-linked into the new
build: the same bytes and the same modification time, and no copy.
"""

from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from paperfeed.fingerprint import site_key

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

_VERSION = 1
_LINKERS = 4
_PACKAGES = ("paperfeed", "mkdocs", "mkdocs-material", "jinja2", "markupsafe", "latex2mathml")


def site_key_of(config: MkDocsConfig) -> str:
    """What every page depends on: versions, mkdocs.yml, the theme's overrides, docs/."""
    parts = [f"{name} {metadata.version(name)}" for name in _PACKAGES]
    parts.append(Path(config.config_file_path).read_text(encoding="utf-8"))
    # mkdocs.yml may pull values from elsewhere (INHERIT, !ENV): the values as read count
    parts += [repr(config.nav), repr(config.extra), str(config.site_url)]
    parts += [config.theme.name or "", *config.theme.dirs, repr(config.theme.get("features"))]
    folders = [Path(config.docs_dir)]
    if config.theme.custom_dir:
        folders.append(Path(config.theme.custom_dir))
    return site_key(parts, [folder for folder in folders if folder.is_dir()])


def manifest_path(site: Path) -> Path:
    return site.parent / f".{site.name}.paperfeed-pages.json"


class PageReuse:
    def __init__(self, previous: Path | None):
        """`previous`: the last build's site, or None when there is none to keep from."""
        self.previous = previous
        self._old: dict[str, list] = {}
        if previous is not None and previous.is_dir():
            self._old = _read(manifest_path(previous))
        self._new: dict[str, str] = {}
        self.kept: list[str] = []
        self._linking: ThreadPoolExecutor | None = None
        self._linked: list[Future[None]] = []

    def keep(self, dest_uri: str, fingerprint: str) -> bool:
        """Record the page's fingerprint; whether its last file can be kept."""
        self._new[dest_uri] = fingerprint
        old = self._old.get(dest_uri)
        if self.previous is None or not old or old[0] != fingerprint:
            return False
        try:
            stat = (self.previous / dest_uri).stat()
        except OSError:
            return False
        if [stat.st_size, stat.st_mtime_ns] != old[1:]:
            return False  # changed since that build: render it again
        self.kept.append(dest_uri)
        return True

    def link_into(self, site_dir: Path) -> None:
        """Start putting the kept files into the new build (`finish` waits for it).

        A folder and a link per page are system calls that let other threads run: done
        by a few threads while MkDocs goes on, they cost the build almost nothing.
        """
        previous = self.previous
        if previous is None or not self.kept:
            return
        kept = [self.kept[k::_LINKERS] for k in range(_LINKERS)]
        self._linking = ThreadPoolExecutor(_LINKERS)
        self._linked = [self._linking.submit(_link_all, previous, site_dir, uris) for uris in kept]

    def finish(self) -> None:
        """Wait for the links; an error making one is raised here."""
        if self._linking is None:
            return
        try:
            for done in self._linked:
                done.result()
        finally:
            self._linking.shutdown()
            self._linking = None

    def save(self, site: Path) -> None:
        """The manifest of the build just finished, for the next one."""
        pages = {}
        for uri, fingerprint in self._new.items():
            try:
                stat = (site / uri).stat()
            except OSError:
                continue  # not written (a page that renders empty): nothing to keep
            pages[uri] = [fingerprint, stat.st_size, stat.st_mtime_ns]
        path = manifest_path(site)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=path.name, delete=False
        ) as out:
            json.dump({"version": _VERSION, "pages": pages}, out)
        os.replace(out.name, path)


def _link_all(previous: Path, site_dir: Path, uris: list[str]) -> None:
    for uri in uris:
        target = site_dir / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(previous / uri, target)


def _read(path: Path) -> dict[str, list]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every page is rendered
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return {}
    pages = data.get("pages")
    return pages if isinstance(pages, dict) else {}
