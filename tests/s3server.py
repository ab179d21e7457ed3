"""A real S3 server on 127.0.0.1 for the deploy tests: s3rver, in a process of its own.

Debian's rclone (1.60) predates `rclone serve s3`, and no other S3 server is packaged
by Debian, so `scripts/install-chromium` installs s3rver from npm: a Node server that
answers S3's REST API from a folder (objects, headers, MD5 ETags, Content-MD5 checks,
batch deletes). boto3 talks HTTP to it exactly as to AWS, signing every request; nothing
in the client is replaced. Its one account is S3RVER: any other access key is refused
(403, InvalidAccessKeyId), though a wrong secret for that key is not noticed.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

KEY = SECRET = "S3RVER"
BUCKET = "feed"


@dataclass
class S3Server:
    endpoint: str
    data: Path
    process: subprocess.Popen[bytes]

    def env(self, **more: str) -> dict[str, str]:
        """The environment a deploy to this server runs with (AWS's own files ignored)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            **more,
        }

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
            config=Config(
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                s3={"addressing_style": "path"},
            ),
        )

    def objects(self, prefix: str = "") -> dict[str, dict[str, Any]]:
        """Every object under `prefix`: key -> its HEAD (ETag, ContentType, CacheControl)."""
        client = self.client()
        keys = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
            keys += [item["Key"] for item in page.get("Contents", [])]
        return {key: client.head_object(Bucket=BUCKET, Key=key) for key in keys}

    def written(self, prefix: str) -> dict[str, int]:
        """When each object under `prefix` was last written, by key (s3rver's files on
        disk): what changes between two snapshots is what was uploaded in between."""
        folder = self.data / BUCKET
        suffix = "._S3rver_object"
        found = (p.relative_to(folder).as_posix() for p in folder.rglob("*" + suffix))
        return {
            key.removesuffix(suffix): (folder / key).stat().st_mtime_ns
            for key in found
            if key.startswith(prefix)
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def s3_server(data: Path) -> Iterator[S3Server]:
    """s3rver on a free port of 127.0.0.1, keeping its objects in `data`, with BUCKET."""
    command = shutil.which("s3rver")
    if command is None:
        pytest.fail("s3rver is missing: run scripts/install-chromium (the README's test command)")
    port = _free_port()
    process = subprocess.Popen(
        [command, "-d", str(data), "-a", "127.0.0.1", "-p", str(port), "-s"]
        + ["--configure-bucket", BUCKET],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = S3Server(f"http://127.0.0.1:{port}", data, process)
    try:
        _wait_for(port, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"s3rver ended at start (status {process.returncode}): {said}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail("s3rver did not listen within 15 s")
