"""API keys: random tokens shown once, stored only as a SHA-256 hash with a short visible prefix."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.api_keys.repository import ApiKeyRepository
from wrenchwork.api_keys.schemas import ApiKeyCreate, api_key_item
from wrenchwork.core.auth import Scope, hash_token, new_token, visible_prefix
from wrenchwork.core.envelope import base_meta
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import ApiKey
from wrenchwork.users.repository import UserRepository
from wrenchwork.users.service import require_authority_over


def issue(
    session: Session,
    customer_id: int,
    user_id: int,
    name: str,
    created_by_id: int | None,
    token: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for a user; returns the key and its token, which is never shown again."""
    token = token or new_token()
    key = ApiKey(
        customer_id=customer_id,
        user_id=user_id,
        name=name,
        prefix=visible_prefix(token),
        token_hash=hash_token(token),
        created_by_id=created_by_id,
    )
    session.add(key)
    session.flush()
    return key, token


def revoke(key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = utcnow()


def list_keys(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    keys, total = ApiKeyRepository(session, scope).list_in_entity(query)
    return [api_key_item(k) for k in keys], base_meta(scope.entity, scope.customer) | query.meta(total)


def create_key(session: Session, scope: Scope, data: ApiKeyCreate) -> dict[str, Any]:
    if UserRepository(session, scope).get_in_entity(data.user_id) is None:
        raise Unprocessable.field("api_key.user_id", "is not a user of this entity")
    require_authority_over(session, scope, data.user_id)
    key, token = issue(session, scope.customer.id, data.user_id, data.name, scope.user_id)
    return api_key_item(key) | {"token": token}


def revoke_key(session: Session, scope: Scope, key_id: int) -> None:
    key = ApiKeyRepository(session, scope).get_in_entity(key_id)
    if key is None:
        raise NotFound.of("API key")
    require_authority_over(session, scope, key.user_id)
    revoke(key)
    session.flush()
