"""Request portal shapes (extension): the create/update body wrapped in `request_portal`, and the portal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wrenchwork.core.presenters import Ref
from wrenchwork.core.schemas import AssetId, AssetIds, CreatedById, LocationId, LocationIds, RecordId, UpdatedById

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Instructions = Annotated[str, StringConstraints(max_length=5000)]
Mode = Annotated[
    Literal["hidden", "optional", "required"],
    Field(description="hidden (not asked), optional (asked), required (asked and must be given)"),
]
# At most this many locations and assets offered by one portal: its page lists them all.
MAX_OFFERED = 500
Offered = Field(max_length=MAX_OFFERED)


class PortalFields(BaseModel):
    """Which request fields the portal's page asks, and which it requires. The title is always asked."""

    model_config = ConfigDict(extra="forbid")

    description: Mode = "optional"
    location: Mode = "optional"
    asset: Mode = "optional"
    photos: Mode = "optional"
    name: Mode = "required"
    email: Mode = "required"
    phone: Mode = "hidden"


class PortalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    description: Instructions | None = Field(None, description="Instructions shown above the form")
    fields: PortalFields | None = None
    default_location_id: LocationId | None = Field(None, description="Set on requests that name no location")
    default_asset_id: AssetId | None = Field(None, description="Set on requests that name no asset")
    locations_ids: Annotated[LocationIds, Offered] | None = Field(None, description="The locations the page offers")
    assets_ids: Annotated[AssetIds, Offered] | None = Field(None, description="The assets the page offers")


class PortalCreate(PortalIn):
    title: Title


class PortalUpdate(PortalIn):
    title: Title | None = None


class PortalCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_portal: PortalCreate


class PortalUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_portal: PortalUpdate


class PortalOut(BaseModel):
    id: RecordId
    uuid: str = Field(description="Random and stable: the portal's public page is `/portal/{uuid}`")
    title: str
    enabled: bool
    description: str | None
    fields: PortalFields
    url: str = Field(description="The public page's path on this server")
    default_location: Ref | None
    default_asset: Ref | None
    locations: list[Ref]
    assets: list[Ref]
    created_at: datetime
    updated_at: datetime
    created_by_id: CreatedById | None
    updated_by_id: UpdatedById | None


class PortalSubmissionOut(BaseModel):
    """Who filed a request on a portal (`GET /work_order_requests/{id}/portal_submission`), as they typed it."""

    request_id: RecordId
    name: str | None = Field(description="Null when the portal did not ask it or it was left empty")
    email: str | None
    phone: str | None
    created_at: datetime = Field(description="When the request was filed")
