from wrenchwork.core.listing import Field, Kind, ListSpec
from wrenchwork.models import Location

LOCATION_LIST = ListSpec(
    id_column=Location.id,
    fields={
        "id": Field(Location.id, Kind.INTEGER),
        "name": Field(Location.name, Kind.STRING),
        "description": Field(Location.description, Kind.STRING),
        "address": Field(Location.address, Kind.STRING),
        "path": Field(Location.path, Kind.STRING),
        "parent_id": Field(Location.parent_id, Kind.INTEGER),
        "root_id": Field(Location.root_id, Kind.INTEGER),
        "qr_code": Field(Location.qr_code, Kind.STRING),
        "created_at": Field(Location.created_at, Kind.DATETIME),
        "updated_at": Field(Location.updated_at, Kind.DATETIME),
        "created_by_id": Field(Location.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(Location.updated_by_id, Kind.INTEGER),
    },
    sortable={
        "id": Location.id,
        "name": Location.name,
        "path": Location.path,
        "created_at": Location.created_at,
        "updated_at": Location.updated_at,
    },
    search=(Location.name, Location.description, Location.address),
    default_sort=(("name", "asc"),),
    counter="locations",
)
