"""The plugin's options, typed and checked by MkDocs when mkdocs.yml is read."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError


class HttpsAddress(c.URL):
    """A web address that readers' email addresses are posted to: https only."""

    def run_validation(self, value: object) -> str:
        url = super().run_validation(value)
        parts = urlsplit(url)
        if parts.username or parts.password:
            raise ValidationError(
                f"{parts.hostname!r}: the address has a user name or password in it, which "
                "every reader's browser would see: use the form address without them"
            )
        if parts.scheme != "https" or not parts.hostname:
            raise ValidationError(
                f"{url!r} is not an https:// address: readers' email addresses are sent "
                "there, so use the https:// address of your provider's form, e.g. "
                "https://buttondown.com/api/emails/embed-subscribe/<your-list>"
            )
        return url


class FormField(c.Type):
    """The name of the form field the provider reads the email address from."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        name = super().run_validation(value)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.:\[\]-]{0,99}", name):
            raise ValidationError(
                f"{name!r} is not a form field name: use the name your provider's form "
                "gives its email box (e.g. email, or EMAIL for Mailchimp)"
            )
        return str(name)


class SubscribeForm(Config):
    # Where the form posts (the provider's subscribe address), and its email field.
    action = HttpsAddress()
    field = FormField(default="email")

    @property
    def host(self) -> str:
        """Whom a reader's address goes to, as the page tells them."""
        return urlsplit(self.action).hostname or ""


class OptionalForm(c.SubConfig[SubscribeForm]):
    """Not set: no form (None), not a form without an address, as SubConfig would."""

    def __init__(self) -> None:
        super().__init__(SubscribeForm)
        self.default = None

    def validate(self, value: object) -> SubscribeForm | None:  # type: ignore[override]
        return None if value is None else super().validate(value)


class PaperfeedConfig(Config):
    # Folder of the paper entries, relative to mkdocs.yml.
    papers_dir = c.Type(str, default="papers")

    # Feeds: how many of the newest papers they list, and how they introduce
    # themselves (site_name and site_description when not set).
    feed_limit = c.Type(int, default=50)
    feed_title = c.Optional(c.Type(str))
    feed_description = c.Optional(c.Type(str))
    # An author's feed (/authors/<slug>/feed.xml) lists their newest papers, this many:
    # thousands of authors make thousands of feeds.
    author_feed_limit = c.Type(int, default=10)
    # A tag's feed (/tags/<tag>/feed.xml) lists its newest papers, this many, abstracts
    # and all: hundreds of tags make hundreds of feeds.
    tag_feed_limit = c.Type(int, default=20)

    # Authors with fewer papers than this get no page of their own, and so no feed (they
    # are listed, with their papers, on /authors/index/<letter>/). Each page costs a render
    # and two feeds, and a big feed has tens of thousands of authors with a single
    # paper. Not set: every author while there are at most 100, else about the most
    # prolific tenth of the papers' count (see authors.page_minimum).
    author_pages_min_papers = c.Optional(c.Type(int))

    # A tag's page lists its newest papers, this many, and the older ones on
    # /tags/<tag>/page/2/ ...: a tag on a third of 100,000 papers would be a page of
    # tens of megabytes in one piece. 0 for every paper on one page.
    listing_page_size = c.Type(int, default=50)

    # Processes that render the generated pages in `mkdocs build`: 0 for one per core,
    # 1 to render in MkDocs' own loop only (for plugins that collect rendered pages).
    render_workers = c.Type(int, default=0)

    # Related papers listed on each paper page (by TF-IDF over title, abstract and tags,
    # computed at build time); 0 for none.
    similar_limit = c.Type(int, default=5)

    # Email digests (`paperfeed digest`): how many papers a day's or week's digest lists,
    # and the page a reader leaves the list at ({email} becomes their address).
    digest_limit = c.Type(int, default=10)
    unsubscribe_url = c.Optional(c.Type(str))
    # A provider's subscribe form (Buttondown, Mailchimp ...): an email box on the home
    # and subscribe pages that posts there. Nothing is fetched from it before a reader
    # presses Subscribe. Without it, /subscribe/ explains the digest feeds alone.
    subscribe_form = OptionalForm()
