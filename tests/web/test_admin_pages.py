"""The admin pages through HTTP: the requests inbox, users and invitations, API keys, PM schedules and their
calendar; what each shows, what its forms change, and who is refused."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.files.support import image_bytes, upload
from tests.helpers import Api, Tenant
from tests.pm_schedules.support import create_schedule
from tests.web.pages import csrf, person, sign_in
from tests.web.test_work_order_pages import flash
from wrenchwork.models import ApiKey, Comment, User, UserRole, WorkOrder, WorkOrderRequest


def send(client: TestClient, page: str, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    """A form of `page`, sent with that page's CSRF token (not followed)."""
    token = csrf(client.get(page))
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


def followed(client: TestClient, sent: httpx.Response) -> str:
    assert sent.status_code == 303, sent.text
    return client.get(sent.headers["location"]).text


@pytest.fixture
def admin(client: TestClient, session: Session, tenant: Tenant) -> int:
    user_id, email = person(session, tenant, "admin")
    assert sign_in(client, email).status_code == 303
    return user_id


def one(session: Session, stmt: Any) -> Any:
    """A value read afresh, its transaction ended at once (an open one would keep the pages from writing)."""
    session.expire_all()
    value = session.execute(stmt).scalar_one_or_none()
    session.commit()
    return value


def every(session: Session, stmt: Any) -> list[Any]:
    session.expire_all()
    values = list(session.execute(stmt).scalars())
    session.commit()
    return values


def new_request(api: Api, **fields: object) -> int:
    response = api.post("/work_order_requests", json={"work_order_request": {"title": "Leak", **fields}})
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


# ---- requests ----------------------------------------------------------------------------------------------------


def test_inbox_shows_pending_first_and_filters(client: TestClient, api: Api, admin: int) -> None:
    held = new_request(api, title="Held job", status="on_hold")
    older = new_request(api, title="Older pending job")
    approved = new_request(api, title="Approved job", status="approved")
    newer = new_request(api, title="Newer pending job", description="water on the floor")
    page = client.get("/requests")
    assert page.status_code == 200
    shown = re.findall(r'href="/requests/(\d+)" class="wo-title"', page.text)
    assert shown == [str(newer), str(older), str(held), str(approved)]
    assert "4 requests, pending first" in page.text
    on_hold = client.get("/requests", params={"status": "on_hold"}).text
    assert re.findall(r'href="/requests/(\d+)" class="wo-title"', on_hold) == [str(held)]
    searched = client.get("/requests", params={"search": "floor"}).text
    assert re.findall(r'href="/requests/(\d+)" class="wo-title"', searched) == [str(newer)]


def test_approve_creates_the_work_order_and_links_it(
    client: TestClient, api: Api, session: Session, admin: int
) -> None:
    asset_id = api.post("/assets", json={"asset": {"name": "Boiler"}}).json()["data"]["id"]
    request_id = new_request(api, title="Boiler knocks", description="Loud at night", asset_id=asset_id)
    upload(api, f"/work_order_requests/{request_id}/attachments", image_bytes(), "knock.jpg", "image/jpeg")
    page = client.get(f"/requests/{request_id}")
    assert "Loud at night" in page.text and ">Boiler</a>" in page.text
    assert 'alt="knock.jpg"' in page.text
    assert [b for b in re.findall(r"<button[^>]*>([^<]+)</button>", page.text) if b != "Sign out"] == [
        "Approve", "Put on hold", "Decline"
    ]  # fmt: skip

    shown = followed(client, send(client, f"/requests/{request_id}", f"/requests/{request_id}/decision",
                                  {"status": "approved"}))  # fmt: skip
    made = one(session, select(WorkOrderRequest.work_order_id).where(WorkOrderRequest.id == request_id))
    assert one(session, select(WorkOrder.title).where(WorkOrder.id == made)) == "Boiler knocks"
    assert one(session, select(WorkOrder.asset_id).where(WorkOrder.id == made)) == asset_id
    assert flash(shown) == [f"Approved: work order #{made} created"]
    assert f'href="/work_orders/{made}"' in shown
    assert "<button" not in shown.split('id="main"')[1]  # an approved request's status is final: no decisions

    again = followed(client, send(client, f"/requests/{request_id}", f"/requests/{request_id}/decision",
                                  {"status": "declined"}))  # fmt: skip
    assert flash(again) == ["work_order_request.status cannot change once the request is approved"]
    assert one(session, select(WorkOrderRequest.status).where(WorkOrderRequest.id == request_id)) == "approved"


