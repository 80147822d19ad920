"""Vendors with one contact per row: a vendor named again adds (or updates, by name) another contact."""

from __future__ import annotations

from typing import Any

from wrenchwork.imports.resources.base import Importer, Outcome, RowProblems
from wrenchwork.models import Vendor
from wrenchwork.vendors import service
from wrenchwork.vendors.schemas import VendorCreate, VendorUpdate

CONTACT_FIELDS = ("name", "email", "phone", "role", "extension")


class VendorImporter(Importer):
    resource = "vendors"
    wrapper = "vendor"
    synonyms = {
        "name": ("vendor", "vendor name", "company", "company name", "supplier", "supplier name"),
        "description": ("notes", "details"),
        "is_active": ("active",),
        "assign_to_work_orders": ("assignable",),
        "parts_supplier": ("supplies parts",),
        "tax_id": ("tax number", "vat", "vat number", "ein"),
        "address": ("street address",),
        "rating": ("stars",),
        "hourly_rate": ("rate",),
        "contact_name": ("contact", "contact person"),
        "contact_email": ("email", "e mail", "email address"),
        "contact_phone": ("phone", "telephone", "phone number"),
        "contact_role": ("contact title",),
        "contact_extension": ("extension", "ext"),
    }
    plain = (
        "name", "description", "is_active", "assign_to_work_orders", "parts_supplier", "tax_id", "address", "rating",
        "hourly_rate",
    )  # fmt: skip
    sources = {"vendor_contacts_attributes": "contact_name"}

    def column_of(self, path: str) -> str:
        parts = path.split(".")
        if parts[0] == self.wrapper:
            parts = parts[1:]
        if parts[0] == "vendor_contacts_attributes" and len(parts) > 2 and parts[2] in CONTACT_FIELDS:
            return f"contact_{parts[2]}"
        return super().column_of(path)

    def apply(self, values: dict[str, str]) -> Outcome:
        body: dict[str, Any] = self.body(values)
        if not values.get("name"):
            raise RowProblems([("name", "is required")])
        existing = self.repo.first_id(Vendor, Vendor.name == values["name"].strip())
        contact: dict[str, Any] = {f: values[f"contact_{f}"] for f in CONTACT_FIELDS if values.get(f"contact_{f}")}
        if contact:
            if existing is not None and contact.get("name"):
                contact_id = self.repo.contact_id(existing, contact["name"].strip())
                if contact_id is not None:
                    contact["id"] = contact_id
            body["vendor_contacts_attributes"] = [contact]
        if existing is not None:
            service.update_vendor(self.session, self.scope, existing, self.validated(VendorUpdate, body, []))
            return "updated"
        service.create_vendor(self.session, self.scope, self.validated(VendorCreate, body, []))
        return "created"
