"""Hands each MkDocs build event to the core: load, generate pages, write feeds."""

from __future__ import annotations

import gc
import logging
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import CountHandler

from paperfeed.catalog import Catalog
from paperfeed.convert import MarkdownPage, convert
from paperfeed.errors import PaperfeedError
from paperfeed.export import EXPORT_PATH, papers_json
from paperfeed.feeds import FeedSettings, render_feeds
from paperfeed.fingerprint import Fingerprints
from paperfeed.forked import no_other_thread
from paperfeed.linked_data import scholarly_article
from paperfeed.load import load_entries
from paperfeed.pages import site_pages
from paperfeed.plugin import chrome, language, pieces, theme
from paperfeed.plugin.atomic import AtomicSite
from paperfeed.plugin.config import PaperfeedConfig
from paperfeed.plugin.generated import GeneratedPage, nav_titles
from paperfeed.plugin.reuse import PageReuse, site_key_of
from paperfeed.plugin.search import unhook_lunr
from paperfeed.plugin.serve import SESSION
from paperfeed.plugin.skip import BLANK, SkippedPages
from paperfeed.plugin.workers import PageWorkers, can_fork, usable_cores
from paperfeed.search_index import OUTPUT_DIR, PaperIndex, SearchIndexError, install

if TYPE_CHECKING:
    from collections.abc import Callable

    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page
    from mkdocs.utils.templates import TemplateContext

    from paperfeed.entry import Paper

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


_AUTHOR_LINK = re.compile(r'href="\.\./\.\./authors/([^"/]+)/"')


def _lang(config: MkDocsConfig) -> str:
    """The language pages declare (<html lang>), which Pagefind stems words by."""
    return str(config.theme.get("language") or "en")


def _warnings_so_far() -> bool:
    """Whether `mkdocs build --strict` is about to fail: it counts warnings with a handler."""
    handlers = logging.getLogger("mkdocs").handlers
    return any(isinstance(h, CountHandler) and h.get_counts() for h in handlers)


