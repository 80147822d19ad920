"""The receiver example of the docs verifies what the server sends (and refuses what it did not sign)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from fastapi import FastAPI

from tests.helpers import Api
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import deliver, module_receiver, receiver, subscribe

__all__ = ["module_receiver", "receiver"]
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "webhook_receiver.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("webhook_receiver", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_documented_verify_accepts_real_messages(app: FastAPI, api: Api, receiver: Receiver) -> None:
    verify = _example().verify
    hook = subscribe(api, receiver.url)
    api.post("/locations", json={"location": {"name": "A"}})
    deliver(app)
    (message,) = receiver.received
    assert verify(hook["secret"], message.headers, message.body)["type"] == "location.created"
    with pytest.raises(ValueError):
        verify(hook["secret"], message.headers, message.body + b" ")
    other = subscribe(api, receiver.url)["secret"]
    with pytest.raises(ValueError):
        verify(other, message.headers, message.body)
