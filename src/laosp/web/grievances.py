"""The dashboard's grievances: ``/grievances`` (the queue: filters as pickers, the overdue
highlighted with the days over, a page at a time), ``/grievances/new`` (the form to open
one, also from a household's page with ``?household=ID``) and ``/grievances/{id}`` (the
grievance and its actions: assign, escalate, resolve, reject), each with its JSON twin.
The pages call the API's functions (``laosp.api.routers.grievances``): the same checks,
the same words for bad input (the form re-rendered with status 422 and each field's
reason), the same refusals (403, 404, 409)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from laosp.access.permissions import Action, allows
from laosp.access.roles import Principal
from laosp.api.deps import MaybePrincipal, PrincipalDep, SessionDep, StateDep, forbidden
from laosp.api.errors import problems
from laosp.api.params import DistrictCode
from laosp.api.routers import grievances as api
from laosp.grievances import service
from laosp.reference import codes
from laosp.reference.admin_units import districts
from laosp.registry.errors import ValidationFailed
from laosp.registry.schemas import PlainText
from laosp.rules.pack import Pack
from laosp.web.views import Refused, attempt, page_principal, render, see_other, validated

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
#: A form field as posted (checked by the API's body model, not here).
Field = Annotated[str | None, Form(max_length=4000)]
CategoryFilter = Annotated[str | None, Query(max_length=40), PlainText]
HouseholdQuery = Annotated[str | None, Query(max_length=64), PlainText]
ACTIONS: dict[str, type[BaseModel]] = {
    "assign": api.Assignment,
    "escalate": api.Escalation,
    "resolve": api.Decision,
    "reject": api.Decision,
}


def _may_see(principal: Principal) -> None:
    if not allows(principal, Action.open_grievance):
        raise forbidden(Action.open_grievance)


def choices(pack: Pack, principal: Principal) -> dict[str, Any]:
    """The pickers' choices by name in both languages: statuses, categories (with their
    days today), levels and the districts of the principal's area."""
    area = service.area_of_grievances(principal)
    policy = api.policy_of(pack, dt.date.today())
    return {
        "statuses": list(codes.GRIEVANCE_STATUSES),
        "categories": [c.model_dump() for c in policy.categories],
        "levels": [lv.model_dump() for lv in policy.levels],
        "districts": [
            {"code": row.code, "name_en": row.name_en, "name_lo": row.name_lo}
            for row in districts()
            if not area.nowhere and area.contains(row.code)
        ],
        "schemes": [
            {"code": s.code, "name_en": s.label("en"), "name_lo": s.label("lo")}
            for s in pack.schemes.values()
        ],
    }


def _pages(
    path: str, values: dict[str, Any], total: int, limit: int, offset: int
) -> dict[str, Any]:
    kept = {k: v for k, v in values.items() if v not in (None, "", False)}
    last = min(offset + limit, total)

    def at(start: int) -> str:
        query = urlencode({**kept, "limit": limit, "offset": start})
        return f"{path}?{query}"

    return {
        "first": offset + 1 if last > offset else 0,
        "last": last,
        "total": total,
        "previous": at(max(0, offset - limit)) if offset > 0 else None,
        "next": at(offset + limit) if offset + limit < total else None,
    }


