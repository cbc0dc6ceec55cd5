"""Sign in (a signed bearer token, or the dashboard's cookie), who am I, users."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from laosp.api.access import Role
from laosp.api.deps import AdminDep, PrincipalDep, SessionDep, StateDep
from laosp.api.errors import documented, unprocessable
from laosp.api.params import LoginPassword, LoginUsername, known_district, known_province
from laosp.api.passwords import MAX_LENGTH, MIN_LENGTH
from laosp.api.users import UserError, UserExists, authenticate, create_user, list_users
from laosp.registry.errors import FieldError
from laosp.registry.schemas import PlainText

router = APIRouter(prefix="/api/auth", tags=["auth"])
#: A refused user's field as the body names it.
BODY_FIELD = {"province": "province_code", "district": "district_code"}


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    username: str
    role: str
    province_code: str | None
    district_code: str | None


Username = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^\S+$"), PlainText
]


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    password: Annotated[
        str, StringConstraints(min_length=MIN_LENGTH, max_length=MAX_LENGTH), PlainText
    ]
    role: Role
    province_code: Annotated[str, AfterValidator(known_province)] | None = None
    district_code: Annotated[str, AfterValidator(known_district)] | None = None


@router.post("/token", response_model=Token, responses=documented(400, 401, 413, 422))
def token(
    username: LoginUsername,
    password: LoginPassword,
    state: StateDep,
    session: SessionDep,
) -> Any:
    """Exchange a username and password (form fields) for a bearer token. Every attempt
    is audited (``login`` or ``login_failed``)."""
    principal = authenticate(session, username, password)
    if principal is None:
        # a response, not an exception, so that the audit of the failure is committed
        return JSONResponse(
            {"detail": "wrong username or password / ຊື່ຜູ້ໃຊ້ ຫຼື ລະຫັດຜ່ານບໍ່ຖືກຕ້ອງ"},
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    return Token(
        access_token=state.signer.issue(principal.username),
        expires_in=state.signer.max_age_seconds,
    )


@router.get("/me", response_model=Me, responses=documented(401))
def me(principal: PrincipalDep) -> Me:
    return Me(
        username=principal.username,
        role=principal.role.value,
        province_code=principal.province_code,
        district_code=principal.district_code,
    )


@router.get("/users", response_model=list[Me], responses=documented(401, 403))
def users(_admin: AdminDep, session: SessionDep) -> list[Me]:
    return [
        Me(
            username=user.username,
            role=user.role,
            province_code=user.province_code,
            district_code=user.district_code,
        )
        for user in list_users(session)
    ]


@router.post(
    "/users",
    response_model=Me,
    status_code=status.HTTP_201_CREATED,
    responses=documented(400, 401, 403, 409, 413, 422),
)
def add_user(body: NewUser, admin: AdminDep, session: SessionDep) -> Any:
    """Create a user (admin only; audited)."""
    try:
        user = create_user(
            session,
            body.username,
            body.password,
            body.role,
            province=body.province_code,
            district=body.district_code,
            actor=admin.username,
        )
    except UserExists as error:
        raise HTTPException(status.HTTP_409_CONFLICT, error.reason) from None
    except UserError as error:
        field = BODY_FIELD.get(error.field, error.field)
        value = body.model_dump(mode="json").get(field)
        return unprocessable([FieldError(field, value, error.reason)])
    return Me(
        username=user.username,
        role=user.role,
        province_code=user.province_code,
        district_code=user.district_code,
    )
