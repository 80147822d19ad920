"""Every resource router, under /api/v1."""

from fastapi import APIRouter

from wrenchwork.api_keys.router import router as api_keys
from wrenchwork.assets.router import router as assets
from wrenchwork.batch.router import router as batch
from wrenchwork.comments.router import router as comments
from wrenchwork.core.routing import API_PREFIX
from wrenchwork.entities.router import router as entities
from wrenchwork.events.router import router as events
from wrenchwork.exports.router import router as exports
from wrenchwork.files.router import router as files
from wrenchwork.imports.router import router as imports
from wrenchwork.locations.router import router as locations
from wrenchwork.lookups.resource import lookup_router
from wrenchwork.lookups.tables import LOOKUPS
from wrenchwork.parts.router import router as parts
from wrenchwork.pm_schedules.router import router as pm_schedules
from wrenchwork.procedures.router import router as procedures
from wrenchwork.request_portals.router import router as request_portals
from wrenchwork.users.router import router as users
from wrenchwork.vendors.router import router as vendors
from wrenchwork.webhooks.router import router as webhooks
from wrenchwork.work_order_requests.router import router as work_order_requests
from wrenchwork.work_orders.router import router as work_orders

RESOURCE_ROUTERS: tuple[APIRouter, ...] = (
    entities,
    users,
    api_keys,
    vendors,
    locations,
    assets,
    parts,
    procedures,
    work_orders,
    work_order_requests,
    request_portals,
    pm_schedules,
    comments,
    files,
    events,
    webhooks,
    batch,
    imports,
    exports,
    *(lookup_router(lookup) for lookup in LOOKUPS),
)
__all__ = ["API_PREFIX", "RESOURCE_ROUTERS"]
