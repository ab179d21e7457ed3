"""Titles with inline math (`UniF$^2$ace`, `Attention in $\\mathcal{O}(n)$`): as HTML,
with MathML for each `$...$` span, and as plain text where markup cannot go.

The math is found by the abstract's rule for inline math (abstract.py: no space inside
the dollars, no digit after the closing one), so "Costs $5 and more" stays text, and
made by the same converter, whose MathML is built escaped. A title without a `$` is
left as it is: its HTML is the escaped title, its text the title.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from xml.etree.ElementTree import Element, fromstring

from markupsafe import Markup

from paperfeed.abstract import to_mathml

# abstract.py's inline math, alone: a title has no paragraphs, links or display math.
_INLINE = re.compile(r"(?<![\\$])\$(?P<latex>[^\s$](?:[^$]*?[^\s\\$])?)\$(?!\d)")

_SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()niabcdefghjklmoprstuvwxyzABDEGHIJKLMNOPRTUVW",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵃᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
        strict=True,
    )
)
_SUBSCRIPTS = dict(
    zip("0123456789+-−=()aeoxhklmnpstijruv", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", strict=True)
)


@dataclass(frozen=True)
class Title:
    html: Markup  # for pages: escaped text, MathML for the math
    text: str  # for <title>, meta tags, feeds: Unicode text, no markup ("UniF²ace")
    search: str  # the plain words search finds it by that `text` lacks ("UniF2ace"), or ""


@lru_cache(maxsize=4096)
def title(source: str) -> Title:
    """The title `source` (an entry's title, with its LaTeX) as HTML and text, and the
    words of its math in plain letters (search finds "UniF²ace" by "UniF2ace")."""
    if "$" not in source:
        return Title(Markup.escape(source), source, "")
    html: list[str] = []
    text: list[str] = []
    search: list[str] = []
    for kind, part in spans(source):
        mathml = to_mathml(part) if kind == "math" else None
        if mathml is None:  # text, or LaTeX the converter does not read: as written
            shown = part if kind == "text" else f"${part}$"
            html.append(Markup.escape(shown))
            text.append(shown)
            search.append(shown)
        else:
            root = fromstring(str(mathml))
            html.append(mathml)
            text.append(_text(root, scripts=True))
            search.append(unicodedata.normalize("NFKC", _text(root, scripts=False)))
    shown = "".join(text)
    words = shown.split()
    plain = [w for w in dict.fromkeys("".join(search).split()) if w not in words]
    return Title(Markup("".join(html)), shown, " ".join(plain))


def spans(source: str) -> list[tuple[Literal["text", "math"], str]]:
    """The title cut into its text and its inline math (the LaTeX between the dollars)."""
    out: list[tuple[Literal["text", "math"], str]] = []
    pos = 0
    for m in _INLINE.finditer(source):
        if m.start() > pos:
            out.append(("text", source[pos : m.start()]))
        out.append(("math", m.group("latex").strip()))
        pos = m.end()
    if pos < len(source):
        out.append(("text", source[pos:]))
    return out


def title_html(source: str) -> Markup:
    return title(source).html


def title_text(source: str) -> str:
    return title(source).text


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(node: Element, scripts: bool) -> str:
    """What a MathML element reads as, in a line of text. With `scripts`, super- and
    subscripts as Unicode where it has them (x², xᵢ), else after ^ or _; without,
    run in (x2), as search should see them."""
    tag = _local(node.tag)
    if tag == "annotation":
        return ""
    parts = [_text(child, scripts) for child in node]
    if tag in ("msup", "mover") and len(parts) == 2:
        return parts[0] + _script(parts[1], "^", _SUPERSCRIPTS, scripts)
    if tag in ("msub", "munder") and len(parts) == 2:
        return parts[0] + _script(parts[1], "_", _SUBSCRIPTS, scripts)
    if tag in ("msubsup", "munderover") and len(parts) == 3:
        return (
            parts[0]
            + _script(parts[1], "_", _SUBSCRIPTS, scripts)
            + _script(parts[2], "^", _SUPERSCRIPTS, scripts)
        )
    if tag == "mfrac" and len(parts) == 2:
        return f"{_group(parts[0])}/{_group(parts[1])}"
    if tag == "msqrt":
        return "√" + _group("".join(parts))
    if tag == "mspace":
        return " "
    return (node.text or "").strip() + "".join(parts)


def _script(script: str, mark: str, table: dict[str, str], scripts: bool) -> str:
    if not scripts:
        return script
    if script and all(ch in table for ch in script):
        return "".join(table[ch] for ch in script)
    return mark + _group(script)


def _group(part: str) -> str:
    return part if len(part) <= 1 or part.isalnum() else f"({part})"
