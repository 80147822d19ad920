"""People in a browser: sign-in links (invitation, password reset) and sessions, both keyed by a hashed token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wrenchwork.core.model_base import Base, IdMixin, utcnow


class SignInLink(IdMixin, Base):
    """A one-time link that sets a password: `purpose` is `invitation` or `reset`. Only the token's SHA-256 is
    kept; the link is shown (or mailed) once."""

    __tablename__ = "sign_in_links"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class WebSession(IdMixin, Base):
    """A signed-in browser. The cookie holds a random token whose SHA-256 is `token_hash`; deleting the row signs
    the browser out (logout, revocation). `entity_id` is the entity the person works in (the switcher)."""

    __tablename__ = "web_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A message for the next page shown (the outcome of a form sent), then cleared.
    flash: Mapped[str | None] = mapped_column(Text)
    flash_kind: Mapped[str | None] = mapped_column(String(10))
