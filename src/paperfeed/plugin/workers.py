"""Generated pages rendered on every core: forked copies of the build take a share each.

MkDocs renders page after page on one core, and at 10,000 papers rendering is most of
the build. By the `env` event every page is read and the theme is loaded, so a fork of
the process has all it needs: each child renders and writes its share with MkDocs' own
page builder, and the parent renders the rest (the children's pages pass through its
loop without a render: see skip.py).

Plugins that collect pages in `page_context` or `post_page` would not see the children's
pages: `render_workers: 1` turns this off for them. It is off in `serve` (a fork of a
threaded server is not safe) and where a fork is not (processes.py).
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from paperfeed.processes import Forked, orphaned

if TYPE_CHECKING:
    from collections.abc import Sequence

    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

try:  # the function MkDocs runs for each page; private, so missing means "render serially"
    from mkdocs.commands.build import _build_page
except ImportError:  # pragma: no cover
    _build_page = None  # type: ignore[assignment]

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

# This process also passes every child's page through MkDocs' loop (skip.py), which
# costs it about a fifth of a render, so it takes 4 pages to a child's 5 and all end
# together.
_OWN_SHARE, _CHILD_SHARE = 4, 5


class _Counter(logging.Handler):
    """Counts a child's warnings: `--strict` must fail on them as on the parent's."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class PageWorkers:
    def __init__(self, count: int) -> None:
        self.count = count
        self._children: list[Forked] = []

    def start(
        self,
        pages: Sequence[Page],
        config: MkDocsConfig,
        nav: Navigation,
        env: Environment,
        doc_files: Sequence[File],
    ) -> list[Page]:
        """Fork count-1 children, each rendering one share; the pages they took (none
        where MkDocs' page builder is not there to call)."""
        if self.count < 2 or len(pages) < 2 * self.count or _build_page is None:
            return []
        # Pages are dealt in turns of this process's share and each child's.
        turn = [0] * _OWN_SHARE + [k for k in range(1, self.count) for _ in range(_CHILD_SHARE)]
        shares: list[list[Page]] = [[] for _ in range(self.count)]
        for index, page in enumerate(pages):
            shares[turn[index % len(turn)]].append(page)
        shares = [share for share in shares[1:] if share]
        for share in shares:
            self._children.append(Forked(partial(_render, share, config, nav, env, doc_files)))
        taken = [page for share in shares for page in share]
        log.debug(f"{len(taken)} of {len(pages)} pages go to {len(shares)} worker(s)")
        return taken

    def stop(self) -> None:
        """The build failed: end the children before their pages are swept away."""
        for child in self._children:
            child.kill()
        self._children = []

    def finish(self) -> list[str]:
        """Wait for every child; the problems they had, if any (warnings count too)."""
        problems = []
        started = time.monotonic()
        for child in self._children:
            result = child.result()
            log.debug(f"A worker rendered its share in {result.get('seconds', 0):.2f} s")
            if "error" in result:
                problems.append(result["error"])
            elif result.get("warnings"):
                problems.append(f"{result['warnings']} warning(s) while rendering pages")
        if self._children:
            # (how well the shares are balanced: this process renders one too)
            log.debug(f"The workers finished {time.monotonic() - started:.2f} s after this one")
        self._children = []
        return problems


def _render(
    share: list[Page],
    config: MkDocsConfig,
    nav: Navigation,
    env: Environment,
    doc_files: Sequence[File],
) -> dict[str, Any]:
    """A child's work: render and write its share with MkDocs' own page builder."""
    started = time.monotonic()
    counter = _Counter()
    logging.getLogger("mkdocs").addHandler(counter)
    for page in share:
        if orphaned():  # the build was interrupted or killed: stop too
            raise SystemExit("the build that started this worker has ended")
        _build_page(page, config, doc_files, nav, env)
    return {"warnings": counter.count, "seconds": time.monotonic() - started}
