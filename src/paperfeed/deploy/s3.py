"""The bucket, through boto3: list, ask, upload, delete, and every failure as one line.

The store and the credentials come from the environment, as for every S3 tool:
`AWS_ENDPOINT_URL` (R2, MinIO, B2 ...; unset for AWS), `AWS_REGION` (or
`AWS_DEFAULT_REGION`; "us-east-1" when neither is set, which R2 and MinIO accept),
`AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. boto3 adds only a checksum a request
requires (newer boto3 adds CRC32s by default, which some S3-compatible stores refuse);
each upload carries its Content-MD5 instead, which every store checks.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paperfeed.deploy.plan import (
    MANIFEST,
    LocalFile,
    Manifest,
    RemoteObject,
    dump_manifest,
    etag_of,
    load_manifest,
)
from paperfeed.errors import PaperfeedError

# DNS-style bucket names (AWS's rules, which the other stores share).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_DELETE_BATCH = 1000  # the most one DeleteObjects request takes
_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden", "403"}


class DeployError(PaperfeedError):
    """A deploy that cannot go on: the message says what to fix."""


@dataclass(frozen=True)
class Target:
    """Where the site goes: a bucket, and a prefix ("" for the bucket's root)."""

    bucket: str
    prefix: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path


def parse_target(url: str) -> Target:
    """`s3://bucket/prefix` as a Target, or an error that shows the form."""
    form = "write it like s3://bucket or s3://bucket/some/prefix"
    if not url.startswith("s3://"):
        raise DeployError(f"{url!r} is not an S3 address: {form}")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not _BUCKET.fullmatch(bucket):
        raise DeployError(
            f"{bucket!r} is not a bucket name (3 to 63 of a-z, 0-9, '.', '-'): {form}"
        )
    prefix = prefix.strip("/")
    if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
        raise DeployError(f"{url!r} has an empty, '.' or '..' part in its prefix: {form}")
    return Target(bucket, prefix)


class Bucket:
    """The objects under a Target's prefix, by path relative to it."""

    def __init__(self, target: Target, connections: int = 8) -> None:
        # Imported here: only a deploy needs boto3, and it takes a while to load.
        import boto3
        from botocore.config import Config

        self.target = target
        self.endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        session = boto3.session.Session(region_name=region or "us-east-1")
        if session.get_credentials() is None:
            raise DeployError(
                "no credentials for the store: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (and AWS_ENDPOINT_URL for a store other than AWS S3)"
            )
        config = Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
            max_pool_connections=connections,
            # Custom stores (MinIO, rclone) often know only bucket-in-the-path addresses.
            s3={"addressing_style": "path" if self.endpoint else "auto"},
        )
        self._client: Any = session.client("s3", endpoint_url=self.endpoint, config=config)

    def objects(self) -> dict[str, RemoteObject]:
        """Every object under the prefix, by path relative to it."""
        start = self.target.key("")
        found: dict[str, RemoteObject] = {}
        with self._reported("listing the objects"):
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.target.bucket, Prefix=start
            )
            for page in pages:
                for item in page.get("Contents", []):
                    found[item["Key"][len(start) :]] = RemoteObject(etag_of(item["ETag"]))
        return found

    def head(self, path: str) -> RemoteObject:
        """The object with the headers it is served with."""
        with self._reported(f"reading {path}"):
            answer = self._client.head_object(Bucket=self.target.bucket, Key=self.target.key(path))
        return RemoteObject(
            etag_of(answer["ETag"]), answer.get("ContentType"), answer.get("CacheControl")
        )

    def read_manifest(self) -> Manifest:
        """The manifest of the last deploy; empty if there is none."""
        from botocore.exceptions import ClientError

        key = self.target.key(MANIFEST)
        try:
            with self._reported(f"reading {MANIFEST}", missing_ok=True):
                answer = self._client.get_object(Bucket=self.target.bucket, Key=key)
                data = answer["Body"].read()
        except ClientError:  # it is not there: the first deploy
            return {}
        return load_manifest(data, f"s3://{self.target.bucket}/{key}")

    def upload(self, site: Path, file: LocalFile) -> str:
        """Put one file with its headers; the ETag the store gave it."""
        data = (site / file.path).read_bytes()
        with self._reported(f"uploading {file.path}"):
            answer = self._client.put_object(
                Bucket=self.target.bucket,
                Key=self.target.key(file.path),
                Body=data,
                ContentType=file.content_type,
                CacheControl=file.cache_control,
                ContentMD5=base64.b64encode(bytes.fromhex(file.md5)).decode("ascii"),
            )
        return etag_of(answer["ETag"])

    def delete(self, paths: list[str]) -> None:
        for start in range(0, len(paths), _DELETE_BATCH):
            batch = paths[start : start + _DELETE_BATCH]
            objects = [{"Key": self.target.key(path)} for path in batch]
            with self._reported(f"deleting {len(batch)} objects"):
                answer = self._client.delete_objects(
                    Bucket=self.target.bucket, Delete={"Objects": objects, "Quiet": True}
                )
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise DeployError(
                    f"{self.target.url}: could not delete {first.get('Key')}: "
                    f"{first.get('Code')}: {first.get('Message')}"
                )

    def write_manifest(self, manifest: Manifest) -> None:
        data = dump_manifest(manifest)
        with self._reported(f"writing {MANIFEST}"):
            self._client.put_object(
                Bucket=self.target.bucket,
                Key=self.target.key(MANIFEST),
                Body=data,
                ContentType="application/json",
                CacheControl="no-store",
                ContentMD5=base64.b64encode(hashlib.md5(data).digest()).decode("ascii"),
            )

    @contextmanager
    def _reported(self, doing: str, missing_ok: bool = False) -> Iterator[None]:
        """boto3's failures as DeployError: what was being done, and what to fix."""
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            ConnectTimeoutError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        where = f"{self.target.url}: {doing}"
        store = self.endpoint or "AWS S3"
        try:
            yield
        except ClientError as e:
            error = e.response.get("Error", {})
            code = str(error.get("Code", ""))
            if missing_ok and code in ("NoSuchKey", "404"):
                raise
            if code in _DENIED:
                raise DeployError(
                    f"{where}: access denied ({code}): check AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY, and that the key may read, write and delete "
                    f"objects in {self.target.bucket!r}"
                ) from None
            if code == "NoSuchBucket":
                raise DeployError(
                    f"{where}: there is no bucket {self.target.bucket!r} at {store}: "
                    "create it, or check the name and AWS_ENDPOINT_URL"
                ) from None
            said = error.get("Message") or str(e)
            raise DeployError(f"{where}: the store said {code}: {said}") from None
        except (NoCredentialsError, PartialCredentialsError) as e:
            raise DeployError(
                f"{where}: {e}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ) from None
        except (EndpointConnectionError, ConnectTimeoutError):
            raise DeployError(
                f"{where}: cannot reach {store}: check AWS_ENDPOINT_URL and the network"
            ) from None
        except BotoCoreError as e:
            raise DeployError(f"{where}: {e}") from None
