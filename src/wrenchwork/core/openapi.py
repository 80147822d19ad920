"""The OpenAPI document, with the API key and the X-Entity-Id header described as the API defines them.

The authentication dependencies (core/auth.py) read both headers from the request themselves, so the framework
does not see them: every operation that depends on them gets the `bearer_auth` security requirement, and those
scoped to an entity the header, here. The header is read as text so that a missing or non-integer value can be
answered with 400 (not the framework's 422); the document still declares what a client must send: a required
integer.

Every create also declares links to the operations on what it created (`add_links`), so a client or a stateful
test can chain `POST /x` to `GET/PATCH/DELETE /x/{id}` without knowing the API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from wrenchwork.core.auth import EntityScope, current_principal
from wrenchwork.core.routing import flat_routes

SECURITY_SCHEME = {"bearer_auth": {"type": "http", "scheme": "bearer", "description": "API key"}}
ENTITY_HEADER = {
    "name": "X-Entity-Id",
    "in": "header",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
    "description": "Entity ID (from GET /entities)",
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _auth_of(route: APIRoute) -> tuple[bool, bool]:
    """(needs the API key, needs X-Entity-Id) for one route."""
    calls = list(_calls(route.dependant))
    scoped = any(isinstance(call, EntityScope) for call in calls)
    return scoped or current_principal in calls, scoped


def _lift_descriptions(schemas: dict[str, Any]) -> None:
    """A nullable field of an annotated type (`LocationId | None`) carries the type's description inside its
    `anyOf` branch, where documentation viewers easily miss it: show it on the field itself."""
    for schema in schemas.values():
        for field in schema.get("properties", {}).values():
            if "description" in field or "anyOf" not in field:
                continue
            described = [branch for branch in field["anyOf"] if "description" in branch]
            if len(described) == 1:
                field["description"] = described[0].pop("description")


def install(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            routes = flat_routes(app.routes)
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=routes,
                webhooks=app.webhooks.routes,
            )  # fmt: skip
            for route in routes:
                if not (isinstance(route, APIRoute) and route.include_in_schema):
                    continue
                keyed, scoped = _auth_of(route)
                for method in route.methods or ():
                    operation = schema["paths"][route.path_format].get(method.lower())
                    if operation is None:
                        continue
                    if keyed:
                        operation["security"] = [{"bearer_auth": []}]
                    if scoped:
                        parameters = operation.get("parameters", [])
                        in_path = sum(1 for p in parameters if p["in"] == "path")
                        operation["parameters"] = [*parameters[:in_path], ENTITY_HEADER, *parameters[in_path:]]
            for name, extra in getattr(app.state, "extra_schemas", lambda: {})().items():
                schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(name, extra)
            _lift_descriptions(schema.get("components", {}).get("schemas", {}))
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEME
            add_links(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _created_fields(schema: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """The properties of `data` in a success response of the envelope shape (empty for any other shape)."""
    body = response.get("content", {}).get("application/json", {}).get("schema")
    if body is None:
        return {}
    data = _resolve(schema, body).get("properties", {}).get("data")
    return _resolve(schema, data).get("properties", {}) if data is not None else {}


def add_links(schema: dict[str, Any]) -> None:
    """Links from every `POST /x` to the operations of its `/x/{key}` sibling (GET, PATCH, PUT, DELETE).

    `{key}` comes from the created record, `$response.body#/data/<key>` when `data` has a field of that name (a
    work order's part assignment: `part_id`), else `$response.body#/data/id`; the parent's path parameters and
    X-Entity-Id come from the create request itself. A create whose answer has neither field gets no links."""
    paths: dict[str, dict[str, Any]] = schema["paths"]
    for path, item in paths.items():
        create = item.get("post")
        if create is None:
            continue
        status = next((code for code in create.get("responses", {}) if code.startswith("2")), None)
        if status is None:
            continue
        fields = _created_fields(schema, create["responses"][status])
        links: dict[str, Any] = {}
        for child_path, child in paths.items():
            match = re.fullmatch(re.escape(path) + r"/\{(\w+)\}", child_path)
            if match is None:
                continue
            key = match.group(1)
            field = key if key in fields else "id" if "id" in fields else None
            if field is None:
                continue
            for method in ("get", "patch", "put", "delete"):
                target = child.get(method)
                if target is None or "operationId" not in target:
                    continue
                parameters: dict[str, str] = {}
                for parameter in target.get("parameters", []):
                    name = parameter["name"]
                    if parameter["in"] == "path":
                        parameters[name] = f"$response.body#/data/{field}" if name == key else f"$request.path.{name}"
                    elif parameter["in"] == "header" and name == ENTITY_HEADER["name"]:
                        parameters[f"header.{name}"] = f"$request.header.{name}"
                links[target["operationId"]] = {
                    "operationId": target["operationId"],
                    "parameters": parameters,
                    "description": f"{method.upper()} {child_path} of the record this request created",
                }
        if links:
            create["responses"][status]["links"] = links
