"""Where generation runs: in the background of every server process (WRENCHWORK_SCHEDULER_INTERVAL seconds apart,
0 turns it off) and as `wrenchwork scheduler [--once]`."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from tests.catalog.support import error, ok
from tests.helpers import Api, Tenant
from tests.pm_schedules.engine_support import at, clock, create, stamp, work_orders_of
from wrenchwork import cli
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.pm_schedules import generation

__all__ = ["clock"]
THREAD = "wrenchwork-pm-scheduler"


def scheduler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD]


def test_a_server_generates_in_the_background_while_it_serves(
    settings: Settings, tenant: Tenant, clock: Any, engine: Any
) -> None:
    app = create_app(Settings(**{**settings.model_dump(), "scheduler_interval": 0.05}))
    with TestClient(app, raise_server_exceptions=False) as client:
        api = Api(client, tenant.token, tenant.entity_id)
        assert len(scheduler_threads()) == 1
        schedule_id = create(api)
        assert work_orders_of(api, schedule_id) == []  # not due yet: the passes make nothing

        clock.set_now(at("2030-01-01T08:00"))
        deadline = time.monotonic() + 30
        while not (made := work_orders_of(api, schedule_id)) and time.monotonic() < deadline:
            time.sleep(0.05)

        assert [w["due_date"] for w in made] == [stamp("2030-01-01T12:00")]
    assert scheduler_threads() == []  # stopped with the server
    app.state.engine.dispose()


def test_interval_0_starts_no_background_generation(app: FastAPI, api: Api, clock: Any) -> None:
    assert app.state.settings.scheduler_interval == 0
    schedule_id = create(api)
    clock.set_now(at("2030-01-02T08:00"))

    assert scheduler_threads() == []
    assert work_orders_of(api, schedule_id) == []


def test_the_interval_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WRENCHWORK_SCHEDULER_INTERVAL")
    assert Settings().scheduler_interval == 60
    monkeypatch.setenv("WRENCHWORK_SCHEDULER_INTERVAL", "0")
    assert Settings().scheduler_interval == 0
    monkeypatch.setenv("WRENCHWORK_SCHEDULER_INTERVAL", "2.5")
    assert Settings().scheduler_interval == 2.5
    monkeypatch.setenv("WRENCHWORK_SCHEDULER_INTERVAL", "-1")
    with pytest.raises(ValidationError):
        Settings()


def test_the_scheduler_command_runs_one_pass(
    api: Api, database_url: str, tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "settings", Settings(database_url=database_url, data_dir=tmp_path, log_level="WARNING"))
    due = create(api)
    create(api, template={"title": "Later"}, start="2030-01-05T08:00")
    clock.set_now(at("2030-01-02T09:00"))

    result = CliRunner().invoke(cli.app, ["scheduler", "--once"])

    assert result.exit_code == 0, (result.output, result.exception)
    assert result.output == (
        "PM generation: work orders made: 1; occurrences made before: 0; floating schedules waiting: 0; failed: 0.\n"
    )
    assert [w["pm_schedule_id"] for w in ok(api.get("/work_orders"))] == [due]  # type: ignore[index]
    again = CliRunner().invoke(cli.app, ["scheduler", "--once"])
    assert "work orders made: 0;" in again.output


def test_the_scheduler_command_exits_1_when_a_schedule_failed(
    api: Api, database_url: str, tmp_path: Path, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "settings", Settings(database_url=database_url, data_dir=tmp_path, log_level="WARNING"))
    broken = create(api, template={"title": "Breaks"})
    real = generation.create_work_order

    def failing(session: Any, scope: Any, data: Any) -> Any:
        if data.title == "Breaks":
            raise RuntimeError("disk full")
        return real(session, scope, data)

    monkeypatch.setattr(generation, "create_work_order", failing)
    clock.set_now(at("2030-01-02T09:00"))

    result = CliRunner().invoke(cli.app, ["scheduler", "--once"])

    assert result.exit_code == 1, (result.output, result.exception)
    assert result.output.splitlines()[-1] + "\n" == (  # after the error's log line
        "PM generation: work orders made: 0; occurrences made before: 0; floating schedules waiting: 0; "
        f"failed: 1 (PM schedule ids {broken}).\n"
    )


def test_the_scheduler_command_refuses_a_bad_interval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "settings", Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", data_dir=tmp_path))

    result = CliRunner().invoke(cli.app, ["scheduler", "--interval", "0"])

    assert result.exit_code == 2
    assert "--interval" in result.output


def test_generation_is_in_the_openapi_document(api: Api) -> None:
    operation = ok_json(api.get("/openapi.json"))["paths"]["/api/v1/pm_schedules/{id}/generate"]["post"]
    assert "extension" in operation["tags"]
    assert "201" in operation["responses"] and "409" in operation["responses"]
    error(api.get("/pm_schedules/1/generate"), 405)


def ok_json(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
