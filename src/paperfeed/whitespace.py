"""The indentation the templates print, taken out of the pages they make.

Material's templates and ours are indented for their readers, and each `{% if %}` on a
line of its own leaves that line's indentation and newline in the page: 2.5 KB of a
20 KB paper page, 250 MB at 100,000 papers. A browser folds any run of whitespace
between words or tags into one space, so a newline followed by spaces and blank lines
can become a single newline, with what the reader sees unchanged, except where
whitespace is kept as written: `<pre>` and `<textarea>`, and `<script>`, whose
strings a newline may be part of. Those are copied as they are.
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"<(pre|textarea|script)\b")
_INDENT = re.compile(r"\n\s+")


def squeezed(html: str) -> str:
    """`html` with every newline and the whitespace after it made one newline, outside
    the elements that keep their whitespace."""
    out: list[str] = []
    start = 0
    for opened in _KEPT.finditer(html):
        if opened.start() < start:  # inside an element already copied (a <pre> in a <script>)
            continue
        end = html.find(f"</{opened.group(1)}>", opened.end())
        end = len(html) if end < 0 else end
        out.append(_INDENT.sub("\n", html[start : opened.start()]))
        out.append(html[opened.start() : end])
        start = end
    out.append(_INDENT.sub("\n", html[start:]))
    return "".join(out)
