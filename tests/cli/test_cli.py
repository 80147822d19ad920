"""The command line against a fresh SQLite file: init/bootstrap, api-key, user, demo."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from wrenchwork import cli
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core.db import make_engine
from wrenchwork.models import ApiKey, Customer, Entity, User, UserRole

BOOTSTRAP_TOKEN = "ww_my-own-bootstrap-token-0123456789"


@dataclass
class Cli:
    url: str
    data_dir: Path
    env: dict[str, str]
    invoke: Callable[..., Result]


@pytest.fixture
def wrenchwork(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Runs the CLI on its own SQLite file; settings come from the environment as in a real shell."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    data_dir = tmp_path / "data"
    env = {"WRENCHWORK_DATABASE_URL": url, "WRENCHWORK_DATA_DIR": str(data_dir), "WRENCHWORK_BOOTSTRAP_API_KEY": ""}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    def invoke(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        for name, value in (extra_env or {}).items():
            monkeypatch.setenv(name, value)
        # `wrenchwork.cli.settings` is read once at import: rebuild it from this test's environment.
        monkeypatch.setattr(cli, "settings", Settings())
        return runner.invoke(cli.app, list(args), env={**env, **(extra_env or {})})

    return Cli(url, data_dir, env, invoke)


@pytest.fixture
def db(wrenchwork: Cli) -> Iterator[Callable[[Any], list[Any]]]:
    """Reads the CLI's database: `db(select(...))` returns every row."""
    engines: list[Engine] = []

    def read(stmt: Any) -> list[Any]:
        if not engines:
            engines.append(make_engine(wrenchwork.url))
        with Session(engines[0]) as session:
            return list(session.execute(stmt).all())

    yield read
    for engine in engines:
        engine.dispose()


@pytest.fixture
def served(wrenchwork: Cli) -> Iterator[TestClient]:
    """The API served on the CLI's database."""
    app = create_app(
        Settings(database_url=wrenchwork.url, data_dir=wrenchwork.data_dir, rate_limit="", log_level="WARNING")
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def init_token(output: str) -> str:
    match = re.search(r'curl -H "Authorization: Bearer (\S+)" http://\S+/api/v1/entities', output)
    assert match, output
    token = match.group(1)
    assert f"\n    {token}\n" in output  # printed on a line of its own too
    return token


# ---- init ------------------------------------------------------------------------------------------------------


def test_init_bootstraps_customer_entity_admin_and_key(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], served: TestClient
) -> None:
    output = ok(wrenchwork.invoke("init"))

    token = init_token(output)
    assert "Main Facility" in output
    assert "admin@example.com" in output
    assert [tuple(r) for r in db(select(Customer.name, Customer.slug))] == [("My Company", "my-company")]
    assert [r[0] for r in db(select(Entity.name))] == ["Main Facility"]
    assert [tuple(r) for r in db(select(User.email, UserRole.role).join(UserRole, UserRole.user_id == User.id))] == [
        ("admin@example.com", "admin")
    ]
    hashes = [r[0] for r in db(select(ApiKey.token_hash))]
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]

    response = served.get("/api/v1/entities", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert [e["name"] for e in response.json()["data"]] == ["Main Facility"]
    assert response.json()["meta"]["customer"]["name"] == "My Company"


def test_init_is_idempotent(wrenchwork: Cli, db: Callable[[Any], list[Any]], served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))

    again = ok(wrenchwork.invoke("init"))

    assert "Bearer" not in again
    assert token not in again
    assert db(select(func.count(Customer.id)))[0][0] == 1
    assert db(select(func.count(Entity.id)))[0][0] == 1
    assert db(select(func.count(User.id)))[0][0] == 1
    assert db(select(func.count(ApiKey.id)))[0][0] == 1
    assert served.get("/api/v1/entities", headers=bearer(token)).status_code == 200


