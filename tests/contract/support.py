"""Shared helpers of the contract suite: calling a registered list, checking envelopes, the matcher oracle."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.contract.resources import RESOURCES, Kind, Resource
from tests.helpers import Api

Params = Sequence[tuple[str, str]]

# For backend-specific expectations (e.g. a conditional xfail while a bug exists on one database only).
BACKEND = "postgresql" if os.environ.get("WRENCHWORK_TEST_DATABASE_URL", "").startswith("postgresql") else "sqlite"
ON_POSTGRES = BACKEND == "postgresql"
ON_SQLITE = BACKEND == "sqlite"

ERROR_KEYS = {"status", "message"}
BASE_META_KEYS = {"entity", "customer"}
LIST_META_KEYS = BASE_META_KEYS | {"pagination", "sort", "search", "filter"}
ENTITY_META_KEYS = {"id", "name", "currency", "currency_symbol", "datetime_format", "timezone"}
NULL_ENTITY_META = dict.fromkeys(ENTITY_META_KEYS)
INVALID_KEY = {"status": "error", "message": "Invalid API key"}
# The largest id a path accepts (32-bit keys); certainly no record has it in a test database.
MISSING_ID = 2147483647


def each_resource(*resources: Resource) -> Any:
    """`@each_resource()` parametrises a test's `resource` argument over the registry (or the given ones)."""
    chosen = resources or RESOURCES
    return pytest.mark.parametrize("resource", chosen, ids=[r.name for r in chosen])


def api_for(api: Api, resource: Resource) -> Api:
    """The admin's client as the resource wants it: with X-Entity-Id, or without for GET /entities."""
    return api if resource.entity_header else api.as_entity(None)


def get_list(api: Api, resource: Resource, params: Params = ()) -> httpx.Response:
    return api_for(api, resource).get(resource.list_path, params=list(params))


def ok_list(api: Api, resource: Resource, params: Params = ()) -> dict[str, Any]:
    response = get_list(api, resource, params)
    assert response.status_code == 200, f"{resource.list_path} {params}: {response.status_code} {response.text}"
    body: dict[str, Any] = response.json()
    assert_list_envelope(body)
    return body


def ids_of(body: Mapping[str, Any]) -> list[int]:
    return [item["id"] for item in body["data"]]


def all_ids(api: Api, resource: Resource, params: Params = ()) -> list[int]:
    """Every id of the list (following pages), in order."""
    found: list[int] = []
    page = 1
    while True:
        body = ok_list(api, resource, [*params, ("per_page", "100"), ("page", str(page))])
        found += ids_of(body)
        if page >= body["meta"]["pagination"]["total_pages"]:
            return found
        page += 1


def id_in(ids: Iterable[int]) -> tuple[str, str]:
    return ("filter[id_in]", ",".join(str(i) for i in ids))


def assert_list_envelope(body: Mapping[str, Any]) -> None:
    assert set(body) == {"status", "data", "meta"}, body.keys()
    assert body["status"] == "success"
    assert isinstance(body["data"], list)
    meta = body["meta"]
    assert set(meta) == LIST_META_KEYS, meta.keys()
    assert set(meta["entity"]) == ENTITY_META_KEYS
    assert set(meta["customer"]) == {"id", "name"}
    pagination = meta["pagination"]
    assert set(pagination) == {"total", "page", "per_page", "total_pages"}
    assert all(type(v) is int for v in pagination.values()), pagination
    assert pagination["total_pages"] == math.ceil(pagination["total"] / pagination["per_page"])
    assert isinstance(meta["sort"], list) and all(isinstance(term, str) for term in meta["sort"])
    assert meta["search"] is None or isinstance(meta["search"], str)
    assert isinstance(meta["filter"], dict)
    ids = [item["id"] for item in body["data"]]
    assert all(type(i) is int for i in ids) and len(ids) == len(set(ids)), ids
    assert len(ids) <= pagination["per_page"]


