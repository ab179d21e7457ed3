"""Pagefind takes over the search plugin's index, but not its place in the theme.

Material shows its search box only while its `search` plugin is enabled, so the plugin
stays; its per-page indexing and the lunr index it writes are unhooked, and the site's
pages are indexed by Pagefind once they are written (see paperfeed.search_index).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

from paperfeed.search_index import SearchIndexError, write_search_index

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

# The search plugin's events that build the lunr index, one page at a time and at the end.
_LUNR_EVENTS = ("page_context", "post_build")


def unhook_lunr(config: MkDocsConfig) -> bool:
    """Stop Material's search plugin from indexing; False when the site has no search."""
    plugins = config.plugins
    search = plugins.get("material/search") or plugins.get("search")
    if search is None or not getattr(search.config, "enabled", True):
        return False
    for event in _LUNR_EVENTS:
        plugins.events[event] = [
            method
            for method in plugins.events[event]
            if getattr(method, "__self__", None) is not search
        ]
    return True


class BackgroundIndex:
    """`mkdocs serve` shows an edit first; the feeds and the search index follow.

    Pagefind reads every paper page, seconds at 10,000 papers, and the feeds take a
    second more; a preview shows the edited page without waiting for them. While they
    are made, the site keeps the last index (linked in with the kept pages); the next
    rebuild waits for them, so two never write the same folder.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    def start(
        self, site_dir: Path, pages: list[str], files: Callable[[], dict[str, bytes]]
    ) -> None:
        """Write `files()` (path: bytes) into the site, then index `pages` of it."""
        self.wait()
        self._thread = threading.Thread(
            target=self._run, args=(site_dir, pages, files), daemon=True
        )
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @staticmethod
    def _run(site_dir: Path, searchable: list[str], files: Callable[[], dict[str, bytes]]) -> None:
        for path, data in files().items():
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            pages = write_search_index(site_dir, searchable)
        except SearchIndexError as e:
            log.error(f"search index: {e}")
        else:
            log.info(f"Search index: {pages} pages indexed by Pagefind")
