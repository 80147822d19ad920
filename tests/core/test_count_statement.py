"""A filtered list's total is counted over the list's own table when nothing else is read (core/listing.py
count_statement): the requests' six outer joins made SQLite read every match's row and six more tables."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from wrenchwork.core.listing import count_statement, parse_list_query
from wrenchwork.models import Location, WorkOrderRequest
from wrenchwork.work_order_requests.listing import REQUEST_LIST

pytestmark = pytest.mark.no_database

# What the requests' list reads (work_order_requests/repository.py `readable`), scoped.
READABLE = (
    select(WorkOrderRequest.id, Location.name)
    .outerjoin(Location, Location.id == WorkOrderRequest.location_id)
    .where(WorkOrderRequest.entity_id == 1)
)


def _sql(params: list[tuple[str, str]], stmt=READABLE) -> str:  # type: ignore[no-untyped-def]
    query = parse_list_query(REQUEST_LIST, params)
    return str(count_statement(REQUEST_LIST, stmt, query).compile(dialect=sqlite.dialect()))


def test_a_filter_on_the_table_counts_the_table_alone() -> None:
    sql = _sql([("filter[status_eq]", "pending"), ("filter[technicians_id_eq]", "3")])
    assert "JOIN" not in sql and "locations" not in sql
    assert "work_order_requests.entity_id = " in sql and "work_order_requests.status = " in sql


def test_a_filter_on_a_joined_table_or_an_inner_join_keeps_the_statement() -> None:
    assert "LEFT OUTER JOIN locations" in _sql([("filter[completed_at_gt]", "2026-01-01")])
    inner = select(WorkOrderRequest.id).join(Location, Location.id == WorkOrderRequest.location_id)
    assert "JOIN locations" in _sql([("filter[status_eq]", "pending")], inner)
