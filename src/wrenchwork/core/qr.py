"""QR codes of locations, assets and parts: `qr_code_attributes` in bodies, unique values, SVG/PNG images."""

from __future__ import annotations

import io
import secrets
import string
from typing import Annotated, Any

import segno
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select

from wrenchwork.core.errors import Conflict
from wrenchwork.core.repository import Repository

QrValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_ALPHABET = string.ascii_letters + string.digits


class QrCodeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: QrValue | None = Field(default=None, description="Use this code")
    generate_qr_code: bool = Field(default=False, description="Generate a unique random code (when no value)")


class QrCodeUpdate(QrCodeCreate):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    destroy_qr_code: bool = Field(default=False, alias="_destroy_qr_code", description="Remove the code")


def generate() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(26))


def resolve(
    repo: Repository[Any], current: str | None, attrs: QrCodeCreate | None, record_id: int | None, field: str
) -> str | None:
    """The record's code after applying `attrs`. A code names one record of the entity (location, asset, ...),
    so a value already used by any other record of the entity is a 409."""
    if attrs is None:
        return current
    # Precedence value > generate > destroy: the published update example sends all three and answers with
    # the value.
    if attrs.value is not None:
        value = attrs.value
    elif attrs.generate_qr_code:
        value = generate()
    elif isinstance(attrs, QrCodeUpdate) and attrs.destroy_qr_code:
        return None
    else:
        return current
    from wrenchwork.models import QR_CODED  # the tables whose rows carry a QR code

    for model in QR_CODED:
        clash = repo.in_entity_of(model, select(model.id)).where(model.qr_code == value)
        if model is repo.model and record_id is not None:
            clash = clash.where(model.id != record_id)
        if repo.session.scalar(clash) is not None:
            raise taken(field)
    return value


def taken(field: str) -> Conflict:
    return Conflict("This QR code is already used by another record", {field: ["is already taken"]})


def svg(value: str) -> bytes:
    out = io.BytesIO()
    segno.make(value, error="m").save(out, kind="svg", scale=8, border=4, xmldecl=True)
    return out.getvalue()


def png(value: str) -> bytes:
    out = io.BytesIO()
    segno.make(value, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()
