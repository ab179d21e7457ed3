"""The `paperfeed` command: add and check entries, build the site, write generated pages.

It drives MkDocs as a separate process, so the CLI, like the rest of the core,
never imports the engine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import click
from pydantic import TypeAdapter, ValidationError

from paperfeed.add import AddError, Writer
from paperfeed.arxiv_id import ArxivIdError, parse_ref
from paperfeed.catalog import Catalog
from paperfeed.cli_deploy import deploy_command
from paperfeed.cli_digest import digest
from paperfeed.cli_init import init, upgrade
from paperfeed.entry import Added
from paperfeed.errors import PaperfeedError, Problem
from paperfeed.importers import Failed, Found, Result, arxiv, bibtex, hf
from paperfeed.importers.progress import progress
from paperfeed.load import load_entries
from paperfeed.pages import site_pages
from paperfeed.schema import schema_text
from paperfeed.urls import is_web_url

_PAPERS = click.option(
    "--papers",
    "papers_dir",
    type=click.Path(path_type=Path),
    default=Path("papers"),
    show_default=True,
    help="Folder of the paper entries.",
)


class _Commands(click.Group):
    """paperfeed's commands: a PaperfeedError in any of them ends the run with status 1.

    Every error paperfeed raises is one, and its text is written for the user, so the
    text is what the user sees, never a traceback.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PaperfeedError as e:
            click.echo(e.report(), err=True)
            raise SystemExit(1) from None


@click.group(cls=_Commands)
@click.version_option(package_name="paperfeed")
def main() -> None:
    """Papers as YAML files in, a paper-feed website with RSS, Atom and JSON feeds out."""


def _load(papers_dir: Path, output: str = "text") -> Catalog:
    """The catalog, or every problem (duplicates included) reported and exit status 1."""
    try:
        entries = load_entries(papers_dir, Path.cwd())
    except PaperfeedError as e:
        for problem in e.problems:
            if output == "github":
                click.echo(github_annotation(problem))
            else:
                click.echo(str(problem), err=True)
        click.echo(f"{len(e.problems)} problem(s) found: fix them and run again.", err=True)
        raise SystemExit(1) from None
    return Catalog({entry.source: entry.paper for entry in entries})


def github_annotation(problem: Problem) -> str:
    """A GitHub workflow command that shows `problem` on its line of the pull request."""
    place = {"file": problem.path, "line": problem.line, "title": problem.field}
    properties = ",".join(
        f"{name}={_escape_property(str(value))}" for name, value in place.items() if value
    )
    return f"::error {properties}::{_escape_data(problem.message)}"


# As GitHub's own toolkit escapes them (actions/toolkit, packages/core/src/command.ts).
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@main.command()
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "github"]),
    default="text",
    show_default=True,
    help="github: workflow annotations, so a pull request shows each problem on its line.",
)
@_PAPERS
def check(output: str, papers_dir: Path) -> None:
    """Validate every entry and look for papers entered twice.

    Prints each problem as path:line: field: message.
    """
    catalog = _load(papers_dir, output)
    click.echo(
        f"{len(catalog.papers)} papers OK ({len(catalog.days)} days, {len(catalog.tags)} tags)"
    )


def _added(ctx: click.Context, param: click.Parameter, value: str | None) -> date | datetime:
    if value is None:
        return date.today()
    try:
        return TypeAdapter(Added).validate_python(value)
    except ValidationError as e:
        error = e.errors()[0]
        raise click.BadParameter(str(error.get("ctx", {}).get("error", error["msg"]))) from None


