"""A BibTeX entry for each paper, made from its metadata for the page's "Cite" box.

The values are made safe for BibTeX, where braces must balance and a bare %, &, # or
_ breaks LaTeX. The entry has one fixed shape, so a template writes it: bibtexparser's
writer takes 160 us an entry, 1.6 s of a 10,000-paper build; the tests parse every
entry back with bibtexparser.
"""

from __future__ import annotations

import re

from slugify import slugify

from paperfeed.entry import Paper
from paperfeed.render import template

_LATEX_SPECIALS = re.compile(r"([\\{}%&#_$^~])")
_REPLACEMENTS = {
    "\\": r"\textbackslash{}",
    "^": r"\^{}",
    "~": r"\~{}",
}
# Words a citation key skips: "A Study of X" is keyed by "study".
_STOP_WORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "is"})


def bibtex(paper: Paper) -> str:
    """The paper as one BibTeX entry (@misc for preprints, @article with a DOI)."""
    fields = [
        ("title", "{" + _escape(paper.title) + "}"),  # inner braces keep its capitals
        ("author", " and ".join(_escape(name) for name in paper.authors)),
        ("year", str(paper.published.year)),
    ]
    if paper.venue:
        fields.append(("howpublished", _escape(paper.venue)))
    if paper.arxiv:
        fields += [("eprint", paper.arxiv), ("archivePrefix", "arXiv")]
    if paper.doi:
        fields.append(("doi", _verbatim(paper.doi)))
    links = paper.resolved_links()
    url = links.get("arxiv") or links.get("doi") or links.get("project")
    if url:
        fields.append(("url", _verbatim(url)))
    entry_type = "article" if paper.doi else "misc"
    text = template("entry.bib").render(type=entry_type, key=citation_key(paper), fields=fields)
    return text.strip() + "\n"


def citation_key(paper: Paper) -> str:
    """`lastname2017firstword`, in ASCII: what reference managers expect to see."""
    first = paper.authors[0]
    surname = first.split(",")[0] if "," in first else first.split()[-1]
    last = slugify(surname, separator="") or "anon"
    words = [w for w in slugify(paper.title, separator=" ").split() if w not in _STOP_WORDS]
    return f"{last}{paper.published.year}{words[0] if words else ''}"


# DOIs and URLs reach LaTeX through \url or \doi, often inside another command's
# argument (plainnat's `\doi{#1}`), where %, # and ~ act as TeX reads them: % ends the
# line, # is a parameter, ~ a space, \ starts a command, and a brace unbalances the
# entry. Where percent-encoding means the same address (RFC 3986: ~ is unreserved, and
# \ and braces are not allowed raw) it is used; % and # cannot be encoded without
# changing the address, so they get the TeX escapes that hyperref's \url reads back.
_VERBATIM = str.maketrans({"\\": "%5C", "{": "%7B", "}": "%7D", "~": "%7E", "%": "\\%", "#": "\\#"})


def _verbatim(text: str) -> str:
    return text.translate(_VERBATIM)


def _escape(text: str) -> str:
    return _LATEX_SPECIALS.sub(lambda m: _REPLACEMENTS.get(m.group(1), "\\" + m.group(1)), text)