def assert_error(response: httpx.Response, status: int, message: str | None = None) -> dict[str, Any]:
    """An error envelope: exactly {status, message}, plus `errors` on (and only on) a 422."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    expected_keys = ERROR_KEYS | {"errors"} if status == 422 else ERROR_KEYS
    assert set(body) == expected_keys, body
    assert body["status"] == "error"
    assert isinstance(body["message"], str) and body["message"]
    if message is not None:
        assert body["message"] == message
    if status == 422:
        errors = body["errors"]
        assert isinstance(errors, dict) and errors
        assert all(isinstance(v, list) and v and all(isinstance(m, str) for m in v) for v in errors.values())
    return body


def assert_422(response: httpx.Response, *keys: str) -> dict[str, Any]:
    """A 422 whose `errors` names each of `keys`."""
    body = assert_error(response, 422)
    for key in keys:
        assert key in body["errors"], f"{key!r} not in {body['errors']}"
    return body


# ---- statement counting ---------------------------------------------------------------------------------------


# ---- the matcher oracle: what each matcher must select, in Python ----------------------------------------------

_TRUE = {"true", "1", "t", "yes"}


def parse_value(kind: Kind, raw: str) -> Any:
    if kind in (Kind.INTEGER, Kind.MEMBERSHIP):
        return int(raw)
    if kind == Kind.DECIMAL:
        return Decimal(raw)
    if kind == Kind.DATE:
        return date.fromisoformat(raw)
    if kind == Kind.DATETIME:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if kind == Kind.BOOLEAN:
        return raw.strip().lower() in _TRUE
    return raw


def matches(kind: Kind, matcher: str, probe: str | list[str], value: Any) -> bool:
    """Does a record whose field holds `value` satisfy `filter[<field>_<matcher>]=<probe>`? (docs/api.md)

    For a MEMBERSHIP `value` is the set of ids the record links to.
    """
    if kind == Kind.MEMBERSHIP:
        return _matches_membership(matcher, probe, value)
    if matcher in ("in", "not_in"):
        raws = probe if isinstance(probe, list) else probe.split(",")
        wanted = [parse_value(kind, raw.strip()) for raw in raws if raw.strip()]
        inside = value is not None and value in wanted
        return inside if matcher == "in" else not inside
    assert isinstance(probe, str)
    if matcher in ("null", "not_null", "present", "blank", "true", "false"):
        flag = probe.strip().lower() in _TRUE
        present = value is not None and str(value).strip() != ""
        result = {
            "null": value is None,
            "not_null": value is not None,
            "present": present,
            "blank": not present,
            "true": value is True,
            "false": value is False,
        }[matcher]
        return result if flag else not result
    if matcher in ("cont", "not_cont", "start", "end"):
        needle = probe.lower()
        text = None if value is None else str(value).lower()
        if matcher == "not_cont":
            return text is None or needle not in text
        if text is None:
            return False
        return {"cont": needle in text, "start": text.startswith(needle), "end": text.endswith(needle)}[matcher]
    target = parse_value(kind, probe)
    if matcher == "not_eq":
        return value is None or value != target
    if value is None:
        return False
    return {
        "eq": value == target,
        "lt": value < target,
        "lteq": value <= target,
        "gt": value > target,
        "gteq": value >= target,
    }[matcher]


def _matches_membership(matcher: str, probe: str | list[str], linked: frozenset[int]) -> bool:
    """A to-many `*_id`: "has / has not such a link" (docs/api.md); no links at all is its null."""
    if matcher in ("null", "not_null"):
        assert isinstance(probe, str)
        empty = not linked if matcher == "null" else bool(linked)
        return empty if probe.strip().lower() in _TRUE else not empty
    raws = probe if isinstance(probe, list) else probe.split(",")
    wanted = {int(raw) for raw in raws if raw.strip()}
    assert matcher in ("in", "not_in") or len(wanted) == 1, (matcher, probe)
    hit = bool(linked & wanted)
    return hit if matcher in ("eq", "in") else not hit


def filter_params(key: str, probe: str | list[str]) -> list[tuple[str, str]]:
    """`filter[key]=probe`, or the repeated `filter[key][]=` form when `probe` is a list."""
    if isinstance(probe, list):
        return [(f"filter[{key}][]", v) for v in probe]
    return [(f"filter[{key}]", probe)]


class Cases:
    """Runs many small checks in one test and reports every one that failed (not just the first)."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.count = 0

    @contextmanager
    def case(self, label: str) -> Iterator[None]:
        self.count += 1
        try:
            yield
        except AssertionError as exc:
            self.failures.append(f"[{label}] {exc}".strip())

    def verify(self) -> None:
        assert self.count, "no case ran"
        assert not self.failures, f"{len(self.failures)} of {self.count} cases failed:\n" + "\n".join(self.failures)
