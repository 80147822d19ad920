from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Integer, bindparam, func, literal_column, null, or_, select
from sqlalchemy.orm import aliased

from wrenchwork.core import driver
from wrenchwork.core.auth import Scope
from wrenchwork.core.json_sql import Detail, in_batch, json_bool, json_decimal, json_list, json_moment, json_object
from wrenchwork.core.listing import AnyRow, AnySelect, ListQuery
from wrenchwork.core.repository import Repository
from wrenchwork.files.urls import first_image_url
from wrenchwork.models import Customer, Entity, User, UserRole
from wrenchwork.users.listing import USER_LIST

Member = aliased(UserRole, name="member")
CallerRole = aliased(UserRole, name="caller_role")
# A user's roles, limited to the entities the caller holds one in (users/schemas.py `Permission`), by entity.
_PERMISSIONS = json_list(
    json_object(("entity", Entity.name), ("entity_id", Entity.id), ("role", UserRole.role),
                ("user_role_id", UserRole.id)),
    UserRole.user_id == User.id,
    UserRole.entity_id.in_(select(CallerRole.entity_id).where(CallerRole.user_id == bindparam("caller_id"))),
    order_by=[Entity.id], outer=User, source=UserRole.__table__.join(Entity, Entity.id == UserRole.entity_id),
)  # fmt: skip


def _with_customer(stmt: AnySelect) -> AnySelect:
    """A user with its customer; with `member_of` an entity's id, only if the user holds a role there (0: any of the
    customer's users, as a write answers one that has just left the entity)."""
    member_of = bindparam("member_of", type_=Integer())
    member = select(Member.id).where(Member.user_id == User.id, Member.entity_id == member_of).exists()
    return stmt.join(Customer, Customer.id == User.customer_id).where(or_(member_of == 0, member))


# The documented user (users/schemas.py `UserItem`, list item and detail alike), rendered by the database.
DETAIL = Detail("users.detail", json_object(
    ("id", User.id), ("name", User.name), ("surname", User.surname),
    ("full_name", func.trim(User.name + literal_column("' '") + User.surname)),
    ("language", User.language), ("email", User.email), ("unconfirmed_email", null()),
    ("phone_number", User.phone_number), ("job_title", User.job_title), ("status", User.status),
    ("can_be_assigned_to_wo", json_bool(User.can_be_assigned_to_wo)), ("auth_type", literal_column("'api_key'")),
    ("avatar", first_image_url("users", User.id, "small", newest=True)),
    *((name, json_decimal(getattr(User, name))) for name in ("regular_rate", "overtime_rate1", "overtime_rate2")),
    ("permissions", _PERMISSIONS),
    ("activity", json_object(("last_login", json_moment(User.last_login_at)), ("login_count", User.login_count))),
    ("tenant", Customer.slug),
    # The latest invitation link (users/invitations.py): made, valid until, used.
    ("invitation_details", json_object(
        ("sent_at", json_moment(User.invitation_sent_at)), ("due_at", json_moment(User.invitation_due_at)),
        ("accepted_at", json_moment(User.invitation_accepted_at)))),
    ("created_at", json_moment(User.created_at)), ("updated_at", json_moment(User.updated_at)),
    ("created_by_id", User.created_by_id), ("updated_by_id", User.updated_by_id),
), _with_customer)  # fmt: skip


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
        """One page of the users' ids (the items are rendered from them: `details`)."""
        # The entity's row counter counts every member, so a requester's one-row list counts itself.
        spec = USER_LIST if self.scope.role != "requester" else replace(USER_LIST, counter=None)
        rows, total = self.rows_page(spec, query, self.in_entity(User.id))
        return list(rows), total

    def details(self, user_ids: Iterable[int], members_only: bool = True, batch: bool = False) -> dict[int, str]:
        """`{id: the user as JSON text}` of those of `user_ids` in the caller's reach (`in_entity`); not
        `members_only`: any of the customer's users (a write answers the user it changed, even one that just left
        the entity). `batch`: see `json_details`."""
        wanted = [i for i in user_ids if self.scope.role != "requester" or i == self.scope.user_id]
        member_of = self.scope.entity_id if members_only else 0
        params = {"member_of": member_of, "caller_id": self.scope.user_id}
        return self.json_details(DETAIL, wanted, params, batch)

    def get_in_entity(self, user_id: int) -> User | None:
        found: User | None = self.session.scalars(self.in_entity().where(User.id == user_id)).first()
        return found

    def email_taken(self, email: str, except_id: int | None = None) -> bool:
        stmt = self.scoped(select(User.id)).where(User.email == email)
        if except_id is not None:
            stmt = stmt.where(User.id != except_id)
        return self.session.scalar(stmt) is not None

    def roles_of(self, user_id: int) -> Sequence[UserRole]:
        return self.session.scalars(select(UserRole).where(UserRole.user_id == user_id)).all()

    def assignable_ids(self, user_ids: Iterable[int]) -> set[int]:
        """Which of these users can be assigned work here: active, assignable, with a working role in this entity."""
        wanted = list(set(user_ids))
        if not wanted:
            return set()
        params = {"customer_id": self.scope.customer.id, "entity_id": self.scope.entity_id, "user_ids": wanted}
        return self.kept_ids(_ASSIGNABLE, params)


# Built once (every work order created or changed with technicians asks): the customer's users among `user_ids`
# who hold a working role in `entity_id` and can be assigned work.
_ASSIGNABLE = driver.keep(
    select(User.id)
    .join(UserRole, (UserRole.user_id == User.id) & (UserRole.entity_id == bindparam("entity_id")))
    .where(
        User.customer_id == bindparam("customer_id"),
        in_batch(User.id, "user_ids"),
        User.status == "active",
        User.can_be_assigned_to_wo.is_(True),
        UserRole.role != "requester",  # requesters only ask for work
    )
)
