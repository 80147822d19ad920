from wrenchwork.core.listing import Field, Kind, ListSpec, Membership
from wrenchwork.models import RequestPortal, request_portal_assets, request_portal_locations

P = RequestPortal
PORTAL_LIST = ListSpec(
    id_column=P.id,
    fields={
        "id": Field(P.id, Kind.INTEGER),
        "uuid": Field(P.uuid, Kind.STRING),
        "title": Field(P.title, Kind.STRING),
        "description": Field(P.description, Kind.STRING),
        "enabled": Field(P.enabled, Kind.BOOLEAN),
        "default_location_id": Field(P.default_location_id, Kind.INTEGER),
        "default_asset_id": Field(P.default_asset_id, Kind.INTEGER),
        "created_at": Field(P.created_at, Kind.DATETIME),
        "updated_at": Field(P.updated_at, Kind.DATETIME),
        "created_by_id": Field(P.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(P.updated_by_id, Kind.INTEGER),
        "locations_id": Membership(P.id, request_portal_locations.c.portal_id, request_portal_locations.c.location_id),
        "assets_id": Membership(P.id, request_portal_assets.c.portal_id, request_portal_assets.c.asset_id),
    },
    sortable={"id": P.id, "title": P.title, "created_at": P.created_at, "updated_at": P.updated_at},
    search=(P.title, P.description),
    default_sort=(("title", "asc"),),
    counter="request_portals",
)
