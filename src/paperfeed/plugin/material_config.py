"""Material's page settings (`<script id="__config">`) without what only its search reads.

Material's bundle reads the settings each page carries: its features, the words of the
copy button, and, for its own search, the search worker's address and seven phrases. The
search box here is paperfeed's (partials/search.html): Material's search never starts,
and search-box.html, written once, carries the phrases. The rest stays as Material
wrote it, in the same JSON; at 100,000 papers the part taken out is 50 MB.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

if TYPE_CHECKING:
    from jinja2 import Environment

_SETTINGS = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def install(env: Environment) -> None:
    """Give the theme's templates the `pf_without_search` filter."""
    env.filters["pf_without_search"] = without_search


def without_search(block: str) -> Markup:
    """Material's config block with its search's settings taken out; a block that does
    not hold them as expected is left as it is, as a newer Material might write it."""
    block = str(block)  # Markup would escape the pieces put together below
    found = _SETTINGS.search(block)
    if found is None:
        return Markup(block)
    try:
        settings = json.loads(found.group(2))
        settings.pop("search")
        words = settings["translations"]
    except (ValueError, KeyError, TypeError):
        return Markup(block)
    settings["translations"] = {k: v for k, v in words.items() if not k.startswith("search.")}
    # As Jinja's tojson, which wrote it: sorted keys, HTML-safe.
    text = str(htmlsafe_json_dumps(settings, dumps=json.dumps, sort_keys=True))
    return Markup(block[: found.start(2)] + text + block[found.end(2) :])
