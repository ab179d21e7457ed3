"""What a `mkdocs serve` session keeps from one rebuild to the next.

MkDocs makes a new plugin, and a new theme environment, for every rebuild. The session
outlives them, so that an edit reads one entry file again, renders the few pages that
show it, and leaves the feeds and the search index to a thread.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jinja2.bccache import Bucket, BytecodeCache

from paperfeed.catalog import CardCache
from paperfeed.load import EntryCache
from paperfeed.search_index import PaperIndex, SearchIndexError, install

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory, across the environments of a `serve` session."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key + bucket.checksum)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key + bucket.checksum] = bucket.bytecode_to_string()


class BackgroundIndex:
    """`mkdocs serve` shows an edit first; the feeds and the search index follow.

    Indexing every paper takes seconds in a big feed, and the feeds take time too; a
    preview shows the edited page without waiting for them. While they are made, the
    site keeps the last index (moved in with the kept pages); the next rebuild waits
    for them, so two never write the same folder.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    def start(
        self,
        site_dir: Path,
        files: Callable[[], dict[str, bytes]],
        index: Callable[[], PaperIndex],
        pages: list[str],
    ) -> None:
        """Write `files()` (path: bytes) into the site, then put in the search index of
        the papers (`index()` starts it) and of the built `pages`."""
        self.wait()
        self._thread = threading.Thread(
            target=self._run, args=(site_dir, files, index, pages), daemon=True
        )
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @staticmethod
    def _run(
        site_dir: Path,
        files: Callable[[], dict[str, bytes]],
        index: Callable[[], PaperIndex],
        pages: list[str],
    ) -> None:
        for path, data in files().items():
            target = site_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        papers = index()
        try:
            count = papers.finish(site_dir, pages)
            install(papers.output, site_dir)
        except SearchIndexError as e:
            log.error(str(e))  # "search index: ..."
        else:
            log.info(f"Search index: {count} pages indexed by Pagefind")
        finally:
            shutil.rmtree(papers.output.parent, ignore_errors=True)


@dataclass
class ServeSession:
    entries: EntryCache = field(default_factory=EntryCache)
    cards: CardCache = field(default_factory=CardCache)
    card_hashes: dict = field(default_factory=dict)
    templates: MemoryBytecodeCache = field(default_factory=MemoryBytecodeCache)
    afterwards: BackgroundIndex = field(default_factory=BackgroundIndex)


SESSION = ServeSession()
