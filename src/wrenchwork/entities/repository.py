from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from wrenchwork.core.listing import AnySelect, ListQuery
from wrenchwork.core.repository import Repository
from wrenchwork.entities.listing import ENTITY_LIST
from wrenchwork.models import Entity, UserRole


class EntityRepository(Repository[Entity]):
    model = Entity
    scope_column = "customer_id"

    def accessible(self) -> AnySelect:
        """The customer's entities on which the caller holds a role."""
        granted = select(UserRole.entity_id).where(UserRole.user_id == self.user_id)
        return self.scoped().where(Entity.id.in_(granted))

    def list_accessible(self, query: ListQuery) -> tuple[list[Entity], int]:
        rows, total = self.page(ENTITY_LIST, query, self.accessible())
        return [row[0] for row in rows], total

    def get_accessible(self, entity_id: int) -> Entity | None:
        found: Entity | None = self.session.scalars(self.accessible().where(Entity.id == entity_id)).first()
        return found

    def role_of_caller(self, entity_id: int) -> str | None:
        return self.caller_roles([entity_id]).get(entity_id)

    def caller_roles(self, entity_ids: Iterable[int]) -> dict[int, str]:
        rows = self.session.execute(
            select(UserRole.entity_id, UserRole.role).where(
                UserRole.user_id == self.user_id, UserRole.entity_id.in_(list(entity_ids))
            )
        ).all()
        return {entity_id: role for entity_id, role in rows}

    def existing_ids(self, entity_ids: Iterable[int]) -> set[int]:
        """Which of these ids are entities of the caller's customer."""
        return set(self.session.scalars(self.scoped(select(Entity.id)).where(Entity.id.in_(list(entity_ids)))))

    def grant(self, entity: Entity, user_id: int, role: str) -> None:
        self.session.add(UserRole(user_id=user_id, entity_id=entity.id, role=role))
        self.session.flush()
