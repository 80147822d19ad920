"""Posting a file and waiting (polling with a short deadline) for the background runner to finish it."""

from __future__ import annotations

import time
from typing import Any

from tests.helpers import Api

DEADLINE = 20.0


def post_import(api: Api, content: bytes, resource: str, mode: str | None = None, name: str = "data.csv") -> Any:
    fields = {"resource": resource} | ({"mode": mode} if mode else {})
    response = api.post("/imports", files={"file": (name, content)}, data=fields)
    assert response.status_code == 202, response.text
    return response.json()["data"]


def finished(api: Api, job_id: int) -> dict[str, Any]:
    end = time.monotonic() + DEADLINE
    while True:
        job: dict[str, Any] = api.get(f"/imports/{job_id}").json()["data"]
        if job["status"] in ("completed", "failed") or time.monotonic() > end:
            return job
        time.sleep(0.02)


def run(api: Api, content: bytes | str, resource: str, mode: str | None = None, name: str = "data.csv") -> Any:
    data = content.encode() if isinstance(content, str) else content
    return finished(api, post_import(api, data, resource, mode, name)["id"])
