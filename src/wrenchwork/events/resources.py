"""Which records make `<resource>.created|updated|deleted` events, and how their `data` is presented: each
resource's own detail presenter (the shape `GET /<resource>/{id}` answers), so an event never has a second copy
of a resource's shape. `paths` are the routes whose 2xx answer is that very detail: the outbox takes the answer
instead of presenting the record again (events/outbox.py).

`fields` names a changed column the way the API does (`changed_fields`): the update body's field for what a client
writes (`status_id` for `base_status`), None for a column the API does not show. Records that are part of another
resource's detail (a work order's part assignments, a template's items) are `parts()`: their changes are an
`updated` event of that resource, naming the detail field they appear in; links that both ends' details show are
`mirrored()`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.routing import API_PREFIX

Presenter = Callable[[Session, Scope, Any], dict[str, Any]]
# Renders the details of many records of one entity at once: `{id: detail}` of those of the ids it finds.
BatchPresenter = Callable[[Session, Scope, list[int]], dict[int, dict[str, Any]]]


@dataclass(frozen=True)
class Resource:
    name: str  # "work_order": the events are "work_order.created", ...
    present: Presenter
    paths: frozenset[str]
    fields: Mapping[str, str | None] = field(default_factory=dict)  # column -> API field (None: not shown)
    schema: Any = None  # the detail model, when no `GET .../{id}` route of `paths` declares it
    present_many: BatchPresenter | None = None  # where the detail is rendered by the database (core/json_sql.py)

    def api_fields(self, columns: set[str]) -> set[str]:
        named = (self.fields.get(c, c) for c in columns)
        return {n for n in named if n is not None}


@dataclass(frozen=True)
class Part:
    """A record shown inside a resource's detail: a change of it is that resource's `updated`."""

    parent: type[Any]
    parent_id: Callable[[Session, Any], int | None]
    fields: Callable[[Any], tuple[str, ...]]


def _by_id(getter: Callable[[Session, Scope, int], dict[str, Any]]) -> Presenter:
    return lambda session, scope, obj: getter(session, scope, obj.id)


def _parsed(render: Callable[[Session, Scope, list[int]], dict[int, str]]) -> BatchPresenter:
    return lambda session, scope, ids: {i: orjson.loads(text) for i, text in render(session, scope, ids).items()}


def _paths(collection: str, *more: str) -> frozenset[str]:
    return frozenset({f"{API_PREFIX}/{collection}", f"{API_PREFIX}/{collection}/{{id}}", *more})


# Columns every resource keeps for itself (who changed it is `actor`, when is the event's `created_at`).
_AUDIT: dict[str, str | None] = {
    "entity_id": None, "created_at": None, "updated_at": None, "created_by_id": None, "updated_by_id": None,
}  # fmt: skip
_PLACED = {"location_id": "location_id", "asset_id": "asset_id"}
# A part's stock actions answer with its detail: its events take it from the answer.
_STOCK_ACTIONS = tuple(f"{API_PREFIX}/parts/{{id}}/{action}" for action in ("restock", "reconcile", "unit_cost",
                                                                           "avg_unit_cost"))  # fmt: skip


@functools.cache
def registry() -> dict[type[Any], Resource]:
    """Built on first use: the services import the models, which the outbox's listeners see first."""
    from wrenchwork.assets.service import asset_details, read_asset
    from wrenchwork.comments.schemas import CommentEventData
    from wrenchwork.comments.service import present_one as present_comment
    from wrenchwork.locations.service import location_details, read_location
    from wrenchwork.lookups.tables import LOOKUPS
    from wrenchwork.models import (
        Asset,
        Comment,
        Location,
        Part,
        PmSchedule,
        Procedure,
        ProcedureTemplate,
        RequestPortal,
        TimeEntry,
        User,
        Vendor,
        WorkOrder,
        WorkOrderCost,
        WorkOrderRequest,
        WorkOrderStatus,
    )
    from wrenchwork.parts.service import part_details, read_part
    from wrenchwork.pm_schedules.service import pm_schedule_details, read_pm_schedule
    from wrenchwork.procedures.schemas import ProcedureDetail
    from wrenchwork.procedures.service import get_template, present_procedure
    from wrenchwork.request_portals.service import get_portal
    from wrenchwork.users.service import read_user, user_details
    from wrenchwork.vendors.service import read_vendor, vendor_details
    from wrenchwork.work_order_requests.service import read_request, request_details
    from wrenchwork.work_orders.labor import cost_item, present_time_entry
    from wrenchwork.work_orders.schemas import CostItem, TimeEntryItem
    from wrenchwork.work_orders.service import read_work_order, work_order_details
    from wrenchwork.work_orders.statuses import status_item

    on_work_order = f"{API_PREFIX}/work_orders/{{id}}"
    user_fields = {"customer_id": None, "password_hash": None, "last_login_at": None, "login_count": None,
                   "invitation_sent_at": None, "invitation_due_at": None, "invitation_accepted_at": None}  # fmt: skip
    found: dict[type[Any], Resource] = {
        WorkOrder: Resource(
            "work_order", _by_id(read_work_order), _paths("work_orders"),
            _AUDIT | _PLACED | {"base_status": "status_id"}, present_many=_parsed(work_order_details),
        ),
        WorkOrderRequest: Resource(
            "work_order_request", _by_id(read_request), _paths("work_order_requests"),
            _AUDIT | _PLACED | {"request_portal_id": "request_portal"}, present_many=_parsed(request_details),
        ),
        Asset: Resource("asset", _by_id(read_asset), _paths("assets"), _AUDIT, present_many=_parsed(asset_details)),
        Location: Resource(
            "location", _by_id(read_location), _paths("locations"), _AUDIT, present_many=_parsed(location_details)
        ),
        Part: Resource(
            "part", _by_id(read_part), _paths("parts", *_STOCK_ACTIONS), _AUDIT | {"used_qty": None, "low_stock": None},
            present_many=_parsed(part_details),
        ),
        Vendor: Resource(
            "vendor", _by_id(read_vendor), _paths("vendors"), _AUDIT, present_many=_parsed(vendor_details)
        ),
        PmSchedule: Resource(
            "pm_schedule", _by_id(read_pm_schedule), _paths("pm_schedules"), _AUDIT,
            present_many=_parsed(pm_schedule_details),
        ),
        ProcedureTemplate: Resource(
            "procedure_template", _by_id(get_template), _paths("procedure_templates"), _AUDIT
        ),
        User: Resource(
            "user", _by_id(read_user), _paths("users"), _AUDIT | user_fields, present_many=_parsed(user_details)
        ),
        RequestPortal: Resource("request_portal", _by_id(get_portal), _paths("request_portals"), _AUDIT),
        WorkOrderStatus: Resource(
            "work_order_status", lambda _s, _c, obj: status_item(obj), _paths("work_order_statuses"), _AUDIT
        ),
        Comment: Resource(
            "comment", present_comment, frozenset(),  # the answer lacks the record it is on: presented
            _AUDIT | {"work_order_id": None, "work_order_request_id": None}, CommentEventData,
        ),
        TimeEntry: Resource(
            "time_entry", present_time_entry,
            frozenset({f"{on_work_order}/time_entries", f"{on_work_order}/timer/stop"}),
            _AUDIT | {"hours": "duration"}, TimeEntryItem,
        ),
        Procedure: Resource(
            "procedure", present_procedure, frozenset({f"{on_work_order}/procedures/{{procedure_id}}"}),
            _AUDIT | {"work_order_id": None, "procedure_template_id": None}, ProcedureDetail,
        ),
        WorkOrderCost: Resource(
            "work_order_cost", lambda _s, _c, obj: cost_item(obj), frozenset({f"{on_work_order}/costs"}),
            _AUDIT, CostItem,
        ),
    }  # fmt: skip
    for lookup in LOOKUPS:
        extra = lookup.extra
        present: Presenter = functools.partial(_lookup, extra)
        found[lookup.model] = Resource(lookup.wrapper, present, _paths(lookup.path.strip("/")), _AUDIT)
    return found


