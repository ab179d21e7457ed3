"""A site folder that changes all at once or not at all.

MkDocs empties site_dir first and then writes page after page, so an error, Ctrl-C
or a kill halfway leaves a broken site behind. Here the build goes to a staging
folder beside the site and replaces it with two renames only once it is complete.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

_PREFIX = ".paperfeed-"


class AtomicSite:
    def __init__(self, site: Path):
        self.site = site.resolve()
        self.site.parent.mkdir(parents=True, exist_ok=True)
        self._sweep()
        self.staging = Path(
            tempfile.mkdtemp(prefix=f"{_PREFIX}{self.site.name}-new-", dir=self.site.parent)
        )

    def commit(self, background: bool = False) -> None:
        """Put the finished build in place of the site, then drop the old one (in a
        thread with `background`: a long-lived `serve` need not wait for it)."""
        old = None
        if self.site.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f"{_PREFIX}{self.site.name}-old-", dir=self.site.parent)
            )
            self.site.rename(old / self.site.name)
        self.staging.rename(self.site)
        if old and background:
            threading.Thread(target=shutil.rmtree, args=(old, True), daemon=True).start()
        elif old:
            shutil.rmtree(old, ignore_errors=True)

    def scratch(self, name: str) -> Path:
        """A folder for the build's own use beside the site, swept like the staging one."""
        return Path(
            tempfile.mkdtemp(prefix=f"{_PREFIX}{self.site.name}-{name}-", dir=self.site.parent)
        )

    def abandon(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def _sweep(self) -> None:
        """Remove what an interrupted build left (a kill cannot clean up after itself)."""
        for leftover in self.site.parent.glob(f"{_PREFIX}{self.site.name}-*"):
            shutil.rmtree(leftover, ignore_errors=True)
