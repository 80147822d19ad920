"""Every id and enum-like field of the OpenAPI document says what it refers to or may hold.

A client cannot guess that completing a work order means `status_id: 5`, or what `asset_types_ids` must name: the
document has to say it. This walks every schema and parameter and fails for any such field without a description.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

# Fields whose values are a fixed set even where a schema types them as plain text.
ENUM_LIKE_NAMES = {
    "status", "type", "priority", "role", "item_type", "rate_type", "currency", "datetime_format", "language",
    "auth_type", "method", "base_status", "timezone",
}  # fmt: skip


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    with TestClient(app) as client:
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def is_id(name: str) -> bool:
    return name == "id" or name.endswith(("_id", "_ids"))


def has_fixed_values(schema: Any) -> bool:
    """`enum` or `const` anywhere in the field's own schema (its `anyOf` branches, array items)."""
    if isinstance(schema, dict):
        return "enum" in schema or "const" in schema or any(has_fixed_values(v) for v in schema.values())
    if isinstance(schema, list):
        return any(has_fixed_values(v) for v in schema)
    return False


def needs_description(name: str, schema: dict[str, Any]) -> bool:
    return is_id(name) or name in ENUM_LIKE_NAMES or has_fixed_values(schema)


def fields(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(where, name, schema) of every property of every component schema and every operation parameter."""
    for model, schema in document["components"]["schemas"].items():
        for name, field in schema.get("properties", {}).items():
            yield model, name, field
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                yield f"{method.upper()} {path}", parameter["name"], parameter


def test_every_id_and_enum_field_is_described(document: dict[str, Any]) -> None:
    undescribed = [
        f"{where}.{name}"
        for where, name, field in fields(document)
        if needs_description(name, field.get("schema", field)) and not str(field.get("description", "")).strip()
    ]
    assert undescribed == []


def test_the_walk_sees_the_fields_it_checks(document: dict[str, Any]) -> None:
    """Guards the test above against walking nothing."""
    checked = {(where, name) for where, name, field in fields(document) if needs_description(name, field)}
    assert ("WorkOrderCreate", "status_id") in checked
    assert ("WorkOrderCreate", "categories_ids") in checked
    assert ("AssetDetail", "status") in checked
    assert ("Envelope_WorkOrderDetail_", "status") in checked
    assert len(checked) > 200


def test_status_id_names_the_built_in_statuses(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for model in ("WorkOrderCreate", "WorkOrderUpdate"):
        description = schemas[model]["properties"]["status_id"]["description"]
        for built_in in ("1 open", "2 in_progress", "3 on_hold", "4 cancelled", "5 completed"):
            assert built_in in description, (model, description)
        assert "GET /work_order_statuses" in description
    base = schemas["StatusIn"]["properties"]["base_status_id"]
    assert base["enum"] == [1, 2, 3, 4, 5]
    assert "5 completed" in base["description"]


def test_fixed_values_are_listed(document: dict[str, Any]) -> None:
    """Where the values are fixed, the schema lists them (`enum`), not only the prose."""
    schemas = document["components"]["schemas"]

    def values(model: str, name: str) -> list[Any]:
        field = schemas[model]["properties"][name]
        branches = field.get("anyOf", [field])
        found: list[Any] = next(b["enum"] for b in branches if "enum" in b)
        return found

    assert values("WorkOrderCreate", "priority") == ["none", "low", "medium", "high"]
    assert values("AssetDetail", "status") == ["online", "offline"]
    assert values("AssetRef", "status") == ["online", "offline"]
    assert values("TransactionItem", "type") == [
        "initial", "restock", "reconcile", "cost_update", "avg_cost_update", "usage", "usage_return",
    ]  # fmt: skip
    assert values("EntityItem", "datetime_format")[0] == "MM/DD/YYYY - 11:59 PM"
    assert "USD" in values("EntityCreate", "currency")
    assert values("TemplateItem", "item_type")[0] == "text"