def _column(name: str) -> Callable[[Session, Any], int | None]:
    return lambda _session, obj: getattr(obj, name)


def _fixed(*names: str) -> Callable[[Any], tuple[str, ...]]:
    return lambda _obj: names


@functools.cache
def parts() -> dict[type[Any], tuple[Part, ...]]:
    """What changes when a part of a resource's detail is written, deleted or created."""
    from wrenchwork.files.owners import OWNER_MODELS
    from wrenchwork.models import (
        Attachment,
        PmSchedule,
        PmTemplatePart,
        PmTemplateWorkOrder,
        Procedure,
        ProcedureAnswer,
        ProcedureItem,
        ProcedureTemplate,
        TimeEntry,
        Vendor,
        VendorContact,
        VendorPart,
        WorkOrder,
        WorkOrderCost,
        WorkOrderPart,
        WorkTimer,
    )
    from wrenchwork.models import Part as PartRow

    on_work_order = _column("work_order_id")
    return {
        WorkOrderPart: (
            Part(WorkOrder, on_work_order, _fixed("part_assignments", "total_costs")),
            Part(PartRow, _column("part_id"), _fixed("reserved", "available")),
        ),
        TimeEntry: (Part(WorkOrder, on_work_order, _fixed("total_costs")),),
        WorkOrderCost: (Part(WorkOrder, on_work_order, _fixed("total_costs")),),
        WorkTimer: (Part(WorkOrder, on_work_order, _fixed("active_timer_current_user")),),
        Procedure: (Part(WorkOrder, on_work_order, _fixed("procedures")),),
        ProcedureAnswer: (Part(Procedure, _column("procedure_id"), _fixed("items")),),
        ProcedureItem: (Part(ProcedureTemplate, _column("procedure_template_id"), _fixed("items")),),
        VendorContact: (Part(Vendor, _column("vendor_id"), _fixed("vendor_contacts")),),
        VendorPart: (
            Part(PartRow, _column("part_id"), _fixed("vendors")),
            Part(Vendor, _column("vendor_id"), _fixed("parts")),
        ),
        PmTemplateWorkOrder: (Part(PmSchedule, _column("pm_schedule_id"), _fixed("template_work_order")),),
        PmTemplatePart: (Part(PmSchedule, _template_schedule, _fixed("template_work_order")),),
        Attachment: tuple(
            Part(model, _attached_to(owner), _attachment_field)
            for model, owner in OWNER_MODELS.items()
            if model in registry()
        ),
    }


