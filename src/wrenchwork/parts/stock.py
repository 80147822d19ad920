"""The only code that changes stock or cost: every change writes exactly one ledger transaction per part.

A part's `on_hand_qty`, `unit_cost`, `avg_unit_cost` and `used_qty` are a cache of its ledger (`part_transactions`);
`replay()` recomputes them from the ledger and the tests check the two agree after every change.

Concurrency: every function here first locks the rows of the parts it changes (`lock_parts`), in id order so
two requests never wait on each other in a cycle: `SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the
transaction already holds the database's write lock from its `BEGIN IMMEDIATE` (core/db.py). The locked read
refreshes the session's copy, so a change is always computed from the committed values.

For work orders (DESIGN §6), callers use:
- `assign(session, work_order, part_id, quantity, user_id, add=True)` / `remove(...)`: the work order's part
  list (reserved while the work order is open; refused on a completed one); `assign_on_create(...)` the parts a
  work order is created with;
- `reserved_quantity(Part.id)`: what open work orders hold, as a column of a part query;
- `consume(session, work_order, user_id)` when a work order becomes completed, and `restore(session, work_order,
  user_id)` when a completed one is reopened;
- `assignments_of(session, work_order_ids)`: the documented `part_assignments[]` shapes, in one query.
None of them commits: the request's transaction does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, inspect, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.core.json_sql import in_batch
from wrenchwork.events.outbox import emit
from wrenchwork.models import MeasurementUnit, Part, PartTransaction, WorkOrder, WorkOrderPart
from wrenchwork.models.work_orders import CLOSED_STATUSES

CENT = Decimal("0.01")
ZERO = Decimal(0)
# Bounds that keep every stored value (and a ledger line's quantity x cost) inside its column.
MAX_QUANTITY = Decimal("1e9")
MAX_COST = Decimal("1e7")
# The line types that count towards a part's usage: `usage` adds its quantity, `usage_return` takes it back.
USED = ("usage", "usage_return")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_average(on_hand: Decimal, avg: Decimal, quantity: Decimal, cost: Decimal) -> Decimal:
    """The average unit cost after receiving `quantity` at `cost` (DESIGN §6): weighted by quantity, rounded
    half-up to cents; when nothing (or less than nothing) was on hand, the new cost."""
    if on_hand <= 0:
        return money(cost)
    return money((on_hand * avg + quantity * cost) / (on_hand + quantity))


@dataclass(frozen=True)
class Stock:
    on_hand_qty: Decimal
    unit_cost: Decimal
    avg_unit_cost: Decimal
    used_qty: Decimal


def replay(transactions: Iterable[Any]) -> Stock:
    """What the ledger says, from its lines in id order (objects with `type`, `quantity`, `cost`)."""
    on_hand, unit, avg, used = ZERO, ZERO, ZERO, ZERO
    for line in transactions:
        kind, quantity, cost = line.type, line.quantity, line.cost
        if kind == "initial":
            on_hand, unit, avg = quantity, cost, cost
        elif kind == "restock":
            avg = weighted_average(on_hand, avg, quantity, cost)
            on_hand += quantity
        elif kind == "reconcile":
            on_hand += quantity
        elif kind == "usage_return":
            on_hand += quantity
            used -= quantity
        elif kind == "usage":
            on_hand -= quantity
            used += quantity
        elif kind == "cost_update":
            unit = cost
        elif kind == "avg_cost_update":
            avg = cost
        else:  # pragma: no cover - the types are fixed
            raise ValueError(f"unknown transaction type {kind!r}")
    return Stock(on_hand, unit, avg, used)


def ledger_stock(session: Session, part_id: int) -> Stock:
    stmt = select(PartTransaction).where(PartTransaction.part_id == part_id).order_by(PartTransaction.id)
    return replay(session.scalars(stmt))


# ---- locking ---------------------------------------------------------------------------------------------------


# Built once (every part action locks its parts): building and keying the statement anew was a tenth of a
# restock's time.
_LOCK_PARTS = (
    select(Part)
    .where(Part.entity_id == bindparam("entity_id"), in_batch(Part.id, "ids"))
    .order_by(Part.id)
    .with_for_update()
    .execution_options(populate_existing=True)
)


def lock_parts(session: Session, entity_id: int, part_ids: Iterable[int]) -> dict[int, Part]:
    """The entity's parts among `part_ids`, locked for this transaction and freshly read (see the module doc)."""
    ids = sorted(set(part_ids))
    if not ids:
        return {}
    return {part.id: part for part in session.scalars(_LOCK_PARTS, {"entity_id": entity_id, "ids": ids})}


