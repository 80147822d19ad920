from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from tests.helpers import Api
from tests.webhooks.receiver import Receiver, receiving
from wrenchwork.webhooks.delivery import PassResult, make_client, run_pass


@pytest.fixture(scope="module")
def module_receiver() -> Iterator[Receiver]:
    with receiving() as receiver:
        yield receiver


@pytest.fixture
def receiver(module_receiver: Receiver) -> Receiver:
    module_receiver.reset()
    return module_receiver


def subscribe(api: Api, url: str, types: list[str] | None = None, **fields: Any) -> dict[str, Any]:
    body = {"webhook": {"url": url, "event_types": types or ["*"], **fields}}
    response = api.post("/webhooks", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def deliver(app: FastAPI, timeout: float = 5) -> PassResult:
    with make_client(timeout) as client:
        return run_pass(app.state.sessionmaker, True, 60, client)


def deliveries(api: Api, webhook_id: int) -> list[dict[str, Any]]:
    response = api.get(f"/webhooks/{webhook_id}/deliveries", params={"sort": "id asc", "per_page": 100})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["data"]
    return found
