"""Files made on the fly for the attachment tests (no binary fixtures in the repository)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.files.storage import Storage
from wrenchwork.models import Attachment


def image_bytes(width: int = 800, height: int = 400, fmt: str = "JPEG", **save: Any) -> bytes:
    out = io.BytesIO()
    mode = "RGB" if fmt == "JPEG" else "RGBA"
    Image.new(mode, (width, height), (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()


def photo_with_gps() -> bytes:
    """A JPEG whose EXIF says: rotated (orientation 6) and where it was taken."""
    image = Image.new("RGB", (300, 100), (10, 120, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def heic_with_gps() -> bytes:
    """A HEIC photo (made by pillow-heif) with GPS in its EXIF."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (800, 400), (30, 30, 200)).save(out, "HEIF", exif=exif, quality=60)
    return out.getvalue()


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(out, "PDF")
    return out.getvalue()


def zip_bomb() -> bytes:
    """A small zip whose one member inflates to 100 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"\0" * 100_000_000)
    return out.getvalue()


def decompression_bomb() -> bytes:
    """A PNG header claiming 100,000 x 100,000 pixels: a few hundred bytes that would decode to 30 GB."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def stored_files(storage: Storage) -> list[str]:
    """Every stored file, as `<key[:2]>/<key>/<name>`."""
    return sorted(f"{key[:2]}/{key}/{name}" for key, files in storage.listing().items() for name in files.names)


def attachment_rows(session: Session) -> list[Attachment]:
    """The attachment rows as they are now, read in a transaction of their own (SQLite's write lock is released
    at once, so the requests that follow are not kept waiting)."""
    session.expire_all()
    rows = list(session.scalars(select(Attachment).order_by(Attachment.id)))
    session.expunge_all()
    session.rollback()
    return rows


def upload(api: Any, path: str, content: bytes, filename: str = "file.bin", content_type: str | None = None,
           **fields: str) -> Any:  # fmt: skip
    files = {"file": (filename, content, content_type or "application/octet-stream")}
    return api.post(path, files=files, data=fields or None)
