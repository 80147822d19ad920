"""List pages read a page, not the table: PostgreSQL's plan of every statement a list page runs, at 10k rows;
and a detail reads its record, not the table.

Each list below is generated with 10,000 rows (bench/generate.py, into a database of its own), requested as a
client would (page 1 and page 3), and every SELECT the request ran is explained (`EXPLAIN (FORMAT JSON)`, with
the request's own values). No plan may read the list's table whole: no sequential scan of it, no scan of it
feeding a hash (a hash join builds its table from every row it reads), and no walk of a whole index of it unless
a LIMIT stops the walk. Written as `id IN (SELECT ... LIMIT 50)`, the page statements failed all three: the
planner joined every row of the table with its references and kept the page's rows last.

PostgreSQL only: SQLite's planner runs the page's subquery first whatever its shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from bench.generate import Generated, generate
from fastapi.testclient import TestClient
from psycopg.sql import Literal
from sqlalchemy import Engine, event, make_url, text

from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core.db import make_engine

ROWS = 10_000
# Path (page 1; page 3 is requested too) and the table its list reads.
LISTS = [
    ("/api/v1/work_orders", "work_orders"),
    ("/api/v1/assets", "assets"),
    ("/api/v1/parts", "parts"),
    ("/api/v1/pm_schedules", "pm_schedules"),
    ("/api/v1/work_order_requests", "work_order_requests"),
    ("/api/v1/users", "users"),
    ("/api/v1/locations", "locations"),
    ("/api/v1/vendors", "vendors"),
    ("/api/v1/parts/{ledger_part}/transactions", "part_transactions"),
]
COUNTS = {
    "users": ROWS,
    "vendors": ROWS,
    "locations": ROWS,
    "assets": ROWS,
    "work_orders": ROWS,
    "work_order_requests": ROWS,
    "parts": ROWS,
    "pm_schedules": ROWS,
}


@pytest.fixture(scope="module")
def plans_url(database_url: str) -> Iterator[str]:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("plans are checked on PostgreSQL (WRENCHWORK_TEST_DATABASE_URL)")
    name = f"{make_url(database_url).database}_plans"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def generated(plans_url: str) -> Generated:
    return generate(plans_url, COUNTS)


@pytest.fixture(scope="module")
def plans_client(plans_url: str, generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    settings = Settings(
        database_url=plans_url,
        data_dir=tmp_path_factory.mktemp("plans-data"),
        rate_limit="",
        log_level="WARNING",
        scheduler_interval=0,
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app.state.engine


def statements_of(
    client: TestClient, engine: Engine, path: str, headers: dict[str, str], fewest: int = ROWS
) -> list[tuple[str, Any]]:
    """The SELECT statements (with their values) that one request ran, after a request that warmed it up. A list
    must hold at least `fewest` rows."""
    assert client.get(path, headers=headers).status_code == 200
    seen: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert response.status_code == 200, response.text
    assert "id" in response.json()["data"] or response.json()["meta"]["pagination"]["total"] >= fewest
    return seen


def whole_reads(plan: dict[str, Any], table: str, limited: bool = False, hashed: bool = False) -> list[str]:
    """The plan nodes below `plan` that read every row of `table` (see the module's text)."""
    found = []
    kind = plan["Node Type"]
    if plan.get("Relation Name") == table:
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {table}")
        elif hashed:
            found.append(f"{kind} on {table} into a hash")
        elif kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in plan and not limited:
            found.append(f"{kind} of all of {plan.get('Index Name')} without a LIMIT")
    limited = limited or kind == "Limit"
    hashed = hashed or kind == "Hash"
    for child in plan.get("Plans", []):
        found += whole_reads(child, table, limited, hashed)
    return found


@pytest.mark.parametrize("page", [1, 3])
@pytest.mark.parametrize(("path", "table"), LISTS, ids=[table for _, table in LISTS])
def test_list_page_reads_only_its_page(
    plans_client: Any, generated: Generated, path: str, table: str, page: int
) -> None:
    client, engine = plans_client
    headers = {"Authorization": f"Bearer {generated.token}", "X-Entity-Id": str(generated.entity_id)}
    url = path.format(**generated.sample_ids) + f"?per_page=50&page={page}"
    statements = statements_of(client, engine, url, headers)
    reading = [(sql, params) for sql, params in statements if table in sql]
    assert reading, f"no statement of {url} read {table}"
    problems = []
    with engine.connect() as conn:
        for sql, params in reading:
            (plan,) = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).scalar_one()
            found = whole_reads(plan["Plan"], table)
            if not re.search(r"(LIMIT|OFFSET) %\(", sql):
                # No bound LIMIT: the generic plan is the one run once the driver prepared the statement
                # (core/repository.py `_unfiltered_page`).
                found += whole_reads(generic_plan(conn, sql, params)["Plan"], table)
            for problem in found:
                problems.append(f"{problem}\n  in {' '.join(sql.split())[:400]}\n  plan {json.dumps(plan)[:2000]}")
    assert not problems, "\n".join(problems)


