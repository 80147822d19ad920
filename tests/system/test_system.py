"""Health checks, the offline API docs and the OpenAPI document."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import Api

METHODS = {"get", "post", "put", "patch", "delete"}
LIST_PARAMS = {"search", "sort", "filter", "page", "per_page"}
# Operations the published Click Maint docs have (DESIGN.md §2, first table); every other one is an extension.
DOCUMENTED = {
    ("get", "/entities"),
    ("get", "/users"),
    ("get", "/users/{id}"),
    ("get", "/vendors"),
    ("get", "/vendors/{id}"),
    ("post", "/locations"),
    ("get", "/locations"),
    ("get", "/locations/{id}"),
    ("patch", "/locations/{id}"),
    ("post", "/assets"),
    ("get", "/assets"),
    ("get", "/assets/{id}"),
    ("patch", "/assets/{id}"),
    ("post", "/parts"),
    ("get", "/parts"),
    ("get", "/parts/{id}"),
    ("patch", "/parts/{id}"),
    ("patch", "/parts/{id}/restock"),
    ("patch", "/parts/{id}/reconcile"),
    ("patch", "/parts/{id}/unit_cost"),
    ("patch", "/parts/{id}/avg_unit_cost"),
    ("get", "/parts/{id}/transactions"),
    ("get", "/parts/{id}/transactions/{transaction_id}"),
    ("get", "/pm_schedules"),
    ("get", "/pm_schedules/{id}"),
    ("get", "/procedure_templates"),
    ("get", "/procedure_templates/{id}"),
    ("post", "/work_order_requests"),
    ("get", "/work_order_requests"),
    ("get", "/work_order_requests/{id}"),
    ("patch", "/work_order_requests/{id}"),
    ("post", "/work_orders"),
    ("get", "/work_orders"),
    ("get", "/work_orders/{id}"),
    ("patch", "/work_orders/{id}"),
    ("post", "/work_orders/{id}/parts"),
    ("patch", "/work_orders/{id}/parts"),
    ("delete", "/work_orders/{id}/parts/{part_id}"),
    ("post", "/batch"),
}
DOCUMENTED_LISTS = {
    "/entities",
    "/users",
    "/vendors",
    "/locations",
    "/assets",
    "/parts",
    "/parts/{id}/transactions",
    "/pm_schedules",
    "/procedure_templates",
    "/work_order_requests",
    "/work_orders",
}


class _Sources(HTMLParser):
    """Collects the src/href of every script, link and img of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if tag in ("script", "link", "img") and name in ("src", "href") and value:
                self.found.append((tag, value))


@pytest.fixture(scope="module")
def openapi(app: FastAPI) -> dict[str, Any]:
    with TestClient(app) as client:
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document: dict[str, Any] = response.json()
    return document


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1/")
        for method, op in item.items()
        if method in METHODS
    ]


# ---- health ----------------------------------------------------------------------------------------------------