def lock_part(session: Session, entity_id: int, part_id: int) -> Part:
    part = lock_parts(session, entity_id, [part_id]).get(part_id)
    if part is None:
        raise NotFound.of("Part")
    return part


# ---- ledger lines ----------------------------------------------------------------------------------------------


def _write(
    session: Session,
    part: Part,
    kind: str,
    quantity: Decimal,
    cost: Decimal,
    note: str | None,
    user_id: int | None,
    work_order_id: int | None = None,
) -> PartTransaction:
    line = PartTransaction(
        entity_id=part.entity_id,
        part_id=part.id,
        type=kind,
        quantity=quantity,
        cost=money(cost),
        total_cost=money(quantity * cost),
        note=note,
        work_order_id=work_order_id,
        created_by_id=user_id,
        updated_by_id=user_id,
    )
    session.add(line)
    if kind in USED:
        part.used_qty = part.used_qty + (quantity if kind == "usage" else -quantity)
    part.updated_by_id = user_id
    before = inspect(part).attrs.on_hand_qty.history.deleted  # the stock before this line, if it changed
    session.flush()
    _stock_events(session, part, line, before[0] if before else None)
    return line


def _stock_events(session: Session, part: Part, line: PartTransaction, before: Decimal | None) -> None:
    """`part.stock_changed` for every line; `part.low_stock` when this line takes the stock from above the part's
    `min_qty` to at or below it (once per crossing: it must rise above again before the next)."""
    from wrenchwork.parts import transactions  # it reads the ledger this module writes

    part_id, line_id = part.id, line.id
    emit(session, "part.stock_changed", part,
         transaction=lambda s, scope: transactions.transaction_json(s, scope, part_id, line_id))  # fmt: skip
    low = part.min_qty
    if before is None or low is None or part.is_non_stock:
        return
    if before > low >= part.on_hand_qty:
        emit(session, "part.low_stock", part, previous_on_hand_qty=before)


def _stocked(part: Part, field: str) -> None:
    if part.is_non_stock:
        raise Unprocessable.field(field, "cannot be changed: this is a non-stock part (it keeps no stock)")


def record_initial(session: Session, part: Part, user_id: int | None) -> PartTransaction:
    """The first line of a new part's ledger: its starting stock valued at its unit cost."""
    part.avg_unit_cost = part.unit_cost
    return _write(session, part, "initial", part.on_hand_qty, part.unit_cost, None, user_id)


def restock(
    session: Session, part: Part, quantity: Decimal, cost: Decimal, note: str | None, user_id: int | None
) -> PartTransaction:
    """`quantity` (> 0) received at `cost` each: on hand grows, the average cost is re-weighted."""
    _stocked(part, "quantity")
    if quantity <= 0:
        raise Unprocessable.field("quantity", "must be greater than 0")
    _within_limit(part.on_hand_qty + quantity)
    part.avg_unit_cost = weighted_average(part.on_hand_qty, part.avg_unit_cost, quantity, cost)
    part.on_hand_qty = part.on_hand_qty + quantity
    return _write(session, part, "restock", quantity, cost, note, user_id)


def reconcile(session: Session, part: Part, quantity: Decimal, note: str, user_id: int | None) -> PartTransaction:
    """A counted correction (+/-), valued at the average cost; stock may not go below zero."""
    _stocked(part, "quantity")
    if quantity == 0:
        raise Unprocessable.field("quantity", "must not be 0")
    after = part.on_hand_qty + quantity
    if after < 0:
        raise Unprocessable.field(
            "quantity", f"would make on_hand_qty negative ({_plain(after)}); on hand is {_plain(part.on_hand_qty)}"
        )
    _within_limit(after)
    part.on_hand_qty = after
    return _write(session, part, "reconcile", quantity, part.avg_unit_cost, note, user_id)


def set_unit_cost(
    session: Session, part: Part, cost: Decimal, note: str | None, user_id: int | None
) -> PartTransaction:
    part.unit_cost = money(cost)
    return _write(session, part, "cost_update", ZERO, cost, note, user_id)


def set_avg_unit_cost(
    session: Session, part: Part, cost: Decimal, note: str | None, user_id: int | None
) -> PartTransaction:
    part.avg_unit_cost = money(cost)
    return _write(session, part, "avg_cost_update", ZERO, cost, note, user_id)


