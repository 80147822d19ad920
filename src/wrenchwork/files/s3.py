"""Attachments in an S3-compatible store (`WRENCHWORK_STORAGE_URL=s3://bucket/prefix`), through boto3.

The client is configured as boto3 always is: `AWS_ENDPOINT_URL` (MinIO, Ceph, Garage, R2, ...),
`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (or a profile, an instance role), `AWS_REGION`; the bucket must exist.
A PUT is atomic and durable once acknowledged, so an object is never seen half-written and the row is committed
after it. Files are served through the server (streamed, ranges passed on to S3), not by redirecting to a
presigned URL: the attachment URL stays the one credential, revoked at once by a deletion, and the security headers
(nosniff, CSP sandbox, disposition) stay ours. boto3 blocks, so every call runs in a worker thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC
from email.utils import format_datetime
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from wrenchwork.files.storage import CHUNK, KeyFiles, check_key

_ONE_RANGE = re.compile(r"bytes=(\d+-\d*|-\d+)")
_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Storage:
    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    @classmethod
    def from_url(cls, url: str) -> S3Storage:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"storage URL must look like s3://bucket/prefix, not {url!r}")
        config = Config(retries={"mode": "standard"}, max_pool_connections=32)
        return cls(boto3.session.Session().client("s3", config=config), parts.netloc, parts.path)

    def _folder(self, key: str) -> str:
        return f"{self.prefix}{key[:2]}/{check_key(key)}/"

    def put(self, key: str, filename: str, source: BinaryIO | bytes) -> int:
        if isinstance(source, bytes):
            size = len(source)
        else:
            start = source.tell()
            size = source.seek(0, 2) - start
            source.seek(start)
        self.client.put_object(Bucket=self.bucket, Key=self._folder(key) + filename, Body=source, ContentLength=size)
        return size

    def delete(self, key: str) -> None:
        listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._folder(key))
        objects = [{"Key": item["Key"]} for item in listed.get("Contents", [])]
        if objects:
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})

    def listing(self) -> dict[str, KeyFiles]:
        found: dict[str, KeyFiles] = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                parts = item["Key"][len(self.prefix) :].split("/")
                if len(parts) != 3 or len(parts[0]) != 2 or not parts[1].startswith(parts[0]):
                    continue  # not an attachment's file: left alone
                files = found.setdefault(parts[1], KeyFiles())
                files.names.add(parts[2])
                files.modified = max(files.modified, item["LastModified"].timestamp())
        return found

    async def response(self, key: str, filename: str, media_type: str, headers: Mapping[str, str],
                       request: Request) -> Response | None:  # fmt: skip
        name = self._folder(key) + filename
        wanted = request.headers.get("range", "").replace(" ", "")
        # One range is passed on to S3; several (rarely sent) get the whole file, as HTTP allows.
        ranged = {"Range": wanted} if _ONE_RANGE.fullmatch(wanted) else {}
        try:
            if request.method == "HEAD":
                found = await run_in_threadpool(self.client.head_object, Bucket=self.bucket, Key=name)
            else:
                found = await run_in_threadpool(self.client.get_object, Bucket=self.bucket, Key=name, **ranged)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in _MISSING:
                return None
            if code == "InvalidRange":
                size = await run_in_threadpool(self._size, name)
                return Response(status_code=416, headers={**headers, "content-range": f"bytes */{size}"})
            raise
        out = {
            **headers,
            "accept-ranges": "bytes",
            "content-length": str(found["ContentLength"]),
            "last-modified": format_datetime(found["LastModified"].astimezone(UTC), usegmt=True),
        }
        if request.method == "HEAD":
            return Response(media_type=media_type, headers=out)
        if found.get("ContentRange"):
            out["content-range"] = found["ContentRange"]
        status = 206 if found.get("ContentRange") and ranged else 200
        return StreamingResponse(_chunks(found["Body"]), status_code=status, media_type=media_type, headers=out)

    def _size(self, name: str) -> int:
        return int(self.client.head_object(Bucket=self.bucket, Key=name)["ContentLength"])


def _chunks(body: Any) -> Iterator[bytes]:
    """The object's bytes as they arrive (read in a worker thread by StreamingResponse), never whole in memory."""
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()
