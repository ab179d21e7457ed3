"""One build of the site, from loading the papers to swapping the new site in.

The plugin's events hand their work to a `Build`, which owns what lives from one event
to the next: the catalog, the search index being made, the site swapped in whole
(atomic.py), the pages kept from the last build (reuse.py), the worker processes
(workers.py), and when the collector may walk what the build made (memory.py).
`ServeBuild` (serve.py) is the variant for `mkdocs serve`, which keeps a session across
rebuilds.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import CountHandler

from paperfeed import urls
from paperfeed.authors import page_minimum
from paperfeed.catalog import Catalog
from paperfeed.digest.content import DigestSettings
from paperfeed.digest.feeds import with_digest_feeds
from paperfeed.errors import PaperfeedError
from paperfeed.export import EXPORT_PATH, papers_json
from paperfeed.feeds import FeedSettings, feed_files
from paperfeed.fingerprint import Fingerprints
from paperfeed.linked_data import scholarly_article
from paperfeed.load import load_entries
from paperfeed.pages import site_pages
from paperfeed.plugin import chrome, language, material_config, pieces, theme
from paperfeed.plugin.atomic import AtomicSite
from paperfeed.plugin.generated import (
    GeneratedPage,
    PageFile,
    ParsedPage,
    convert_page,
    nav_titles,
)
from paperfeed.plugin.memory import Memory
from paperfeed.plugin.reuse import PageReuse, site_key_of
from paperfeed.plugin.search import unhook_lunr
from paperfeed.plugin.skip import BLANK, SkippedPages
from paperfeed.plugin.workers import PageWorkers
from paperfeed.processes import cores, may_fork
from paperfeed.render import author_links
from paperfeed.search_index import OUTPUT_DIR, PaperIndex, install
from paperfeed.whitespace import squeezed

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    from paperfeed.catalog import CardCache, PaperView
    from paperfeed.load import EntryCache
    from paperfeed.pages import GeneratedPage as SitePage
    from paperfeed.plugin.config import PaperfeedConfig

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


# Listed in the nav by the site's author if wanted; every other generated page is
# reached through links, so the nav (copied into every page) stays short.
_NAV_CANDIDATES = frozenset(
    {
        "index.md",
        "trending.md",
        "archive.md",
        "tags/index.md",
        "authors/index.md",
        "subscribe.md",
    }
)


@contextmanager
def reported(what: str | None = None) -> Iterator[None]:
    """paperfeed's errors as MkDocs prints them: a message, no traceback."""
    try:
        yield
    except PaperfeedError as e:
        text = e.report(limit=100)
        if what:
            text = f"{len(e.problems)} problem(s) in {what}:\n{text}"
        raise PluginError(text) from None


