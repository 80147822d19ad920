"""`changed_fields` speaks the API's language: every stored column of a resource is named as the resource's update
body or detail names it (or is declared not shown), once, in events/resources.py."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import inspect

from wrenchwork.core.routing import flat_routes
from wrenchwork.events.resources import registry


def _fields(model: Any) -> set[str]:
    return set(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else set()


def _names_of(app: FastAPI, paths: frozenset[str]) -> set[str]:
    """Everything the resource's routes take or answer: the update body's and the detail's field names."""
    names: set[str] = set()
    for route in flat_routes(app.routes):
        if not isinstance(route, APIRoute) or route.path_format not in paths:
            continue
        for envelope in (route.response_model, route.body_field and route.body_field.field_info.annotation):
            for field in _fields(envelope) and envelope.model_fields.values():
                names |= _fields(field.annotation)
    return names


def test_every_column_has_its_api_name(app: FastAPI) -> None:
    unnamed = {}
    for model, resource in registry().items():
        known = _names_of(app, resource.paths) | _fields(resource.schema)
        columns = {a.key for a in inspect(model).column_attrs}
        missing = sorted(resource.api_fields(columns) - known)
        if missing:
            unnamed[resource.name] = missing
    assert unnamed == {}
