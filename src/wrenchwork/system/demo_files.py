"""Demo files: photos and a manual drawn on the fly with Pillow (the repository holds no binary files), stored and
linked as an upload would be."""

from __future__ import annotations

import io
import secrets

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from wrenchwork.config import settings
from wrenchwork.core.auth import Scope
from wrenchwork.files import lifecycle
from wrenchwork.files.images import encode
from wrenchwork.files.repository import AttachmentRepository
from wrenchwork.files.storage import Storage, new_key, storage_for
from wrenchwork.files.urls import VARIANTS
from wrenchwork.models import Attachment
from wrenchwork.system.demo_records import DemoRecords

COLOURS = [(46, 104, 160), (196, 92, 38), (70, 140, 80), (120, 120, 130)]


def load_files(session: Session, scope: Scope, made: DemoRecords) -> str:
    storage = _storage(session)
    repo = AttachmentRepository(session, scope)
    owners = [("assets", i) for i in made.equipment_ids[:3]] + [("parts", i) for i in made.part_ids[:2]]
    owners += [("locations", i) for i in made.location_ids[:1]] + [("users", i) for i in made.technician_ids[:1]]
    count = 0
    for n, (owner_type, owner_id) in enumerate(owners):
        _add_image(repo, storage, owner_type, owner_id, _photo(f"{owner_type[:-1].title()} #{owner_id}", n), n)
        count += 1
    if made.equipment_ids:
        _add_pdf(repo, storage, "assets", made.equipment_ids[0])
        count += 1
    return f"{count} files"


def _storage(session: Session) -> Storage:
    try:
        return lifecycle.storage_of(session)
    except RuntimeError:  # the command line's own session: the configured data directory
        return storage_for(settings.data_dir, settings.storage_url)


def _photo(caption: str, n: int) -> bytes:
    image = Image.new("RGB", (1200, 800), COLOURS[n % len(COLOURS)])
    draw = ImageDraw.Draw(image)
    draw.rectangle((150, 150, 1050, 650), outline=(255, 255, 255), width=12)
    draw.text((200, 380), caption, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _add_image(
    repo: AttachmentRepository, storage: Storage, owner_type: str, owner_id: int, data: bytes, n: int
) -> None:
    encoded = encode(io.BytesIO(data), "image/jpeg")
    key = new_key()
    size = storage.put(key, f"original.{encoded.extension}", encoded.original)
    total = size + sum(storage.put(key, f"{v}.{encoded.extension}", b) for v, b in encoded.variants.items())
    lifecycle.written(repo.session, key)
    repo.add(
        Attachment(
            owner_type=owner_type, owner_id=owner_id, kind="image", content_type=encoded.content_type,
            extension=encoded.extension, name=f"photo-{n + 1}.jpg", size=size, stored_bytes=total, storage_key=key,
            token=_token(), **{f"{v}_token": _token() for v in VARIANTS},
        )
    )  # fmt: skip


def _add_pdf(repo: AttachmentRepository, storage: Storage, owner_type: str, owner_id: int) -> None:
    page = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(page)
    draw.text((80, 80), "Operating manual", fill="black")
    for line in range(12):
        draw.line((80, 160 + 50 * line, 770, 160 + 50 * line), fill=(180, 180, 180), width=2)
    out = io.BytesIO()
    page.save(out, "PDF")
    key = new_key()
    size = storage.put(key, "original.pdf", out.getvalue())
    lifecycle.written(repo.session, key)
    repo.add(
        Attachment(
            owner_type=owner_type, owner_id=owner_id, kind="document", content_type="application/pdf",
            extension="pdf", name="operating-manual.pdf", size=size, stored_bytes=size, storage_key=key,
            token=_token(),
        )
    )  # fmt: skip


def _token() -> str:
    return secrets.token_urlsafe(32)
