from wrenchwork.core.listing import Field, Kind, ListSpec
from wrenchwork.models import ApiKey

API_KEY_LIST = ListSpec(
    id_column=ApiKey.id,
    fields={
        "id": Field(ApiKey.id, Kind.INTEGER),
        "name": Field(ApiKey.name, Kind.STRING),
        "prefix": Field(ApiKey.prefix, Kind.STRING),
        "user_id": Field(ApiKey.user_id, Kind.INTEGER),
        "last_used_at": Field(ApiKey.last_used_at, Kind.DATETIME),
        "revoked_at": Field(ApiKey.revoked_at, Kind.DATETIME),
        "created_at": Field(ApiKey.created_at, Kind.DATETIME),
        "created_by_id": Field(ApiKey.created_by_id, Kind.INTEGER),
    },
    sortable={
        "id": ApiKey.id,
        "name": ApiKey.name,
        "created_at": ApiKey.created_at,
        "last_used_at": ApiKey.last_used_at,
    },
    search=(ApiKey.name, ApiKey.prefix),
    default_sort=(("created_at", "desc"),),
)
