"""Changes waiting for a second person: list them, approve or reject them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, status
from pydantic import BaseModel, ConfigDict, StringConstraints

from laosp.access import approvals
from laosp.access.permissions import Forbidden
from laosp.api.deps import PrincipalDep, SessionDep, StateDep
from laosp.api.errors import documented
from laosp.api.routers.auth import ChangeRequestOut
from laosp.approved_changes import decide_and_apply

router = APIRouter(prefix="/api/requests", tags=["requests"], responses=documented(401))


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(max_length=400)] | None = None


class Decided(BaseModel):
    request: ChangeRequestOut
    result: dict[str, Any]


@router.get("", response_model=list[ChangeRequestOut])
def pending(principal: PrincipalDep, session: SessionDep) -> list[ChangeRequestOut]:
    """The pending requests you may decide (in your area; your own ones are listed for
    others)."""
    return [ChangeRequestOut.of(r) for r in approvals.pending(session, principal)
            if r.made_by != principal.username]  # fmt: skip


def _decide(
    request_id: int, approve: bool, body: Decision | None, principal: PrincipalDep,
    session: SessionDep, state: StateDep,
) -> Decided:  # fmt: skip
    try:
        decided = decide_and_apply(
            session, principal, request_id, approve=approve, pack=state.pack,
            settings=state.settings,
            reason=body.reason if body else None,
        )  # fmt: skip
    except Forbidden as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    except approvals.RequestError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    return Decided(request=ChangeRequestOut.of(decided.request), result=decided.result)


@router.post(
    "/{request_id}/approve", response_model=Decided, responses=documented(400, 403, 409, 413, 422)
)
def approve(
    request_id: int, principal: PrincipalDep, session: SessionDep, state: StateDep,
    body: Annotated[Decision | None, Body()] = None,
) -> Decided:  # fmt: skip
    """Approve and apply a request prepared by another user (never your own)."""
    return _decide(request_id, True, body, principal, session, state)


@router.post(
    "/{request_id}/reject", response_model=Decided, responses=documented(400, 403, 409, 413, 422)
)
def reject(
    request_id: int, principal: PrincipalDep, session: SessionDep, state: StateDep,
    body: Annotated[Decision | None, Body()] = None,
) -> Decided:  # fmt: skip
    """Reject a request prepared by another user."""
    return _decide(request_id, False, body, principal, session, state)
