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

from tests.conftest import ON_POSTGRESQL
from tests.helpers import Tenant


@pytest.fixture
def api_schema(app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


# Fewer examples in the PostgreSQL pass: the same generated inputs reach the same handlers there, and the run
# is the suite's longest test; 10 per operation still sends every operation its edge values.
EXAMPLES = 10 if ON_POSTGRESQL else 25


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_operation_conforms(case: Any, tenant: Tenant) -> None:
    # Real credentials so that generated input reaches the handlers; headers are fuzzed by the contract tests.
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tenant.token}"}
    if "X-Entity-Id" in case.headers:
        case.headers["X-Entity-Id"] = str(tenant.entity_id)
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
