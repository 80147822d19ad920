"""A believable demo data set: a second site and a maintenance team. Later resources add their part here."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wrenchwork.core.auth import Scope
from wrenchwork.models import Customer, Entity, User, UserRole
from wrenchwork.system.demo_catalog import load_catalog
from wrenchwork.system.demo_parts import load_parts
from wrenchwork.system.demo_pm import load_pm_schedules
from wrenchwork.system.demo_requests import load_procedure_templates, load_requests
from wrenchwork.system.demo_work_orders import load_work_orders

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


def load_demo(session: Session) -> str:
    customer = session.scalars(select(Customer).order_by(Customer.id)).first()
    if customer is None:
        raise RuntimeError("run `wrenchwork init` first")
    if session.scalar(select(User.id).where(User.customer_id == customer.id, User.email == TEAM[0][2])):
        return "Demo data is already loaded."
    main = session.scalars(select(Entity).where(Entity.customer_id == customer.id).order_by(Entity.id)).first()
    assert main is not None
    admin_id = main.created_by_id
    if not main.description:
        main.description = "Primary manufacturing and distribution facility"
        main.address = "123 Example St"
    warehouse = Entity(
        customer_id=customer.id,
        name="North Warehouse",
        description="Regional storage and shipping site",
        address="9 Harbor Road",
        datetime_format="MM/DD/YYYY - 11:59 PM",
        timezone="America/Chicago",
        currency="USD",
        created_by_id=admin_id,
        updated_by_id=admin_id,
    )
    session.add(warehouse)
    session.flush()
    if admin_id is not None:
        session.add(UserRole(user_id=admin_id, entity_id=warehouse.id, role="admin"))
    for name, surname, email, title, role, rate in TEAM:
        regular = Decimal(rate)
        user = User(
            customer_id=customer.id,
            name=name,
            surname=surname,
            email=email,
            job_title=title,
            phone_number="+15550100" + str(len(name)),
            regular_rate=regular,
            overtime_rate1=regular * Decimal("1.5"),
            overtime_rate2=regular * 2,
            can_be_assigned_to_wo=role != "requester",
            created_by_id=admin_id,
            updated_by_id=admin_id,
        )
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, entity_id=main.id, role=role))
        if role in ("technician", "limited_admin") and surname in ("Lopez", "Carter"):
            session.add(UserRole(user_id=user.id, entity_id=warehouse.id, role=role))
    session.flush()
    admin = session.get(User, admin_id) if admin_id is not None else None
    if admin is not None:
        scope = Scope.of(admin, customer, main, "admin")
        summary = load_catalog(session, scope)
        summary += ", " + load_parts(session, scope)
        summary += ", " + load_procedure_templates(session, scope)
        summary += ", " + load_work_orders(session, scope)
        summary += ", " + load_requests(session, scope)
        summary += ", " + load_pm_schedules(session, scope)
    else:
        summary = "no catalog (the first entity has no admin)"
    return f"Demo data loaded: entity '{warehouse.name}', {len(TEAM)} users, {summary}."