@functools.cache
def mirrored() -> dict[tuple[str, str], tuple[type[Any], str]]:
    """Link tables that the details of both records they link show, written from either side (an asset's
    `vendors_ids`, a vendor's `assets_ids`): `(table, column)` -> the model of the records that column points at
    and the field a client writes their side with. A change written from one side is an `updated` of each record
    linked or unlinked at the other side too, naming that field (events/outbox.py `note_linked`)."""
    from wrenchwork.models import Asset, Vendor
    from wrenchwork.models import Part as PartRow

    return {
        ("asset_vendors", "vendor_id"): (Vendor, "assets_ids"),
        ("asset_vendors", "asset_id"): (Asset, "vendors_ids"),
        ("part_assets", "part_id"): (PartRow, "assets_ids"),
        ("part_assets", "asset_id"): (Asset, "parts_ids"),
    }


def _attached_to(owner_type: str) -> Callable[[Session, Any], int | None]:
    return lambda _session, obj: obj.owner_id if obj.owner_type == owner_type else None


def _attachment_field(obj: Any) -> tuple[str, ...]:
    if obj.owner_type == "users":
        return ("avatar",)
    return ("images",) if obj.kind == "image" else ("documents",)


def _template_schedule(session: Session, obj: Any) -> int | None:
    from wrenchwork.models import PmTemplateWorkOrder

    template = session.get(PmTemplateWorkOrder, obj.template_id)
    return None if template is None else template.pm_schedule_id


def _lookup(extra: tuple[str, ...], _session: Session, _scope: Scope, obj: Any) -> dict[str, Any]:
    from wrenchwork.lookups.resource import lookup_item

    return lookup_item(obj, extra)


def resource_names() -> list[str]:
    return sorted(r.name for r in registry().values())
