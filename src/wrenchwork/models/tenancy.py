"""Customers (tenants), their entities (sites), users, per-entity roles and API keys."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wrenchwork.core.model_base import AuditMixin, Base, IdMixin, Money, TimestampMixin


class Customer(IdMixin, TimestampMixin, Base):
    __tablename__ = "customers"

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)


class Entity(IdMixin, AuditMixin, Base):
    __tablename__ = "entities"
    __counted_by__: ClassVar[str | None] = "customer_id"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    datetime_format: Mapped[str] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))


class User(IdMixin, AuditMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("customer_id", "email"),
        # Lists walk these in order and stop after one page, instead of sorting every user.
        Index("ix_users_customer_name", "customer_id", "name", "id"),
        Index("ix_users_customer_created", "customer_id", "created_at", "id"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(10), default="en")
    phone_number: Mapped[str | None] = mapped_column(String(40))
    job_title: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="active")
    can_be_assigned_to_wo: Mapped[bool] = mapped_column(Boolean, default=True)
    regular_rate: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    overtime_rate1: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    overtime_rate2: Mapped[Decimal] = mapped_column(Money(), default=Decimal("0"))
    last_login_at: Mapped[datetime | None] = mapped_column()
    login_count: Mapped[int] = mapped_column(Integer, default=0)
    # Web sign-in (web/): an argon2 hash, set through an invitation or reset link; null until then.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # The latest invitation link (`invitation_details` of the user resource).
    invitation_sent_at: Mapped[datetime | None] = mapped_column()
    invitation_due_at: Mapped[datetime | None] = mapped_column()
    invitation_accepted_at: Mapped[datetime | None] = mapped_column()

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan", order_by="UserRole.id"
    )


class UserRole(IdMixin, TimestampMixin, Base):
    """A user's one role in one entity (the `permissions[]` of the user resource)."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "entity_id"),)
    # Counted per entity: the user list of an entity is its user_roles rows.
    __counted_by__: ClassVar[str | None] = "entity_id"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="roles", lazy="raise")


class ApiKey(IdMixin, TimestampMixin, Base):
    __tablename__ = "api_keys"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
