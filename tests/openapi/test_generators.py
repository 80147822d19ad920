"""The OpenAPI document stays usable by generators: `openapi-spec-validator` accepts it, datamodel-code-generator
turns it into models without errors, and the client's checked-in models are what it generates today."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from tests.helpers import Api

ROOT = Path(__file__).resolve().parents[2]
CHECKED_IN = ROOT / "src" / "wrenchwork" / "client" / "models.py"
# The document bounds dates to years 1900..2999 with a pattern (JSON Schema has no minimum for dates); the
# generated models check the date type and leave the range to the server. Any other warning fails.
ACCEPTED_WARNING = re.compile(r"UserWarning: Pydantic does not take pattern on (AwareDatetime|date_aliased)\b")


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    with TestClient(app) as client:
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def generate(document: dict[str, Any], folder: Path) -> subprocess.CompletedProcess[str]:
    """`make client-models` on the live document: run from the project's root, so that the options in
    pyproject.toml and its ruff settings apply, writing the module to stdout."""
    (folder / "openapi.json").write_text(json.dumps(document))
    command = [str(Path(sys.executable).parent / "datamodel-codegen"), "--input", str(folder / "openapi.json")]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_openapi_spec_validator_accepts_the_document(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def test_datamodel_code_generator_generates_the_checked_in_models(
    document: dict[str, Any], tmp_path: Path, api: Api
) -> None:
    """One test, not three: generating takes seconds, and a module fixture would run once per xdist worker."""
    done = generate(document, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert [line for line in lines if "Warning" in line and not ACCEPTED_WARNING.search(line)] == []

    # The models read what the server answers.
    (tmp_path / "generated_models.py").write_text(done.stdout)
    spec = importlib.util.spec_from_file_location("generated_models", tmp_path / "generated_models.py")
    assert spec is not None and spec.loader is not None
    models = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = models  # pydantic resolves the postponed annotations through it
    try:
        spec.loader.exec_module(models)
        created = api.post("/assets", json={"asset": {"name": "Pump", "purchase_cost": "12.50"}})
        assert created.status_code == 201
        detail = models.EnvelopeAssetDetail.model_validate_json(created.content)
    finally:
        del sys.modules[spec.name]
    assert (detail.data.name, detail.data.purchase_cost, detail.data.status.value) == ("Pump", 12.5, "online")

    assert done.stdout == CHECKED_IN.read_text(), "run `make client-models` and commit src/wrenchwork/client/models.py"
