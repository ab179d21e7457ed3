"""Email digests of a feed: a day's or a week's most upvoted papers, sent from a
scheduled workflow with no server of the feed's own.

periods: which days and weeks there are; content: what a digest says; render: its
HTML and text; message: the email; subscribers: who gets it; send: SMTP, once each.
"""

from __future__ import annotations

from paperfeed.digest.content import Digest, DigestPaper, DigestSettings, build_digest, digests
from paperfeed.digest.message import digest_message
from paperfeed.digest.periods import Period, newest_period, periods_with_papers
from paperfeed.digest.render import render_html, render_text

__all__ = [
    "Digest",
    "DigestPaper",
    "DigestSettings",
    "Period",
    "build_digest",
    "digest_message",
    "digests",
    "newest_period",
    "periods_with_papers",
    "render_html",
    "render_text",
]
