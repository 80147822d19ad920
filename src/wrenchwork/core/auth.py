"""Who is calling (API key -> user) and in which entity (X-Entity-Id -> role)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wrenchwork.core.errors import BadRequest, Forbidden, Unauthorized
from wrenchwork.core.model_base import utcnow
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.models import ApiKey, Customer, Entity, User, UserRole

ROLES = ("admin", "limited_admin", "technician", "requester")
# `last_used_at` is refreshed at most this often, so reads do not turn into writes on every request.
LAST_USED_PRECISION = timedelta(minutes=1)
# A key used after this much silence counts as a new login in the user's `activity`.
LOGIN_GAP = timedelta(minutes=30)
TOKEN_PREFIX = "ww_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def visible_prefix(token: str) -> str:
    return token[:12]


@dataclass(frozen=True)
class Principal:
    user: User
    customer: Customer
    api_key_id: int


@dataclass(frozen=True)
class Scope:
    """The caller inside one entity: every entity-owned query is filtered on `entity.id`."""

    principal: Principal
    entity: Entity
    role: str

    @property
    def user_id(self) -> int:
        return self.principal.user.id

    @property
    def entity_id(self) -> int:
        return self.entity.id

    @property
    def customer(self) -> Customer:
        return self.principal.customer


async def db_session(request: Request) -> Session:
    session: Session = request.state.session
    return session


_bearer = HTTPBearer(scheme_name="bearer_auth", auto_error=False, description="API key")


def _authenticate(
    session: Session, credentials: HTTPAuthorizationCredentials | None, entity_id: int | None
) -> tuple[Principal, Entity | None, str | None]:
    """Key -> user -> customer and, when `entity_id` is given, the user's role there: one query per request."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized()
    digest = hash_token(credentials.credentials)
    stmt = (
        select(ApiKey, User, Customer)
        .join(User, User.id == ApiKey.user_id)
        .join(Customer, Customer.id == ApiKey.customer_id)
        .where(ApiKey.token_hash == digest, ApiKey.revoked_at.is_(None))
    )
    if entity_id is not None:
        stmt = (
            stmt.add_columns(Entity, UserRole.role)
            .outerjoin(UserRole, (UserRole.user_id == User.id) & (UserRole.entity_id == entity_id))
            .outerjoin(Entity, (Entity.id == UserRole.entity_id) & (Entity.customer_id == Customer.id))
        )
    row: Any = session.execute(stmt).first()
    if row is None or not hmac.compare_digest(row[0].token_hash, digest) or row[1].status != "active":
        raise Unauthorized()
    key, user, customer = row[0], row[1], row[2]
    _note_use(session, key, user)
    principal = Principal(user=user, customer=customer, api_key_id=key.id)
    if entity_id is None:
        return principal, None, None
    return principal, row[3], row[4]


async def current_principal(
    session: Annotated[Session, Depends(db_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return _authenticate(session, credentials, None)[0]


def _note_use(session: Session, key: ApiKey, user: User) -> None:
    now = utcnow()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_PRECISION:
        return
    if user.last_login_at is None or key.last_used_at is None or now - key.last_used_at >= LOGIN_GAP:
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(last_login_at=now, login_count=User.login_count + 1)
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now).execution_options(synchronize_session=False)
    )


def _entity_header(value: str | None) -> int:
    if value is None or not value.strip():
        raise BadRequest("X-Entity-Id header is required")
    raw = value.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise BadRequest("X-Entity-Id header must be an integer")
    if int(raw) < 1:
        raise BadRequest("X-Entity-Id header must be a positive integer")
    return int(raw)


async def entity_scope(
    session: Annotated[Session, Depends(db_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    x_entity_id: Annotated[
        str | None,
        Header(alias="X-Entity-Id", description="Entity ID (from GET /entities)"),
    ] = None,
) -> Scope:
    try:
        entity_id: int | None = _entity_header(x_entity_id)
        header_error = None
    except BadRequest as exc:
        entity_id, header_error = None, exc
    # An id beyond any entity's cannot match; looking it up would only overflow the database's integer.
    lookup = entity_id if entity_id is not None and entity_id <= MAX_ID else None
    principal, entity, role = _authenticate(session, credentials, lookup)  # 401 comes first
    if header_error is not None:
        raise header_error
    if entity is None or role is None:
        raise Forbidden(f"You do not have permission on entity {entity_id}")
    return Scope(principal=principal, entity=entity, role=role)


def role_scope(*roles: str) -> Callable[[Scope], Coroutine[Any, Any, Scope]]:
    """A dependency that lets only the given roles through (403 for the others)."""

    async def check(scope: Annotated[Scope, Depends(entity_scope)]) -> Scope:
        if scope.role not in roles:
            raise Forbidden(f"Your role ({scope.role}) does not allow this action")
        return scope

    return check


AnyScope = Annotated[Scope, Depends(entity_scope)]
AdminScope = Annotated[Scope, Depends(role_scope("admin"))]
ManagerScope = Annotated[Scope, Depends(role_scope("admin", "limited_admin"))]
TechnicianScope = Annotated[Scope, Depends(role_scope("admin", "limited_admin", "technician"))]
DbSession = Annotated[Session, Depends(db_session)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
