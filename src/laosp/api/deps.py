"""Request dependencies: the unit of work, the principal, the permission checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from laosp.api.access import Principal, may_manage_users, may_see_persons
from laosp.api.state import AppState
from laosp.api.users import find_principal
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


def optional_principal(request: Request, state: StateDep, session: SessionDep) -> Principal | None:
    token = token_of(request)
    if token is None:
        return None
    username = state.signer.username_of(token)
    return find_principal(session, username) if username is not None else None


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


def current_principal(principal: MaybePrincipal) -> Principal:
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in first / ກະລຸນາເຂົ້າລະບົບ",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def person_viewer(principal: PrincipalDep) -> Principal:
    """A principal who may see named persons somewhere (not an analyst)."""
    if not may_see_persons(principal):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "aggregates only for this role")
    return principal


PersonViewerDep = Annotated[Principal, Depends(person_viewer)]


def user_manager(principal: PrincipalDep) -> Principal:
    if not may_manage_users(principal):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin manages users")
    return principal


AdminDep = Annotated[Principal, Depends(user_manager)]
