"""Every resource router, under /api/v1."""

from fastapi import APIRouter

from wrenchwork.api_keys.router import router as api_keys
from wrenchwork.batch.router import router as batch
from wrenchwork.entities.router import router as entities
from wrenchwork.users.router import router as users

API_PREFIX = "/api/v1"

api_router = APIRouter(prefix=API_PREFIX)
for resource in (entities, users, api_keys, batch):
    api_router.include_router(resource)
