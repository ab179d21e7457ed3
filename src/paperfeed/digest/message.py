"""A digest as one email to one recipient: multipart/alternative, text and HTML.

Every header is made here from data that may come from anyone (titles, site names),
so each value is folded to one line before the email package sees it: no CR or LF
ever starts a header of its own. The message is deterministic (Message-ID, Date and
the MIME boundary come from its content), so the same papers give the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from urllib.parse import quote, urlsplit

from paperfeed.digest.content import Digest
from paperfeed.digest.render import render_html, render_text
from paperfeed.errors import PaperfeedError

# The same whitespace rules as SMTP: CRLF line ends, long lines folded.
POLICY = policy.SMTP

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """`text` with every run of whitespace and control characters made one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def address(text: str, display_name: str = "") -> Address:
    """An address for a header; a display name in `text` ("Name <a@b>") wins."""
    if _CONTROL.search(text):
        raise PaperfeedError(f"{one_line(text)!r} is not an email address: it has a line break")
    name, spec = parseaddr(text)
    if "@" not in spec or " " in spec:
        raise PaperfeedError(f"{text!r} is not an email address")
    try:
        return Address(display_name=one_line(name or display_name), addr_spec=spec)
    except (ValueError, HeaderParseError, IndexError):
        raise PaperfeedError(f"{text!r} is not an email address") from None


def digest_message(
    digest: Digest,
    recipient: str,
    sender: str,
    template_dirs: Sequence[Path] = (),
) -> EmailMessage:
    """The email of `digest` to `recipient`, from `sender` (shown as the site's name)."""
    to = address(recipient)
    source = address(sender, digest.site_name)
    host = urlsplit(digest.site_url).hostname or "localhost"
    text = render_text(digest, to.addr_spec, template_dirs)
    html = render_html(digest, to.addr_spec, template_dirs)

    msg = EmailMessage(policy=POLICY)
    msg["From"] = source
    msg["To"] = to
    msg["Subject"] = one_line(digest.subject)
    msg["Date"] = format_datetime(digest.period.end)
    msg["Message-ID"] = message_id(digest, to.addr_spec, host)
    msg["List-Id"] = f"{_phrase(digest.site_name)} <{digest.period.kind}.digest.{host}>"
    unsubscribe = digest.unsubscribe_for(to.addr_spec)
    mailto = f"mailto:{quote(source.addr_spec, safe='@')}?subject=unsubscribe"
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{mailto}>, <{_header_url(unsubscribe)}>"
        # RFC 8058: a POST to the https address unsubscribes, with no page to click
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    else:
        msg["List-Unsubscribe"] = f"<{mailto}>"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    # "=_" never occurs in quoted-printable text, so the boundary cannot collide.
    seal = hashlib.sha256((text + "\0" + html).encode("utf-8")).hexdigest()[:32]
    msg.set_boundary(f"=_pf_{seal}")
    return msg


def message_id(digest: Digest, recipient: str, host: str) -> str:
    """One id per period and recipient, the same on every run: a resent digest is
    recognisably the same message. Hashed, so it does not show the address."""
    seed = f"{digest.site_url}\0{digest.period.id}\0{recipient.lower()}"
    return f"<{hashlib.sha256(seed.encode('utf-8')).hexdigest()[:32]}@{host}>"


def _phrase(name: str) -> str:
    """A display name for List-Id: quoted, its quotes and backslashes escaped."""
    name = one_line(name).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{name}"'


def _header_url(url: str) -> str:
    """A URL inside <...>: no spaces, brackets or line breaks can end it early."""
    return quote(one_line(url), safe=":/?#[]@!$&'()*+,;=%~-._")
