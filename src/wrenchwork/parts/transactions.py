"""A part's ledger, read-only: `GET /parts/{id}/transactions` (with `meta.total_used`) and one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import NotFound
from wrenchwork.core.listing import ListQuery, apply_list_query, where_clauses
from wrenchwork.parts.listing import TRANSACTION_LIST
from wrenchwork.parts.repository import PartRepository
from wrenchwork.parts.schemas import transaction_item


def _used(kind: str, quantity: Decimal) -> Decimal:
    return quantity if kind == "usage" else -quantity if kind == "usage_return" else Decimal(0)


def list_transactions(
    session: Session, scope: Scope, part_id: int, query: ListQuery
) -> tuple[list[dict[str, Any]], int, Decimal]:
    """One page of the ledger, the filtered total and `total_used`: usage minus usage_return quantities over the
    whole filtered set. Two statements (the page, then count and sum together) unless page one holds it all."""
    repo = PartRepository(session, scope)
    if repo.get(part_id) is None:
        raise NotFound.of("Part")
    stmt = repo.transactions(part_id)
    rows = [r[0] for r in session.execute(apply_list_query(TRANSACTION_LIST, stmt, query))]
    if query.page == 1 and len(rows) < query.per_page:
        total, used = len(rows), sum((_used(r.type, r.quantity) for r in rows), Decimal(0))
    else:
        filtered = stmt.where(*where_clauses(TRANSACTION_LIST, query)).subquery()
        signed = case(
            (filtered.c.type == "usage", filtered.c.quantity),
            (filtered.c.type == "usage_return", -filtered.c.quantity),
            else_=Decimal(0),
        )
        count, summed = session.execute(select(func.count(), func.sum(signed)).select_from(filtered)).one()
        total, used = count, Decimal(summed or 0)
    users = repo.user_refs(u for r in rows for u in (r.created_by_id, r.updated_by_id))
    return [transaction_item(r, users) for r in rows], total, used


def get_transaction(session: Session, scope: Scope, part_id: int, transaction_id: int) -> dict[str, Any]:
    repo = PartRepository(session, scope)
    if repo.get(part_id) is None:
        raise NotFound.of("Part")
    row = repo.transaction(part_id, transaction_id)
    if row is None:
        raise NotFound.of("Part transaction")
    users = repo.user_refs([row.created_by_id, row.updated_by_id])
    return transaction_item(row, users)
