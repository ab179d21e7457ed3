"""`paperfeed digest`: a period's most upvoted papers as an email, written or sent.

Made for a scheduled workflow: no server of the feed's own, SMTP settings from the
environment, subscribers from a file, and a state file so that a rerun sends nothing
twice. Every failure is one line naming the file or setting, and exit status 1.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import get_args
from urllib.parse import urlsplit

import click

from paperfeed.catalog import Catalog
from paperfeed.digest.content import Digest, build_digest
from paperfeed.digest.message import digest_message
from paperfeed.digest.periods import Kind, Period, newest_period
from paperfeed.digest.send import ENV, Pace, SendState, SmtpSettings, send_digest
from paperfeed.digest.subscribers import masked, read_subscribers
from paperfeed.errors import PaperfeedError
from paperfeed.feed_config import FeedConfig, read_feed_config
from paperfeed.load import load_entries

STATE_FILE = "digest-state.json"
PROBLEMS_SHOWN = 20


@click.command()
@click.option(
    "--period",
    "kind",
    type=click.Choice(get_args(Kind)),
    required=True,
    help="A day's papers or an ISO week's (Monday to Sunday).",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="A day of the period. [default: the newest period with papers]",
)
@click.option(
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="The feed's MkDocs configuration.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE.eml",
    help="Write the message there. [default: standard output]",
)
@click.option(
    "--to",
    "preview_to",
    metavar="ADDRESS",
    help=f"The recipient of a written message. [default: the sender, {ENV}FROM]",
)
@click.option("--send", is_flag=True, help=f"Send it by SMTP (settings: {ENV}* variables).")
@click.option(
    "--to-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="With --send: the subscribers, one address a line (# comments allowed).",
)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help=f"With --send: who got which period. [default: {STATE_FILE} beside mkdocs.yml]",
)
@click.option(
    "--max-per-minute",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --send: at most N messages a minute. [default: no limit]",
)
def digest(
    kind: Kind,
    day: datetime | None,
    config_file: Path,
    out: Path | None,
    preview_to: str | None,
    send: bool,
    to_file: Path | None,
    state_file: Path | None,
    max_per_minute: int | None,
) -> None:
    """Write or send the digest of a day or a week: its most upvoted papers.

    Without --send, writes the email (MIME, text and HTML) to standard output or
    --out. With --send, emails it to every address of --to-file that has not had this
    period yet (the state file keeps count), and exits with 1 if any was refused or
    failed. A period without papers writes and sends nothing.
    """
    if send and not to_file:
        raise click.UsageError("--send needs --to-file: the file of subscribers")
    if not send and (to_file or state_file or max_per_minute):
        raise click.UsageError("--to-file, --state and --max-per-minute go with --send")
    if send and (out or preview_to):
        raise click.UsageError("--out and --to write one message: leave them out with --send")
    try:
        config = read_feed_config(config_file)
        made = _digest(config, kind, day)
        if made is None:
            return
        if send:
            assert to_file is not None
            ok = _send(config, made, to_file, state_file, max_per_minute)
            if not ok:
                raise SystemExit(1)
        else:
            _write(config, made, out, preview_to)
    except PaperfeedError as e:
        click.echo(e.report(PROBLEMS_SHOWN), err=True)
        raise SystemExit(1) from None


def _digest(config: FeedConfig, kind: Kind, day: datetime | None) -> Digest | None:
    """The digest to write or send; None (and a note) when its period has no papers."""
    entries = load_entries(config.papers_dir, config.root)
    catalog = Catalog({entry.source: entry.paper for entry in entries})
    period = Period.containing(kind, day.date()) if day else newest_period(catalog.papers, kind)
    if period is None:
        click.echo("The feed has no papers yet: no digest.", err=True)
        return None
    made = build_digest(catalog, period, config.digest_settings())
    if not made.papers:
        click.echo(f"No papers in {kind} {period.key}: no digest.", err=True)
        return None
    return made


def _write(config: FeedConfig, made: Digest, out: Path | None, to: str | None) -> None:
    host = urlsplit(made.site_url).hostname or "localhost"
    sender = os.environ.get(f"{ENV}FROM", "").strip() or f"digest@{host}"
    message = digest_message(made, to or sender, sender, config.template_dirs)
    data = message.as_bytes()
    if out is None:
        click.echo(data, nl=False)  # bytes: written as they are
        return
    try:
        out.write_bytes(data)
    except OSError as e:
        raise PaperfeedError(f"{out}: cannot be written ({e.strerror})") from None
    click.echo(f"Wrote the digest of {made.period.id} ({len(made.papers)} papers) to {out}")


def _send(
    config: FeedConfig,
    made: Digest,
    to_file: Path,
    state_file: Path | None,
    max_per_minute: int | None,
) -> bool:
    """Send to every subscriber not reached yet; False if any line or recipient failed."""
    settings = SmtpSettings.from_env()
    subscribers = read_subscribers(to_file)
    for problem in subscribers.problems:
        click.echo(str(problem), err=True)
    state = SendState(state_file or config.root / STATE_FILE)
    dirs = config.template_dirs
    report = send_digest(
        lambda recipient: digest_message(made, recipient, settings.sender, dirs),
        made.period.id,
        subscribers.addresses,
        settings,
        state,
        Pace(max_per_minute=max_per_minute),
        log=lambda line: click.echo(line, err=True),
    )
    for kind, items in (("refused", report.refused), ("failed", report.failed)):
        for address, reply in items:
            line = subscribers.line_of(address)
            click.echo(f"{to_file}:{line}: {masked(address)}: {kind}: {reply}", err=True)
    click.echo(report.summary())
    return report.ok and not subscribers.problems