def test_decline_with_reason_and_hold(client: TestClient, api: Api, session: Session, admin: int) -> None:
    request_id = new_request(api, title="Paint the wall")
    held = followed(client, send(client, f"/requests/{request_id}", f"/requests/{request_id}/decision",
                                 {"status": "on_hold"}))  # fmt: skip
    assert flash(held) == ["Put on hold"]
    declined = followed(client, send(client, f"/requests/{request_id}", f"/requests/{request_id}/decision",
                                     {"status": "declined", "reason": "Not our building"}))  # fmt: skip
    assert flash(declined) == ["Declined"]
    assert "Not our building" in declined.split('id="h-comments"')[1]
    assert one(session, select(WorkOrderRequest.status).where(WorkOrderRequest.id == request_id)) == "declined"
    assert every(session, select(Comment.body).where(Comment.work_order_request_id == request_id)) == [
        "Not our building"
    ]
    back = followed(client, send(client, f"/requests/{request_id}", f"/requests/{request_id}/decision",
                                 {"status": "pending"}))  # fmt: skip
    assert flash(back) == ["work_order_request.status cannot change from declined to pending"]
    bogus = followed(client, send(client, f"/requests/{request_id}", f"/requests/{request_id}/decision",
                                  {"status": "maybe"}))  # fmt: skip
    assert flash(bogus)[0].startswith("status ")


