"""The Content-Type and Cache-Control a file of the site is served with.

Stores serve an object with the headers it was uploaded with, so they are chosen here,
by name. Files whose name carries a hash of their bytes (MkDocs Material's bundles,
Pagefind's chunks) never change under that name: browsers may keep them a year. Pages,
feeds and everything else keep a short time, so that a new build is seen within minutes.

Pagefind's `.pf_*` and `.pagefind` files are gzip-compressed, and Pagefind's script
decompresses them itself (it accepts them decompressed too). They are served as plain
bytes without `Content-Encoding: gzip`, as Pagefind's own hosting notes ask: a header
would only add the browser's work to the script's check.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePosixPath

LONG = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"

# A segment of 7 or more hex digits, after "." or "_" and before ".": main.57a0d79d.min.css,
# en_3a363ee.pf_filter, pagefind.en_aeb34c5a2e.pf_meta.
_HASH = re.compile(r"(?<=[._])[0-9a-f]{7,}(?=\.)")

_TEXT = "; charset=utf-8"
_TYPES = {
    ".html": "text/html" + _TEXT,
    ".css": "text/css" + _TEXT,
    ".js": "text/javascript" + _TEXT,
    ".mjs": "text/javascript" + _TEXT,
    ".map": "application/json",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    # RSS, Atom and the sitemap: shown by browsers, read by feed readers from the content.
    ".xml": "application/xml" + _TEXT,
    ".xsl": "application/xml" + _TEXT,
    ".opml": "text/x-opml" + _TEXT,
    ".txt": "text/plain" + _TEXT,
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    # sitemap.xml.gz is a gzip file to download, not XML to decompress on the way.
    ".gz": "application/gzip",
    ".pagefind": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
}


def content_type(path: str) -> str:
    """The Content-Type of the site's file at `path` (relative, with "/")."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, encoding = mimetypes.guess_type(path, strict=False)
    if guessed is None or encoding is not None:
        return "application/octet-stream"
    return guessed + _TEXT if guessed.startswith("text/") else guessed


def is_hashed(path: str) -> bool:
    """Whether the file's name carries a hash of its bytes (one with digits and letters,
    so that a date or a number in a name does not count)."""
    name = PurePosixPath(path).name
    return any(
        any(c.isdigit() for c in m) and any(c.isalpha() for c in m) for m in _HASH.findall(name)
    )


def cache_control(path: str) -> str:
    """A year for a file named by its hash, minutes for the rest."""
    return LONG if is_hashed(path) else SHORT
