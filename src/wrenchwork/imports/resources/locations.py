"""Locations: `name` under `parent` (a path such as `Building A > Floor 2`), or one `path` column."""

from __future__ import annotations

from typing import Any

from wrenchwork.imports.resources.base import Importer, Outcome, RowProblems, tree_path
from wrenchwork.locations import service
from wrenchwork.locations.schemas import LocationCreate, LocationUpdate
from wrenchwork.models import Location


class LocationImporter(Importer):
    resource = "locations"
    wrapper = "location"
    synonyms = {
        "name": ("location name", "location"),
        "parent": ("parent location", "parent path", "parent name", "within"),
        "path": ("full path", "location path"),
        "description": ("notes", "details"),
        "address": ("street address",),
        "qr_code": ("qr", "qr value"),
    }
    plain = ("name", "description", "address")
    sources = {"parent_id": "parent", "qr_code_attributes": "qr_code"}
    required = ()

    def apply(self, values: dict[str, str]) -> Outcome:
        problems: list[tuple[str, str]] = []
        values = dict(values)
        if not values.get("name") and values.get("path"):
            *above, values["name"] = tree_path(values["path"]).split(" > ")
            values["parent"] = " > ".join(above)
        body: dict[str, Any] = self.body(values)
        parent_id = None
        if values.get("parent"):
            parent_id = self.location_id(values["parent"], "parent", problems)
            body["parent_id"] = parent_id
        if values.get("qr_code"):
            body["qr_code_attributes"] = {"value": values["qr_code"]}
        existing = None
        if values.get("qr_code"):
            existing = self.repo.first_id(Location, Location.qr_code == values["qr_code"])
        if existing is None and values.get("name") and not problems:
            existing = self.repo.first_id(
                Location, Location.name == values["name"].strip(), Location.parent_id == parent_id
            )
        if existing is not None:
            service.update_location(self.session, self.scope, existing, self.validated(LocationUpdate, body, problems))
            return "updated"
        if "name" not in body:
            raise RowProblems([*problems, ("name", "is required")])
        service.create_location(self.session, self.scope, self.validated(LocationCreate, body, problems))
        return "created"
