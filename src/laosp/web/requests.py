"""The dashboard's queue of changes waiting for a second person (``/requests`` and its
JSON twin): the pending requests the user may decide (enrolment imports, identity
corrections, user administration, and any other kind ``access.approvals`` knows), each
described in words in Lao and English, with Approve and Reject forms. Deciding goes
through ``approved_changes.decide_and_apply``, as the API's does: never by the request's
maker, applied in the same transaction as the decision.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from laosp.access import approvals
from laosp.access.permissions import Forbidden
from laosp.access.roles import Principal
from laosp.api.deps import MaybePrincipal, PrincipalDep, SessionDep, StateDep
from laosp.api.routers.cycles import Limit, Offset, district_name
from laosp.api.routers.requests import Decision
from laosp.approved_changes import decide_and_apply
from laosp.enrolment import bulk, import_requests
from laosp.presentation.i18n import Formatter
from laosp.reference.admin_units import provinces
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack
from laosp.web.views import Refused, attempt, page_principal, render, validated

router = APIRouter(include_in_schema=False)
Reason = Annotated[str | None, Form(max_length=2000)]


def _place(words: Formatter, district: str | None, province: str | None) -> str:
    if district:
        english, lao = district_name(district)
        return words.pair(english, lao)
    if province:
        names = {row.code: (row.name_en, row.name_lo) for row in provinces()}
        english, lao = names.get(province, (province, province))
        return words.pair(english, lao)
    return words("requests_national")


def _corrected(words: Formatter, summary: str) -> str:
    """The persons and fields of an identity correction's summary, in words
    (``P1: given_name, sex`` → ``P1: Given name, Sex``)."""
    _, _, changes = summary.partition(": ")
    parts = []
    for change in filter(None, changes.split("; ")):
        person, _, fields = change.partition(": ")
        labels = ", ".join(words(name.strip()) for name in fields.split(",") if name.strip())
        parts.append(f"{person}: {labels}")
    return "; ".join(parts)


def _bulk(words: Formatter, pack: Pack, payload: dict[str, Any]) -> str:
    """A bulk enrolment of everyone eligible in a district, in words."""
    scheme = pack.schemes.get(str(payload.get("scheme")))
    unit = "households" if scheme is not None and scheme.unit == HOUSEHOLD else "persons"
    count = words(f"requests_bulk_{unit}").format(count=words.number(int(payload.get("count", 0))))
    return words("requests_bulk").format(
        scheme=scheme.label(words.lang) if scheme is not None else payload.get("scheme", ""),
        place=_place(words, str(payload.get("district", "")) or None, None),
        date=words.date(str(payload.get("date", ""))) if payload.get("date") else "—",
        count=count,
    )


def describe(
    words: Formatter, pack: Pack, request: approvals.RequestRead, payload: dict[str, Any]
) -> str:
    """What the request would change, in ``words``' language."""
    if request.kind == "user_admin":
        operation = str(payload.get("operation", ""))
        role = payload.get("role")
        text = words(f"requests_user_{operation}")
        if text == f"requests_user_{operation}":  # an operation with no words of its own
            return request.summary
        return text.format(
            username=payload.get("username", ""),
            role=words.label("role", role) if role else "",
            place=_place(words, payload.get("district_code"), payload.get("province_code")),
        )
    if request.kind == import_requests.KIND and payload.get("source") == bulk.SOURCE:
        return _bulk(words, pack, payload)
    if request.kind == import_requests.KIND:
        place = (
            _place(words, request.district_code, None)
            if request.district_code
            else words("requests_several_districts")
        )
        return words("requests_import").format(
            file=payload.get("file", ""),
            imported=words.number(int(payload.get("imported", 0))),
            updated=words.number(int(payload.get("updated", 0))),
            place=place,
        )
    if request.kind == "identity_correction":
        return words("requests_identity").format(
            household=payload.get("household_id", ""),
            place=_place(words, request.district_code, None),
            changes=_corrected(words, request.summary),
        )
    kind = words(f"change_kind.{request.kind}")
    return (
        request.summary if kind == f"change_kind.{request.kind}" else f"{kind}: {request.summary}"
    )


