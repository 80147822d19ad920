from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import exists, or_, select

from wrenchwork.core.listing import AnySelect, ListQuery
from wrenchwork.core.repository import Repository
from wrenchwork.entities.listing import ENTITY_LIST
from wrenchwork.models import Base, Entity, UserRole

# Entity-owned tables whose rows every new entity has from the start: set-up, not data.
ENTITY_SETUP_TABLES = frozenset({"user_roles", "measurement_units"})
# What the server keeps about changes, not records anyone entered: the event outbox and webhook messages.
BOOKKEEPING_TABLES = frozenset({"events", "event_counters", "webhook_deliveries"})


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

    def holds_records(self, entity_id: int) -> bool:
        """Whether any entity-owned table has a row of this entity beyond what every new entity starts with (its
        users' roles and the default measurement units). One query, whatever the number of tables."""
        tables = [
            table
            for table in Base.metadata.sorted_tables
            if "entity_id" in table.c and table.name not in ENTITY_SETUP_TABLES | BOOKKEEPING_TABLES
        ]
        found = self.session.scalar(select(or_(*(exists().where(table.c.entity_id == entity_id) for table in tables))))
        return bool(found)
