"""Every date and date-time the API accepts has a year from 1900 to 2999 (docs/api.md), checked in one place.

The generic tests find the dates by walking the server's own OpenAPI document (request bodies, query parameters)
and its list filters, so a resource added later is held to the range without a line here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.catalog.support import create_asset, db_get, db_scalars, error, ok
from tests.contract.support import Cases
from tests.helpers import Api
from tests.procedures.support import attach, create_template
from tests.work_orders.support import create_work_order
from wrenchwork.core.schemas import DATE_PATTERN, DATE_TIME_PATTERN
from wrenchwork.models import TimeEntry, WorkOrder, WorkOrderRequest

RANGE = "must have a year from 1900 to 2999"
# The values that made the server fail (year 1 with a positive offset, 9999 with a negative one), and the first
# value outside the range on either side.
EDGE_MOMENTS = (
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "1899-12-31T23:59:59Z",
    "3000-01-01T00:00:00Z",
)
EDGE_DAYS = ("0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01")
PATTERNS = {"date": DATE_PATTERN, "date-time": DATE_TIME_PATTERN}
# A list filter's kind, told apart by what it takes: (a value it takes, values it refuses, the range's edges).
KINDS = (
    ("2000-01-01T00:00:00Z", EDGE_MOMENTS, ("1900-01-01T00:00:00Z", "2999-12-31T23:59:59Z")),
    ("2000-01-01", EDGE_DAYS, ("1900-01-01", "2999-12-31")),
)


def openapi(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = orjson.loads(response.content)
    return document


def _walk(doc: dict[str, Any], schema: dict[str, Any], path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(field path, schema) of every date and date-time in `schema`; "[]" in a path is an array item."""
    if "$ref" in schema:
        yield from _walk(doc, doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], path)
        return
    if schema.get("format") in PATTERNS:
        yield path, schema
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _walk(doc, option, path)
    for name, child in schema.get("properties", {}).items():
        yield from _walk(doc, child, (*path, name))
    if isinstance(schema.get("items"), dict):
        yield from _walk(doc, schema["items"], (*path, "[]"))


def date_inputs(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, tuple[str, ...], Any, dict[str, Any]]]:
    """(method, path, "query"|"body", field path, schema, operation) of every date the document says it takes."""
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                for _, schema in _walk(doc, parameter["schema"], ()):
                    yield method, path, parameter["in"], (parameter["name"],), schema, operation
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for field, schema in _walk(doc, media["schema"], ()):
                    yield method, path, "body", field, schema, operation


def _scoped(operation: dict[str, Any]) -> bool:
    return any(p["name"] == "X-Entity-Id" for p in operation.get("parameters", []))


def _nest(field: tuple[str, ...], value: str) -> Any:
    """`("work_order", "due_date")` -> `{"work_order": {"due_date": value}}`; "[]" wraps in a one-item list."""
    if not field:
        return value
    inner = _nest(field[1:], value)
    return [inner] if field[0] == "[]" else {field[0]: inner}


def _error_key(field: tuple[str, ...]) -> str:
    return ".".join("0" if part == "[]" else part for part in field)


def test_every_date_a_request_may_carry_declares_the_range(client: TestClient) -> None:
    found = {
        f"{method.upper()} {path} {'.'.join(field)}": schema
        for method, path, _, field, schema, _ in date_inputs(openapi(client))
    }

    assert {
        "POST /api/v1/work_orders work_order.due_date",
        "PATCH /api/v1/work_orders/{id} work_order.completed_at",
        "POST /api/v1/work_orders/{id}/time_entries time_entry.started_at",
        "POST /api/v1/work_order_requests work_order_request.due_date",
        "PATCH /api/v1/assets/{id} asset.warranty_exp_date",
        "GET /api/v1/assets/{id}/availability to",
    } <= set(found)
    for label, schema in found.items():
        assert schema.get("pattern") == PATTERNS[schema["format"]], label
    assert re.match(DATE_TIME_PATTERN, "2999-12-31T23:59:59Z") and not re.match(DATE_TIME_PATTERN, "3000-01-01T00:00Z")
    assert re.match(DATE_PATTERN, "1900-01-01") and not re.match(DATE_PATTERN, "1899-12-31")


