"""Small shapes shared by many resources' responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from wrenchwork.core.schemas import RecordId

# A list item's `image` while its record has no image.
NO_THUMBNAIL: dict[str, Any] = {"small": None, "medium": None}


def user_ref(user_id: int | None, name: str | None, surname: str | None) -> dict[str, Any] | None:
    """A `created_by`-style reference from joined columns; null when there is no user."""
    return None if user_id is None else {"id": user_id, "name": name, "surname": surname}


class Ref(BaseModel):
    id: RecordId
    name: str


class UserRef(BaseModel):
    id: RecordId
    name: str
    surname: str


class TechnicianRef(UserRef):
    avatar: str | None


class LocationRef(Ref):
    path: str


class Thumbnail(BaseModel):
    small: str | None
    medium: str | None


class AttachmentUrls(BaseModel):
    small: str
    medium: str
    large: str


class Document(BaseModel):
    id: RecordId
    url: str
    download_url: str
    size: int
    type: str = Field(description="The file's media type, e.g. image/jpeg or application/pdf")
    name: str


class Image(Document):
    attachment_urls: AttachmentUrls


class PrimaryContact(BaseModel):
    id: RecordId
    name: str
    email: str | None
    phone: str | None
    extension: str | None


class VendorRef(Ref):
    primary_contact: PrimaryContact | None
