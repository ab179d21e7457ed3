"""The `paperfeed` command: check entries, build the site, write generated pages.

It drives MkDocs as a separate process, so the CLI, like the rest of the core,
never imports the engine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import click

from paperfeed.catalog import Catalog
from paperfeed.errors import PaperfeedError
from paperfeed.load import load_papers
from paperfeed.pages import site_pages

_PAPERS = click.option(
    "--papers",
    "papers_dir",
    type=click.Path(path_type=Path),
    default=Path("papers"),
    show_default=True,
    help="Folder of the paper entries.",
)


@click.group()
@click.version_option(package_name="paperfeed")
def main() -> None:
    """Papers as YAML files in, a paper-feed website with RSS, Atom and JSON feeds out."""


def _load(papers_dir: Path) -> Catalog:
    """The catalog, or every problem on stderr and exit status 1."""
    try:
        return Catalog(load_papers(papers_dir, Path.cwd()))
    except PaperfeedError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(e.problems)} problem(s) found: fix them and run again.", err=True)
        raise SystemExit(1) from None


@main.command()
@_PAPERS
def check(papers_dir: Path) -> None:
    """Validate every entry; print each problem as path:line: field: message."""
    catalog = _load(papers_dir)
    click.echo(
        f"{len(catalog.papers)} papers OK ({len(catalog.days)} days, {len(catalog.tags)} tags)"
    )


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


if __name__ == "__main__":
    main()