class Build:
    """`mkdocs build`: pages and the search index made in forks of the build, where
    `fork` is asked for and processes.py allows it."""

    # Whether the replaced site is removed in a thread (a preview need not wait for it).
    _drop_in_background = False
    # What is kept from one build of a `serve` session to the next (see ServeBuild).
    _entries: EntryCache | None = None
    _cards: CardCache | None = None
    _card_hashes: dict | None = None

    def __init__(self, options: PaperfeedConfig, atomic: bool, fork: bool = False) -> None:
        self.options = options
        self.catalog: Catalog | None = None
        self._atomic = atomic
        self._fork = fork
        self._swap: AtomicSite | None = None
        self._converted: dict[str, ParsedPage] = {}
        self._updated: dict[str, str] = {}
        self._pageless: set[str] = set()
        self._author_min = 1
        self._search = False
        self._searchable: list[str] = []
        self._index: PaperIndex | None = None
        self._workers = PageWorkers(1)
        self._skipped = SkippedPages()
        self._reuse = PageReuse(None)
        self.nav: Navigation | None = None

    def configure(self, config: MkDocsConfig) -> MkDocsConfig:
        """Everything is validated here, before MkDocs cleans site_dir, so a bad entry
        leaves the previous site as it was."""
        _check_site(config)
        theme.install(config)
        self._load(config)
        Memory.settled()  # the papers live until the build ends
        self._search = unhook_lunr(config)
        self._open_site(config)
        if self._search:
            self._start_index(config)
        return config

    def _load(self, config: MkDocsConfig) -> None:
        root = Path(config.config_file_path).parent
        with reported("paper entries"):
            # Pages are converted in the same pass as loading: one trip per paper.
            entries = load_entries(
                self.papers_dir(config), root, convert=convert_page, cache=self._entries
            )
        self.catalog = Catalog(
            {entry.source: entry.paper for entry in entries},
            self._cards,
            similar_limit=self.options.similar_limit,
        )
        self._converted = {entry.paper.id: entry.page for entry in entries}
        log.info(f"Loaded {len(self.catalog.papers)} papers over {len(self.catalog.days)} days")

    def _open_site(self, config: MkDocsConfig) -> None:
        """Build into a staging folder beside the site (see new_build)."""
        if self._atomic:
            self._swap = AtomicSite(Path(config.site_dir))
            config.site_dir = str(self._swap.staging)
            self._reuse = PageReuse(self._swap.site)

    def _start_index(self, config: MkDocsConfig) -> None:
        """The papers are indexed from their entries while the pages are built."""
        self._index = self._new_index(config, fork=self._may_fork())

    def _new_index(self, config: MkDocsConfig, fork: bool = False) -> PaperIndex:
        return PaperIndex(
            self._scratch(config, "search") / OUTPUT_DIR, self._searched(), _lang(config), fork=fork
        )

    def _may_fork(self) -> bool:
        """The one decision to fork: asked for by the command, and safe now."""
        return self._fork and may_fork()

    def add_pages(self, files: Files, config: MkDocsConfig) -> Files:
        """The generated pages, and the feeds, as files of the site."""
        assert self.catalog is not None
        minimum = self._author_min = self._author_minimum()
        self._pageless = {slug for slug, _, count in self.catalog.authors if count < minimum}
        titles = nav_titles(config.nav)
        fingerprints = Fingerprints(
            self.catalog, site_key_of(config), self._pageless, self._card_hashes
        )
        pages = site_pages(
            self.catalog, self._converted, minimum, ParsedPage.of, self.options.listing_page_size
        )
        for page in pages:
            if files.get_file_from_path(page.uri) is not None:
                log.warning(f"docs/{page.uri} replaces the page paperfeed would generate there")
                continue
            made = self._generated(page, config, titles.get(page.uri))
            files.append(made.file)
            made.kept = self._reuse.keep(made.file.dest_uri, fingerprints.of(page))
        Memory.settled()  # the pages, like the papers, live until the build ends
        self._add_feeds(files, config)
        return files

    def _author_minimum(self) -> int:
        """The fewest papers that give an author a page: the maintainer's, else one
        chosen from the feed's size (authors.page_minimum)."""
        assert self.catalog is not None
        chosen = self.options.author_pages_min_papers
        if chosen is not None:
            return chosen
        counts = [count for _, _, count in self.catalog.authors]
        return page_minimum(counts, len(self.catalog.papers))

    def _generated(self, page: SitePage, config: MkDocsConfig, title: str | None) -> GeneratedPage:
        inclusion = (
            InclusionLevel.UNDEFINED if page.uri in _NAV_CANDIDATES else InclusionLevel.NOT_IN_NAV
        )
        file = PageFile.of(config, page.uri, page.markdown, inclusion)
        made = GeneratedPage(title, file, config)
        made.converted = page.markdown
        if page.updated:
            self._updated[page.uri] = page.updated.isoformat()
        return made

    def _add_feeds(self, files: Files, config: MkDocsConfig) -> None:
        # The feeds are files of the site like any other: MkDocs serves them and checks
        # links to them. Each is written into the site as it is made (thousands of author
        # feeds are too many to hold at once), and MkDocs, seeing a file whose source is
        # where it goes, leaves it there: a copy would create every file twice.
        site_dir = config.site_dir
        for path, data in self._feed_files(config):
            write_into(Path(site_dir), path, data)
            files.append(File(path, site_dir, site_dir, config.use_directory_urls))

    def _feed_files(self, config: MkDocsConfig) -> Iterator[tuple[str, FileData]]:
        assert self.catalog is not None
        settings = self._feed_settings(config)
        # The digests as `paperfeed digest` mails them: its limit, the feed's overrides/
        overrides = Path(config.config_file_path).parent / "overrides"
        digest = DigestSettings(config.site_name, settings.site_url, self.options.digest_limit)
        with reported():
            yield from with_digest_feeds(
                feed_files(self.catalog, settings),
                self.catalog,
                digest,
                [overrides] if overrides.is_dir() else [],
            )
        yield EXPORT_PATH, papers_json(self.catalog, settings)

    def date(self, page: Page) -> None:
        """The sitemap dates pages by the build's clock; ours date them by their papers,
        and hand-written pages by the newest paper, so rebuilds are byte-identical."""
        assert self.catalog is not None
        latest = self.catalog.latest_day
        page.update_date = self._updated.get(
            page.file.src_uri, latest.isoformat() if latest else page.update_date
        )

    def page_context(self, page: Page, config: MkDocsConfig) -> None:
        """Read a generated page just before it is rendered (not the pages a worker
        renders: they pass through here with a blank template)."""
        if isinstance(page, GeneratedPage) and not page.loaded and page.meta["template"] != BLANK:
            page.load(config)

    def page_written(self, page: Page, output: str) -> str:
        """A generated page's HTML without the templates' indentation (whitespace.py);
        hand-written pages are their authors'."""
        if not isinstance(page, GeneratedPage):
            return output
        page.release()
        return squeezed(output)

    def prepare(self, env: Environment, config: MkDocsConfig, files: Files) -> None:
        """The theme's globals, then the pages split: kept from the last build, rendered
        by workers, or rendered by MkDocs' own loop."""
        self._install_globals(env)
        # Every page is read by now and lives until the build ends: frozen, they are
        # left alone while pages are written, until post_build.
        Memory.settled()
        doc_files = files.documentation_pages()
        generated = [f.page for f in doc_files if isinstance(f.page, GeneratedPage)]
        # What search reads besides the paper pages: the hand-written ones (About ...)
        self._searchable = [f.dest_uri for f in doc_files if not isinstance(f.page, GeneratedPage)]
        self._skipped.install(env)
        self._skipped.add(page for page in generated if page.kept)
        if self._may_fork() and self.nav is not None:
            self._workers = PageWorkers(self.options.render_workers or cores())
            to_render = [page for page in generated if not page.kept]
            self._skipped.add(self._workers.start(to_render, config, self.nav, env, doc_files))
        # After the fork: the kept files are linked in by threads, which a fork drops.
        self._bring_kept(files, config)
        if self._reuse.kept:
            log.info(f"{len(self._reuse.kept)} unchanged pages kept from the last build")

    def _install_globals(self, env: Environment) -> None:
        # Listing templates ask the catalog for their cards.
        env.globals["paperfeed"] = self.catalog
        env.globals["paperfeed_json_ld"] = scholarly_article
        # Paper pages link each author to their page, or to the authors index.
        env.globals["paperfeed_authors"] = partial(author_links, pageless=self._pageless)
        # Where each page is: templates spell no path of their own.
        env.globals["pf_urls"] = urls
        # The home and subscribe pages show an email box when the feed has a provider.
        env.globals["paperfeed_subscribe_form"] = self.options.subscribe_form
        chrome.install(env)
        pieces.install(env)
        language.install(env)
        material_config.install(env)

    def _bring_kept(self, files: Files, config: MkDocsConfig) -> None:
        self._reuse.link_into(Path(config.site_dir))

    def finish(self, config: MkDocsConfig) -> None:
        """Wait for the workers and the index, then swap the new site in."""
        self._skipped.remove()
        self._reuse.finish()
        problems = self._workers.finish()
        if problems:
            raise PluginError("rendering pages in worker processes: " + "; ".join(problems))
        self._finish_index(config)
        Memory.build_ended()
        if self._swap:
            if config.strict and _warnings_so_far():
                self._swap.abandon()  # MkDocs aborts the build right after this event
            else:
                self._swap.commit(background=self._drop_in_background)
                config.site_dir = str(self._swap.site)
                self._reuse.save(self._swap.site)

    def _finish_index(self, config: MkDocsConfig) -> None:
        if self._index is None:
            return
        index, self._index = self._index, None
        site = Path(config.site_dir)
        try:
            with reported():
                pages = index.finish(site, self._searchable)
                install(index.output, site)
        finally:
            shutil.rmtree(index.output.parent, ignore_errors=True)
        log.info(f"Search index: {pages} pages indexed by Pagefind")

    def fail(self) -> None:
        """The build failed: stop what still runs, and leave the last site as it was."""
        Memory.build_ended()
        self._skipped.remove()
        self._workers.stop()
        self._reuse.finish()
        if self._index is not None:
            self._index.stop()
            shutil.rmtree(self._index.output.parent, ignore_errors=True)
            self._index = None
        if self._swap:
            self._swap.abandon()

    def papers_dir(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path).parent / self.options.papers_dir

    def _searched(self) -> list[tuple[PaperView, ParsedPage]]:
        """Each paper with its converted page, which search indexes (and MkDocs renders)."""
        catalog = self.catalog
        assert catalog is not None
        return [(catalog.card(paper), self._converted[paper.id]) for paper in catalog.papers]

    def _scratch(self, config: MkDocsConfig, name: str) -> Path:
        """A folder beside the site for what is made before it goes in (the search
        index): inside the staging area when the build is swapped in."""
        if self._swap:
            return self._swap.scratch(name)
        site = Path(config.site_dir).resolve()
        site.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".paperfeed-{name}-", dir=site.parent))

    def _feed_settings(self, config: MkDocsConfig) -> FeedSettings:
        site_url = config.site_url or ""
        return FeedSettings(
            title=self.options.feed_title or config.site_name,
            site_url=site_url if site_url.endswith("/") else site_url + "/",
            description=self.options.feed_description
            or config.site_description
            or FeedSettings.description,
            limit=self.options.feed_limit,
            author_min=self._author_min,
            author_limit=self.options.author_feed_limit,
            tag_limit=self.options.tag_feed_limit,
        )


