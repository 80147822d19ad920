from __future__ import annotations

from typing import Any

from tests.helpers import Api


def feed(api: Api, **params: Any) -> dict[str, Any]:
    response = api.get("/events", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def events(api: Api, after: int = 0, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = feed(api, after=after, limit=1000, **params)["data"]
    return found


def types(api: Api, after: int = 0, **params: Any) -> list[str]:
    return [e["type"] for e in events(api, after, **params)]
