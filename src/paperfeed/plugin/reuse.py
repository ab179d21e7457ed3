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
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from paperfeed.fingerprint import site_key
from paperfeed.theme import THEME_DIR

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

_VERSION = 1
_LINKERS = 4
_PACKAGES = ("paperfeed", "mkdocs", "mkdocs-material", "jinja2", "markupsafe", "latex2mathml")


def site_key_of(config: MkDocsConfig) -> str:
    """What every page depends on: versions, mkdocs.yml, the themes' files, docs/."""
    parts = [f"{name} {metadata.version(name)}" for name in _PACKAGES]
    parts.append(Path(config.config_file_path).read_text(encoding="utf-8"))
    # mkdocs.yml may pull values from elsewhere (INHERIT, !ENV): the values as read count
    parts += [repr(config.nav), repr(config.extra), str(config.site_url)]
    parts += [config.theme.name or "", *config.theme.dirs, repr(config.theme.get("features"))]
    # paperfeed's own theme counts by content too: an editable install changes it in place
    folders = [Path(config.docs_dir), THEME_DIR]
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
        self._linking: list[threading.Thread] = []
        self._failed: list[BaseException] = []

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
        if self.previous is not None and self.kept:
            jobs = [(uri, uri, False) for uri in self.kept]
            self._start(_put, site_dir, jobs)

    def move_into(self, site_dir: Path, outputs: Iterable[str], folders: Sequence[str]) -> None:
        """Like `link_into`, but taking the files out of the last build, folder and all
        where a page is alone in its folder, and whole `folders` (the search index).

        For `serve`, whose last build is thrown away: a rename per page instead of a
        folder and a link, at the price of a last build that has lost them if this one
        fails (the next build then makes them again).
        """
        if self.previous is None:
            return
        owners = Counter(parent for uri in outputs for parent in _parents(uri))
        jobs = []
        for uri in self.kept:
            folder = uri.rpartition("/")[0]
            alone = folder and owners[folder] == 1
            jobs.append((folder, folder, True) if alone else (uri, uri, True))
        jobs += [(f, f, True) for f in folders if (self.previous / f).is_dir()]
        for parent in {job[0].rpartition("/")[0] for job in jobs} - {""}:
            (site_dir / parent).mkdir(parents=True, exist_ok=True)
        self._start(_put, site_dir, jobs)

    def _start(self, work: Callable[..., None], site_dir: Path, jobs: list[tuple]) -> None:
        # Daemon threads, not a thread pool: an interrupt that lands while a pool starts
        # its threads can leave one that the pool never stops, and Python's exit waits
        # for it for ever.
        def link(share: list[tuple]) -> None:
            try:
                work(self.previous, site_dir, share)
            except BaseException as e:  # noqa: BLE001 - raised by finish()
                self._failed.append(e)

        self._linking = [
            threading.Thread(target=link, args=(jobs[k::_LINKERS],), daemon=True)
            for k in range(_LINKERS)
        ]
        for thread in self._linking:
            thread.start()

    def finish(self) -> None:
        """Wait for the links; an error making one is raised here."""
        for thread in self._linking:
            thread.join()
        self._linking = []
        if self._failed:
            failed, self._failed = self._failed[0], []
            raise failed

    def save(self, site: Path) -> None:
        """The manifest of the build just finished, for the next one."""
        pages = {}
        kept = set(self.kept)
        for uri, fingerprint in self._new.items():
            if uri in kept:  # the same file as last time (checked by `keep`): no stat
                pages[uri] = [fingerprint, *self._old[uri][1:]]
                continue
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


def _put(previous: Path, site_dir: Path, jobs: list[tuple[str, str, bool]]) -> None:
    """Link (or move) each previous/source to site_dir/target."""
    for source, target, move in jobs:
        path = site_dir / target
        if move:
            os.rename(previous / source, path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.link(previous / source, path)


def _parents(uri: str) -> Iterator[str]:
    """ "a/b/index.html" -> "a/b", "a" """
    parts = uri.split("/")[:-1]
    for end in range(len(parts), 0, -1):
        yield "/".join(parts[:end])


def _read(path: Path) -> dict[str, list]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every page is rendered
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return {}
    pages = data.get("pages")
    return pages if isinstance(pages, dict) else {}
