"""Images are decoded and encoded again through Pillow, never stored as sent.

Re-encoding applies the EXIF orientation, drops every piece of metadata (EXIF with its GPS position, XMP, comments,
embedded profiles) and anything appended to or hidden in the file (a polyglot's second meaning does not survive a
decode and encode). JPEG stays JPEG, WebP stays WebP; PNG and GIF become PNG (a GIF's first frame); HEIC/HEIF (read
through `pillow-heif` when it is installed, registered here as a Pillow opener) becomes JPEG, which every browser
shows. The variants are
the image scaled to a width, never up: small 150, medium 600, large 1600 px.

This is CPU work of a second or so for a large photo: callers run it in a worker thread (files/service.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from wrenchwork.core.errors import Unprocessable

VARIANT_WIDTHS = {"small": 150, "medium": 600, "large": 1600}
# Pillow's own limit on decoded pixels (about 89 million, some 270 MB of RGB): past it an image is refused
# before its pixels are decoded, so a small file that decodes to gigabytes (a decompression bomb) costs nothing.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP",
                   "image/heic": "HEIF", "image/heif": "HEIF"}  # fmt: skip
_JPEG = ("JPEG", "jpg", "image/jpeg")
_OUTPUT = {"JPEG": _JPEG, "HEIF": _JPEG, "WEBP": ("WEBP", "webp", "image/webp")}
_PNG = ("PNG", "png", "image/png")


def _register_heif() -> bool:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # an optional extra: without it HEIC uploads are refused (files/sniff.py)
        return False
    register_heif_opener()
    return True


HEIF_READABLE = _register_heif()


@dataclass(frozen=True)
class Encoded:
    content_type: str
    extension: str
    original: bytes
    variants: dict[str, bytes]


def encode(source: BinaryIO, content_type: str) -> Encoded:
    """The cleaned image and its variants, or a 422 for an image that cannot be read or is too large."""
    expected = _PILLOW_FORMATS[content_type]
    source.seek(0)
    try:
        with Image.open(source, formats=[expected]) as opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise _too_large()
            opened.seek(0)
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except Image.DecompressionBombError:
        raise _too_large() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise Unprocessable.field("file", "is not a readable image (damaged or truncated)") from None
    image_format, extension, media = _OUTPUT.get(expected, _PNG)
    image = _normal_mode(image, image_format)
    image.info.clear()  # metadata must not be carried into what is written
    original = _save(image, image_format)
    variants: dict[str, bytes] = {}
    # Largest first, each from the one before: scaling down in steps costs a fraction of scaling the original
    # three times, with no visible difference at these sizes. A variant no narrower than the image is the image.
    current, encoded = image, original
    for name in sorted(VARIANT_WIDTHS, key=VARIANT_WIDTHS.__getitem__, reverse=True):
        width = VARIANT_WIDTHS[name]
        if current.width > width:
            height = max(1, round(current.height * width / current.width))
            current = current.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0)
            encoded = _save(current, image_format)
        variants[name] = encoded
    return Encoded(media, extension, original, variants)


def _too_large() -> Unprocessable:
    return Unprocessable.field("file", f"has too many pixels (at most {MAX_PIXELS})")


def _normal_mode(image: Image.Image, image_format: str) -> Image.Image:
    if image_format == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA")


def _save(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=False)
    elif image_format == "WEBP":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", compress_level=6)
    return out.getvalue()
