"""`paperfeed init` starts a new feed in an empty folder; `paperfeed upgrade` refreshes one."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

import click

from paperfeed import upgrade as upgrading
from paperfeed.errors import PaperfeedError
from paperfeed.scaffold import Feed, FeedSettingError, requirement, scaffold, site_name, site_url

T = TypeVar("T")


def _checked(check: Callable[[str], str]) -> Callable[[click.Context, click.Parameter, str], str]:
    """A click callback that turns a scaffold check's refusal into a usage error."""

    def callback(ctx: click.Context, param: click.Parameter, value: str) -> str:
        try:
            return check(value)
        except FeedSettingError as e:
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
    help="How the new feed's workflows install paperfeed: the line of requirements.in.",
)
@click.option("--demo", is_flag=True, help="Start with three example papers under papers/.")
def init(directory: Path, name: str, url: str, requirement_line: str, demo: bool) -> None:
    """Write a new paper feed into DIR (new or empty): config, pages, workflows."""
    feed = Feed(name=name, url=url, requirement=requirement_line)
    written = _or_exit(lambda: scaffold(directory, feed, demo=demo))
    click.echo(f"Wrote {len(written)} files to {directory}. Next, in that folder:")
    click.echo("  pip install --require-hashes -r requirements-build.txt")
    click.echo("  pip install --require-hashes --no-build-isolation -r requirements.txt")
    click.echo("  pip install --no-deps -r requirements.in  # the locked packages, then paperfeed")
    click.echo("  paperfeed check                   # validate the entries under papers/")
    click.echo("  mkdocs serve                      # preview the site as you edit")


@click.command()
@click.argument(
    "directory", metavar="[DIR]", default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--check", is_flag=True, help="Only show what would change; exit 1 if anything would."
)
def upgrade(directory: Path, check: bool) -> None:
    """Refresh a feed's workflows, issue form and paperfeed pin from this version.

    Shows every change as a diff. papers/, docs/ and mkdocs.yml are never written.
    """
    found = _or_exit(lambda: upgrading.changes(directory))
    for diff in found.diffs:
        click.echo(diff, nl=False)
    if not found:
        click.echo(f"{directory}: up to date with paperfeed {version('paperfeed')}")
        return
    if check:
        raise SystemExit(1)
    _or_exit(lambda: upgrading.apply(directory, found))
    click.echo(
        f"{directory}: {len(found.written)} written, {len(found.removed)} removed "
        f"(paperfeed {version('paperfeed')}): review them with `git diff` and commit"
    )


def _or_exit(work: Callable[[], T]) -> T:
    try:
        return work()
    except PaperfeedError as e:
        click.echo(e.report(), err=True)
        raise SystemExit(1) from None
