"""The command line: init/bootstrap, api-key, user. Writing commands check their input with the API's schemas and
go through its services; a refusal is a message on stderr with exit code 2 (bad input) or 1 (conflict)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select

from tests.cli.support import Cli, bearer, init_token, ok, refused, snapshot
from wrenchwork.config import Settings
from wrenchwork.models import ApiKey, Customer, Entity, User, UserRole

BOOTSTRAP_TOKEN = "ww_my-own-bootstrap-token-0123456789"
NOT_AN_EMAIL = "value is not a valid email address: An email address must have an @-sign."


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

    assert refused(result, 2) == "Error: There is no user with the email nobody@example.com\n"
    assert db(select(func.count(ApiKey.id)))[0][0] == 1


def test_api_key_create_finds_the_user_whatever_the_case_of_the_email(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], served: TestClient
) -> None:
    ok(wrenchwork.invoke("init"))

    output = ok(wrenchwork.invoke("api-key", "create", "--email", "Admin@Example.COM"))

    assert "for admin@example.com:" in output
    token = output.strip().splitlines()[-1]
    assert served.get("/api/v1/entities", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--email", "notanemail"), f"Error: --email: {NOT_AN_EMAIL}\n"),
        (("--email", "admin@example.com", "--name", ""), "Error: --name: string should have at least 1 character\n"),
        (("--email", "admin@example.com", "--name", "k" * 201),
         "Error: --name: string should have at most 200 characters\n"),
    ],
    ids=["bad-email", "empty-name", "long-name"],
)  # fmt: skip
def test_api_key_create_refuses_what_the_api_refuses(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], args: tuple[str, ...], message: str
) -> None:
    ok(wrenchwork.invoke("init"))
    before = snapshot(db)

    assert refused(wrenchwork.invoke("api-key", "create", *args), 2) == message
    assert snapshot(db) == before


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

    answer = served.get("/api/v1/entities", headers=bearer(second))
    assert answer.status_code == 401
    assert answer.json() == {"status": "error", "message": "Invalid API key"}
    assert served.get("/api/v1/entities", headers=bearer(first)).status_code == 200
    after = ok(wrenchwork.invoke("api-key", "list")).strip().splitlines()
    assert after[0].endswith("active")
    assert re.search(r"\trevoked \d{4}-\d\d-\d\d$", after[1]), after[1]


def test_api_key_list_shows_last_use(wrenchwork: Cli, served: TestClient) -> None:
    token = init_token(ok(wrenchwork.invoke("init")))
    assert "last used never" in ok(wrenchwork.invoke("api-key", "list"))

    served.get("/api/v1/entities", headers=bearer(token))

    assert re.search(r"last used \d{4}-\d\d-\d\d \d\d:\d\d", ok(wrenchwork.invoke("api-key", "list")))


def test_api_key_revoke_of_an_unknown_id_fails(wrenchwork: Cli, db: Callable[[Any], list[Any]]) -> None:
    ok(wrenchwork.invoke("init"))
    before = snapshot(db)

    result = wrenchwork.invoke("api-key", "revoke", "99")

    assert refused(result, 2) == "Error: There is no API key 99 (see `wrenchwork api-key list`)\n"
    assert snapshot(db) == before


@pytest.mark.parametrize("key_id", ["0", "-1", "2147483648", "99999999999999999999", "one"])
def test_api_key_revoke_refuses_an_id_no_key_can_have(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], key_id: str
) -> None:
    ok(wrenchwork.invoke("init"))
    before = snapshot(db)

    stderr = refused(wrenchwork.invoke("api-key", "revoke", "--", key_id), 2)

    assert "Invalid value for 'ID'" in stderr
    assert snapshot(db) == before


def test_api_key_revoke_names_its_argument_id(wrenchwork: Cli) -> None:
    usage = ok(wrenchwork.invoke("api-key", "revoke", "--help"))
    assert re.search(r"Usage: \S+ api-key revoke \[OPTIONS\] \{ID\}", usage), usage
    assert "key_id" not in usage.lower()

    assert "Missing argument 'ID'" in refused(wrenchwork.invoke("api-key", "revoke"), 2)


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


def test_user_create_goes_through_the_user_service(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], served: TestClient
) -> None:
    """As `POST /users` would: the e-mail in lower case, the entity's admin as creator, the API shows the user."""
    token = init_token(ok(wrenchwork.invoke("init")))

    output = ok(
        wrenchwork.invoke("user", "create", "--email", "Tia.Ng@Example.COM", "--name", " Tia ", "--role", "admin")
    )

    first, link = output.splitlines()
    assert first == "User 2 (tia.ng@example.com) is admin in 'Main Facility'."
    assert re.fullmatch(
        r"Invitation link \(shown once; it sets the user's password\): http://localhost:8000/password/[\w-]{43}", link
    )
    rows = db(select(User.name, User.email, User.created_by_id, User.status).where(User.id == 2))
    assert [tuple(r) for r in rows] == [("Tia", "tia.ng@example.com", 1, "active")]
    detail = served.get("/api/v1/users/2", headers={**bearer(token), "X-Entity-Id": "1"})
    assert detail.status_code == 200, detail.text
    assert detail.json()["data"]["permissions"] == [
        {"entity": "Main Facility", "entity_id": 1, "role": "admin", "user_role_id": 2}
    ]