def test_healthz_answers_without_auth(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database_without_auth(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_checks_ignore_a_bad_key(client: TestClient) -> None:
    for path in ("/healthz", "/readyz"):
        assert client.get(path, headers={"Authorization": "Bearer nope"}).status_code == 200


# ---- docs ------------------------------------------------------------------------------------------------------


def test_docs_page_loads_everything_from_this_server(client: TestClient) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = _Sources()
    parser.feed(response.text)
    kinds = {tag for tag, _ in parser.found}
    assert {"script", "link"} <= kinds, parser.found
    for tag, source in parser.found:
        assert not re.match(r"^(https?:)?//", source), (tag, source)
        assert source.startswith("/api/docs/static/"), (tag, source)
    assert "/api/v1/openapi.json" in response.text
    for _tag, source in parser.found:
        static = client.get(source)
        assert static.status_code == 200, source
        assert len(static.content) > 100, source
        if source.endswith(".js"):
            assert "javascript" in static.headers["content-type"]
        if source.endswith(".css"):
            assert static.headers["content-type"].startswith("text/css")


def test_missing_static_file_is_404(client: TestClient) -> None:
    assert client.get("/api/docs/static/no-such-file.js").status_code == 404


def test_root_is_the_web_app_and_the_docs_stay(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/sign-in")
    assert "<h1>Sign in</h1>" in client.get("/").text
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/v1/openapi.json" in docs.text


# ---- OpenAPI ---------------------------------------------------------------------------------------------------


def test_openapi_declares_bearer_auth(openapi: dict[str, Any]) -> None:
    scheme = openapi["components"]["securitySchemes"]["bearer_auth"]
    assert scheme["type"] == "http"
    assert scheme["scheme"].lower() == "bearer"


def test_every_api_operation_requires_bearer_auth(openapi: dict[str, Any]) -> None:
    missing = [(m, p) for m, p, op in operations(openapi) if {"bearer_auth": []} not in op.get("security", [])]
    assert missing == []


def test_the_operations_of_this_server_are_listed(openapi: dict[str, Any]) -> None:
    listed = {(m, p.removeprefix("/api/v1")) for m, p, _ in operations(openapi)}
    expected = {
        ("get", "/entities"),
        ("post", "/entities"),
        ("patch", "/entities/{id}"),
        ("get", "/users"),
        ("post", "/users"),
        ("get", "/users/{id}"),
        ("patch", "/users/{id}"),
        ("get", "/api_keys"),
        ("post", "/api_keys"),
        ("delete", "/api_keys/{id}"),
        ("post", "/batch"),
        ("get", "/locations"),
        ("post", "/locations"),
    }
    assert expected <= listed, sorted(expected - listed)


def _concrete(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "2147483647", path)


def test_every_listed_operation_is_routed(api: Api, openapi: dict[str, Any]) -> None:
    """Each documented method and path reaches a handler: never 405, never the router's bare 404."""
    for method, path, _ in operations(openapi):
        if path == "/api/v1/openapi.json":
            continue
        kwargs: dict[str, Any] = {"json": {}} if method in ("post", "patch", "put") else {}
        response = api.request(method.upper(), _concrete(path), **kwargs)
        assert response.status_code != 405, (method, path)
        if not response.headers["content-type"].startswith("application/json"):
            assert response.status_code == 200, (method, path)  # a file (the exports)
            continue
        assert response.json() != {"status": "error", "message": "Not found"}, (method, path)


def test_every_update_also_answers_put(api: Api, openapi: dict[str, Any]) -> None:
    """`PATCH /<resource>/{id}` updates are also accepted as PUT (actions such as `/status` are not updates)."""
    patches = [p for m, p, _ in operations(openapi) if m == "patch" and p.endswith("/{id}")]
    assert patches
    for path in patches:
        patch = api.patch(_concrete(path), json={})
        put = api.put(_concrete(path), json={})
        assert put.status_code != 405, path
        assert (put.status_code, put.json()) == (patch.status_code, patch.json()), path


def test_entity_header_is_required_everywhere_but_the_entities_list(openapi: dict[str, Any]) -> None:
    for method, path, op in operations(openapi):
        if path == "/api/v1/openapi.json":
            continue
        headers = [p for p in op.get("parameters", []) if p["in"] == "header" and p["name"] == "X-Entity-Id"]
        if (method, path) == ("get", "/api/v1/entities"):
            assert headers == [], "GET /entities takes no X-Entity-Id"
        else:
            assert len(headers) == 1, (method, path)
            assert headers[0]["required"] is True
            assert headers[0]["schema"]["type"] == "integer"


def test_extensions_are_tagged_and_documented_operations_are_not(openapi: dict[str, Any]) -> None:
    wrong = []
    for method, path, op in operations(openapi):
        short = path.removeprefix("/api/v1")
        is_extension = "extension" in op.get("tags", [])
        if ((method, short) in DOCUMENTED) == is_extension:
            wrong.append((method, short, op.get("tags")))
    assert wrong == []


def test_known_extensions_are_tagged(openapi: dict[str, Any]) -> None:
    tags = {(m, p.removeprefix("/api/v1")): op.get("tags", []) for m, p, op in operations(openapi)}
    for key in [
        ("post", "/entities"),
        ("patch", "/entities/{id}"),
        ("post", "/users"),
        ("patch", "/users/{id}"),
        ("get", "/api_keys"),
        ("post", "/api_keys"),
        ("delete", "/api_keys/{id}"),
    ]:
        assert "extension" in tags[key], key


def test_list_endpoints_document_search_sort_filter_and_paging(openapi: dict[str, Any]) -> None:
    lists = []
    for method, path, op in operations(openapi):
        schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if method == "get" and "ListEnvelope" in schema.get("$ref", ""):
            lists.append(path)
            params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
            assert set(params) >= LIST_PARAMS, (path, sorted(params))
            assert params["filter"]["style"] == "deepObject", path
            assert params["page"]["schema"]["type"] == "integer"
            assert params["per_page"]["schema"]["type"] == "integer"
            assert params["per_page"]["schema"].get("default") == 50
            assert params["page"]["schema"].get("default") == 1
    present = {p.removeprefix("/api/v1") for p in lists}
    assert {"/entities", "/users", "/api_keys"} <= present
    # Every documented list that this server already has is documented as a list.
    all_paths = {p.removeprefix("/api/v1") for _, p, _ in operations(openapi)}
    assert (DOCUMENTED_LISTS & all_paths) <= present


def test_default_sorts_of_the_documented_lists(openapi: dict[str, Any]) -> None:
    expected = {"/entities": "name asc", "/users": "name asc", "/vendors": "name asc", "/locations": "name asc"}
    for path, default in expected.items():
        op = openapi["paths"][f"/api/v1{path}"]["get"]
        sort = next(p for p in op["parameters"] if p["name"] == "sort")
        assert sort["schema"]["default"] == default, path
