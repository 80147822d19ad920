"""Reading the one file of a `multipart/form-data` upload.

The multipart parser (python-multipart through Starlette's `MultiPartParser`) writes the file part to a temporary
file as it arrives (in memory only up to 1 MiB), so an upload is never held whole in memory; the middleware
(core/middleware.py) lets these bodies through unbuffered and stops one that outgrows the upload limit.

Steps around Starlette for speed in one place (`_DirectWrites`): Starlette hands every chunk of a file part past
its first MiB to a worker thread to be written, some 80 thread hops for a 5 MB photo, each waiting for a thread
on a busy machine (0.1-0.3 s per upload, far more under load). Here a chunk is written where it is parsed: a
write of at most one network read (64 KiB) into the page cache, microseconds, does not hold up the event loop.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from wrenchwork.core.errors import BadRequest, Unprocessable, UnsupportedMediaType

NAME_LENGTH = 255


@dataclass
class Upload:
    file: BinaryIO
    declared_type: str | None
    filename: str | None
    name: str | None


def require_multipart(request: Request) -> None:
    """415 for a body that is not multipart (a batch op's JSON `params` included)."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "multipart/form-data":
        raise UnsupportedMediaType("Content-Type must be multipart/form-data")


async def read_upload(request: Request, also: tuple[str, ...] = ()) -> Upload:
    """The `file` part and the optional `name` field; 415 for a body that is not multipart, 422 for a missing
    file or an unknown part. `also`: fields a caller has read already (a web form's CSRF token)."""
    require_multipart(request)
    if also:
        # A web form: its CSRF check has parsed the body already, and Starlette keeps the parsed form.
        form = await request.form(max_files=1, max_fields=2 + len(also), max_part_size=64 * 1024)
    else:
        parser = _DirectWrites(request.headers, request.stream(), max_files=1, max_fields=2, max_part_size=64 * 1024)
        try:
            form = await parser.parse()
        except MultiPartException as exc:
            raise BadRequest(exc.message) from None
    unknown = sorted(key for key in form if key not in ("file", "name", *also))
    if unknown:
        raise Unprocessable.field(unknown[0], "is not a known part (send `file` and optionally `name`)")
    file = form.get("file")
    if file is None:
        raise Unprocessable.field("file", "is required")
    if not isinstance(file, UploadFile):
        raise Unprocessable.field("file", "must be a file part")
    name = form.get("name")
    if name is not None and not isinstance(name, str):
        raise Unprocessable.field("name", "must be text")
    return Upload(file.file, file.content_type, file.filename, clean_name(name) if name else None)


class _DirectWrites(MultiPartParser):
    """Starlette's parser, writing a file part's data as it is parsed (see the module's docstring)."""

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        file = self._current_part.file
        if file is None:
            super().on_part_data(data, start, end)
            return
        file.file.write(data[start:end])
        file.size = (file.size or 0) + end - start


def clean_name(raw: str) -> str | None:
    """A file name fit to show and to put in Content-Disposition: no path, no control characters, 255 at most."""
    base = os.path.basename(raw.replace("\\", "/"))
    text = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return text[:NAME_LENGTH] or None
