"""Sign-in, invitation and reset links, sessions, CSRF and the entity switcher, through HTTP (no browser)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_entity
from tests.web.pages import PASSWORD, csrf, person, post, sign_in
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import User, WebSession


def test_signed_out_home_sends_to_sign_in(client: TestClient) -> None:
    for method in ("GET", "HEAD"):
        response = client.request(method, "/", follow_redirects=False)
        assert response.status_code == 303, method
        assert response.headers["location"] == "/sign-in"
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert '<label for="password">Password</label>' in page.text


def test_invitation_link_sets_the_password_then_sign_in_works(client: TestClient, api: Api, session: Session) -> None:
    created = api.post("/users", json={"user": {"name": "Tess", "surname": "Tech", "email": "tess@example.com"}})
    assert created.status_code == 201
    link = created.json()["data"]["invitation_url"]
    assert re.fullmatch(r"http://testserver/password/[A-Za-z0-9_-]{43}", link)
    path = link.removeprefix("http://testserver")
    form = client.get(path)
    assert form.status_code == 200 and "tess@example.com" in form.text

    short = client.post(path, data={"csrf_token": csrf(form), "password": "short", "password_confirmation": "short"})
    assert short.status_code == 422
    assert "password is too short (minimum is 10 characters)" in short.text

    done = client.post(
        path,
        data={"csrf_token": csrf(form), "password": "a long password", "password_confirmation": "a long password"},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/sign-in?password_set=1")
    assert client.get(path).status_code == 404  # the link is spent
    user = session.scalars(select(User).where(User.email == "tess@example.com")).one()
    assert user.password_hash is not None and user.password_hash.startswith("$argon2")
    session.commit()  # end the test's read: SQLite's write lock is taken by it
    details = api.get(f"/users/{user.id}").json()["data"]["invitation_details"]
    assert details["accepted_at"] is not None

    signed = sign_in(client, "tess@example.com", "a long password")
    assert (signed.status_code, signed.headers["location"]) == (303, "/")
    cookie = signed.headers["set-cookie"]
    assert "ww_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here
    home = client.get("/")
    assert home.status_code == 200 and "<h1>My work</h1>" in home.text


def test_wrong_password_then_throttled(client: TestClient, session: Session, tenant: Tenant) -> None:
    _, email = person(session, tenant)
    for _ in range(5):
        wrong = sign_in(client, email, "not the password")
        assert wrong.status_code == 401
        assert "Wrong e-mail address or password" in wrong.text
    throttled = sign_in(client, email)  # the right password, too late
    assert throttled.status_code == 429
    assert "Too many sign-in attempts; try again in" in throttled.text
    assert "ww_session" not in throttled.headers.get("set-cookie", "")


def test_secure_cookie_behind_https(client: TestClient, session: Session, tenant: Tenant) -> None:
    _, email = person(session, tenant)
    form = client.get("https://testserver/sign-in")
    signed = client.post(
        "https://testserver/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf(form)},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert "Secure" in signed.headers["set-cookie"]


def test_post_without_csrf_token_is_refused(client: TestClient, session: Session, tenant: Tenant) -> None:
    _, email = person(session, tenant)
    sign_in(client, email)
    refused = client.post("/sign-out", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert "This form has expired or did not come from this site" in refused.text
    wrong = client.post("/sign-out", data={"csrf_token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    anonymous = TestClient(client.app).post("/sign-in", data={"email": email, "password": PASSWORD})
    assert anonymous.status_code == 403


def test_logout_ends_the_session(client: TestClient, session: Session, tenant: Tenant) -> None:
    user_id, email = person(session, tenant)
    sign_in(client, email)
    stolen = client.cookies.get("ww_session")
    out = post(client, "/sign-out")
    assert (out.status_code, out.headers["location"]) == (303, "/sign-in")
    assert session.scalars(select(WebSession).where(WebSession.user_id == user_id)).all() == []
    client.cookies.set("ww_session", stolen or "")
    assert client.get("/", follow_redirects=False).headers["location"] == "/sign-in"


def test_idle_and_absolute_timeouts(client: TestClient, session: Session, tenant: Tenant) -> None:
    _, email = person(session, tenant)
    sign_in(client, email)
    session.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(hours=8, seconds=1)))
    session.commit()
    expired = client.get("/work_orders/1", follow_redirects=False)
    assert expired.status_code == 303
    assert expired.headers["location"] == "/sign-in?next=%2Fwork_orders%2F1&expired=1"
    assert "Your session has expired" in client.get(expired.headers["location"]).text

    sign_in(client, email)
    session.execute(update(WebSession).values(created_at=utcnow() - timedelta(days=7, seconds=1)))
    session.commit()
    assert client.get("/", follow_redirects=False).status_code == 303


def test_forgot_password_writes_the_link_to_the_log(
    client: TestClient, session: Session, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    _, email = person(session, tenant)
    form = client.get("/forgot-password")
    mail_log = logging.getLogger("wrenchwork.mail")
    mail_log.addHandler(caplog.handler)  # the server's logging does not pass records up to the root
    try:
        sent = client.post("/forgot-password", data={"email": email.upper(), "csrf_token": csrf(form)})
        unknown = client.post("/forgot-password", data={"email": "nobody@example.com", "csrf_token": csrf(form)})
    finally:
        mail_log.removeHandler(caplog.handler)
    assert sent.status_code == unknown.status_code == 200
    assert sent.text == unknown.text  # no one learns who has an account
    (record,) = [r for r in caplog.records if r.name == "wrenchwork.mail"]
    link = re.search(r"http://testserver(/password/\S+)", record.getMessage())
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200 and email in page.text


def test_entity_switcher_changes_the_role(client: TestClient, session: Session, tenant: Tenant) -> None:
    user_id, email = person(session, tenant, "technician")
    second = make_entity(session, tenant, "North Plant", admin_role=None)
    from wrenchwork.models import UserRole

    session.add(UserRole(user_id=user_id, entity_id=second, role="limited_admin"))
    session.commit()
    sign_in(client, email)
    home = client.get("/")
    assert "North Plant (limited admin)" in home.text
    assert client.get("/board").status_code == 403  # a technician in the first entity (by name: Main Facility)
    switched = post(client, "/entity", {"entity_id": str(second)})
    assert switched.status_code == 303
    assert client.get("/board").status_code == 200
    other = post(client, "/entity", {"entity_id": "999999"})
    assert other.status_code == 303  # refused: back home with the API's message
    assert "You do not have permission on entity 999999" in client.get("/").text
