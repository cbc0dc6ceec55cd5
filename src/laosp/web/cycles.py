"""The dashboard's payment cycles and contributions: ``/cycles`` (the list and the form of
a new cycle), ``/cycles/{id}`` (totals, counts, districts, payments; approve, pay,
close), ``/contributions`` (the list, the month's dues, payments), each with its JSON
twin. The pages call the API's functions (``laosp.api.routers.cycles`` and
``contributions``): the same checks, the same words for bad input (a form re-rendered
with status 422 and each field's reason), the same refusals (403, 404, 409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from laosp.access.permissions import Action, allows, reach
from laosp.access.roles import Principal
from laosp.api.deps import MaybePrincipal, PrincipalDep, SessionDep, StateDep, forbidden
from laosp.api.errors import problems
from laosp.api.params import DistrictCode
from laosp.api.routers import contributions as dues_api
from laosp.api.routers import cycles as api
from laosp.api.routers.contributions import DuesState
from laosp.api.routers.cycles import CycleStatus, Limit, Month, Offset, PaymentStatus, SchemeCode
from laosp.registry.errors import ValidationFailed
from laosp.rules.pack import Pack, Scheme
from laosp.web.views import Refused, attempt, page_principal, render, see_other, validated

router = APIRouter(include_in_schema=False)
M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")
#: A form field as posted (checked by the API's body model, not here).
Field = Annotated[str | None, Form(max_length=200)]


def scheme_choices(schemes: list[Scheme]) -> list[dict[str, str]]:
    return [{"code": s.code, "name_en": s.label("en"), "name_lo": s.label("lo")} for s in schemes]


def _json(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def _may(principal: Principal, *actions: Action) -> bool:
    return any(allows(principal, action) for action in actions)


def _form_post(
    session: SessionDep, who: Principal, action: Action, model: type[M], form: dict[str, Any],
    act: Callable[[M], R], refused_page: Callable[[dict[str, Any], int], HTMLResponse],
    target: Callable[[R], str],
) -> Response:  # fmt: skip
    """A form that makes something: ``act`` on the ``form`` as the API's body ``model``
    when ``who`` may do ``action``, then on to ``target`` of what it made; refused, the
    ``refused_page`` with the form as posted and the messages, with the refusal's status."""
    try:
        with attempt(session):
            _allowed(who, action)
            made = act(validated(model, form))
    except Refused as refused:
        extra = {"form": {k: v or "" for k, v in form.items()}, "messages": refused.messages}
        return refused_page(extra, refused.code)
    return see_other(target(made))


# --- /cycles ----------------------------------------------------------------------


def cycles_data(
    session: SessionDep, pack: Pack, principal: Principal, scheme: str | None,
    cycle_status: str | None, limit: int, offset: int,
) -> dict[str, Any]:  # fmt: skip
    if not _may(principal, *api.CYCLE_WORK):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not work on payment cycles")
    page = api.cycle_list(session, pack, scheme or None, cycle_status or None, limit, offset)
    return {
        **_json(page),
        "filters": {"scheme": scheme or "", "status": cycle_status or ""},
        "schemes": scheme_choices(api.paying_schemes(pack)),
        "statuses": list(CycleStatus.__args__),  # type: ignore[attr-defined]
        "may_prepare": allows(principal, Action.prepare_cycle),
    }


@router.get("/cycles.json")
def cycles_json(
    session: SessionDep, state: StateDep, principal: PrincipalDep,
    scheme: Annotated[SchemeCode | None, Query()] = None,
    status: CycleStatus | None = None, limit: Limit = 50, offset: Offset = 0,
) -> Any:  # fmt: skip
    return cycles_data(session, state.pack, principal, scheme, status, limit, offset)


def _page(
    request: Request, template: str, build: Callable[[], dict[str, Any]], who: Principal,
    extra: dict[str, Any] | None = None, code: int = 200,
) -> HTMLResponse:  # fmt: skip
    """``template`` with ``build()``'s data, or the styled refusal of that data."""
    try:
        data = build()
    except HTTPException as error:
        if error.status_code == status.HTTP_403_FORBIDDEN:
            return render(request, "forbidden.html", {}, who, error.status_code)
        raise
    return render(request, template, {**data, **(extra or {})}, who, code)


@router.get("/cycles", response_class=HTMLResponse)
def cycles_page(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    scheme: Annotated[SchemeCode | None, Query()] = None,
    status: CycleStatus | None = None, limit: Limit = 50, offset: Offset = 0,
) -> HTMLResponse:  # fmt: skip
    who = page_principal(principal)
    return _page(
        request, "cycles.html",
        lambda: cycles_data(session, state.pack, who, scheme, status, limit, offset), who,
        {"form": {"scheme": "", "period": ""}, "messages": []},
    )  # fmt: skip


