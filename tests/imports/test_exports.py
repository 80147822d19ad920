"""Exports: the list's own rows and order as CSV or XLSX, and a round trip through an import gives the same file."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_entity, make_tenant
from tests.imports.support import run

LOCATIONS = "name,parent,address\nBuilding A,,1 Main St\nFloor 2,Building A,\nAnnex,,\nRoom 7,Building A > Floor 2,\n"
ASSETS = (
    "name,asset_code,serial_number,purchase_cost,purchase_date,location,parent,asset_types,vendors,qr_code\n"
    "Pump,P-1,SN1,1500.5,2024-05-01,Building A > Floor 2,,Pump,Acme,QR-1\n"
    "Impeller,I-1,,12,,,P-1,,,\n"
    "Boiler,,SN2,,,Annex,,,,\n"
)
PARTS = "name,number,on_hand_qty,unit_cost,min_qty,part_type\nBelt,B-1,12.5,3.2,2,Spare\nFuse,F-1,0,0.5,,\n"
VENDORS = "name,tax_id,rating,hourly_rate,is_active\nAcme,DE123,4,55.5,true\nBolts Ltd,,,,false\n"


def _lookups(api: Api) -> None:
    api.post("/asset_types", json={"asset_type": {"name": "Pump"}})
    api.post("/part_types", json={"part_type": {"name": "Spare"}})


def _load(api: Api) -> None:
    _lookups(api)
    for resource, text in (("locations", LOCATIONS), ("vendors", VENDORS), ("assets", ASSETS), ("parts", PARTS)):
        job = run(api, text, resource)
        assert job["status"] == "completed", job


def test_round_trip_into_an_empty_entity_gives_the_same_files(api: Api, session: Session, tenant: Tenant) -> None:
    _load(api)
    other = api.as_entity(make_entity(session, tenant))
    session.rollback()
    _lookups(other)
    for resource in ("locations", "vendors", "assets", "parts"):
        first = api.get(f"/{resource}.csv")
        assert first.status_code == 200 and first.headers["content-type"].startswith("text/csv")
        job = run(other, first.content, resource)
        assert (job["status"], job["errors"]) == ("completed", []), (resource, job)
        assert other.get(f"/{resource}.csv").content == first.content, resource
    assert api.get("/assets.csv").text.splitlines()[1:] == [
        "Boiler,,,,,SN2,,,,,,,,Annex,,,,",
        "Impeller,I-1,,,,,,,,,12,,,,Pump,,,",
        "Pump,P-1,,,,SN1,2024-05-01,,,,1500.5,,,Building A > Floor 2,,Pump,Acme,QR-1",
    ]


def test_filters_sort_and_xlsx(api: Api) -> None:
    _load(api)
    lines = api.get("/locations.csv", params={"sort": "name desc", "filter[name_cont]": "o"}).text.splitlines()
    assert lines == [
        "name,parent,description,address,qr_code",
        "Room 7,Building A > Floor 2,,,",
        "Floor 2,Building A,,,",
    ]
    assert api.get("/locations.csv", params={"filter[colour_eq]": "red"}).status_code == 422
    book = load_workbook(io.BytesIO(api.get("/parts.xlsx").content), read_only=True)
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["name", "number", "description", "min_qty"]
    assert [r[0] for r in rows[1:]] == ["Belt", "Fuse"]
    job = run(api, api.get("/parts.xlsx").content, "parts", name="parts.xlsx")
    assert (job["updated"], job["errors"]) == (2, [])


PM_SCHEDULES = (
    "title,description,priority,type,start_date,time_to_complete,repeat_frequency,repeat_interval,on_week_days,"
    "in_months,on_month_day,asset,location,categories,vendors\n"
    "Check pump,Look and listen,high,persistent,2026-01-05T08:00:00Z,4,week,2,1; 3,,,P-1,Building A > Floor 2,HVAC,"
    "Acme\n"
    "Boiler service,,,one_time,2027-03-01T09:00:00Z,8,day,,,,,Boiler,,,\n"
    "Yearly check,,medium,persistent,2026-02-01T00:00:00Z,24,year,,,2; 8,15,,Annex,,\n"
)
USERS = (
    "name,surname,email,role,job_title\nAda,Lovelace,ada@example.com,technician,Engineer\n"
    "Bob,,bob@example.com,requester,\n"
)


def test_pm_schedules_and_users_round_trip(api: Api, session: Session, tenant: Tenant) -> None:
    _load(api)
    api.post("/categories", json={"category": {"name": "HVAC"}})
    job = run(api, PM_SCHEDULES, "pm_schedules")
    assert (job["status"], job["created"], job["errors"]) == ("completed", 3, []), job
    assert run(api, USERS, "users")["created"] == 2
    other = api.as_entity(make_entity(session, tenant))
    session.rollback()
    _lookups(other)
    other.post("/categories", json={"category": {"name": "HVAC"}})
    # PM schedules list newest first: sorted by title, the file comes back as it went out
    orders = {"pm_schedules": {"sort": "title asc"}}
    for resource in ("locations", "vendors", "assets", "pm_schedules"):
        first = api.get(f"/{resource}.csv", params=orders.get(resource, {}))
        assert first.status_code == 200, (resource, first.text)
        job = run(other, first.content, resource)
        assert (job["status"], job["errors"]) == ("completed", []), (resource, job)
        assert other.get(f"/{resource}.csv", params=orders.get(resource, {})).content == first.content, resource
    lines = api.get("/pm_schedules.csv", params={"sort": "title asc"}).text.splitlines()
    assert lines[2] == (
        "Check pump,Look and listen,high,persistent,planned,2026-01-05T08:00:00.000Z,4,week,2,1; 3,,,Pump,"
        "Building A > Floor 2,HVAC,Acme"
    )
    # Users belong to the customer: the round trip goes into another customer's entity (its own admin left out)
    newcomer = make_tenant(session)
    elsewhere = Api(api.client, newcomer.token, newcomer.entity_id)
    people = {"filter[role_not_eq]": "admin", "sort": "email"}
    first = api.get("/users.csv", params=people)
    job = run(elsewhere, first.content, "users")
    assert (job["status"], job["created"], job["errors"]) == ("completed", 2, []), job
    assert elsewhere.get("/users.csv", params=people).content == first.content
    again = run(api, PM_SCHEDULES.replace("Look and listen", "Listen"), "pm_schedules")
    assert (again["created"], again["updated"]) == (0, 3), again
    users = first.text.splitlines()
    assert users[0] == (
        "name,surname,email,phone_number,job_title,language,status,can_be_assigned_to_wo,regular_rate,"
        "overtime_rate1,overtime_rate2,role"
    )
    assert [line.split(",")[2] + "," + line.split(",")[-1] for line in users[1:]] == [
        "ada@example.com,technician", "bob@example.com,requester",
    ]  # fmt: skip


def test_work_orders_and_requests_export_and_accept_header(api: Api) -> None:
    api.post("/categories", json={"category": {"name": "HVAC"}})
    category = api.get("/categories").json()["data"][0]["id"]
    order = api.post("/work_orders", json={"work_order": {"title": "Fix, then test", "categories_ids": [category]}})
    assert order.status_code == 201, order.text
    api.post("/work_order_requests", json={"work_order_request": {"title": "Leak"}})
    by_accept = api.get("/work_orders", headers={"Accept": "text/csv"})
    assert by_accept.headers["content-type"].startswith("text/csv")
    assert by_accept.content == api.get("/work_orders.csv").content
    header, line = by_accept.text.splitlines()
    assert header.startswith("id,title,description,priority,type,status,asset,location,categories,")
    assert line.startswith(f'{order.json()["data"]["id"]},"Fix, then test",,none,')
    assert ",HVAC," in line and line.endswith(",Ada Admin,Ada Admin")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(api.get("/work_order_requests", headers={"Accept": xlsx}).content)).worksheets[0]
    assert [r[1] for r in sheet.iter_rows(values_only=True)] == ["title", "Leak"]
    assert api.get("/work_orders", headers={"Accept": "application/json, text/csv"}).json()["data"][0]["title"] == (
        "Fix, then test"
    )
