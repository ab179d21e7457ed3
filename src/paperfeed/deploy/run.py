"""One deploy, start to end: scan, compare, upload in two waves, delete, write the manifest.

Uploads run on a few threads (boto3's client may be shared between them): a site is many
small files, so the time goes in round trips, and a few at once fill them without
tripping a store's rate limits. The manifest is written last: a deploy stopped before it
leaves the last manifest in place, and the next run finds what it had uploaded by ETag.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from paperfeed.deploy.plan import LocalFile, Plan, new_manifest, plan, scan, to_check
from paperfeed.deploy.s3 import Bucket, DeployError, Target

WORKERS = 4
T = TypeVar("T")
R = TypeVar("R")

# Called after each file is uploaded or each batch deleted: (what, how many).
Progress = Callable[[str, int], None]


@dataclass
class Outcome:
    plan: Plan
    uploaded: int = 0
    deleted: int = 0
    checked: int = 0


def deploy(
    site: Path,
    target: Target,
    dry_run: bool = False,
    delete: bool = True,
    workers: int = WORKERS,
    progress: Progress | None = None,
    started: Callable[[Plan], None] | None = None,
) -> Outcome:
    """Make the bucket's prefix hold the site in `site`; `dry_run` only plans."""
    if not site.is_dir():
        raise DeployError(f"{site}: there is no built site here: run `paperfeed build` first")
    try:
        local = scan(site)
    except OSError as e:
        raise DeployError(f"{e.filename}: cannot be read: {e.strerror}") from None
    if not local:
        raise DeployError(f"{site}: the site folder is empty: run `paperfeed build` first")
    bucket = Bucket(target, connections=workers + 2)
    remote = bucket.objects()
    manifest = bucket.read_manifest()
    unsure = to_check(local, remote, manifest)
    for path, obj in zip(unsure, _each(bucket.head, unsure, workers), strict=True):
        remote[path] = obj
    decided = plan(local, remote, manifest, delete=delete)
    outcome = Outcome(decided, checked=len(unsure))
    if started is not None:
        started(decided)
    if dry_run:
        return outcome
    etags: dict[str, str] = {}
    for wave in (decided.upload, decided.upload_last):

        def one(file: LocalFile) -> str:
            try:
                etag = bucket.upload(site, file)
            except OSError as e:
                raise DeployError(f"{site / file.path}: cannot be read: {e.strerror}") from None
            if progress is not None:
                progress("uploaded", 1)
            return etag

        for file, etag in zip(wave, _each(one, wave, workers), strict=True):
            etags[file.path] = etag
        outcome.uploaded += len(wave)
    if decided.delete:
        bucket.delete(decided.delete)
        outcome.deleted = len(decided.delete)
        if progress is not None:
            progress("deleted", len(decided.delete))
    manifest_now = new_manifest(local, remote, etags)
    if manifest_now != manifest:  # a deploy that changed nothing writes nothing
        bucket.write_manifest(manifest_now)
    return outcome


def _each(work: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """`work` on every item on `workers` threads, results in order; the first failure
    stops the rest from starting and is raised."""
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(work, item) for item in items]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        for future in futures:
            error = future.exception() if future in done else None
            if error is not None:
                raise error
        return [future.result() for future in futures]
