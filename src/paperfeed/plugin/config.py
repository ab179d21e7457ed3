"""The plugin's options, typed and checked by MkDocs when mkdocs.yml is read."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class PaperfeedConfig(Config):
    # Folder of the paper entries, relative to mkdocs.yml.
    papers_dir = c.Type(str, default="papers")

    # Feeds: how many of the newest papers they list, and how they introduce
    # themselves (site_name and site_description when not set).
    feed_limit = c.Type(int, default=50)
    feed_title = c.Optional(c.Type(str))
    feed_description = c.Optional(c.Type(str))

    # Authors with fewer papers than this get no page of their own (they are listed,
    # with their papers, on /authors/). Each page costs a full page render, and a big
    # feed has tens of thousands of authors with a single paper.
    author_pages_min_papers = c.Type(int, default=1)

    # Processes that render the generated pages in `mkdocs build`: 0 for one per core,
    # 1 to render in MkDocs' own loop only (for plugins that collect rendered pages).
    render_workers = c.Type(int, default=0)

    # Email digests (`paperfeed digest`): how many papers a day's or week's digest lists,
    # and the page a reader leaves the list at ({email} becomes their address).
    digest_limit = c.Type(int, default=10)
    unsubscribe_url = c.Optional(c.Type(str))
