"""The `paperfeed init` command: start a new feed, ready to push, in an empty folder."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click

from paperfeed.errors import PaperfeedError
from paperfeed.scaffold import Feed, requirement, scaffold, site_name, site_url


def _checked(check: Callable[[str], str]) -> Callable[[click.Context, click.Parameter, str], str]:
    """A click callback that turns a scaffold check's ValueError into a usage error."""

    def callback(ctx: click.Context, param: click.Parameter, value: str) -> str:
        try:
            return check(value)
        except ValueError as e:
            raise click.BadParameter(str(e)) from None

    return callback


def _this_version() -> str:
    """The requirement that installs the paperfeed running now, looked up only when needed."""
    try:
        return f"paperfeed=={version('paperfeed')}"
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "paperfeed"


@click.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--name",
    required=True,
    callback=_checked(site_name),
    help="The site's name, shown on every page and in the feeds.",
)
@click.option(
    "--url",
    required=True,
    callback=_checked(site_url),
    help="Where the site is published, e.g. https://owner.github.io/papers/.",
)
@click.option(
    "--requirement",
    "requirement_line",
    default=_this_version,
    show_default="paperfeed==<this version>",
    callback=_checked(requirement),
    help="How the new feed's workflows install paperfeed: a line of requirements.txt.",
)
def init(directory: Path, name: str, url: str, requirement_line: str) -> None:
    """Write a new paper feed into DIR (new or empty): config, templates, workflows."""
    try:
        written = scaffold(directory, Feed(name=name, url=url, requirement=requirement_line))
    except PaperfeedError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1) from None
    click.echo(f"Wrote {len(written)} files to {directory}. Next, in that folder:")
    click.echo("  pip install -r requirements.txt   # paperfeed and MkDocs")
    click.echo("  paperfeed check                   # validate the entries under papers/")
    click.echo("  mkdocs serve                      # preview the site as you edit")
