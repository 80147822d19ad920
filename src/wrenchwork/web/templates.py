"""The Jinja2 environment (templates shipped in the package) and the one way a page is rendered."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from wrenchwork import __version__

env = Environment(
    loader=PackageLoader("wrenchwork.web", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: Any, tz: str = "UTC") -> str:
    """A date-time as the entity's local time (`2026-12-03 14:05`); dates and ISO strings too."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        with contextlib.suppress(KeyError, ValueError):
            moment = moment.astimezone(ZoneInfo(tz))
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number(value: Any) -> str:
    """3.500 -> 3.5, 2.000 -> 2: quantities without trailing zeros."""
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return "" if value is None else str(value)


env.globals["version"] = __version__
env.filters["when"] = _when
env.filters["number"] = _number


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """The page, with what every page shows (the viewer, navigation, the pending message) filled in."""
    viewer = getattr(request.state, "viewer", None)
    page = {"request": request, "viewer": viewer, "csrf_token": csrf_of(request)} | context
    html = env.get_template(template).render(page)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    return response


def csrf_of(request: Request) -> str:
    token: str = getattr(request.state, "csrf_token", "")
    return token