def test_every_date_a_request_may_carry_refuses_the_calendars_edge(api: Api, client: TestClient) -> None:
    """Each date the document lists, sent alone with values outside the range: a 422 naming it, never a 500."""
    cases = Cases()
    for method, path, where, field, schema, operation in date_inputs(openapi(client)):
        url = re.sub(r"\{[^}]+\}", "1", path)
        caller = (
            api if any(p["name"] == "X-Entity-Id" for p in operation.get("parameters", [])) else api.as_entity(None)
        )
        for value in EDGE_MOMENTS if schema["format"] == "date-time" else EDGE_DAYS:
            with cases.case(f"{method.upper()} {path} {'.'.join(field)}={value}"):
                if where == "body":
                    response = caller.request(method.upper(), url, json=_nest(field, value))
                else:
                    response = caller.request(method.upper(), url, params={field[0]: value})
                body = error(response, 422)
                assert RANGE in body["errors"].get(_error_key(field), []), body
    cases.verify()
    assert cases.count >= 14 * 4


def _list_operations(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], list[str]]]:
    """(path, operation, filterable fields) of every list, as its `filter` parameter documents them."""
    for path, operations in doc["paths"].items():
        operation = operations.get("get", {})
        described = {p["name"]: p for p in operation.get("parameters", [])}.get("filter")
        if described is not None:
            yield path, operation, re.findall(r"`([a-z0-9_]+)` \(", described["description"])


def _refused(caller: Api, url: str, params: dict[str, str]) -> dict[str, list[str]]:
    """The `errors` of a list request (every filter is checked, so one request tries many fields). The filters are
    checked before the record a nested list belongs to is looked up: its 404 means they all passed."""
    response = caller.get(url, params=params)
    if response.status_code in (200, 404):
        return {}
    errors: dict[str, list[str]] = error(response, 422)["errors"]
    return errors


def test_every_list_date_filter_refuses_the_calendars_edge(api: Api, client: TestClient) -> None:
    """The fields of every list that take a date-time (or a date: `2000-01-01T00:00:00Z` / `2000-01-01` are fine
    there, not for a number or a text) refuse the edge values with the range message, and take the range's edges."""
    cases = Cases()
    dated = 0
    for path, operation, fields in _list_operations(openapi(client)):
        url = re.sub(r"\{[^}]+\}", "1", path)
        caller = api if _scoped(operation) else api.as_entity(None)
        left = list(fields)
        for probe, edges, edges_in in KINDS:
            refused = _refused(caller, url, {f"filter[{name}_lt]": probe for name in left})
            kind = [name for name in left if f"filter[{name}_lt]" not in refused]
            left = [name for name in left if name not in kind]
            if not kind:
                continue
            dated += len(kind)
            for value, matcher in zip(edges, ("lt", "gteq", "in", "not_eq"), strict=True):
                with cases.case(f"{path} {kind} {matcher} {value}"):
                    refused = _refused(caller, url, {f"filter[{name}_{matcher}]": value for name in kind})
                    assert refused == {f"filter[{name}_{matcher}]": [RANGE] for name in kind}
            with cases.case(f"{path} {kind} {edges_in}"):
                low = {f"filter[{name}_gteq]": edges_in[0] for name in kind}
                assert _refused(caller, url, low | {f"filter[{name}_lteq]": edges_in[1] for name in kind}) == {}
    cases.verify()
    assert dated >= 40  # created_at and updated_at of most lists, due dates, purchase dates, ...


# ---- the cases that answered 500 ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", EDGE_MOMENTS[:2])
def test_work_order_due_date_and_completed_at_at_the_edge_are_422(api: Api, session: Session, value: str) -> None:
    for fields in ({"due_date": value}, {"status_id": 5, "completed_at": value}):
        body = error(api.post("/work_orders", json={"work_order": {"title": "Edge", **fields}}), 422)
        field = next(iter(f for f in fields if f != "status_id"))
        assert body == {
            "status": "error",
            "message": f"work_order.{field} {RANGE}",
            "errors": {f"work_order.{field}": [RANGE]},
        }
    assert db_scalars(session, select(func.count()).select_from(WorkOrder)) == [0]

    work_order = create_work_order(api, due_date="2025-01-02T03:04:05Z")
    for fields in ({"due_date": value}, {"status_id": 5, "completed_at": value}):
        body = error(api.patch(f"/work_orders/{work_order['id']}", json={"work_order": fields}), 422)
        assert list(body["errors"]) == [f"work_order.{next(f for f in fields if f != 'status_id')}"]
    stored = db_get(session, WorkOrder, work_order["id"])
    assert stored is not None and (stored.status_id, stored.completed_at) == (1, None)
    assert ok(api.get(f"/work_orders/{work_order['id']}"))["due_date"] == "2025-01-02T03:04:05Z"


