"""The public request portal: `/portal/{uuid}` for anyone, no account (request_portals/submissions.py).

Abuse controls: the form carries a CSRF token (the `ww_csrf` cookie, as the sign-in form does), a hidden
honeypot field that a person leaves empty (a filled one is answered as a success and nothing is kept), a
stricter limit of submissions per client IP (`portal_rate_limit`), and limits on text, on the number of photos and
on each photo's size. A refused form comes back with what was typed and the API's message in words.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from wrenchwork.core.errors import AppError, PayloadTooLarge, Unprocessable
from wrenchwork.core.ratelimit import RateLimiter
from wrenchwork.files import lifecycle
from wrenchwork.files.service import Stored, store
from wrenchwork.files.upload import Upload, clean_name
from wrenchwork.request_portals import submissions
from wrenchwork.request_portals.submissions import Portal, SubmissionIn
from wrenchwork.web.routing import go, validated, web_router
from wrenchwork.web.sessions import AnonymousCsrf
from wrenchwork.web.templates import render

router = web_router()
HONEYPOT = "website"
TEXT_FIELDS = ("title", "description", "location_id", "asset_id", "name", "email", "phone")


class TooManySubmissions(AppError):
    status_code = 429
    default_message = "Too many requests from your network; please try again later"


def limiter(request: Request) -> RateLimiter | None:
    """The per-IP limiter of submissions, made once per app (None when `portal_rate_limit` is empty)."""
    state = request.app.state
    if not hasattr(state, "portal_limiter"):
        settings = state.settings
        rate = settings.portal_rate_limit
        state.portal_limiter = (
            RateLimiter(rate, settings.rate_limit_storage_url, settings.trusted_proxies) if rate else None
        )
    found: RateLimiter | None = state.portal_limiter
    return found


def _form_page(
    request: Request, portal: Portal, values: dict[str, Any], error: str | None = None, status: int = 200
) -> Response:
    lists = submissions.offered(request.state.session, portal)
    context = {
        "title": portal.row.title,
        "portal": portal.row,
        "fields": portal.fields,
        "locations": lists["locations"],
        "assets": lists["assets"],
        "values": values,
        "error": error,
        "max_photos": request.app.state.settings.portal_max_photos,
    }
    return render(request, "portal.html", context, status)


def _closed(request: Request, portal: Portal, status: int = 200) -> Response:
    return render(request, "portal_closed.html", {"title": portal.row.title, "portal": portal.row}, status)


@router.get("/portal/status/{token}")
async def status_page(request: Request, token: str) -> Response:
    """The private link: this request's status and updates, nothing else. No cookie, no CSRF: it only reads."""
    found = submissions.status_of(request.state.session, token[:100])
    link = str(request.url.replace(query=""))
    context = {"title": "Your request", "req": found, "link": link, "new": bool(request.query_params.get("new"))}
    return render(request, "portal_status.html", context)


@router.get("/portal/{uuid}")
async def portal_page(request: Request, _csrf: AnonymousCsrf, uuid: str) -> Response:
    portal = submissions.open_portal(request.state.session, uuid[:36])
    if not portal.row.enabled:
        return _closed(request, portal)
    values: dict[str, Any] = {}
    code = request.query_params.get("asset")
    if code:
        values["asset_id"] = submissions.asset_by_code(request.state.session, portal, code[:200])
    return _form_page(request, portal, values)


@router.post("/portal/{uuid}")
async def submit(request: Request, _csrf: AnonymousCsrf, uuid: str) -> Response:
    session = request.state.session
    settings = request.app.state.settings
    portal = submissions.open_portal(session, uuid[:36])
    if not portal.row.enabled:
        return _closed(request, portal, 403)
    form = await request.form()
    values = {name: v.strip() for name in TEXT_FIELDS if isinstance(v := form.get(name), str) and v.strip()}
    found = limiter(request)
    if found is not None:
        peer = request.client.host if request.client else None
        decision = found.hit("portal:" + found.client_ip(peer, request.headers.get("x-forwarded-for")))
        if decision is not None and not decision.allowed:
            return _form_page(request, portal, values, TooManySubmissions.default_message, 429)
    if form.get(HONEYPOT):
        return render(request, "portal_status.html", {"title": "Thank you", "req": None, "link": None, "new": True})
    photos = [f for f in form.getlist("photos") if isinstance(f, UploadFile) and f.filename]
    try:
        data = validated(SubmissionIn, values)
        submissions.check(session, portal, data, len(photos))
        if len(photos) > settings.portal_max_photos:
            raise Unprocessable.field("photos", f"at most {settings.portal_max_photos} photos")
        session.commit()  # nothing is held open (SQLite: its write lock) while photos are read and encoded
        stored = [await _store(request, photo) for photo in photos]
        token = submissions.submit(session, portal, data, stored)
    except AppError as exc:
        session.rollback()
        return _form_page(request, portal, values, _sentence(exc), exc.status_code)
    return go(f"/portal/status/{token}?new=1")


async def _store(request: Request, photo: UploadFile) -> tuple[Stored, str]:
    """One photo checked (an image, within the portal's size), written, and noted so a refusal removes it."""
    settings = request.app.state.settings
    upload = Upload(photo.file, photo.content_type, photo.filename, None)
    try:
        stored = await run_in_threadpool(
            store, request.app.state.storage, upload, settings.portal_max_photo_bytes, True
        )
    except PayloadTooLarge:
        raise PayloadTooLarge(
            f"Each photo may be at most {settings.portal_max_photo_bytes // (1024 * 1024)} MB"
        ) from None
    lifecycle.written(request.state.session, stored.key)
    return stored, clean_name(photo.filename or "") or f"photo.{stored.extension}"


def _sentence(exc: AppError) -> str:
    """The API's message, in words a visitor reads: "title is required" rather than a field path."""
    errors: dict[str, list[str]] = getattr(exc, "errors", None) or {}
    if errors:
        field, messages = next(iter(errors.items()))
        label = field.rsplit(".", 1)[-1].removesuffix("_id").replace("_", " ").capitalize()
        return f"{label} {messages[0]}"
    return exc.message