@router.post("/cycles", response_model=None)
def create_cycle(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    scheme: Field = None, period: Field = None,
) -> Response:  # fmt: skip
    who = page_principal(principal)
    return _form_post(
        session, who, Action.prepare_cycle, api.CycleIn, {"scheme": scheme, "period": period},
        lambda body: api.create(session, state.pack, who, body),
        lambda extra, code: _page(
            request, "cycles.html",
            lambda: cycles_data(session, state.pack, who, None, None, 50, 0), who, extra, code,
        ),
        lambda created: f"/cycles/{created.id}",
    )  # fmt: skip


# --- /cycles/{id} -----------------------------------------------------------------


def cycle_data(
    session: SessionDep, pack: Pack, principal: Principal, cycle_id: int,
    payment_status: str | None, limit: int, offset: int,
) -> dict[str, Any]:  # fmt: skip
    if not _may(principal, *api.CYCLE_WORK):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not work on payment cycles")
    cycle = api.read(session, pack, cycle_id)
    payments = api.payments_of(session, principal, cycle_id, payment_status, limit, offset)
    made_by_you = cycle.created_by == principal.username
    return {
        "cycle": _json(cycle),
        "payments": _json(payments),
        "filters": {"status": payment_status or ""},
        "made_by_you": made_by_you,
        "may_approve": cycle.status == "open"
        and allows(principal, Action.approve_cycle)
        and not made_by_you,
        "may_pay": cycle.status == "approved" and allows(principal, Action.pay_cycle),
        "may_close": cycle.status == "paid" and allows(principal, Action.pay_cycle),
    }


@router.get("/cycles/{cycle_id}.json")
def cycle_json(
    cycle_id: int, session: SessionDep, state: StateDep, principal: PrincipalDep,
    status: PaymentStatus | None = None, limit: Limit = 50, offset: Offset = 0,
) -> Any:  # fmt: skip
    return cycle_data(session, state.pack, principal, cycle_id, status, limit, offset)


@router.get("/cycles/{cycle_id}", response_class=HTMLResponse)
def cycle_page(
    request: Request, cycle_id: int, session: SessionDep, state: StateDep,
    principal: MaybePrincipal, status: PaymentStatus | None = None, limit: Limit = 50,
    offset: Offset = 0,
) -> HTMLResponse:  # fmt: skip
    who = page_principal(principal)
    return _page(
        request, "cycle.html",
        lambda: cycle_data(session, state.pack, who, cycle_id, status, limit, offset), who,
        {"messages": []},
    )  # fmt: skip


def _cycle_action(
    request: Request, session: SessionDep, state: StateDep, who: Principal, cycle_id: int,
    act: Callable[[], object],
) -> Response:  # fmt: skip
    try:
        with attempt(session):
            act()
    except Refused as refused:
        return _page(
            request, "cycle.html",
            lambda: cycle_data(session, state.pack, who, cycle_id, None, 50, 0), who,
            {"messages": refused.messages}, refused.code,
        )  # fmt: skip
    return see_other(f"/cycles/{cycle_id}")


def _allowed(who: Principal, action: Action) -> None:
    if not allows(who, action):
        raise forbidden(action)


@router.post("/cycles/{cycle_id}/approve", response_model=None)
def approve_cycle(
    request: Request, cycle_id: int, session: SessionDep, state: StateDep,
    principal: MaybePrincipal,
) -> Response:  # fmt: skip
    who = page_principal(principal)

    def act() -> object:
        _allowed(who, Action.approve_cycle)
        return api.approve(session, state.pack, who, cycle_id)

    return _cycle_action(request, session, state, who, cycle_id, act)


@router.post("/cycles/{cycle_id}/pay", response_model=None)
def pay_cycle(
    request: Request, cycle_id: int, session: SessionDep, state: StateDep,
    principal: MaybePrincipal, paid_on: Field = None,
    failed: Annotated[list[str] | None, Form(max_length=10_000)] = None,
) -> Response:  # fmt: skip
    who = page_principal(principal)

    def act() -> object:
        _allowed(who, Action.pay_cycle)
        body = validated(api.PayIn, {"paid_on": paid_on, "failed": failed or None})
        return api.pay(session, state.pack, who, cycle_id, body)

    return _cycle_action(request, session, state, who, cycle_id, act)


