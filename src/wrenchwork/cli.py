"""The command line: serve, openapi, scheduler, worker, init, api-key, user, demo, files, import.

Commands that write go through the same schemas and services as the API. A refusal is one message on stderr and
an exit code, never a traceback: 2 when the command's input is wrong (an invalid value, a record that does not
exist), 1 when the database refuses it (a conflict with what is there).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from wrenchwork.api_keys.schemas import ApiKeyCreate
from wrenchwork.api_keys.service import issue, revoke
from wrenchwork.config import settings
from wrenchwork.core.db import make_engine, make_sessionmaker
from wrenchwork.core.errors import AppError, Conflict, NotFound
from wrenchwork.core.handlers import field_errors
from wrenchwork.core.migrate import upgrade
from wrenchwork.core.model_base import utcnow
from wrenchwork.core.schemas import MAX_ID, Role
from wrenchwork.events import outbox as _outbox  # noqa: F401 - changes made from here emit their events too
from wrenchwork.files.check import check as check_files
from wrenchwork.files.storage import storage_for
from wrenchwork.models import ApiKey, User
from wrenchwork.system.bootstrap import bootstrap_if_empty
from wrenchwork.system.demo import DEMO_ENTITY, load_demo
from wrenchwork.system.operator import admin_scope, find_entity
from wrenchwork.users.schemas import UserCreate, UserUpdate
from wrenchwork.users.service import create_user

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Schema fields and the options that carry them, so a refusal names what the user typed.
USER_OPTIONS = {
    "email": "--email",
    "name": "--name",
    "surname": "--surname",
    "permissions.0.role": "--role",
    "permissions.0.entity_id": "--entity-id",
}


class ImportResourceName(StrEnum):
    locations = "locations"
    assets = "assets"
    parts = "parts"
    vendors = "vendors"
    users = "users"
    pm_schedules = "pm_schedules"


class ImportModeName(StrEnum):
    all_or_nothing = "all_or_nothing"
    partial = "partial"


app = typer.Typer(help="wrenchwork: a self-hostable CMMS server.", no_args_is_help=True)
api_key_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(api_key_app, name="api-key")
app.add_typer(user_app, name="user")
files_app = typer.Typer(help="Stored files (attachments).", no_args_is_help=True)
app.add_typer(files_app, name="files")


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


def _described(errors: Mapping[str, list[str]], options: Mapping[str, str]) -> str:
    return "\n".join(f"{options.get(path, path)}: {'; '.join(messages)}" for path, messages in errors.items())


@contextmanager
def reported(options: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turns a refusal inside the block into a message and an exit code (see the module docstring). `options`
    maps schema fields to the options that carry them."""
    try:
        yield
    except ValidationError as exc:
        _fail(_described(field_errors(exc.errors()), options or {}), 2)
    except AppError as exc:
        _fail(exc.message, 1 if exc.status_code in (403, 409) else 2)
    except DBAPIError as exc:
        _fail(f"database error: {exc.orig}", 1)


