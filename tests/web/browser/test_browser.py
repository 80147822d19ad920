"""The web app in Chromium: sign in, complete a work order on a phone, CSRF, session expiry, sign out,
accessibility (axe-core), and the screenshots of docs/screenshots (WRENCHWORK_SCREENSHOTS=<dir> writes them)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import AXE, DESKTOP, PHONE, Live
from tests.web.pages import PASSWORD


def sign_in(page: Page, live: Live, password: str = PASSWORD) -> None:
    page.goto(live.url + "/")
    page.get_by_label("E-mail").fill(live.technician_email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def work_order(live: Live, **fields: Any) -> int:
    body = {"work_order": {"title": "Replace the pump seal", "technicians_ids": [live.technician_id], **fields}}
    response = live.api.post("/work_orders", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


def accessibility_problems(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page: Page, name: str) -> None:
    target = os.environ.get("WRENCHWORK_SCREENSHOTS")
    if not target:
        return
    png = page.screenshot(full_page=False)
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    Path(target).mkdir(parents=True, exist_ok=True)
    image.save(Path(target) / f"{name}.png", optimize=True)


def test_wrong_password_then_sign_in(phone: Page, live: Live) -> None:
    sign_in(phone, live, "not my password")
    expect(phone.get_by_role("alert")).to_have_text("Wrong e-mail address or password")
    sign_in(phone, live)
    expect(phone.get_by_role("heading", name="My work")).to_be_visible()


def test_complete_a_work_order_with_a_part_and_a_photo_on_a_phone(phone: Page, live: Live) -> None:
    part = live.api.post("/parts", json={"part": {"name": "Seal kit", "on_hand_qty": 4, "unit_cost": 18}}).json()
    wo = work_order(live, description="Drips at the shaft", due_date="2020-05-01T09:00:00Z",
                    checklist=[{"text": "Isolate the pump"}, {"text": "Test run"}])  # fmt: skip
    sign_in(phone, live)
    expect(phone.get_by_role("link", name=f"#{wo} Replace the pump seal")).to_be_visible()
    screenshot(phone, "phone-my-work")
    phone.get_by_role("link", name=f"#{wo} Replace the pump seal").click()
    expect(phone.get_by_role("heading", name=f"#{wo} Replace the pump seal")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than a phone

    phone.get_by_label("Isolate the pump").check()
    phone.get_by_role("button", name="Save checklist").click()
    expect(phone.get_by_label("Isolate the pump")).to_be_checked()
    phone.wait_for_load_state("networkidle")  # the box was ticked before the save: wait for the saved page

    phone.get_by_role("link", name="Add a part").click()  # the picker: a page of its own, read on demand
    expect(phone.get_by_role("heading", name="Add a part")).to_be_visible()
    screenshot(phone, "phone-part-picker")
    phone.get_by_label("Part", exact=True).select_option(label="Seal kit (4 available)")
    phone.get_by_label("Quantity").fill("1")
    phone.get_by_role("button", name="Add part").click()
    expect(phone.get_by_role("status")).to_have_text("Seal kit added")

    image = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(image, "JPEG")
    phone.get_by_label("Add a photo").set_input_files(
        {"name": "seal.jpg", "mimeType": "image/jpeg", "buffer": image.getvalue()}
    )
    phone.get_by_role("button", name="Upload").click()
    expect(phone.get_by_role("status")).to_have_text("Photo added")
    expect(phone.get_by_role("img", name="seal.jpg")).to_be_visible()
    screenshot(phone, "phone-work-order")

    phone.get_by_role("button", name="Complete").click()
    expect(phone.get_by_role("status")).to_have_text("Status is now completed")
    detail = live.api.get(f"/work_orders/{wo}").json()["data"]
    assert detail["status"]["name"] == "completed"
    assert [(p["part_id"], p["quantity"]) for p in detail["part_assignments"]] == [(part["data"]["id"], 1)]
    assert live.api.get(f"/parts/{part['data']['id']}").json()["data"]["on_hand_qty"] == 3
    assert len(detail["images"]) == 1


def test_post_without_csrf_token_is_refused(phone: Page, live: Live) -> None:
    sign_in(phone, live)
    expect(phone.get_by_role("heading", name="My work")).to_be_visible()
    phone.evaluate(
        """() => { const f = document.createElement('form'); f.method = 'post'; f.action = '/sign-out';
                   document.body.appendChild(f); f.submit(); }"""
    )
    expect(phone.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(phone.get_by_role("alert")).to_contain_text("did not come from this site")
    phone.goto(live.url + "/")
    expect(phone.get_by_role("heading", name="My work")).to_be_visible()  # still signed in


def test_idle_session_expires(phone: Page, live: Live) -> None:
    sign_in(phone, live)
    expect(phone.get_by_role("heading", name="My work")).to_be_visible()
    settings = live.app.state.settings
    settings.session_idle_minutes = 1e-6  # any pause is too long now
    try:
        phone.goto(live.url + "/parts")
        expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(phone.get_by_role("status")).to_have_text("Your session has expired; please sign in again")
    finally:
        settings.session_idle_minutes = 8 * 60
    phone.get_by_label("E-mail").fill(live.technician_email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("heading", name="Parts")).to_be_visible()  # back where the person was going


def test_sign_out(phone: Page, live: Live) -> None:
    sign_in(phone, live)
    phone.get_by_role("button", name="Sign out").click()
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()
    phone.goto(live.url + "/")
    expect(phone.get_by_role("heading", name="Sign in")).to_be_visible()


def test_main_pages_have_no_serious_accessibility_problems(desktop: Page, live: Live) -> None:
    asset = live.api.post(
        "/assets", json={"asset": {"name": "Air compressor", "qr_code_attributes": {"value": "AC-7"}}}
    )
    asset_id = asset.json()["data"]["id"]
    part = live.api.post("/parts", json={"part": {"name": "Air filter", "on_hand_qty": 6, "unit_cost": 9.5}})
    wo = work_order(live, title="Compressor service", asset_id=asset_id, due_date="2099-01-01T09:00:00Z",
                    checklist=[{"text": "Drain the tank"}])  # fmt: skip
    desktop.goto(live.url + "/sign-in")
    assert accessibility_problems(desktop) == []
    screenshot(desktop, "desktop-sign-in")
    sign_in(desktop, live)
    expect(desktop.get_by_role("heading", name="My work")).to_be_visible()
    pages = {
        "my-work": "/",
        "work-order": f"/work_orders/{wo}",
        "asset": "/assets/qr/AC-7",
        "parts": "/parts",
        "part": f"/parts/{part.json()['data']['id']}",
    }
    for name, path in pages.items():
        desktop.goto(live.url + path)
        expect(desktop.locator("h1")).not_to_have_text("Sign in")
        assert accessibility_problems(desktop) == [], name
        screenshot(desktop, f"desktop-{name}")
    desktop.set_viewport_size(PHONE)
    desktop.goto(live.url + f"/assets/{asset_id}")
    screenshot(desktop, "phone-asset")
    desktop.set_viewport_size(DESKTOP)


def test_answer_a_procedure_on_a_phone(phone: Page, live: Live) -> None:
    items = [
        {"name": "Oil level", "item_type": "meter_reading", "options": {"unit": "mm", "min": 0, "max": 50}},
        {"name": "Guard fitted", "item_type": "checkbox"},
        {"name": "Mode", "item_type": "multiple_choice", "options": {"choices": ["Auto", "Manual"]}},
        {"name": "Leaks", "item_type": "yes_no"},
    ]
    body = {"name": "Gearbox check", "description": "Monthly", "items_attributes": items}
    template = live.api.post("/procedure_templates", json={"procedure_template": body})
    assert template.status_code == 201, template.text
    wo = work_order(live, title="Gearbox inspection", procedure_template_ids=[template.json()["data"]["id"]])
    sign_in(phone, live)
    expect(phone.get_by_role("heading", name="My work")).to_be_visible()
    phone.goto(live.url + f"/work_orders/{wo}")
    answers = {"Oil level * (mm)": "32", "Mode *": "Manual", "Leaks *": "no"}
    for label, value in answers.items():
        field = phone.get_by_label(label, exact=True)
        form = phone.locator("form.answer").filter(has=field)
        if value.isdigit():
            field.fill(value)
        else:
            field.select_option(value)
        form.get_by_role("button", name="Save").click()
        expect(form.locator(".answered")).to_be_visible()  # the saved page, answered by the technician
        expect(phone.get_by_label(label, exact=True)).to_have_value(value)
    guard = phone.locator("form.answer").filter(has=phone.get_by_label("Guard fitted *"))
    guard.get_by_label("Guard fitted *").check()
    guard.get_by_role("button", name="Save").click()
    expect(guard.locator(".answered")).to_be_visible()
    expect(phone.get_by_label("Guard fitted *")).to_be_checked()
    assert accessibility_problems(phone) == []
    procedure = live.api.get(f"/work_orders/{wo}").json()["data"]["procedures"][0]
    answered = live.api.get(f"/work_orders/{wo}/procedures/{procedure['id']}").json()["data"]["items"]
    assert {i["name"]: i["value"] for i in answered} == {
        "Oil level": 32, "Guard fitted": True, "Mode": "Manual", "Leaks": "no"
    }  # fmt: skip
    phone.locator(f"#procedure-{procedure['id']}").evaluate("e => e.scrollIntoView({block: 'start'})")
    screenshot(phone, "phone-work-order-answers")
