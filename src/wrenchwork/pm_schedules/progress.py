"""What a schedule's generated work orders say about it: `has_work_orders`, `has_uncompleted_wo`,
`progression` and the last active work order.

The last active work order is the newest of the schedule's work orders (by id) that is neither completed nor
cancelled, else the newest one. `progression` is about that work order:
- `id`: its id;
- `percentage`: the share of its checklist items checked and procedure items answered, 0-100 rounded half up
  (0 when it has neither);
- `status`: `"overdue"` while it is open past its due date (by the server's clock), else null.
With no work order at all: `has_*` false and everything else null.

The list and the detail render all of this in their statements (`LAST_ACTIVE` joined as `LastWorkOrder`,
pm_schedules/repository.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, literal_column, null, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from wrenchwork.core.json_sql import json_object
from wrenchwork.core.model_base import UTCDateTime
from wrenchwork.models import PmSchedule, Procedure, ProcedureAnswer, WorkOrder
from wrenchwork.models.work_orders import CLOSED_STATUSES

# The server's now (clock.now()), bound by the list query as `pm_now`.
NOW = bindparam("pm_now", type_=UTCDateTime())


def _is_open(status: Any) -> Any:
    """Neither completed nor cancelled. Spelled as comparisons, not `NOT IN (...)`: a list is expanded when the
    statement runs, which keeps the list page off the driver's path (core/driver.py)."""
    return and_(*(status != closed for closed in CLOSED_STATUSES))


_CLOSED = case((_is_open(WorkOrder.base_status), 0), else_=1)

# The id of a schedule's last active work order (correlated to the listed schedule).
LAST_ACTIVE = (
    select(WorkOrder.id)
    .where(WorkOrder.pm_schedule_id == PmSchedule.id)
    .order_by(_CLOSED, WorkOrder.id.desc())
    .limit(1)
    .scalar_subquery()
)
LastWorkOrder = aliased(WorkOrder, name="last_work_order")


class checklist_length(FunctionElement[int]):
    """The number of items in a JSON checklist column."""

    name = "checklist_length"
    type = Integer()
    inherit_cache = True


class checklist_checked(FunctionElement[int]):
    """The number of items of a JSON checklist column whose `checked` is true."""

    name = "checklist_checked"
    type = Integer()
    inherit_cache = True


def _arg(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> str:
    (value,) = [compiler.process(clause, **kw) for clause in element.clauses]
    return value


@compiles(checklist_length, "sqlite")
def _length_sqlite(element: checklist_length, compiler: SQLCompiler, **kw: Any) -> str:
    return f"coalesce(json_array_length({_arg(compiler, element, **kw)}), 0)"


@compiles(checklist_length, "postgresql")
def _length_pg(element: checklist_length, compiler: SQLCompiler, **kw: Any) -> str:
    return f"coalesce(json_array_length(({_arg(compiler, element, **kw)})::json), 0)"


@compiles(checklist_checked, "sqlite")
def _checked_sqlite(element: checklist_checked, compiler: SQLCompiler, **kw: Any) -> str:
    value = _arg(compiler, element, **kw)
    return f"(SELECT count(*) FROM json_each({value}) AS item WHERE json_extract(item.value, '$.checked') = 1)"


@compiles(checklist_checked, "postgresql")
def _checked_pg(element: checklist_checked, compiler: SQLCompiler, **kw: Any) -> str:
    value = _arg(compiler, element, **kw)
    return f"(SELECT count(*) FROM json_array_elements(({value})::json) AS item WHERE (item ->> 'checked') = 'true')"


def _answers(work_order_id: Any, answered: bool) -> Any:
    counted = func.count(ProcedureAnswer.value) if answered else func.sum(literal_column("1"))
    return func.coalesce(
        select(counted)
        .select_from(ProcedureAnswer)
        .join(Procedure, Procedure.id == ProcedureAnswer.procedure_id)
        .where(Procedure.work_order_id == work_order_id)
        .scalar_subquery(),
        literal_column("0"),
    )


def _percentage(done: Any, total: Any) -> Any:
    """Rounded half up in integers, the same on both databases: (200 done + total) div (2 total)."""
    return case((total == 0, 0), else_=(200 * done + total) // (2 * total))


_W = LastWorkOrder
_DONE = checklist_checked(_W.checklist) + _answers(_W.id, answered=True)
_TOTAL = checklist_length(_W.checklist) + _answers(_W.id, answered=False)
_OPEN = _is_open(_W.base_status)
_OVERDUE = and_(_OPEN, _W.due_date.is_not(None), _W.due_date < NOW)

# The list item's `has_uncompleted_wo` and `progression`, over the joined `LastWorkOrder`.
HAS_UNCOMPLETED = and_(_W.id.is_not(None), _OPEN)
PROGRESSION = json_object(
    ("percentage", case((_W.id.is_(None), null()), else_=_percentage(_DONE, _TOTAL))),
    ("id", _W.id),
    ("status", case((_OVERDUE, "overdue"), else_=null())),
)
