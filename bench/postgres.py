"""A PostgreSQL server for the benchmark: the one `--postgres-url` names, or a throwaway cluster started the way
`.ci/run` starts the tests' one (initdb into a temporary directory, trust authentication, 127.0.0.1 only, a free
port), stopped and removed again when the run ends. Durable writes stay on (`fsync`), as on SQLite.

Each row count gets a database of its own on that server, created fresh (`wrenchwork_bench_<rows>`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench import servers


def _initdb() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    on_path = shutil.which("initdb")
    return Path(found[-1]) if found else Path(on_path) if on_path else None


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run `argv` as the `postgres` user (as .ci/run does)."""
    if os.geteuid() != 0:
        return argv
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]


@contextmanager
def throwaway_server() -> Iterator[str | None]:
    """The URL of a fresh local cluster's maintenance database, or None (with the reason printed) when none can be
    started here."""
    initdb = _initdb()
    if initdb is None:
        print("  no PostgreSQL here (initdb not found; apt-get install postgresql): SQLite only", flush=True)
        yield None
        return
    if os.geteuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        print("  no `postgres` user to run PostgreSQL as: SQLite only", flush=True)
        yield None
        return
    pg_ctl = initdb.parent / "pg_ctl"
    pgdir = Path(tempfile.mkdtemp(prefix="wrenchwork-bench-pg."))
    if os.geteuid() == 0:
        shutil.chown(pgdir, "postgres")
    port = servers.free_port()
    data, log = pgdir / "data", pgdir / "log"
    options = f"-p {port} -k {pgdir} -c listen_addresses={servers.HOST}"
    started = False
    try:
        subprocess.run(
            _as_postgres([str(initdb), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            _as_postgres([str(pg_ctl), "-D", str(data), "-l", str(log), "-w", "-o", options, "start"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        started = True
        yield f"postgresql+psycopg://postgres@{servers.HOST}:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                _as_postgres([str(pg_ctl), "-D", str(data), "-m", "fast", "stop"]), capture_output=True, timeout=120
            )
        shutil.rmtree(pgdir, ignore_errors=True)


@contextmanager
def server(url: str | None) -> Iterator[str | None]:
    """`url` itself when given, else a throwaway cluster (or None)."""
    if url:
        yield url
        return
    with throwaway_server() as started:
        yield started


def fresh_database(server_url: str, name: str) -> str:
    """The URL of database `name` on the server, dropped and created again (empty)."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return database_url(server_url, name)


def database_url(server_url: str, name: str) -> str:
    """The URL of database `name` on the server."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
