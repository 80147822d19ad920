"""create_app(): settings -> engine -> middleware, routers, error handlers, offline API docs."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from wrenchwork import __version__
from wrenchwork.api import API_PREFIX, RESOURCE_ROUTERS
from wrenchwork.config import Settings
from wrenchwork.config import settings as default_settings
from wrenchwork.core import handlers, openapi
from wrenchwork.core.auth import KNOWN_KEYS, KnownKeys
from wrenchwork.core.background import Runner
from wrenchwork.core.db import (
    KeptReadSessions,
    keep_statistics,
    make_engine,
    make_sessionmaker,
    on_disk_sqlite,
    refresh_statistics,
)
from wrenchwork.core.group_commit import CommitGroup
from wrenchwork.core.logging import configure as configure_logging
from wrenchwork.core.middleware import CatchAll, RateLimit, RequestContext, RequestLimits
from wrenchwork.core.ratelimit import RateLimiter
from wrenchwork.core.routing import grouped
from wrenchwork.core.text_index import SERVING_MERGE_PAGES, SERVING_PAUSE_S, merge_segments
from wrenchwork.events import openapi as events_openapi
from wrenchwork.exports.negotiation import ExportByAccept
from wrenchwork.files.serving import UPLOAD_OVERHEAD_BYTES, files_storage
from wrenchwork.imports.runner import ImportRunner
from wrenchwork.pm_schedules.scheduler import Scheduler
from wrenchwork.system.router import router as system_router
from wrenchwork.web import app as web
from wrenchwork.webhooks.runner import delivery_runner

DESCRIPTION = """Self-hostable CMMS server. The API is wire-compatible with the Click Maint public API v1:
send `Authorization: Bearer <API key>` and, on every path but `GET /entities`, `X-Entity-Id`.
Operations tagged `extension` are wrenchwork additions."""


log = logging.getLogger("wrenchwork.db")


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Planner statistics and text indexes in one segment before serving (core/db.py `refresh_statistics`,
    core/text_index.py `merge_segments`), off the event loop, then both kept up with the data while serving
    (`keep_statistics`); PM generation in the background while serving
    (pm_schedules/scheduler.py) unless `scheduler_interval` is 0, webhook delivery (webhooks/runner.py) unless
    `webhook_interval` is 0, queued imports (imports/runner.py) unless `import_interval` is 0."""
    engine = app.state.engine
    try:
        await asyncio.to_thread(refresh_statistics, engine)
        merged = await asyncio.to_thread(merge_segments, engine)
        if merged:
            log.info("text indexes merged", extra={"fields": {"tables": merged}})
    except Exception:  # a busy or read-only database: serve with the statistics and indexes it has
        log.warning("planner statistics or text indexes not refreshed", exc_info=True)
    interval = app.state.settings.statistics_interval
    # While serving, a fragmented text index is merged in small steps that leave the write lock to waiting writes.
    merge = functools.partial(merge_segments, pages=SERVING_MERGE_PAGES, pause=SERVING_PAUSE_S)
    keeper = (
        asyncio.create_task(keep_statistics(engine, interval, merge))
        if interval and engine.dialect.name == "sqlite"
        else None
    )
    runners: list[Runner] = []
    if app.state.settings.scheduler_interval > 0:
        runners.append(Scheduler(app.state.sessionmaker, app.state.settings.scheduler_interval))
    if app.state.settings.webhook_interval > 0:
        runners.append(delivery_runner(app.state.sessionmaker, app.state.settings))
    if app.state.settings.import_interval > 0:
        app.state.import_runner = ImportRunner(
            app.state.sessionmaker, app.state.settings.import_interval, app.state.read_sessionmaker
        )
        runners.append(app.state.import_runner)
    for runner in runners:
        runner.start()
    try:
        yield
    finally:
        for runner in runners:
            await asyncio.to_thread(runner.stop)
        if keeper is not None:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        if isinstance(app.state.read_sessionmaker, KeptReadSessions):
            app.state.read_sessionmaker.close_idle()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or default_settings
    configure_logging(settings.log_level, settings.log_format)
    app = FastAPI(
        title="wrenchwork API (v1)",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.effective_database_url)
    # One cache of authenticated API keys for the process's sessions, which forget it when they change a key.
    app.state.known_keys = KnownKeys(settings.api_key_cache_seconds)
    known_keys = {KNOWN_KEYS: app.state.known_keys}
    app.state.sessionmaker = make_sessionmaker(app.state.engine, info=known_keys)
    app.state.read_sessionmaker = make_sessionmaker(app.state.engine, read=True, info=known_keys)
    # SQLite's writes in this process share their commits' syncs to disk (core/group_commit.py).
    app.state.commit_group = (
        CommitGroup(app.state.engine, app.state.sessionmaker) if on_disk_sqlite(app.state.engine) else None
    )
    app.state.storage = files_storage(app.state.engine, settings)

    # The routes themselves, not included routers (FastAPI walks nested routers again on every request), grouped
    # by resource so a request is matched against its own resource's routes only.
    app.router.routes.extend(grouped(route for router in RESOURCE_ROUTERS for route in router.routes))
    app.include_router(system_router)
    web.install(app)
    handlers.install(app)
    openapi.install(app)
    # The `webhooks` section: what a webhook receiver gets, one operation per event type.
    events_openapi.install(app)
    app.state.extra_schemas = events_openapi.component_schemas
    _mount_docs(app)

    # Added inside-out: the last one added is the outermost.
    app.add_middleware(ExportByAccept)
    app.add_middleware(CatchAll)
    app.add_middleware(
        RequestLimits,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=lambda: settings.max_upload_bytes + UPLOAD_OVERHEAD_BYTES,
    )
    if settings.rate_limit:  # 0 turns it off: no layer at all then
        limiter = RateLimiter(settings.rate_limit, settings.rate_limit_storage_url, settings.trusted_proxies)
        app.add_middleware(RateLimit, limiter=limiter)
    app.add_middleware(RequestContext)
    # Everything built so far (modules, routes, statements) lives as long as the process: keep it out of the
    # garbage collector's full passes, which otherwise walk it all and show up as tail latency.
    gc.freeze()
    return app


def _mount_docs(app: FastAPI) -> None:
    """Swagger UI served from the package itself: the docs work with no internet access."""
    static = "/api/docs/static"
    app.mount(static, StaticFiles(directory=Path(swagger_ui_path)), name="swagger-ui")

    @app.get("/api/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{API_PREFIX}/openapi.json",
            title="wrenchwork API docs",
            swagger_js_url=f"{static}/swagger-ui-bundle.js",
            swagger_css_url=f"{static}/swagger-ui.css",
            swagger_favicon_url=f"{static}/favicon-32x32.png",
        )
