"""Turn a "Submit a paper" issue into checked values, and add its extras to the entry.

The issue text comes from anyone on the internet and the workflow that runs this holds
a token that can push, so every value is checked against a strict pattern here, and
only checked values ever reach a command line (through environment variables).

    python -m paperfeed.submission parse        # ISSUE_BODY -> name=value lines
    python -m paperfeed.submission apply FILE   # CODE, TAGS -> FILE's tags, links
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from paperfeed import arxiv_id as arxiv
from paperfeed.add import render, write_atomically
from paperfeed.entry import TAG_PATTERN, Paper
from paperfeed.errors import PaperfeedError
from paperfeed.load import validate
from paperfeed.source import parse as parse_entry
from paperfeed.urls import is_web_url

# The form's labels (.github/ISSUE_TEMPLATE/submit-paper.yml): GitHub writes each
# answer under a "### <label>" heading.
ARXIV_LABEL = "arXiv id or URL"
CODE_LABEL = "Code"
TAGS_LABEL = "Tags"
NO_RESPONSE = "_No response_"

MAX_TAGS = 10
# Not arxiv_id.parse_ref: a link pasted into the form needs its scheme, and may be an
# html page.
_ARXIV_URL = re.compile(
    r"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<id>[^?#]+?)(?:\.pdf)?/?"
)


class SubmissionError(PaperfeedError, ValueError):
    """A field of the form that cannot be used; the message is safe to post back.

    Still a ValueError, as callers of 0.2 caught one.
    """


def read_form(body: str) -> dict[str, str]:
    """The answers of an issue form, by label; an unanswered field is ''."""
    answers: dict[str, str] = {}
    label: str | None = None
    lines: list[str] = []
    for line in [*body.replace("\r\n", "\n").split("\n"), "### "]:
        if line.startswith("### "):
            if label is not None:
                text = "\n".join(lines).strip()
                answers[label] = "" if text == NO_RESPONSE else text
            label, lines = line[4:].strip(), []
        else:
            lines.append(line)
    return answers


def arxiv_id(text: str) -> str:
    """The arXiv id in an id or an arxiv.org link, without its version (the entry is the paper)."""
    text = text.strip()
    if len(text) > 200:
        raise SubmissionError(f"The {ARXIV_LABEL} field is too long to be an arXiv id or link.")
    if url := _ARXIV_URL.fullmatch(text):
        text = url["id"]
    text = re.sub(r"^arxiv:", "", text, flags=re.IGNORECASE)
    if not re.fullmatch(arxiv.PATTERN, text):
        raise SubmissionError(
            f"The {ARXIV_LABEL} field is not an arXiv id or link: write it like 2401.10210, "
            "hep-th/9901001 or https://arxiv.org/abs/2401.10210."
        )
    return arxiv.strip_version(text)


def code_url(text: str) -> str:
    """An https link, or '' when the field was left empty."""
    text = text.strip()
    if not text:
        return ""
    if (
        len(text) > 500
        or not is_web_url(text, schemes=("https",))
        or any(c.isspace() or not c.isprintable() for c in text)
    ):
        raise SubmissionError(
            f"The {CODE_LABEL} field is not a single https:// link: "
            "write it like https://github.com/owner/repo, or leave it empty."
        )
    return text


def tags(text: str) -> list[str]:
    """Comma-separated tags, lowercased, spaces turned into '-', each checked, no repeats."""
    found: list[str] = []
    for raw in text.split(","):
        tag = "-".join(raw.lower().split())
        if not tag or tag in found:
            continue
        if len(tag) > 64 or not re.fullmatch(TAG_PATTERN, tag):
            raise SubmissionError(
                f"The {TAGS_LABEL} field has a tag that is not lowercase words joined by '-': "
                "write them like diffusion, image-generation."
            )
        found.append(tag)
    if len(found) > MAX_TAGS:
        raise SubmissionError(f"The {TAGS_LABEL} field lists more than {MAX_TAGS} tags.")
    return found


def parse(body: str) -> dict[str, str]:
    """The checked values the workflow uses, from the issue's body."""
    answers = read_form(body)
    return {
        "arxiv": arxiv_id(answers.get(ARXIV_LABEL, "")),
        "code": code_url(answers.get(CODE_LABEL, "")),
        "tags": ",".join(tags(answers.get(TAGS_LABEL, ""))),
    }


def apply(path: Path, code: str, new_tags: list[str]) -> None:
    """Add the submitter's code link and tags to the entry that `paperfeed add` wrote."""
    if not code and not new_tags:
        return
    # Read and write the entry as `paperfeed add` does, so the file keeps its schema
    # line and quoting, and is validated again with the additions.
    text = path.read_text(encoding="utf-8")
    data = validate(parse_entry(text, str(path))).fields()
    if new_tags:
        data["tags"] = list(dict.fromkeys([*data.get("tags", []), *new_tags]))
    if code:
        data["links"] = {**data.get("links", {}), "code": code}
    schema = text.splitlines()[0].partition("$schema=")[2]
    write_atomically(path, render(Paper.model_validate(data), schema))


def main(argv: list[str]) -> int:
    try:
        if argv[1:] == ["parse"]:
            for name, value in parse(os.environ.get("ISSUE_BODY", "")).items():
                print(f"{name}={value}")
        elif len(argv) == 3 and argv[1] == "apply":
            code = code_url(os.environ.get("CODE", ""))
            apply(Path(argv[2]), code, tags(os.environ.get("TAGS", "")))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except PaperfeedError as e:  # a form field, or an entry file `apply` cannot read
        print(e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
