"""What a deploy uploads and deletes: the site's files against what the bucket holds.

A file is left alone when the bucket's object has the same bytes and the same headers.
The same bytes are known two ways, so that any S3-compatible store works:

- the object's ETag is the MD5 of the file: true of every single-part upload on AWS S3
  (without KMS encryption), Cloudflare R2, MinIO, Backblaze B2 and rclone, and paperfeed
  uploads every file in one part;
- or the manifest says so: after each deploy, paperfeed writes under the prefix a list of
  every file with its SHA-256, headers and the ETag the store gave it (`Manifest`). A
  store whose ETags are not MD5s still skips unchanged files by it, and an object changed
  behind paperfeed's back has another ETag, so it is uploaded again.

The headers are known from the manifest too, or, for an object the manifest does not
describe (uploaded by a deploy that was interrupted before it wrote the manifest), from
the store itself (`to_check`: a HEAD request each). So an interrupted deploy, run again,
uploads only what it had not uploaded yet.

Uploads come in two waves: first everything a page refers to (assets, Pagefind's chunks),
then the pages and the entry files that name the rest, so that no reader gets a page
whose assets are not there yet. Deletions come last, the manifest after them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from paperfeed.deploy.headers import cache_control, content_type
from paperfeed.errors import PaperfeedError

MANIFEST = ".paperfeed-deploy.json"
_MANIFEST_VERSION = 1
# Files that name others (a page its assets, Pagefind's entry file its meta file): the
# second wave.
_ENTRY_FILES = {"pagefind-entry.json", "paperfeed-shards.json"}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class LocalFile:
    """A file of the built site, by its path relative to the site (with "/")."""

    path: str
    md5: str
    sha256: str
    size: int
    content_type: str
    cache_control: str

    @property
    def headers(self) -> tuple[str, str]:
        return (self.content_type, self.cache_control)


@dataclass(frozen=True)
class RemoteObject:
    """An object under the prefix: its ETag (no quotes) and, once asked for, its headers."""

    etag: str
    content_type: str | None = None
    cache_control: str | None = None


@dataclass(frozen=True)
class Deployed:
    """What the manifest says of one file."""

    sha256: str
    etag: str
    content_type: str
    cache_control: str


Manifest = dict[str, Deployed]


@dataclass
class Plan:
    upload: list[LocalFile] = field(default_factory=list)
    upload_last: list[LocalFile] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    unchanged: list[LocalFile] = field(default_factory=list)

    @property
    def uploads(self) -> list[LocalFile]:
        return self.upload + self.upload_last


class ManifestError(PaperfeedError):
    """The manifest in the bucket cannot be read."""


def scan(site: Path) -> list[LocalFile]:
    """Every file under `site`, hashed, with the headers it is to be served with."""
    files = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        relative = path.relative_to(site).as_posix()
        if relative == MANIFEST:
            raise PaperfeedError(
                f"{path}: the site has a file named {MANIFEST}, which deploy writes "
                "itself: rename or remove it"
            )
        md5, sha256, size = hashlib.md5(), hashlib.sha256(), 0
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                md5.update(chunk)
                sha256.update(chunk)
                size += len(chunk)
        files.append(
            LocalFile(
                relative,
                md5.hexdigest(),
                sha256.hexdigest(),
                size,
                content_type(relative),
                cache_control(relative),
            )
        )
    return files


def to_check(
    local: Iterable[LocalFile], remote: dict[str, RemoteObject], manifest: Manifest
) -> list[str]:
    """The files whose object has their bytes (by ETag) but whose headers the manifest
    does not tell: the store must be asked for them before `plan`."""
    found = []
    for file in local:
        obj, deployed = remote.get(file.path), manifest.get(file.path)
        if obj is None or obj.etag != file.md5 or obj.content_type is not None:
            continue
        if deployed is None or deployed.etag != obj.etag:
            found.append(file.path)
    return found


def plan(
    local: Iterable[LocalFile],
    remote: dict[str, RemoteObject],
    manifest: Manifest,
    delete: bool = True,
) -> Plan:
    """What to upload (in two waves) and delete so that the bucket holds the site."""
    result = Plan()
    paths = set()
    for file in local:
        paths.add(file.path)
        if _current(file, remote.get(file.path), manifest.get(file.path)):
            result.unchanged.append(file)
        elif _names_others(file.path):
            result.upload_last.append(file)
        else:
            result.upload.append(file)
    if delete:
        result.delete = sorted(key for key in remote if key not in paths and key != MANIFEST)
    return result


def _current(file: LocalFile, obj: RemoteObject | None, deployed: Deployed | None) -> bool:
    if obj is None:
        return False
    recorded = deployed is not None and deployed.etag == obj.etag
    same_bytes = obj.etag == file.md5 or (
        recorded and deployed is not None and deployed.sha256 == file.sha256
    )
    if recorded and deployed is not None:
        headers: tuple[str | None, str | None] = (deployed.content_type, deployed.cache_control)
    else:
        headers = (obj.content_type, obj.cache_control)
    return same_bytes and headers == file.headers


def _names_others(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.endswith(".html") or name in _ENTRY_FILES


def new_manifest(
    local: Iterable[LocalFile], remote: dict[str, RemoteObject], etags: dict[str, str]
) -> Manifest:
    """The manifest after a deploy: `etags` of the files uploaded, the bucket's of the rest."""
    manifest = {}
    for file in local:
        etag = etags[file.path] if file.path in etags else remote[file.path].etag
        manifest[file.path] = Deployed(file.sha256, etag, file.content_type, file.cache_control)
    return manifest


def dump_manifest(manifest: Manifest) -> bytes:
    files = {path: asdict(deployed) for path, deployed in sorted(manifest.items())}
    text = json.dumps({"version": _MANIFEST_VERSION, "files": files}, indent=0)
    return text.encode("utf-8")


def load_manifest(data: bytes, where: str) -> Manifest:
    """The manifest's files; one this version cannot read is an error, not a guess."""
    try:
        document = json.loads(data)
        if document.get("version") != _MANIFEST_VERSION:
            raise ValueError(f"version {document.get('version')!r}")
        return {path: Deployed(**entry) for path, entry in document["files"].items()}
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise ManifestError(
            f"{where}: the manifest of the last deploy cannot be read ({e}): delete it to "
            "upload every file again"
        ) from None


def etag_of(raw: str) -> str:
    """An ETag as the store sends it ("quoted") as a bare value."""
    return raw.strip().strip('"')
