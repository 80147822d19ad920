"""My work, the board and the work order page through HTTP: what the pages show and what their forms change."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant
from tests.web.pages import csrf, person, sign_in
from wrenchwork.models import Attachment, Comment, Part, WorkOrder


def flash(page_text: str) -> list[str]:
    return re.findall(r'<p class="flash [a-z]+" role="[a-z]+">([^<]*)</p>', page_text)


@pytest.fixture
def technician(client: TestClient, session: Session, tenant: Tenant) -> int:
    user_id, email = person(session, tenant)
    assert sign_in(client, email).status_code == 303
    return user_id


def new_work_order(api: Api, **fields: object) -> int:
    response = api.post("/work_orders", json={"work_order": {"title": "Pump leaks", **fields}})
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


def act(client: TestClient, path: str, data: dict[str, str], **kwargs: object) -> str:
    """Send a form of the work order page and return the page it leads to."""
    page_path = "/".join(path.split("/")[:3])
    token = csrf(client.get(page_path))
    sent = client.post(path, data={"csrf_token": token, **data}, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
    assert sent.status_code == 303, sent.text
    return client.get(sent.headers["location"]).text


def test_my_work_lists_my_open_work_overdue_first(client: TestClient, api: Api, technician: int) -> None:
    later = new_work_order(api, title="Later job", technicians_ids=[technician], due_date="2999-01-01T08:00:00Z")
    undated = new_work_order(api, title="Undated job", technicians_ids=[technician])
    overdue = new_work_order(api, title="Overdue job", technicians_ids=[technician], due_date="2020-01-01T08:00:00Z")
    new_work_order(api, title="Someone else's job")
    done = new_work_order(api, title="Finished job", technicians_ids=[technician], status_id=5)

    page = client.get("/")
    assert page.status_code == 200
    shown = re.findall(r'href="/work_orders/(\d+)" class="wo-title"', page.text)
    assert shown == [str(overdue), str(later), str(undated)]
    assert str(done) not in shown
    assert "Overdue · due 2020-01-01 08:00" in page.text
    assert "3 open work orders assigned to you" in page.text

    searched = client.get("/", params={"search": "undated"})
    assert re.findall(r'href="/work_orders/(\d+)" class="wo-title"', searched.text) == [str(undated)]
    assert client.get("/", params={"status": "in_progress"}).text.count('class="wo-title"') == 0


def test_board_is_for_admins(client: TestClient, api: Api, session: Session, tenant: Tenant, technician: int) -> None:
    assert client.get("/board").status_code == 403
    _, email = person(session, tenant, "limited_admin")
    new_work_order(api, title="On the board", status_id=3)
    sign_in(client, email)
    board = client.get("/board")
    assert board.status_code == 200
    held = board.text.split('id="col-on_hold"')[1]
    assert "On the board" in held


def test_work_order_page_shows_the_detail(client: TestClient, api: Api, technician: int) -> None:
    wo = new_work_order(api, description="Oil on the floor", technicians_ids=[technician], checklist=[{"text": "Dry"}])
    page = client.get(f"/work_orders/{wo}")
    assert page.status_code == 200
    assert f"<h1>#{wo} Pump leaks</h1>" in page.text
    assert "Oil on the floor" in page.text and "Dry" in page.text
    assert client.get("/work_orders/999999").status_code == 404
    assert "Work order not found" in client.get("/work_orders/999999").text


def test_timer_checklist_comment_and_status(client: TestClient, api: Api, session: Session, technician: int) -> None:
    wo = new_work_order(api, technicians_ids=[technician], checklist=[{"text": "Dry"}, {"text": "Seal"}])
    assert flash(act(client, f"/work_orders/{wo}/timer", {"action": "start"})) == ["Timer started"]
    again = act(client, f"/work_orders/{wo}/timer", {"action": "start"})
    assert flash(again) == ["Your timer on this work order is already running"]  # the API's 409, in words
    stopped = flash(act(client, f"/work_orders/{wo}/timer", {"action": "stop"}))
    assert stopped[0].startswith("Timer stopped:")

    act(client, f"/work_orders/{wo}/checklist", {"checked": "1"})
    checklist = api.get(f"/work_orders/{wo}").json()["data"]["checklist"]
    assert [item["checked"] for item in checklist] == [False, True]

    page = act(client, f"/work_orders/{wo}/comments", {"body": "Sealed the flange"})
    assert "Sealed the flange" in page
    assert session.scalars(select(Comment.body)).all() == ["Sealed the flange"]
    session.commit()
    empty = act(client, f"/work_orders/{wo}/comments", {"body": "  "})
    assert flash(empty) == ["body String should have at least 1 character"] or flash(empty)[0].startswith("body ")

    assert flash(act(client, f"/work_orders/{wo}/status", {"status_id": "2"})) == ["Status is now in_progress"]


def test_complete_with_a_part_keeps_the_apis_stock_rule(
    client: TestClient, api: Api, session: Session, technician: int
) -> None:
    part = api.post("/parts", json={"part": {"name": "Gasket", "on_hand_qty": 1, "unit_cost": 4}}).json()["data"]
    wo = new_work_order(api, technicians_ids=[technician])
    page = client.get(f"/work_orders/{wo}")
    assert "Gasket" not in page.text and f'href="/work_orders/{wo}/parts/new"' in page.text  # loaded on demand
    picker = client.get(f"/work_orders/{wo}/parts/new")
    assert "Gasket (1 available)" in picker.text and f'action="/work_orders/{wo}/parts"' in picker.text
    assert "No parts match" in client.get(f"/work_orders/{wo}/parts/new", params={"search": "valve"}).text
    assert client.get("/work_orders/999999/parts/new").status_code == 404

    act(client, f"/work_orders/{wo}/parts", {"part_id": str(part["id"]), "quantity": "2"})
    refused = act(client, f"/work_orders/{wo}/status", {"status_id": "5"})
    (message,) = flash(refused)
    assert "Gasket" in message and "stock" in message.lower()
    assert session.get(WorkOrder, wo).base_status == "open"  # type: ignore[union-attr]
    session.commit()

    bad = act(client, f"/work_orders/{wo}/parts", {"part_id": str(part["id"]), "quantity": "lots"})
    assert flash(bad) == ["quantity must be a number"]

    api.patch(f"/parts/{part['id']}/restock", json={"quantity": 5, "cost": 4})
    done = act(client, f"/work_orders/{wo}/status", {"status_id": "5"})
    assert flash(done) == ["Status is now completed"]
    assert session.get(Part, part["id"]).on_hand_qty == 4  # type: ignore[union-attr]


def test_photo_upload_goes_through_the_files_service(
    client: TestClient, api: Api, session: Session, technician: int
) -> None:
    wo = new_work_order(api, technicians_ids=[technician])
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(image, "PNG")
    token = csrf(client.get(f"/work_orders/{wo}"))
    sent = client.post(
        f"/work_orders/{wo}/photos",
        data={"csrf_token": token},
        files={"file": ("leak.png", image.getvalue(), "image/png")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get(sent.headers["location"])
    assert flash(page.text) == ["Photo added"]
    assert 'alt="leak.png"' in page.text
    stored = session.scalars(select(Attachment).where(Attachment.owner_type == "work_orders")).one()
    assert (stored.owner_id, stored.kind) == (wo, "image")
    session.commit()

    not_image = client.post(
        f"/work_orders/{wo}/photos",
        data={"csrf_token": token},
        files={"file": ("notes.exe", b"MZ\x90\x00" * 10, "image/png")},
        follow_redirects=False,
    )
    assert not_image.status_code == 303
    assert flash(client.get(not_image.headers["location"]).text) != ["Photo added"]


def test_requester_cannot_open_technician_pages(client: TestClient, api: Api, session: Session, tenant: Tenant) -> None:
    _, email = person(session, tenant, "requester")
    sign_in(client, email)
    wo = new_work_order(api)
    assert client.get("/").status_code == 403
    page = client.get(f"/work_orders/{wo}")
    assert page.status_code == 403
    assert "Your role (requester) does not allow this action" in page.text
