"""Comment counts for many records at once (`comments_count` on work order and request lists)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wrenchwork.models import Comment


def _counts(session: Session, column: Any, ids: Iterable[int]) -> dict[int, int]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.execute(select(column, func.count()).where(column.in_(wanted)).group_by(column))
    return {owner: count for owner, count in rows}


def comments_count_by_work_order(session: Session, work_order_ids: Iterable[int]) -> dict[int, int]:
    """`{work_order_id: count}` in one query; ids without comments are absent (count 0). Ids must be scoped."""
    return _counts(session, Comment.work_order_id, work_order_ids)


def comments_count_by_request(session: Session, request_ids: Iterable[int]) -> dict[int, int]:
    """`{request_id: count}` in one query; ids without comments are absent (count 0). Ids must be scoped."""
    return _counts(session, Comment.work_order_request_id, request_ids)
