"""First start: an empty database gets a customer, an entity, an admin user and an admin API key."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.api_keys.service import issue
from wrenchwork.models import Customer, Entity, User, UserRole
from wrenchwork.parts.defaults import add_default_units

DEFAULT_ENTITY = "Main Facility"


@dataclass(frozen=True)
class Bootstrapped:
    customer: Customer
    entity: Entity
    admin: User
    token: str


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "customer"


def create_customer(
    session: Session,
    customer_name: str,
    entity_name: str,
    admin_email: str,
    admin_name: str,
    admin_surname: str,
    token: str | None = None,
) -> Bootstrapped:
    customer = Customer(name=customer_name, slug=slugify(customer_name))
    session.add(customer)
    session.flush()
    admin = User(customer_id=customer.id, name=admin_name, surname=admin_surname, email=admin_email)
    session.add(admin)
    session.flush()
    entity = Entity(
        customer_id=customer.id,
        name=entity_name,
        datetime_format="MM/DD/YYYY - 11:59 PM",
        timezone="Etc/UTC",
        currency="USD",
        created_by_id=admin.id,
        updated_by_id=admin.id,
    )
    session.add(entity)
    session.flush()
    add_default_units(session, entity.id, admin.id)
    session.add(UserRole(user_id=admin.id, entity_id=entity.id, role="admin"))
    _, token = issue(session, customer.id, admin.id, "Bootstrap admin key", admin.id, token or None)
    session.flush()
    return Bootstrapped(customer, entity, admin, token)


def bootstrap_if_empty(session: Session, token: str | None) -> Bootstrapped | None:
    if session.scalar(select(Customer.id).limit(1)) is not None:
        return None
    return create_customer(session, "My Company", DEFAULT_ENTITY, "admin@example.com", "Admin", "", token=token or None)
