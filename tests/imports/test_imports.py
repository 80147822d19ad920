"""Imports through the API: every resource, modes, matching on re-run, errors by row and column."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.events.support import events
from tests.helpers import Api, Tenant, make_user
from tests.imports.support import run
from wrenchwork.models import Asset, Location, Part, PartTransaction, RowCount


def read(session: Session, stmt: Any) -> Any:
    """One value, ending the read's transaction (on SQLite it holds the write lock the runner needs)."""
    value = session.execute(stmt).all()
    session.rollback()
    return value[0][0] if len(value) == 1 and len(value[0]) == 1 else value


def count(session: Session, model: Any) -> int:
    found: int = read(session, select(func.count()).select_from(model))
    return found


LOCATIONS = "Name,Parent,Address\nBuilding A,,1 Main St\nFloor 2,Building A,\nRoom 7,Building A > Floor 2,\n"


def test_locations_tree_paths_and_rerun_updates(api: Api) -> None:
    job = run(api, LOCATIONS, "locations")
    assert job["status"] == "completed", job
    assert (job["rows"], job["created"], job["updated"], job["skipped"], job["errors"]) == (3, 3, 0, 0, [])
    paths = sorted(item["path"] for item in api.get("/locations").json()["data"])
    assert paths == ["Building A", "Building A > Floor 2", "Building A > Floor 2 > Room 7"]
    again = run(api, LOCATIONS.replace("1 Main St", "2 Main St"), "locations")
    assert (again["created"], again["updated"]) == (0, 3)
    assert api.get("/locations").json()["meta"]["pagination"]["total"] == 3


def test_assets_synonyms_references_and_counters(api: Api, session: Session, tenant: Tenant) -> None:
    run(api, LOCATIONS, "locations")
    api.post("/asset_types", json={"asset_type": {"name": "Pump"}})
    api.post("/vendors", json={"vendor": {"name": "Acme"}})
    text = (
        "Asset Name;Asset Code;Serial #;Location;Parent;Asset Type;Vendor;QR Code;Colour\n"
        "Boiler;B-1;SN1;Building A > Floor 2;;Pump;Acme;QR-B1;red\n"
        "Burner;B-2;SN2;Building A;B-1;;;;blue\n"
    )
    job = run(api, "\ufeff" + text, "assets")
    assert job["status"] == "completed", job
    assert (job["created"], job["unmatched_columns"]) == (2, ["Colour"])
    boiler = api.get("/assets", params={"filter[asset_code_eq]": "B-1"}).json()["data"][0]
    assert boiler["serial_number"] == "SN1" and boiler["qr_code"] == "QR-B1"
    assert boiler["location"]["path"] == "Building A > Floor 2"
    assert [t["name"] for t in boiler["asset_types"]] == ["Pump"]
    burner = api.get("/assets", params={"filter[asset_code_eq]": "B-2"}).json()["data"][0]
    assert burner["parent"]["id"] == boiler["id"]
    # the row counter answers the list's total: it must equal the rows
    counted = read(
        session, select(RowCount.count).where(RowCount.name == "assets", RowCount.scope_id == tenant.entity_id)
    )
    assert counted == count(session, Asset) == 2
    assert api.get("/assets", params={"search": "Burner"}).json()["meta"]["pagination"]["total"] == 1
    again = run(api, text.replace("SN2", "SN2b"), "assets")
    assert (again["created"], again["updated"]) == (0, 2)
    assert count(session, Asset) == 2


def test_all_or_nothing_reports_every_error_and_writes_nothing(api: Api, session: Session) -> None:
    text = "name,asset_code,purchase_cost,location\nGood,G-1,10,\n,X-1,abc,\nOther,O-1,5,Nowhere\n"
    job = run(api, text, "assets")
    assert job["status"] == "failed"
    assert (job["rows"], job["created"], job["skipped"]) == (3, 0, 3)
    assert job["errors"] == [
        {"row": 3, "column": "name", "field": "name", "message": "is required"},
        {"row": 3, "column": "purchase_cost", "field": "purchase_cost", "message": "input should be a valid decimal"},
        {"row": 4, "column": "location", "field": "location", "message": "names no location of this entity: Nowhere"},
    ]
    assert count(session, Asset) == 0


