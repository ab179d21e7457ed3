"""Pages that go through MkDocs' loop without a render: a worker wrote them, or the
last build did and they did not change.

MkDocs renders every page it knows, and the sitemap and other plugins must still see
these pages. So they keep their place, with a blank template: MkDocs takes the empty
output as "nothing to write" and says so for each, which is dropped for these pages.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from jinja2 import ChoiceLoader, DictLoader

if TYPE_CHECKING:
    from collections.abc import Iterable

    from jinja2 import Environment
    from mkdocs.structure.pages import Page

BLANK = "paperfeed/blank.html"
_SKIPPED = "Page skipped: '{}'. Generated empty output."
# MkDocs logs it here; ProperDocs, which runs the same plugins, on its own name
_BUILD_LOGS = [logging.getLogger(f"{engine}.commands.build") for engine in ("mkdocs", "properdocs")]


class SkippedPages(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._messages: set[str] = set()

    def install(self, env: Environment) -> None:
        assert env.loader is not None  # a theme's environment has one
        env.loader = ChoiceLoader([DictLoader({BLANK: ""}), env.loader])
        for build_log in _BUILD_LOGS:
            build_log.addFilter(self)

    def add(self, pages: Iterable[Page]) -> None:
        for page in pages:
            page.meta["template"] = BLANK
            self._messages.add(_SKIPPED.format(page.file.src_uri))

    def remove(self) -> None:
        for build_log in _BUILD_LOGS:
            build_log.removeFilter(self)
        self._messages.clear()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self._messages
