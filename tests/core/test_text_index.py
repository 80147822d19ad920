"""Search and the text matchers answer from their trigram index exactly what the plain scan answers.

The indexed answer is the one a client gets; the scan's is the same request with the index out of play (on
SQLite no term is looked up; on PostgreSQL bitmap scans, the only way a GIN index is read, are off).
The index's answer is forced on PostgreSQL by turning the other scans off, as its planner would rather scan the
few rows of a test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_tenant, make_user, statements
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core import text_index
from wrenchwork.core.listing import ListQuery
from wrenchwork.core.migrate import upgrade
from wrenchwork.models import Asset

# Letters whose case folding is not plain ASCII (sharp s, dotted and dotless i, the Kelvin sign, final sigma),
# LIKE and FTS5 syntax, quotes, and digits.
ALPHABET = "aAbBeEéÉkKsßẞiI%_\\\"'*:^(){}- 01" + "\u0130\u0131\u212a\u03c3\u03c2\u03a3"
VALUE = st.text(alphabet=ALPHABET, max_size=12)
TEXT_MATCHERS = ("name_cont", "name_not_cont", "name_start", "name_end", "description_cont", "model_cont")


@contextmanager
def _mode(engine: Engine, monkeypatch: pytest.MonkeyPatch, indexed: bool) -> Iterator[None]:
    if engine.dialect.name == "sqlite":
        with monkeypatch.context() as patch:
            if not indexed:
                patch.setattr(text_index, "index_terms", lambda *_: [])
            yield
        return
    settings = ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan") if indexed else ("enable_bitmapscan",)

    def off(connection: Any) -> None:
        for setting in settings:
            connection.exec_driver_sql(f"SET LOCAL {setting} = off")

    event.listen(engine, "begin", off)
    try:
        yield
    finally:
        event.remove(engine, "begin", off)


def _answer(api: Api, params: dict[str, str]) -> tuple[int, list[int], int]:
    response = api.get("/assets", params={"per_page": "100", "sort": "name"} | params)
    body = response.json()
    ids = [item["id"] for item in body["data"]] if response.status_code == 200 else []
    total = body["meta"]["pagination"]["total"] if response.status_code == 200 else -1
    return response.status_code, ids, total


def _add_assets(session: Session, tenant: Tenant, rows: list[tuple[str, str | None, str | None]]) -> list[int]:
    assets = [Asset(entity_id=tenant.entity_id, name=n or "-", description=d, model=m) for n, d, m in rows]
    session.add_all(assets)
    session.commit()
    return [asset.id for asset in assets]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(VALUE, st.none() | VALUE, st.none() | VALUE), min_size=1, max_size=12),
    renamed=st.lists(VALUE, max_size=3),
    picks=st.data(),
)
def test_indexed_answers_equal_the_scan(
    api: Api,
    session: Session,
    engine: Engine,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[tuple[str, str | None, str | None]],
    renamed: list[str],
    picks: st.DataObject,
) -> None:
    ids = _add_assets(session, tenant, rows)
    # Updates and deletes go through the index's triggers too.
    for asset_id, name in zip(ids, renamed, strict=False):
        session.get_one(Asset, asset_id).name = name or "-"
    if len(ids) > 2:
        session.delete(session.get_one(Asset, ids[-1]))
    session.commit()
    try:
        values = [value for row in rows for value in row if value] + renamed + ["pump"]
        from_data = st.sampled_from(values).flatmap(
            lambda v: st.tuples(st.integers(0, len(v)), st.integers(0, len(v))).map(lambda ab: v[min(ab) : max(ab)])
        )
        term = picks.draw(from_data | VALUE, label="term")
        key = picks.draw(st.sampled_from(("search", *TEXT_MATCHERS)), label="key")
        params = {"search": term} if key == "search" else {f"filter[{key}]": term}
        # A small page: the first page holds every match or not, and a later page is read too.
        per_page, page = picks.draw(st.sampled_from([(100, 1), (2, 1), (2, 2), (3, 3)]), label="page")
        params |= {"per_page": str(per_page), "page": str(page)}
        # On SQLite, which way the index is read: the few ids of a term bound to the page's statement, or the
        # term's matches read inside it (no term is few).
        few = picks.draw(st.sampled_from((text_index.FEW_MATCHES, -1)), label="few")
        with _mode(engine, monkeypatch, indexed=True), monkeypatch.context() as patch:
            patch.setattr(text_index, "FEW_MATCHES", few)
            indexed = _answer(api, params)
        with _mode(engine, monkeypatch, indexed=False):
            scanned = _answer(api, params)
        assert indexed == scanned
        assert indexed[0] == 200
    finally:
        session.query(Asset).filter(Asset.entity_id == tenant.entity_id).delete()
        session.commit()


def _names(api: Api, **params: str) -> tuple[list[str], int]:
    response = api.get("/assets", params={"sort": "name", **params})
    assert response.status_code == 200, response.text
    body = response.json()
    return [item["name"] for item in body["data"]], body["meta"]["pagination"]["total"]


NAMES = ["École Pump", "ecole pump", "100% Valve", "A_B duct", 'Say "hi" fan', "Kelvin KK", "Straße Heater", "zz"]


@pytest.fixture
def named(session: Session, tenant: Tenant) -> list[int]:
    return _add_assets(session, tenant, [(name, None, None) for name in NAMES])


@pytest.mark.usefixtures("named")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "école"}, ["École Pump"]),
        ({"search": "ÉCOLE"}, ["École Pump"]),
        ({"search": "ecole"}, ["ecole pump"]),
        ({"search": "pump"}, ["ecole pump", "École Pump"]),
        ({"search": "0% v"}, ["100% Valve"]),
        ({"search": "%"}, ["100% Valve"]),
        ({"search": "a_b"}, ["A_B duct"]),
        ({"search": "_"}, ["A_B duct"]),
        ({"search": '"hi"'}, ['Say "hi" fan']),
        ({"search": '"'}, ['Say "hi" fan']),
        ({"search": "hi* OR pump"}, []),
        ({"search": "STRASSE"}, []),
        ({"search": "straße"}, ["Straße Heater"]),
        ({"search": "zz"}, ["zz"]),
        ({"filter[name_start]": "ecol"}, ["ecole pump"]),
        ({"filter[name_end]": "PUMP"}, ["ecole pump", "École Pump"]),
        ({"filter[name_cont]": "lve"}, ["100% Valve"]),
    ],
)
def test_what_a_search_finds(api: Api, params: dict[str, str], expected: list[str]) -> None:
    assert _names(api, **params) == (expected, len(expected))


def _narrowed_queries(monkeypatch: pytest.MonkeyPatch) -> list[ListQuery]:
    """The queries `text_index.narrowed` answers from now on (what drives each searched page), in order."""
    seen: list[ListQuery] = []
    original: Callable[..., ListQuery] = text_index.narrowed

    def spy(*args: Any) -> ListQuery:
        seen.append(original(*args))
        return seen[-1]

    monkeypatch.setattr(text_index, "narrowed", spy)
    return seen


def test_a_selective_term_drives_the_page_and_a_common_one_does_not(
    api: Api, session: Session, engine: Engine, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_assets(session, tenant, [(f"Pump {n:03d}", "spare" if n < 20 else None, None) for n in range(40)])
    seen = _narrowed_queries(monkeypatch)
    monkeypatch.setattr(text_index, "FEW_MATCHES", 10)
    monkeypatch.setattr(text_index, "MIN_DRIVE_LIMIT", 25)
    assert _names(api, search="pump 01", per_page="5") == ([f"Pump 01{n}" for n in range(5)], 10)
    assert _names(api, search="pump 01", per_page="5", page="2") == ([f"Pump 01{n}" for n in range(5, 10)], 10)
    with statements(engine) as sql:
        assert _names(api, search="pump 012") == (["Pump 012"], 1)
    assert _names(api, search="spare", per_page="5", page="2") == ([f"Pump {n:03d}" for n in range(5, 10)], 20)
    assert _names(api, **{"filter[name_cont]": "pump", "per_page": "5", "page": "3"}) == (
        [f"Pump {n:03d}" for n in range(10, 15)],
        40,
    )
    if engine.dialect.name == "sqlite":
        # Few matches: their ids; more, up to the drive limit: the index read in the statement; more: neither.
        ways = [(q.text_ids is not None, len(q.text_matches)) for q in seen]
        assert ways == [(True, 0), (True, 0), (True, 0), (False, 1), (False, 0)]
        # A first page that holds every match: its items and total in one statement after the index's.
        index_reads = [" ".join(s.split()) for s in sql if "assets_text" in s]
        assert len(index_reads) == 1 and "WHERE assets_text MATCH ? LIMIT ?" in index_reads[0], index_reads
        assert sum("FROM assets" in s and "assets_text" not in s for s in sql) == 1


def test_a_technicians_few_work_orders_drive_a_common_term(
    api: Api, session: Session, engine: Engine, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a technician filter, a term drives only when fewer rows hold it than the technician has."""
    technician, _ = make_user(session, tenant)
    mine = [0, 7, 21]
    for n in range(30):
        linked = [technician] if n in mine else []
        body = {"work_order": {"title": f"Pump {n:03d}", "technicians_ids": linked}}
        assert api.post("/work_orders", json=body).status_code == 201
    assert api.post("/work_orders", json={"work_order": {"title": "Fan", "technicians_ids": [technician]}})
    seen = _narrowed_queries(monkeypatch)

    def titles(search: str) -> list[str]:
        params = {"filter[technicians_id_eq]": str(technician), "search": search, "sort": "title"}
        response = api.get("/work_orders", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["meta"]["pagination"]["total"] == len(body["data"])
        return [item["title"] for item in body["data"]]

    assert titles("pump") == ["Pump 000", "Pump 007", "Pump 021"]  # 30 hold it, the technician has 4
    assert titles("pump 007") == ["Pump 007"]  # 1 holds it
    assert titles("pump 00") == ["Pump 000", "Pump 007"]  # 10 hold it
    if engine.dialect.name == "sqlite":
        # Only the term one work order holds drives (by the ids the index gives: fewer than the technician's 4).
        assert [bool(q.text_matches) or q.text_ids is not None for q in seen] == [False, True, False]


def test_the_index_follows_updates_and_deletes(api: Api, session: Session, tenant: Tenant) -> None:
    first, second = _add_assets(session, tenant, [("Old boiler", None, None), ("Chiller", "North wing", None)])
    session.get_one(Asset, first).name = "New boiler"
    session.delete(session.get_one(Asset, second))
    session.commit()
    assert _names(api, search="old boil") == ([], 0)
    assert _names(api, search="new boil") == (["New boiler"], 1)
    assert _names(api, search="north") == ([], 0)


def test_every_indexed_table_has_its_index(engine: Engine) -> None:
    with engine.connect() as connection:
        for table, columns in text_index.INDEXED.items():
            if engine.dialect.name == "sqlite":
                fts = text_index.fts_table(table)
                found = [row[1] for row in connection.exec_driver_sql(f"PRAGMA table_info({fts})")]
                assert found == list(columns)
                triggers = connection.execute(
                    text("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
                )
                assert triggers.scalar_one() == 3
            else:
                names = connection.execute(text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": table})
                expected = {text_index.trigram_index(table, column) for column in columns}
                assert expected <= set(names.scalars())


def _segments(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        found: int = connection.exec_driver_sql(f"SELECT count(DISTINCT segid) FROM {table}_idx").scalar_one()
        return found


def test_an_index_written_in_many_segments_is_merged_into_one_and_answers_the_same(
    api: Api, session: Session, tenant: Tenant, engine: Engine
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's GIN indexes are kept by PostgreSQL itself")
    text_index.merge_segments(engine)  # whatever earlier tests' writes left
    assert _segments(engine, "assets_text") <= text_index.MAX_SEGMENTS
    # A segment for each transaction: FTS5's own merging of them is held off for the test, so that they stay.
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO assets_text(assets_text, rank) VALUES ('automerge', 0)")
    try:
        for n in range(40):
            _add_assets(session, tenant, [(f"Pump {n:03d}", f"Hall {n % 7}", None)])
    finally:
        with engine.begin() as connection:  # its default again
            connection.exec_driver_sql("INSERT INTO assets_text(assets_text, rank) VALUES ('automerge', 4)")
    assert _segments(engine, "assets_text") > text_index.MAX_SEGMENTS
    searches = [{"search": "pump 01"}, {"search": "hall 3"}, {"filter[name_cont]": "mp 03"}, {"search": "p 0"}]
    before = [_names(api, **params) for params in searches]

    assert text_index.merge_segments(engine) == ["assets_text"]
    assert _segments(engine, "assets_text") == 1
    assert [_names(api, **params) for params in searches] == before
    assert before[0] == ([f"Pump 01{n}" for n in range(10)], 10)
    assert text_index.merge_segments(engine) == []  # every index in one segment: left alone


def test_a_serving_server_merges_an_index_its_writes_left_in_many_segments(tmp_path: Path) -> None:
    """Every `statistics_interval` the server merges a fragmented index again, in small steps, while it serves."""
    url = f"sqlite:///{tmp_path / 'serving.db'}"
    upgrade(url)
    app = create_app(
        Settings(database_url=url, log_level="WARNING", rate_limit="", statistics_interval=0.2, scheduler_interval=0)
    )
    with TestClient(app) as client:
        engine: Engine = app.state.engine
        with app.state.sessionmaker() as session:
            tenant = make_tenant(session)
        api = Api(client, tenant.token, tenant.entity_id)
        with engine.begin() as connection:  # FTS5's own merging held off: a segment for each create
            connection.exec_driver_sql("INSERT INTO assets_text(assets_text, rank) VALUES ('automerge', 0)")
        for n in range(40):
            assert api.post("/assets", json={"asset": {"name": f"Pump {n:03d}"}}).status_code == 201
        fragmented = _segments(engine, "assets_text")
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO assets_text(assets_text, rank) VALUES ('automerge', 4)")

        deadline = time.monotonic() + 10
        while _segments(engine, "assets_text") > 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert fragmented > text_index.MAX_SEGMENTS
        assert _segments(engine, "assets_text") == 1
        assert _names(api, search="pump 01") == ([f"Pump 01{n}" for n in range(10)], 10)
    engine.dispose()
