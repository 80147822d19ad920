"""What the demo has created so far. Each loader links only to these records, never to ones the entity held
before (`wrenchwork demo --force` adds the demo next to real data and must leave that data alone)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.lookups.resource import LookupIn, LookupService


@dataclass
class DemoRecords:
    technician_ids: list[int] = field(default_factory=list)
    requester_id: int | None = None
    location_ids: list[int] = field(default_factory=list)
    vendor_ids: list[int] = field(default_factory=list)
    # Every asset (sub-assemblies too) by asset code, in creation order; the top-level equipment apart.
    asset_codes: dict[str, int] = field(default_factory=dict)
    equipment_ids: list[int] = field(default_factory=list)
    part_ids: list[int] = field(default_factory=list)
    template_ids: list[int] = field(default_factory=list)
    work_order_ids: list[int] = field(default_factory=list)


def lookup_ids(session: Session, scope: Scope, service: LookupService, names: set[str]) -> dict[str, int]:
    """Ids of the lookup entries with these names, created where missing. An entry the entity already has is
    reused as it is (lookup names are unique per entity)."""
    repo = service.repo(session, scope)
    model = service.lookup.model
    found: dict[str, int] = {}
    for name in sorted(names):
        existing = session.scalar(repo.scoped(select(model.id)).where(func.lower(model.name) == name.lower()))
        found[name] = existing if existing is not None else service.create(session, scope, LookupIn(name=name))["id"]
    return found


def unused(value: str, taken: Callable[[str], bool], tagged: Callable[[str, int], str] = "{}-{}".format) -> str:
    """`value`, or the first `tagged(value, n)` (n = 2, 3, ...) that is not `taken`: the demo's asset codes, part
    numbers and e-mail addresses stay unique next to existing ones, which keep theirs."""
    candidate, n = value, 1
    while taken(candidate):
        n += 1
        candidate = tagged(value, n)
    return candidate
