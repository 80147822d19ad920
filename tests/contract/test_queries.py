"""§7 A list costs a fixed number of SQL statements, whatever per_page is (no N+1).

Counted with a `before_cursor_execute` listener on the server's engine. One warm-up request first: the first use
of a key in a minute also records `last_used_at`, which is not part of the list's cost.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.contract.resources import Resource
from tests.contract.support import each_resource, ok_list
from tests.helpers import Api, Tenant, statements

TOKEN = "QryCount"


def _fill(session: Session, tenant: Tenant, resource: Resource, n: int) -> None:
    attr = resource.search_attrs.get(resource.search[0], resource.search[0])
    for i in range(n):
        resource.create(session, tenant, **{attr: f"{TOKEN} {i:03d}"})
    session.commit()


def _cost(api: Api, engine: Engine, resource: Resource, params: list[tuple[str, str]]) -> tuple[list[str], int]:
    with statements(engine) as seen:
        body = ok_list(api, resource, params)
    return seen, len(body["data"])


def _is_count(statement: str) -> bool:
    # The page total's COUNT; a grouped count per row of the page (`SELECT owner_id, count(*) ...`) is not one.
    return statement.lstrip().lower().startswith("select count(")


# An expanded IN list ("IN (?, ?, ?)" / "IN (%(x_1)s::INTEGER, ...)") is one statement whatever its length.
_IN_LIST = re.compile(r"IN \((?:\s*(?:\?|%\([^)]*\)s(?:::[A-Z]+)?)\s*,?)+\)")
# PostgreSQL writes the first pages' LIMIT and OFFSET as numbers (core/repository.py LITERAL_PAGES): the same
# statement for another page size.
_LIMIT = re.compile(r"LIMIT [0-9]+ OFFSET [0-9]+")


def _in_one_statement(paged: list[str], whole: list[str]) -> list[str]:
    """`paged` as the page that holds every match would run it when a text index read its few matches: the page's
    ids statement (`count(*) OVER ()`, it counts them too) left out and its items statement replaced by `whole`'s,
    the items of the matches (`IN (SELECT value FROM json_each(...))`, SQLite)."""
    windowed = [i for i, s in enumerate(paged) if "OVER ()" in s]
    if len(whole) != len(paged) - 1 or len(windowed) != 1 or "OVER ()" in " ".join(whole):
        return paged
    ids = windowed[0]
    if "json_each" not in paged[ids] or "json_each" not in whole[ids]:
        return paged
    return [*paged[:ids], whole[ids], *paged[ids + 2 :]]


def _shape(statements: list[str]) -> list[str]:
    return [_LIMIT.sub("LIMIT ? OFFSET ?", _IN_LIST.sub("IN (...)", s)) for s in statements if not _is_count(s)]


FILTERS = {
    "unfiltered": [],
    "search": [("search", TOKEN)],
    "filter": [("filter[id_gt]", "0")],
    "sorted": [("sort", "id desc")],
}


@each_resource()
@pytest.mark.parametrize("case", list(FILTERS))
def test_statements_do_not_grow_with_per_page(
    api: Api, engine: Engine, session: Session, tenant: Tenant, resource: Resource, case: str
) -> None:
    """Over 101+ records neither page holds everything: 1 row and 100 rows cost exactly the same statements."""
    _fill(session, tenant, resource, 105)
    params = FILTERS[case]
    ok_list(api, resource, params)  # warm-up
    one, rows_one = _cost(api, engine, resource, [*params, ("per_page", "1")])
    hundred, rows_hundred = _cost(api, engine, resource, [*params, ("per_page", "100")])
    assert (rows_one, rows_hundred) == (1, 100)
    assert len(one) == len(hundred), "\n".join(["per_page=1:", *one, "per_page=100:", *hundred])
    # And a later page costs the same again.
    later, _ = _cost(api, engine, resource, [*params, ("per_page", "100"), ("page", "2")])
    assert len(later) == len(hundred)


@each_resource()
@pytest.mark.parametrize("case", list(FILTERS))
def test_statements_over_30_records(
    api: Api, engine: Engine, session: Session, tenant: Tenant, resource: Resource, case: str
) -> None:
    """Over 30 records, per_page=1 and per_page=100 issue the same statements.

    The documented exceptions (docs/api.md, Lists): when the first page already holds every row, the COUNT is
    skipped; and a search whose few matches, read from the text index, the first page holds reads its items and
    total in one statement, where a smaller page reads its ids and then their items. So: identical apart from
    COUNT statements and that one, and at most one COUNT either way.
    """
    _fill(session, tenant, resource, 30)
    params = FILTERS[case]
    ok_list(api, resource, params)  # warm-up
    one, rows_one = _cost(api, engine, resource, [*params, ("per_page", "1")])
    hundred, rows_hundred = _cost(api, engine, resource, [*params, ("per_page", "100")])
    assert rows_one == 1 and rows_hundred >= 30
    report = "\n".join(["per_page=1:", *one, "per_page=100:", *hundred])
    assert _in_one_statement(_shape(one), _shape(hundred)) == _shape(hundred), report
    assert sum(map(_is_count, one)) <= 1 and sum(map(_is_count, hundred)) <= 1, report


@each_resource()
def test_detail_or_list_cost_is_small(
    api: Api, engine: Engine, session: Session, tenant: Tenant, resource: Resource
) -> None:
    """A whole page of 100 is a handful of statements: the transaction's BEGIN (SQLite), the key with the caller's
    role in the entity, the rows, the count, and one per table the page links to (`resource.linked`)."""
    _fill(session, tenant, resource, 100)
    ok_list(api, resource)
    seen, rows = _cost(api, engine, resource, [("per_page", "100")])
    assert rows == 100
    assert len(seen) <= 4 + len(resource.linked), "\n".join(seen)