@router.post("/cycles/{cycle_id}/close", response_model=None)
def close_cycle(
    request: Request, cycle_id: int, session: SessionDep, state: StateDep,
    principal: MaybePrincipal,
) -> Response:  # fmt: skip
    who = page_principal(principal)

    def act() -> object:
        _allowed(who, Action.pay_cycle)
        return api.close(session, state.pack, who, cycle_id)

    return _cycle_action(request, session, state, who, cycle_id, act)


# --- /contributions ---------------------------------------------------------------


def contributions_data(
    session: SessionDep, pack: Pack, principal: Principal, *, scheme: str | None,
    period: str | None, district: str | None, owed: str | None, limit: int, offset: int,
) -> dict[str, Any]:  # fmt: skip
    if not allows(principal, Action.record_contributions):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not record contributions")
    page = dues_api.contribution_list(
        session, pack, principal, scheme=scheme or None, period=period or None,
        district=district or None, state=owed or None, limit=limit, offset=offset,
    )  # fmt: skip
    return {
        **_json(page),
        "filters": {
            "scheme": scheme or "",
            "period": period or "",
            "district": district or "",
            "owed": owed or "",
        },
        "schemes": scheme_choices(dues_api.contributory_schemes(pack)),
        "owed_states": list(DuesState.__args__),  # type: ignore[attr-defined]
        "may_record_dues": reach(principal, Action.record_contributions).everywhere,
    }


@router.get("/contributions.json")
def contributions_json(
    session: SessionDep, state: StateDep, principal: PrincipalDep,
    scheme: Annotated[SchemeCode | None, Query()] = None,
    period: Annotated[Month | None, Query()] = None, district: DistrictCode = None,
    owed: DuesState | None = None, limit: Limit = 50, offset: Offset = 0,
) -> Any:  # fmt: skip
    return contributions_data(
        session, state.pack, principal, scheme=scheme, period=period, district=district,
        owed=owed, limit=limit, offset=offset,
    )  # fmt: skip


def _contributions_page(
    request: Request, session: SessionDep, state: StateDep, who: Principal,
    extra: dict[str, Any], code: int = 200, **filters: Any,
) -> HTMLResponse:  # fmt: skip
    chosen = {"scheme": None, "period": None, "district": None, "owed": None, "limit": 50,
              "offset": 0} | filters  # fmt: skip
    base: dict[str, Any] = {"form": {"scheme": "", "period": ""}, "messages": [], "paying": None}
    return _page(
        request, "contributions.html",
        lambda: contributions_data(session, state.pack, who, **chosen), who, base | extra, code,
    )  # fmt: skip


@router.get("/contributions", response_class=HTMLResponse)
def contributions_page(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    scheme: Annotated[SchemeCode | None, Query()] = None,
    period: Annotated[Month | None, Query()] = None, district: DistrictCode = None,
    owed: DuesState | None = None, limit: Limit = 50, offset: Offset = 0,
) -> HTMLResponse:  # fmt: skip
    who = page_principal(principal)
    try:
        return _contributions_page(
            request, session, state, who, {}, scheme=scheme, period=period, district=district,
            owed=owed, limit=limit, offset=offset,
        )  # fmt: skip
    except ValidationFailed as error:
        messages = problems(error.errors)
        return _contributions_page(
            request, session, state, who, {"messages": messages},
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )  # fmt: skip


@router.post("/contributions/dues", response_model=None)
def record_dues(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    scheme: Field = None, period: Field = None,
) -> Response:  # fmt: skip
    who = page_principal(principal)
    return _form_post(
        session, who, Action.record_contributions, dues_api.DuesIn,
        {"scheme": scheme, "period": period},
        lambda body: dues_api.record(session, state.pack, who, body),
        lambda extra, code: _contributions_page(request, session, state, who, extra, code),
        lambda recorded: f"/contributions?scheme={recorded.scheme}&period={recorded.period:%Y-%m}",
    )  # fmt: skip


@router.post("/contributions/{contribution_id}/pay", response_model=None)
def pay_contribution(
    request: Request, contribution_id: int, session: SessionDep, state: StateDep,
    principal: MaybePrincipal, amount: Field = None, paid_on: Field = None,
) -> Response:  # fmt: skip
    who = page_principal(principal)
    try:
        with attempt(session):
            if not allows(who, Action.record_contributions):
                raise forbidden(Action.record_contributions)
            body = validated(dues_api.PaymentIn, {"amount": amount, "paid_on": paid_on})
            dues_api.pay(session, who, contribution_id, body)
    except Refused as refused:
        extra = {"messages": refused.messages, "paying": contribution_id,
                 "pay_form": {"amount": amount or "", "paid_on": paid_on or ""}}  # fmt: skip
        return _contributions_page(request, session, state, who, extra, refused.code)
    return see_other("/contributions")
