"""The OpenAPI document, with the X-Entity-Id header described as the API defines it.

The header is read as text so that a missing or non-integer value can be answered with 400 (not the
framework's 422); the document still declares what a client must send: a required integer.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ENTITY_HEADER = {
    "name": "X-Entity-Id",
    "in": "header",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
    "description": "Entity ID (from GET /entities)",
}


def install(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for path in schema["paths"].values():
                for operation in path.values():
                    operation["parameters"] = [
                        ENTITY_HEADER if p.get("name") == "X-Entity-Id" else p for p in operation.get("parameters", [])
                    ]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
