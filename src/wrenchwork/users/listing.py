from sqlalchemy import func

from wrenchwork.core.listing import Field, Kind, ListSpec
from wrenchwork.models import User, UserRole

FULL_NAME = func.trim(User.name + " " + User.surname)

USER_LIST = ListSpec(
    id_column=User.id,
    fields={
        "id": Field(User.id, Kind.INTEGER),
        "name": Field(User.name, Kind.STRING),
        "surname": Field(User.surname, Kind.STRING),
        "full_name": Field(FULL_NAME, Kind.STRING),
        "email": Field(User.email, Kind.STRING),
        "language": Field(User.language, Kind.STRING),
        "phone_number": Field(User.phone_number, Kind.STRING),
        "job_title": Field(User.job_title, Kind.STRING),
        "status": Field(User.status, Kind.ENUM, ("active", "inactive")),
        "can_be_assigned_to_wo": Field(User.can_be_assigned_to_wo, Kind.BOOLEAN),
        "regular_rate": Field(User.regular_rate, Kind.DECIMAL),
        "overtime_rate1": Field(User.overtime_rate1, Kind.DECIMAL),
        "overtime_rate2": Field(User.overtime_rate2, Kind.DECIMAL),
        "role": Field(UserRole.role, Kind.ENUM, ("admin", "limited_admin", "technician", "requester")),
        "created_at": Field(User.created_at, Kind.DATETIME),
        "updated_at": Field(User.updated_at, Kind.DATETIME),
        "created_by_id": Field(User.created_by_id, Kind.INTEGER),
        "updated_by_id": Field(User.updated_by_id, Kind.INTEGER),
    },
    sortable={
        "id": User.id,
        "name": User.name,
        "surname": User.surname,
        "full_name": FULL_NAME,
        "email": User.email,
        "job_title": User.job_title,
        "status": User.status,
        "created_at": User.created_at,
        "updated_at": User.updated_at,
    },
    search=(User.name, User.surname, User.email, User.job_title, User.phone_number),
    default_sort=(("name", "asc"),),
    counter="user_roles",
)
