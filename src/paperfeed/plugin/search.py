"""Pagefind takes over the search plugin's index, but not its place in the theme.

Material shows its search box only while its `search` plugin is enabled, so the plugin
stays; its per-page indexing and the lunr index it writes are unhooked, and the site's
pages are indexed by Pagefind once they are written (see paperfeed.search_index).
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig

# The search plugin's events that build the lunr index, one page at a time and at the end.
_LUNR_EVENTS = ("page_context", "post_build")


def unhook_lunr(config: MkDocsConfig) -> bool:
    """Stop Material's search plugin from indexing; False when the site has no search."""
    plugins = config.plugins
    search = plugins.get("material/search") or plugins.get("search")
    if search is None or not getattr(search.config, "enabled", True):
        return False
    for event in _LUNR_EVENTS:
        plugins.events[event] = [
            method
            for method in plugins.events[event]
            if getattr(method, "__self__", None) is not search
        ]
    return True