def test_partial_keeps_good_rows_and_validate_writes_nothing(api: Api, session: Session) -> None:
    text = "name,asset_code,purchase_cost\nOne,C-1,1\nTwo,C-2,-5\nThree,C-3,2\n"
    checked = run(api, text, "assets", "validate")
    assert checked["status"] == "completed"
    assert checked["errors"] == [
        {
            "row": 3,
            "column": "purchase_cost",
            "field": "purchase_cost",
            "message": "input should be greater than or equal to 0",
        }
    ]
    assert count(session, Asset) == 0
    kept = run(api, text, "assets", "partial")
    assert (kept["status"], kept["created"], kept["skipped"]) == ("completed", 2, 1)
    assert sorted(n for (n,) in read(session, select(Asset.name))) == ["One", "Three"]


def test_parts_write_the_initial_ledger_line(api: Api, session: Session) -> None:
    text = "Part Name,Part #,Qty,Unit Price\nBelt,P-1,12.5,3.20\n"
    assert run(api, text, "parts")["created"] == 1
    stock = read(session, select(Part.on_hand_qty, Part.unit_cost, Part.avg_unit_cost))
    assert stock == [(Decimal("12.5"), Decimal("3.20"), Decimal("3.20"))]
    ledger = read(session, select(PartTransaction.type, PartTransaction.quantity))
    assert [(t, Decimal(q)) for t, q in ledger] == [("initial", Decimal("12.5"))]
    # a re-run updates the part and leaves stock to the ledger's actions
    again = run(api, text.replace("12.5", "99"), "parts")
    assert (again["updated"], again["errors"]) == (1, [])
    assert read(session, select(Part.on_hand_qty)) == Decimal("12.5")
    assert count(session, PartTransaction) == 1


def test_vendors_with_contacts_and_users_with_roles(api: Api) -> None:
    vendors = "Company,Contact,Email,Phone\nAcme,Ann,ann@acme.example.com,555\nAcme,Bob,bob@acme.example.com,\n"
    job = run(api, vendors, "vendors")
    assert (job["created"], job["updated"]) == (1, 1), job
    vendor = api.get("/vendors").json()["data"][0]
    detail = api.get(f"/vendors/{vendor['id']}").json()["data"]
    assert sorted(c["name"] for c in detail["vendor_contacts"]) == ["Ann", "Bob"]
    users = (
        "First Name,Last Name,E-mail,Role\nTed,Tech,TED@example.com,technician\nLiz,Lim,liz@example.com,limited admin\n"
    )
    job = run(api, users, "users")
    assert job["created"] == 2, job
    emails = {u["email"]: u for u in api.get("/users").json()["data"]}
    assert emails["ted@example.com"]["permissions"][0]["role"] == "technician"
    assert emails["liz@example.com"]["permissions"][0]["role"] == "limited_admin"
    again = run(api, users.replace("technician", "admin"), "users")
    assert (again["created"], again["updated"]) == (0, 2)


def test_cp1252_tab_delimited_and_xlsx(api: Api, session: Session) -> None:
    text = "Name\tDescription\nCafé\tcrème\n".encode("cp1252")
    assert run(api, text, "locations")["created"] == 1
    assert read(session, select(Location.description)) == "crème"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Asset Name", "Purchase Date", "Purchase Cost"])
    sheet.append(["Chiller", __import__("datetime").datetime(2024, 5, 1), 1500.5])
    buffer = io.BytesIO()
    book.save(buffer)
    job = run(api, buffer.getvalue(), "assets", name="assets.xlsx")
    assert job["created"] == 1, job
    asset = api.get("/assets").json()["data"][0]
    assert (asset["purchase_date"], asset["purchase_cost"]) == ("2024-05-01", 1500.5)


def test_requests_refused(api: Api, session: Session, tenant: Tenant) -> None:
    _, token = make_user(session, tenant, role="limited_admin")
    session.rollback()
    refused = api.as_key(token).post("/imports", files={"file": ("a.csv", b"name\nx\n")}, data={"resource": "assets"})
    assert refused.status_code == 403
    bad = api.post("/imports", files={"file": ("a.csv", b"name\nx\n")}, data={"resource": "planets"})
    assert bad.status_code == 422 and bad.json()["errors"] == {"resource": [bad.json()["errors"]["resource"][0]]}
    assert api.post("/imports", json={"resource": "assets"}).status_code == 415
    assert api.get("/imports/999").status_code == 404
    unreadable = run(api, b"PK\x03\x04 not a workbook", "assets", name="a.xlsx")
    assert unreadable["status"] == "failed"
    assert unreadable["errors"] == [
        {"row": None, "column": None, "field": "file", "message": "is not a readable XLSX workbook"}
    ]
    missing = run(api, "Colour\nred\n", "assets")
    assert missing["errors"] == [
        {"row": 1, "column": None, "field": "name", "message": "no column for name: the file needs one"}
    ]


