"""The OpenAPI document, with the API key and the X-Entity-Id header described as the API defines them.

The authentication dependencies (core/auth.py) read both headers from the request themselves, so the framework
does not see them: every operation that depends on them gets the `bearer_auth` security requirement, and those
scoped to an entity the header, here. The header is read as text so that a missing or non-integer value can be
answered with 400 (not the framework's 422); the document still declares what a client must send: a required
integer.
"""

from __future__ import annotations

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
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=routes)
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
            _lift_descriptions(schema.get("components", {}).get("schemas", {}))
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEME
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