def test_bootstrap_api_key_becomes_the_first_key(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], served: TestClient
) -> None:
    output = ok(wrenchwork.invoke("init", extra_env={"WRENCHWORK_BOOTSTRAP_API_KEY": BOOTSTRAP_TOKEN}))

    assert init_token(output) == BOOTSTRAP_TOKEN
    assert [tuple(r) for r in db(select(ApiKey.token_hash, ApiKey.prefix))] == [
        (hashlib.sha256(BOOTSTRAP_TOKEN.encode()).hexdigest(), BOOTSTRAP_TOKEN[:12])
    ]
    response = served.get("/api/v1/entities", headers=bearer(BOOTSTRAP_TOKEN))
    assert response.status_code == 200, response.text
    entity_id = response.json()["data"][0]["id"]
    users = served.get("/api/v1/users", headers={**bearer(BOOTSTRAP_TOKEN), "X-Entity-Id": str(entity_id)})
    assert [u["email"] for u in users.json()["data"]] == ["admin@example.com"]
    assert served.get("/api/v1/entities", headers=bearer(BOOTSTRAP_TOKEN + "x")).status_code == 401


@pytest.mark.parametrize("value", ["short-key", "has a space in it somewhere ok"])
def test_unsafe_bootstrap_key_is_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        Settings(bootstrap_api_key=value)


def test_init_without_database_url_uses_a_file_in_the_data_dir(wrenchwork: Cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "embedded"
    ok(wrenchwork.invoke("init", extra_env={"WRENCHWORK_DATABASE_URL": "", "WRENCHWORK_DATA_DIR": str(data_dir)}))
    assert (data_dir / "wrenchwork.db").is_file()


# ---- api-key ---------------------------------------------------------------------------------------------------


def test_api_key_create_prints_a_working_token(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], served: TestClient
) -> None:
    ok(wrenchwork.invoke("init"))

    output = ok(wrenchwork.invoke("api-key", "create", "--email", "admin@example.com", "--name", "CI pipeline"))

    match = re.search(r"API key (\d+) \((\S+)…\) for admin@example\.com:\n(\S+)\n", output)
    assert match, output
    key_id, prefix, token = int(match.group(1)), match.group(2), match.group(3)
    assert prefix == token[:12]
    row = db(select(ApiKey.name, ApiKey.token_hash).where(ApiKey.id == key_id))
    assert [tuple(r) for r in row] == [("CI pipeline", hashlib.sha256(token.encode()).hexdigest())]
    assert served.get("/api/v1/entities", headers=bearer(token)).status_code == 200


def test_api_key_create_for_an_unknown_email_fails(wrenchwork: Cli, db: Callable[[Any], list[Any]]) -> None:
    ok(wrenchwork.invoke("init"))

    result = wrenchwork.invoke("api-key", "create", "--email", "nobody@example.com")

    assert result.exit_code != 0
    assert "nobody@example.com" in result.output
    assert db(select(func.count(ApiKey.id)))[0][0] == 1


def test_api_key_list_and_revoke(wrenchwork: Cli, served: TestClient) -> None:
    first = init_token(ok(wrenchwork.invoke("init")))
    created = ok(wrenchwork.invoke("api-key", "create", "--email", "admin@example.com", "--name", "Spare"))
    second = created.strip().splitlines()[-1]

    listed = ok(wrenchwork.invoke("api-key", "list")).strip().splitlines()

    assert len(listed) == 2
    assert listed[0].split("\t")[:4] == ["1", f"{first[:12]}…", "admin@example.com", "Bootstrap admin key"]
    assert listed[1].split("\t")[:4] == ["2", f"{second[:12]}…", "admin@example.com", "Spare"]
    assert all(line.endswith("active") for line in listed)
    assert first not in "\n".join(listed) and second not in "\n".join(listed)

    assert "revoked" in ok(wrenchwork.invoke("api-key", "revoke", "2"))

    refused = served.get("/api/v1/entities", headers=bearer(second))
    assert refused.status_code == 401
    assert refused.json() == {"status": "error", "message": "Invalid API key"}
    assert served.get("/api/v1/entities", headers=bearer(first)).status_code == 200
    after = ok(wrenchwork.invoke("api-key", "list")).strip().splitlines()
    assert after[0].endswith("active")
    assert re.search(r"\trevoked \d{4}-\d\d-\d\d$", after[1]), after[1]


