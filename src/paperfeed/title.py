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
from xml.etree.ElementTree import Element, SubElement, fromstring, tostring

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
# A script on nothing (the `^2` of `UniF$^2$ace`, which belongs to the text before it) is
# drawn as a raised or lowered script-size run instead: Chromium puts ~0.18em of space
# after every msup and msub, a gap inside the word ("UniF² ace"). Offsets as measured
# against an msup's script in Chromium (test_title_math.py measures the gap: 0 px).
_SCRIPT_SHIFT = {"msup": "0.46em", "msub": "-0.23em"}
_MATHML = "http://www.w3.org/1998/Math/MathML"

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
        made = _math(part) if kind == "math" else None
        if made is None:  # text, or LaTeX the converter does not read: as written
            shown = part if kind == "text" else f"${part}$"
            made = Markup.escape(shown), shown, shown
        html.append(made[0])
        text.append(made[1])
        search.append(made[2])
    shown = "".join(text)
    words = shown.split()
    plain = [w for w in dict.fromkeys("".join(search).split()) if w not in words]
    return Title(Markup("".join(html)), shown, " ".join(plain))


def _math(latex: str) -> tuple[Markup, str, str] | None:
    """(MathML, text, search words) of one span of math; None if it does not parse."""
    mathml = to_mathml(latex)
    if mathml is None:
        return None
    root = fromstring(str(mathml))
    text = _text(root, scripts=True)
    search = unicodedata.normalize("NFKC", _text(root, scripts=False))
    if _shift_bare_scripts(root):
        mathml = Markup(_serialise(root))
    return mathml, text, search


def _shift_bare_scripts(root: Element) -> bool:
    """Redraw each msup and msub on an empty base as its script alone, raised or
    lowered (see _SCRIPT_SHIFT); whether there was one."""
    bare = [
        (parent, index)
        for parent in root.iter()
        for index, child in enumerate(parent)
        if _local(child.tag) in _SCRIPT_SHIFT and len(child) == 2 and _empty(child[0])
    ]
    # The innermost first (`^{^2}`): an outer one moves its script, with what it holds.
    for parent, index in reversed(bare):
        script = parent[index]
        padded = Element("mpadded", {"voffset": _SCRIPT_SHIFT[_local(script.tag)]})
        SubElement(padded, "mstyle", {"scriptlevel": "1"}).append(script[1])
        padded.tail = script.tail
        parent[index] = padded
    return bool(bare)


def _empty(node: Element) -> bool:
    return len(node) == 0 and not (node.text or "").strip()


def _serialise(root: Element) -> str:
    # Written as the converter writes it: unprefixed tags, the namespace as an attribute.
    for node in root.iter():
        node.tag = _local(node.tag)
    root.attrib = {"xmlns": _MATHML, **root.attrib}
    return tostring(root, encoding="unicode")


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
