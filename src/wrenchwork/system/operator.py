"""The command line works from the server's shell, without an API key: it finds the records a command names and
acts as an admin of the entity it works in, so it goes through the same services and rules as the API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.models import Customer, Entity, User, UserRole


def first_customer(session: Session) -> Customer:
    """The customer the command line works for (`init` creates it)."""
    customer = session.scalars(select(Customer).order_by(Customer.id)).first()
    if customer is None:
        raise NotFound("There is no customer yet: run `wrenchwork init` first")
    return customer


def entity_listing(session: Session) -> str:
    """Every entity, one per line (`  <id>  <name>`), for messages that name a missing one."""
    rows = session.execute(select(Entity.id, Entity.name).order_by(Entity.id)).all()
    return "\n".join(f"  {entity_id}  {name}" for entity_id, name in rows)


def find_entity(session: Session, entity_id: int | None) -> Entity:
    """The entity with this id, or the first one when no id is given; a missing one is named with the list of
    those that exist."""
    stmt = select(Entity).order_by(Entity.id)
    entity = session.scalars(stmt if entity_id is None else stmt.where(Entity.id == entity_id)).first()
    if entity is not None:
        return entity
    existing = entity_listing(session)
    if not existing:
        raise NotFound("There are no entities yet: run `wrenchwork init` first")
    raise NotFound(f"Entity {entity_id} does not exist. The entities are:\n{existing}")


def admin_scope(session: Session, entity: Entity) -> Scope:
    """The scope of the entity's first active admin: what the command line does in the entity, it does as them
    (they show as `created_by`)."""
    admin = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.entity_id == entity.id, UserRole.role == "admin", User.status == "active")
        .order_by(User.id)
    ).first()
    customer = session.get(Customer, entity.customer_id)
    if admin is None or customer is None:
        raise Unprocessable(f"Entity '{entity.name}' (id {entity.id}) has no active admin to act as")
    return Scope.of(admin, customer, entity, "admin")
