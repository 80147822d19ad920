"""Where the bytes of attachments live: one interface (`Storage`), two backends.

- `LocalStorage` (the default): a directory tree under `data_dir/files`;
- `S3Storage` (files/s3.py): any S3-compatible store, `WRENCHWORK_STORAGE_URL=s3://bucket/prefix`.

Each attachment has a random storage key; its files (the original and an image's variants) are named
`<key[:2]>/<key>/<variant>.<ext>` under the root (or the bucket's prefix). A write is durable when `put` returns
and never shows a half-written file under its real name (local: a temporary name, fsync, rename; S3: a PUT is
atomic and acknowledged once stored), so the database row that points at it is committed only after that.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response

CHUNK = 1024 * 1024


def new_key() -> str:
    return secrets.token_hex(16)


def check_key(key: str) -> str:
    if len(key) < 3 or not key.isalnum():
        raise ValueError(f"bad storage key {key!r}")
    return key


def content_disposition(disposition: str, filename: str) -> str:
    """As Starlette's FileResponse spells it, for both backends."""
    quoted = quote(filename)
    if quoted != filename:
        return f"{disposition}; filename*=utf-8''{quoted}"
    return f'{disposition}; filename="{filename}"'


@dataclass
class KeyFiles:
    """The files stored under one key, and when the last of them was written (seconds since the epoch)."""

    names: set[str] = field(default_factory=set)
    modified: float = 0.0


class Storage(Protocol):
    def put(self, key: str, filename: str, source: BinaryIO | bytes) -> int:
        """Writes one file durably; returns its size."""

    def delete(self, key: str) -> None:
        """Removes every file of `key` (nothing happens when there are none)."""

    def listing(self) -> dict[str, KeyFiles]:
        """Every stored key with its files."""

    async def response(self, key: str, filename: str, media_type: str, headers: Mapping[str, str],
                       request: Request) -> Response | None:  # fmt: skip
        """The file as an HTTP response (200, or 206 for the request's range; no body for HEAD) of `media_type`,
        with `headers` added; None when it is not stored."""


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, key: str) -> Path:
        return self.root / key[:2] / check_key(key)

    def put(self, key: str, filename: str, source: BinaryIO | bytes) -> int:
        folder = self.folder(key)
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(source, bytes):
                    out.write(source)
                else:
                    shutil.copyfileobj(source, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
                size = out.tell()
            os.replace(temp, folder / filename)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _fsync_dir(folder)
        return size

    def delete(self, key: str) -> None:
        shutil.rmtree(self.folder(key), ignore_errors=True)
        with contextlib.suppress(OSError):
            self.folder(key).parent.rmdir()  # only when empty

    def listing(self) -> dict[str, KeyFiles]:
        found: dict[str, KeyFiles] = {}
        if not self.root.is_dir():
            return found
        for shard in sorted(self.root.iterdir()):
            if not (shard.is_dir() and len(shard.name) == 2):
                continue
            for folder in sorted(shard.iterdir()):
                if folder.is_dir() and folder.name.startswith(shard.name):
                    files = found[folder.name] = KeyFiles(modified=folder.stat().st_mtime)
                    for child in folder.iterdir():
                        if not child.name.startswith(".tmp-"):
                            files.names.add(child.name)
                            files.modified = max(files.modified, child.stat().st_mtime)
        return found

    async def response(self, key: str, filename: str, media_type: str, headers: Mapping[str, str],
                       request: Request) -> Response | None:  # fmt: skip
        path = self.folder(key) / filename
        if not path.is_file():
            return None
        # FileResponse streams the file and answers ranges and HEAD itself.
        return FileResponse(path, headers=dict(headers), media_type=media_type)


def _fsync_dir(folder: Path) -> None:
    """Makes the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def storage_for(data_dir: Path, storage_url: str = "") -> Storage:
    """The configured store: S3 for an `s3://bucket/prefix` URL, else the data directory."""
    if storage_url:
        from wrenchwork.files.s3 import S3Storage  # boto3 is loaded only when S3 is used

        return S3Storage.from_url(storage_url)
    return LocalStorage(data_dir / "files")