def test_api_key_list_shows_last_use(wrenchwork: Cli, served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))
    assert "last used never" in ok(wrenchwork.invoke("api-key", "list"))

    served.get("/api/v1/entities", headers=bearer(token))

    assert re.search(r"last used \d{4}-\d\d-\d\d \d\d:\d\d", ok(wrenchwork.invoke("api-key", "list")))


def test_api_key_revoke_of_an_unknown_id_fails(wrenchwork: Cli) -> None:
    ok(wrenchwork.invoke("init"))
    result = wrenchwork.invoke("api-key", "revoke", "99")
    assert result.exit_code != 0
    assert "99" in result.output


# ---- user ------------------------------------------------------------------------------------------------------


def test_user_create(wrenchwork: Cli, db: Callable[[Any], list[Any]], served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))

    output = ok(
        wrenchwork.invoke(
            "user",
            "create",
            "--email",
            "tech@example.com",
            "--name",
            "Tia",
            "--surname",
            "Ng",
            "--role",
            "limited_admin",
        )
    )

    assert "tech@example.com" in output and "limited_admin" in output
    rows = db(
        select(User.name, User.surname, User.email, UserRole.role, Entity.name)
        .join(UserRole, UserRole.user_id == User.id)
        .join(Entity, Entity.id == UserRole.entity_id)
        .where(User.email == "tech@example.com")
    )
    assert [tuple(r) for r in rows] == [("Tia", "Ng", "tech@example.com", "limited_admin", "Main Facility")]
    entity_id = db(select(Entity.id))[0][0]
    users = served.get("/api/v1/users", headers={**bearer(token), "X-Entity-Id": str(entity_id)}).json()["data"]
    assert sorted(u["email"] for u in users) == ["admin@example.com", "tech@example.com"]


@pytest.mark.parametrize(
    "args",
    [
        ("--email", "admin@example.com", "--name", "Again"),
        ("--email", "x@example.com", "--name", "X", "--role", "owner"),
        ("--email", "y@example.com", "--name", "Y", "--entity-id", "99"),
    ],
    ids=["duplicate-email", "unknown-role", "unknown-entity"],
)
def test_user_create_refuses_bad_input(wrenchwork: Cli, db: Callable[[Any], list[Any]], args: tuple[str, ...]) -> None:
    ok(wrenchwork.invoke("init"))

    result = wrenchwork.invoke("user", "create", *args)

    assert result.exit_code != 0
    assert db(select(func.count(User.id)))[0][0] == 1


# ---- demo ------------------------------------------------------------------------------------------------------


def test_demo_loads_a_team_and_a_second_entity_once(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], served: TestClient
) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))

    output = ok(wrenchwork.invoke("demo"))

    assert "Demo data loaded" in output
    assert sorted(r[0] for r in db(select(Entity.name))) == ["Main Facility", "North Warehouse"]
    user_count = db(select(func.count(User.id)))[0][0]
    assert user_count == 7  # the admin and a team of six
    roles = {tuple(r) for r in db(select(User.email, UserRole.role).join(UserRole, UserRole.user_id == User.id))}
    assert ("maria.lopez@example.com", "limited_admin") in roles
    assert {role for _, role in roles} == {"admin", "limited_admin", "technician", "requester"}
    listed = served.get("/api/v1/entities", headers=bearer(token)).json()["data"]
    assert sorted(e["name"] for e in listed) == ["Main Facility", "North Warehouse"]
    warehouse = next(e for e in listed if e["name"] == "North Warehouse")
    assert warehouse["timezone"].startswith("America/Chicago: -0")

    counts = [db(select(func.count(model.id)))[0][0] for model in (Entity, User, UserRole, ApiKey)]
    again = ok(wrenchwork.invoke("demo"))
    assert "already" in again
    assert [db(select(func.count(model.id)))[0][0] for model in (Entity, User, UserRole, ApiKey)] == counts


def test_demo_on_an_empty_database_bootstraps_first(wrenchwork: Cli, db: Callable[[Any], list[Any]]) -> None:
    output = ok(wrenchwork.invoke("demo"))

    init_token(output)
    assert "Demo data loaded" in output
    assert db(select(func.count(Customer.id)))[0][0] == 1
    assert db(select(func.count(Entity.id)))[0][0] == 2
