"""The success and error envelopes, rendered straight to JSON bytes with orjson.

Read paths build plain dicts and hand them to `ok()`/`listed()`: no response-model validation on the way
out. The Pydantic models here exist for the OpenAPI document and for tests that check conformance.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

import orjson
from pydantic import BaseModel, Field
from starlette.responses import Response

from wrenchwork.core.auth import CustomerInfo, EntityInfo

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NAIVE_UTC


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, default=_default, option=_OPTIONS)


class JSONBytes(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


NULL_ENTITY_META = {
    "id": None,
    "name": None,
    "currency": None,
    "currency_symbol": None,
    "datetime_format": None,
    "timezone": None,
}


def entity_meta(entity: EntityInfo | None) -> dict[str, Any]:
    if entity is None:
        return dict(NULL_ENTITY_META)
    from wrenchwork.entities.schemas import currency_symbol, timezone_label

    return {
        "id": entity.id,
        "name": entity.name,
        "currency": entity.currency,
        "currency_symbol": currency_symbol(entity.currency),
        "datetime_format": entity.datetime_format,
        "timezone": timezone_label(entity.timezone),
    }


def base_meta(entity: EntityInfo | None, customer: CustomerInfo) -> dict[str, Any]:
    return {"entity": entity_meta(entity), "customer": {"id": customer.id, "name": customer.name}}


def ok(data: Any, meta: dict[str, Any], status_code: int = 200) -> JSONBytes:
    return JSONBytes({"status": "success", "data": data, "meta": meta}, status_code=status_code)


def no_content() -> Response:
    return Response(status_code=204)


def error(status_code: int, message: str, errors: dict[str, list[str]] | None = None) -> JSONBytes:
    body: dict[str, Any] = {"status": "error", "message": message}
    if errors:
        body["errors"] = errors
    return JSONBytes(body, status_code=status_code)


# ---- OpenAPI shapes ---------------------------------------------------------------------------------------

T = TypeVar("T")
Success = Annotated[Literal["success"], Field(description="Always success on a 2xx response")]


class EntityMeta(BaseModel):
    id: int | None = Field(description="The entity of X-Entity-Id; null where none is used (GET /entities)")
    name: str | None
    currency: str | None = Field(description="Its ISO 4217 currency code")
    currency_symbol: str | None
    datetime_format: str | None = Field(description="Its preferred date-time display format")
    timezone: str | None = Field(description="Its IANA time zone and UTC offset now, e.g. Etc/UTC: +00:00")


class CustomerMeta(BaseModel):
    id: int = Field(description="The customer (tenant) the API key belongs to")
    name: str


class Meta(BaseModel):
    entity: EntityMeta
    customer: CustomerMeta


class Pagination(BaseModel):
    total: int
    page: int
    per_page: int
    total_pages: int


class ListMeta(Meta):
    pagination: Pagination
    sort: list[str]
    search: str | None
    filter: dict[str, str | list[str]]


class Envelope(BaseModel, Generic[T]):
    status: Success
    data: T
    meta: Meta


class ListEnvelope(BaseModel, Generic[T]):
    status: Success
    data: list[T]
    meta: ListMeta


class ErrorBody(BaseModel):
    status: Annotated[Literal["error"], Field(description="Always error on an error response")]
    message: str
    errors: dict[str, list[str]] | None = None


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Missing or malformed X-Entity-Id header, or malformed JSON",
        401: "Invalid API key",
        403: "No permission on this entity, or the role forbids the action",
        404: "Not found (also for records of another entity)",
        409: "Conflict with an existing record, or the record is still referenced",
        413: "Request body too large",
        415: "Content-Type is not application/json",
        422: "Validation failed; `errors` maps each parameter or field to its messages",
        429: "Rate limit exceeded",
    }
    return {code: {"model": ErrorBody, "description": descriptions[code]} for code in codes}
