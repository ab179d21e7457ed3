"""The site's search index: Pagefind reads the built pages once and splits the index up.

Material's lunr index is one JSON file that every reader downloads and indexes whole
before the first result, about 1.9 MB per 1,000 papers. Pagefind's index comes in
chunks of a few kilobytes that the browser fetches for the words typed, so a search
costs about the same at 100 papers and at 100,000.

Only what a page marks with `data-pagefind-body` is indexed (the paper, not the site's
chrome), and the whole site goes in as one directory: Pagefind's Python API answers
each call after a poll, so page-by-page records would take minutes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path

OUTPUT_DIR = "pagefind"


class SearchIndexError(Exception):
    """Pagefind could not run or could not index the site: the message says which."""


def write_search_index(site_dir: Path, pages: Sequence[str] = ()) -> int:
    """Index the built site in `site_dir` into `site_dir/pagefind/`; the count of pages.

    `pages`: glob patterns of the pages to read (default: all); the site's listings hold
    nothing to index, and parsing them costs seconds on a big feed.
    """
    try:
        return asyncio.run(_index(site_dir.resolve(), pages))
    except FileNotFoundError as e:
        raise SearchIndexError(
            f"the Pagefind binary is missing ({e}): reinstall paperfeed, "
            "or run `pip install 'pagefind[bin]'`"
        ) from None
    except SearchIndexError:
        raise
    except Exception as e:  # the service reports its own failures as plain exceptions
        raise SearchIndexError(f"Pagefind failed on {site_dir}: {e}") from None


def glob_escape(path: str) -> str:
    """A file path as a Pagefind glob that matches it alone."""
    return re.sub(r"([*?\[\]{}\\,!])", r"\\\1", path)


async def _index(site_dir: Path, pages: Sequence[str]) -> int:
    # Imported here: the binary is looked up on import of the service, and the core
    # should load (and `paperfeed check` run) where no search index is ever built.
    from pagefind.index import IndexConfig, PagefindIndex

    # The ¶ permalinks that Markdown's toc adds to headings are not part of the text.
    config = IndexConfig(output_path=str(site_dir / OUTPUT_DIR), exclude_selectors=[".headerlink"])
    async with PagefindIndex(config=config) as index:
        glob = "{" + ",".join(pages) + "}" if pages else None
        done = await index.add_directory(path=str(site_dir), glob=glob)
    return done["page_count"]
