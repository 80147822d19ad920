"""Which records make `<resource>.created|updated|deleted` events, and how their `data` is presented: each
resource's own detail presenter (the shape `GET /<resource>/{id}` answers), so an event never has a second copy
of a resource's shape. `paths` are the routes whose 2xx answer is that very detail: the outbox takes the answer
instead of presenting the record again (events/outbox.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.routing import API_PREFIX

Presenter = Callable[[Session, Scope, Any], dict[str, Any]]
ManyPresenter = Callable[[Session, Scope, list[int]], dict[int, dict[str, Any]]]


@dataclass(frozen=True)
class Resource:
    name: str  # "work_order": the events are "work_order.created", ...
    present: Presenter
    paths: frozenset[str]
    # `{id: detail}` of many records at once, for a resource whose records may be created by the thousand
    present_many: ManyPresenter | None = None


def _by_id(getter: Callable[[Session, Scope, int], dict[str, Any]]) -> Presenter:
    return lambda session, scope, obj: getter(session, scope, obj.id)


def _paths(collection: str) -> frozenset[str]:
    return frozenset({f"{API_PREFIX}/{collection}", f"{API_PREFIX}/{collection}/{{id}}"})


@functools.cache
def registry() -> dict[type[Any], Resource]:
    """Built on first use: the services import the models, which the outbox's listeners see first."""
    from wrenchwork.assets.service import get_asset, get_assets
    from wrenchwork.locations.service import get_location
    from wrenchwork.lookups.tables import LOOKUPS
    from wrenchwork.models import (
        Asset,
        Location,
        Part,
        PmSchedule,
        ProcedureTemplate,
        User,
        Vendor,
        WorkOrder,
        WorkOrderRequest,
    )
    from wrenchwork.parts.service import get_part
    from wrenchwork.pm_schedules.service import get_pm_schedule
    from wrenchwork.procedures.service import get_template
    from wrenchwork.users.service import get_user
    from wrenchwork.vendors.service import get_vendor
    from wrenchwork.work_order_requests.service import get_request
    from wrenchwork.work_orders.service import get_work_order

    found: dict[type[Any], Resource] = {
        WorkOrder: Resource("work_order", _by_id(get_work_order), _paths("work_orders")),
        WorkOrderRequest: Resource("work_order_request", _by_id(get_request), _paths("work_order_requests")),
        Asset: Resource("asset", _by_id(get_asset), _paths("assets"), get_assets),
        Location: Resource("location", _by_id(get_location), _paths("locations")),
        Part: Resource("part", _by_id(get_part), _paths("parts")),
        Vendor: Resource("vendor", _by_id(get_vendor), _paths("vendors")),
        PmSchedule: Resource("pm_schedule", _by_id(get_pm_schedule), _paths("pm_schedules")),
        ProcedureTemplate: Resource("procedure_template", _by_id(get_template), _paths("procedure_templates")),
        User: Resource("user", _by_id(get_user), _paths("users")),
    }
    for lookup in LOOKUPS:
        extra = lookup.extra
        present: Presenter = functools.partial(_lookup, extra)
        found[lookup.model] = Resource(lookup.wrapper, present, _paths(lookup.path.strip("/")))
    return found


def _lookup(extra: tuple[str, ...], _session: Session, _scope: Scope, obj: Any) -> dict[str, Any]:
    from wrenchwork.lookups.resource import lookup_item

    return lookup_item(obj, extra)


def resource_names() -> list[str]:
    return sorted(r.name for r in registry().values())