def _api(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not is_web_url(value):
        raise click.BadParameter(f"{value!r} is not a web address: use a full https:// URL")
    return value.rstrip("/")


@main.command()
@click.argument("refs", nargs=-1, metavar="[ID|URL]...")
@click.option(
    "--from-hf",
    is_flag=True,
    help="Take the papers from Hugging Face: with upvotes, code, project page, keywords.",
)
@click.option(
    "--from-hf-daily",
    "hf_day",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="DATE",
    help="Add every paper of Hugging Face's daily listing of DATE (YYYY-MM-DD).",
)
@click.option(
    "--from-bibtex",
    "bibtex_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE.bib",
    help="Add every entry of a BibTeX file that has (or gets from arXiv) what entries need.",
)
@click.option(
    "--added",
    callback=_added,
    metavar="DATE",
    help="When the papers join the feed: YYYY-MM-DD or a date-time with zone. [default: today]",
)
@click.option("--by", "submitted_by", metavar="NAME", help="Who submits them (submitted_by).")
@click.option(
    "--arxiv-api",
    envvar="PAPERFEED_ARXIV_API",
    default=arxiv.API,
    show_default=True,
    callback=_api,
    metavar="URL",
    help="The arXiv API's query address (env PAPERFEED_ARXIV_API).",
)
@click.option(
    "--hf-api",
    envvar="PAPERFEED_HF_API",
    default=hf.API,
    show_default=True,
    callback=_api,
    metavar="URL",
    help="The Hugging Face API's base address (env PAPERFEED_HF_API).",
)
@_PAPERS
def add(
    refs: tuple[str, ...],
    from_hf: bool,
    hf_day: datetime | None,
    bibtex_file: Path | None,
    added: date | datetime,
    submitted_by: str | None,
    arxiv_api: str,
    hf_api: str,
    papers_dir: Path,
) -> None:
    """Add papers by arXiv id or URL, from Hugging Face, or from a BibTeX file.

    Writes papers/YYYY/MM/<id>.yaml for each paper (YYYY/MM of --added) and refuses a
    paper that is already in the feed. Each paper it cannot add gets one line saying
    why, and the exit status is then 1.
    """
    if sum([bool(refs), hf_day is not None, bibtex_file is not None]) != 1:
        raise click.UsageError("give arXiv ids or URLs, or --from-hf-daily, or --from-bibtex")
    if from_hf and not refs:
        raise click.UsageError("--from-hf needs arXiv ids or URLs")
    if bibtex_file:
        results = bibtex.import_file(bibtex_file, arxiv.new_client(), arxiv_api)
    elif hf_day:
        results = hf.fetch_daily(hf_day.date(), hf.new_client(), hf_api)
    else:
        results = _by_id(refs, from_hf, arxiv_api, hf_api)
    writer = Writer(papers_dir, added, submitted_by)
    written = failed = 0
    for result in progress(results, "writing entries"):
        if isinstance(result, Found):
            try:
                click.echo(writer.add(result).source)
            except AddError as e:
                result = Failed(result.ref, str(e))
            else:
                written += 1
                continue
        click.echo(str(result), err=True)
        failed += 1
    click.echo(f"Added {written} paper(s) to {papers_dir}.")
    if failed:
        click.echo(f"{failed} paper(s) not added: see above.", err=True)
        raise SystemExit(1)


def _by_id(refs: tuple[str, ...], from_hf: bool, arxiv_api: str, hf_api: str) -> list[Result]:
    """A Result per distinct paper asked for, the unreadable ids first."""
    results: list[Result] = []
    ids: list[str] = []
    for ref in refs:
        try:
            ids.append(parse_ref(ref))
        except ArxivIdError as e:
            results.append(Failed(ref, str(e)))
    ids = list(dict.fromkeys(ids))  # 2401.10215 and its v2 are one paper
    if from_hf:
        client = hf.new_client()
        results += [hf.fetch_paper(i, client, hf_api) for i in progress(ids, "asking Hugging Face")]
    else:
        found = arxiv.fetch(ids, arxiv.new_client(), arxiv_api)
        results += [found[i] for i in ids]
    return results


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write it to FILE (e.g. paper.schema.json) instead of printing it.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a paper entry, generated from the format's model."""
    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


@main.command()
@click.option(
    "-f",
    "--config-file",
    type=click.Path(exists=True, path_type=Path),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="The site's mkdocs.yml.",
)
@click.option("--strict", is_flag=True, help="Fail on MkDocs warnings too.")
@click.option("-d", "--site-dir", type=click.Path(path_type=Path), help="Where to write the site.")
@_PAPERS
def build(config_file: Path, strict: bool, site_dir: Path | None, papers_dir: Path) -> None:
    """Validate the entries, build the site and its feeds, and print a summary."""
    started = time.perf_counter()
    catalog = _load(papers_dir)
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config_file)]
    if strict:
        command.append("--strict")
    if site_dir:
        command += ["--site-dir", str(site_dir)]
    if subprocess.run(command, check=False).returncode != 0:
        click.echo("mkdocs build failed: see its messages above.", err=True)
        raise SystemExit(1)
    seconds = time.perf_counter() - started
    click.echo(
        f"Built {len(catalog.papers)} papers, {len(catalog.days)} days, "
        f"{len(catalog.tags)} tags in {seconds:.1f} s"
    )


@main.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
@_PAPERS
def convert(out_dir: Path, papers_dir: Path) -> None:
    """Write the generated Markdown pages to OUT_DIR, to inspect what MkDocs receives."""
    catalog = _load(papers_dir)
    count = 0
    for page in site_pages(catalog):
        target = out_dir / page.uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.text, encoding="utf-8")
        count += 1
    click.echo(f"Wrote {count} pages to {out_dir}")


main.add_command(init)
main.add_command(upgrade)
main.add_command(digest)
main.add_command(deploy_command)

if __name__ == "__main__":
    main()
