"""Signing in and out, invitation and reset links, the entity switcher."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from wrenchwork.core.errors import AppError
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import User
from wrenchwork.users import invitations, passwords
from wrenchwork.web import sessions
from wrenchwork.web.mail import send_reset_link
from wrenchwork.web.routing import back_to, go, web_router
from wrenchwork.web.sessions import AnonymousCsrf, CurrentViewer
from wrenchwork.web.templates import render

router = web_router()
WRONG = "Wrong e-mail address or password"
Text = Annotated[str, Form(max_length=300)]


def safe_next(target: str | None) -> str:
    """Only a path of this site (never `//elsewhere` or a full address) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def sign_in_page(request: Request, next_url: str = "/", error: str | None = None, status: int = 200) -> Response:
    notice = "Your session has expired; please sign in again" if request.query_params.get("expired") else None
    done = "Your password is set; sign in with it" if request.query_params.get("password_set") else None
    context = {"next": safe_next(next_url), "error": error, "notice": notice or done, "title": "Sign in"}
    return render(request, "sign_in.html", context, status)


@router.get("/sign-in")
async def show_sign_in(request: Request, _csrf: AnonymousCsrf, next: str = "/") -> Response:
    return sign_in_page(request, next)


@router.post("/sign-in")
async def sign_in(
    request: Request, _csrf: AnonymousCsrf, email: Text, password: Text, next: Annotated[str, Form()] = "/"
) -> Response:
    session: Session = request.state.session
    throttle = request.app.state.login_throttle
    peer = request.client.host if request.client else None
    ip = throttle.client_ip(peer, request.headers.get("x-forwarded-for"))
    address = email.strip().lower()
    try:
        throttle.check(address, ip)
    except AppError as exc:
        return sign_in_page(request, next, exc.message, exc.status_code)
    candidates = session.scalars(select(User).where(func.lower(User.email) == address, User.status == "active")).all()
    user = None
    for candidate in candidates:
        if passwords.verify(password, candidate.password_hash):
            user = candidate
            break
    if not candidates:
        passwords.verify(password, None)  # as long as a wrong password takes
    if user is None:
        throttle.failed(address, ip)
        return sign_in_page(request, next, WRONG, 401)
    user.last_login_at = utcnow()
    user.login_count += 1
    response = go(safe_next(next))
    sessions.start(session, request, response, user.id)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, _viewer: CurrentViewer) -> Response:
    response = go("/sign-in")
    sessions.end(request.state.session, request, response)
    return response


@router.get("/password/{token}")
async def show_set_password(request: Request, _csrf: AnonymousCsrf, token: str) -> Response:
    _, user = invitations.holder(request.state.session, token)
    return render(request, "set_password.html", {"title": "Set your password", "user": user, "token": token})


@router.post("/password/{token}")
async def set_password(
    request: Request, _csrf: AnonymousCsrf, token: str, password: Text, password_confirmation: Text
) -> Response:
    session: Session = request.state.session
    _, user = invitations.holder(session, token)
    try:
        invitations.set_password(session, token, password, password_confirmation)
    except AppError as exc:
        context = {"title": "Set your password", "user": user, "token": token, "error": exc.message}
        return render(request, "set_password.html", context, exc.status_code)
    return go("/sign-in?password_set=1")


@router.get("/forgot-password")
async def show_forgot(request: Request, _csrf: AnonymousCsrf) -> Response:
    return render(request, "forgot.html", {"title": "Forgot password"})


@router.post("/forgot-password")
async def forgot(request: Request, _csrf: AnonymousCsrf, email: Text) -> Response:
    """The same answer whether or not the address is known: the page tells no one who has an account."""
    session: Session = request.state.session
    settings = request.app.state.settings
    address = email.strip().lower()
    users = session.scalars(select(User).where(func.lower(User.email) == address, User.status == "active")).all()
    for user in users:
        token = invitations.issue(session, user, invitations.RESET, settings.sign_in_link_hours)
        send_reset_link(settings, user.email, invitations.public_address(request) + invitations.link_path(token))
    context = {"title": "Forgot password", "sent": True}
    return render(request, "forgot.html", context)


@router.post("/entity")
async def switch_entity(
    request: Request, viewer: CurrentViewer, entity_id: Annotated[int, Form(ge=1, le=2**31 - 1)]
) -> Response:
    back_to(request, "/")
    sessions.choose_entity(request.state.session, viewer, entity_id)
    return go("/")