@pytest.mark.parametrize("role", ["technician", "requester"])
def test_inbox_refuses_other_roles(client: TestClient, api: Api, session: Session, tenant: Tenant, role: str) -> None:
    request_id = new_request(api)
    _, email = person(session, tenant, role)
    sign_in(client, email)
    for path in ("/requests", f"/requests/{request_id}", "/users", "/api_keys"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert f"Your role ({role}) does not allow this action" in page.text
    token = csrf(client.get("/assets"))
    refused = client.post(f"/requests/{request_id}/decision", data={"csrf_token": token, "status": "approved"},
                          follow_redirects=False)  # fmt: skip
    assert refused.status_code == 403 and f"Your role ({role}) does not allow this action" in refused.text
    assert one(session, select(WorkOrderRequest.status).where(WorkOrderRequest.id == request_id)) == "pending"
    nav = client.get("/assets").text
    assert 'href="/requests"' not in nav and 'href="/users"' not in nav and 'href="/api_keys"' not in nav


def test_limited_admin_decides_but_manages_no_users(
    client: TestClient, api: Api, session: Session, tenant: Tenant
) -> None:
    request_id = new_request(api)
    _, email = person(session, tenant, "limited_admin")
    sign_in(client, email)
    nav = client.get("/requests").text
    assert 'href="/requests"' in nav and 'href="/users"' not in nav
    followed(client, send(client, "/requests", f"/requests/{request_id}/decision", {"status": "on_hold"}))
    assert one(session, select(WorkOrderRequest.status).where(WorkOrderRequest.id == request_id)) == "on_hold"
    assert client.get("/users").status_code == 403
    assert client.get("/api_keys").status_code == 403


def test_forms_without_csrf_token_are_refused(client: TestClient, api: Api, session: Session, admin: int) -> None:
    request_id = new_request(api)
    key_id = every(session, select(ApiKey.id))[0]
    for path, data in (
        (f"/requests/{request_id}/decision", {"status": "approved"}),
        ("/users", {"name": "Eve", "email": "eve@example.com", "role": "admin"}),
        (f"/users/{admin}/status", {"status": "inactive"}),
        ("/api_keys", {"name": "k", "user_id": str(admin)}),
        (f"/api_keys/{key_id}/revoke", {}),
    ):
        refused = client.post(path, data=data, follow_redirects=False)
        assert refused.status_code == 403, path
        assert "did not come from this site" in refused.text
    assert one(session, select(WorkOrderRequest.status).where(WorkOrderRequest.id == request_id)) == "pending"
    assert every(session, select(User.id).where(User.email == "eve@example.com")) == []


# ---- users -------------------------------------------------------------------------------------------------------


def test_invite_shows_the_link_once_and_it_sets_a_password(
    client: TestClient, session: Session, tenant: Tenant, admin: int
) -> None:
    sent = send(client, "/users", "/users", {"name": "Nina", "surname": "New", "email": "Nina@Example.com",
                                             "role": "limited_admin"})  # fmt: skip
    assert sent.status_code == 200
    link = re.search(r'value="(http://testserver/password/[^"]+)"', sent.text)
    assert link, sent.text
    user_id = one(session, select(User.id).where(User.email == "nina@example.com"))
    assert one(session, select(UserRole.role).where(UserRole.user_id == user_id)) == "limited_admin"
    assert one(session, select(User.invitation_sent_at).where(User.id == user_id)) is not None
    listed = client.get("/users").text
    assert "Nina New" in listed and "Limited admin" in listed and link.group(1) not in listed
    assert client.get(link.group(1).removeprefix("http://testserver")).status_code == 200

    taken = followed(client, send(client, "/users", "/users", {"name": "N", "email": "nina@example.com",
                                                               "role": "technician"}))  # fmt: skip
    assert flash(taken) == ["A user with this email already exists"]
    bad = followed(client, send(client, "/users", "/users", {"name": "N", "email": "nope", "role": "technician"}))
    assert flash(bad)[0].startswith("email ")


def test_change_role_remove_deactivate_and_reinvite(
    client: TestClient, session: Session, tenant: Tenant, admin: int
) -> None:
    tech_id, _ = person(session, tenant, "technician")
    changed = followed(client, send(client, "/users", f"/users/{tech_id}/role", {"role": "requester"}))
    assert flash(changed)[0].endswith("is now requester")
    assert one(session, select(UserRole.role).where(UserRole.user_id == tech_id)) == "requester"

    off = followed(client, send(client, "/users", f"/users/{tech_id}/status", {"status": "inactive"}))
    assert flash(off)[0].endswith("is now inactive")
    assert one(session, select(User.status).where(User.id == tech_id)) == "inactive"
    refused = followed(client, send(client, "/users", f"/users/{tech_id}/invitation"))
    assert flash(refused) == ["This user is inactive; activate them before inviting them again"]
    followed(client, send(client, "/users", f"/users/{tech_id}/status", {"status": "active"}))
    again = send(client, "/users", f"/users/{tech_id}/invitation")
    assert again.status_code == 200 and "/password/" in again.text

    mine = followed(client, send(client, "/users", f"/users/{admin}/status", {"status": "inactive"}))
    assert flash(mine) == ["user.status cannot deactivate your own user"]

    removed = followed(client, send(client, "/users", f"/users/{tech_id}/role", {"role": "remove"}))
    assert flash(removed)[0].endswith("no longer works in Main Facility")
    assert every(session, select(UserRole.id).where(UserRole.user_id == tech_id)) == []
    gone = followed(client, send(client, "/users", f"/users/{tech_id}/role", {"role": "admin"}))
    assert flash(gone) == ["User not found"]


# ---- API keys ----------------------------------------------------------------------------------------------------


def test_api_key_token_shown_once_and_revoked(client: TestClient, session: Session, tenant: Tenant, admin: int) -> None:
    created = send(client, "/api_keys/new", "/api_keys", {"name": "ERP link", "user_id": str(admin)})
    assert created.status_code == 200
    token = re.search(r'id="token" readonly value="([^"]+)"', created.text)
    assert token, created.text
    key_id, prefix = (
        one(session, select(ApiKey.id).where(ApiKey.name == "ERP link")),
        one(session, select(ApiKey.prefix).where(ApiKey.name == "ERP link")),
    )
    headers = {"Authorization": f"Bearer {token.group(1)}", "X-Entity-Id": str(tenant.entity_id)}
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    listed = client.get("/api_keys").text
    assert "ERP link" in listed and token.group(1) not in listed and prefix in listed
    assert "acts as User" in listed  # the owner's name

    revoked = followed(client, send(client, "/api_keys", f"/api_keys/{key_id}/revoke"))
    assert flash(revoked) == [f"API key {key_id} revoked: requests with it are refused from now on"]
    assert client.get("/api/v1/users", headers=headers).status_code == 401
    nameless = followed(client, send(client, "/api_keys", "/api_keys", {"name": " ", "user_id": str(admin)}))
    assert flash(nameless)[0].startswith("name ")
    stranger = followed(client, send(client, "/api_keys", "/api_keys", {"name": "x", "user_id": "99999"}))
    assert flash(stranger) == ["api_key.user_id is not a user of this entity"]
    assert send(client, "/api_keys", "/api_keys", {"name": "x", "user_id": "me"}).status_code == 422


# ---- PM schedules ------------------------------------------------------------------------------------------------


def test_pm_list_page_pause_resume_and_create_now(client: TestClient, api: Api, session: Session, admin: int) -> None:
    start = date.today() + timedelta(days=30)  # the page shows the coming year's orders
    schedule = create_schedule(api, "Grease the conveyor", start_date=f"{start}T08:00:00Z")
    create_schedule(api, "Check the boiler", start_date=f"{start}T08:00:00Z", status="paused")
    listed = client.get("/pm_schedules", params={"status": "planned"}).text
    assert "Grease the conveyor" in listed and "Check the boiler" not in listed
    assert "Check the boiler" in client.get("/pm_schedules", params={"search": "boiler"}).text
    page_path = f"/pm_schedules/{schedule['id']}"
    page = client.get(page_path).text
    assert f"{start} 08:00" in page and f"{start + timedelta(days=1)} 08:00" in page

    paused = followed(client, send(client, page_path, f"{page_path}/status", {"status": "paused"}))
    assert flash(paused) == ["Schedule paused"] and ">Resume<" in paused
    refused = followed(client, send(client, page_path, f"{page_path}/generate"))
    assert flash(refused) == [f"PM schedule {schedule['id']} is paused: it generates no work orders"]
    followed(client, send(client, page_path, f"{page_path}/status", {"status": "planned"}))

    shown = csrf(client.get(page_path))
    next_order = re.search(r'name="next_order_date" value="([^"]+)"', client.get(page_path).text)
    assert next_order
    made = client.post(f"{page_path}/generate", data={"csrf_token": shown, "next_order_date": next_order.group(1)},
                       follow_redirects=False)  # fmt: skip
    assert made.status_code == 303 and made.headers["location"].startswith("/work_orders/")
    wo_id = int(made.headers["location"].rsplit("/", 1)[1])
    assert one(session, select(WorkOrder.pm_schedule_id).where(WorkOrder.id == wo_id)) == schedule["id"]
    twice = client.post(f"{page_path}/generate", data={"csrf_token": shown, "next_order_date": next_order.group(1)},
                        follow_redirects=False)  # fmt: skip
    assert "that occurrence has been generated already" in flash(followed(client, twice))[0]
    assert f"/work_orders/{wo_id}" in client.get(page_path).text


def test_pm_calendar_month(client: TestClient, api: Api, admin: int) -> None:
    weekly = create_schedule(api, "Weekly walk", start_date="2099-03-02T09:00:00Z", repeat_frequency="week")
    page = client.get("/pm_calendar", params={"month": "2099-03"})
    assert page.status_code == 200
    assert "PM calendar: March 2099" in page.text
    days = re.findall(r'<span class="day">([^<]+)</span>\s*<ul class="plain">', page.text)
    assert days == ["Mon 2 Mar", "Mon 9 Mar", "Mon 16 Mar", "Mon 23 Mar", "Mon 30 Mar"]
    assert page.text.count(f'href="/pm_schedules/{weekly["id"]}"') == 5
    assert 'href="/pm_calendar?month=2099-02"' in page.text and 'href="/pm_calendar?month=2099-04"' in page.text
    assert "5 orders" in page.text
    wrong = client.get("/pm_calendar", params={"month": "2099-13"})
    assert wrong.status_code == 422 and "month must be a month as YYYY-MM" in wrong.text


def test_technician_reads_pm_but_changes_nothing(
    client: TestClient, api: Api, session: Session, tenant: Tenant
) -> None:
    schedule = create_schedule(api, "Grease", start_date="2099-01-05T08:00:00Z")
    _, email = person(session, tenant, "technician")
    sign_in(client, email)
    page = client.get(f"/pm_schedules/{schedule['id']}")
    assert page.status_code == 200 and "Pause" not in page.text and 'href="/pm_schedules"' in page.text
    assert client.get("/pm_calendar").status_code == 200
    refused = send(client, f"/pm_schedules/{schedule['id']}", f"/pm_schedules/{schedule['id']}/status",
                   {"status": "paused"})  # fmt: skip
    assert refused.status_code == 403 and "Your role (technician) does not allow this action" in refused.text
    assert api.get(f"/pm_schedules/{schedule['id']}").json()["data"]["status"] == "planned"
    _, requester = person(session, tenant, "requester")
    sign_in(client, requester)
    assert client.get("/pm_schedules").status_code == 403
