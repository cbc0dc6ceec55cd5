"""Sign in (a signed bearer token, or the dashboard's cookie), who am I, users."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from laosp.api.access import Role
from laosp.api.deps import AdminDep, PrincipalDep, SessionDep, StateDep
from laosp.api.users import UserError, authenticate, create_user, list_users

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    username: str
    role: str
    province_code: str | None
    district_code: str | None


class NewUser(BaseModel):
    username: str
    password: str
    role: Role
    province_code: str | None = None
    district_code: str | None = None


@router.post("/token", response_model=Token, responses={401: {"description": "wrong password"}})
def token(
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
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


@router.get("/me", response_model=Me)
def me(principal: PrincipalDep) -> Me:
    return Me(
        username=principal.username,
        role=principal.role.value,
        province_code=principal.province_code,
        district_code=principal.district_code,
    )


@router.get("/users", response_model=list[Me])
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


@router.post("/users", response_model=Me, status_code=status.HTTP_201_CREATED)
def add_user(body: NewUser, admin: AdminDep, session: SessionDep) -> Me:
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
    except UserError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    return Me(
        username=user.username,
        role=user.role,
        province_code=user.province_code,
        district_code=user.district_code,
    )
