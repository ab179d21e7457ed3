"""`paperfeed deploy s3://bucket/prefix`: the built site to an S3-compatible store.

Thin: the work is in `paperfeed.deploy`. This reads the options, finds the site folder
(the `site_dir` of mkdocs.yml, as `mkdocs build` wrote it), shows progress and says what
was done. Every failure is one line and exit status 1.
"""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from rich.console import Console
from rich.progress import Progress as Bar

from paperfeed import mkdocs_yml
from paperfeed.deploy.plan import Plan
from paperfeed.deploy.run import WORKERS, Outcome, deploy
from paperfeed.deploy.s3 import DeployError, parse_target

_DEFAULT_SITE = Path("site")


@click.command(name="deploy")
@click.argument("url", metavar="s3://BUCKET[/PREFIX]")
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built site. [default: site_dir of mkdocs.yml, else site]",
)
@click.option(
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="Where to read site_dir from.",
)
@click.option("--dry-run", is_flag=True, help="Only show what would be uploaded and deleted.")
@click.option(
    "--delete/--no-delete",
    default=True,
    show_default=True,
    help="Delete the objects under the prefix that are no longer in the site.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 16),
    default=WORKERS,
    show_default=True,
    help="Uploads at a time.",
)
def deploy_command(
    url: str, site_dir: Path | None, config_file: Path, dry_run: bool, delete: bool, jobs: int
) -> None:
    """Upload the files of the built site that changed since the last deploy.

    The store and credentials come from AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID
    and AWS_SECRET_ACCESS_KEY (AWS S3, Cloudflare R2, MinIO, Backblaze B2 ...).
    """
    target = parse_target(url)
    site = site_dir or _site_dir(config_file)
    console = Console(stderr=True)
    with Bar(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("uploading", total=None)

        def started(decided: Plan) -> None:
            if dry_run:
                _show(decided)
            bar.update(task, total=len(decided.uploads))

        def progress(what: str, count: int) -> None:
            if what == "uploaded":
                bar.advance(task, count)

        outcome = deploy(
            site,
            target,
            dry_run=dry_run,
            delete=delete,
            workers=jobs,
            progress=progress,
            started=started,
        )
    click.echo(_summary(outcome, target.url, dry_run))


def _site_dir(config_file: Path) -> Path:
    """mkdocs.yml's site_dir (relative to the file, as MkDocs takes it), else `site`."""
    if not config_file.is_file():
        return _DEFAULT_SITE
    try:
        config = mkdocs_yml.load(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise DeployError(f"{config_file}: cannot be read ({e}): give --site-dir") from None
    found = config.get("site_dir") if isinstance(config, dict) else None
    if not isinstance(found, str) or not found:
        return config_file.parent / _DEFAULT_SITE
    return config_file.parent / found


def _show(decided: Plan) -> None:
    for file in decided.uploads:
        click.echo(f"upload {file.path} ({file.content_type}; {file.cache_control})")
    for path in decided.delete:
        click.echo(f"delete {path}")


def _summary(outcome: Outcome, url: str, dry_run: bool) -> str:
    decided = outcome.plan
    size = sum(file.size for file in decided.uploads)
    if dry_run:
        return (
            f"would upload {len(decided.uploads)} files ({size:,} bytes) and delete "
            f"{len(decided.delete)} in {url}; {len(decided.unchanged)} unchanged"
        )
    return (
        f"uploaded {outcome.uploaded} files ({size:,} bytes), deleted {outcome.deleted}, "
        f"{len(decided.unchanged)} unchanged: {url}"
    )
