"""A request portal in Chromium: submitting on a phone without an account (axe-core: no serious or critical
problems), and the screenshots of the portal's pages, its admin page and its poster."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.web.browser.conftest import Live
from tests.web.browser.test_browser import accessibility_problems, screenshot
from tests.web.pages import PASSWORD
from wrenchwork.models import User, UserRole
from wrenchwork.users.passwords import hash_password


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, "JPEG")
    return out.getvalue()


def test_submit_on_a_portal_without_an_account(phone: Page, desktop: Page, live: Live) -> None:
    asset = live.api.post(
        "/assets", json={"asset": {"name": "Cold store door", "qr_code_attributes": {"value": "CSD-1"}}}
    )
    location = live.api.post("/locations", json={"location": {"name": "Loading bay"}})
    body = {"title": "Report a problem", "description": "Tell the maintenance team what is wrong.",
            "assets_ids": [asset.json()["data"]["id"]], "locations_ids": [location.json()["data"]["id"]]}  # fmt: skip
    portal = live.api.post("/request_portals", json={"request_portal": body}).json()["data"]

    phone.goto(live.url + portal["url"] + "?asset=CSD-1")
    expect(phone.get_by_role("heading", name="Report a problem")).to_be_visible()
    expect(phone.get_by_label("Which machine or equipment?")).to_have_value(str(asset.json()["data"]["id"]))
    assert accessibility_problems(phone) == []
    phone.get_by_label("What is wrong?").fill("Door does not close")
    phone.get_by_label("Details").fill("The seal is torn at the bottom.")
    phone.get_by_label("Photos").set_input_files([{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": _photo()}])
    phone.get_by_label("Your name").fill("Olga Operator")
    phone.get_by_label("Your e-mail").fill("olga@example.com")
    screenshot(phone, "phone-portal-form")
    phone.get_by_role("button", name="Send request").click()
    expect(phone.get_by_role("status")).to_contain_text("your request was received")
    expect(phone.get_by_text("Received, waiting for review")).to_be_visible()
    assert accessibility_problems(phone) == []
    screenshot(phone, "phone-portal-status")
    filed = live.api.get("/work_order_requests", params={"filter[request_portal_id_eq]": portal["id"]}).json()
    assert [r["title"] for r in filed["data"]] == ["Door does not close"]

    with live.app.state.sessionmaker() as session:  # an admin who signs in, for the admin page and the poster
        admin = session.scalars(
            select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == "admin")
        ).first()
        assert admin is not None
        admin.password_hash = hash_password(PASSWORD)
        email = admin.email
        session.commit()
    desktop.goto(live.url + "/sign-in")
    desktop.get_by_label("E-mail").fill(email)
    desktop.get_by_label("Password").fill(PASSWORD)
    desktop.get_by_role("button", name="Sign in").click()
    expect(desktop.get_by_role("heading", name="My work")).to_be_visible()
    desktop.goto(live.url + "/admin/portals")
    expect(desktop.get_by_role("heading", name="Request portals")).to_be_visible()
    assert accessibility_problems(desktop) == []
    screenshot(desktop, "desktop-portals")
    desktop.goto(live.url + f"/admin/portals/{portal['id']}/poster")
    expect(desktop.locator("svg")).to_be_visible()
    assert accessibility_problems(desktop) == []
    screenshot(desktop, "desktop-portal-poster")
    # The request as the admin reviews it: who submitted it on which portal, and how to reach them.
    request_path = f"/requests/{filed['data'][0]['id']}"
    for page, name in ((desktop, "desktop-request-submitter"), (phone, "phone-request-submitter")):
        if page is phone:  # the admin's session, on a phone
            page.context.add_cookies(desktop.context.cookies())
        page.goto(live.url + request_path)
        expect(page.get_by_role("heading", name="Door does not close")).to_be_visible()
        expect(page.get_by_text("Olga Operator on the portal Report a problem")).to_be_visible()
        expect(page.get_by_role("link", name="olga@example.com")).to_be_visible()
        assert accessibility_problems(page) == []
        screenshot(page, name)
