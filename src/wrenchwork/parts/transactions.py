"""A part's ledger, read-only: `GET /parts/{id}/transactions` (with `meta.total_used`) and one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from orjson import Fragment
from sqlalchemy import BigInteger, bindparam, case, func, select
from sqlalchemy.orm import Session

from wrenchwork.core import driver
from wrenchwork.core.auth import Scope
from wrenchwork.core.counters import count_column, read_count
from wrenchwork.core.errors import NotFound
from wrenchwork.core.listing import AnyRow, AnySelect, ListQuery, filter_params, filter_shape, order_by, where_clauses
from wrenchwork.core.repository import prebuilt
from wrenchwork.files.present import fill
from wrenchwork.models import Part, PartTransaction
from wrenchwork.parts.listing import TRANSACTION_LIST
from wrenchwork.parts.repository import LEDGER_PAGE, PartRepository
from wrenchwork.parts.schemas import transaction_item
from wrenchwork.parts.stock import USED


def _used(rows: Sequence[AnyRow]) -> Decimal:
    signed = (r.quantity if r.type == "usage" else -r.quantity for r in rows if r.type in USED)
    return sum(signed, Decimal(0))


def _page_statement(query: ListQuery) -> AnySelect:
    """The ledger page, built once per sort and filter shape (values, entity, part, limit and offset bound).
    Unfiltered, it also reads the filtered total and `total_used`, both kept up to date as the ledger grows;
    filtered, each line's type and quantity come along for `total_used` of a short first page."""

    def build() -> AnySelect:
        page = (
            LEDGER_PAGE if not query.is_unfiltered else LEDGER_PAGE.with_only_columns(LEDGER_PAGE.selected_columns.item)
        )
        page = page.where(
            PartTransaction.entity_id == bindparam("ledger_entity"), PartTransaction.part_id == bindparam("ledger_part")
        )
        page = page.where(*where_clauses(TRANSACTION_LIST, query)).order_by(*order_by(TRANSACTION_LIST, query))
        page = page.limit(bindparam("list_limit", type_=BigInteger)).offset(bindparam("list_offset", type_=BigInteger))
        if query.is_unfiltered:
            used_qty = select(Part.used_qty).where(Part.id == bindparam("ledger_part")).scalar_subquery()
            total = count_column(PartTransaction.__tablename__, bindparam("ledger_part"))
            page = page.add_columns(total.label("ledger_total"), used_qty.label("ledger_used"))
        return page

    return prebuilt(("ledger", filter_shape(query)), TRANSACTION_LIST, LEDGER_PAGE, query, build)


def list_transactions(
    session: Session, scope: Scope, part_id: int, query: ListQuery
) -> tuple[list[Fragment], int, Decimal]:
    """One page of the ledger (items rendered by the database), the filtered total and `total_used`: usage
    minus usage_return quantities over the whole filtered set. Unfiltered, both are kept up to date as the ledger
    grows (the ledger's row counter and the part's `used_qty`) and are read with the page, in its one statement:
    constant time at any ledger length."""
    repo = PartRepository(session, scope)
    bound = filter_params(query) | {"ledger_entity": scope.entity_id, "ledger_part": part_id}
    paged = {"list_limit": query.per_page, "list_offset": (query.page - 1) * query.per_page}
    rows = session.connection().execute(_page_statement(query), bound | paged).all()
    part = repo.get(part_id) if not rows else None
    if not rows and part is None:
        raise NotFound.of("Part")
    if query.is_unfiltered:
        if part is None:  # the page has rows: the totals came with them
            total, used = rows[0].ledger_total or 0, rows[0].ledger_used
        else:  # an empty page: past the end, or a part without a ledger
            total, used = read_count(session, PartTransaction.__tablename__, part_id), part.used_qty
    elif query.page == 1 and len(rows) < query.per_page:
        total, used = len(rows), _used(rows)
    else:
        filtered = repo.ledger(part_id).where(*where_clauses(TRANSACTION_LIST, query)).subquery()
        signed = case(
            (filtered.c.type == "usage", filtered.c.quantity),
            (filtered.c.type == "usage_return", -filtered.c.quantity),
            else_=Decimal(0),
        )
        count, summed = session.execute(select(func.count(), func.sum(signed)).select_from(filtered)).one()
        total, used = count, Decimal(summed or 0)
    return [Fragment(row.item) for row in rows], total, used


# One ledger line rendered by the database, as the ledger's page renders it (the detail's shape): built once.
_LINE = driver.keep(
    LEDGER_PAGE.with_only_columns(LEDGER_PAGE.selected_columns.item).where(
        PartTransaction.entity_id == bindparam("ledger_entity"),
        PartTransaction.part_id == bindparam("ledger_part"),
        PartTransaction.id == bindparam("ledger_line"),
    )
)


def transaction_json(session: Session, scope: Scope, part_id: int, transaction_id: int) -> Fragment | None:
    """One ledger line as JSON text, or None: what a stock event carries (parts/stock.py). One statement on the
    driver's path, where `get_transaction` builds its statement and reads the line's files on every call (a fifth
    of a restock's CPU)."""
    bound = {"ledger_entity": scope.entity_id, "ledger_part": part_id, "ledger_line": transaction_id}
    rows = driver.rows(session.connection(), _LINE, bound)
    return Fragment(rows[0][0]) if rows else None


def get_transaction(session: Session, scope: Scope, part_id: int, transaction_id: int) -> dict[str, Any]:
    repo = PartRepository(session, scope)
    row = session.execute(repo.ledger(part_id).where(PartTransaction.id == transaction_id)).first()
    if row is None:
        raise NotFound.of("Part" if repo.get(part_id) is None else "Part transaction")
    item = transaction_item(row)
    fill(session, scope, "part_transactions", [item])
    return item