def _within_limit(on_hand: Decimal) -> None:
    if on_hand >= MAX_QUANTITY:
        raise Unprocessable.field("quantity", f"would make on_hand_qty {_plain(on_hand)}, over the limit of 1e9")


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


# ---- reservations and work orders ----------------------------------------------------------------------------


def reserved_quantity(part_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[Decimal]:
    """What work orders that are neither completed nor cancelled hold of the part `part_id` refers to: a
    correlated subquery, so a page of parts reads its reservations in the same query."""
    held = (
        select(func.sum(WorkOrderPart.quantity))
        .join(WorkOrder, WorkOrder.id == WorkOrderPart.work_order_id)
        .where(WorkOrderPart.part_id == part_id, *(WorkOrder.base_status != closed for closed in CLOSED_STATUSES))
        .scalar_subquery()
    )  # comparisons, not NOT IN (...): an expanded list would keep the part statements off the driver's path
    # A literal 0, not a bound Decimal: SQLite would bind that as a float and turn the sum into one.
    return func.coalesce(held, literal_column("0"))


def _assignment(session: Session, work_order_id: int, part_id: int) -> WorkOrderPart | None:
    stmt = select(WorkOrderPart).where(WorkOrderPart.work_order_id == work_order_id, WorkOrderPart.part_id == part_id)
    found: WorkOrderPart | None = session.scalars(stmt).first()
    return found


def _editable(work_order: WorkOrder) -> None:
    if work_order.base_status == "completed":
        raise Unprocessable.field("part_id", "cannot change the parts of a completed work order (reopen it first)")


def assign(
    session: Session, work_order: WorkOrder, part_id: int, quantity: Decimal, user_id: int | None, add: bool = True
) -> WorkOrderPart:
    """Put `quantity` of a part of the work order's entity on the work order: added to an existing assignment
    (`add=True`, the documented POST) or replacing its quantity (`add=False`, the documented PATCH, which
    answers 404 when the part is not assigned). 422 when the part is not in the entity or the quantity < 0."""
    _editable(work_order)
    return _put(session, work_order, part_id, quantity, user_id, add)


def assign_on_create(
    session: Session, work_order: WorkOrder, parts: Sequence[tuple[int, Decimal]], user_id: int | None, path: str
) -> None:
    """The parts a work order is created with (`work_order.parts`), in the transaction that creates it: each is
    added as `POST /work_orders/{id}/parts` adds it, so a part listed twice is assigned the sum. Errors name
    `<path>.<index>.<field>`. A work order created completed then uses them up (`consume`, 422 when short), one
    created cancelled reserves nothing, like any work order in that status."""
    lock_parts(session, work_order.entity_id, [part_id for part_id, _ in parts])  # all at once, in id order
    for index, (part_id, quantity) in enumerate(parts):
        _put(session, work_order, part_id, quantity, user_id, add=True, path=f"{path}.{index}.")
    if work_order.base_status == "completed":
        consume(session, work_order, user_id)


def _put(
    session: Session,
    work_order: WorkOrder,
    part_id: int,
    quantity: Decimal,
    user_id: int | None,
    add: bool,
    path: str = "",
) -> WorkOrderPart:
    """`assign` without the completed check; `path` prefixes the field names of its errors."""
    if quantity < 0:
        raise Unprocessable.field(f"{path}quantity", "must be greater than or equal to 0")
    part = lock_parts(session, work_order.entity_id, [part_id]).get(part_id)
    if part is None:
        raise Unprocessable.field(f"{path}part_id", "is not a part of this entity")
    row = _assignment(session, work_order.id, part_id)
    if row is None:
        if not add:
            raise NotFound("Part is not assigned to this work order")
        row = WorkOrderPart(
            entity_id=work_order.entity_id, work_order_id=work_order.id, part_id=part_id, quantity=quantity,
            created_by_id=user_id, updated_by_id=user_id,
        )  # fmt: skip
        session.add(row)
    else:
        row.quantity = row.quantity + quantity if add else quantity
        row.updated_by_id = user_id
    if row.quantity >= MAX_QUANTITY:
        raise Unprocessable.field(f"{path}quantity", "would make the assigned quantity over the limit of 1e9")
    session.flush()
    return row


def remove(session: Session, work_order: WorkOrder, part_id: int) -> None:
    """Take a part off the work order (404 when it is not on it)."""
    _editable(work_order)
    row = _assignment(session, work_order.id, part_id)
    if row is None:
        raise NotFound("Part is not assigned to this work order")
    session.delete(row)
    session.flush()


def _assignments(session: Session, work_order_id: int) -> list[WorkOrderPart]:
    stmt = select(WorkOrderPart).where(WorkOrderPart.work_order_id == work_order_id).order_by(WorkOrderPart.part_id)
    return list(session.scalars(stmt))


def consume(session: Session, work_order: WorkOrder, user_id: int | None = None) -> list[PartTransaction]:
    """Completing a work order uses its parts: one `usage` line per assigned part (quantity > 0) at the part's
    average cost, which is frozen on the assignment. Non-stock parts keep no stock: their cost is frozen, no
    line is written. If any stocked part has less on hand than assigned, 422 lists every short part and
    nothing changes. Call it in the same transaction that marks the work order completed."""
    rows = [r for r in _assignments(session, work_order.id) if r.consumed_unit_cost is None]
    parts = lock_parts(session, work_order.entity_id, [r.part_id for r in rows])
    short = [
        f"{parts[r.part_id].name} (id {r.part_id}): needs {_plain(r.quantity)}, on hand "
        f"{_plain(parts[r.part_id].on_hand_qty)}"
        for r in rows
        if not parts[r.part_id].is_non_stock and parts[r.part_id].on_hand_qty < r.quantity
    ]
    if short:
        raise Unprocessable(
            "Not enough stock to complete the work order: " + "; ".join(short), {"part_assignments": short}
        )
    lines = []
    for row in rows:
        part = parts[row.part_id]
        row.consumed_unit_cost = part.avg_unit_cost
        if part.is_non_stock or row.quantity == 0:
            continue
        part.on_hand_qty = part.on_hand_qty - row.quantity
        note = f"Used on work order #{work_order.id}"
        lines.append(_write(session, part, "usage", row.quantity, part.avg_unit_cost, note, user_id, work_order.id))
    session.flush()
    return lines


def restore(session: Session, work_order: WorkOrder, user_id: int | None = None) -> list[PartTransaction]:
    """Reopening a completed work order puts its consumed parts back: one `usage_return` line per consumed
    part, at the cost it was consumed at; the average cost is left as it is. Call it in the same transaction
    that moves the work order out of completed."""
    rows = [r for r in _assignments(session, work_order.id) if r.consumed_unit_cost is not None]
    parts = lock_parts(session, work_order.entity_id, [r.part_id for r in rows])
    lines = []
    for row in rows:
        part = parts[row.part_id]
        cost = row.consumed_unit_cost or ZERO
        row.consumed_unit_cost = None
        if part.is_non_stock or row.quantity == 0:
            continue
        part.on_hand_qty = part.on_hand_qty + row.quantity
        note = f"Returned from work order #{work_order.id}"
        lines.append(_write(session, part, "usage_return", row.quantity, cost, note, user_id, work_order.id))
    session.flush()
    return lines


def assignments_of(session: Session, work_order_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """`{work_order_id: [part_assignment, ...]}` in the documented shape, ordered by part name (one query).

    `total_cost` = quantity x the part's avg_unit_cost, or x the frozen cost once consumed."""
    grouped: dict[int, list[dict[str, Any]]] = {i: [] for i in work_order_ids}
    if not work_order_ids:
        return grouped
    stmt = (
        select(
            WorkOrderPart.work_order_id, WorkOrderPart.part_id, Part.name, WorkOrderPart.quantity,
            MeasurementUnit.name, MeasurementUnit.short_name, WorkOrderPart.consumed_unit_cost, Part.avg_unit_cost,
        )
        .join(Part, Part.id == WorkOrderPart.part_id)
        .outerjoin(MeasurementUnit, MeasurementUnit.id == Part.measurement_unit_id)
        .where(WorkOrderPart.work_order_id.in_(list(work_order_ids)))
        .order_by(WorkOrderPart.work_order_id, Part.name, Part.id)
    )  # fmt: skip
    for wo_id, part_id, name, quantity, unit, short, frozen, avg in session.execute(stmt):
        cost = frozen if frozen is not None else avg
        grouped[wo_id].append(
            {
                "part_id": part_id,
                "part_name": name,
                "quantity": quantity,
                "unit_name": unit,
                "unit_short_name": short,
                "type": "usage",
                "total_cost": money(quantity * cost),
            }
        )
    return grouped
