from wrenchwork.core.listing import Field, Kind, ListSpec
from wrenchwork.models import Entity

ENTITY_LIST = ListSpec(
    id_column=Entity.id,
    fields={
        "id": Field(Entity.id, Kind.INTEGER),
        "name": Field(Entity.name, Kind.STRING),
        "description": Field(Entity.description, Kind.STRING),
        "address": Field(Entity.address, Kind.STRING),
        "currency": Field(Entity.currency, Kind.STRING),
        "timezone": Field(Entity.timezone, Kind.STRING),
        "datetime_format": Field(Entity.datetime_format, Kind.STRING),
        "created_at": Field(Entity.created_at, Kind.DATETIME),
        "updated_at": Field(Entity.updated_at, Kind.DATETIME),
        "created_by_id": Field(Entity.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(Entity.updated_by_id, Kind.INTEGER),
    },
    sortable={
        "id": Entity.id,
        "name": Entity.name,
        "created_at": Entity.created_at,
        "updated_at": Entity.updated_at,
    },
    search=(Entity.name, Entity.description, Entity.address),
    default_sort=(("name", "asc"),),
)
