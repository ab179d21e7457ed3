"""Site chrome rendered once and reused by the generated pages that share it.

Material draws the same navigation, tabs, header, footer and scripts around every
page: at 10,000 papers that is 12,500 renders of the same few kilobytes, a large part
of the time spent rendering pages. For a page outside the nav (nothing in the nav is
active, there is no previous or next page, no table of contents) that chrome depends
on the page only through its links, which are relative to the page's folder, the
header's title, and which sidebars its front matter hides. So the theme's blocks are
wrapped in main.html,

    {% block tabs %}{% call chrome("tabs") %}{{ super() }}{% endcall %}{% endblock %}

and each is rendered once per template and folder (papers/, tags/ ...) and copied
for the other pages there, byte for byte what they would have rendered.

A link differs between two pages of a folder only if it points into one of their own
folders (tags/t1/feed.xml is "feed.xml" on tags/t1/, "../t1/feed.xml" on tags/t2/).
So a block's first render notes every URL that goes through MkDocs' url filters, and
the copy is not given to a page whose folder one of them points into.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from jinja2 import pass_context
from markupsafe import Markup

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.runtime import Context
    from mkdocs.structure.pages import Page

# MkDocs' filters that make a URL relative to the page (script_tag does it without
# going through `url`).
_URL_FILTERS = ("url", "script_tag")


def install(env: Environment, enabled: bool = True) -> None:
    """Make the cache available to the theme's templates for this build.

    Disabled, `chrome()` renders every block every time, as if it were not there."""
    env.globals["chrome"] = ChromeCache(env, enabled).block


class _Place(NamedTuple):
    """What Material's chrome can tell of a page at folder/name/."""

    template: str
    base_url: str
    folder: str
    hide: Hashable  # the front matter that hides sidebars (generated pages hide both)
    name: str  # the one thing of the page the copies are not keyed by: see `linked`


@dataclass(frozen=True)
class _Copy:
    parts: tuple[str, ...]  # the block's HTML, cut where the page's own text goes
    linked: frozenset[str]  # the pages of the folder it links into, which must not use it


class ChromeCache:
    """The `chrome` of one build's templates: the blocks it has copies of."""

    def __init__(self, env: Environment, enabled: bool = True) -> None:
        self._env = env
        self._enabled = enabled
        self._copies: dict[tuple[Hashable, ...], _Copy] = {}
        self._nav: Any = None
        self._in_nav: frozenset[int] = frozenset()
        # the page being rendered and its place: its blocks ask one after the other
        self._page: Any = None
        self._place: _Place | None = None
        self.copied = 0  # blocks given from a copy, for tests and the curious

    @pass_context
    def block(
        self,
        context: Context,
        name: str,
        varying: str | None = None,
        caller: Callable[[], str] | None = None,
    ) -> str:
        """The HTML of the block `name`, which the {% call %} body renders.

        `varying` is the only text of the page in it (the header's title); a copy is
        kept only if that text occurs exactly once in the first render, where it is cut.
        """
        assert caller is not None, "use it as {% call chrome(name) %}...{% endcall %}"
        place = self._place_of(context) if self._enabled else None
        if place is None:
            return caller()
        key = (name, place.template, place.base_url, place.folder, place.hide)
        copy = self._copies.get(key)
        if copy is not None and place.name not in copy.linked:
            self.copied += 1
            html = str(varying or "").join(copy.parts)
            return Markup(html) if context.eval_ctx.autoescape else html
        with _urls_followed(self._env) as urls:
            html = caller()
        linked = _names_linked(urls, place.folder)
        parts = (str(html),) if varying is None else tuple(str(html).split(str(varying)))
        # Cut at an empty or a repeated text, the parts would not tell where it goes.
        cut = varying is None or (varying != "" and len(parts) == 2)
        if copy is None and cut and place.name not in linked:
            self._copies[key] = _Copy(parts, linked)
        return html

    def _place_of(self, context: Context) -> _Place | None:
        """The place of the page rendered, if it has no chrome of its own; else None.

        Besides its URL and title, the one field of a page that these blocks read is
        `hide`: which of Material's sidebars it hides.
        """
        page: Page | None = context.get("page")
        if page is self._page:
            return self._place
        self._page, self._place = page, None
        if page is None or not self._outside_nav(page, context.get("nav")):
            return None
        if page.toc or page.previous_page or page.next_page:
            return None
        url = page.url
        steps = url[:-1].split("/")
        if not url.endswith("/") or any(step in ("", ".", "..") for step in steps):
            return None  # the home page, a file, or a URL MkDocs would normalize
        hide = (page.meta or {}).get("hide")
        hide = tuple(hide) if isinstance(hide, list) else hide
        try:
            hash(hide)
        except TypeError:
            return None  # a key of the copies; a page with such front matter renders its own
        folder = "/".join(steps[:-1])
        self._place = _Place(context.name or "", context["base_url"], folder, hide, steps[-1])
        return self._place

    def _outside_nav(self, page: Page, nav: Any) -> bool:
        if nav is not self._nav:
            self._nav = nav
            self._in_nav = frozenset(id(p) for p in getattr(nav, "pages", ()))
        return page.parent is None and id(page) not in self._in_nav


@contextmanager
def _urls_followed(env: Environment) -> Iterator[list[str]]:
    """The URLs that the templates rendered meanwhile made relative to the page."""
    seen: list[str] = []
    saved = {name: env.filters[name] for name in _URL_FILTERS if name in env.filters}

    def noting(original: Callable[..., Any]) -> Callable[..., Any]:
        # wraps() copies Jinja's pass_context mark: the value comes after the context
        value_at = 1 if hasattr(original, "jinja_pass_arg") else 0

        @functools.wraps(original)
        def filter_(*args: Any, **kwargs: Any) -> Any:
            seen.append(str(args[value_at]))
            return original(*args, **kwargs)

        return filter_

    # Templates look their filters up each time they render, so this is all it takes.
    env.filters.update({name: noting(original) for name, original in saved.items()})
    try:
        yield seen
    finally:
        env.filters.update(saved)


def _names_linked(urls: list[str], folder: str) -> frozenset[str]:
    """The pages folder/<name>/ that one of these URLs is, or is inside of.

    Normalized as MkDocs does (mkdocs.utils._norm_parts); a URL with a scheme is taken
    for a path too, which at worst keeps a copy from a page that could have used it."""
    base = folder.split("/") if folder else []
    names = set()
    for url in urls:
        path = posixpath.normpath("/" + url.replace("\\", "/"))[1:]
        steps = path.split("/") if path else []
        if len(steps) > len(base) and steps[: len(base)] == base:
            names.add(steps[len(base)])
    return frozenset(names)