def queue_data(
    session: SessionDep, pack: Pack, principal: Principal, *, status_: str | None,
    category: str | None, district: str | None, overdue: bool, mine: bool, limit: int,
    offset: int, household: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    _may_see(principal)
    filters = api.filters_of(
        pack, principal, status=status_, category=category, district=district,
        overdue=overdue, mine=mine, household=household,
    )  # fmt: skip
    page = api.page_of(session, pack, principal, filters, limit, offset)
    chosen = {
        "status": status_ or "", "category": category or "", "district": district or "",
        "overdue": overdue, "mine": mine, "household": household or "",
    }  # fmt: skip
    return {
        **page.model_dump(mode="json"),
        "filters": chosen,
        "pages": _pages("/grievances", chosen, page.total, limit, offset),
        "choices": choices(pack, principal),
        "may_open": allows(principal, Action.open_grievance),
    }


@router.get("/grievances.json")
def queue_json(
    session: SessionDep, state: StateDep, principal: PrincipalDep,
    status: api.Status | None = None, category: CategoryFilter = None,
    district: DistrictCode = None, overdue: bool = False, mine: bool = False,
    household: HouseholdQuery = None, limit: api.Limit = PAGE_SIZE, offset: api.Offset = 0,
) -> Any:  # fmt: skip
    return queue_data(
        session, state.pack, principal, status_=status, category=category, district=district,
        overdue=overdue, mine=mine, limit=limit, offset=offset, household=household,
    )  # fmt: skip


def _shown(
    request: Request, template: str, build: Any, who: Principal, code: int = 200
) -> Response:
    try:
        data = build()
    except HTTPException as error:
        if error.status_code == status.HTTP_403_FORBIDDEN:
            return render(request, "forbidden.html", {}, who, error.status_code)
        raise
    except ValidationFailed as error:
        data = {"messages": problems(error.errors), "invalid": True}
        return render(request, template, data, who, status.HTTP_422_UNPROCESSABLE_CONTENT)
    return render(request, template, data, who, code)


@router.get("/grievances", response_class=HTMLResponse)
def queue_page(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    status: api.Status | None = None, category: CategoryFilter = None,
    district: DistrictCode = None, overdue: bool = False, mine: bool = False,
    household: HouseholdQuery = None, limit: api.Limit = PAGE_SIZE, offset: api.Offset = 0,
) -> Response:  # fmt: skip
    who = page_principal(principal)
    return _shown(
        request, "grievances.html",
        lambda: queue_data(
            session, state.pack, who, status_=status, category=category, district=district,
            overdue=overdue, mine=mine, limit=limit, offset=offset, household=household,
        ), who,
    )  # fmt: skip


# --- /grievances/new ------------------------------------------------------------------


def new_data(pack: Pack, principal: Principal, form: dict[str, Any]) -> dict[str, Any]:
    _may_see(principal)
    return {
        "form": {k: v or "" for k, v in form.items()},
        "choices": choices(pack, principal),
        "today": dt.date.today().isoformat(),
        "messages": [],
    }


NEW_FIELDS = ("category", "description", "person_id", "household_id", "scheme", "received_on")


@router.get("/grievances/new.json")
def new_json(state: StateDep, principal: PrincipalDep, household: HouseholdQuery = None) -> Any:
    return new_data(state.pack, principal, {**dict.fromkeys(NEW_FIELDS), "household_id": household})


@router.get("/grievances/new", response_class=HTMLResponse)
def new_page(
    request: Request, state: StateDep, principal: MaybePrincipal, household: HouseholdQuery = None
) -> Response:
    who = page_principal(principal)
    form = {**dict.fromkeys(NEW_FIELDS), "household_id": household}
    return _shown(request, "grievance_new.html", lambda: new_data(state.pack, who, form), who)


@router.post("/grievances/new", response_model=None)
def open_from_form(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    category: Field = None, description: Field = None, person_id: Field = None,
    household_id: Field = None, scheme: Field = None, received_on: Field = None,
) -> Response:  # fmt: skip
    who = page_principal(principal)
    form = {
        "category": category, "description": description, "person_id": person_id,
        "household_id": household_id, "scheme": scheme, "received_on": received_on,
    }  # fmt: skip
    try:
        with attempt(session):
            if not allows(who, Action.open_grievance):
                raise forbidden(Action.open_grievance)
            opened = api.opened(session, state.pack, who, validated(api.GrievanceIn, form))
            opened_id = opened.id
    except Refused as refused:
        if refused.code == status.HTTP_403_FORBIDDEN:
            return render(request, "forbidden.html", {}, who, refused.code)
        data = {**new_data(state.pack, who, form), "messages": refused.messages}
        return render(request, "grievance_new.html", data, who, refused.code)
    return see_other(f"/grievances/{opened_id}")


# --- /grievances/{id} -----------------------------------------------------------------


def detail_data(
    session: SessionDep, pack: Pack, principal: Principal, grievance_id: int
) -> dict[str, Any]:
    _may_see(principal)
    shown = api.read(session, pack, principal, grievance_id)
    is_open = shown.status in service.OPEN_STATUSES
    may_handle = is_open and allows(principal, Action.handle_grievance, shown.district_code)
    levels = pack.grievances.levels
    at_top = not levels or shown.escalation_level == levels[-1].code
    district = next((d for d in districts() if d.code == shown.district_code), None)
    return {
        "grievance": shown.model_dump(mode="json"),
        "district": {"name_en": district.name_en, "name_lo": district.name_lo}
        if district
        else None,
        "may_handle": may_handle,
        "may_escalate": may_handle and not at_top,
        "handlers": service.handlers(session, shown.district_code) if may_handle else [],
        "history": steps(pack, service.history(session, grievance_id)),
        "messages": [],
    }


def steps(pack: Pack, events: list[Any]) -> list[dict[str, Any]]:
    """The audit events of a grievance as the page shows them: when, who, what (a
    status, a level or an assignee, by code: the template names them)."""
    levels = {lv.code: lv for lv in pack.grievances.levels}
    shown = []
    for event in events:
        changes = event.changes or {}
        step: dict[str, Any] = {"at": event.at.isoformat(), "actor": event.actor,
                                "action": event.action, "to": None, "level": None}  # fmt: skip
        if event.action == "assign":
            step["to"] = (changes.get("assigned_to") or [None, None])[1]
        elif event.action == "escalate":
            level = levels.get((changes.get("escalation_level") or [None, ""])[1])
            step["level"] = level and {"name_en": level.name, "name_lo": level.name_lo}
        elif event.action == "status":
            step["status"] = (changes.get("status") or [None, None])[1]
        shown.append(step)
    return shown


@router.get("/grievances/{grievance_id}.json")
def detail_json(
    grievance_id: int, session: SessionDep, state: StateDep, principal: PrincipalDep
) -> Any:
    return detail_data(session, state.pack, principal, grievance_id)


@router.get("/grievances/{grievance_id}", response_class=HTMLResponse)
def detail_page(
    grievance_id: int, request: Request, session: SessionDep, state: StateDep,
    principal: MaybePrincipal,
) -> Response:  # fmt: skip
    who = page_principal(principal)
    return _shown(
        request, "grievance.html", lambda: detail_data(session, state.pack, who, grievance_id), who
    )


@router.post("/grievances/{grievance_id}/{action}", response_model=None)
def act_from_form(
    grievance_id: int, action: str, request: Request, session: SessionDep, state: StateDep,
    principal: MaybePrincipal, assigned_to: Field = None, resolution: Field = None,
) -> Response:  # fmt: skip
    who = page_principal(principal)
    model = ACTIONS.get(action)
    if model is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no action {action!r}")
    form = {"assigned_to": assigned_to} if action == "assign" else {}
    if action in ("resolve", "reject"):
        form = {"resolution": resolution}
    try:
        with attempt(session):
            if not allows(who, Action.handle_grievance):
                raise forbidden(Action.handle_grievance)
            api.act(session, state.pack, who, grievance_id, action, validated(model, form))
    except Refused as refused:
        if refused.code in (status.HTTP_403_FORBIDDEN, status.HTTP_404_NOT_FOUND):
            page = (
                "forbidden.html" if refused.code == status.HTTP_403_FORBIDDEN else "not_found.html"
            )
            return render(request, page, {}, who, refused.code)
        data = {
            **detail_data(session, state.pack, who, grievance_id),
            "messages": refused.messages,
            "form": {k: v or "" for k, v in form.items()},
        }
        return render(request, "grievance.html", data, who, refused.code)
    return see_other(f"/grievances/{grievance_id}")
