"""Work order statuses: the five built-in ones (ids 1..5) and each entity's custom ones (ids from 6 up).

A custom status behaves like the built-in status it maps onto (`base_status_id`); work orders keep that
built-in name in `base_status`, so no rule ever has to resolve a custom status.

The built-in statuses are no rows of the table, yet `/work_order_statuses` shows them (a client must be able to
learn that completing means `status_id` 5): every entity sees them through `ALL_STATUSES`, the built-in rows
(one set per entity, dated from the entity's creation) unioned with the stored custom rows. Its list, filters,
search, sort, pagination, total and detail are therefore the one list mechanism's, built-in rows included.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, case, false, func, literal, select, true, union_all
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import Conflict, NotFound, Unprocessable
from wrenchwork.core.listing import AnyRow, Field, Kind, ListQuery, ListSpec
from wrenchwork.core.repository import Repository
from wrenchwork.models import Entity, WorkOrder, WorkOrderStatus
from wrenchwork.models.work_orders import BUILT_IN_STATUSES, FIRST_CUSTOM_STATUS_ID
from wrenchwork.work_orders.schemas import StatusIn, StatusPatch

BASE_IDS = {name: id_ for id_, name in BUILT_IN_STATUSES.items()}


def _all_statuses() -> Any:
    built_in = [
        select(
            Entity.id.label("entity_id"),
            literal(id_, Integer).label("id"),
            literal(name, String).label("name"),
            false().label("is_custom"),
            literal(id_, Integer).label("base_status_id"),
            literal(name, String).label("base_status"),
            Entity.created_at.label("created_at"),
            Entity.created_at.label("updated_at"),
        )
        for id_, name in BUILT_IN_STATUSES.items()
    ]
    custom = select(
        WorkOrderStatus.entity_id,
        WorkOrderStatus.id,
        WorkOrderStatus.name,
        true().label("is_custom"),
        WorkOrderStatus.base_status_id,
        case(BUILT_IN_STATUSES, value=WorkOrderStatus.base_status_id).label("base_status"),
        WorkOrderStatus.created_at,
        WorkOrderStatus.updated_at,
    )
    return union_all(*built_in, custom).subquery("work_order_statuses_all")


# Scoped per entity by the repository base (`scoped_source`), like every entity-owned table.
ALL_STATUSES = _all_statuses()
_S = ALL_STATUSES.c

STATUS_LIST = ListSpec(
    id_column=_S.id,
    fields={
        "id": Field(_S.id, Kind.INTEGER),
        "name": Field(_S.name, Kind.STRING),
        "is_custom": Field(_S.is_custom, Kind.BOOLEAN),
        "base_status_id": Field(_S.base_status_id, Kind.INTEGER),
        "base_status": Field(_S.base_status, Kind.ENUM, tuple(BUILT_IN_STATUSES.values())),
        "created_at": Field(_S.created_at, Kind.DATETIME),
        "updated_at": Field(_S.updated_at, Kind.DATETIME),
    },
    sortable={"id": _S.id, "name": _S.name, "created_at": _S.created_at},
    search=(_S.name,),
    default_sort=(("id", "asc"),),
)


class StatusRepository(Repository[WorkOrderStatus]):
    model = WorkOrderStatus

    def name_taken(self, name: str, except_id: int | None) -> bool:
        stmt = self.scoped(select(WorkOrderStatus.id)).where(func.lower(WorkOrderStatus.name) == name.lower())
        if except_id is not None:
            stmt = stmt.where(WorkOrderStatus.id != except_id)
        return self.session.scalar(stmt) is not None

    def next_id(self) -> int | None:
        """On SQLite a new row would take max(id) + 1, i.e. 1 in an empty table: give it an id above the
        built-in ones (SQLite writes are serialized, so this cannot race). PostgreSQL's identity starts at 6."""
        if self.session.get_bind().dialect.name != "sqlite":
            return None
        highest = self.session.scalar(select(func.max(WorkOrderStatus.id))) or 0
        return max(highest + 1, FIRST_CUSTOM_STATUS_ID)

    def statuses(self) -> Any:
        """The built-in and custom statuses of the caller's entity (`ALL_STATUSES`)."""
        return self.scoped_source(ALL_STATUSES)

    def find(self, status_id: int) -> AnyRow | None:
        return self.session.execute(self.statuses().where(_S.id == status_id)).first()

    def uses(self, status_id: int) -> int:
        return self.session.scalar(select(func.count()).where(WorkOrder.status_id == status_id)) or 0


