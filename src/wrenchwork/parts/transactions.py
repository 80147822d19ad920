"""A part's ledger, read-only: `GET /parts/{id}/transactions` (with `meta.total_used`) and one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.counters import read_count
from wrenchwork.core.errors import NotFound
from wrenchwork.core.listing import AnyRow, ListQuery, apply_list_query, where_clauses
from wrenchwork.models import PartTransaction
from wrenchwork.parts.listing import TRANSACTION_LIST
from wrenchwork.parts.repository import PartRepository
from wrenchwork.parts.schemas import transaction_item

USED = ("usage", "usage_return")


def _used(rows: Sequence[AnyRow]) -> Decimal:
    signed = (r.quantity if r.type == "usage" else -r.quantity for r in rows if r.type in USED)
    return sum(signed, Decimal(0))


def list_transactions(
    session: Session, scope: Scope, part_id: int, query: ListQuery
) -> tuple[list[dict[str, Any]], int, Decimal]:
    """One page of the ledger, the filtered total and `total_used`: usage minus usage_return quantities over the
    whole filtered set. Unfiltered, the total is the part's ledger counter and `total_used` sums only the usage
    lines (an index on part and type), so a ledger of any length answers in constant time plus its usage."""
    repo = PartRepository(session, scope)
    stmt = repo.ledger(part_id)
    rows = session.connection().execute(apply_list_query(TRANSACTION_LIST, stmt, query)).all()
    if not rows and repo.get(part_id) is None:
        raise NotFound.of("Part")
    if query.is_unfiltered:
        total = read_count(session, PartTransaction.__tablename__, part_id)
        usage = select(PartTransaction.type, PartTransaction.quantity).where(
            PartTransaction.part_id == part_id, PartTransaction.type.in_(USED)
        )
        used = _used(session.execute(usage).all())
    elif query.page == 1 and len(rows) < query.per_page:
        total, used = len(rows), _used(rows)
    else:
        filtered = stmt.where(*where_clauses(TRANSACTION_LIST, query)).subquery()
        signed = case(
            (filtered.c.type == "usage", filtered.c.quantity),
            (filtered.c.type == "usage_return", -filtered.c.quantity),
            else_=Decimal(0),
        )
        count, summed = session.execute(select(func.count(), func.sum(signed)).select_from(filtered)).one()
        total, used = count, Decimal(summed or 0)
    return [transaction_item(r) for r in rows], total, used


def get_transaction(session: Session, scope: Scope, part_id: int, transaction_id: int) -> dict[str, Any]:
    repo = PartRepository(session, scope)
    row = session.execute(repo.ledger(part_id).where(PartTransaction.id == transaction_id)).first()
    if row is None:
        raise NotFound.of("Part" if repo.get(part_id) is None else "Part transaction")
    return transaction_item(row)
