"""Put paperfeed's packaged theme in front of Material's, behind the feed's own overrides."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mkdocs.exceptions import PluginError

from paperfeed.theme import THEME_DIR

# Rendered once a build to a file of its own (MkDocs' static templates, as 404.html):
# the search box's inside, which every page would otherwise repeat.
SEARCH_BOX = "assets/javascripts/search-box.html"

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig


def install(config: MkDocsConfig) -> None:
    theme = config.theme
    if theme.name != "material":
        raise PluginError(
            f"mkdocs.yml: theme: name: {theme.name!r}: paperfeed's pages extend Material for "
            "MkDocs: set `theme: name: material`"
        )
    theme.static_templates.add(SEARCH_BOX)
    if str(THEME_DIR) in theme.dirs:
        return
    # theme.dirs is custom_dir (if any), Material's templates, MkDocs' own: the first
    # that has a file wins, so a feed's file in custom_dir still replaces ours.
    theme.dirs.insert(1 if theme.custom_dir else 0, str(THEME_DIR))
