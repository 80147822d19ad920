"""The only code that changes stock or cost: every change writes exactly one ledger transaction per part.

A part's `on_hand_qty`, `unit_cost`, `avg_unit_cost` and `used_qty` are a cache of its ledger (`part_transactions`);
`replay()` recomputes them from the ledger and the tests check the two agree after every change.

Concurrency: every function here first locks the rows of the parts it changes (`lock_parts`), in id order so
two requests never wait on each other in a cycle: `SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the
transaction already holds the database's write lock from its `BEGIN IMMEDIATE` (core/db.py). A change is computed
from the locked read (`Locked`, the row as committed) and written with statements of its own, beside the ORM; a
copy of the part the session holds forgets its stock once it changed.

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
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, func, insert, literal_column, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.util import identity_key

from wrenchwork.core import driver
from wrenchwork.core.counters import add_to_count
from wrenchwork.core.errors import NotFound, Unprocessable
from wrenchwork.core.json_sql import in_batch
from wrenchwork.core.model_base import utcnow
from wrenchwork.events.outbox import Ref, emit, note_changed
from wrenchwork.events.resources import registry
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


@dataclass(slots=True)
class Locked:
    """A part's row as a stock change reads it, locked for the transaction: its stock (the ledger's cache), and
    what the change's checks and events need."""

    id: int
    entity_id: int
    name: str
    is_non_stock: bool
    min_qty: Decimal | None
    on_hand_qty: Decimal
    unit_cost: Decimal
    avg_unit_cost: Decimal
    used_qty: Decimal


_parts: Table = Part.__table__  # type: ignore[assignment]
# The stock columns a ledger line changes, and what the database derives from them.
STOCK_COLUMNS = ("on_hand_qty", "unit_cost", "avg_unit_cost", "used_qty")
_EXPIRED = (*STOCK_COLUMNS, "low_stock", "updated_at", "updated_by_id")

# The stock statements run on the driver's cursor (core/driver.py) and are built once. Through the ORM (the locked
# read of a Part, the flush of its UPDATE and of the line's INSERT) they were half of a restock's interpreter time.
_LOCK_PARTS = driver.keep(
    select(*(_parts.c[f.name] for f in fields(Locked)))
    .where(_parts.c.entity_id == bindparam("entity_id"), in_batch(_parts.c.id, "ids"))
    .order_by(_parts.c.id)
    .with_for_update()
)
_SET_STOCK = driver.keep(
    update(_parts)
    .where(_parts.c.id == bindparam("part_id"))
    .values(
        {column: bindparam(f"new_{column}", type_=_parts.c[column].type) for column in STOCK_COLUMNS}
        | {"updated_at": bindparam("now", type_=_parts.c.updated_at.type), "updated_by_id": bindparam("user_id")}
    )
)
_lines: Table = PartTransaction.__table__  # type: ignore[assignment]
_ADD_LINE = driver.keep(
    insert(_lines)
    .values({c.key: bindparam(c.key, type_=c.type) for c in _lines.columns if c.key != "id"})
    .returning(_lines.c.id)
)


def lock_parts(session: Session, entity_id: int, part_ids: Iterable[int]) -> dict[int, Locked]:
    """The entity's parts among `part_ids`, locked for this transaction and freshly read (see the module doc)."""
    ids = sorted(set(part_ids))
    if not ids:
        return {}
    session.flush()  # nothing the session holds back is missed by the read
    found = driver.rows(session.connection(), _LOCK_PARTS, {"entity_id": entity_id, "ids": ids})
    return {row[0]: Locked(*row) for row in found}


def lock_part(session: Session, entity_id: int, part_id: int) -> Locked:
    part = lock_parts(session, entity_id, [part_id]).get(part_id)
    if part is None:
        raise NotFound.of("Part")
    return part


# ---- ledger lines ----------------------------------------------------------------------------------------------


def _write(
    session: Session,
    part: Locked,
    kind: str,
    quantity: Decimal,
    cost: Decimal,
    note: str | None,
    user_id: int | None,
    work_order_id: int | None = None,
    **stock: Decimal,
) -> int:
    """The ledger line `kind` and the part's new `stock` values (`on_hand_qty=...`, the others as they are; usage
    moves `used_qty` here), in the database and in `part`; the part's `updated` and stock events. The new line's
    id."""
    if kind in USED:
        stock["used_qty"] = part.used_qty + (quantity if kind == "usage" else -quantity)
    changed = {column for column, value in stock.items() if value != getattr(part, column)}
    before = part.on_hand_qty
    ref = Ref(Part, part.id, part.entity_id)
    fields_changed = registry()[Part].api_fields(changed)
    if fields_changed:  # noted, then the session's own changes that led here (a work order's consumed parts)
        note_changed(session, ref, *fields_changed)
    session.flush()
    now = utcnow()
    connection = session.connection()
    if stock:
        values = {f"new_{column}": stock.get(column, getattr(part, column)) for column in STOCK_COLUMNS}
        driver.execute(connection, _SET_STOCK, [{"part_id": part.id, "now": now, "user_id": user_id, **values}])
        for column, value in stock.items():
            setattr(part, column, value)
        _expire_loaded(session, part.id)
    line = {
        "entity_id": part.entity_id, "part_id": part.id, "type": kind, "quantity": quantity, "cost": money(cost),
        "total_cost": money(quantity * cost), "note": note, "work_order_id": work_order_id, "created_at": now,
        "updated_at": now, "created_by_id": user_id, "updated_by_id": user_id,
    }  # fmt: skip
    [(line_id,)] = driver.execute(connection, _ADD_LINE, [line])
    add_to_count(session, _lines.name, part.id, 1)
    _stock_events(session, part, ref, line_id, before if "on_hand_qty" in changed else None)
    return int(line_id)