def test_user_create_in_a_chosen_entity(wrenchwork: Cli, db: Callable[[Any], list[Any]]) -> None:
    ok(wrenchwork.invoke("init"))
    ok(wrenchwork.invoke("demo", "--entity", "Plant 2"))

    output = ok(wrenchwork.invoke("user", "create", "--email", "ops@example.com", "--name", "Ops", "--entity-id", "2"))

    assert " (ops@example.com) is technician in 'Plant 2'.\nInvitation link" in output
    rows = db(select(UserRole.entity_id).join(User, User.id == UserRole.user_id).where(User.email == "ops@example.com"))
    assert [r[0] for r in rows] == [2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--email", "notanemail", "--name", "X"),
         f"Error: --email: {NOT_AN_EMAIL}\n"),
        (("--email", "x@example.com", "--name", ""), "Error: --name: string should have at least 1 character\n"),
        (("--email", "x@example.com", "--name", "   "), "Error: --name: string should have at least 1 character\n"),
        (("--email", "x@example.com", "--name", "X", "--surname", "s" * 101),
         "Error: --surname: string should have at most 100 characters\n"),
        (("--email", "Admin@Example.com", "--name", "Again"), "Error: A user with this email already exists\n"),
        (("--email", "y@example.com", "--name", "Y", "--entity-id", "42"),
         "Error: Entity 42 does not exist. The entities are:\n  1  Main Facility\n"),
    ],
    ids=["bad-email", "empty-name", "blank-name", "long-surname", "taken-email-other-case", "missing-entity"],
)  # fmt: skip
def test_user_create_refuses_what_the_api_refuses(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], args: tuple[str, ...], message: str
) -> None:
    ok(wrenchwork.invoke("init"))
    before = snapshot(db)

    result = wrenchwork.invoke("user", "create", *args)

    assert refused(result, 1 if "already exists" in message else 2) == message
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--role", "owner"), "'--role'"),
        (("--entity-id", "0"), "'--entity-id'"),
        (("--entity-id", "2147483648"), "'--entity-id'"),
        (("--entity-id", "99999999999999999999"), "'--entity-id'"),
    ],
    ids=["unknown-role", "zero-entity", "entity-beyond-any-id", "entity-beyond-64-bits"],
)
def test_user_create_refuses_option_values_no_record_can_have(
    wrenchwork: Cli, db: Callable[[Any], list[Any]], args: tuple[str, ...], option: str
) -> None:
    ok(wrenchwork.invoke("init"))
    before = snapshot(db)

    stderr = refused(wrenchwork.invoke("user", "create", "--email", "x@example.com", "--name", "X", *args), 2)

    assert f"Invalid value for {option}" in stderr
    assert snapshot(db) == before


def test_user_create_before_init_says_to_run_init(wrenchwork: Cli, db: Callable[[Any], list[Any]]) -> None:
    result = wrenchwork.invoke("user", "create", "--email", "x@example.com", "--name", "X")

    assert refused(result, 2) == "Error: There are no entities yet: run `wrenchwork init` first\n"
    assert db(select(func.count(User.id)))[0][0] == 0


@pytest.mark.parametrize(
    "args",
    [
        ("api-key", "list"),
        ("api-key", "create", "--email", "admin@example.com"),
        ("user", "create", "--email", "x@example.com", "--name", "X"),
        ("demo",),
    ],
)
def test_a_database_that_cannot_be_opened_is_a_message_not_a_traceback(
    wrenchwork: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    nowhere = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"

    result = wrenchwork.invoke(*args, extra_env={"WRENCHWORK_DATABASE_URL": nowhere})

    assert refused(result, 1) == "Error: database error: unable to open database file\n"
