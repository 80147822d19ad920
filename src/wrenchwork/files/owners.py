"""The records that carry attachments. One entry per kind of record; nothing else in the files package knows them.

`owner_type` in the database is the record's table name. `path` is the collection an upload is made under
(`POST {path}/{id}/attachments`); records without one only get files through `attachment_ids` of an action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.repository import Repository
from wrenchwork.files.repository import template_item_in_entity
from wrenchwork.models import (
    Asset,
    Location,
    Part,
    PartTransaction,
    PmSchedule,
    Procedure,
    ProcedureAnswer,
    ProcedureItem,
    ProcedureTemplate,
    User,
    Vendor,
    WorkOrder,
    WorkOrderRequest,
)
from wrenchwork.users.repository import UserRepository
from wrenchwork.work_order_requests.repository import RequestRepository

Finder = Callable[[Session, Scope, int], bool]


def _in_entity(model: type[Any]) -> Finder:
    def found(session: Session, scope: Scope, record_id: int) -> bool:
        return record_id in _Any(session, scope).ids_in_scope(model, [record_id])

    return found


class _Any(Repository[Any]):
    model = Asset  # unused: only the scoping helpers of the base are called


def _visible_request(session: Session, scope: Scope, record_id: int) -> bool:
    return RequestRepository(session, scope).get_visible(record_id) is not None


def _entity_member(session: Session, scope: Scope, record_id: int) -> bool:
    return UserRepository(session, scope).get_in_entity(record_id) is not None


def _template_item(session: Session, scope: Scope, record_id: int) -> bool:
    return template_item_in_entity(_Any(session, scope), record_id)


def _never(session: Session, scope: Scope, record_id: int) -> bool:
    return False  # files reach these records only through `attachment_ids`


@dataclass(frozen=True)
class Owner:
    owner_type: str
    label: str  # for `<label> not found`
    model: type[Any]
    found: Finder
    path: str | None = None
    # Users have one avatar: an upload replaces it, and only images are taken.
    single_image: bool = False


OWNERS: dict[str, Owner] = {
    owner.owner_type: owner
    for owner in (
        Owner("assets", "Asset", Asset, _in_entity(Asset), "/assets"),
        Owner("locations", "Location", Location, _in_entity(Location), "/locations"),
        Owner("parts", "Part", Part, _in_entity(Part), "/parts"),
        Owner("vendors", "Vendor", Vendor, _in_entity(Vendor), "/vendors"),
        Owner("work_orders", "Work order", WorkOrder, _in_entity(WorkOrder), "/work_orders"),
        Owner("work_order_requests", "Request", WorkOrderRequest, _visible_request, "/work_order_requests"),
        Owner("pm_schedules", "PM schedule", PmSchedule, _in_entity(PmSchedule), "/pm_schedules"),
        Owner("users", "User", User, _entity_member, "/users", single_image=True),
        # `POST /procedure_templates/{id}/items/{item_id}/attachments` (files/router.py).
        Owner("procedure_items", "Procedure item", ProcedureItem, _template_item),
        Owner("part_transactions", "Transaction", PartTransaction, _never),
        Owner("procedure_answers", "Procedure item", ProcedureAnswer, _never),
    )
}
# Deleting one of these records deletes its attachments (files/lifecycle.py).
OWNER_MODELS: dict[type[Any], str] = {owner.model: owner.owner_type for owner in OWNERS.values()}

Children = Callable[[list[int]], Select[Any]]


def _answers_of_work_orders(ids: list[int]) -> Select[Any]:
    on = Procedure.id == ProcedureAnswer.procedure_id
    return select(ProcedureAnswer.id).join(Procedure, on).where(Procedure.work_order_id.in_(ids))


def _answers_of_procedures(ids: list[int]) -> Select[Any]:
    return select(ProcedureAnswer.id).where(ProcedureAnswer.procedure_id.in_(ids))


def _items_of_templates(ids: list[int]) -> Select[Any]:
    return select(ProcedureItem.id).where(ProcedureItem.procedure_template_id.in_(ids))


def _ledger_of_parts(ids: list[int]) -> Select[Any]:
    return select(PartTransaction.id).where(PartTransaction.part_id.in_(ids))


# Records that the database deletes with their parent (ON DELETE CASCADE), unseen by the ORM: deleting a parent
# of the key's model deletes the attachments of these children too (their owner type, their ids).
CASCADES: dict[type[Any], tuple[tuple[str, Children], ...]] = {
    WorkOrder: (("procedure_answers", _answers_of_work_orders),),
    Procedure: (("procedure_answers", _answers_of_procedures),),
    ProcedureTemplate: (("procedure_items", _items_of_templates),),
    Part: (("part_transactions", _ledger_of_parts),),
}