def _item(session: SessionDep, pack: Pack, request: approvals.RequestRead) -> dict[str, Any]:
    payload = approvals.get(session, request.id).payload or {}
    english, lao = district_name(request.district_code) if request.district_code else ("", "")
    return {
        "id": request.id,
        "kind": request.kind,
        "made_by": request.made_by,
        "made_at": request.made_at.isoformat(),
        "district_code": request.district_code,
        "district_name_en": english,
        "district_name_lo": lao,
        "summary": request.summary,
        "description_en": describe(Formatter("en"), pack, request, payload),
        "description_lo": describe(Formatter("lo"), pack, request, payload),
    }


def requests_data(
    session: SessionDep, pack: Pack, principal: Principal, limit: int, offset: int
) -> dict[str, Any]:
    """The pending requests ``principal`` may decide (never their own), oldest first."""
    pending = [r for r in approvals.pending(session, principal) if r.made_by != principal.username]
    shown = pending[offset : offset + limit]
    return {
        "items": [_item(session, pack, r) for r in shown],
        "total": len(pending),
        "limit": limit,
        "offset": offset,
    }


@router.get("/requests.json")
def requests_json(
    session: SessionDep,
    state: StateDep,
    principal: PrincipalDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    return requests_data(session, state.pack, principal, limit, offset)


def _page(
    request: Request, session: SessionDep, pack: Pack, who: Principal, extra: dict[str, Any],
    code: int = 200, limit: int = 50, offset: int = 0,
) -> HTMLResponse:  # fmt: skip
    base: dict[str, Any] = {"messages": [], "decided": None, "result": None}
    data = requests_data(session, pack, who, limit, offset) | base | extra
    return render(request, "requests.html", data, who, code)


@router.get("/requests", response_class=HTMLResponse)
def requests_page(
    request: Request,
    session: SessionDep,
    state: StateDep,
    principal: MaybePrincipal,
    limit: Limit = 50,
    offset: Offset = 0,
    decided: Offset | None = None,
    outcome: str | None = None,
) -> HTMLResponse:
    who = page_principal(principal)
    shown = {"id": decided, "approved": outcome == "approved"} if decided is not None else None
    return _page(request, session, state.pack, who, {"decided": shown}, limit=limit, offset=offset)


def _decide(
    request: Request, session: SessionDep, state: StateDep, who: Principal, request_id: int,
    approve: bool, reason: str | None,
) -> Response:  # fmt: skip
    try:
        with attempt(session):
            body = validated(Decision, {"reason": reason})
            try:
                decided = decide_and_apply(
                    session, who, request_id, approve=approve, pack=state.pack,
                    settings=state.settings, reason=body.reason,
                )  # fmt: skip
            except Forbidden as error:
                refusal = [{"field": None, "reason": str(error)}]
                raise Refused(status.HTTP_403_FORBIDDEN, refusal) from None
            except approvals.RequestError as error:
                refusal = [{"field": None, "reason": str(error)}]
                raise Refused(status.HTTP_409_CONFLICT, refusal) from None
    except Refused as refused:
        messages = {"messages": refused.messages}
        return _page(request, session, state.pack, who, messages, refused.code)
    outcome = "approved" if approve else "rejected"
    if "password" in decided.result:  # a one-time password is shown once, never in an address
        shown = {"id": request_id, "approved": approve}
        extra = {"decided": shown, "result": decided.result}
        return _page(request, session, state.pack, who, extra)
    return RedirectResponse(
        f"/requests?decided={request_id}&outcome={outcome}", status.HTTP_303_SEE_OTHER
    )


@router.post("/requests/{request_id}/approve", response_model=None)
def approve_request(
    request: Request, request_id: int, session: SessionDep, state: StateDep,
    principal: MaybePrincipal, reason: Reason = None,
) -> Response:  # fmt: skip
    who = page_principal(principal)
    return _decide(request, session, state, who, request_id, True, reason)


@router.post("/requests/{request_id}/reject", response_model=None)
def reject_request(
    request: Request, request_id: int, session: SessionDep, state: StateDep,
    principal: MaybePrincipal, reason: Reason = None,
) -> Response:  # fmt: skip
    who = page_principal(principal)
    return _decide(request, session, state, who, request_id, False, reason)
