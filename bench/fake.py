"""Believable people for generated data: names, job titles with their usual rates, phone numbers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

FIRST_NAMES = (
    "Maria", "James", "Aisha", "Tom", "Priya", "Daniel", "Sofia", "Liam", "Chen", "Olivia", "Mateo", "Emma",
    "Noah", "Fatima", "Lucas", "Ava", "Ethan", "Mia", "Omar", "Isabella", "Hiroshi", "Grace", "Diego", "Chloe",
    "Kwame", "Hannah", "Ivan", "Zoe", "Rahul", "Lena", "Samuel", "Nora", "Pedro", "Amara", "Jonas", "Elena",
    "Kenji", "Laura", "Yusuf", "Sara", "Mohammed", "Julia", "Andre", "Leah", "Tariq", "Anna", "Victor", "Rosa",
)  # fmt: skip
SURNAMES = (
    "Lopez", "Carter", "Khan", "Novak", "Shah", "Brooks", "Garcia", "Smith", "Nguyen", "Johnson", "Müller",
    "Rossi", "Kowalski", "Silva", "Okafor", "Tanaka", "Dubois", "Hansen", "Ivanova", "Patel", "Kim", "Martin",
    "Andersen", "Costa", "Schmidt", "Moreau", "Wilson", "Haddad", "Fischer", "Mensah", "O'Brien", "Larsen",
    "Santos", "Yamamoto", "Cohen", "Ferreira", "Walker", "Nowak", "Ali", "Bianchi", "Young", "Reyes",
)  # fmt: skip
DOMAINS = ("example.com", "example.org", "plant.example.net")
LANGUAGES = ("en",) * 16 + ("es", "es", "fr", "de", "pt", "it", "nl", "pl")


@dataclass(frozen=True)
class Job:
    title: str
    role: str
    rate: str  # typical hourly rate; generated rates vary around it


JOBS = (
    Job("Maintenance Technician", "technician", "36.00"),
    Job("Lead Technician", "technician", "41.00"),
    Job("HVAC Technician", "technician", "38.50"),
    Job("Electrician", "technician", "39.75"),
    Job("Millwright", "technician", "40.25"),
    Job("Plumber", "technician", "37.00"),
    Job("Facilities Coordinator", "limited_admin", "33.00"),
    Job("Maintenance Planner", "limited_admin", "44.00"),
    Job("Maintenance Manager", "admin", "48.00"),
    Job("Production Supervisor", "requester", "0"),
    Job("Machine Operator", "requester", "0"),
    Job("Quality Inspector", "requester", "0"),
)
# Technicians dominate a maintenance team; managers are rare.
JOB_WEIGHTS = (30, 6, 8, 8, 6, 5, 3, 2, 1, 6, 15, 4)

CITIES = (
    "Springfield", "Riverside", "Fairview", "Georgetown", "Clinton", "Salem", "Madison", "Ashland", "Dover",
    "Franklin", "Greenville", "Bristol", "Oxford", "Milton", "Newport", "Arlington", "Burlington", "Manchester",
)  # fmt: skip
SITE_KINDS = ("Plant", "Warehouse", "Distribution Center", "Office", "Workshop", "Depot")
TIMEZONES = ("Etc/UTC", "America/Chicago", "America/New_York", "Europe/Berlin", "Europe/London", "Asia/Tokyo")


def pick_job(rng: random.Random) -> Job:
    return rng.choices(JOBS, weights=JOB_WEIGHTS)[0]


def hourly_rate(rng: random.Random, job: Job) -> Decimal:
    base = Decimal(job.rate)
    if not base:
        return base
    return (base + Decimal(rng.randint(-300, 600)) / 100).quantize(Decimal("0.01"))


def phone_number(rng: random.Random) -> str | None:
    if rng.random() < 0.15:
        return None
    return f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def email(first: str, last: str, serial: int, rng: random.Random) -> str:
    local = f"{first}.{last}".lower().replace("'", "").replace("ü", "u")
    return f"{local}.{serial}@{rng.choice(DOMAINS)}"


# The catalog: rooms of a building, kinds of equipment and who makes them, kinds of service vendors.
ROOMS = (
    "Boiler Room", "Compressor Room", "Production Hall", "Packaging Line", "Loading Dock", "Electrical Room",
    "Roof", "Warehouse", "Workshop", "Server Room", "Laboratory", "Cold Store", "Paint Shop", "Office",
)  # fmt: skip
EQUIPMENT = (
    "Air Handler", "Chiller", "Boiler", "Air Compressor", "Conveyor", "Forklift", "Pump", "CNC Mill", "Lathe",
    "Shrink Wrapper", "Dock Leveler", "Cooling Tower", "Generator", "Transformer", "Hydraulic Press", "Robot Arm",
)  # fmt: skip
MANUFACTURERS = (
    "Trane", "Carrier", "Cleaver-Brooks", "Atlas Copco", "Hytrol", "Toyota", "Grundfos", "Haas", "Mazak",
    "Lantech", "Rite-Hite", "Baltimore Aircoil", "Caterpillar", "Siemens", "Schuler", "FANUC",
)  # fmt: skip
ASSET_TYPES = ("HVAC", "Boilers", "Compressors", "Conveyors", "Vehicles", "Pumps", "Machine tools", "Electrical")
VENDOR_KINDS = ("HVAC", "Electrical", "Industrial Supply", "Pumps", "Mechanical", "Automation", "Fire Safety")
PART_KINDS = (
    "Deep Groove Ball Bearing", "V-Belt", "Pleated Air Filter", "Contactor", "Hex Bolt", "Shaft Seal",
    "Hydraulic Hose", "Fuse", "Proximity Sensor", "Gear Motor", "O-Ring Kit", "Timing Belt", "Oil Filter",
)  # fmt: skip
PART_SIZES = ("6204-2RS", "A42", "20x25x2", "3-pole 25A", "M12x40", "35x52x7", "1/2in 2m", "10A", "M18", "0.5kW")


def part(rng: random.Random, serial: int) -> tuple[str, str]:
    """A part's name and its (unique) part number."""
    return f"{rng.choice(PART_KINDS)} {rng.choice(PART_SIZES)}", f"P-{serial:07d}"