# Filtered lists: a page's ids, then its items read by those ids (core/repository.py `_items_of`, `= ANY(ids)`),
# a statement the driver prepares, so PostgreSQL may run its generic plan.
FILTERED = [
    ("/api/v1/work_orders?filter[status_id_in]=1,2&filter[technicians_id_eq]={work_order_technician}", "work_orders"),
    ("/api/v1/pm_schedules?filter[status_eq]=planned&filter[technicians_id_eq]={pm_schedule_technician}",
     "pm_schedules"),
    ("/api/v1/assets?search=pump", "assets"),
    ("/api/v1/parts?filter[low_stock_eq]=true", "parts"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "table"), FILTERED, ids=[table for _, table in FILTERED])
def test_filtered_page_reads_its_items_by_id(plans_client: Any, generated: Generated, path: str, table: str) -> None:
    client, engine = plans_client
    headers = {"Authorization": f"Bearer {generated.token}", "X-Entity-Id": str(generated.entity_id)}
    url = path.format(**generated.sample_ids) + "&per_page=50"
    statements = statements_of(client, engine, url, headers, fewest=1)
    reading = [(sql, params) for sql, params in statements if table in sql]
    items = [(sql, params) for sql, params in reading if "= ANY(" in sql]
    assert len(items) == 1, f"{url}: not one statement reading the page's items by id"
    problems = []
    with engine.connect() as conn:
        for sql, params in reading:
            (plan,) = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).scalar_one()
            plans = [plan, generic_plan(conn, sql, params)] if (sql, params) in items else [plan]
            for found in plans:
                problems += [f"{p}\n  in {' '.join(sql.split())[:400]}" for p in whole_reads(found["Plan"], table)]
    assert not problems, "\n".join(problems)


def reads_not_by_key(plan: dict[str, Any], table: str) -> list[str]:
    """The plan nodes below `plan` that read `table` other than by its primary key."""
    found = []
    if plan.get("Relation Name") == table and not str(plan.get("Index Name", "")).startswith("pk_"):
        found.append(f"{plan['Node Type']} on {table} using {plan.get('Index Name')}")
    for child in plan.get("Plans", []):
        found += reads_not_by_key(child, table)
    return found


@pytest.mark.parametrize(
    ("path", "table"), [(path, table) for path, table in FILTERED if "technicians_id_eq" in path], ids=["wo", "pm"]
)
def test_a_link_filter_drives_the_page(plans_client: Any, generated: Generated, path: str, table: str) -> None:
    """The link's rows come first and each looks its row up by key (core/repository.py `_matched_then_sorted`),
    whatever the planner makes of the other filters' rows."""
    client, engine = plans_client
    headers = {"Authorization": f"Bearer {generated.token}", "X-Entity-Id": str(generated.entity_id)}
    statements = statements_of(client, engine, path.format(**generated.sample_ids), headers, fewest=1)
    [(sql, params)] = [(sql, params) for sql, params in statements if "matched" in sql]
    # The planner's own choice at this size is the same either way; with a table written since its last vacuum
    # it hash-joined the links with every open work order (docs/performance.md): the statement must not let it.
    assert " JOIN LATERAL " in sql, sql
    with engine.connect() as conn:
        (plan,) = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).scalar_one()
    assert not reads_not_by_key(plan["Plan"], table), json.dumps(plan)[:3000]


