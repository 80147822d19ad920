from wrenchwork.core.listing import Field, Kind, ListSpec
from wrenchwork.models import Comment

COMMENT_LIST = ListSpec(
    id_column=Comment.id,
    fields={
        "id": Field(Comment.id, Kind.INTEGER),
        "body": Field(Comment.body, Kind.STRING),
        "created_at": Field(Comment.created_at, Kind.DATETIME),
        "updated_at": Field(Comment.updated_at, Kind.DATETIME),
        "created_by_id": Field(Comment.created_by_id, Kind.INTEGER),
    },
    sortable={"id": Comment.id, "created_at": Comment.created_at},
    search=(Comment.body,),
    default_sort=(("created_at", "asc"),),
)
