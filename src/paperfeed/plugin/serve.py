"""`mkdocs serve`: what a session keeps from one rebuild to the next, and the build
that uses it.

MkDocs makes a new plugin, and a new theme environment, for every rebuild. The session
outlives them, so that an edit reads one entry file again, renders the few pages that
show it, and leaves the feeds and the search index to a thread.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2.bccache import Bucket, BytecodeCache

from paperfeed.catalog import CardCache
from paperfeed.load import EntryCache
from paperfeed.plugin.build import Build, FileData, write_into
from paperfeed.search_index import OUTPUT_DIR, PaperIndex, SearchIndexError, install

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

    from paperfeed.plugin.config import PaperfeedConfig
    from paperfeed.similar import WordCache

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
        files: Callable[[], Iterator[tuple[str, FileData]]],
        index: Callable[[], PaperIndex],
        pages: list[str],
    ) -> None:
        """Write `files()` (path, bytes) into the site, then put in the search index of
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
        files: Callable[[], Iterator[tuple[str, FileData]]],
        index: Callable[[], PaperIndex],
        pages: list[str],
    ) -> None:
        for path, data in files():
            write_into(site_dir, path, data)
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
    words: WordCache | None = None  # made by the first build (see ServeBuild._load)


SESSION = ServeSession()


class ServeBuild(Build):
    """A rebuild of `mkdocs serve`: what the last rebuild loaded, rendered and compiled
    is taken from the session; the edited page is shown first, and the feeds
    and the search index follow in a thread. No fork: the server has threads."""

    _drop_in_background = True

    def __init__(self, options: PaperfeedConfig, atomic: bool) -> None:
        super().__init__(options, atomic, fork=False)
        self._entries, self._cards = SESSION.entries, SESSION.cards
        self._card_hashes = SESSION.card_hashes

    def _load(self, config: MkDocsConfig) -> None:
        super()._load(config)
        assert self.catalog is not None
        if SESSION.words is None:
            # Not at import: numpy and scipy take a few tenths of a second.
            from paperfeed.similar import WordCache

            SESSION.words = WordCache()
        self.catalog.similar_words = SESSION.words

    def _open_site(self, config: MkDocsConfig) -> None:
        SESSION.afterwards.wait()  # it writes into the site this build replaces
        super()._open_site(config)

    def _start_index(self, config: MkDocsConfig) -> None:
        """Not now: the index is made once the pages are written (see `finish`)."""

    def _add_feeds(self, files: Files, config: MkDocsConfig) -> None:
        """Not now: a preview writes them after the pages (see `finish`)."""

    def prepare(self, env: Environment, config: MkDocsConfig, files: Files) -> None:
        super().prepare(env, config, files)
        # MkDocs makes a new theme environment for every rebuild; the compiled
        # templates need not be compiled again.
        env.bytecode_cache = SESSION.templates

    def _bring_kept(self, files: Files, config: MkDocsConfig) -> None:
        # The last build is thrown away: its files are moved, not linked, and the site
        # keeps the last search index until the new one is made.
        outputs = [f.dest_uri for f in files]
        self._reuse.move_into(Path(config.site_dir), outputs, [OUTPUT_DIR])

    def finish(self, config: MkDocsConfig) -> None:
        super().finish(config)
        if self._search:
            SESSION.afterwards.start(
                Path(config.site_dir),
                lambda: self._feed_files(config),
                lambda: self._new_index(config),
                self._searchable,
            )
