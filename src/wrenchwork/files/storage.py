"""Where the bytes of attachments live: a directory tree under `data_dir/files`.

Each attachment has a random storage key; its files (the original and an image's variants) sit in the key's
directory as `<variant>.<ext>`. A file is written under a temporary name, flushed to disk (fsync) and renamed into
place, so a crash never leaves a half-written file under a real name; the database row that points at it is
committed only after that.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def new_key() -> str:
    return secrets.token_hex(16)


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, key: str) -> Path:
        if len(key) < 3 or not key.isalnum():
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key[:2] / key

    def path(self, key: str, filename: str) -> Path:
        return self.folder(key) / filename

    def put(self, key: str, filename: str, source: BinaryIO | bytes) -> int:
        """Writes one file durably; returns its size."""
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
        """Removes every file of `key` (nothing happens when there are none)."""
        shutil.rmtree(self.folder(key), ignore_errors=True)
        with contextlib.suppress(OSError):
            self.folder(key).parent.rmdir()  # only when empty

    def stored_keys(self) -> Iterator[str]:
        """Every storage key that has a directory."""
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if shard.is_dir() and len(shard.name) == 2:
                for folder in sorted(shard.iterdir()):
                    if folder.is_dir() and folder.name.startswith(shard.name):
                        yield folder.name


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


def storage_for(data_dir: Path) -> LocalStorage:
    return LocalStorage(data_dir / "files")
