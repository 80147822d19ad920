"""Entity (site) shapes, and the currency and time-zone tables they draw on."""

from __future__ import annotations

import functools
import time
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from wrenchwork.core.schemas import CreatedById, RecordId, UpdatedById
from wrenchwork.models import Entity

# code -> (name, symbol). The currencies a maintenance team is likely to book costs in.
CURRENCIES: dict[str, tuple[str, str]] = {
    "USD": ("United States Dollar", "$"),
    "CAD": ("Canadian Dollar", "$"),
    "MXN": ("Mexican Peso", "$"),
    "BRL": ("Brazilian Real", "R$"),
    "EUR": ("Euro", "€"),
    "GBP": ("British Pound", "£"),
    "CHF": ("Swiss Franc", "CHF"),
    "SEK": ("Swedish Krona", "kr"),
    "NOK": ("Norwegian Krone", "kr"),
    "DKK": ("Danish Krone", "kr"),
    "PLN": ("Polish Zloty", "zł"),
    "CZK": ("Czech Koruna", "Kč"),
    "TRY": ("Turkish Lira", "₺"),
    "ZAR": ("South African Rand", "R"),
    "AED": ("UAE Dirham", "د.إ"),
    "SAR": ("Saudi Riyal", "﷼"),
    "INR": ("Indian Rupee", "₹"),
    "CNY": ("Chinese Yuan", "¥"),
    "JPY": ("Japanese Yen", "¥"),
    "KRW": ("South Korean Won", "₩"),
    "SGD": ("Singapore Dollar", "$"),
    "AUD": ("Australian Dollar", "$"),
    "NZD": ("New Zealand Dollar", "$"),
    "PHP": ("Philippine Peso", "₱"),
    "COP": ("Colombian Peso", "$"),
    "CLP": ("Chilean Peso", "$"),
}
DEFAULT_TIMEZONE = "Etc/UTC"
TIMEZONE = "IANA time zone name (default Etc/UTC); the shown form `Etc/UTC: +00:00` is accepted too"
TIMEZONE_SHOWN = "IANA time zone name and its UTC offset now"


def currency_symbol(code: str) -> str:
    return CURRENCIES.get(code, (code, code))[1]


def currency_name(code: str) -> str:
    return CURRENCIES.get(code, (code, code))[0]


def timezone_label(name: str) -> str:
    """`Etc/UTC: +00:00`: the zone and its offset now (every response's `meta.entity` shows it)."""
    return _timezone_label(name, int(time.time() // 60))


@functools.lru_cache(maxsize=1024)
def _timezone_label(name: str, minute: int) -> str:
    # Computed once a minute per zone: an offset changes at most twice a year, and at a whole minute.
    try:
        offset = datetime.fromtimestamp(minute * 60, ZoneInfo(name)).strftime("%z")
    except ZoneInfoNotFoundError:
        offset = "+0000"
    return f"{name}: {offset[:3]}:{offset[3:]}"


def _check_currency(code: str) -> str:
    if code not in CURRENCIES:
        raise ValueError(f"unknown currency; one of {', '.join(sorted(CURRENCIES))}")
    return code


def _check_timezone(name: str) -> str:
    # Accept the label this API renders ("Etc/UTC: +00:00") as well as a bare IANA name.
    name = name.split(": ", 1)[0].strip()
    if name not in _zones():
        raise ValueError("must be an IANA time zone such as Etc/UTC or America/Chicago")
    return name


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


Currency = Annotated[
    str,
    AfterValidator(_check_currency),
    Field(
        description="ISO 4217 code of the currency costs are booked in (default USD)",
        json_schema_extra={"enum": list(CURRENCIES)},
    ),
]
TimeZone = Annotated[
    str,
    Field(max_length=80, description=TIMEZONE, examples=["America/Chicago"]),
    AfterValidator(_check_timezone),
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
DateTimeFormat = Annotated[
    Literal[
        "MM/DD/YYYY - 11:59 PM",
        "MM/DD/YYYY - 23:59",
        "DD/MM/YYYY - 11:59 PM",
        "DD/MM/YYYY - 23:59",
        "YYYY-MM-DD - 23:59",
    ],
    Field(description="How the entity's people want dates and times shown (the API always sends ISO-8601)"),
]


class EntityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: str | None = Field(default=None, max_length=5000)
    address: str | None = Field(default=None, max_length=1000)
    datetime_format: DateTimeFormat = "MM/DD/YYYY - 11:59 PM"
    timezone: TimeZone = DEFAULT_TIMEZONE
    currency: Currency = "USD"


class EntityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: str | None = Field(default=None, max_length=5000)
    address: str | None = Field(default=None, max_length=1000)
    datetime_format: DateTimeFormat | None = None
    timezone: TimeZone | None = None
    currency: Currency | None = None


class EntityCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: EntityCreate


class EntityUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: EntityUpdate


class EntityItem(BaseModel):
    """The documented entity shape (list and extension detail alike)."""

    id: RecordId
    name: str
    description: str | None
    address: str | None
    datetime_format: DateTimeFormat
    timezone: str = Field(description=TIMEZONE_SHOWN, examples=["Etc/UTC: +00:00"])
    currency: Currency
    currency_name: str
    currency_symbol: str
    created_at: datetime
    updated_at: datetime
    created_by_id: CreatedById | None
    updated_by_id: UpdatedById | None


def entity_item(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "description": entity.description,
        "address": entity.address,
        "datetime_format": entity.datetime_format,
        "timezone": timezone_label(entity.timezone),
        "currency": entity.currency,
        "currency_name": currency_name(entity.currency),
        "currency_symbol": currency_symbol(entity.currency),
        "created_at": entity.created_at,
        "updated_at": entity.updated_at,
        "created_by_id": entity.created_by_id,
        "updated_by_id": entity.updated_by_id,
    }
