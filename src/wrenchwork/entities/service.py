"""Entities: the sites a customer runs. Every other record belongs to exactly one of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Principal, Scope
from wrenchwork.core.envelope import base_meta
from wrenchwork.core.errors import Forbidden, NotFound
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.schemas import apply_update
from wrenchwork.entities.repository import EntityRepository
from wrenchwork.entities.schemas import EntityCreate, EntityUpdate, entity_item
from wrenchwork.models import Entity
from wrenchwork.parts.defaults import add_default_units


def list_entities(
    session: Session, principal: Principal, query: ListQuery
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    entities, total = EntityRepository(session, principal).list_accessible(query)
    meta = base_meta(None, principal.customer) | query.meta(total)
    return [entity_item(e) for e in entities], meta


def create_entity(session: Session, scope: Scope, data: EntityCreate) -> Entity:
    """A new site of the caller's customer; the creating admin becomes its admin."""
    repo = EntityRepository(session, scope)
    entity = repo.add(Entity(**data.model_dump()))
    add_default_units(session, entity.id, scope.user_id)
    repo.grant(entity, scope.user_id, "admin")
    return entity


def update_entity(session: Session, scope: Scope, entity_id: int, data: EntityUpdate) -> Entity:
    repo = EntityRepository(session, scope)
    entity = repo.get_accessible(entity_id)
    if entity is None:
        raise NotFound.of("Entity")
    if repo.role_of_caller(entity_id) != "admin":
        raise Forbidden("Only an admin of this entity may change it")
    apply_update(entity, data, "entity", clearable={"description", "address"})
    return repo.touch(entity)
