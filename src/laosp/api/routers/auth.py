"""Sign in and out (a bearer token, or the dashboard's cookie), change one's password,
who am I, and user administration (prepared by one admin, approved by another)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from laosp.access import sessions, user_admin
from laosp.access.approvals import RequestRead
from laosp.access.passwords import MAX_LENGTH, MIN_LENGTH
from laosp.access.roles import Role
from laosp.access.signin import Throttled, sign_in
from laosp.access.users import UserError, UserExists, change_password, list_users
from laosp.api.deps import (
    AdminDep,
    AnyPrincipalDep,
    PrincipalDep,
    SessionDep,
    StateDep,
    client_address,
    token_of,
)
from laosp.api.errors import documented, unprocessable
from laosp.api.params import LoginPassword, LoginUsername, known_district, known_province
from laosp.registry.errors import FieldError
from laosp.registry.schemas import PlainText

router = APIRouter(prefix="/api/auth", tags=["auth"])
#: A refused user's field as the body names it.
BODY_FIELD = {"province": "province_code", "district": "district_code"}


class Me(BaseModel):
    username: str
    role: str
    province_code: str | None
    district_code: str | None


Username = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^\S+$"), PlainText
]


Password = Annotated[
    str, StringConstraints(min_length=MIN_LENGTH, max_length=MAX_LENGTH), PlainText
]


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    must_change_password: bool = False


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old_password: Annotated[str, StringConstraints(max_length=MAX_LENGTH)]
    new_password: Password


class UserRequestBody(BaseModel):
    """A user to create, or a new role and area for one (``set_role``)."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    role: Role
    province_code: Annotated[str, AfterValidator(known_province)] | None = None
    district_code: Annotated[str, AfterValidator(known_district)] | None = None


class UserRow(Me):
    active: bool


class ChangeRequestOut(BaseModel):
    id: int
    kind: str
    summary: str
    status: str
    made_by: str
    checked_by: str | None

    @classmethod
    def of(cls, request: RequestRead) -> ChangeRequestOut:
        return cls(
            id=request.id, kind=request.kind, summary=request.summary, status=request.status,
            made_by=request.made_by, checked_by=request.checked_by,
        )  # fmt: skip


WRONG = "wrong username or password / ຊື່ຜູ້ໃຊ້ ຫຼື ລະຫັດຜ່ານບໍ່ຖືກຕ້ອງ"


@router.post("/token", response_model=Token, responses=documented(400, 401, 413, 422, 429))
def token(
    request: Request,
    username: LoginUsername,
    password: LoginPassword,
    state: StateDep,
    session: SessionDep,
) -> Any:
    """Exchange a username and password (form fields) for a bearer token. Every attempt
    is audited (``login``, ``login_failed``, ``login_throttled``); after too many failures
    of a user or an address sign-in is refused with 429 for a while (settings)."""
    # responses, not exceptions, so that the attempt and its audit are committed
    try:
        signed = sign_in(
            session, username, password, address=client_address(request), kind="api",
            policy=state.signin,
        )  # fmt: skip
    except Throttled as error:
        return JSONResponse(
            {"detail": str(error)},
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(error.retry_after)},
        )
    if signed is None:
        return JSONResponse({"detail": WRONG}, status_code=status.HTTP_401_UNAUTHORIZED)
    return Token(
        access_token=signed.token,
        expires_in=state.signin.session_hours * 3600,
        must_change_password=signed.must_change_password,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=documented(401))
def logout(request: Request, principal: AnyPrincipalDep, session: SessionDep) -> None:
    """End this session on the server: the token is refused from now on."""
    token_value = token_of(request)
    if token_value is not None:
        sessions.revoke(session, token_value)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    response_model=None,
    responses=documented(400, 401, 413, 422),
)
def password(
    request: Request, body: PasswordChange, principal: AnyPrincipalDep, session: SessionDep
) -> Response:
    """Change your own password (the old one is required); your other sessions end."""
    try:
        change_password(
            session, principal.username, body.old_password, body.new_password,
            keep_token=token_of(request),
        )  # fmt: skip
    except UserError as error:
        # a response, so that the audit of a wrong old password is committed
        return unprocessable([FieldError(error.field, None, error.reason)])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=Me, responses=documented(401))
def me(principal: PrincipalDep) -> Me:
    return Me(
        username=principal.username,
        role=principal.role.value,
        province_code=principal.province_code,
        district_code=principal.district_code,
    )


@router.get("/users", response_model=list[UserRow], responses=documented(401, 403))
def users(_admin: AdminDep, session: SessionDep) -> list[UserRow]:
    return [
        UserRow(
            username=user.username,
            role=user.role,
            province_code=user.province_code,
            district_code=user.district_code,
            active=user.active,
        )
        for user in list_users(session)
    ]


def _prepare(
    session: SessionDep, admin: AdminDep, operation: str, body: UserRequestBody | None,
    username: str,
) -> Any:  # fmt: skip
    try:
        request = user_admin.prepare(
            session, admin, operation, username,
            role=body.role if body else None,
            province=body.province_code if body else None,
            district=body.district_code if body else None,
        )  # fmt: skip
    except UserExists as error:
        raise HTTPException(status.HTTP_409_CONFLICT, error.reason) from None
    except UserError as error:
        field = BODY_FIELD.get(error.field, error.field)
        value = body.model_dump(mode="json").get(field) if body else username
        return unprocessable([FieldError(field, value, error.reason)])
    return ChangeRequestOut.of(request)


@router.post(
    "/users",
    response_model=ChangeRequestOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented(400, 401, 403, 409, 413, 422),
)
def add_user(body: UserRequestBody, admin: AdminDep, session: SessionDep) -> Any:
    """Prepare a new user (admin; audited): another admin approves it at
    ``POST /api/requests/{id}/approve``, which gives the first password, to be changed at
    the first sign-in."""
    return _prepare(session, admin, "create", body, body.username)


@router.put(
    "/users/{username}/role",
    response_model=ChangeRequestOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented(400, 401, 403, 413, 422),
)
def set_role(username: str, body: UserRequestBody, admin: AdminDep, session: SessionDep) -> Any:
    """Prepare a change of role or area (another admin approves)."""
    return _prepare(session, admin, "set_role", body, username)


@router.post(
    "/users/{username}/disable", response_model=UserRow, responses=documented(401, 403, 422)
)
def disable(username: str, admin: AdminDep, session: SessionDep) -> Any:
    """Disable a user at once (taking access away is never held up); every session of
    theirs ends."""
    try:
        user = user_admin.disable(session, admin, username)
    except UserError as error:
        return unprocessable([FieldError("username", username, error.reason)])
    return UserRow(
        username=user.username, role=user.role, province_code=user.province_code,
        district_code=user.district_code, active=user.active,
    )  # fmt: skip


@router.post(
    "/users/{username}/{operation}",
    response_model=ChangeRequestOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=documented(401, 403, 404, 422),
)
def prepare_operation(
    username: str, operation: Literal["enable", "reset-password"], admin: AdminDep,
    session: SessionDep,
) -> Any:  # fmt: skip
    """Prepare enabling a user or resetting their password (another admin approves)."""
    return _prepare(session, admin, operation.replace("-", "_"), None, username)
