"""Changes that wait for a second person (maker–checker).

A maker ``submit``s a change request; a checker with the approving action of the
permission table (``permissions.CHECKED_BY``) in the request's district ``decide``s it.
The decision is a compare-and-set on ``status = 'pending'``: two checkers cannot both
approve, and the maker can never approve their own request. Applying an approved request
is the caller's work, in the same transaction as the decision (``laosp.operations``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from laosp.access import sessions
from laosp.access.permissions import (
    CHECKED_BY,
    Action,
    Forbidden,
    reach,
    require,
    require_checker,
)
from laosp.access.roles import Principal
from laosp.access.users import audit
from laosp.models import ChangeRequest

#: The action that prepares each kind of request.
PREPARED_BY: dict[str, Action] = {
    "enrolment_import": Action.import_enrolments,
    "identity_correction": Action.correct_identity,
    "user_admin": Action.manage_users,
}


class RequestError(ValueError):
    """A request that cannot be decided: unknown, or already decided."""


@dataclass(frozen=True, slots=True)
class RequestRead:
    id: int
    kind: str
    summary: str
    district_code: str | None
    status: str
    made_by: str
    made_at: dt.datetime
    checked_by: str | None
    reason: str | None


def to_read(request: ChangeRequest) -> RequestRead:
    return RequestRead(
        request.id, request.kind, request.summary, request.district_code, request.status,
        request.made_by, request.made_at, request.checked_by, request.reason,
    )  # fmt: skip


def submit(
    session: Session,
    maker: Principal,
    kind: str,
    *,
    summary: str,
    payload: dict[str, Any],
    district_code: str | None = None,
    attachment: bytes | None = None,
) -> RequestRead:
    """Record a change prepared by ``maker`` (who must hold the preparing action there)."""
    require(maker, PREPARED_BY[kind], district_code)
    request = ChangeRequest(
        kind=kind,
        summary=summary[:400],
        payload=payload,
        attachment=attachment,
        district_code=district_code,
        status="pending",
        made_by=maker.username,
    )
    session.add(request)
    session.flush()
    audit(session, maker.username, "prepare", "change_request", str(request.id),
          {"kind": kind, "summary": request.summary})  # fmt: skip
    return to_read(request)


def get(session: Session, request_id: int) -> ChangeRequest:
    request = session.get(ChangeRequest, request_id)
    if request is None:
        raise RequestError(f"no change request {request_id} / ບໍ່ມີຄຳຮ້ອງ {request_id}")
    return request


def decide(
    session: Session,
    checker: Principal,
    request_id: int,
    *,
    approve: bool,
    reason: str | None = None,
) -> ChangeRequest:
    """Approve or reject a pending request (never by its maker); the request, now
    decided, is returned for the caller to apply when approved."""
    request = get(session, request_id)
    require_decider(checker, request)
    status = "approved" if approve else "rejected"
    moved = session.execute(
        update(ChangeRequest)
        .where(ChangeRequest.id == request_id, ChangeRequest.status == "pending")
        .values(status=status, checked_by=checker.username, checked_at=sessions.now(),
                reason=(reason or None) and reason[:400])
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(request)
        raise RequestError(
            f"change request {request_id} is already {request.status} / "
            f"ຄຳຮ້ອງ {request_id} ໄດ້ຕັດສິນແລ້ວ"
        )
    session.refresh(request)
    audit(session, checker.username, "approve" if approve else "reject", "change_request",
          str(request_id), {"kind": request.kind, "reason": reason})  # fmt: skip
    return request


def require_decider(checker: Principal, request: ChangeRequest) -> None:
    """The checker holds the approving action where the request applies (a request
    naming no district applies everywhere: a national checker) and is not its maker."""
    action = CHECKED_BY[PREPARED_BY[request.kind]]
    require_checker(checker, action, request.made_by, request.district_code)
    if request.district_code is None and not reach(checker, action).everywhere:
        raise Forbidden(
            action,
            "this request is not limited to one district: a checker with national reach "
            "must decide it / ຄຳຮ້ອງນີ້ກວມຫຼາຍເມືອງ: ຕ້ອງມີສິດທົ່ວປະເທດ",
        )


def pending(session: Session, viewer: Principal) -> list[RequestRead]:
    """Pending requests ``viewer`` could decide (within their reach), oldest first."""
    rows = session.scalars(
        select(ChangeRequest).where(ChangeRequest.status == "pending").order_by(ChangeRequest.id)
    )
    out = []
    for request in rows:
        try:
            require_decider(viewer, request)
        except Forbidden:
            continue
        out.append(to_read(request))
    return out