def index_walks(plan: dict[str, Any], table: str) -> list[str]:
    """The plan nodes below `plan` that read `table` through an index other than its primary key, in order."""
    found = []
    walks = plan.get("Relation Name") == table and plan["Node Type"] in ("Index Scan", "Index Only Scan")
    if walks and not str(plan.get("Index Name", "")).startswith("pk_"):
        found.append(f"{plan['Node Type']} using {plan.get('Index Name')}")
    for child in plan.get("Plans", []):
        found += index_walks(child, table)
    return found


def test_a_searched_page_sorts_the_terms_matches(plans_client: Any, generated: Generated) -> None:
    """`search=pump` (1 in 16 generated assets, together near the end of the name order) reads its matches from the
    trigram indexes and sorts them (core/repository.py `_capped_text_page`) in the request's one statement reading
    the page's ids: the planner walked the name index otherwise, testing most of the table at 100,000 rows."""
    client, engine = plans_client
    headers = {"Authorization": f"Bearer {generated.token}", "X-Entity-Id": str(generated.entity_id)}
    statements = statements_of(client, engine, "/api/v1/assets?search=pump&per_page=50", headers, fewest=1)
    [(sql, params)] = [(sql, params) for sql, params in statements if "matched" in sql]
    with engine.connect() as conn:
        (plan,) = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).scalar_one()
    assert not index_walks(plan["Plan"], "assets"), json.dumps(plan)[:3000]
    assert not whole_reads(plan["Plan"], "assets"), json.dumps(plan)[:3000]


# Details rendered by the database (core/json_sql.py `Detail`): each in one statement whose ids are one bound
# value. Written as `id IN (SELECT unnest(ids))`, PostgreSQL took it for a semi-join after the detail's joins, i.e.
# joined every row of the table first (160-320 ms a detail at 100k rows).
DETAILS = [("work_orders", "work_orders"), ("assets", "assets"), ("parts", "parts"), ("pm_schedules", "pm_schedules")]


def generic_plan(conn: Any, sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The plan PostgreSQL reuses for `sql` once prepared (`plan_cache_mode = force_generic_plan`): made without
    the values, which the statement's casts type."""
    names: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    prepared = re.sub(r"%\((\w+)\)s", placeholder, sql)
    driver = conn.connection.driver_connection
    values = ", ".join(Literal(params[name]).as_string(driver) for name in names)
    conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
    conn.exec_driver_sql(f"PREPARE generic_plan_check AS {prepared}".replace("%%", "%"))
    try:
        (plan,) = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) EXECUTE generic_plan_check({values})").scalar_one()
    finally:
        conn.exec_driver_sql("DEALLOCATE generic_plan_check")
        conn.exec_driver_sql("RESET plan_cache_mode")
    assert re.search(r"\$\d", json.dumps(plan)) or not names, "not a generic plan"
    return plan  # type: ignore[no-any-return]


@pytest.mark.parametrize(("collection", "table"), DETAILS, ids=[table for _, table in DETAILS])
def test_detail_reads_only_its_record(plans_client: Any, generated: Generated, collection: str, table: str) -> None:
    client, engine = plans_client
    headers = {"Authorization": f"Bearer {generated.token}", "X-Entity-Id": str(generated.entity_id)}
    listed = client.get(f"/api/v1/{collection}?per_page=1&page=7", headers=headers)
    record = listed.json()["data"][0]["id"]
    statements = statements_of(client, engine, f"/api/v1/{collection}/{record}", headers)
    reading = [(sql, params) for sql, params in statements if "json" in sql and table in sql]
    assert reading, f"no statement of {collection}/{record} rendered {table}"
    problems = []
    with engine.connect() as conn:
        for sql, params in reading:
            (plan,) = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).scalar_one()
            # A GET's detail is prepared by the driver and then run with the generic plan (core/repository.py
            # `_detail_statement`): that plan must read the record by key too.
            generic = generic_plan(conn, sql, params)
            problems += [
                f"{problem}\n  in {' '.join(sql.split())[:400]}"
                for problem in whole_reads(plan["Plan"], table) + whole_reads(generic["Plan"], table)
            ]
    assert not problems, "\n".join(problems)
