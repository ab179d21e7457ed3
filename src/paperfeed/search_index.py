"""The site's search index: Pagefind indexes each paper from the paper itself.

Material's lunr index is one JSON file that every reader downloads and indexes whole
before the first result, and it grows with the feed. Pagefind's index comes in chunks
that the browser fetches for the words typed (the README's benchmark has the sizes).

Pagefind reads, for each paper, a small page made from its entry (search-record.html:
the text the paper's page shows under `data-pagefind-body`). So indexing needs no built
page and starts as soon as the papers are loaded, beside the rendering; the site's
pages are never read back. The records of a part go into a folder in memory (/dev/shm,
where there is one) that Pagefind's command line indexes in one call. Its service mode,
which the `pagefind` package drives, costs more CPU (and the package polls for each
answer: Pagefind/pagefind#976); record files on the disk cost more than either,
creating and deleting two inodes a paper.

In `mkdocs build` the index is made by a fork of the build at a lower priority: it
takes the core the build leaves idle while it generates pages, and what is left once
the pages are written, without slowing the rendering meanwhile. Hand-written pages
(About ...) are indexed once built, into an index of their own that the browser merges.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from paperfeed.catalog import PaperView
from paperfeed.convert import PageSource
from paperfeed.errors import PaperfeedError, Problem
from paperfeed.pagefind_order import PagefindFormatError, stabilise
from paperfeed.processes import Forked, orphaned
from paperfeed.render import empty_index, search_record
from paperfeed.urls import paper_path

OUTPUT_DIR = "pagefind"
# What a failure names (errors.py's Problem.path): the site's search index.
WHERE = "search index"
# A search costs Pagefind time in the square of a word's hits in each index part, so
# the papers are indexed in parts of this many (which also bounds Pagefind's memory,
# held for every paper until a part is written), and the browser merges them: search.js
# reads the list of parts from SHARDS_FILE.
SHARD_PAGES = 2_500
SHARDS_FILE = "paperfeed-shards.json"
# Parts indexed at a time: Pagefind writes a part's index on one core.
_AT_ONCE = 2
# How much lower the forked indexer runs than the build (see above).
NICENESS = 10
PAGES_SHARD = "pages/"
# The ¶ permalinks that Markdown's toc adds to headings are not part of the text.
_EXCLUDE_SELECTORS = ".headerlink"
_IN_MEMORY = Path("/dev/shm")
_RECORDS = "paperfeed-search-"


class SearchIndexError(PaperfeedError):
    """Pagefind could not run or could not index the site: which `step` failed, and why.

    Shown as "search index: <step>: <why>"."""

    def __init__(self, step: str, why: str) -> None:
        self.step, self.why = step, why
        super().__init__(Problem(WHERE, None, step, why))


class PaperIndex:
    """The papers' index, written into `output` while the site is built: by a forked
    child (`fork`, for a process with no other thread) or by threads."""

    def __init__(
        self,
        output: Path,
        papers: Sequence[tuple[PaperView, PageSource]],
        lang: str,
        fork: bool = False,
    ) -> None:
        """`papers`: each paper, as its page shows it, with its converted page."""
        self.output = output
        self._papers = sorted(papers, key=lambda p: p[0].id)  # the same bytes every build
        self._lang = lang
        self._parts = max(1, -(-len(self._papers) // SHARD_PAGES))
        self._failures: list[list[str]] = []  # [step, why]: a child sends them as JSON
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        self._child: Forked | None = None  # (what the child itself sees)
        # The pages Pagefind reads, a folder per part; made here, so the build removes
        # it even if it had to kill the child that writes in it.
        self._records = _records_folder()
        if fork:
            self._child = Forked(self._index_in_child, NICENESS)
        else:
            self._start()

    def finish(self, site_dir: Path, pages: Sequence[str]) -> int:
        """Wait for the papers, index the built `pages` of `site_dir` (paths), and
        write the list of parts; the count of pages indexed."""
        self._wait()
        if self._failures:
            raise SearchIndexError(*self._failures[0])
        shards = [_shard(part) for part in range(1, self._parts)]
        if not self._papers:  # the main index is the pages'
            self._index_pages(site_dir, pages, self.output)
        elif pages:
            self._index_pages(site_dir, pages, self.output / PAGES_SHARD)
            shards.append(PAGES_SHARD)
        (self.output / SHARDS_FILE).write_text(json.dumps(shards), encoding="utf-8")
        shutil.rmtree(self._records, ignore_errors=True)
        return len(self._papers) + len(pages)

    def stop(self) -> None:
        """The build failed: stop now (a child), or once the parts begun are done."""
        self._stopped.set()
        if self._child is not None:
            self._child.kill()
            self._child = None
        self._wait()
        shutil.rmtree(self._records, ignore_errors=True)

    def _start(self) -> None:
        self._threads = [
            threading.Thread(target=self._run, args=(first,), daemon=True)
            for first in range(min(_AT_ONCE, self._parts))
        ]
        for thread in self._threads:
            thread.start()

    def _wait(self) -> None:
        if self._child is not None:
            result = self._child.result()
            self._child = None
            self._failures += result.get("failures", [])
            if "error" in result:
                self._failures.append(["indexing the papers", result["error"]])
        for thread in self._threads:
            thread.join()
        self._threads = []

    def _index_in_child(self) -> dict[str, Any]:
        self._start()
        self._wait()
        if orphaned():  # no one else is left to remove it
            shutil.rmtree(self._records, ignore_errors=True)
        return {"failures": self._failures}

    def _run(self, first: int) -> None:
        try:
            with _reported():
                for part in range(first, self._parts, _AT_ONCE):
                    if self._stopped.is_set() or orphaned():
                        return
                    self._index_part(part)
        except SearchIndexError as e:
            self._failures.append([e.step, e.why])

    def _index_part(self, part: int) -> None:
        papers = self._papers[part * SHARD_PAGES : (part + 1) * SHARD_PAGES]
        if not papers:
            return
        with self._folder(f"part-{part}") as folder:
            for paper, page in papers:
                # where the paper's page is in the site: Pagefind takes its URL from it
                record = folder / paper_path(paper.id) / "index.html"
                record.parent.mkdir(parents=True)
                html = search_record(paper, page.body, self._lang)
                record.write_text(html, encoding="utf-8")
            _pagefind(folder, self.output / _shard(part))

    def _index_pages(self, site_dir: Path, pages: Sequence[str], output: Path) -> None:
        with _reported(), self._folder("pages") as folder:
            for page in pages:
                (folder / page).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(site_dir / page, folder / page)
            if not pages:
                (folder / "index.html").write_text(empty_index(self._lang), encoding="utf-8")
            _pagefind(folder, output)

    @contextmanager
    def _folder(self, name: str) -> Iterator[Path]:
        folder = self._records / name
        folder.mkdir()
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def executable() -> str:
    """The binary the `pagefind[bin]` package installed (or one on PATH)."""
    # Imported here: the lookup runs on import, and only a build with search needs it.
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise SearchIndexError(
            "the Pagefind binary is missing",
            "reinstall paperfeed, or run `pip install 'pagefind[bin]'`",
        )
    return str(found)


def _pagefind(site: Path, output: Path) -> None:
    """Index the pages under `site` into a bundle at `output`."""
    command = [executable(), "--site", str(site), "--output-path", str(output)]
    command += ["--exclude-selectors", _EXCLUDE_SELECTORS, "--silent"]
    done = subprocess.run(command, capture_output=True, text=True, errors="replace")
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip())[-2000:]
        raise SearchIndexError(
            f"pagefind ended (status {done.returncode})", said or "it printed nothing"
        )
    # An index whose entry file is missing or empty fails in every reader's browser.
    entry = output / "pagefind-entry.json"
    if not entry.is_file() or entry.stat().st_size == 0:
        raise SearchIndexError(f"Pagefind wrote no {entry.name} in {output}", "build again")
    # Its filter files come in a new order every run: sorted, two builds are identical.
    try:
        stabilise(output)
    except PagefindFormatError as e:
        raise SearchIndexError(f"sorting {e.path}", e.why) from None


def _records_folder() -> Path:
    """A scratch folder for the pages Pagefind reads, in memory where Linux has it."""
    place = _IN_MEMORY if _IN_MEMORY.is_dir() and os.access(_IN_MEMORY, os.W_OK) else None
    _sweep(place or Path(tempfile.gettempdir()))
    return Path(tempfile.mkdtemp(prefix=f"{_RECORDS}{os.getpid()}-", dir=place))


def _sweep(place: Path) -> None:
    """Remove what killed builds left there: files in memory outlive their build."""
    for folder in place.glob(_RECORDS + "*"):
        owner = folder.name.removeprefix(_RECORDS).split("-")[0]
        if owner.isdigit() and not _running(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _shard(part: int) -> str:
    """Where a part of the index goes, under the output: the first is the main index."""
    return f"shard-{part}/" if part else ""


@contextmanager
def _reported() -> Iterator[None]:
    """The disk's failures as SearchIndexError."""
    try:
        yield
    except OSError as e:
        raise SearchIndexError(str(e.filename or "Pagefind"), e.strerror or str(e)) from None


def install(output: Path, site_dir: Path) -> None:
    """Put a finished index in the site, in place of any earlier one."""
    target = site_dir / OUTPUT_DIR
    if target.exists():
        old = target.with_name(f".{OUTPUT_DIR}-old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        shutil.rmtree(old, ignore_errors=True)
    output.rename(target)