# A file's bytes, or its pieces one after the other (papers.json: too large to hold).
FileData = bytes | Iterable[bytes]


def write_into(folder: Path, path: str, data: FileData) -> None:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        out.writelines([data] if isinstance(data, bytes) else data)


def _check_site(config: MkDocsConfig) -> None:
    """The MkDocs settings paperfeed's links rely on."""
    if not config.site_url:
        raise PluginError(
            "mkdocs.yml: site_url: paperfeed needs it for absolute links in the feeds: "
            "add e.g. `site_url: https://example.org/papers/`"
        )
    if not config.use_directory_urls:
        raise PluginError(
            "mkdocs.yml: use_directory_urls: paperfeed links pages as /papers/<id>/: "
            "remove the setting or set it to true"
        )


def _lang(config: MkDocsConfig) -> str:
    """The language pages declare (<html lang>), which Pagefind stems words by."""
    return str(config.theme.get("language") or "en")


def _warnings_so_far() -> bool:
    """Whether `mkdocs build --strict` is about to fail: it counts warnings with a handler
    (on the `mkdocs` logger, or on `properdocs` when ProperDocs runs the build)."""
    handlers = [*logging.getLogger("mkdocs").handlers, *logging.getLogger("properdocs").handlers]
    return any(isinstance(h, CountHandler) and h.get_counts() for h in handlers)
