"""The officer's household pages: a household with what each member receives, is
eligible for and why (and an "Enrol" action per eligible scheme), the list of
enrolments with its approval buttons, and the registration and correction forms.

Each page ``/x`` has its JSON twin ``/x.json``. The forms post with the anti-forgery
field and answer 303 to a page (post/redirect/get); on refused input the form is shown
again with 422 and the API's own messages (the same validation, called here).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from laosp.access.permissions import Action, allows, reach
from laosp.access.roles import Principal
from laosp.api.deps import MaybePrincipal, PrincipalDep, SessionDep, StateDep
from laosp.api.errors import problems, request_errors
from laosp.api.params import IdInPath
from laosp.api.routers import registry as registry_api
from laosp.api.routers.enrolments import (
    BulkIn,
    EnrolIn,
    StatusIn,
    change_status,
    enrol_unit,
    enrolment_page,
)
from laosp.api.routers.enrolments import enrol_eligible as bulk_enrol
from laosp.api.state import AppState
from laosp.enrolment import queries
from laosp.enrolment.transitions import ENROLMENT
from laosp.reference import codes, dictionary
from laosp.reference.admin_units import districts
from laosp.registry import service as registry
from laosp.registry.errors import ConflictError, FieldError, NotFoundError, ValidationFailed
from laosp.registry.schemas import HouseholdWithMembers, PlainText
from laosp.web.views import page_principal, render

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=400), PlainText]
Fields = Annotated[list[str], Form(max_length=120)]
#: member rows of the registration form
MEMBER_ROWS = 5
#: the person fields the correction form edits
EDITED = ("given_name", "family_name", "sex", "birth_date", "relationship")
#: the messages a page shows after a redirect (``?done=...``)
DONE = {
    "enrolled": "enrol_done",
    "approved": "enrol_approved",
    "rejected": "enrol_rejected",
    "registered": "enrol_registered",
    "saved": "enrol_saved",
    "bulk": "enrol_bulk_done",
}


def _district_names(code: str) -> tuple[str, str]:
    for row in districts():
        if row.code == code:
            return row.name_en, row.name_lo
    return code, code


def _schemes(state: AppState) -> list[dict[str, str]]:
    return [
        {"code": s.code, "name_en": s.label("en"), "name_lo": s.label("lo")}
        for s in queries.operational_schemes(state.pack)
    ]


def _done(done: str | None) -> str | None:
    return DONE.get(done or "")


# --- the household page ------------------------------------------------------------------


def household_data(
    session: Session, state: AppState, principal: Principal, household_id: str
) -> dict[str, Any]:
    """The household as ``principal`` may see it (404 outside the area), each member with
    their benefits and the reasons, at today's date."""
    if not allows(principal, Action.read_persons):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "aggregates only for this role")
    detail = registry_api.household_in_area(session, principal, household_id)
    today = dt.date.today()
    benefits = queries.household_benefits(session, state.pack, household_id, today)
    name_en, name_lo = _district_names(detail.district_code)
    members = [
        member.model_dump(mode="json", exclude={"extra"})
        | {"benefits": benefits["members"].get(member.person_id, {})}
        for member in detail.members
    ]
    return {
        "household": detail.model_dump(mode="json", exclude={"extra", "members"})
        | {"members": [m.model_dump(mode="json", exclude={"extra"}) for m in detail.members]},
        "district_name_en": name_en,
        "district_name_lo": name_lo,
        "date": today.isoformat(),
        "members": members,
        "household_benefits": benefits["household"],
        "may_enrol": allows(principal, Action.enrol, detail.district_code),
        "may_correct": allows(principal, Action.register, detail.district_code),
    }


