from wrenchwork.core.listing import Field, Kind, ListSpec
from wrenchwork.models import ProcedureTemplate

TEMPLATE_LIST = ListSpec(
    id_column=ProcedureTemplate.id,
    fields={
        "id": Field(ProcedureTemplate.id, Kind.INTEGER),
        "name": Field(ProcedureTemplate.name, Kind.STRING),
        "description": Field(ProcedureTemplate.description, Kind.STRING),
        "created_at": Field(ProcedureTemplate.created_at, Kind.DATETIME),
        "updated_at": Field(ProcedureTemplate.updated_at, Kind.DATETIME),
        "created_by_id": Field(ProcedureTemplate.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(ProcedureTemplate.updated_by_id, Kind.INTEGER),
    },
    sortable={
        "id": ProcedureTemplate.id,
        "name": ProcedureTemplate.name,
        "created_at": ProcedureTemplate.created_at,
        "updated_at": ProcedureTemplate.updated_at,
    },
    search=(ProcedureTemplate.name, ProcedureTemplate.description),
    default_sort=(("name", "asc"),),
    counter="procedure_templates",
)
