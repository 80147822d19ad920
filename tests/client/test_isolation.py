"""The client runs with httpx and pydantic alone: importing it loads nothing of the server; its models come from
the document `wrenchwork openapi` prints."""

from __future__ import annotations

import json
import subprocess
import sys

from fastapi import FastAPI
from typer.testing import CliRunner

from wrenchwork import cli

SERVER_SIDE = {"fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "psycopg", "limits", "orjson", "typer"}


def test_importing_the_client_loads_nothing_of_the_server() -> None:
    probe = (
        "import json, sys; import wrenchwork.client; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} | {m for m in sys.modules if 'wrench' in m})))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(json.loads(done.stdout))
    assert loaded & SERVER_SIDE == set()
    assert {m for m in loaded if m.startswith("wrenchwork.")} <= {
        "wrenchwork.client",
        *(f"wrenchwork.client.{name}" for name in ("aio", "batch", "calls", "client", "errors", "models")),
        *(f"wrenchwork.client.{name}" for name in ("resources", "retry", "sync")),
    }


def test_the_openapi_command_prints_the_served_document(app: FastAPI) -> None:
    """What `make client-models` generates from."""
    printed = CliRunner().invoke(cli.app, ["openapi"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output) == json.loads(json.dumps(app.openapi()))
