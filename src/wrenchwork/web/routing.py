"""Pages' routes: the request owns its transaction exactly as in the API (core/routing.py), and what the API
answers with its error envelope a page shows in words.

- A page that fails (a GET: 404, 403, a bad filter) is the error page with the API's status and message.
- A form that fails (a POST whose page set `request.state.back`) goes back to that page, which shows the API's
  message above the form; nothing of the refused action is kept.
- Without a valid session, the browser is sent to sign in and brought back afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.responses import RedirectResponse, Response

from wrenchwork.core.errors import AppError, Unprocessable
from wrenchwork.core.handlers import field_errors
from wrenchwork.core.routing import read, transaction, write
from wrenchwork.web import sessions
from wrenchwork.web.templates import render

M = TypeVar("M", bound=BaseModel)


def _first_error(errors: dict[str, list[str]]) -> str:
    first = next(iter(errors), "form")
    return f"{first} {errors.get(first, ['is invalid'])[0]}"


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    return 422, _first_error(field_errors(exc.errors()))


def validated(model: type[M], data: dict[str, Any]) -> M:
    """`model` from a form's values, refused as the API refuses a body: 422 with the field's message."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc.errors())
        raise Unprocessable(_first_error(errors), errors) from None


def go(url: str) -> Response:
    """After a form: see the page (303, so a reload does not send the form again)."""
    return RedirectResponse(url, status_code=303)


def back_to(request: Request, url: str) -> None:
    """Where a refused form returns to (see the module's docstring)."""
    request.state.back = url


def _sign_in(request: Request, message: str | None) -> Response:
    target = request.url.path if request.method == "GET" else "/"
    if request.url.query and request.method == "GET":
        target += "?" + request.url.query
    url = "/sign-in" + ("" if target == "/" else f"?next={quote(target, safe='')}")
    if message and message != sessions.SignInRequired.default_message:
        url += ("&" if "?" in url else "?") + "expired=1"
    response = RedirectResponse(url, status_code=303)
    if request.headers.get("hx-request"):
        response.headers["hx-redirect"] = url
    return response


class WebRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            async def answer(session: Any) -> Response:
                return await _answer(request, handler, session)

            state = request.app.state
            if request.method in ("GET", "HEAD"):
                response = await read(request, lambda: transaction(request, state.read_sessionmaker(), answer))
            else:  # a form: on a writer loop, as the API's writes (core/routing.py)
                response = await write(request, answer)
            new_csrf = getattr(request.state, "new_csrf_cookie", None)
            if new_csrf:
                sessions.set_cookie(request, response, sessions.ANONYMOUS_CSRF_COOKIE, new_csrf, None)
            return response

        return run


async def _answer(
    request: Request, handler: Callable[[Request], Coroutine[Any, Any, Response]], session: Any
) -> Response:
    """The page's response, or what a refusal turns into (see the module's docstring)."""
    try:
        try:
            return await handler(request)
        except RequestValidationError as exc:  # a form field of the wrong type: the API's 422 sentence
            raise _Refused(*_validation_message(exc)) from exc
        except ValidationError as exc:  # a model built from a form without `validated`
            raise _Refused(422, _first_error(field_errors(exc.errors()))) from exc
    except sessions.SignInRequired as exc:
        session.rollback()
        return _sign_in(request, exc.message)
    except AppError as exc:
        session.rollback()
        return _refused(request, exc)  # may note the message for the page it returns to


class _Refused(AppError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status


def _refused(request: Request, exc: AppError) -> Response:
    back = getattr(request.state, "back", None)
    if request.method == "POST" and back and not isinstance(exc, sessions.CsrfRefused):
        sessions.note(request, exc.message, "error")
        return go(back)
    return render(request, "error.html", {"status": exc.status_code, "message": exc.message}, exc.status_code)


def web_router() -> APIRouter:
    return APIRouter(route_class=WebRoute, include_in_schema=False)
