"""Shapes of the attachment extension endpoints (the image and document objects are core/presenters.py's)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

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