def _household_page(
    request: Request,
    session: Session,
    state: AppState,
    who: Principal,
    household_id: str,
    *,
    messages: list[dict[str, Any]] | None = None,
    done: str | None = None,
    waiting: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    try:
        data = household_data(session, state, who, household_id)
    except HTTPException as error:
        name = "forbidden.html" if error.status_code == 403 else "not_found.html"
        return render(request, name, {}, who, error.status_code)
    data["messages"] = messages or []
    data["done"] = done
    data["waiting"] = waiting
    return render(request, "household.html", data, who, status_code)


@router.get("/household/{household_id}.json")
def household_json(
    session: SessionDep, state: StateDep, principal: PrincipalDep, household_id: IdInPath
) -> Any:
    return household_data(session, state, principal, household_id)


@router.get("/household/{household_id}", response_class=HTMLResponse)
def household(
    request: Request,
    session: SessionDep,
    state: StateDep,
    principal: MaybePrincipal,
    household_id: IdInPath,
    done: Annotated[str | None, Query(max_length=16)] = None,
    waiting: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    who = page_principal(principal)
    return _household_page(
        request, session, state, who, household_id, done=_done(done), waiting=waiting
    )


@router.post("/household/{household_id}/enrol", response_model=None)
def enrol_from_household(
    request: Request,
    session: SessionDep,
    state: StateDep,
    principal: MaybePrincipal,
    household_id: IdInPath,
    scheme: Annotated[str, Form(max_length=32), PlainText],
    unit_id: Annotated[str, Form(max_length=64), PlainText],
) -> Response:
    """Enrol a member (or the household) from its page; 303 back to the page."""
    who = page_principal(principal)
    try:
        _of_household(session, household_id, unit_id)
        with session.begin_nested():  # a refusal leaves nothing written
            made = enrol_unit(session, state.pack, who, EnrolIn(scheme=scheme, unit_id=unit_id))
    except (ValidationFailed, ConflictError, HTTPException) as error:
        code, messages = _refusal(error)
        return _household_page(
            request, session, state, who, household_id, messages=messages, status_code=code
        )
    target = f"/household/{household_id}?{urlencode({'done': 'enrolled', 'enrolment': made.id})}"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


def _of_household(session: Session, household_id: str, unit_id: str) -> None:
    """The page enrols the household or one of its members, no one else."""
    if unit_id == household_id:
        return
    try:
        member = registry.get_person(session, unit_id).household_id == household_id
    except NotFoundError:
        member = False
    if not member:
        reason = f"is not a member of household {household_id}"
        raise ValidationFailed([FieldError("unit_id", unit_id, reason)])


def _refusal(error: Exception) -> tuple[int, list[dict[str, Any]]]:
    """The status and the messages of a refused form, as the API gives them."""
    if isinstance(error, ValidationFailed):
        return status.HTTP_422_UNPROCESSABLE_CONTENT, problems(error.errors)
    if isinstance(error, ConflictError):
        return status.HTTP_409_CONFLICT, [{"field": None, "reason": str(error)}]
    assert isinstance(error, HTTPException)
    return error.status_code, [{"field": None, "reason": str(error.detail)}]


# --- the list of enrolments --------------------------------------------------------------


def _blank(value: str | None) -> str | None:
    return value or None


def enrolments_data(
    session: Session, state: AppState, principal: Principal, *, scheme: str | None,
    status_: str | None, limit: int, offset: int,
) -> dict[str, Any]:  # fmt: skip
    page = enrolment_page(
        session, state.pack, principal, scheme=scheme, status_=status_, district=None,
        province=None, limit=limit, offset=offset,
    )  # fmt: skip
    items = [
        item.model_dump(mode="json")
        | {
            "may_decide": item.status == "pending"
            and item.enrolled_by != principal.username
            and allows(principal, Action.approve_enrolment, item.district_code),
            "district_name_en": _district_names(item.district_code)[0],
            "district_name_lo": _district_names(item.district_code)[1],
        }
        for item in page.items
    ]
    bulk_area = reach(principal, Action.import_enrolments)
    return {
        "items": items,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "scheme": scheme,
        "status": status_,
        "schemes": _schemes(state),
        "statuses": list(ENROLMENT.statuses),
        # the form of a bulk enrolment: the districts where the user may prepare one
        "bulk_districts": [
            {"code": d.code, "name_en": d.name_en, "name_lo": d.name_lo}
            for d in districts()
            if not bulk_area.nowhere and bulk_area.contains(d.code)
        ],
        "today": dt.date.today().isoformat(),
    }


def _pages(path: str, query: dict[str, Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """ "N–M of TOTAL" and the previous/next addresses, the other filters kept."""
    kept = {k: v for k, v in query.items() if v not in (None, "") and k != "offset"}

    def at(start: int) -> str:
        return f"{path}?{urlencode({**kept, 'offset': start} if start else kept)}"

    last = min(offset + limit, total)
    return {
        "first": offset + 1 if last > offset else 0,
        "last": last,
        "previous": at(max(0, offset - limit)) if offset > 0 else None,
        "next": at(offset + limit) if offset + limit < total else None,
    }


Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
SchemeQ = Annotated[str | None, Query(max_length=32), PlainText]
StatusQ = Annotated[str | None, Query(alias="status", max_length=16), PlainText]


@router.get("/enrolments.json")
def enrolments_json(
    session: SessionDep, state: StateDep, principal: PrincipalDep, scheme: SchemeQ = None,
    status_: StatusQ = None, limit: Limit = 50, offset: Offset = 0,
) -> Any:  # fmt: skip
    return enrolments_data(
        session, state, principal, scheme=_blank(scheme), status_=_blank(status_),
        limit=limit, offset=offset,
    )  # fmt: skip


def _enrolments_page(
    request: Request, session: Session, state: AppState, who: Principal, *,
    scheme: str | None, status_: str | None, limit: int, offset: int,
    messages: list[dict[str, Any]] | None = None, done: str | None = None,
    status_code: int = 200, request_id: int | None = None, bulk_none: bool = False,
) -> HTMLResponse:  # fmt: skip
    if not allows(who, Action.read_persons):
        return render(request, "forbidden.html", {}, who, status.HTTP_403_FORBIDDEN)
    try:
        data = enrolments_data(
            session, state, who, scheme=scheme, status_=status_, limit=limit, offset=offset
        )
    except (ValidationFailed, HTTPException) as error:
        code, found = _refusal(error)
        data = enrolments_data(session, state, who, scheme=None, status_=None, limit=limit,
                               offset=0)  # fmt: skip
        messages, status_code = found, code
    query = {"scheme": scheme, "status": status_, "limit": limit if limit != 50 else None}
    data["pages"] = _pages("/enrolments", query, data["total"], limit, offset)
    data["messages"] = messages or []
    data["done"] = done
    data["request_id"] = request_id
    data["bulk_none"] = bulk_none
    return render(request, "enrolments.html", data, who, status_code)


@router.get("/enrolments", response_class=HTMLResponse)
def enrolments(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    scheme: SchemeQ = None, status_: StatusQ = None, limit: Limit = 50, offset: Offset = 0,
    done: Annotated[str | None, Query(max_length=16)] = None,
    request_id: Annotated[int | None, Query(alias="request", ge=1)] = None,
) -> HTMLResponse:  # fmt: skip
    who = page_principal(principal)
    return _enrolments_page(
        request, session, state, who, scheme=_blank(scheme), status_=_blank(status_),
        limit=limit, offset=offset, done=_done(done), request_id=request_id,
    )  # fmt: skip


@router.post("/enrolments/bulk", response_model=None)
def enrol_eligible(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    scheme: Annotated[str, Form(max_length=32), PlainText],
    district: Annotated[str, Form(max_length=4), PlainText],
    date: Annotated[str, Form(max_length=10), PlainText] = "",
) -> Response:  # fmt: skip
    """Prepare the enrolment of everyone eligible and not enrolled in a district (the
    API's bulk request); 303 to the list with the request's number."""
    who = page_principal(principal)
    try:
        body = BulkIn.model_validate({"scheme": scheme, "district": district, "date": date or None})
        with session.begin_nested():  # a refusal leaves nothing written
            answer = bulk_enrol(session, state, who, body)
    except ValidationError as error:
        return _enrolments_page(
            request, session, state, who, scheme=None, status_=None, limit=50, offset=0,
            messages=problems(_as_api_errors(error)),
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )  # fmt: skip
    except (ValidationFailed, ConflictError, HTTPException) as error:
        code, messages = _refusal(error)
        return _enrolments_page(
            request, session, state, who, scheme=None, status_=None, limit=50, offset=0,
            messages=messages, status_code=code,
        )  # fmt: skip
    if isinstance(answer, JSONResponse):  # no one to enrol
        return _enrolments_page(
            request, session, state, who, scheme=None, status_=None, limit=50, offset=0,
            bulk_none=True,
        )  # fmt: skip
    target = f"/enrolments?{urlencode({'done': 'bulk', 'request': answer.request_id})}"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)


@router.post("/enrolments/{enrolment_id}/status", response_model=None)
def decide_enrolment(
    request: Request,
    session: SessionDep,
    state: StateDep,
    principal: MaybePrincipal,
    enrolment_id: int,
    status_: Annotated[str, Form(alias="status", max_length=16), PlainText],
    expected: Annotated[str, Form(max_length=16), PlainText],
    reason: Text = "",
    next_: Annotated[str, Form(alias="next", max_length=2048)] = "/enrolments",
) -> Response:
    """Approve (active) or reject (exited) a pending enrolment, or another legal change;
    303 back to the list (or the page named by ``next``)."""
    who = page_principal(principal)
    try:
        body = StatusIn.model_validate(
            {"status": status_, "expected": expected, "reason": reason or None}
        )
        with session.begin_nested():  # a refusal leaves nothing written
            change_status(session, state.pack, who, enrolment_id, body)
    except ValidationError as error:
        found = _as_api_errors(error)
        return _enrolments_page(
            request, session, state, who, scheme=None, status_=None, limit=50, offset=0,
            messages=problems(found), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )  # fmt: skip
    except (ValidationFailed, ConflictError, HTTPException) as error:
        code, messages = _refusal(error)
        return _enrolments_page(
            request, session, state, who, scheme=None, status_=None, limit=50, offset=0,
            messages=messages, status_code=code,
        )  # fmt: skip
    done = "approved" if status_ == "active" and expected == "pending" else "rejected"
    if (expected, status_) != ("pending", "exited") and done == "rejected":
        done = "saved"
    local = next_.startswith("/") and not next_.startswith("//") and "\\" not in next_
    target = next_ if local else "/enrolments"
    separator = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{separator}done={done}", status.HTTP_303_SEE_OTHER)


def _as_api_errors(error: ValidationError) -> list[FieldError]:
    """A body's findings named and worded as the API names and words them."""
    raw = [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
    return request_errors(RequestValidationError(raw), extra_hint=True)


# --- registration and correction ---------------------------------------------------------


def _choices(field: str, lang_codes: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {
            "code": code,
            "name_en": dictionary.code_label(field, code, "en"),
            "name_lo": dictionary.code_label(field, code, "lo"),
        }
        for code in lang_codes
    ]


def register_data(principal: Principal) -> dict[str, Any]:
    """What the registration form offers: the districts of the officer's area, the
    sexes and relationships by name."""
    area = reach(principal, Action.register)
    return {
        "districts": [
            {"code": d.code, "name_en": d.name_en, "name_lo": d.name_lo}
            for d in districts()
            if area.contains(d.code)
        ],
        "sexes": _choices("sex", codes.SEXES),
        "relationships": _choices("relationship", codes.RELATIONSHIPS),
        "rows": MEMBER_ROWS,
    }


@router.get("/register.json")
def register_json(principal: PrincipalDep) -> Any:
    return register_data(principal)


def _register_page(
    request: Request, who: Principal, sent: dict[str, Any] | None = None,
    messages: list[dict[str, Any]] | None = None, status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    if not allows(who, Action.register):
        return render(request, "forbidden.html", {}, who, status.HTTP_403_FORBIDDEN)
    data = register_data(who) | {"sent": sent or {}, "messages": messages or []}
    return render(request, "register.html", data, who, status_code)


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, principal: MaybePrincipal) -> HTMLResponse:
    return _register_page(request, page_principal(principal))


def _members(form: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The filled rows of the member table (a row without a person id is left out)."""
    rows = []
    for index, person_id in enumerate(form["person_id"]):
        if not person_id.strip():
            continue
        row: dict[str, Any] = {"person_id": person_id.strip()}
        for name in EDITED:
            values = form[name]
            row[name] = values[index].strip() if index < len(values) else ""
        rows.append(row)
    return rows


@router.post("/register", response_model=None)
def register(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    household_id: Annotated[str, Form(max_length=64), PlainText],
    district_code: Annotated[str, Form(max_length=4), PlainText],
    person_id: Fields, given_name: Fields, family_name: Fields, sex: Fields,
    birth_date: Fields, relationship: Fields,
    village_name: Annotated[str, Form(max_length=120), PlainText] = "",
    poor: Annotated[bool, Form()] = False,
) -> Response:  # fmt: skip
    """Register a new household with its members, validated as the API validates it."""
    who = page_principal(principal)
    form = {"person_id": person_id, "given_name": given_name, "family_name": family_name,
            "sex": sex, "birth_date": birth_date, "relationship": relationship}  # fmt: skip
    payload: dict[str, Any] = {
        "household_id": household_id.strip(),
        "district_code": district_code,
        "village_name": village_name.strip() or None,
        "poor": poor,
        "members": _members(form),
    }
    outcome = _save(session, state, who, payload, update=False)
    if isinstance(outcome, list):
        status_code = outcome[0].pop("_status", status.HTTP_422_UNPROCESSABLE_CONTENT)
        return _register_page(request, who, payload, outcome, status_code)
    return RedirectResponse(
        f"/household/{payload['household_id']}?done=registered", status.HTTP_303_SEE_OTHER
    )


def _save(
    session: Session, state: AppState, who: Principal, payload: dict[str, Any], *, update: bool
) -> list[dict[str, Any]] | int | None:
    """Register (or update) through the API's own route: the messages of a refusal
    (the first carries ``_status``), the request id of an identity correction that waits,
    or ``None`` when saved."""
    try:
        body = HouseholdWithMembers.model_validate(payload)
    except ValidationError as error:
        return problems(_as_api_errors(error))
    try:
        with session.begin_nested():  # a refusal leaves nothing written
            outcome = registry_api.add_household(session, state, who, body, update=update)
    except (ValidationFailed, ConflictError, HTTPException) as error:
        code, messages = _refusal(error)
        messages[0]["_status"] = code
        return messages
    if isinstance(outcome, JSONResponse):  # 202: waits for a second person
        pending: dict[str, Any] = json.loads(bytes(outcome.body))
        return int(pending["request_id"])
    return None


def correction_data(session: Session, principal: Principal, person_id: str) -> dict[str, Any]:
    """The person as the officer may see them (404 outside the area) and the choices."""
    found = registry_api.person(person_id, session, principal)
    data = found.model_dump(mode="json", exclude={"extra"})
    return {
        "person": {k: data[k] for k in ("person_id", "household_id", *EDITED)},
        "sexes": _choices("sex", codes.SEXES),
        "relationships": _choices("relationship", codes.RELATIONSHIPS),
    }


@router.get("/person/{person_id}/correct.json")
def correction_json(session: SessionDep, principal: PrincipalDep, person_id: IdInPath) -> Any:
    if not allows(principal, Action.read_persons):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "aggregates only for this role")
    return correction_data(session, principal, person_id)


def _correction_page(
    request: Request, session: Session, who: Principal, person_id: str,
    sent: dict[str, Any] | None = None, messages: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    if not allows(who, Action.register):
        return render(request, "forbidden.html", {}, who, status.HTTP_403_FORBIDDEN)
    try:
        data = correction_data(session, who, person_id)
    except HTTPException as error:
        return render(request, "not_found.html", {}, who, error.status_code)
    if sent:
        data["person"] |= sent
    data["messages"] = messages or []
    return render(request, "correct.html", data, who, status_code)


@router.get("/person/{person_id}/correct", response_class=HTMLResponse)
def correction_form(
    request: Request, session: SessionDep, principal: MaybePrincipal, person_id: IdInPath
) -> HTMLResponse:
    return _correction_page(request, session, page_principal(principal), person_id)


@router.post("/person/{person_id}/correct", response_model=None)
def correct(
    request: Request, session: SessionDep, state: StateDep, principal: MaybePrincipal,
    person_id: IdInPath,
    given_name: Annotated[str, Form(max_length=120), PlainText],
    family_name: Annotated[str, Form(max_length=120), PlainText],
    sex: Annotated[str, Form(max_length=8), PlainText],
    birth_date: Annotated[str, Form(max_length=10), PlainText],
    relationship: Annotated[str, Form(max_length=16), PlainText],
) -> Response:  # fmt: skip
    """Change a person's fields through the API's update of their household: a change of
    identity (names, sex, birth date) waits for another user's approval."""
    who = page_principal(principal)
    sent = {"given_name": given_name.strip(), "family_name": family_name.strip(), "sex": sex,
            "birth_date": birth_date.strip(), "relationship": relationship}  # fmt: skip
    try:
        registry_api.person(person_id, session, who)  # 404 outside the area
        current = registry.get_person(session, person_id)
        home = registry.get_household(session, current.household_id)
    except (HTTPException, NotFoundError):
        return render(request, "not_found.html", {}, who, status.HTTP_404_NOT_FOUND)
    payload = home.model_dump(mode="json", exclude={"province_code"})
    payload["members"] = [
        {**member, **sent} if member["person_id"] == person_id else member
        for member in payload["members"]
    ]
    outcome = _save(session, state, who, payload, update=True)
    if isinstance(outcome, list):
        status_code = outcome[0].pop("_status", status.HTTP_422_UNPROCESSABLE_CONTENT)
        return _correction_page(request, session, who, person_id, sent, outcome, status_code)
    target = f"/household/{home.household_id}?done=saved"
    if isinstance(outcome, int):
        target = f"/household/{home.household_id}?waiting={outcome}"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER)
