"""`client.batch()`: many operations in one request (`POST /batch`).

Ops run in order on the server with the client's key and entity; each answers its own status and body, and a
failing op does not stop the rest (`atomic=True`: all or nothing, the ops after a failure are not run and answer
424). A batch of more than 100 ops goes as several requests, in order (not when atomic: the server's limit of 100
ops then stands).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wrenchwork.client.calls import API_PREFIX, Call, payload
from wrenchwork.client.errors import WrenchworkError, error_for

MAX_OPS = 100


@dataclass(frozen=True)
class BatchResult:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def data(self) -> Any:
        """The op's `data` (None for an answer without a body, like a delete's 204)."""
        return self.body.get("data") if isinstance(self.body, dict) else None

    @property
    def error(self) -> WrenchworkError | None:
        return None if self.ok else error_for(self.status, self.body)

    def raise_for_status(self) -> None:
        if self.error is not None:
            raise self.error


class BatchOps:
    """Collects ops; paths are relative to /api/v1 like every other call of the client."""

    def __init__(self, atomic: bool) -> None:
        self.atomic = atomic
        self.ops: list[dict[str, Any]] = []
        self.results: list[BatchResult] = []
        self.rolled_back: bool | None = None

    def add(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> int:
        """Adds one op and returns its index in `results`. `params` is the query of a GET or DELETE (nested
        mappings become `filter[name_cont]=...`) and the JSON body otherwise."""
        op: dict[str, Any] = {"method": method.upper(), "url": API_PREFIX + path}
        if params is not None:
            op["params"] = payload(params, {})
        self.ops.append(op)
        return len(self.ops) - 1

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> int:
        return self.add("GET", path, params)

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> int:
        return self.add("POST", path, body)

    def put(self, path: str, body: Mapping[str, Any] | None = None) -> int:
        return self.add("PUT", path, body)

    def patch(self, path: str, body: Mapping[str, Any] | None = None) -> int:
        return self.add("PATCH", path, body)

    def delete(self, path: str) -> int:
        return self.add("DELETE", path)

    def calls(self) -> list[Call[Any]]:
        if self.atomic and len(self.ops) > MAX_OPS:
            raise ValueError(f"an atomic batch holds at most {MAX_OPS} ops")
        chunks = [self.ops[start : start + MAX_OPS] for start in range(0, len(self.ops), MAX_OPS)]
        body: dict[str, Any] = {"sequential": True}
        if self.atomic:
            body["atomic"] = True
        return [Call("POST", "/batch", _read, json={"ops": chunk, **body}) for chunk in chunks]

    def collect(self, answers: list[dict[str, Any]]) -> list[BatchResult]:
        self.results = [BatchResult(item["status"], item["body"]) for answer in answers for item in answer["results"]]
        if self.atomic and answers:
            self.rolled_back = bool(answers[0].get("rolled_back"))
        return self.results


def _read(body: Any) -> dict[str, Any]:
    found: dict[str, Any] = body
    return found
