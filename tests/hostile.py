"""The hostile corpus: valid entries whose every free-text field carries an attack.

Each payload must reach readers as inert text: in pages, meta tags, the search index
and every feed. Links carry what a URL may legally hold and still try to break out
of the attribute.
"""

from __future__ import annotations

from conftest import Site

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute breakout": '"><img src=x onerror=alert(1)>',
    "single-quote breakout": "' onmouseover='alert(1)' x='",
    "jinja expression": "{{ 7*7 }}",
    "jinja statement": "{% for x in range(3) %}{{ x }}{% endfor %}",
    "markdown link": "[click](javascript:alert(1))",
    "iframe": "<iframe src=javascript:alert(1)></iframe>",
    "script close": "</script><script>alert(1)</script>",
    "cdata close": "]]><script>alert(1)</script>",
    "comment close": "--><script>alert(1)</script><!--",
    "svg": "<svg/onload=alert(1)>",
    "entity": "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;",
    "markdown html": "**bold** <b onclick=alert(1)>b</b> `code` # heading",
}
URLS = [
    'https://example.org/"><script>alert(1)</script>',
    "https://example.org/'onmouseover='alert(1)",
    "https://example.org/?q=<svg/onload=alert(1)>",
]
FIELDS = ("title", "authors", "abstract", "venue", "submitted_by", "summary")


def add_hostile_papers(site: Site) -> list[str]:
    """One paper per payload, with it in every free-text field; returns their ids."""
    ids = []
    for n, payload in enumerate(PAYLOADS.values()):
        fields = {name: payload for name in FIELDS}
        fields["authors"] = [payload, f"Author {n}"]
        fields["abstract"] = f"{payload}\n\nMath stays math: $x^{n}$. {payload}"
        url = URLS[n % len(URLS)]
        site.add(
            id=f"h{n:02d}",
            added=f"2024-11-{n % 3 + 25}",
            tags=["hostile"],
            links={"code": url, "project": URLS[(n + 1) % len(URLS)]},
            thumbnail=url,
            upvotes=n,
            **fields,
        )
        ids.append(f"h{n:02d}")
    return ids
