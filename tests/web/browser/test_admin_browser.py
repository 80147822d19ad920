"""The admin pages in Chromium: approving a request on a phone, and every admin page checked with axe-core
(screenshots of the inbox, users, API keys and the PM calendar for docs/screenshots)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.web.browser.conftest import DESKTOP, PHONE, Live
from tests.web.browser.test_browser import accessibility_problems, screenshot
from tests.web.pages import PASSWORD
from wrenchwork.models import User
from wrenchwork.users.passwords import hash_password

ADMIN = "alma@example.com"


@pytest.fixture(scope="module")
def admin(live: Live) -> str:
    """An admin of the live server's entity, with the tests' password."""
    entity_id = int(live.api.headers["X-Entity-Id"])
    body = {"user": {"name": "Alma", "surname": "Admin", "email": ADMIN,
                     "permissions": [{"entity_id": entity_id, "role": "admin"}]}}  # fmt: skip
    assert live.api.post("/users", json=body).status_code == 201
    with live.app.state.sessionmaker() as session:
        user = session.scalars(select(User).where(User.email == ADMIN)).one()
        user.password_hash = hash_password(PASSWORD)
        session.commit()
    return ADMIN


def sign_in_as(page: Page, live: Live, email: str) -> None:
    page.goto(live.url + "/sign-in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()


def test_approve_a_request_on_a_phone(phone: Page, live: Live, admin: str) -> None:
    made = live.api.post("/work_order_requests", json={"work_order_request": {
        "title": "Door sticks in the cold store", "description": "Hard to open since Monday"}})  # fmt: skip
    request_id = made.json()["data"]["id"]
    sign_in_as(phone, live, admin)
    phone.get_by_role("link", name="Requests").click()
    expect(phone.get_by_role("heading", name="Requests")).to_be_visible()
    assert accessibility_problems(phone) == []
    screenshot(phone, "phone-requests")
    phone.get_by_role("link", name=f"#{request_id} Door sticks in the cold store").click()
    expect(phone.get_by_text("Hard to open since Monday")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert accessibility_problems(phone) == []
    screenshot(phone, "phone-request")
    phone.get_by_role("button", name="Approve").click()
    expect(phone.get_by_role("status")).to_contain_text("Approved: work order #")
    work_order_id = live.api.get(f"/work_order_requests/{request_id}").json()["data"]["work_order_id"]
    assert work_order_id is not None
    phone.get_by_role("link", name=f"#{work_order_id}").click()
    expect(phone.get_by_role("heading", name=f"#{work_order_id} Door sticks in the cold store")).to_be_visible()


def test_admin_pages_have_no_serious_accessibility_problems(desktop: Page, live: Live, admin: str) -> None:
    live.api.post("/work_order_requests", json={"work_order_request": {"title": "Flickering light, hall B"}})
    live.api.post("/api_keys", json={"api_key": {"name": "ERP link", "user_id": live.technician_id}})
    schedule = live.api.post("/pm_schedules", json={"pm_schedule": {
        "type": "persistent", "start_date": "2026-12-01T07:00:00Z", "time_to_complete": 4,
        "repeat_frequency": "week", "template_work_order_attributes": {"title": "Inspect fire doors"}}})  # fmt: skip
    live.api.post("/pm_schedules", json={"pm_schedule": {
        "type": "persistent", "start_date": "2026-12-04T13:00:00Z", "time_to_complete": 2,
        "repeat_frequency": "day", "repeat_interval": 3,
        "template_work_order_attributes": {"title": "Check boiler pressure"}}})  # fmt: skip
    schedule_id = schedule.json()["data"]["id"]
    sign_in_as(desktop, live, admin)
    pages = {
        "requests": "/requests",
        "users": "/users",
        "api-keys": "/api_keys",
        "api-key-new": "/api_keys/new",
        "pm-schedules": "/pm_schedules",
        "pm-schedule": f"/pm_schedules/{schedule_id}",
        "pm-calendar": "/pm_calendar?month=2026-12",
    }
    for name, path in pages.items():
        desktop.goto(live.url + path)
        expect(desktop.locator("h1")).not_to_have_text("Not allowed")
        assert accessibility_problems(desktop) == [], name
        screenshot(desktop, f"desktop-{name}")
    desktop.set_viewport_size(PHONE)
    for name in ("users", "api-keys", "pm-calendar"):
        desktop.goto(live.url + pages[name])
        assert desktop.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
        screenshot(desktop, f"phone-{name}")
    desktop.set_viewport_size(DESKTOP)
    desktop.goto(live.url + "/users")
    desktop.locator("summary", has_text="Invite a user").click()
    desktop.get_by_label("First name").fill("Omar")
    desktop.get_by_label("E-mail").fill("omar@example.com")
    desktop.get_by_role("button", name="Invite", exact=True).click()
    expect(desktop.get_by_role("heading", name="Invited: Omar")).to_be_visible()
    assert "/password/" in desktop.get_by_label("Invitation link").input_value()
    assert accessibility_problems(desktop) == []
