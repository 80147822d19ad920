"""Who is calling (API key -> user) and in which entity (X-Entity-Id -> role)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session

from wrenchwork.core import driver
from wrenchwork.core.errors import BadRequest, Forbidden, Unauthorized
from wrenchwork.core.group_commit import when_durable
from wrenchwork.core.model_base import utcnow
from wrenchwork.core.schemas import MAX_ID
from wrenchwork.models import ApiKey, Customer, Entity, User, UserRole

ROLES = ("admin", "limited_admin", "technician", "requester")
# Who may do what, for the API's routes and the web app's pages alike.
ADMIN_ROLES = ("admin",)
MANAGER_ROLES = ("admin", "limited_admin")
TECHNICIAN_ROLES = ("admin", "limited_admin", "technician")
# A public page's visitor (visitor_scope): in no role list, so only services that take it explicitly serve it.
VISITOR_ROLE = "visitor"
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


@dataclass(frozen=True, slots=True)
class UserInfo:
    """The user behind the API key, as read once per request."""

    id: int
    name: str
    surname: str


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    id: int
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """What `meta.entity` shows and every entity-owned query filters on."""

    id: int
    name: str
    currency: str
    datetime_format: str
    timezone: str


@dataclass(frozen=True)
class Principal:
    user: UserInfo
    customer: CustomerInfo
    api_key_id: int


@dataclass(frozen=True)
class Scope:
    """The caller inside one entity: every entity-owned query is filtered on `entity.id`."""

    principal: Principal
    entity: EntityInfo
    role: str

    @property
    def user_id(self) -> int:
        return self.principal.user.id

    @property
    def entity_id(self) -> int:
        return self.entity.id

    @property
    def customer(self) -> CustomerInfo:
        return self.principal.customer

    @classmethod
    def of(cls, user: User, customer: Customer, entity: Entity, role: str, api_key_id: int = 0) -> Scope:
        """A scope from loaded rows, for work done outside a request (demo data, the command line, tests)."""
        principal = Principal(
            UserInfo(user.id, user.name, user.surname),
            CustomerInfo(customer.id, customer.name, customer.slug),
            api_key_id,
        )
        info = EntityInfo(entity.id, entity.name, entity.currency, entity.datetime_format, entity.timezone)
        return cls(principal, info, role)


def visitor_scope(customer: Customer, entity: Entity) -> Scope:
    """A visitor without an account inside one entity (a public request portal): user id 0, so what it writes
    has no creator (core/repository.py), and a role no permission check lets through."""
    principal = Principal(UserInfo(0, "", ""), CustomerInfo(customer.id, customer.name, customer.slug), 0)
    info = EntityInfo(entity.id, entity.name, entity.currency, entity.datetime_format, entity.timezone)
    return Scope(principal, info, VISITOR_ROLE)


async def db_session(request: Request) -> Session:
    session: Session = request.state.session
    return session


_key, _user, _customer, _role, _entity = (model.__table__ for model in (ApiKey, User, Customer, UserRole, Entity))
# Built once: the statement is the same for every request, only the key's digest and the entity id change.
# An entity id of 0 (no entity asked for) matches no role, so the role and entity columns come back null.
_AUTHENTICATE = driver.keep(
    select(
        _key.c.id,
        _key.c.token_hash,
        _key.c.last_used_at,
        _user.c.id,
        _user.c.name,
        _user.c.surname,
        _user.c.status,
        _user.c.last_login_at,
        _customer.c.id,
        _customer.c.name,
        _customer.c.slug,
        _role.c.role,
        _entity.c.id,
        _entity.c.name,
        _entity.c.currency,
        _entity.c.datetime_format,
        _entity.c.timezone,
    )
    .join(_user, _user.c.id == _key.c.user_id)
    .join(_customer, _customer.c.id == _key.c.customer_id)
    .outerjoin(_role, (_role.c.user_id == _user.c.id) & (_role.c.entity_id == bindparam("entity_id")))
    .outerjoin(_entity, (_entity.c.id == _role.c.entity_id) & (_entity.c.customer_id == _customer.c.id))
    .where(_key.c.token_hash == bindparam("digest"), _key.c.revoked_at.is_(None))
)


# Where a session finds its process's `KnownKeys` (`session.info`, given by app.py's sessionmakers).
KNOWN_KEYS = "wrenchwork.known_keys"
_AUTH_CHANGED = "wrenchwork.auth_changed"
# What a key's lookup reads: a change to any of these may change who a key is, or what it may do where.
_AUTH_MODELS = (ApiKey, User, UserRole, Entity, Customer)


class KnownKeys:
    """The API keys this server process authenticated in the last `seconds`: (key digest, entity id) -> the row
    `_AUTHENTICATE` read. A request with a known key makes no lookup: on PostgreSQL that lookup was a third of a
    detail's round trips.

    A commit in this process that changed a key, a user, a role, an entity or a customer (`_forget_on_commit`)
    forgets every key at once, so a revocation, a deactivation or a role change made through this process applies
    to its very next request. One made elsewhere (another server worker, `wrenchwork api-key revoke`) applies
    within `seconds` (docs/api.md). 0 turns the cache off. A lookup that began before a forget is not kept
    (`generation`): it may have read what the forgetting commit replaced."""

    MAX_KEYS = 10_000

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.generation = 0
        self._rows: dict[tuple[str, int], tuple[float, tuple[Any, ...]]] = {}

    def get(self, digest: str, entity_id: int) -> tuple[Any, ...] | None:
        found = self._rows.get((digest, entity_id))
        if found is None or found[0] < monotonic():
            return None
        return found[1]

    def keep(self, digest: str, entity_id: int, row: tuple[Any, ...], generation: int) -> None:
        if self.seconds <= 0 or generation != self.generation:
            return
        if len(self._rows) >= self.MAX_KEYS:
            self._rows.clear()
        self._rows[(digest, entity_id)] = (monotonic() + self.seconds, row)

    def forget(self) -> None:
        self.generation += 1
        self._rows.clear()


@event.listens_for(Session, "after_flush")
def _note_auth_change(session: Session, _context: Any) -> None:
    if KNOWN_KEYS in session.info and any(
        isinstance(instance, _AUTH_MODELS) for instance in itertools.chain(session.new, session.dirty, session.deleted)
    ):
        session.info[_AUTH_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    if session.info.pop(_AUTH_CHANGED, False):
        # Once the change is on disk: a lookup between a grouped write's savepoint and its group's commit would
        # read (and keep) what the change replaces.
        when_durable(session, session.info[KNOWN_KEYS].forget)


@event.listens_for(Session, "after_rollback")
def _keep_on_rollback(session: Session) -> None:
    session.info.pop(_AUTH_CHANGED, None)


def _bearer_token(request: Request) -> str:
    """The API key of `Authorization: Bearer <key>` (the scheme in any case), else 401. Two Authorization headers
    are refused rather than one of them picked: a proxy in front may have read the other one."""
    sent = request.headers.getlist("authorization")
    if len(sent) != 1:
        raise Unauthorized()
    scheme, _, token = sent[0].partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    return token


def _authenticate(request: Request, entity_id: int | None) -> tuple[Principal, EntityInfo | None, str | None]:
    """Key -> user -> customer and, when `entity_id` is given, the user's role there: one query, and none for a key
    this process checked within the last seconds (`KnownKeys`)."""
    session: Session = request.state.session
    digest = hash_token(_bearer_token(request))
    known: KnownKeys | None = session.info.get(KNOWN_KEYS)
    row = known.get(digest, entity_id or 0) if known is not None else None
    if row is None:
        generation = known.generation if known is not None else 0
        found = driver.rows(session.connection(), _AUTHENTICATE, {"digest": digest, "entity_id": entity_id or 0})
        row = tuple(found[0]) if found else None
        if row is not None and known is not None:
            known.keep(digest, entity_id or 0, row, generation)
    if row is None or not hmac.compare_digest(row[1], digest) or row[6] != "active":
        raise Unauthorized()
    (key_id, _, last_used_at, user_id, name, surname, _, last_login_at, *customer, role) = row[:12]
    if _note_due(last_used_at):
        generation = known.generation if known is not None else 0
        if session.info.get("read"):
            # A read request's transaction may not write (core/db.py): the note gets a short one of its own.
            with request.app.state.sessionmaker.begin() as bookkeeping:
                used_at, login_at = _note_use(bookkeeping, key_id, last_used_at, user_id, last_login_at)
        else:
            used_at, login_at = _note_use(session, key_id, last_used_at, user_id, last_login_at)
        if known is not None:  # the note is not due again for a while, wherever the key's row comes from
            known.keep(digest, entity_id or 0, (*row[:2], used_at, *row[3:7], login_at, *row[8:]), generation)
    principal = Principal(UserInfo(user_id, name, surname), CustomerInfo(*customer), key_id)
    if role is None or row[12] is None:
        return principal, None, None
    return principal, EntityInfo(*row[12:17]), role


# The dependencies below read the request themselves rather than through FastAPI's security and header
# parameters, each of which is a dependency the framework solves on every request. core/openapi.py documents
# the API key and the X-Entity-Id header for every route that depends on them.
async def current_principal(request: Request) -> Principal:
    return _authenticate(request, None)[0]


def _note_due(last_used_at: datetime | None) -> bool:
    return last_used_at is None or utcnow() - last_used_at >= LAST_USED_PRECISION


def _note_use(
    session: Session, key_id: int, last_used_at: datetime | None, user_id: int, last_login_at: datetime | None
) -> tuple[datetime, datetime | None]:
    """Record the key's use (and a login after a pause). Bookkeeping, not a change of the user or the key: each
    `updated_at` is kept (set to itself, which also keeps the column's onupdate from running). Returns the key's
    `last_used_at` and the user's `last_login_at` as they now are."""
    now = utcnow()
    if last_login_at is None or last_used_at is None or now - last_used_at >= LOGIN_GAP:
        last_login_at = now
        # A login is activity, not an edit of the user: `updated_at` is set to itself, which keeps the column's
        # `onupdate` from moving it (the user record shows when an admin last changed it).
        session.execute(
            update(User)
            .where(User.id == user_id)
            .values(last_login_at=now, login_count=User.login_count + 1, updated_at=User.updated_at)
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .values(last_used_at=now, updated_at=ApiKey.updated_at)
        .execution_options(synchronize_session=False)
    )
    return now, last_login_at


def _entity_header(value: str | None) -> int:
    if value is None or not value.strip():
        raise BadRequest("X-Entity-Id header is required")
    raw = value.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise BadRequest("X-Entity-Id header must be an integer")
    if int(raw) < 1:
        raise BadRequest("X-Entity-Id header must be a positive integer")
    return int(raw)


def _scope(request: Request) -> Scope:
    try:
        entity_id: int | None = _entity_header(request.headers.get("x-entity-id"))
        header_error = None
    except BadRequest as exc:
        entity_id, header_error = None, exc
    # An id beyond any entity's cannot match; looking it up would only overflow the database's integer.
    lookup = entity_id if entity_id is not None and entity_id <= MAX_ID else None
    principal, entity, role = _authenticate(request, lookup)  # 401 comes first
    if header_error is not None:
        raise header_error
    if entity is None or role is None:
        raise Forbidden(f"You do not have permission on entity {entity_id}")
    return Scope(principal=principal, entity=entity, role=role)


class EntityScope:
    """A dependency: the caller's scope in the X-Entity-Id entity, for the given roles only (403 for the
    others). core/openapi.py documents the headers of every route that depends on one."""

    def __init__(self, *roles: str) -> None:
        self.roles = roles

    async def __call__(self, request: Request) -> Scope:
        scope = _scope(request)
        require_role(scope, self.roles)
        return scope


def require_role(scope: Scope, roles: tuple[str, ...]) -> None:
    """403 unless the caller's role in the scope's entity is one of `roles`."""
    if scope.role not in roles:
        raise Forbidden(f"Your role ({scope.role}) does not allow this action")


AnyScope = Annotated[Scope, Depends(EntityScope(*ROLES))]
AdminScope = Annotated[Scope, Depends(EntityScope(*ADMIN_ROLES))]
ManagerScope = Annotated[Scope, Depends(EntityScope(*MANAGER_ROLES))]
TechnicianScope = Annotated[Scope, Depends(EntityScope(*TECHNICIAN_ROLES))]
DbSession = Annotated[Session, Depends(db_session)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
