"""Applying a change request once a second person has approved it.

The request kinds belong to different layers (users, enrolment imports, registry
corrections), so the one place that knows them all sits above them; the API and the
CLI decide requests through ``decide_and_apply``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from laosp.access import approvals, user_admin
from laosp.access.approvals import RequestRead
from laosp.access.roles import Principal
from laosp.config import Settings
from laosp.enrolment import bulk, import_requests
from laosp.registry import service as registry
from laosp.registry.import_limits import ImportLimits
from laosp.registry.validation import InputLimits
from laosp.rules.pack import Pack


@dataclass(frozen=True, slots=True)
class Decided:
    request: RequestRead
    #: What applying it gave (e.g. a one-time password, counts of an import).
    result: dict[str, Any]


def decide_and_apply(
    session: Session,
    checker: Principal,
    request_id: int,
    *,
    approve: bool,
    pack: Pack,
    settings: Settings,
    reason: str | None = None,
) -> Decided:
    """Decide a pending request (never by its maker) and, when approved, apply it in
    the same transaction: both happen or neither. ``pack`` and ``settings`` (its input
    limits) are the caller's, resolved once at its edge."""
    request = approvals.decide(session, checker, request_id, approve=approve, reason=reason)
    result: dict[str, Any] = {}
    if approve:
        if request.kind == "user_admin":
            result = user_admin.apply(session, request, checker)
        elif bulk.is_bulk(request):
            result = bulk.apply(session, pack, request, checker)
        elif request.kind == import_requests.KIND:
            limits = ImportLimits.of(settings)
            result = import_requests.apply(session, pack, request, checker, limits=limits)
        elif request.kind == "identity_correction":
            within = InputLimits.of(settings)
            outcome = registry.apply_correction(session, request.payload, checker, within)
            result = outcome.model_dump(mode="json")
        else:
            raise approvals.RequestError(f"no way to apply a {request.kind} request yet")
    return Decided(approvals.to_read(request), result)
