from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrenchwork.core.schemas import CreatedById, RecordId, UserId
from wrenchwork.models import ApiKey


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    user_id: UserId


class ApiKeyCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: ApiKeyCreate


class ApiKeyItem(BaseModel):
    id: RecordId
    name: str
    prefix: str
    user_id: UserId
    last_used_at: datetime | None = Field(
        description="When the key was last used, precise to the minute: it is refreshed when a use comes a minute "
        "or more after the stored value, so it may lag the latest use by up to a minute; null until first use"
    )
    revoked_at: datetime | None
    created_at: datetime
    created_by_id: CreatedById | None


class ApiKeyCreated(ApiKeyItem):
    token: str


def api_key_item(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "user_id": key.user_id,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
        "created_at": key.created_at,
        "created_by_id": key.created_by_id,
    }
