"""A BibTeX entry for each paper, made from its metadata for the page's "Cite" box.

The values are made safe for BibTeX, where braces must balance and a bare %, &, # or
_ breaks LaTeX. The entry has one fixed shape, so a template writes it: bibtexparser's
writer takes 160 us an entry, 1.6 s of a 10,000-paper build; the tests parse every
entry back with bibtexparser.
"""

from __future__ import annotations

import re

from latex2mathml import commands as latex_commands
from latex2mathml.symbols_parser import SYMBOLS
from slugify import slugify

from paperfeed.abstract import to_mathml
from paperfeed.entry import Paper
from paperfeed.render import template
from paperfeed.title import spans

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
        ("title", "{" + _title(paper.title) + "}"),  # inner braces keep its capitals
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


# The math of a title goes into BibTeX as written when it is math the site shows and
# LaTeX reads as math only: no comment (%) or parameter (#) sign, balanced braces, and
# only commands of the converter's math (latex2mathml's), none that defines, links or
# reads (\\def, \\href, \\input is not one of them anyway). Otherwise it is escaped.
_MATH_COMMANDS = (
    frozenset(v for v in vars(latex_commands).values() if isinstance(v, str) and v[:1] == "\\")
    | frozenset(SYMBOLS)
) - {
    "\\def",
    "\\newcommand",
    "\\newenvironment",
    "\\DeclareMathOperator",
    "\\href",
    "\\class",
    "\\style",
    "\\unicode",
    "\\verb",
    "\\begin",
    "\\end",
}
_COMMAND = re.compile(r"\\(?:[A-Za-z]+\*?|.)")


def _title(title: str) -> str:
    """The title escaped, but for its inline math, which BibTeX keeps as TeX ($^2$)."""
    if "$" not in title:
        return _escape(title)
    out = []
    for kind, part in spans(title):
        if kind == "math" and _keeps(part):
            out.append(f"${part}$")
        else:
            out.append(_escape(part if kind == "text" else f"${part}$"))
    return "".join(out)


def _keeps(latex: str) -> bool:
    if re.search(r"(?<!\\)[%#]", latex) or to_mathml(latex) is None:
        return False
    if any(m.group(0) not in _MATH_COMMANDS for m in _COMMAND.finditer(latex)):
        return False
    depth = 0
    for brace in re.findall(r"[{}]", latex):  # BibTeX counts \\{ and \\} too
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def _escape(text: str) -> str:
    return _LATEX_SPECIALS.sub(lambda m: _REPLACEMENTS.get(m.group(1), "\\" + m.group(1)), text)
