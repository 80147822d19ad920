"""A believable demo data set in an entity of its own: a plant with its maintenance team, equipment, stock, work
and requests. Later resources add their part here.

The demo never changes or links to records that were there before: it creates its entity (or loads into an
empty one), its own team, and every later step uses only what the demo itself created (`DemoRecords`).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.core.errors import Conflict
from wrenchwork.entities import service as entities
from wrenchwork.entities.repository import EntityRepository
from wrenchwork.entities.schemas import EntityCreate
from wrenchwork.models import Entity
from wrenchwork.system.demo_catalog import load_catalog
from wrenchwork.system.demo_files import load_files
from wrenchwork.system.demo_parts import load_parts
from wrenchwork.system.demo_pm import load_pm_schedules
from wrenchwork.system.demo_records import DemoRecords, unused
from wrenchwork.system.demo_requests import load_procedure_templates, load_requests
from wrenchwork.system.demo_work_orders import load_work_orders
from wrenchwork.system.operator import admin_scope, first_customer
from wrenchwork.users import service as users
from wrenchwork.users.repository import UserRepository
from wrenchwork.users.schemas import UserCreate

DEMO_ENTITY = "North Warehouse"
CENT = Decimal("0.01")
TEAM = [
    # name, surname, email, job title, role, regular rate
    ("Maria", "Lopez", "maria.lopez@example.com", "Maintenance Manager", "limited_admin", "48.00"),
    ("James", "Carter", "james.carter@example.com", "Lead Technician", "technician", "41.00"),
    ("Aisha", "Khan", "aisha.khan@example.com", "HVAC Technician", "technician", "38.50"),
    ("Tom", "Novak", "tom.novak@example.com", "Electrician", "technician", "39.75"),
    ("Priya", "Shah", "priya.shah@example.com", "Millwright", "technician", "40.25"),
    ("Daniel", "Brooks", "daniel.brooks@example.com", "Production Supervisor", "requester", "0"),
]


def load_demo(session: Session, entity_name: str = DEMO_ENTITY, *, force: bool = False) -> str:
    """Load the demo into the first customer's entity named `entity_name`, created when there is none. An entity
    that already holds data is refused (409) unless `force`: then the demo adds its records next to the others.
    Returns a one-line summary."""
    customer = first_customer(session)
    named = session.scalars(
        select(Entity).where(Entity.customer_id == customer.id, Entity.name == entity_name).order_by(Entity.id)
    ).all()
    if len(named) > 1:
        raise Conflict(f"{len(named)} entities are named '{entity_name}': name one that is unique")
    if named:
        entity = named[0]
        scope = admin_scope(session, entity)
        if not force and EntityRepository(session, scope).holds_records(entity.id):
            raise Conflict(
                f"Entity '{entity.name}' (id {entity.id}) already holds data, and the demo loads into an entity of "
                "its own: name a new one with --entity, or add the demo to this one with --force"
            )
    else:
        scope = _create_entity(session, customer.id, entity_name)
    made = DemoRecords()
    team = _add_team(session, scope, made)
    summary = load_catalog(session, scope, made)
    summary += ", " + load_parts(session, scope, made)
    summary += ", " + load_procedure_templates(session, scope, made)
    summary += ", " + load_work_orders(session, scope, made)
    summary += ", " + load_requests(session, scope, made)
    summary += ", " + load_pm_schedules(session, scope)
    summary += ", " + load_files(session, scope, made)
    return f"Demo data loaded into entity '{scope.entity.name}' (id {scope.entity_id}): {team} users, {summary}."


def _create_entity(session: Session, customer_id: int, name: str) -> Scope:
    """The demo's entity, created by the admin of the customer's first entity (who becomes its admin, as with
    `POST /entities`); returns that admin's scope in it."""
    first = session.scalars(select(Entity).where(Entity.customer_id == customer_id).order_by(Entity.id)).first()
    if first is None:
        raise Conflict("The customer has no entity yet: run `wrenchwork init` first")
    data = EntityCreate(
        name=name,
        description="Demo data: a plant with production, packaging and shipping",
        address="9 Harbor Road",
        timezone="America/Chicago",
    )
    entity = entities.create_entity(session, admin_scope(session, first), data)
    return admin_scope(session, entity)


def _add_team(session: Session, scope: Scope, made: DemoRecords) -> int:
    """The demo's maintenance team, each with one role in the demo entity. An address some user of the customer
    already has gets a `+n` tag, so the demo never reuses (or changes) an existing user."""
    repo = UserRepository(session, scope)
    for name, surname, email, title, role, rate in TEAM:
        regular = Decimal(rate)
        user = users.create_user(
            session,
            scope,
            UserCreate.model_validate(
                {
                    "name": name,
                    "surname": surname,
                    "email": unused(email, repo.email_taken, _tagged_address),
                    "job_title": title,
                    "phone_number": "+15550100" + str(len(name)),
                    "regular_rate": regular,
                    "overtime_rate1": (regular * Decimal("1.5")).quantize(CENT, ROUND_HALF_UP),
                    "overtime_rate2": regular * 2,
                    "can_be_assigned_to_wo": role != "requester",
                    "permissions": [{"entity_id": scope.entity_id, "role": role}],
                }
            ),
        )
        if role == "technician":
            made.technician_ids.append(user["id"])
        elif role == "requester" and made.requester_id is None:
            made.requester_id = user["id"]
    return len(TEAM)


def _tagged_address(email: str, n: int) -> str:
    local, _, domain = email.partition("@")
    return f"{local}+{n}@{domain}"