def base_of(repo: Repository[Any], status_id: int, path: str) -> str:
    """The built-in status behind `status_id` (422 naming `path` when it is no status of this entity)."""
    if status_id in BUILT_IN_STATUSES:
        return BUILT_IN_STATUSES[status_id]
    custom = repo.session.scalar(
        repo.in_entity_of(WorkOrderStatus, select(WorkOrderStatus.base_status_id)).where(
            WorkOrderStatus.id == status_id
        )
    )
    if custom is None:
        raise Unprocessable.field(path, "is not a work order status of this entity (built-in 1..5 or custom)")
    return BUILT_IN_STATUSES[custom]


def status_item(row: Any, is_custom: bool = True) -> dict[str, Any]:
    """A status from a stored custom row or a row of `ALL_STATUSES` (pass its `is_custom`)."""
    return {
        "id": row.id,
        "name": row.name,
        "is_custom": bool(is_custom),
        "base_status_id": row.base_status_id,
        "base_status": BUILT_IN_STATUSES[row.base_status_id],
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def list_statuses(session: Session, scope: Scope, query: ListQuery) -> tuple[list[dict[str, Any]], int]:
    repo = StatusRepository(session, scope)
    rows, total = repo.page(STATUS_LIST, query, repo.statuses())
    return [status_item(r, r.is_custom) for r in rows], total


def get_status(session: Session, scope: Scope, status_id: int) -> dict[str, Any]:
    row = StatusRepository(session, scope).find(status_id)
    if row is None:
        raise NotFound.of("Work order status")
    return status_item(row, row.is_custom)


def create_status(session: Session, scope: Scope, data: StatusIn) -> dict[str, Any]:
    repo = StatusRepository(session, scope)
    _check_name(repo, data.name, None)
    row = WorkOrderStatus(name=data.name, base_status_id=data.base_status_id)
    next_id = repo.next_id()
    if next_id is not None:
        row.id = next_id
    return status_item(repo.add(row))


def update_status(session: Session, scope: Scope, status_id: int, data: StatusPatch) -> dict[str, Any]:
    """The name may always change; the built-in status behind it only while no work order uses it (changing it
    under work orders would change their behaviour, e.g. whether their parts count as used)."""
    repo = StatusRepository(session, scope)
    row = _get(repo, status_id)
    for name in ("name", "base_status_id"):
        if name in data.model_fields_set and getattr(data, name) is None:
            raise Unprocessable.field(f"work_order_status.{name}", "cannot be null")
    if data.name is not None:
        _check_name(repo, data.name, row.id)
        row.name = data.name
    if data.base_status_id is not None and data.base_status_id != row.base_status_id:
        used = repo.uses(row.id)
        if used:
            raise Conflict(
                f"Work order status is used by {used} work orders; its base status cannot change",
                {"work_order_status.base_status_id": ["cannot change while work orders use the status"]},
            )
        row.base_status_id = data.base_status_id
    return status_item(repo.touch(row))


def delete_status(session: Session, scope: Scope, status_id: int) -> None:
    repo = StatusRepository(session, scope)
    row = _get(repo, status_id)
    used = repo.uses(row.id)
    if used:
        raise Conflict(f"Work order status is still used by {used} work orders")
    repo.delete(row)


def _get(repo: StatusRepository, status_id: int) -> WorkOrderStatus:
    """A custom status to change or delete; a built-in one is 409: it exists in every entity and is fixed."""
    if status_id in BUILT_IN_STATUSES:
        raise Conflict(
            f"Work order status {status_id} ({BUILT_IN_STATUSES[status_id]}) is built in and cannot be changed or "
            "deleted; create a custom status based on it instead"
        )
    row = repo.get(status_id)
    if row is None:
        raise NotFound.of("Work order status")
    return row


def _check_name(repo: StatusRepository, name: str, except_id: int | None) -> None:
    if name.lower() in BASE_IDS:
        raise Conflict(
            f"'{name}' is a built-in status", {"work_order_status.name": ["is the name of a built-in status"]}
        )
    if repo.name_taken(name, except_id):
        raise Conflict(f"Work order status '{name}' already exists", {"work_order_status.name": ["is already taken"]})
