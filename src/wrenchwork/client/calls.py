"""Requests described as data, so the sync and the async client share everything but the sending.

A `Call` says what to send and how to read the answer; `Client` and `AsyncClient` (client.py) send it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=BaseModel)

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 100

Params = list[tuple[str, str]]
Body = Mapping[str, Any] | BaseModel


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    read: Callable[[Any], T]
    params: Any = None  # anything httpx takes as a query
    json: Any = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its records and `meta.pagination` (`total`, `page`, `per_page`, `total_pages`)."""

    data: list[T]
    total: int
    page: int
    per_page: int
    total_pages: int
    meta: dict[str, Any]


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    jsonable = to_jsonable_python(value)
    return str(jsonable)


def list_params(
    *,
    search: str | None = None,
    filter: Mapping[str, Any] | None = None,
    sort: str | Sequence[str] | None = None,
    page: int | None = None,
    per_page: int | None = None,
) -> Params:
    """The query of a list: `filter={"name_cont": "pump", "status_id_in": [1, 2]}` becomes
    `filter[name_cont]=pump&filter[status_id_in][]=1&filter[status_id_in][]=2`; `sort` is `"name desc"` or
    several such terms."""
    params: Params = []
    if search is not None:
        params.append(("search", search))
    for key, value in (filter or {}).items():
        if isinstance(value, list | tuple | set | frozenset):
            params.extend((f"filter[{key}][]", text(v)) for v in value)
        else:
            params.append((f"filter[{key}]", text(value)))
    if sort is not None:
        params.append(("sort", sort if isinstance(sort, str) else ",".join(sort)))
    if page is not None:
        params.append(("page", str(page)))
    if per_page is not None:
        params.append(("per_page", str(per_page)))
    return params


def payload(body: Body | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A request body from a mapping or a model (only the fields set) plus keyword fields, as JSON values
    (decimals become strings, which the server reads exactly)."""
    found: dict[str, Any] = {}
    if isinstance(body, BaseModel):
        found = body.model_dump(mode="json", exclude_unset=True, by_alias=True)
    elif body is not None:
        found = dict(body)
    found.update(fields)
    jsonable: dict[str, Any] = to_jsonable_python(found)
    return jsonable


def wrapped(wrapper: str, body: Body | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """`{"asset": {...}}`: the documented create and update bodies; a body already wrapped is sent as it is."""
    found = payload(body, fields)
    return found if set(found) == {wrapper} else {wrapper: found}


def read_data(model: type[ModelT]) -> Callable[[Any], ModelT]:
    def read(body: Any) -> ModelT:
        return model.model_validate(body["data"])

    return read


def read_page(model: type[ModelT]) -> Callable[[Any], Page[ModelT]]:
    def read(body: Any) -> Page[ModelT]:
        pagination = body["meta"]["pagination"]
        return Page(
            data=[model.model_validate(item) for item in body["data"]],
            total=pagination["total"],
            page=pagination["page"],
            per_page=pagination["per_page"],
            total_pages=pagination["total_pages"],
            meta=body["meta"],
        )

    return read


def read_nothing(body: Any) -> None:
    return None


def next_page(page: Page[Any]) -> int | None:
    return page.page + 1 if page.page < page.total_pages else None