class PaperfeedPlugin(BasePlugin[PaperfeedConfig]):
    def __init__(self) -> None:
        self.catalog: Catalog | None = None
        self._swap: AtomicSite | None = None
        self._atomic = False
        self._converted: dict[str, MarkdownPage] = {}
        self._updated: dict[str, str] = {}
        self._pageless: set[str] = set()
        self._search = False
        self._serving = False
        self._searchable: list[str] = []
        self._index: PaperIndex | None = None
        self._forking = False
        self._workers = PageWorkers(1)
        self._skipped = SkippedPages()
        self._reuse = PageReuse(None)
        self._nav: Navigation | None = None

    def on_startup(self, command: str, dirty: bool) -> None:
        # A build is made beside the site and swapped in whole, so a failure or an
        # interrupt never leaves half a site, and the last one is there to keep pages from.
        self._atomic = command in ("build", "gh-deploy", "serve") and not dirty
        self._forking = command in ("build", "gh-deploy") and can_fork()
        self._serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Everything is validated here, before MkDocs cleans site_dir, so a bad
        # entry leaves the previous site as it was.
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
        theme.install(config)
        root = Path(config.config_file_path).parent
        try:
            # Pages are converted in the same pass as loading: one trip per paper.
            entries = load_entries(
                self._papers_dir(config),
                root,
                convert=convert,
                cache=SESSION.entries if self._serving else None,
            )
        except PaperfeedError as e:
            raise PluginError(
                f"{len(e.problems)} problem(s) in paper entries:\n{e.report(limit=100)}"
            ) from None
        self.catalog = Catalog(
            {entry.source: entry.paper for entry in entries},
            SESSION.cards if self._serving else None,
        )
        self._converted = {entry.paper.id: entry.page for entry in entries}
        log.info(f"Loaded {len(self.catalog.papers)} papers over {len(self.catalog.days)} days")
        # The papers live until the build ends: the collector would walk them again and
        # again for nothing (0.5 of its 1.4 s at 10,000 papers). See on_env.
        gc.freeze()
        self._search = unhook_lunr(config)
        if self._serving:
            SESSION.afterwards.wait()  # it writes into the site this build replaces
        if self._atomic:
            self._swap = AtomicSite(Path(config.site_dir))
            config.site_dir = str(self._swap.staging)
            self._reuse = PageReuse(self._swap.site)
        if self._search and not self._serving:
            # The papers are indexed from their entries while the pages are built.
            self._index = PaperIndex(
                self._scratch(config),
                self._searched(),
                _lang(config),
                fork=self._forking and no_other_thread(),
            )
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.catalog is not None
        minimum = self.config.author_pages_min_papers
        self._pageless = {slug for slug, _, count in self.catalog.authors if count < minimum}
        titles = nav_titles(config.nav)
        fingerprints = Fingerprints(
            self.catalog,
            site_key_of(config),
            self._pageless,
            SESSION.card_hashes if self._serving else None,
        )
        for page in site_pages(self.catalog, self._converted, minimum):
            if files.get_file_from_path(page.uri) is not None:
                log.warning(f"docs/{page.uri} replaces the page paperfeed would generate there")
                continue
            inclusion = (
                InclusionLevel.UNDEFINED
                if page.uri in _NAV_CANDIDATES
                else InclusionLevel.NOT_IN_NAV
            )
            file = File.generated(config, page.uri, content=page.text, inclusion=inclusion)
            files.append(file)
            made = GeneratedPage(titles.get(page.uri), file, config)
            made.converted = page.markdown
            made.kept = self._reuse.keep(file.dest_uri, fingerprints.of(page))
            if page.updated:
                self._updated[page.uri] = page.updated.isoformat()
        gc.freeze()  # the pages, like the papers, live until the build ends
        # The feeds are files of the site like any other: MkDocs writes them, serves
        # them, and checks links to them. A preview writes them after the pages.
        if not self._serving:
            for path, data in self._feed_files(config).items():
                files.append(File.generated(config, path, content=data))
        return files

    def _feed_files(self, config: MkDocsConfig) -> dict[str, bytes]:
        assert self.catalog is not None
        settings = self._feed_settings(config)
        feeds = render_feeds(self.catalog, settings)
        return {**feeds, EXPORT_PATH: papers_json(self.catalog, settings)}

    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        # The sitemap dates pages by the build's clock; ours date them by their papers,
        # and hand-written pages by the newest paper, so rebuilds are byte-identical.
        assert self.catalog is not None
        latest = self.catalog.latest_day
        page.update_date = self._updated.get(
            page.file.src_uri, latest.isoformat() if latest else page.update_date
        )
        return page

    @event_priority(100)  # first: other plugins see the page as it will be rendered
    def on_page_context(
        self, context: TemplateContext, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        # (not for the pages a worker renders: they pass through here with a blank template)
        if isinstance(page, GeneratedPage) and not page.loaded and page.meta["template"] != BLANK:
            page.load(config, self._link_authors)
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if isinstance(page, GeneratedPage):
            page.release()
        return output

    def _link_authors(self, html: str) -> str:
        # A paper page links every author to a page; some have none: link their entry
        # in the authors index instead.
        if not self._pageless:
            return html
        return _AUTHOR_LINK.sub(
            lambda m: f'href="../../authors/#{m[1]}"' if m[1] in self._pageless else m[0], html
        )

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        self._nav = nav
        return nav

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        # Listing templates ask the catalog for their cards.
        env.globals["paperfeed"] = self.catalog
        env.globals["paperfeed_json_ld"] = scholarly_article
        chrome.install(env)
        pieces.install(env)
        language.install(env)
        # Every page is read by now and lives until the build ends. Python's collector
        # would walk all of them again and again while pages are written (8 of 35 s at
        # 10,000 papers); frozen, they are left alone until post_build.
        gc.freeze()
        doc_files = files.documentation_pages()
        generated = [f.page for f in doc_files if isinstance(f.page, GeneratedPage)]
        # What search reads besides the paper pages: the hand-written ones (About ...)
        self._searchable = [f.dest_uri for f in doc_files if not isinstance(f.page, GeneratedPage)]
        self._skipped.install(env)
        self._skipped.add(page for page in generated if page.kept)
        if self._forking and self._nav is not None:
            self._workers = PageWorkers(self.config.render_workers or usable_cores())
            to_render = [page for page in generated if not page.kept]
            self._skipped.add(self._workers.start(to_render, config, self._nav, env, doc_files))
        # After the fork: the kept files are linked in by threads, which a fork drops. A
        # preview also keeps the last search index until the new one is made.
        if self._serving:
            outputs = [f.dest_uri for f in files]
            self._reuse.move_into(Path(config.site_dir), outputs, [OUTPUT_DIR])
        else:
            self._reuse.link_into(Path(config.site_dir))
        if self._reuse.kept:
            log.info(f"{len(self._reuse.kept)} unchanged pages kept from the last build")
        if self._serving:
            # MkDocs makes a new theme environment for every rebuild; the compiled
            # templates (half a second of compiling) need not be made again.
            env.bytecode_cache = SESSION.templates
        return env

    @event_priority(-100)  # last, after every other plugin has written its files
    def on_post_build(self, config: MkDocsConfig) -> None:
        self._skipped.remove()
        self._reuse.finish()
        problems = self._workers.finish()
        if problems:
            raise PluginError("rendering pages in worker processes: " + "; ".join(problems))
        if self._index is not None:
            index, self._index = self._index, None
            try:
                pages = index.finish(Path(config.site_dir), self._searchable)
                install(index.output, Path(config.site_dir))
            except SearchIndexError as e:
                raise PluginError(f"search index: {e}") from None
            finally:
                shutil.rmtree(index.output.parent, ignore_errors=True)
            log.info(f"Search index: {pages} pages indexed by Pagefind")
        gc.unfreeze()
        if self._swap:
            if config.strict and _warnings_so_far():
                self._swap.abandon()  # MkDocs aborts the build right after this event
            else:
                self._swap.commit(background=self._serving)
                config.site_dir = str(self._swap.site)
                self._reuse.save(self._swap.site)
        if self._search and self._serving:
            assert self.catalog is not None
            SESSION.afterwards.start(
                Path(config.site_dir),
                lambda: self._feed_files(config),
                lambda: PaperIndex(self._scratch(config), self._searched(), _lang(config)),
                self._searchable,
            )

    def on_build_error(self, error: Exception) -> None:
        gc.unfreeze()
        self._skipped.remove()
        self._workers.stop()
        self._reuse.finish()
        if self._index is not None:
            self._index.stop()
            shutil.rmtree(self._index.output.parent, ignore_errors=True)
            self._index = None
        if self._swap:
            self._swap.abandon()

    def on_shutdown(self) -> None:
        # MkDocs is about to exit. Python's last collection would walk every object the
        # build made, to free what the exit frees anyway: 0.8 s at 10,000 papers.
        gc.freeze()

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: Callable[[], None]
    ) -> LiveReloadServer:
        server.watch(str(self._papers_dir(config)))
        return server

    def _searched(self) -> list[tuple[Paper, MarkdownPage]]:
        """Each paper with its converted page, which search indexes (and MkDocs renders)."""
        assert self.catalog is not None
        return [(paper, self._converted[paper.id]) for paper in self.catalog.papers]

    def _scratch(self, config: MkDocsConfig) -> Path:
        """Where the search index is made before it goes into the site."""
        if self._swap:
            return self._swap.scratch("search") / OUTPUT_DIR
        site = Path(config.site_dir).resolve()
        site.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".paperfeed-search-", dir=site.parent)) / OUTPUT_DIR

    def _papers_dir(self, config: MkDocsConfig) -> Path:
        return Path(config.config_file_path).parent / self.config.papers_dir

    def _feed_settings(self, config: MkDocsConfig) -> FeedSettings:
        site_url = config.site_url or ""
        return FeedSettings(
            title=self.config.feed_title or config.site_name,
            site_url=site_url if site_url.endswith("/") else site_url + "/",
            description=self.config.feed_description
            or config.site_description
            or FeedSettings.description,
            limit=self.config.feed_limit,
        )
