"""Exports: the list's own rows and order as CSV or XLSX, and a round trip through an import gives the same file."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.helpers import Api, Tenant, make_entity
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
