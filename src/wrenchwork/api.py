"""Every resource router, under /api/v1."""

from fastapi import APIRouter

from wrenchwork.api_keys.router import router as api_keys
from wrenchwork.assets.router import router as assets
from wrenchwork.batch.router import router as batch
from wrenchwork.entities.router import router as entities
from wrenchwork.locations.router import router as locations
from wrenchwork.lookups.resource import lookup_router
from wrenchwork.lookups.tables import LOOKUPS
from wrenchwork.users.router import router as users
from wrenchwork.vendors.router import router as vendors

API_PREFIX = "/api/v1"

api_router = APIRouter(prefix=API_PREFIX)
for resource in (
    entities,
    users,
    api_keys,
    vendors,
    locations,
    assets,
    batch,
    *(lookup_router(lookup) for lookup in LOOKUPS),
):
    api_router.include_router(resource)