def served_url(host: str, port: int) -> str:
    """The base URL a client on this machine reaches a server listening on `host:port` at: a wildcard address is
    reached through the loopback one, an IPv6 address goes in brackets."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@contextmanager
def session_scope() -> Iterator[Session]:
    engine = make_engine(settings.effective_database_url)
    session = make_sessionmaker(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        engine.dispose()


def _prepare_database() -> None:
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    upgrade(settings.effective_database_url)


def _init(url: str = served_url(DEFAULT_HOST, DEFAULT_PORT)) -> None:
    """Migrate, and bootstrap an empty database; the first admin key is printed with a `curl` line for `url`,
    the address the server is (or, from `init`, will by default be) reached at."""
    _prepare_database()
    with session_scope() as session:
        created = bootstrap_if_empty(session, settings.bootstrap_api_key or None)
    if created is None:
        return
    typer.echo(
        f"Created customer '{created.customer.name}', entity '{created.entity.name}' (id {created.entity.id}) "
        f"and admin user {created.admin.email}.\n"
        f"Admin API key (shown once, keep it safe):\n\n    {created.token}\n\n"
        "Try it:\n"
        f'    curl -H "Authorization: Bearer {created.token}" {url}/api/v1/entities\n'
    )


@app.command()
def init() -> None:
    """Create or migrate the database; on an empty one, create the first customer, entity, admin and key."""
    with reported():
        _init()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes")] = 1,
) -> None:
    """Migrate the database (bootstrapping an empty one) and serve the API."""
    from wrenchwork import serving

    _init(served_url(host, port))
    typer.echo(f"Serving on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)")
    serving.run(host, port, workers)


@app.command()
def openapi() -> None:
    """Print the OpenAPI document the server publishes at /api/v1/openapi.json (for generators)."""
    import orjson

    from wrenchwork.app import create_app

    document = create_app(settings).openapi()
    typer.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())


@app.command()
def scheduler(
    once: Annotated[bool, typer.Option("--once", help="Run one pass, then exit")] = False,
    interval: Annotated[
        float | None,
        typer.Option(
            min=0.001, help="Seconds between passes (default: WRENCHWORK_SCHEDULER_INTERVAL, or 60 if that is 0)"
        ),
    ] = None,
) -> None:
    """Generate the work orders of due PM schedules, in a process of its own (serve processes do it too, unless
    WRENCHWORK_SCHEDULER_INTERVAL is 0). Any number may run at once: each occurrence is made exactly once.
    With --once it exits 1 when a schedule failed (it keeps its date and the next pass tries it again)."""
    import signal
    import threading

    from wrenchwork.core.logging import configure as configure_logging
    from wrenchwork.pm_schedules.engine import run_pass
    from wrenchwork.pm_schedules.scheduler import run_every

    configure_logging(settings.log_level, settings.log_format)
    _prepare_database()
    engine = make_engine(settings.effective_database_url)
    sessions = make_sessionmaker(engine)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        if once:
            result = run_pass(sessions, stop=stop)
            failed = f" (PM schedule ids {', '.join(map(str, result.failed))})" if result.failed else ""
            typer.echo(
                f"PM generation: work orders made: {result.generated}; occurrences made before: {result.skipped}; "
                f"floating schedules waiting: {result.waiting}; failed: {len(result.failed)}{failed}."
            )
            if result.failed:  # a cron job or a supervisor sees that something needs a look (the log says what)
                raise typer.Exit(1)
            return
        every = interval or settings.scheduler_interval or 60
        typer.echo(f"Generating PM work orders every {every:g} s (Ctrl+C stops).")
        run_every(sessions, every, stop)
    finally:
        engine.dispose()


@app.command()
def worker(
    interval: Annotated[
        float | None,
        typer.Option(min=0.001, help="Seconds between passes (default: WRENCHWORK_WEBHOOK_INTERVAL, or 1)"),
    ] = None,
) -> None:
    """Deliver webhook messages and prune old events, in a process of its own (serve processes do it too, unless
    WRENCHWORK_WEBHOOK_INTERVAL is 0). Any number may run at once; a killed worker loses no message."""
    import signal
    import threading

    from wrenchwork.core.background import run_every
    from wrenchwork.core.logging import configure as configure_logging
    from wrenchwork.webhooks.runner import DeliveryJob

    configure_logging(settings.log_level, settings.log_format)
    _prepare_database()
    engine = make_engine(settings.effective_database_url)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    every = interval or settings.webhook_interval or 1
    typer.echo(f"Delivering webhook messages every {every:g} s (Ctrl+C stops).")
    try:
        run_every(DeliveryJob(make_sessionmaker(engine), settings), every, stop, "webhook delivery")
    finally:
        engine.dispose()


def _find_user(session: Session, email: str) -> User:
    users = session.scalars(select(User).where(User.email == email)).all()
    if not users:
        raise NotFound(f"There is no user with the email {email}")
    if len(users) > 1:
        raise Conflict(f"{email} is a user of several customers")
    return users[0]


@api_key_app.command("create")
def api_key_create(
    email: Annotated[str, typer.Option(help="The user the key acts as")],
    name: Annotated[str, typer.Option(help="What the key is for")] = "CLI key",
) -> None:
    """Create a key; its token is printed once."""
    with reported({"email": "--email", "name": "--name"}):
        address = UserUpdate.model_validate({"email": email}).email  # as the user resource reads an address
        assert address is not None
        _prepare_database()
        with session_scope() as session:
            user = _find_user(session, address)
            data = ApiKeyCreate.model_validate({"name": name, "user_id": user.id})
            # From the server's shell: no API caller, so the key has no `created_by`.
            key, token = issue(session, user.customer_id, data.user_id, data.name, None)
            created = f"API key {key.id} ({key.prefix}…) for {user.email}:\n{token}"
        typer.echo(created)  # once it is committed


@api_key_app.command("list")
def api_key_list() -> None:
    """Every key with its user, prefix, last use and revocation."""
    with reported():
        _prepare_database()
        with session_scope() as session:
            rows = session.execute(select(ApiKey, User.email).join(User, User.id == ApiKey.user_id).order_by(ApiKey.id))
            for key, email in rows:
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
                typer.echo(f"{key.id}\t{key.prefix}…\t{email}\t{key.name}\tlast used {used}\t{state}")


@api_key_app.command("revoke")
def api_key_revoke(
    key_id: Annotated[int, typer.Argument(metavar="ID", min=1, max=MAX_ID, help="Key id (see api-key list)")],
) -> None:
    """Revoke a key: requests with it answer 401 from now on."""
    with reported():
        _prepare_database()
        with session_scope() as session:
            key = session.get(ApiKey, key_id)
            if key is None:
                raise NotFound(f"There is no API key {key_id} (see `wrenchwork api-key list`)")
            revoke(key)
        typer.echo(f"API key {key_id} revoked.")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    surname: Annotated[str, typer.Option()] = "",
    role: Annotated[Role, typer.Option()] = "technician",
    entity_id: Annotated[
        int | None, typer.Option(min=1, max=MAX_ID, help="Entity to grant the role in (default: the first)")
    ] = None,
) -> None:
    """Create a user with one role in one entity, as the entity's admin would with `POST /users`."""
    profile = {"name": name, "surname": surname, "email": email}
    with reported(USER_OPTIONS):
        UserCreate.model_validate(profile)  # bad input is refused before the database is touched
        _prepare_database()
        with session_scope() as session:
            entity = find_entity(session, entity_id)
            data = UserCreate.model_validate(profile | {"permissions": [{"entity_id": entity.id, "role": role}]})
            invite = (settings.public_url.rstrip("/") or "http://localhost:8000", settings.sign_in_link_hours)
            user = create_user(session, admin_scope(session, entity), data, invite)
            created = (
                f"User {user['id']} ({user['email']}) is {role} in '{entity.name}'.\n"
                f"Invitation link (shown once; it sets the user's password): {user['invitation_url']}"
            )
        typer.echo(created)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV or XLSX file")],
    resource: Annotated[ImportResourceName, typer.Option(help="What the rows are")],
    entity_id: Annotated[
        int | None, typer.Option(min=1, max=MAX_ID, help="Entity to import into (default: the first)")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Check every row and report, writing nothing")] = False,
    mode: Annotated[ImportModeName, typer.Option(help="all_or_nothing, or partial: keep the good rows")] = (
        ImportModeName.all_or_nothing
    ),
) -> None:
    """Import a spreadsheet as `POST /imports` would, here and now, as the entity's first admin (docs/import.md).
    Exit code 2 when the file's rows have errors and nothing was kept."""
    from rich.progress import Progress

    from wrenchwork.imports.engine import run_import

    data = file.read_bytes()
    chosen = "validate" if dry_run else mode.value
    with reported():
        _prepare_database()
        with session_scope() as session, Progress(transient=True) as progress:
            entity = find_entity(session, entity_id)
            task = progress.add_task(
                f"Importing {resource.value}", total=None if data[:2] == b"PK" else data.count(b"\n")
            )
            result = run_import(
                session, admin_scope(session, entity), data, resource.value, chosen,
                lambda done: progress.update(task, completed=done),
            )  # fmt: skip
    for problem in result.errors:
        where = "file" if problem["row"] is None else f"row {problem['row']}"
        column = f", column {problem['column']}" if problem["column"] else ""
        typer.echo(f"{where}{column}: {problem['message']}", err=True)
    if result.unmatched_columns:
        typer.echo(f"Unmatched columns (ignored): {', '.join(result.unmatched_columns)}")
    verdict = "checked (nothing written)" if chosen == "validate" else ("failed" if result.failed else "imported")
    typer.echo(
        f"{file.name} {verdict}: {result.rows} rows, {result.created} created, {result.updated} updated, "
        f"{result.skipped} skipped, {len(result.errors)} errors."
    )
    if result.failed or (chosen == "validate" and result.errors):
        raise typer.Exit(2)


@app.command()
def demo(
    entity: Annotated[
        str, typer.Option(help="Entity to load into: created when missing, refused if it holds data")
    ] = DEMO_ENTITY,
    force: Annotated[
        bool, typer.Option(help="Load into an entity that already holds data (adding, never changing)")
    ] = False,
) -> None:
    """Load a realistic demo data set into an entity of its own."""
    with reported({"name": "--entity"}):
        _init()
        with session_scope() as session:
            summary = load_demo(session, entity, force=force)
        typer.echo(summary)


@files_app.command("check")
def files_check(
    fix: Annotated[bool, typer.Option(help="Remove what is found (rows first, then bytes)")] = False,
) -> None:
    """Compare stored files with the database both ways. Exit code 1 when something is found and not fixed."""
    _prepare_database()  # migrate only: a check never bootstraps an admin
    with session_scope() as session:
        report = check_files(session, storage_for(settings.data_dir, settings.storage_url), utcnow(), fix)
    for line in report.lines():
        typer.echo(line)
    if not report.clean and not fix:
        raise typer.Exit(1)
