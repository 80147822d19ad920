"""Invitation and password-reset links: a one-time token that lets its holder set the user's password.

Only the token's SHA-256 is stored; the link is shown once (the API's and the command line's answer) or mailed
(web/mail.py). A new link of the same purpose replaces the older ones. The invitation's dates are the user's
`invitation_details`."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from starlette.requests import Request

from wrenchwork.core.auth import hash_token
from wrenchwork.core.errors import NotFound
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import SignInLink, User, WebSession
from wrenchwork.users import passwords

INVITATION = "invitation"
RESET = "reset"
INVALID_LINK = "This link is invalid, used or expired; ask for a new one"


def public_address(request: Request) -> str:
    """Where people reach this server: the `public_url` setting, else the address this request came to."""
    configured: str = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def link_path(token: str) -> str:
    return f"/password/{token}"


def issue(session: Session, user: User, purpose: str, hours: float) -> str:
    """A new link for `user` (older links of the purpose stop working); returns the token to show once."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(hours=hours)
    session.execute(delete(SignInLink).where(SignInLink.user_id == user.id, SignInLink.purpose == purpose))
    session.add(
        SignInLink(user_id=user.id, purpose=purpose, token_hash=hash_token(token), created_at=now, expires_at=expires)
    )
    if purpose == INVITATION:
        user.invitation_sent_at, user.invitation_due_at, user.invitation_accepted_at = now, expires, None
    session.flush()
    return token


def holder(session: Session, token: str) -> tuple[SignInLink, User]:
    """The link and its user, while it is valid (404 otherwise: a guessed token learns nothing)."""
    found = session.execute(
        select(SignInLink, User)
        .join(User, User.id == SignInLink.user_id)
        .where(SignInLink.token_hash == hash_token(token))
    ).first()
    if found is None:
        raise NotFound(INVALID_LINK)
    link, user = found
    if link.used_at is not None or link.expires_at <= utcnow() or user.status != "active":
        raise NotFound(INVALID_LINK)
    return link, user


def set_password(session: Session, token: str, password: str, confirmation: str) -> User:
    """Use the link: the password is set, the link spent, and every session of the user ends (a reset is often
    the answer to a stolen password)."""
    link, user = holder(session, token)
    passwords.check_new(password, confirmation)
    now = utcnow()
    link.used_at = now
    user.password_hash = passwords.hash_password(password)
    if link.purpose == INVITATION:
        user.invitation_accepted_at = now
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.execute(
        update(SignInLink).where(SignInLink.user_id == user.id, SignInLink.used_at.is_(None)).values(used_at=now)
    )
    session.flush()
    return user
