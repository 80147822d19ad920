"""§9 Error shapes across the app, X-Request-Id and rate limiting, and absurd input that must never be a 500.

The contract conftest checks EVERY response of the suite for an X-Request-Id and a status below 500; the tests
here add explicit, exact expectations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.contract.conftest import check_response
from tests.contract.resources import RESOURCES, WITH_DETAIL, WITH_WRITE, Kind, Resource
from tests.contract.support import Cases, api_for, assert_422, assert_error, each_resource, get_list, ok_list
from tests.helpers import Api, Tenant
from wrenchwork.app import create_app
from wrenchwork.config import Settings

NOT_FOUND = {"status": "error", "message": "Not found"}
NOT_ALLOWED = {"status": "error", "message": "Method not allowed"}
NOT_JSON = {"status": "error", "message": "Request body is not valid JSON"}
NOT_JSON_TYPE = {"status": "error", "message": "Content-Type must be application/json"}
TOO_LARGE = {"status": "error", "message": "Request body is too large"}
MAX_BODY = 1024 * 1024
JSON = {"Content-Type": "application/json"}


def _body(resource: Resource, tenant: Tenant, n: int = 1, **extra: Any) -> dict[str, Any]:
    assert resource.write is not None
    return {resource.write.wrapper: resource.write.body(tenant, n) | extra}


def _write_path(resource: Resource) -> str:
    assert resource.write is not None
    return resource.write.path


# ---- routing --------------------------------------------------------------------------------------------------


def test_unknown_route_is_404_envelope(api: Api, client: TestClient) -> None:
    cases = Cases()
    paths = ("/api/v1/nope", "/api/v1/users/1/nope", "/api/v2/users", "/api/v1/", "/nope", "/api/v1/entities/x/y",
             "/api/v1/usersx", "/api/v1/work_orders_1", "/api/v1/work_ordersx/1")  # fmt: skip
    for path in paths:
        for name, response in (("with key", lambda p=path: api.get(p)), ("without key", lambda p=path: client.get(p))):
            with cases.case(f"{path} {name}"):
                answer = response()
                assert answer.status_code == 404
                assert answer.json() == NOT_FOUND
                assert answer.headers["content-type"] == "application/json"
    cases.verify()


@each_resource()
def test_wrong_method_is_405_envelope(api: Api, session: Session, tenant: Tenant, resource: Resource) -> None:
    cases = Cases()
    for method in ("DELETE", "PUT", "PATCH"):
        with cases.case(f"{method} {resource.list_path}"):
            response = api_for(api, resource).request(method, resource.list_path, json={})
            assert response.status_code == 405, response.text
            assert response.json() == NOT_ALLOWED
    if resource.detail_path is not None:
        record = resource.create(session, tenant)
        session.commit()
        with cases.case(f"POST {resource.detail_path}"):
            response = api.post(resource.detail(record), json={})
            assert response.status_code == 405
            assert response.json() == NOT_ALLOWED
    cases.verify()


# ---- request bodies -------------------------------------------------------------------------------------------


@each_resource(*WITH_WRITE)
def test_malformed_json_is_400(api: Api, resource: Resource) -> None:
    cases = Cases()
    for raw in (b"{bad", b'{"x": ', b"\xff\xfe{}", b"[1,]", b"{'a': 1}", b"{}}"):
        with cases.case(repr(raw)):
            response = api.post(_write_path(resource), content=raw, headers=JSON)
            assert response.status_code == 400, response.text
            assert response.json() == NOT_JSON
    cases.verify()


@each_resource(*WITH_WRITE)
def test_body_that_is_not_utf8_is_400_not_valid_json(api: Api, resource: Resource) -> None:
    response = api.post(_write_path(resource), content=b'{"name": "\xc3\x28"}', headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json() == NOT_JSON


@each_resource(*WITH_WRITE)
def test_content_type(api: Api, tenant: Tenant, resource: Resource) -> None:
    """Anything but JSON is 415; every spelling of JSON is accepted."""
    cases = Cases()
    refused = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json")
    for number, content_type in enumerate(refused):
        with cases.case(content_type):
            payload = json.dumps(_body(resource, tenant, number)).encode()
            response = api.post(_write_path(resource), content=payload, headers={"Content-Type": content_type})
            assert response.status_code == 415, response.text
            assert response.json() == NOT_JSON_TYPE
    accepted = ("application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.x+json")
    for number, content_type in enumerate(accepted, start=10):
        with cases.case(content_type):
            payload = json.dumps(_body(resource, tenant, number)).encode()
            response = api.post(_write_path(resource), content=payload, headers={"Content-Type": content_type})
            assert response.status_code == 201, response.text
    cases.verify()


def _padded(resource: Resource, tenant: Tenant, size: int) -> bytes:
    """A valid create body padded with whitespace to exactly `size` bytes."""
    payload = json.dumps(_body(resource, tenant)).encode()
    return payload + b" " * (size - len(payload))


@each_resource(*WITH_WRITE)
def test_body_over_one_mib_is_413(api: Api, tenant: Tenant, resource: Resource) -> None:
    response = api.post(_write_path(resource), content=_padded(resource, tenant, MAX_BODY + 1), headers=JSON)
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    # Exactly 1 MiB is still accepted.
    response = api.post(_write_path(resource), content=_padded(resource, tenant, MAX_BODY), headers=JSON)
    assert response.status_code == 201, response.text


@each_resource(*WITH_WRITE)
def test_chunked_body_over_one_mib_is_413(api: Api, tenant: Tenant, resource: Resource) -> None:
    """The same limit without a Content-Length (chunked transfer)."""
    payload = _padded(resource, tenant, MAX_BODY + 64 * 1024)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 64 * 1024):
            yield payload[start : start + 64 * 1024]

    response = api.post(_write_path(resource), content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


@each_resource(*WITH_WRITE)
def test_unknown_field_is_422_naming_its_path(api: Api, tenant: Tenant, resource: Resource) -> None:
    assert resource.write is not None
    wrapper = resource.write.wrapper
    inside = assert_422(api.post(resource.write.path, json=_body(resource, tenant, nme="x")), f"{wrapper}.nme")
    assert set(inside["errors"]) == {f"{wrapper}.nme"}
    assert inside["message"] == f"{wrapper}.nme {inside['errors'][f'{wrapper}.nme'][0]}"
    beside = assert_422(api.post(resource.write.path, json=_body(resource, tenant) | {"nme": "x"}), "nme")
    assert set(beside["errors"]) == {"nme"}


@each_resource(*WITH_WRITE)
def test_wrong_type_is_422(api: Api, tenant: Tenant, resource: Resource) -> None:
    assert resource.write is not None
    name, value = resource.write.wrong_type
    response = api.post(resource.write.path, json=_body(resource, tenant, **{name: value}))
    body = assert_422(response, f"{resource.write.wrapper}.{name}")
    assert set(body["errors"]) == {f"{resource.write.wrapper}.{name}"}


@each_resource(*WITH_WRITE)
def test_missing_or_wrong_wrapper_is_422(api: Api, resource: Resource) -> None:
    assert resource.write is not None
    wrapper = resource.write.wrapper
    cases = Cases()
    for payload in ({}, {"x": 1}, {wrapper: "x"}, {wrapper: None}, {wrapper: []}, [], "text", 5, None):
        with cases.case(repr(payload)):
            assert_error(api.post(resource.write.path, json=payload), 422)
    cases.verify()


@each_resource(*WITH_WRITE)
def test_odd_body_values_are_never_a_500(api: Api, tenant: Tenant, resource: Resource) -> None:
    assert resource.write is not None
    cases = Cases()
    odd: list[Any] = ["😀 Ünïcödé ✓ \u202e", "x" * 100_000, ["list"], {"nested": True}, True, 1e308, "a\x00b"]
    for number, value in enumerate(odd):
        with cases.case(repr(value)[:40]):
            response = api.post(resource.write.path, json=_body(resource, tenant, number, name=value))
            assert response.status_code in (201, 422), response.text
            if response.status_code == 422:
                assert_error(response, 422)
    deep = b"[" * 100_000 + b"]" * 100_000
    with cases.case("deeply nested"):
        response = api.post(resource.write.path, content=deep, headers=JSON)
        assert response.status_code in (400, 422), response.text
    cases.verify()


# ---- request ids ----------------------------------------------------------------------------------------------


def test_request_id_on_every_kind_of_response(client: TestClient, api: Api) -> None:
    responses = [
        api.get("/users"),  # 200
        client.get("/api/v1/users"),  # 401
        api.as_entity(None).get("/users"),  # 400
        api.as_entity(999999).get("/users"),  # 403
        api.get("/users/2147483647"),  # 404
        api.get("/nope"),  # 404 (route)
        api.delete("/users"),  # 405
        api.post("/users", content=b"x" * (MAX_BODY + 1), headers=JSON),  # 413
        api.post("/users", content=b"x", headers={"Content-Type": "text/plain"}),  # 415
        api.post("/users", content=b"{", headers=JSON),  # 400
        api.get("/users", params={"foo": "1"}),  # 422
        client.get("/healthz"),
    ]
    ids = [r.headers.get("x-request-id") for r in responses]
    assert all(ids), ids
    assert len(set(ids)) == len(ids), "each request gets its own id"
    assert all(re.fullmatch(r"[A-Za-z0-9._-]{1,64}", i or "") for i in ids)


def test_client_request_id_is_kept_or_replaced(client: TestClient, tenant: Tenant) -> None:
    """A usable client id (1-64 of [A-Za-z0-9._-]) is echoed; anything else is replaced by a generated one."""
    cases = Cases()
    for sent in ("abc-123", "A.b_c-9", "x" * 64):
        for path in ("/api/v1/users", "/nope"):
            with cases.case(f"{sent} {path}"):
                headers = {"Authorization": f"Bearer {tenant.token}", "X-Entity-Id": "1", "X-Request-Id": sent}
                assert client.get(path, headers=headers).headers["x-request-id"] == sent
    for sent in ("", "x" * 65, "has space", "back\\slash", "é", "a/b", "<script>"):
        with cases.case(repr(sent)):
            headers = [
                (b"authorization", f"Bearer {tenant.token}".encode()),
                (b"x-entity-id", str(tenant.entity_id).encode()),
                (b"x-request-id", sent.encode()),
            ]
            received = client.get("/api/v1/users", headers=headers).headers["x-request-id"]
            assert received and received != sent
            assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", received)
    cases.verify()


# ---- rate limiting --------------------------------------------------------------------------------------------


@pytest.fixture
def limited_client(settings: Settings, engine: object) -> Iterator[TestClient]:
    """The same database behind an app that allows 3 requests per 5 minutes."""
    app: FastAPI = create_app(settings.model_copy(update={"rate_limit": "3 per 5 minutes"}))
    with TestClient(app, raise_server_exceptions=False) as client:
        client.event_hooks["response"].append(check_response)
        yield client
    app.state.engine.dispose()


@each_resource()
def test_rate_limit_429(limited_client: TestClient, tenant: Tenant, resource: Resource) -> None:
    api = Api(limited_client, tenant.token, tenant.entity_id)
    allowed = [get_list(api, resource) for _ in range(3)]
    for number, response in enumerate(allowed):
        assert response.status_code == 200
        assert response.headers["x-ratelimit-limit"] == "3"
        assert response.headers["x-ratelimit-remaining"] == str(2 - number)
        assert int(response.headers["x-ratelimit-reset"]) > 0
    limited = get_list(api, resource)
    assert limited.status_code == 429
    body = limited.json()
    assert set(body) == {"status", "message"} and body["status"] == "error"
    retry = int(limited.headers["retry-after"])
    assert 0 <= retry <= 300  # never past the window's end
    assert body["message"] == f"Rate limit exceeded, retry in {retry} seconds"
    assert limited.headers["x-request-id"]
    assert limited.headers["x-ratelimit-remaining"] == "0"
    # Unauthenticated calls count too (the limit is per IP, before authentication).
    assert limited_client.get("/api/v1" + resource.list_path).status_code == 429


def test_rate_limit_headers_on_every_api_response(limited_client: TestClient, tenant: Tenant) -> None:
    """Every answer under /api/ counts and says so, whatever its status; /healthz is neither counted nor labelled."""
    api = Api(limited_client, tenant.token, tenant.entity_id)
    responses = [
        api.get("/users"),
        limited_client.get("/api/v1/users"),
        api.get("/users", params={"foo": "1"}),
    ]
    assert [r.status_code for r in responses] == [200, 401, 422]
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["2", "1", "0"]
    for response in responses:
        assert response.headers["x-ratelimit-limit"] == "3"
        assert int(response.headers["x-ratelimit-reset"]) > 0
        assert "retry-after" not in response.headers  # only a 429 asks to retry
    health = limited_client.get("/healthz")
    assert health.status_code == 200 and "x-ratelimit-limit" not in health.headers
    assert api.delete("/users").status_code == 429


# ---- absurd input: never a 500 ---------------------------------------------------------------------------------


def _first(resource: Resource, kind: Kind) -> str | None:
    return next((n for n, f in resource.filterable.items() if f.kind == kind), None)


def _absurd_queries(r: Resource) -> dict[str, list[tuple[str, str]]]:
    text = _first(r, Kind.STRING)
    cases: dict[str, list[tuple[str, str]]] = {
        "search-emoji": [("search", "😀🔧" * 50)],
        "search-long": [("search", "x" * 8000)],
        "search-percent": [("search", "%" * 200)],
        "search-rtl": [("search", "\u202eabc\u200b")],
        "search-nul": [("search", "a\x00b")],
        "eq-nul": [(f"filter[{text}_eq]", "\x00")],
        "cont-nul": [(f"filter[{text}_cont]", "\x00")],
        "in-nul": [(f"filter[{text}_in]", "a,\x00")],
        "key-nul": [("filter[\x00]", "1")],
        "param-nul": [("\x00", "1")],
        "sort-nul": [("sort", "\x00")],
        "id-2^31": [("filter[id_eq]", "2147483648")],
        "id-minus-2^33": [("filter[id_lt]", "-9999999999")],
        "id-in-2^63": [("filter[id_in]", "1,9223372036854775807")],
        "id-2^70": [("filter[id_eq]", str(2**70))],
        "id-in-1001": [("filter[id_in]", ",".join(str(i) for i in range(1, 1002)))],
        "per_page-huge": [("per_page", "9" * 30)],
        "page-2^31": [("page", "2147483648")],
        "page-2^66": [("page", "99999999999999999999")],
        "unicode-key": [("filter[nämé_eq]", "x")],
        "unicode-value": [(f"filter[{text}_eq]", "Ünïcödé ✓")],
    }
    decimal = _first(r, Kind.DECIMAL)
    if decimal:
        cases |= {
            "decimal-huge": [(f"filter[{decimal}_lt]", "1e999999999")],
            "decimal-tiny": [(f"filter[{decimal}_gt]", "1e-999999999")],
            "decimal-long": [(f"filter[{decimal}_eq]", "1." + "1" * 500)],
            "decimal-wide": [(f"filter[{decimal}_eq]", "9" * 40)],
        }
    day = _first(r, Kind.DATE)
    if day:
        cases |= {
            "date-min": [(f"filter[{day}_gt]", "0001-01-01")],
            "date-max": [(f"filter[{day}_lt]", "9999-12-31")],
            "date-year-0": [(f"filter[{day}_eq]", "0000-01-01")],
            "date-year-5-digits": [(f"filter[{day}_lteq]", "10000-01-01")],
            "date-in-many": [(f"filter[{day}_in]", ",".join([f"2024-01-{d:02d}" for d in range(1, 32)] * 20))],
        }
    link = _first(r, Kind.MEMBERSHIP)
    if link:
        cases |= {
            "link-2^31": [(f"filter[{link}_eq]", "2147483648")],
            "link-2^70": [(f"filter[{link}_not_eq]", str(2**70))],
            "link-negative": [(f"filter[{link}_eq]", "-1")],
            "link-in-1001": [(f"filter[{link}_in]", ",".join(str(i) for i in range(1, 1002)))],
        }
    moment = _first(r, Kind.DATETIME)
    if moment:
        cases |= {
            "datetime-min": [(f"filter[{moment}_gt]", "0001-01-01T00:00:00Z")],
            "datetime-max": [(f"filter[{moment}_lt]", "9999-12-31T23:59:59Z")],
            "datetime-min-offset": [(f"filter[{moment}_lt]", "0001-01-01T00:00:00+01:00")],
            "datetime-max-offset": [(f"filter[{moment}_gt]", "9999-12-31T23:59:59-01:00")],
        }
    return cases


@each_resource()
def test_absurd_query_is_never_a_500(api: Api, resource: Resource) -> None:
    """200 with a well-formed list, or a 422 envelope: nothing a client sends may be a server error."""
    cases = Cases()
    for name, params in _absurd_queries(resource).items():
        with cases.case(name):
            response = get_list(api, resource, params)
            assert response.status_code in (200, 422), response.text
            if response.status_code == 200:
                ok_list(api, resource, params)
            else:
                assert_error(response, 422)
    cases.verify()


@each_resource(*WITH_DETAIL)
def test_absurd_detail_id_is_422(api: Api, resource: Resource) -> None:
    """Anything but plain digits from 1 to 2147483647 in an id path is a 422 naming `id` (docs/api.md)."""
    assert resource.detail_path is not None
    cases = Cases()
    raw_ids = ("99999999999999999999", "2147483648", "0", "-1", "1.5", "abc", "%00", "%C3%A9", "1e3", "0x1", "1_0")
    for raw_id in (*raw_ids, "%D9%A1", "%EF%BC%91", "+1"):
        with cases.case(raw_id):
            body = assert_422(api.get(resource.detail_path.replace("{id}", raw_id)), "id")
            assert set(body["errors"]) == {"id"}
    cases.verify()


@each_resource(*(r for r in RESOURCES if r.entity_header))
def test_absurd_entity_header(client: TestClient, tenant: Tenant, resource: Resource) -> None:
    """Integers no entity can have are 403 (like any entity without a role); non-integers are 400."""
    cases = Cases()
    for entity in ("2147483648", "999999999999999999"):
        with cases.case(entity):
            headers = {"Authorization": f"Bearer {tenant.token}", "X-Entity-Id": entity}
            assert_error(client.get("/api/v1" + resource.list_path, headers=headers), 403)
    for entity in ("99999999999999999999", "1" * 40, "²", "¹", "\u0661"):
        with cases.case(repr(entity)):
            headers_raw = [
                (b"authorization", f"Bearer {tenant.token}".encode()),
                (b"x-entity-id", entity.encode("utf-8")),
            ]
            response = client.get("/api/v1" + resource.list_path, headers=headers_raw)
            assert_error(response, 400, "X-Entity-Id header must be an integer")
    cases.verify()
