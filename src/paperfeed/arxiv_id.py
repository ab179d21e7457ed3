"""arXiv ids: what one looks like, how it is read from a link, and where its pages are.

An id comes in two styles, new (2401.10215, 2401.10215v2) and old (hep-th/9901001,
math.GT/0309136v1). The format, the importers and the submission form all read ids;
they share these definitions so that no two of them disagree on what an id is.
"""

from __future__ import annotations

import re

from paperfeed.errors import PaperfeedError

_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z-]+(\.[A-Z]{2})?/\d{7}"
_VERSION = r"v\d+"

PATTERN = rf"^({_NEW}|{_OLD})({_VERSION})?$"
"""A whole id, version allowed: the format's pattern (it is in the JSON Schema)."""

ID = rf"(?P<id>{_NEW}|{_OLD})(?P<version>{_VERSION})?"
"""An id inside other text: group `id` without the version, `version` the rest."""

_ANY = re.compile(ID)
_VERSIONED = re.compile(rf"{_VERSION}$")
# An abs or pdf page, with or without scheme: what people paste from the address bar.
_PAGE = re.compile(r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(?P<rest>[^?#]+)")


class ArxivIdError(PaperfeedError, ValueError):
    """Text that names no arXiv id; still a ValueError, as callers of 0.2 caught one."""


def strip_version(arxiv_id: str) -> str:
    """The id without version (2401.10215v2 -> 2401.10215): the paper, not one revision."""
    return _VERSIONED.sub("", arxiv_id)


def abs_url(arxiv_id: str) -> str:
    """The paper's page on arXiv."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    """The paper's PDF on arXiv."""
    return f"https://arxiv.org/pdf/{arxiv_id}"


def parse_ref(text: str) -> str:
    """The arXiv id, without version, that an id or an arxiv.org address names."""
    ref = text.strip()
    page = _PAGE.fullmatch(ref)
    if page:
        ref = page["rest"].removesuffix("/").removesuffix(".pdf")
    elif ref[:6].lower() == "arxiv:":
        ref = ref[6:]
    found = _ANY.fullmatch(ref)
    if not found:
        raise ArxivIdError(
            f"{text!r} is not an arXiv id or arxiv.org address: write e.g. 2401.10215, "
            "hep-th/9901001 or https://arxiv.org/abs/2401.10215"
        )
    return found["id"]
