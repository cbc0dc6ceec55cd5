"""Request dependencies: the unit of work, the principal, the permission checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from laosp.access import sessions
from laosp.access.permissions import Action, allows
from laosp.access.roles import Principal
from laosp.api.state import AppState
from laosp.db import unit_of_work

SESSION_COOKIE = "laosp_session"


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.laosp
    return state


StateDep = Annotated[AppState, Depends(app_state)]


def db_session(state: StateDep) -> Iterator[Session]:
    """One unit of work per request, committed before the response is sent."""
    with unit_of_work(state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(db_session, scope="function")]


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def client_address(request: Request) -> str:
    """The address sign-in throttling counts (the direct peer; behind a proxy, run
    uvicorn with ``--forwarded-allow-ips`` so that this is the client's)."""
    return request.client.host if request.client is not None else "unknown"


def live_session(request: Request, session: Session) -> tuple[Principal, bool] | None:
    token = token_of(request)
    return sessions.principal_of(session, token) if token is not None else None


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """The signed-in principal, or ``None``; a user who must change their password is
    not signed in for anything else."""
    found = live_session(request, session)
    if found is None or found[1]:
        return None
    return found[0]


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]

UNAUTHORIZED = "sign in first / ກະລຸນາເຂົ້າລະບົບ"


def current_principal(
    request: Request, session: SessionDep, principal: MaybePrincipal
) -> Principal:
    if principal is None:
        found = live_session(request, session)
        detail = (
            "change your password first (POST /api/auth/password) / ກະລຸນາປ່ຽນລະຫັດຜ່ານກ່ອນ"
            if found is not None
            else UNAUTHORIZED
        )
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def signed_in_even_to_change_password(request: Request, session: SessionDep) -> Principal:
    """The principal of a live session, also one who must change their password (the
    password route and sign-out take it)."""
    found = live_session(request, session)
    if found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"}
        )
    return found[0]


AnyPrincipalDep = Annotated[Principal, Depends(signed_in_even_to_change_password)]


def forbidden(action: Action) -> HTTPException:
    return HTTPException(
        status.HTTP_403_FORBIDDEN,
        f"your role may not {action.value.replace('_', ' ')} / ບົດບາດຂອງທ່ານບໍ່ມີສິດເຮັດສິ່ງນີ້",
    )


def allowed_to(action: Action) -> object:
    """A dependency: the principal, when the permission table lets them do ``action``
    somewhere (where exactly is the route's check, with ``reach``)."""

    def check(principal: PrincipalDep) -> Principal:
        if not allows(principal, action):
            raise forbidden(action)
        return principal

    return Depends(check)


PersonViewerDep = Annotated[Principal, allowed_to(Action.read_persons)]
AdminDep = Annotated[Principal, allowed_to(Action.manage_users)]
CacheClearerDep = Annotated[Principal, allowed_to(Action.clear_cache)]
AuditorDep = Annotated[Principal, allowed_to(Action.read_audit)]
