"""Every table, imported in one place so Alembic and the mappers see the whole schema."""

from wrenchwork.core.counters import RowCount
from wrenchwork.core.model_base import Base
from wrenchwork.models.catalog import (
    Asset,
    AssetType,
    Category,
    Downtime,
    Location,
    Vendor,
    VendorContact,
    asset_asset_types,
    asset_technicians,
    asset_vendors,
    vendor_categories,
    vendor_locations,
)
from wrenchwork.models.comments import Comment
from wrenchwork.models.events import Event, EventCounter, Webhook, WebhookDelivery
from wrenchwork.models.files import Attachment
from wrenchwork.models.imports import ImportJob
from wrenchwork.models.inventory import (
    MeasurementUnit,
    Part,
    PartTransaction,
    PartType,
    Storeroom,
    VendorPart,
    WorkOrderPart,
    part_assets,
)
from wrenchwork.models.pm import (
    PmSchedule,
    PmScheduleRun,
    PmTemplatePart,
    PmTemplateWorkOrder,
    pm_schedule_procedure_templates,
    pm_template_account_codes,
    pm_template_categories,
    pm_template_technicians,
    pm_template_vendors,
)
from wrenchwork.models.portals import (
    PortalSubmission,
    RequestPortal,
    request_portal_assets,
    request_portal_locations,
)
from wrenchwork.models.procedures import Procedure, ProcedureAnswer, ProcedureItem, ProcedureTemplate
from wrenchwork.models.requests import (
    WorkOrderRequest,
    work_order_request_categories,
    work_order_request_technicians,
    work_order_request_vendors,
)
from wrenchwork.models.tenancy import ApiKey, Customer, Entity, User, UserRole
from wrenchwork.models.web import SignInLink, WebSession
from wrenchwork.models.work_orders import (
    AccountCode,
    TimeEntry,
    WorkOrder,
    WorkOrderCost,
    WorkOrderStatus,
    WorkTimer,
    work_order_account_codes,
    work_order_categories,
    work_order_technicians,
    work_order_vendors,
)

# Tables whose rows carry a QR code; a code is unique across all of them within an entity.
QR_CODED = (Location, Asset, Part)

__all__ = [
    "QR_CODED",
    "AccountCode",
    "ApiKey",
    "Asset",
    "AssetType",
    "Attachment",
    "Base",
    "Category",
    "Comment",
    "Customer",
    "Downtime",
    "Entity",
    "Event",
    "EventCounter",
    "ImportJob",
    "Location",
    "MeasurementUnit",
    "Part",
    "PartTransaction",
    "PartType",
    "PmSchedule",
    "PmScheduleRun",
    "PmTemplatePart",
    "PmTemplateWorkOrder",
    "PortalSubmission",
    "Procedure",
    "ProcedureAnswer",
    "ProcedureItem",
    "ProcedureTemplate",
    "RequestPortal",
    "RowCount",
    "SignInLink",
    "Storeroom",
    "TimeEntry",
    "User",
    "UserRole",
    "Vendor",
    "VendorContact",
    "VendorPart",
    "WebSession",
    "Webhook",
    "WebhookDelivery",
    "WorkOrder",
    "WorkOrderCost",
    "WorkOrderPart",
    "WorkOrderRequest",
    "WorkOrderStatus",
    "WorkTimer",
    "asset_asset_types",
    "asset_technicians",
    "asset_vendors",
    "part_assets",
    "pm_schedule_procedure_templates",
    "pm_template_account_codes",
    "pm_template_categories",
    "pm_template_technicians",
    "pm_template_vendors",
    "request_portal_assets",
    "request_portal_locations",
    "vendor_categories",
    "vendor_locations",
    "work_order_account_codes",
    "work_order_categories",
    "work_order_request_categories",
    "work_order_request_technicians",
    "work_order_request_vendors",
    "work_order_technicians",
    "work_order_vendors",
]
