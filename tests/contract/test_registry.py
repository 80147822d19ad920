"""The registry must describe each list exactly as the server documents it (GET /api/v1/openapi.json).

When a resource gains a filterable, sortable or searchable field, these tests fail until the registry says so,
so the rest of the suite keeps testing the list the server really has.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from fastapi.testclient import TestClient

from tests.contract.resources import RESOURCES, Kind, Resource
from tests.contract.support import each_resource

_OPENAPI: dict[str, Any] = {}


def openapi(client: TestClient) -> dict[str, Any]:
    if not _OPENAPI:
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200
        _OPENAPI.update(orjson.loads(response.content))
    return _OPENAPI


def list_parameters(client: TestClient, resource: Resource) -> dict[str, dict[str, Any]]:
    operation = openapi(client)["paths"]["/api/v1" + resource.list_path]["get"]
    return {p["name"]: p for p in operation["parameters"]}


@each_resource()
def test_documented_filters_match_registry(client: TestClient, resource: Resource) -> None:
    description = list_parameters(client, resource)["filter"]["description"]
    documented = {
        name: tuple(m.strip() for m in matchers.split(","))
        for name, matchers in re.findall(r"`([a-z0-9_]+)` \(([a-z_, ]+)\)", description)
    }
    registered = {name: f.matchers for name, f in resource.filterable.items()}
    assert documented == registered


@each_resource()
def test_documented_sort_and_search_match_registry(client: TestClient, resource: Resource) -> None:
    params = list_parameters(client, resource)
    sortable = params["sort"]["description"].split("Sortable: ", 1)[1]
    assert sorted(s.strip() for s in sortable.split(",")) == sorted(resource.sortable)
    assert params["sort"]["schema"]["default"] == ", ".join(resource.default_sort)
    searched = params["search"]["description"].split("match in: ", 1)[1]
    assert [s.strip() for s in searched.split(",")] == list(resource.search)
    assert params["per_page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}
    assert params["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 2147483647, "default": 1}
    assert ("X-Entity-Id" in params) is resource.entity_header


@each_resource()
def test_registry_entry_is_complete(resource: Resource) -> None:
    """Each entry gives the generic tests real data to work on (so none of them can pass vacuously)."""
    assert resource.filterable.get("id") is not None and resource.filterable["id"].kind == Kind.INTEGER
    assert "id" in resource.sortable
    assert set(resource.search) <= {n for n, f in resource.filterable.items() if f.kind == Kind.STRING}
    for sample in resource.samples:
        assert sample.field in resource.filterable, sample
        # A to-many `*_id` is tested with real links: to records the sample's `target` makes.
        assert (sample.target is not None) is (resource.filterable[sample.field].kind == Kind.MEMBERSHIP), sample
    # Every kind of field the list has gets real data in the matcher tests (integers at least through `id`).
    kinds_sampled = {resource.filterable[s.field].kind for s in resource.samples} | {Kind.INTEGER}
    assert {f.kind for f in resource.filterable.values()} <= kinds_sampled
    terms = [t.split() for t in resource.multi_sort.split(",")]
    assert len(terms) == 2 and all(t[0] in resource.sortable and t[1] in ("asc", "desc") for t in terms)
    for term in resource.default_sort:
        name, direction = term.split()
        assert name in resource.sortable and direction in ("asc", "desc")
    assert len(resource.sort_rows) >= 5
    if resource.deletable:
        assert resource.detail_path is not None and resource.remove is not None
    if resource.unsearched is not None:
        assert resource.unsearched not in resource.search
        assert resource.filterable[resource.unsearched].kind == Kind.STRING


def test_registry_names_are_unique() -> None:
    assert len({r.name for r in RESOURCES}) == len(RESOURCES)
    assert len({r.list_path for r in RESOURCES}) == len(RESOURCES)