def test_bulk_path_keeps_counters_search_and_trees_exact(api: Api, session: Session, tenant: Tenant) -> None:
    """Rows that only create go through the batch inserts: what the service would keep must hold all the same."""
    run(api, LOCATIONS, "locations")
    api.post("/asset_types", json={"asset_type": {"name": "Pump"}})
    rows = ["Name,Code,Parent,Location,Type"]
    rows += [f"Line {n},L-{n},,Building A,Pump" for n in range(3)]
    rows += [f"Motor {n},M-{n},L-{n % 3},,Pump" for n in range(30)]
    rows += ["Gearbox,G-1,Motor 4,,", "Line 0,L-0,,Building A > Floor 2,"]  # by name; then an update by code
    job = run(api, "\n".join(rows) + "\n", "assets")
    assert (job["status"], job["created"], job["updated"], job["errors"]) == ("completed", 34, 1, []), job
    assert count(session, Asset) == 34
    counted = select(RowCount.count).where(RowCount.name == "assets", RowCount.scope_id == tenant.entity_id)
    assert read(session, counted) == 34
    assert api.get("/assets").json()["meta"]["pagination"]["total"] == 34
    assert api.get("/assets", params={"search": "gearb"}).json()["meta"]["pagination"]["total"] == 1
    assert api.get("/assets", params={"search": "motor"}).json()["meta"]["pagination"]["total"] == 30
    by_name = {name: (id_, parent, root) for name, id_, parent, root in read(
        session, select(Asset.name, Asset.id, Asset.parent_id, Asset.root_id)
    )}  # fmt: skip
    line0 = by_name["Line 0"]
    assert line0[2] == line0[0]  # a root is its own tree's root
    assert by_name["Motor 3"][1:] == (line0[0], line0[0])
    assert by_name["Gearbox"][1:] == (by_name["Motor 4"][0], by_name["Line 1"][0])
    detail = api.get(f"/assets/{line0[0]}").json()["data"]
    assert detail["location"]["path"] == "Building A > Floor 2" and detail["has_children"] is True
    assert [t["name"] for t in detail["asset_types"]] == ["Pump"]


def test_a_parent_further_down_the_file(api: Api) -> None:
    text = "name,parent\nRoom 1,Building B > Floor 1\nFloor 1,Building B\nBuilding B,\nAttic,Nowhere\n"
    job = run(api, text, "locations", "partial")
    assert (job["created"], job["skipped"]) == (3, 1), job
    assert job["errors"] == [
        {"row": 5, "column": "parent", "field": "parent", "message": "names no location of this entity: Nowhere"}
    ]
    paths = sorted(item["path"] for item in api.get("/locations").json()["data"])
    assert paths == ["Building B", "Building B > Floor 1", "Building B > Floor 1 > Room 1"]


def test_imported_assets_each_emit_created_with_their_detail(api: Api) -> None:
    """Batch-written and row-by-row rows alike: one `asset.created` per asset, its data the asset's detail; a file
    refused as a whole emits nothing."""
    refused = run(api, "name,asset_code,purchase_cost\nKept,K-1,1\nBad,K-2,abc\n", "assets")
    assert refused["status"] == "failed"
    text = "Name,Code,Parent,QR Code\nLine,L-1,,\nPress,P-1,L-1,\nRobot,R-1,Line,QR-R1\n"
    job = run(api, text, "assets")
    assert (job["status"], job["created"]) == ("completed", 3), job
    found = events(api, types="asset.*")
    assert [e["type"] for e in found] == ["asset.created"] * 3
    for event in found:
        assert event["data"] == api.get(f"/assets/{event['data']['id']}").json()["data"]
    assert sorted(e["data"]["name"] for e in found) == ["Line", "Press", "Robot"]
