"""The pages paperfeed generates, as MkDocs pages that skip what they do not need.

A generated page's body is one raw HTML block that Markdown would only copy, and its
front matter was written by paperfeed a moment ago. So its front matter is taken as
the converter left it, parsed (`ParsedPage`; or, if another plugin gives the page a new
source, read with the C YAML loader; MkDocs uses the pure-Python one), and its body is
the content as it is: at 10,000 papers that saves a Markdown instance and a YAML parse
per page.
"""

from __future__ import annotations

import pickle
import re
import sys
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml
from markupsafe import escape
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from paperfeed.convert import PageSource, body_as_read, front_matter, page_text, split_page
from paperfeed.render import page_body
from paperfeed.title import title_text

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

    from paperfeed.entry import Paper

_TEMPLATE = re.compile(r"^template: ([\w./-]+)$", re.MULTILINE)


@dataclass(frozen=True)
class ParsedPage:
    """A converted page kept as its front matter and body, pickled and compressed; its
    text is made only when asked for. MkDocs reads the front matter of every page it
    renders, and unpickling is several times faster than parsing the YAML written a
    moment ago (and gives a new dict each read). A build holds every page until it
    ends: at 100,000 papers the texts were 0.7 GB, and the pickles compress to a third."""

    packed: bytes

    @classmethod
    def of(cls, meta: dict[str, Any], body: str) -> ParsedPage:
        kept = pickle.dumps((meta, body_as_read(body)), pickle.HIGHEST_PROTOCOL)
        return cls(zlib.compress(kept, 1))  # (level 1: as small as 9 for these, sooner)

    def parts(self) -> tuple[dict[str, Any], str]:
        meta, body = pickle.loads(zlib.decompress(self.packed))
        return meta, body

    def front_matter(self) -> dict[str, Any]:
        return self.parts()[0]

    @property
    def body(self) -> str:
        return self.parts()[1]

    @property
    def text(self) -> str:
        return page_text(*self.parts())

    def fingerprint(self) -> bytes:
        return self.packed


class PageFile(File):
    """A generated page's file, whose content is its page's text, made when read (see
    ParsedPage): MkDocs and other plugins read it as any file's, and may replace it."""

    _page: PageSource | None = None

    @classmethod
    def of(cls, config: MkDocsConfig, uri: str, page: PageSource, inclusion: Any) -> PageFile:
        made = cls.generated(config, uri, content="", inclusion=inclusion)
        assert isinstance(made, PageFile)
        made._page = page
        return made

    @property
    def content_string(self) -> str:
        return super().content_string if self._page is None else self._page.text

    @content_string.setter
    def content_string(self, value: str) -> None:
        self._page = None
        vars(File)["content_string"].fset(self, value)

    @property
    def content_bytes(self) -> bytes:
        return super().content_bytes if self._page is None else self._page.text.encode()

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        self._page = None
        vars(File)["content_bytes"].fset(self, value)


def convert_page(paper: Paper, source: str) -> ParsedPage:
    """A paper's page as the plugin has the loader make it (load_entries' `convert`):
    in the worker that read the entry, which hands the parent the pickle."""
    return ParsedPage.of(front_matter(paper, source), page_body(paper))


class GeneratedPage(Page):
    # Its file from the last build still holds what it would render (see reuse.py): it
    # is linked into the new build, and its source need not even be read.
    kept = False
    # What the converter made of the page; its text is the file's content.
    converted: PageSource | None = None
    _template_name: str | None = None

    def read_source(self, config: MkDocsConfig) -> None:
        # MkDocs reads every page before it renders any; 100,000 pages read at once are
        # gigabytes. A page that is not in the nav is read when it is rendered instead
        # (`load`, then `release`); until then it knows only its template.
        if self.kept:
            self.markdown, self.meta = "", {}
        elif self.file.inclusion.is_not_in_nav():
            self.markdown, self.meta = "", {"template": self._template()}
        else:
            self.load(config)

    def load(self, config: MkDocsConfig) -> None:
        """Read the page's front matter and body."""
        source = config.plugins.on_page_read_source(page=self, config=config)
        if source is None and self.converted is not None:
            self.meta, self.markdown = self.converted.parts()
        else:
            text = self.file.content_string if source is None else source
            self.markdown, self.meta = split_front_matter(text)
        # Material shows page.meta.title where markup cannot go (the header bar, the
        # window's title): as text, "UniF²ace" for "UniF$^2$ace". The page's own title
        # and BibTeX come from the Paper, which keeps the TeX.
        if isinstance(self.meta.get("title"), str):
            self.meta["title"] = title_text(self.meta["title"])
        # Material prints page.meta.title and .description into the page unescaped,
        # trusting authors; these come from strangers' entries.
        for key in ("title", "description"):
            if isinstance(self.meta.get(key), str):
                self.meta[key] = escape(self.meta[key])
        self.content = self.markdown

    def release(self) -> None:
        """Forget what `load` read, once the page is written."""
        if self.file.inclusion.is_not_in_nav() and not self.kept:
            self.markdown, self.content, self.meta = "", "", {"template": self._template()}

    @property
    def loaded(self) -> bool:
        return bool(self.markdown) or self.kept or not self.file.inclusion.is_not_in_nav()

    def _template(self) -> str:
        if self._template_name is None:
            self._template_name = self._template_read()
        return self._template_name

    def _template_read(self) -> str:
        if self.converted is not None:  # (its text would be made only to be searched)
            template = self.converted.front_matter().get("template")
            return sys.intern(template) if isinstance(template, str) else "main.html"
        found = _TEMPLATE.search(self.file.content_string, 0, 4096)
        return found[1] if found else "main.html"

    def _set_canonical_url(self, base: str | None) -> None:
        # Ten thousand urljoins add up; a generated page's URL is a plain relative path
        # ("papers/<id>/"), so joining it to the site's URL is putting one after the other.
        url = self.url
        if not base or "://" in url or url.startswith(("/", ".")):
            super()._set_canonical_url(base)
            return
        base = base if base.endswith("/") else base + "/"
        self.canonical_url = base + url
        self.abs_url = _path_of(base) + url

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        self.content = self.markdown
        self.toc = get_toc([])
        self.present_anchor_ids = set()


@lru_cache(maxsize=8)
def _path_of(base: str) -> str:
    return urlsplit(base).path


def split_front_matter(text: str) -> tuple[str, dict[str, Any]]:
    """(body, meta) of a page paperfeed wrote: front matter between two --- lines."""
    front, body = split_page(text)
    meta = yaml.load(front, Loader=yaml.CSafeLoader) if front else {}
    return body, meta or {}


def nav_titles(nav: Any) -> dict[str, str]:
    """{path: title} of the nav entries in mkdocs.yml, which name the pages they list."""
    titles: dict[str, str] = {}
    items = nav if isinstance(nav, list) else []
    for item in items:
        if not isinstance(item, dict):
            continue
        for title, target in item.items():
            if isinstance(target, str):
                titles.setdefault(target, title)
            else:
                titles.update({k: v for k, v in nav_titles(target).items() if k not in titles})
    return titles
