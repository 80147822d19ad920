"""Vendor shapes: the documented list item and detail, and the extension create/update bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from wrenchwork.core.presenters import Document, Image, LocationRef, Ref, Thumbnail, UserRef
from wrenchwork.core.schemas import (
    AssetIds,
    CategoryIds,
    CreatedById,
    Id,
    LocationIds,
    Money,
    RecordId,
    UpdatedById,
)

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TAX_ID = "The vendor's tax identification number (free text, not a reference)"
CONTACT_ROLE = "The contact's role at the vendor, e.g. Sales (free text)"


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: Id | None = Field(default=None, description="An existing contact to change or remove")
    name: Name | None = None
    role: Annotated[str, StringConstraints(max_length=100)] | None = Field(default=None, description=CONTACT_ROLE)
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    extension: Annotated[str, StringConstraints(max_length=20)] | None = None
    is_primary: bool | None = None
    destroy: bool = Field(default=False, alias="_destroy")


class VendorFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    is_active: bool | None = None
    assign_to_work_orders: bool | None = None
    parts_supplier: bool | None = None
    tax_id: Annotated[str, StringConstraints(max_length=100)] | None = Field(default=None, description=TAX_ID)
    address: Annotated[str, StringConstraints(max_length=1000)] | None = None
    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    hourly_rate: Money | None = None
    categories_ids: CategoryIds | None = None
    locations_ids: LocationIds | None = None
    assets_ids: AssetIds | None = None
    vendor_contacts_attributes: Annotated[list[ContactIn], Field(max_length=100)] | None = None


class VendorCreate(VendorFields):
    name: Name


class VendorUpdate(VendorFields):
    name: Name | None = None


class VendorCreateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vendor: VendorCreate


class VendorUpdateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vendor: VendorUpdate


class Contact(BaseModel):
    id: RecordId
    name: str
    role: str | None = Field(description=CONTACT_ROLE)
    email: str | None
    phone: str | None
    extension: str | None
    is_primary: bool


class VendorBase(BaseModel):
    id: RecordId
    name: str
    description: str | None
    is_active: bool
    assign_to_work_orders: bool
    parts_supplier: bool
    tax_id: str | None = Field(description=TAX_ID)
    address: str | None
    rating: int | None
    hourly_rate: float | None
    vendor_contacts: list[Contact]
    categories: list[Ref]
    assets: list[Ref]
    parts: list[Ref]
    created_at: datetime
    updated_at: datetime


class VendorListItem(VendorBase):
    locations: list[Ref]
    image: Thumbnail
    created_by: UserRef | None
    updated_by: UserRef | None


class VendorDetail(VendorBase):
    locations: list[LocationRef]
    images: list[Image]
    documents: list[Document]
    created_by_id: CreatedById | None
    updated_by_id: UpdatedById | None
