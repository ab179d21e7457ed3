"""The site's search index: Pagefind reads the built pages once and splits the index up.

Material's lunr index is one JSON file that every reader downloads and indexes whole
before the first result, about 1.9 MB per 1,000 papers. Pagefind's index comes in
chunks of a few kilobytes that the browser fetches for the words typed, so a search
costs about the same at 100 papers and at 100,000.

Only what a page marks with `data-pagefind-body` is indexed (the paper, not the site's
chrome), and the pages go in as folders: Pagefind's Python API answers each call after
a poll, so page-by-page records would take minutes.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

OUTPUT_DIR = "pagefind"
PAPER_PAGES = "papers/*/index.html"
# Pagefind holds a whole index in memory until it writes it, about 140 KB a paper; a
# bigger feed is indexed in parts of this many papers, one after the other, and the
# browser merges them (search.js reads the list of parts from SHARDS_FILE).
SHARD_PAGES = 10_000
SHARDS_FILE = "paperfeed-shards.json"
_BODY = re.compile(r"<article\b[^>]*\bdata-pagefind-body\b[^>]*>.*?</article>", re.DOTALL)
_LANG = re.compile(r'<html\b[^>]*\blang="([\w-]+)"')


class SearchIndexError(Exception):
    """Pagefind could not run or could not index the site: the message says which."""


def write_search_index(
    site_dir: Path,
    others: Sequence[str] = (),
    shard_pages: int | None = None,
    records: Path | None = None,
) -> int:
    """Index the paper pages of the built site, and the pages `others` (glob patterns),
    into `site_dir/pagefind/`; the count of pages indexed.

    Only paper pages and hand-written ones are read: the listings hold nothing to index,
    and parsing them costs seconds on a big feed. `records`: a folder of search records
    (see `search_record`) by page path, read in place of the pages they were taken from.
    """
    site_dir = site_dir.resolve()
    shard_pages = shard_pages or SHARD_PAGES
    papers = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.glob(PAPER_PAGES))
    parts = [papers[i : i + shard_pages] for i in range(0, len(papers), shard_pages)]
    source = site_dir
    if records is not None:
        source = records.resolve()
        for page in papers:  # a page kept from the last build has no record: read it whole
            if not (source / page).exists():
                (source / page).parent.mkdir(parents=True, exist_ok=True)
                os.link(site_dir / page, source / page)
    try:
        return asyncio.run(_index_all(site_dir, source, list(others), parts))
    except FileNotFoundError as e:
        raise SearchIndexError(
            f"the Pagefind binary is missing ({e}): reinstall paperfeed, "
            "or run `pip install 'pagefind[bin]'`"
        ) from None
    except SearchIndexError:
        raise
    except Exception as e:  # the service reports its own failures as plain exceptions
        raise SearchIndexError(f"Pagefind failed on {site_dir}: {e}") from None


def search_record(html: str) -> str | None:
    """What search reads of a built page (its `data-pagefind-body` article), as a page
    of its own: a few kilobytes for Pagefind to read instead of the whole page, taken
    while the page is in memory. None for a page with nothing to index."""
    body = _BODY.search(html)
    if body is None:
        return None
    lang = _LANG.search(html)
    return (
        f'<!doctype html><html lang="{lang[1] if lang else "en"}"><head><meta charset="utf-8">'
        f"</head><body>{body[0]}</body></html>"
    )


def glob_escape(path: str) -> str:
    """A file path as a Pagefind glob that matches it alone."""
    return re.sub(r"([*?\[\]{}\\,!])", r"\\\1", path)


async def _index_all(
    site_dir: Path, source: Path, others: list[str], parts: list[list[str]]
) -> int:
    output = site_dir / OUTPUT_DIR
    shards: list[str] = []
    if len(parts) <= 1 and source == site_dir:
        count = await _index(output, [(site_dir, [PAPER_PAGES, *others])])
    elif len(parts) <= 1:
        hand_written = [(site_dir, others)] if others else []
        count = await _index(output, [(source, [PAPER_PAGES]), *hand_written])
    else:
        count = await _index_part(site_dir, source, parts[0], output, others)
        shards = [f"shard-{k}/" for k in range(1, len(parts))]
        for shard, part in zip(shards, parts[1:], strict=True):
            count += await _index_part(site_dir, source, part, output / shard)
    (output / SHARDS_FILE).write_text(json.dumps(shards), encoding="utf-8")
    return count


async def _index_part(
    site_dir: Path, source: Path, part: list[str], output: Path, others: Sequence[str] = ()
) -> int:
    """One part: a folder of links to its pages, so Pagefind reads those alone and still
    gives each its URL (its path under the folder)."""
    with tempfile.TemporaryDirectory(prefix=".paperfeed-search-", dir=site_dir.parent) as tmp:
        for page in part:
            (Path(tmp) / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(source / page, Path(tmp) / page)
        sources = [(Path(tmp), [])] + ([(site_dir, list(others))] if others else [])
        return await _index(output, sources)


async def _index(output: Path, sources: list[tuple[Path, list[str]]]) -> int:
    """One Pagefind index of the pages matching each (folder, globs) of `sources`."""
    # Imported here: the binary is looked up on import of the service, and the core
    # should load (and `paperfeed check` run) where no search index is ever built.
    from pagefind.index import IndexConfig, PagefindIndex

    # The ¶ permalinks that Markdown's toc adds to headings are not part of the text.
    config = IndexConfig(output_path=str(output), exclude_selectors=[".headerlink"])
    count = 0
    async with PagefindIndex(config=config) as index:
        for folder, globs in sources:
            glob = "{" + ",".join(globs) + "}" if globs else None
            done = await index.add_directory(path=str(folder), glob=glob)
            count += done["page_count"]
    return count
