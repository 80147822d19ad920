"""The OpenAPI document declares what the server enforces (page bounds) and links every create to the operations on
what it created, so stateful tools can chain them (docs/api.md, "The OpenAPI document")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.specs.openapi.stateful import collect_transitions
from sqlalchemy.orm import Session

from tests.catalog.support import error, ok
from tests.contract.resources import RESOURCES, Resource
from tests.contract.support import each_resource
from tests.helpers import Api, Tenant
from tests.work_orders.support import create_work_order, make_part

MAX_INT = 2147483647
PREFIX = "/api/v1"


def openapi(client: TestClient) -> dict[str, Any]:
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = orjson.loads(response.content)
    return document


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


# ---- bounds ----------------------------------------------------------------------------------------------------


def test_every_list_declares_the_page_bounds_the_server_enforces(api: Api, client: TestClient) -> None:
    pages = [
        (path, parameter["schema"])
        for path, _, operation in operations(openapi(client))
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "page"
    ]

    assert len(pages) >= 20
    for path, schema in pages:
        assert schema == {"type": "integer", "minimum": 1, "maximum": MAX_INT, "default": 1}, path
    # The largest page the document allows is served (empty, past the end); one more is refused.
    last = api.get("/locations", params={"page": MAX_INT})
    assert last.status_code == 200 and last.json()["data"] == []
    assert last.json()["meta"]["pagination"]["page"] == MAX_INT
    assert list(error(api.get("/locations", params={"page": MAX_INT + 1}), 422)["errors"]) == ["page"]


# ---- links -----------------------------------------------------------------------------------------------------


def creates_with_records(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(create path, record path, method, operation) for every `POST /x` and each operation on `/x/{key}`."""
    for path, item in doc["paths"].items():
        if "post" not in item:
            continue
        for child, operations_ in doc["paths"].items():
            if re.fullmatch(re.escape(path) + r"/\{\w+\}", child):
                for method in ("get", "patch", "put", "delete"):
                    if method in operations_:
                        yield path, child, method, operations_[method]


def success_links(create: dict[str, Any]) -> dict[str, Any]:
    status = next(code for code in create["responses"] if code.startswith("2"))
    links: dict[str, Any] = create["responses"][status].get("links", {})
    return links


def test_every_create_links_to_the_operations_on_its_record(client: TestClient) -> None:
    doc = openapi(client)
    pairs = list(creates_with_records(doc))

    assert len(pairs) >= 40
    for path, child, method, target in pairs:
        links = success_links(doc["paths"][path]["post"])
        label = f"POST {path} -> {method.upper()} {child}"
        assert target["operationId"] in links, label
        link = links[target["operationId"]]
        assert link["operationId"] == target["operationId"]
        key = child.rsplit("{", 1)[1].rstrip("}")
        parents = re.findall(r"\{(\w+)\}", path)
        expected = {name: f"$request.path.{name}" for name in parents}
        expected[key] = "$response.body#/data/part_id" if key == "part_id" else "$response.body#/data/id"
        expected["header.X-Entity-Id"] = "$request.header.X-Entity-Id"
        if not any(p["name"] == "X-Entity-Id" for p in target["parameters"]):
            del expected["header.X-Entity-Id"]
        assert link["parameters"] == expected, label


def test_schemathesis_builds_its_stateful_transitions_from_the_links(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi(f"{PREFIX}/openapi.json", app)
    transitions = collect_transitions([result.ok() for result in schema.get_all_operations()])

    outgoing = {link.target.label for link in transitions.operations[f"POST {PREFIX}/work_orders"].outgoing}
    assert outgoing == {
        f"GET {PREFIX}/work_orders/{{id}}",
        f"PATCH {PREFIX}/work_orders/{{id}}",
        f"DELETE {PREFIX}/work_orders/{{id}}",
    }
    sources = {label for label, t in transitions.operations.items() if t.outgoing}
    assert {f"POST {PREFIX}/work_orders/{{id}}/parts", f"POST {PREFIX}/work_order_requests"} <= sources


def _evaluate(expression: str, path_params: dict[str, str], headers: dict[str, str], body: Any) -> str:
    """The runtime expressions the links use (OpenAPI 3.1, "Runtime Expressions")."""
    if expression.startswith("$response.body#"):
        value = body
        for token in expression.split("#", 1)[1].strip("/").split("/"):
            value = value[token]
        return str(value)
    if expression.startswith("$request.path."):
        return path_params[expression.removeprefix("$request.path.")]
    if expression.startswith("$request.header."):
        return headers[expression.removeprefix("$request.header.")]
    raise AssertionError(expression)


def follow(api: Api, doc: dict[str, Any], create_path: str, path_params: dict[str, str], body: Any) -> dict[str, int]:
    """POST, then every operation its links lead to (reads, then updates sending the same body, deletes last);
    their statuses."""
    url = create_path.format(**path_params).removeprefix(PREFIX)
    created = api.post(url, json=body)
    assert created.status_code in (200, 201), created.text
    by_id = {op["operationId"]: (path, method) for path, method, op in operations(doc)}
    links = success_links(doc["paths"][create_path]["post"])
    statuses: dict[str, int] = {}
    for name in sorted(links, key=lambda n: by_id[n][1] == "delete"):
        target_path, method = by_id[name]
        values = {
            key: _evaluate(expression, path_params, api.headers(), created.json())
            for key, expression in links[name]["parameters"].items()
        }
        headers = {k.removeprefix("header."): v for k, v in values.items() if k.startswith("header.")}
        target = target_path.format(**{k: v for k, v in values.items() if not k.startswith("header.")})
        response = api.request(method.upper(), target, headers=headers, json=body if method == "patch" else None)
        statuses[f"{method.upper()} {target_path}"] = response.status_code
        if method == "get":
            assert ok(response)["id"] == created.json()["data"]["id"]
    return statuses


@each_resource(*[r for r in RESOURCES if r.write is not None])
def test_following_a_creates_links_reaches_what_it_created(
    api: Api, client: TestClient, tenant: Tenant, resource: Resource
) -> None:
    assert resource.write is not None
    body = {resource.write.wrapper: resource.write.body(tenant, 1)}

    statuses = follow(api, openapi(client), PREFIX + resource.write.path, {}, body)

    assert statuses
    assert all(status == (204 if label.startswith("DELETE") else 200) for label, status in statuses.items()), statuses


@pytest.mark.parametrize(
    ("child", "body"),
    [
        ("parts", None),
        ("time_entries", {"time_entry": {"started_at": "2025-01-02T08:00:00Z", "duration": 1.5}}),
        ("costs", {"cost": {"description": "Crane rental", "amount": 120}}),
        ("comments", {"comment": {"body": "Done"}}),
    ],
)
def test_following_a_nested_creates_links_reaches_what_it_created(
    api: Api, client: TestClient, session: Session, tenant: Tenant, child: str, body: dict[str, Any] | None
) -> None:
    work_order = create_work_order(api)
    if body is None:
        body = {"part_id": make_part(session, tenant), "quantity": 2}

    statuses = follow(api, openapi(client), f"{PREFIX}/work_orders/{{id}}/{child}", {"id": str(work_order["id"])}, body)

    assert list(statuses.values()) == [204]
    assert ok(api.get(f"/work_orders/{work_order['id']}"))["part_assignments"] == []
