"""The command line: serve, scheduler, init, api-key, user, demo."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.config import settings
from wrenchwork.core.auth import ROLES
from wrenchwork.core.db import make_engine, make_sessionmaker
from wrenchwork.core.migrate import upgrade
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import ApiKey, Entity, User, UserRole
from wrenchwork.system.bootstrap import bootstrap_if_empty

app = typer.Typer(help="wrenchwork: a self-hostable CMMS server.", no_args_is_help=True)
api_key_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(api_key_app, name="api-key")
app.add_typer(user_app, name="user")


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


def _init() -> None:
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
        f'    curl -H "Authorization: Bearer {created.token}" http://127.0.0.1:8000/api/v1/entities\n'
    )


@app.command()
def init() -> None:
    """Create or migrate the database; on an empty one, create the first customer, entity, admin and key."""
    _init()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes")] = 1,
) -> None:
    """Migrate the database (bootstrapping an empty one) and serve the API."""
    import uvicorn

    _init()
    typer.echo(f"Serving on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)")
    uvicorn.run(
        "wrenchwork.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="warning",
        proxy_headers=False,
    )


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
    WRENCHWORK_SCHEDULER_INTERVAL is 0). Any number may run at once: each occurrence is made exactly once."""
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
            return
        every = interval or settings.scheduler_interval or 60
        typer.echo(f"Generating PM work orders every {every:g} s (Ctrl+C stops).")
        run_every(sessions, every, stop)
    finally:
        engine.dispose()


def _find_user(session: Session, email: str) -> User:
    users = session.scalars(select(User).where(User.email == email)).all()
    if not users:
        raise typer.BadParameter(f"no user with email {email}", param_hint="--email")
    if len(users) > 1:
        raise typer.BadParameter(f"{email} exists in several customers", param_hint="--email")
    return users[0]


@api_key_app.command("create")
def api_key_create(
    email: Annotated[str, typer.Option(help="The user the key acts as")],
    name: Annotated[str, typer.Option(help="What the key is for")] = "CLI key",
) -> None:
    """Create a key; its token is printed once."""
    from wrenchwork.api_keys.service import issue

    _prepare_database()
    with session_scope() as session:
        user = _find_user(session, email)
        key, token = issue(session, user.customer_id, user.id, name, None)
        typer.echo(f"API key {key.id} ({key.prefix}…) for {user.email}:\n{token}")


@api_key_app.command("list")
def api_key_list() -> None:
    """Every key with its user, prefix, last use and revocation."""
    _prepare_database()
    with session_scope() as session:
        rows = session.execute(select(ApiKey, User.email).join(User, User.id == ApiKey.user_id).order_by(ApiKey.id))
        for key, email in rows:
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            typer.echo(f"{key.id}\t{key.prefix}…\t{email}\t{key.name}\tlast used {used}\t{state}")


@api_key_app.command("revoke")
def api_key_revoke(key_id: Annotated[int, typer.Argument(help="Key id (see api-key list)")]) -> None:
    """Revoke a key: requests with it answer 401 from now on."""
    _prepare_database()
    with session_scope() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise typer.BadParameter(f"no API key {key_id}")
        key.revoked_at = key.revoked_at or utcnow()
    typer.echo(f"API key {key_id} revoked.")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    surname: Annotated[str, typer.Option()] = "",
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}")] = "technician",
    entity_id: Annotated[int | None, typer.Option(help="Entity to grant the role in (default: the first)")] = None,
) -> None:
    """Create a user with one role in one entity."""
    if role not in ROLES:
        raise typer.BadParameter(f"must be one of {', '.join(ROLES)}", param_hint="--role")
    _prepare_database()
    with session_scope() as session:
        stmt = select(Entity).order_by(Entity.id)
        entity = session.scalars(stmt.where(Entity.id == entity_id) if entity_id else stmt).first()
        if entity is None:
            raise typer.BadParameter("no such entity (run `wrenchwork init` first)", param_hint="--entity-id")
        taken = session.scalar(select(User.id).where(User.customer_id == entity.customer_id, User.email == email))
        if taken is not None:
            raise typer.BadParameter(f"{email} is already a user", param_hint="--email")
        user = User(customer_id=entity.customer_id, name=name, surname=surname, email=email)
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, entity_id=entity.id, role=role))
        typer.echo(f"User {user.id} ({email}) is {role} in '{entity.name}'.")


@app.command()
def demo() -> None:
    """Load a realistic demo data set into the first customer."""
    from wrenchwork.system.demo import load_demo

    _init()
    with session_scope() as session:
        summary = load_demo(session)
    typer.echo(summary)
