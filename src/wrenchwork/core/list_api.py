"""FastAPI glue for the list mechanism: the dependency that parses a list request and its OpenAPI text."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request

from wrenchwork.core.listing import (
    MATCHERS,
    MAX_IN_VALUES,
    MAX_INT,
    MAX_PER_PAGE,
    ListQuery,
    ListSpec,
    Membership,
    parse_list_query,
)


def list_params(spec: ListSpec) -> Callable[[Request], Coroutine[Any, Any, ListQuery]]:
    async def parse(request: Request) -> ListQuery:
        return parse_list_query(spec, request.query_params.multi_items())

    return parse


def list_openapi(spec: ListSpec, filter_example: str = "filter[name_cont]=building") -> dict[str, Any]:
    """Documents search/sort/filter/page/per_page, including which fields and matchers this list takes."""
    default_sort = ", ".join(f"{n} {d}" for n, d in spec.default_sort)
    fields = []
    for name, target in sorted(spec.fields.items()):
        matchers = target.matchers() if isinstance(target, Membership) else MATCHERS[target.kind]
        fields.append(f"`{name}` ({', '.join(matchers)})")
    search = ", ".join(str(getattr(c, "key", c)) for c in spec.search)
    return {
        "parameters": [
            {
                "name": "search",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
                "description": f"Case-insensitive match in: {search}",
            },
            {
                "name": "sort",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "default": default_sort},
                "description": "Comma-separated `field asc|desc` terms. Sortable: " + ", ".join(sorted(spec.sortable)),
                "example": "created_at desc",
            },
            {
                "name": "filter",
                "in": "query",
                "required": False,
                "style": "deepObject",
                "explode": True,
                "schema": {"type": "object", "additionalProperties": {"type": "string"}},
                "description": f"Filter using filter[field_matcher] syntax, e.g. `{filter_example}`; `in` and "
                f"`not_in` take up to {MAX_IN_VALUES} comma-separated values. Fields: " + "; ".join(fields),
            },
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT, "default": 1},
                "description": "Page number",
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50},
                "description": "Items per page",
            },
        ]
    }
