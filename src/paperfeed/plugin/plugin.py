"""The MkDocs plugin: each build event hands its work to the build it belongs to.

MkDocs keeps one plugin for a whole `mkdocs serve` session (it has `on_startup`); each
build, and each rebuild, is a new `Build` (build.py) made in `on_config`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mkdocs.plugins import BasePlugin, event_priority

from paperfeed.plugin.build import Build
from paperfeed.plugin.config import PaperfeedConfig
from paperfeed.plugin.memory import Memory
from paperfeed.plugin.serve import ServeBuild

if TYPE_CHECKING:
    from collections.abc import Callable

    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page
    from mkdocs.utils.templates import TemplateContext


class PaperfeedPlugin(BasePlugin[PaperfeedConfig]):
    def __init__(self) -> None:
        self._command: str | None = None
        self._dirty = False
        self._build: Build | None = None

    @property
    def build(self) -> Build:
        assert self._build is not None, "on_config makes the build"
        return self._build

    def on_startup(self, command: str, dirty: bool) -> None:
        self._command, self._dirty = command, dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._build = new_build(self.config, self._command, self._dirty)
        return self._build.configure(config)

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        return self.build.add_pages(files, config)

    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        self.build.date(page)
        return page

    @event_priority(100)  # first: other plugins see the page as it will be rendered
    def on_page_context(
        self, context: TemplateContext, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        self.build.page_context(page, config)
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        return self.build.page_written(page, output)

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        self.build.nav = nav
        return nav

    def on_env(self, env: Environment, config: MkDocsConfig, files: Files) -> Environment:
        self.build.prepare(env, config, files)
        return env

    @event_priority(-100)  # last, after every other plugin has written its files
    def on_post_build(self, config: MkDocsConfig) -> None:
        self.build.finish(config)

    def on_build_error(self, error: Exception) -> None:
        if self._build is not None:
            self._build.fail()

    def on_shutdown(self) -> None:
        Memory.exiting()

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: Callable[[], None]
    ) -> LiveReloadServer:
        server.watch(str(self.build.papers_dir(config)))
        return server


def new_build(options: PaperfeedConfig, command: str | None, dirty: bool) -> Build:
    """The build `command` asks for. A build is made beside the site and swapped in
    whole, so a failure or an interrupt never leaves half a site, and the last one is
    there to keep pages from; `--dirty` writes into the site as MkDocs does."""
    atomic = command in ("build", "gh-deploy", "serve") and not dirty
    if command == "serve":
        return ServeBuild(options, atomic)
    return Build(options, atomic, fork=command in ("build", "gh-deploy"))