@pytest.mark.parametrize("value", EDGE_MOMENTS[:2])
def test_request_due_date_at_the_edge_is_422(api: Api, session: Session, value: str) -> None:
    body = error(api.post("/work_order_requests", json={"work_order_request": {"title": "T", "due_date": value}}), 422)
    assert body["errors"] == {"work_order_request.due_date": [RANGE]}
    assert db_scalars(session, select(func.count()).select_from(WorkOrderRequest)) == [0]

    request = ok(api.post("/work_order_requests", json={"work_order_request": {"title": "T"}}), 201)
    patch = {"work_order_request": {"due_date": value}}
    body = error(api.patch(f"/work_order_requests/{request['id']}", json=patch), 422)
    assert body["errors"] == {"work_order_request.due_date": [RANGE]}
    assert ok(api.get(f"/work_order_requests/{request['id']}"))["due_date"] is None


def test_time_entry_at_the_edge_is_422(api: Api, session: Session) -> None:
    work_order = create_work_order(api)
    path = f"/work_orders/{work_order['id']}/time_entries"

    body = error(api.post(path, json={"time_entry": {"started_at": "9999-12-31T23:00:00Z", "duration": 2}}), 422)
    assert body["errors"] == {"time_entry.started_at": [RANGE]}
    # In range itself, but its duration would carry the end past it.
    late = {"time_entry": {"started_at": "2999-12-31T23:00:00Z", "duration": 2}}
    body = error(api.post(path, json=late), 422)
    assert body["errors"] == {"time_entry.duration": ["would put ended_at after the year 2999"]}
    assert db_scalars(session, select(func.count()).select_from(TimeEntry)) == [0]

    fits = ok(api.post(path, json={"time_entry": {"started_at": "2999-12-31T21:00:00Z", "duration": 2}}), 201)
    assert fits["ended_at"] == "2999-12-31T23:00:00Z"


def test_availability_at_the_edge_is_422(api: Api) -> None:
    asset = create_asset(api, "Boiler")
    path = f"/assets/{asset['id']}/availability"

    body = error(api.get(path, params={"to": "0001-01-01"}), 422)

    assert body == {"status": "error", "message": f"to {RANGE}", "errors": {"to": [RANGE]}}
    assert error(api.get(path, params={"from": "9999-12-31T23:59:59-05:00"}), 422)["errors"] == {"from": [RANGE]}
    edges = ok(api.get(path, params={"from": "1900-01-01T00:00:00Z", "to": "2999-12-31T23:59:59Z"}))
    assert (edges["from"], edges["to"], edges["availability"]) == ("1900-01-01T00:00:00Z", "2999-12-31T23:59:59Z", 100)


def test_the_edges_of_the_range_are_accepted_and_kept(api: Api) -> None:
    first = create_work_order(api, due_date="1900-01-01T00:00:00Z")
    last = create_work_order(api, due_date="2999-12-31T23:59:59Z", status_id=5, completed_at="2999-12-31T23:59:59Z")
    assert first["due_date"] == "1900-01-01T00:00:00Z"
    assert (last["due_date"], last["completed_at"]) == ("2999-12-31T23:59:59Z", "2999-12-31T23:59:59Z")
    # An offset is converted to UTC once the value as written is in range.
    shifted = create_work_order(api, due_date="2999-12-31T23:00:00-05:00")
    assert shifted["due_date"] == "3000-01-01T04:00:00Z"
    asset = create_asset(api, "Old press", purchase_date="1900-01-01", warranty_exp_date="2999-12-31")
    assert (asset["purchase_date"], asset["warranty_exp_date"]) == ("1900-01-01", "2999-12-31")
    body = error(api.post("/assets", json={"asset": {"name": "Older", "purchase_date": "1899-12-31"}}), 422)
    assert body["errors"] == {"asset.purchase_date": [RANGE]}


def test_procedure_date_answers_have_the_range(api: Api, session: Session, tenant: Any) -> None:
    template = create_template(api, "Dates", [{"name": "Next service", "item_type": "date"}])
    work_order_id, (procedure_id,) = attach(session, tenant, [template["id"]])
    path = f"/work_orders/{work_order_id}/procedures/{procedure_id}"
    item_id = ok(api.get(path))["items"][0]["id"]

    for value in ("0001-01-01", "3000-01-01"):
        body = error(api.patch(path, json={"procedure": {"answers": [{"item_id": item_id, "value": value}]}}), 422)
        assert body["errors"] == {"procedure.answers.0.value": [RANGE]}
    done = ok(api.patch(path, json={"procedure": {"answers": [{"item_id": item_id, "value": "2999-12-31"}]}}))
    assert done["items"][0]["value"] == "2999-12-31"
