from dataclasses import replace

from wrenchwork.core.listing import Field, Kind, ListSpec, Membership
from wrenchwork.models import (
    WorkOrder,
    WorkOrderRequest,
    work_order_request_categories,
    work_order_request_technicians,
    work_order_request_vendors,
)
from wrenchwork.models.requests import REQUEST_STATUSES
from wrenchwork.models.work_orders import PRIORITIES

R = WorkOrderRequest
REQUEST_LIST = ListSpec(
    id_column=R.id,
    fields={
        "id": Field(R.id, Kind.INTEGER),
        "title": Field(R.title, Kind.STRING),
        "description": Field(R.description, Kind.STRING),
        "status": Field(R.status, Kind.ENUM, REQUEST_STATUSES),
        "priority": Field(R.priority, Kind.ENUM, PRIORITIES),
        "notify": Field(R.notify, Kind.BOOLEAN),
        "work_order_id": Field(R.work_order_id, Kind.INTEGER),
        "location_id": Field(R.location_id, Kind.INTEGER),
        "asset_id": Field(R.asset_id, Kind.INTEGER),
        "request_portal_id": Field(R.request_portal_id, Kind.INTEGER),
        "due_date": Field(R.due_date, Kind.DATETIME),
        # The work order's completion (the list joins it in).
        "completed_at": Field(WorkOrder.completed_at, Kind.DATETIME),
        "created_at": Field(R.created_at, Kind.DATETIME),
        "updated_at": Field(R.updated_at, Kind.DATETIME),
        "created_by_id": Field(R.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(R.updated_by_id, Kind.INTEGER),
        "categories_id": Membership(
            R.id, work_order_request_categories.c.request_id, work_order_request_categories.c.category_id
        ),
        "technicians_id": Membership(
            R.id, work_order_request_technicians.c.request_id, work_order_request_technicians.c.user_id
        ),
        "vendors_id": Membership(R.id, work_order_request_vendors.c.request_id, work_order_request_vendors.c.vendor_id),
    },
    sortable={
        "id": R.id,
        "title": R.title,
        "status": R.status,
        "priority": R.priority,
        "due_date": R.due_date,
        "created_at": R.created_at,
        "updated_at": R.updated_at,
    },
    search=(R.title, R.description),
    default_sort=(("created_at", "desc"),),
    counter="work_order_requests",
)

# A requester's own requests: the entity's row counter counts everyone's, so its total is counted.
OWN_REQUEST_LIST = replace(REQUEST_LIST, counter=None)
