"""Who is signed in: a server-side session row per browser, found by the random token in an HttpOnly cookie.

The cookie holds only the token; the row (models/web.py) holds the user, the entity chosen with the switcher,
the CSRF token and a pending message. Deleting the row signs the browser out. A session ends after
`session_idle_minutes` without a request and `session_max_days` after sign-in, whatever happens."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from starlette.responses import Response

from wrenchwork.core.auth import CustomerInfo, EntityInfo, Principal, Scope, UserInfo, hash_token, require_role
from wrenchwork.core.errors import AppError, Forbidden
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import Customer, Entity, User, UserRole, WebSession

COOKIE = "ww_session"
# Before sign-in, forms are protected by a token in a cookie of its own (double submit).
ANONYMOUS_CSRF_COOKIE = "ww_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# `last_seen_at` is written at most this often, so reading pages does not turn into writes.
SEEN_PRECISION = timedelta(minutes=1)


class SignInRequired(AppError):
    """No valid session: the page sends the browser to sign in (web/routing.py)."""

    status_code = 401
    default_message = "Please sign in"


class CsrfRefused(Forbidden):
    default_message = "This form has expired or did not come from this site; reload the page and try again"


@dataclass(frozen=True)
class Membership:
    entity_id: int
    name: str
    role: str


@dataclass
class Viewer:
    """The signed-in person: their scope in the entity they work in (as an API key's would be) and the rest."""

    session_id: int
    user_id: int
    email: str
    csrf_token: str
    memberships: list[Membership]
    scope: Scope | None
    flash: tuple[str, str] | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def role(self) -> str | None:
        return None if self.scope is None else self.scope.role

    def may(self, roles: tuple[str, ...]) -> bool:
        return self.role in roles

    def require(self, roles: tuple[str, ...]) -> Scope:
        """The scope when the role allows `roles` (the API's rule, core/auth.py), else 403."""
        if self.scope is None:
            raise Forbidden("You have no role in any entity; ask an admin for one")
        require_role(self.scope, roles)
        return self.scope


def is_https(request: Request) -> bool:
    """HTTPS as the browser sees it: the request's scheme, or X-Forwarded-Proto from a trusted proxy."""
    if request.url.scheme == "https":
        return True
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    peer = request.client.host if request.client else ""
    if forwarded != "https" or not peer:
        return False
    trusted: str = request.app.state.settings.trusted_proxies
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(part.strip(), strict=False) for part in trusted.split(",") if part.strip()
    )


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=is_https(request), path="/")


def start(session: Session, request: Request, response: Response, user_id: int) -> None:
    """A new session for `user_id`, its cookie set on `response`."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(user_id=user_id, token_hash=hash_token(token), csrf_token=secrets.token_urlsafe(32)))
    max_age = int(request.app.state.settings.session_max_days * 86400)
    set_cookie(request, response, COOKIE, token, max_age)
    response.delete_cookie(ANONYMOUS_CSRF_COOKIE, path="/")


def end(session: Session, request: Request, response: Response) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))
    response.delete_cookie(COOKIE, path="/")


def _expired(row: WebSession, request: Request, now: datetime) -> bool:
    settings = request.app.state.settings
    return now - row.last_seen_at >= timedelta(
        minutes=settings.session_idle_minutes
    ) or now - row.created_at >= timedelta(days=settings.session_max_days)


def _bookkeeping(request: Request, session: Session) -> AbstractContextManager[Session]:
    """Where a page may write its session's own bookkeeping: a GET's read transaction may not write (core/db.py),
    so it gets a short one of its own."""
    if session.info.get("read"):
        writer: AbstractContextManager[Session] = request.app.state.sessionmaker.begin()
        return writer
    return nullcontext(session)


def load(request: Request) -> Viewer | None:
    """The signed-in person behind the cookie, or None (no cookie, unknown, expired, or the user deactivated)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    session: Session = request.state.session
    digest = hash_token(token)
    found = session.execute(
        select(WebSession, User, Customer)
        .join(User, User.id == WebSession.user_id)
        .join(Customer, Customer.id == User.customer_id)
        .where(WebSession.token_hash == digest)
    ).first()
    if found is None:
        return None
    row, user, customer = found
    now = utcnow()
    if _expired(row, request, now) or user.status != "active" or not hmac.compare_digest(row.token_hash, digest):
        with _bookkeeping(request, session) as writer:
            writer.execute(delete(WebSession).where(WebSession.id == row.id))
        raise SignInRequired("Your session has expired; please sign in again")
    roles = session.execute(
        select(UserRole.entity_id, UserRole.role, Entity)
        .join(Entity, (Entity.id == UserRole.entity_id) & (Entity.customer_id == customer.id))
        .where(UserRole.user_id == user.id)
        .order_by(Entity.name, Entity.id)
    ).all()
    memberships = [Membership(entity_id, entity.name, role) for entity_id, role, entity in roles]
    chosen = next((r for r in roles if r[0] == row.entity_id), roles[0] if roles else None)
    scope = None
    if chosen is not None:
        entity = chosen[2]
        principal = Principal(
            UserInfo(user.id, user.name, user.surname), CustomerInfo(customer.id, customer.name, customer.slug), 0
        )
        info = EntityInfo(entity.id, entity.name, entity.currency, entity.datetime_format, entity.timezone)
        scope = Scope(principal=principal, entity=info, role=chosen[1])
    flash = (row.flash_kind or "info", row.flash) if row.flash else None
    if flash is not None or now - row.last_seen_at >= SEEN_PRECISION:
        with _bookkeeping(request, session) as writer:
            writer.execute(
                update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now, flash=None, flash_kind=None)
            )
    return Viewer(row.id, user.id, user.email, row.csrf_token, memberships, scope, flash)


def note(request: Request, message: str, kind: str = "info") -> None:
    """A message for the next page this browser shows (the outcome of a form), in the request's transaction
    (after a refused action: once the action is rolled back, web/routing.py)."""
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    if viewer is None:
        return
    request.state.session.execute(
        update(WebSession).where(WebSession.id == viewer.session_id).values(flash=message, flash_kind=kind)
    )


def choose_entity(session: Session, viewer: Viewer, entity_id: int) -> None:
    """The entity switcher: only an entity the person has a role in (403 otherwise)."""
    if not any(m.entity_id == entity_id for m in viewer.memberships):
        raise Forbidden(f"You do not have permission on entity {entity_id}")
    session.execute(update(WebSession).where(WebSession.id == viewer.session_id).values(entity_id=entity_id))


async def current_viewer(request: Request) -> Viewer:
    """A page's dependency: the signed-in person (else the browser is sent to sign in); POSTs must carry the
    session's CSRF token."""
    viewer = load(request)
    if viewer is None:
        raise SignInRequired()
    request.state.viewer = viewer
    request.state.csrf_token = viewer.csrf_token
    if request.method == "POST":
        await check_csrf(request, viewer.csrf_token)
    return viewer


async def anonymous_csrf(request: Request) -> str:
    """The forms shown before sign-in (sign-in, forgot password, set password): the token of the browser's
    `ww_csrf` cookie (new when missing), which a POST must send back."""
    token = request.cookies.get(ANONYMOUS_CSRF_COOKIE, "")
    if request.method == "POST":
        await check_csrf(request, token)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = token
    request.state.csrf_token = token
    return token


async def check_csrf(request: Request, expected: str) -> None:
    """403 unless the form's field (or, for a request without one, the htmx header) carries `expected`."""
    sent = None
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if sent is None:
        sent = request.headers.get(CSRF_HEADER)
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
AnonymousCsrf = Annotated[str, Depends(anonymous_csrf)]
