from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, select

from wrenchwork.core.auth import Scope
from wrenchwork.core.listing import AnyRow, AnySelect, ListQuery
from wrenchwork.core.repository import Repository
from wrenchwork.models import Entity, User, UserRole
from wrenchwork.users.listing import USER_LIST


class UserRepository(Repository[User]):
    """Users belong to the customer; an entity's users are those holding a role in it."""

    model = User
    scope_column = "customer_id"
    scope: Scope

    @property
    def counter_scope_id(self) -> int:
        return self.scope.entity_id

    def in_entity(self, *columns: Any) -> AnySelect:
        """The entity's users (ORM objects, or just `columns`); a requester sees only itself (user records hold
        contact details and rates)."""
        stmt = self._members(*columns)
        return stmt.where(User.id == self.scope.user_id) if self.scope.role == "requester" else stmt

    def _members(self, *columns: Any) -> AnySelect:
        base = select(*columns) if columns else select(User)
        return self.scoped(
            base.join(UserRole, (UserRole.user_id == User.id) & (UserRole.entity_id == self.scope.entity_id))
        )

    def list_in_entity(self, query: ListQuery) -> tuple[list[AnyRow], int]:
        """One page of user rows (plain columns: a list needs no ORM objects)."""
        # The entity's row counter counts every member, so a requester's one-row list counts itself.
        spec = USER_LIST if self.scope.role != "requester" else replace(USER_LIST, counter=None)
        rows, total = self.rows_page(spec, query, self.in_entity(*User.__table__.c))
        return list(rows), total

    def get_in_entity(self, user_id: int) -> User | None:
        found: User | None = self.session.scalars(self.in_entity().where(User.id == user_id)).first()
        return found

    def email_taken(self, email: str, except_id: int | None = None) -> bool:
        stmt = self.scoped(select(User.id)).where(User.email == email)
        if except_id is not None:
            stmt = stmt.where(User.id != except_id)
        return self.session.scalar(stmt) is not None

    def permissions(self, user_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        """Each user's roles, limited to the entities the caller can see. One query for any number of users."""
        visible = select(UserRole.entity_id).where(UserRole.user_id == self.user_id)
        rows = self.session.execute(
            select(UserRole.user_id, UserRole.id, UserRole.role, Entity.id, Entity.name)
            .join(Entity, Entity.id == UserRole.entity_id)
            .where(UserRole.user_id.in_(list(user_ids)), UserRole.entity_id.in_(visible))
            .order_by(UserRole.user_id, Entity.id)
        ).all()
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for user_id, role_id, role, entity_id, entity_name in rows:
            grouped[user_id].append(
                {"entity": entity_name, "entity_id": entity_id, "role": role, "user_role_id": role_id}
            )
        return grouped

    def roles_of(self, user_id: int) -> Sequence[UserRole]:
        return self.session.scalars(select(UserRole).where(UserRole.user_id == user_id)).all()

    def assignable_ids(self, user_ids: Iterable[int]) -> set[int]:
        """Which of these users can be assigned work here: active, assignable, with a working role in this entity."""
        wanted = list(set(user_ids))
        if not wanted:
            return set()
        params = {"customer_id": self.scope.customer.id, "entity_id": self.scope.entity_id, "user_ids": wanted}
        return set(self.session.scalars(_ASSIGNABLE, params))


# Built once (every work order created or changed with technicians asks): the customer's users among `user_ids`
# who hold a working role in `entity_id` and can be assigned work.
_ASSIGNABLE = (
    select(User.id)
    .join(UserRole, (UserRole.user_id == User.id) & (UserRole.entity_id == bindparam("entity_id")))
    .where(
        User.customer_id == bindparam("customer_id"),
        User.id.in_(bindparam("user_ids", expanding=True)),
        User.status == "active",
        User.can_be_assigned_to_wo.is_(True),
        UserRole.role != "requester",  # requesters only ask for work
    )
)
