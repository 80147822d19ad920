"""Browser tests: a real Chromium (Debian's `chromium`, driven by Playwright) against a live server.

One server for the whole run (uvicorn in a thread, on a free port, with its own SQLite database) and one
browser; each test gets a fresh browser context (its own cookies). They run on the SQLite pass only: they test
the pages in a browser, which the HTTP-level page tests already run on both databases. Skipped when no Chromium
is installed (`.ci/run` installs it)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tests.helpers import make_tenant, make_user
from tests.web.pages import PASSWORD
from wrenchwork.app import create_app
from wrenchwork.config import Settings
from wrenchwork.core.migrate import upgrade
from wrenchwork.models import User
from wrenchwork.users.passwords import hash_password

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if os.environ.get("WRENCHWORK_TEST_DATABASE_URL"):
    pytest.skip("browser tests run on the SQLite pass", allow_module_level=True)
if CHROMIUM is None:
    pytest.skip("no chromium installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402

# A loaded CI machine (argon2 on every sign-in, two test workers) can take longer than the default 5 s.
expect.set_options(timeout=15_000)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@dataclass
class Live:
    url: str
    app: FastAPI
    api: httpx.Client  # the API as the tenant's admin
    technician_email: str
    technician_id: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{data / 'live.db'}"
    upgrade(url)
    settings = Settings(database_url=url, data_dir=data, rate_limit="", log_level="WARNING", scheduler_interval=0)
    app = create_app(settings)
    with app.state.sessionmaker() as session:
        tenant = make_tenant(session, "Live Plant")
        technician_id, _ = make_user(
            session, tenant, "technician", name="Tara", surname="Tech", email="tara@example.com"
        )
        user = session.get(User, technician_id)
        assert user is not None
        user.password_hash = hash_password(PASSWORD)
        session.commit()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {tenant.token}", "X-Entity-Id": str(tenant.entity_id)}
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=30) as api:
        yield Live(base, app, api, "tara@example.com", technician_id)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


AXE = Path(__file__).parent.parent / "vendor" / "axe.min.js"
