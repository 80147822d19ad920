from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class BatchOp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Field(description="The HTTP method of the operation")
    url: str = Field(min_length=1, max_length=2000, description="Full path, e.g. /api/v1/parts/24/reconcile")
    params: dict[str, Any] | None = Field(
        default=None, description="Query parameters for GET and DELETE, the JSON body otherwise"
    )


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ops: list[BatchOp] = Field(min_length=1, max_length=100, description="Operations to be run sequentially.")
    sequential: Literal[True] = Field(description="Must be set to `true`.")
    atomic: bool = Field(
        default=False,
        description="Extension: run every op in one transaction and roll all of them back if any fails.",
    )


class BatchResult(BaseModel):
    status: int = Field(description="The HTTP status the operation answered (424: not run, atomic batch rolled back)")
    body: Any


class BatchResponse(BaseModel):
    results: list[BatchResult]
    rolled_back: bool | None = Field(default=None, description="Only on atomic batches: true when rolled back")
