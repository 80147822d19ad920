"""Shapes of the attachment extension endpoints (the image and document objects are core/presenters.py's)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from wrenchwork.core.presenters import AttachmentUrls, Document
from wrenchwork.core.schemas import MAX_ID

MULTIPART_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "The file"},
                        "name": {
                            "type": "string",
                            "maxLength": 255,
                            "description": "Name to show",
                        },
                    },
                }
            }
        },
    }
}


class Usage(BaseModel):
    files: int = Field(description="Attachments of the entity")
    images: int = Field(description="Of them, images")
    documents: int = Field(description="Of them, documents")
    bytes: int = Field(description="Bytes stored, image variants included")


AttachmentId = Annotated[
    int, Field(ge=1, le=MAX_ID, strict=True, description="A file uploaded with POST /attachments and not yet used")
]
AttachmentIds = Annotated[
    list[AttachmentId],
    Field(max_length=20, description="Files uploaded beforehand with POST /attachments; they then show on this line"),
]


class AttachmentShown(Document):
    """An upload's answer: the documented image object (with `attachment_urls`) or document object (without)."""

    attachment_urls: AttachmentUrls | None = Field(
        default=None, description="Images only: the small, medium and large variants' URLs"
    )
