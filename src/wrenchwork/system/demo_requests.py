"""Demo procedure templates, requests in every status and a few comments.

Created through the services, so they obey the API's rules: approving a request creates its work order, a
requester's request is its own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from wrenchwork.comments import service as comments
from wrenchwork.core.auth import Scope
from wrenchwork.core.model_base import utcnow
from wrenchwork.models import Customer, Entity, User
from wrenchwork.procedures import service as procedures
from wrenchwork.procedures.schemas import ItemIn, TemplateCreate
from wrenchwork.system.demo_records import DemoRecords
from wrenchwork.work_order_requests import service as requests
from wrenchwork.work_order_requests.schemas import RequestCreate, RequestUpdate

CONDITION = {"choices": ["Good", "Fair", "Poor", "Failed"]}
TEMPLATES: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "Monthly HVAC inspection",
        "Rooftop and air-handling units: filters, belts, temperatures and safety controls",
        [
            {"name": "Inspection type", "item_type": "multiple_choice",
             "options": {"choices": ["Routine", "Preventive", "Emergency", "Post-repair"]}},
            {"name": "Filter condition", "item_type": "multiple_choice", "options": CONDITION},
            {"name": "Filters replaced", "item_type": "checkbox"},
            {"name": "Belt tension and wear acceptable", "item_type": "yes_no"},
            {"name": "Supply air temperature", "item_type": "meter_reading",
             "options": {"unit": "°F", "min": 30, "max": 140}},
            {"name": "Return air temperature", "item_type": "meter_reading", "options": {"unit": "°F"}},
            {"name": "Compressor amp draw", "item_type": "meter_reading", "options": {"unit": "A", "min": 0}},
            {"name": "Condensate drain clear", "item_type": "yes_no"},
            {"name": "Next filter change due", "item_type": "date", "options": {"required": False}},
            {"name": "Notes", "item_type": "text", "options": {"required": False}},
            {"name": "Technician signature", "item_type": "signature"},
        ],
    ),
    (
        "Forklift pre-shift check",
        "Operator checklist before the first lift of every shift (OSHA 1910.178)",
        [
            {"name": "Hour meter", "item_type": "meter_reading", "options": {"unit": "h", "min": 0}},
            {"name": "Forks, chains and mast free of damage", "item_type": "yes_no"},
            {"name": "Tires and wheels in good condition", "item_type": "yes_no"},
            {"name": "No hydraulic or fuel leaks", "item_type": "yes_no"},
            {"name": "Horn works", "item_type": "yes_no"},
            {"name": "Brakes and parking brake work", "item_type": "yes_no"},
            {"name": "Lights and backup alarm work", "item_type": "yes_no"},
            {"name": "Seat belt fastens", "item_type": "yes_no"},
            {"name": "Battery charge / fuel level", "item_type": "multiple_choice",
             "options": {"choices": ["Full", "Three quarters", "Half", "Low"]}},
            {"name": "Photo of any damage", "item_type": "photo", "options": {"required": False}},
        ],
    ),
    (
        "Fire extinguisher monthly inspection",
        "NFPA 10 monthly visual check",
        [
            {"name": "Pressure gauge in the green", "item_type": "yes_no"},
            {"name": "Pin and tamper seal intact", "item_type": "yes_no"},
            {"name": "Accessible and visible", "item_type": "checkbox"},
            {"name": "Inspection tag signed", "item_type": "signature"},
        ],
    ),
]  # fmt: skip

# title, description, priority, days until due, final status, comment
REQUESTS = [
    ("Water dripping from the break room ceiling", "Stain is growing near the light fixture", "high", 1,
     "pending", "Bucket placed under the drip for now."),
    ("Loading dock door will not close fully", "Stops about a foot from the floor", "medium", 3,
     "approved", "Approved: the door must close before the night shift."),
    ("Replace flickering lights in the packaging line", None, "low", 7, "on_hold",
     "Waiting for the LED retrofit budget."),
    ("Paint the office walls", "Cosmetic request from the front office", "none", None, "declined",
     "Declined: planned with the office refit next year."),
    ("Compressor is louder than usual", "Rattling noise since Monday", "medium", 2, "approved", None),
]  # fmt: skip


def load_procedure_templates(session: Session, scope: Scope, made: DemoRecords) -> str:
    for name, description, items in TEMPLATES:
        template = procedures.create_template(
            session,
            scope,
            TemplateCreate(name=name, description=description, items_attributes=[ItemIn(**i) for i in items]),
        )
        made.template_ids.append(template["id"])
    return f"{len(TEMPLATES)} procedure templates"


def load_requests(session: Session, scope: Scope, made: DemoRecords) -> str:
    """Requests from the demo's requester (when there is one), decided by `scope` (an admin)."""
    requester = session.get(User, made.requester_id) if made.requester_id is not None else None
    customer, entity = session.get(Customer, scope.customer.id), session.get(Entity, scope.entity_id)
    asking = scope
    if requester is not None and customer is not None and entity is not None:
        asking = Scope.of(requester, customer, entity, "requester")
    rooms = made.location_ids
    assets = list(made.asset_codes.values())
    now = utcnow().replace(microsecond=0)
    for index, (title, description, priority, due_in, status, note) in enumerate(REQUESTS):
        request = requests.create_request(
            session,
            asking,
            RequestCreate(
                title=title,
                description=description,
                priority=priority,
                notify=index % 2 == 0,
                due_date=None if due_in is None else now + timedelta(days=due_in),
                location_id=rooms[index % len(rooms)] if rooms else None,
                asset_id=assets[index % len(assets)] if assets and index % 2 else None,
            ),
        )
        if status != "pending":
            requests.update_request(session, scope, request["id"], RequestUpdate(status=status))
        if note:
            comments.add_comment(session, scope, "request", request["id"], note)
    if made.work_order_ids:
        first_work_order = made.work_order_ids[0]
        comments.add_comment(session, scope, "work_order", first_work_order, "Parts are on the shelf in bay 3.")
        comments.add_comment(session, scope, "work_order", first_work_order, "Started after the morning meeting.")
    return f"{len(REQUESTS)} requests"
