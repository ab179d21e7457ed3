"""The site's search index: Pagefind indexes each paper from the paper itself.

Material's lunr index is one JSON file that every reader downloads and indexes whole
before the first result, about 1.9 MB per 1,000 papers. Pagefind's index comes in
chunks that the browser fetches for the words typed: about 250 KB for a search at
10,000 papers, opening the box included.

Pagefind reads, for each paper, a small page made from its entry (search-record.html:
the text the paper's page shows under `data-pagefind-body`), streamed to its service
from memory (pagefind_service.py). So indexing needs no built page: it runs beside the
rendering, in threads, and the site's pages are never read back from the disk.
Hand-written pages (About ...) are indexed once built, into an index of their own that
the browser merges.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from paperfeed.convert import split_page
from paperfeed.entry import Paper
from paperfeed.pagefind_service import PagefindIndex, PagefindService, PagefindServiceError
from paperfeed.render import search_record

OUTPUT_DIR = "pagefind"
# A search costs Pagefind time in the square of a word's hits in each index part: at
# 10,000 papers a word in 81% of them took 560 ms in one index, 240 ms in four. So the
# papers are indexed in parts of this many, one after the other (which also bounds
# Pagefind's memory, about 140 KB a paper until a part is written), and the browser
# merges them: search.js reads the list of parts from SHARDS_FILE.
SHARD_PAGES = 2_500
SHARDS_FILE = "paperfeed-shards.json"
_SERVICES = 2
PAGES_SHARD = "pages/"
# The ¶ permalinks that Markdown's toc adds to headings are not part of the text.
_CONFIG = {"exclude_selectors": [".headerlink"]}


class SearchIndexError(Exception):
    """Pagefind could not run or could not index the site: the message says which."""


class PaperIndex:
    """The papers' index, written into `output` by threads while the site is built."""

    def __init__(self, output: Path, papers: Sequence[tuple[Paper, str]], lang: str) -> None:
        """`papers`: each paper with its converted page (see convert.py)."""
        self.output = output
        self._papers = sorted(papers, key=lambda p: p[0].id)  # the same bytes every build
        self._lang = lang
        self._parts = max(1, -(-len(self._papers) // SHARD_PAGES))
        self._failures: list[str] = []
        self._stopped = threading.Event()
        # Pagefind's service works through one request after another: a part's index
        # is written on one core. Two services take every other part.
        self._threads = [
            threading.Thread(target=self._run, args=(first,), daemon=True)
            for first in range(min(_SERVICES, self._parts))
        ]
        for thread in self._threads:
            thread.start()

    def finish(self, site_dir: Path, pages: Sequence[str]) -> int:
        """Wait for the papers, index the built `pages` of `site_dir` (paths), and
        write the list of parts; the count of pages indexed."""
        for thread in self._threads:
            thread.join()
        if self._failures:
            raise SearchIndexError(self._failures[0])
        shards = [_shard(part) for part in range(1, self._parts)]
        if pages:
            with _reported():
                _index_pages(self.output / PAGES_SHARD, site_dir, pages)
            _check_written(self.output / PAGES_SHARD)
            shards.append(PAGES_SHARD)
        (self.output / SHARDS_FILE).write_text(json.dumps(shards), encoding="utf-8")
        return len(self._papers) + len(pages)

    def stop(self) -> None:
        """The build failed: stop as soon as the parts being written are done."""
        self._stopped.set()
        for thread in self._threads:
            thread.join()

    def _run(self, first: int) -> None:
        try:
            with _reported():
                self._index_parts(range(first, self._parts, _SERVICES))
        except SearchIndexError as e:
            self._failures.append(str(e))

    def _index_parts(self, parts: range) -> None:
        self.output.mkdir(parents=True, exist_ok=True)
        with PagefindService() as service:
            for part in parts:
                if self._stopped.is_set():
                    return
                index = PagefindIndex(service, _CONFIG)
                for paper, page in self._papers[part * SHARD_PAGES : (part + 1) * SHARD_PAGES]:
                    html = search_record(paper, split_page(page)[1], self._lang)
                    index.add_html(f"papers/{paper.id}/index.html", html)
                index.write(str(self.output / _shard(part)))
                _check_written(self.output / _shard(part))


def _check_written(output: Path) -> None:
    """An index whose entry file is missing or empty fails in every reader's browser."""
    entry = output / "pagefind-entry.json"
    if not entry.is_file() or entry.stat().st_size == 0:
        raise SearchIndexError(f"Pagefind wrote no {entry.name} in {output}: build again")


def _shard(part: int) -> str:
    """Where a part of the index goes, under the output: the first is the main index."""
    return f"shard-{part}/" if part else ""


def _index_pages(output: Path, site_dir: Path, pages: Sequence[str]) -> None:
    """Index built pages of the site, by their paths in it."""
    with PagefindService() as service:
        index = PagefindIndex(service, _CONFIG)
        for page in pages:
            index.add_html(page, (site_dir / page).read_text(encoding="utf-8"))
        index.write(str(output))


@contextmanager
def _reported() -> Iterator[None]:
    """Pagefind's failures, and the disk's, as SearchIndexError."""
    try:
        yield
    except PagefindServiceError as e:
        raise SearchIndexError(str(e)) from None
    except OSError as e:
        raise SearchIndexError(f"{e.filename or 'Pagefind'}: {e.strerror or e}") from None


def install(output: Path, site_dir: Path) -> None:
    """Put a finished index in the site, in place of any earlier one."""
    target = site_dir / OUTPUT_DIR
    if target.exists():
        old = target.with_name(f".{OUTPUT_DIR}-old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        shutil.rmtree(old, ignore_errors=True)
    output.rename(target)