def _expire_loaded(session: Session, part_id: int) -> None:
    """A copy of the part the session holds (a batch's earlier operation loaded it) forgets its stock, which it
    would otherwise show as it was before this change."""
    loaded = session.identity_map.get(identity_key(Part, part_id))
    if loaded is not None:
        session.expire(loaded, _EXPIRED)


def _stock_events(session: Session, part: Locked, ref: Ref, line_id: int, before: Decimal | None) -> None:
    """`part.stock_changed` for every line; `part.low_stock` when this line takes the stock from above the part's
    `min_qty` to at or below it (once per crossing: it must rise above again before the next)."""
    from wrenchwork.parts import transactions  # it reads the ledger this module writes

    part_id = part.id
    emit(session, "part.stock_changed", ref,
         transaction=lambda s, scope: transactions.transaction_json(s, scope, part_id, line_id))  # fmt: skip
    low = part.min_qty
    if before is None or low is None or part.is_non_stock:
        return
    if before > low >= part.on_hand_qty:
        emit(session, "part.low_stock", ref, previous_on_hand_qty=before)


def _stocked(part: Locked, field: str) -> None:
    if part.is_non_stock:
        raise Unprocessable.field(field, "cannot be changed: this is a non-stock part (it keeps no stock)")


def record_initial(session: Session, part: Part, user_id: int | None) -> int:
    """The first line of a new part's ledger (`part`, not yet flushed): its starting stock valued at its unit
    cost. The line's id."""
    part.avg_unit_cost = part.unit_cost
    session.flush()  # the part's row, and its id
    row = Locked(*(getattr(part, f.name) for f in fields(Locked)))
    return _write(session, row, "initial", part.on_hand_qty, part.unit_cost, None, user_id)


def restock(
    session: Session, part: Locked, quantity: Decimal, cost: Decimal, note: str | None, user_id: int | None
) -> int:
    """`quantity` (> 0) received at `cost` each: on hand grows, the average cost is re-weighted."""
    _stocked(part, "quantity")
    if quantity <= 0:
        raise Unprocessable.field("quantity", "must be greater than 0")
    _within_limit(part.on_hand_qty + quantity)
    average = weighted_average(part.on_hand_qty, part.avg_unit_cost, quantity, cost)
    return _write(session, part, "restock", quantity, cost, note, user_id,
                  on_hand_qty=part.on_hand_qty + quantity, avg_unit_cost=average)  # fmt: skip


def reconcile(session: Session, part: Locked, quantity: Decimal, note: str, user_id: int | None) -> int:
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
    return _write(session, part, "reconcile", quantity, part.avg_unit_cost, note, user_id, on_hand_qty=after)


def set_unit_cost(session: Session, part: Locked, cost: Decimal, note: str | None, user_id: int | None) -> int:
    return _write(session, part, "cost_update", ZERO, cost, note, user_id, unit_cost=money(cost))


def set_avg_unit_cost(session: Session, part: Locked, cost: Decimal, note: str | None, user_id: int | None) -> int:
    return _write(session, part, "avg_cost_update", ZERO, cost, note, user_id, avg_unit_cost=money(cost))


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


def consume(session: Session, work_order: WorkOrder, user_id: int | None = None) -> list[int]:
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
        note = f"Used on work order #{work_order.id}"
        lines.append(_write(session, part, "usage", row.quantity, part.avg_unit_cost, note, user_id, work_order.id,
                            on_hand_qty=part.on_hand_qty - row.quantity))  # fmt: skip
    session.flush()
    return lines


def restore(session: Session, work_order: WorkOrder, user_id: int | None = None) -> list[int]:
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
        note = f"Returned from work order #{work_order.id}"
        lines.append(_write(session, part, "usage_return", row.quantity, cost, note, user_id, work_order.id,
                            on_hand_qty=part.on_hand_qty + row.quantity))  # fmt: skip
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
