"""What an uploaded file is, read from its bytes (`filetype`), never from the name or type the client gave.

The client's declared type and the name's extension are only checked against the bytes: a PNG named `.pdf` or
sent as `application/pdf` is refused. Text has no signature: it is UTF-8 without control characters, and markup
(HTML, XML, SVG) is refused outright, whatever it is called, since a browser could run it.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import BinaryIO

import filetype

from wrenchwork.core.errors import Unprocessable, UnsupportedMediaType
from wrenchwork.files.images import HEIF_READABLE

HEAD = 8192

# Sniffed media type -> (kind, extension) of what is accepted.
_HEIF = {"image/heic": "heic", "image/heif": "heif"}
IMAGES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", **_HEIF}
DOCUMENTS = {
    "application/pdf": "pdf",
    "application/rtf": "rtf",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "text/plain": "txt",
    "text/csv": "csv",
}
# Declared types that say nothing (a client that does not know), and spellings of the same type.
_UNSPECIFIC = {"", "application/octet-stream", "binary/octet-stream", "application/x-www-form-urlencoded"}
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/csv": "text/csv",
            "text/comma-separated-values": "text/csv", "application/x-pdf": "application/pdf"}  # fmt: skip
_TEXTS = {"text/plain", "text/csv"}
_CONTROL = {c for c in range(32) if c not in (9, 10, 12, 13)}
_MARKUP_STARTS = ("<",)


@dataclass(frozen=True)
class Sniffed:
    kind: str  # image | document
    content_type: str
    extension: str


def sniff(source: BinaryIO, declared_type: str | None, filename: str | None) -> Sniffed:
    """The file's kind and type, or a 415 (not accepted) / 422 (bytes contradict the declared type or name)."""
    source.seek(0)
    head = source.read(HEAD)
    source.seek(0)
    if not head:
        raise Unprocessable.field("file", "is empty")
    found = filetype.guess(head)
    if found is not None:
        media = found.mime
        if media in _HEIF and not HEIF_READABLE:
            raise UnsupportedMediaType("HEIC images are not supported; send JPEG, PNG, WebP or GIF")
        if media not in IMAGES and media not in DOCUMENTS:
            raise UnsupportedMediaType(f"Files of type {media} are not accepted")
    else:
        media = _text_type(head, declared_type, filename)
    sniffed = (
        Sniffed("image", media, IMAGES[media]) if media in IMAGES else Sniffed("document", media, DOCUMENTS[media])
    )
    _check_claims(sniffed, declared_type, filename)
    return sniffed


def _text_type(head: bytes, declared_type: str | None, filename: str | None) -> str:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the head is still text.
        if len(head) < HEAD or exc.start < HEAD - 4:
            raise UnsupportedMediaType("The file's type is not recognised") from None
        text = head[: exc.start].decode("utf-8")
    if any(ord(c) in _CONTROL for c in text):
        raise UnsupportedMediaType("The file's type is not recognised")
    if text.lstrip("\ufeff \t\r\n").startswith(_MARKUP_STARTS):
        raise UnsupportedMediaType("HTML, XML and SVG files are not accepted")
    declared = _normalise(declared_type)
    if declared == "text/csv" or (filename or "").lower().endswith(".csv"):
        return "text/csv"
    return "text/plain"


def _normalise(content_type: str | None) -> str:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(media, media)


def _check_claims(sniffed: Sniffed, declared_type: str | None, filename: str | None) -> None:
    declared = _normalise(declared_type)
    if declared not in _UNSPECIFIC and not _same(declared, sniffed.content_type):
        raise Unprocessable.field("file", f"is declared as {declared} but its content is {sniffed.content_type}")
    guessed = _normalise(mimetypes.guess_type(filename or "", strict=False)[0]) if filename else ""
    if guessed and guessed not in _UNSPECIFIC and not _same(guessed, sniffed.content_type):
        raise Unprocessable.field("file", f"is named like {guessed} but its content is {sniffed.content_type}")


def _same(claimed: str, actual: str) -> bool:
    if claimed == actual:
        return True
    # Any text type but markup (a `.md` or `.log` file is plain text to this server).
    return actual in _TEXTS and claimed.startswith("text/") and claimed not in ("text/html", "text/xml")
