"""Property-based checks of every operation against the app's own OpenAPI document: no 5xx, and every
response conforms to the schema the document declares for its status code."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.helpers import Tenant


@pytest.fixture(scope="session")
def api_schema(app: FastAPI) -> Any:
    # Loaded once per test process: the document is the same for every operation, and parsing it for each of
    # them cost more than some operations' examples.
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


# 10 examples per operation on both databases: with `derandomize` they are the same inputs every run, and they
# still send every operation its edge values. This file was close to half of the suite's time at 25.
EXAMPLES = 10


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_operation_conforms(case: Any, tenant: Tenant) -> None:
    # Real credentials so that generated input reaches the handlers; headers are fuzzed by the contract tests.
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tenant.token}"}
    if "X-Entity-Id" in case.headers:
        case.headers["X-Entity-Id"] = str(tenant.entity_id)
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
