"""`feeds.opml`: the list of every feed of the site, for readers to subscribe at once.

OPML 2.0 (http://opml.org/spec2.opml), written with ElementTree, which escapes every
title and address. The date is the newest paper's, never the clock's, so two builds
of the same papers write the same bytes. The paper feeds write the list; feeds made
elsewhere (the digests) are added to it after, so one module need not know them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.etree.ElementTree import Element, SubElement, fromstring, indent, tostring

OPML_PATH = "feeds.opml"
_SPEC = "http://opml.org/spec2.opml"


@dataclass(frozen=True)
class Subscription:
    """One feed as a reader subscribes to it."""

    title: str
    xml_url: str  # the feed, absolute
    html_url: str  # the page it follows, absolute


def render_opml(
    title: str, subscriptions: Iterable[Subscription], created: datetime | None
) -> bytes:
    """An OPML 2.0 document listing `subscriptions` in order, as RSS outlines.

    `created` (timezone-aware) becomes `dateCreated`; None leaves it out.
    """
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    if created is not None:
        SubElement(head, "dateCreated").text = format_datetime(created)  # RFC 822
    SubElement(head, "docs").text = _SPEC
    body = SubElement(root, "body")
    for feed in subscriptions:
        _outline(body, feed)
    return _serialized(root)


def add_subscriptions(document: bytes, subscriptions: Iterable[Subscription]) -> bytes:
    """`document`, an OPML file of `render_opml`, with `subscriptions` listed after its own."""
    root = fromstring(document)  # noqa: S314 - our own output, never a stranger's file
    body = root.find("body")
    assert body is not None, "not an OPML document of render_opml"
    for feed in subscriptions:
        _outline(body, feed)
    return _serialized(root)


def _outline(body: Element, feed: Subscription) -> None:
    SubElement(
        body,
        "outline",
        {
            "type": "rss",
            "text": feed.title,
            "title": feed.title,
            "xmlUrl": feed.xml_url,
            "htmlUrl": feed.html_url,
        },
    )


def _serialized(root: Element) -> bytes:
    indent(root)
    return tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
