"""Grievances: open, list (the queue and the overdue list), assign, escalate, resolve,
reject; the categories and escalation levels of the pack.

Each change is checked against the permission table (``open_grievance`` /
``handle_grievance``) in the grievance's district; a grievance outside the caller's area
answers 404 and is never listed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from laosp.access.permissions import Action, Forbidden
from laosp.access.roles import Principal
from laosp.api.deps import PrincipalDep, SessionDep, StateDep, allowed_to
from laosp.api.errors import documented
from laosp.api.params import DistrictCode
from laosp.enrolment.transitions import TransitionRefused
from laosp.grievances import service
from laosp.models import Grievance
from laosp.reference import codes
from laosp.registry.errors import FieldError, NotFoundError, ValidationFailed
from laosp.registry.schemas import PlainText
from laosp.registry.service import record_read
from laosp.rules.pack import Pack

router = APIRouter(prefix="/api/grievances", tags=["grievances"], responses=documented(401))


def _status(value: str) -> str:
    if value not in codes.GRIEVANCE_STATUSES:
        raise ValueError(f"must be one of {', '.join(codes.GRIEVANCE_STATUSES)}")
    return value


Status = Annotated[str, Query(max_length=10), AfterValidator(_status)]
Text = Annotated[str, StringConstraints(max_length=4000), PlainText]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64), PlainText]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]
OpenerDep = Annotated[Principal, allowed_to(Action.open_grievance)]
HandlerDep = Annotated[Principal, allowed_to(Action.handle_grievance)]


class Named(BaseModel):
    code: str
    name: str
    name_lo: str


class CategoryOut(Named):
    days: int | None


class Policy(BaseModel):
    categories: list[CategoryOut]
    levels: list[Named]


class GrievanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: Annotated[str, StringConstraints(max_length=40), PlainText]
    description: Text
    person_id: Id | None = None
    household_id: Id | None = None
    scheme: Annotated[str, StringConstraints(max_length=32), PlainText] | None = None
    #: The date the grievance was received (default today; not in the future).
    received_on: dt.date | None = None


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assigned_to: Annotated[str, StringConstraints(min_length=1, max_length=64), PlainText]
    on: dt.date | None = None


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: dt.date | None = None


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: Text
    on: dt.date | None = None


class GrievanceOut(BaseModel):
    id: int
    person_id: str | None
    household_id: str | None
    district_code: str | None
    scheme: str | None
    category: str
    category_name: str
    category_name_lo: str
    description: str
    status: str
    opened_on: dt.date
    due_on: dt.date | None
    overdue: bool
    days_overdue: int
    assigned_to: str | None
    escalation_level: str
    level_name: str
    level_name_lo: str
    escalated_on: dt.date | None
    closed_on: dt.date | None
    resolution: str | None

    @classmethod
    def of(
        cls, grievance: Grievance, district: str | None, pack: Pack, today: dt.date
    ) -> GrievanceOut:
        policy = pack.grievances
        category = policy.categories.get(grievance.category)
        levels = policy.levels
        level = (
            levels[grievance.escalation_level] if grievance.escalation_level < len(levels) else None
        )
        over = service.days_overdue(grievance, today)
        return cls(
            id=grievance.id, person_id=grievance.person_id, household_id=grievance.household_id,
            district_code=district, scheme=grievance.scheme, category=grievance.category,
            category_name=category.name if category else grievance.category,
            category_name_lo=category.name_lo if category else grievance.category,
            description=grievance.description, status=grievance.status,
            opened_on=grievance.opened_on, due_on=grievance.due_on,
            overdue=grievance.due_on is not None and over > 0, days_overdue=over,
            assigned_to=grievance.assigned_to,
            escalation_level=level.code if level else str(grievance.escalation_level),
            level_name=level.name if level else "", level_name_lo=level.name_lo if level else "",
            escalated_on=grievance.escalated_on, closed_on=grievance.closed_on,
            resolution=grievance.resolution,
        )  # fmt: skip


class GrievancePage(BaseModel):
    items: list[GrievanceOut]
    total: int
    limit: int
    offset: int


@contextmanager
def answered() -> Iterator[None]:
    """The services' refusals as HTTP answers (422 and 409 have their own handlers)."""
    try:
        yield
    except NotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except Forbidden as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    except TransitionRefused as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None


def policy_of(pack: Pack, today: dt.date) -> Policy:
    policy = pack.grievances
    return Policy(
        categories=[
            CategoryOut(code=c.code, name=c.name, name_lo=c.name_lo, days=c.days_at(today))
            for c in policy.categories.values()
        ],
        levels=[Named(code=lv.code, name=lv.name, name_lo=lv.name_lo) for lv in policy.levels],
    )


@router.get("/categories", response_model=Policy)
def categories(state: StateDep, _principal: PrincipalDep) -> Policy:
    """The categories (with the days each may stay unresolved today) and the escalation
    levels of the policy pack, in English and Lao."""
    return policy_of(state.pack, dt.date.today())


def filters_of(
    pack: Pack,
    principal: Principal,
    *,
    status: str | None,
    category: str | None,
    district: str | None,
    overdue: bool,
    mine: bool,
    household: str | None = None,
) -> service.Filters:
    """The queue's filters; an unknown category is a 422 naming it."""
    if category is not None and category not in pack.grievances.categories:
        known = ", ".join(pack.grievances.categories)
        raise ValidationFailed([FieldError("category", category, f"must be one of {known}")])
    return service.Filters(
        status=status, category=category, district=district,
        overdue_on=dt.date.today() if overdue else None,
        assigned_to=principal.username if mine else None, household_id=household,
    )  # fmt: skip


def page_of(
    session: SessionDep, pack: Pack, principal: Principal, filters: service.Filters, limit: int,
    offset: int,
) -> GrievancePage:  # fmt: skip
    today = dt.date.today()
    rows, total = service.queue(session, principal, filters, limit=limit, offset=offset)
    items = [GrievanceOut.of(g, district, pack, today) for g, district in rows]
    if items:  # a grievance names a person and what happened to them: its reading is audited
        record_read(
            session, principal, "grievance", [str(item.id) for item in items], filters.district
        )
    return GrievancePage(items=items, total=total, limit=limit, offset=offset)


@router.get("", response_model=GrievancePage, responses=documented(403, 422))
def listed(
    session: SessionDep,
    state: StateDep,
    principal: OpenerDep,
    status: Status | None = None,
    category: Annotated[str, Query(max_length=40), PlainText] | None = None,
    district: DistrictCode = None,
    overdue: bool = False,
    mine: bool = False,
    household: Annotated[str, Query(max_length=64), PlainText] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> GrievancePage:
    """The grievances of your area, most overdue first; ``overdue`` only those past
    their due date and not closed, ``mine`` only those assigned to you, ``household``
    only those about that household or one of its members."""
    filters = filters_of(
        state.pack, principal, status=status, category=category, district=district,
        overdue=overdue, mine=mine, household=household,
    )  # fmt: skip
    return page_of(session, state.pack, principal, filters, limit, offset)


def opened(session: SessionDep, pack: Pack, principal: Principal, body: GrievanceIn) -> Grievance:
    today = dt.date.today()
    with answered():
        return service.open_for(
            session, pack, principal, today=today, category=body.category,
            description=body.description, on=body.received_on or today,
            person_id=body.person_id, household_id=body.household_id, scheme=body.scheme,
        )  # fmt: skip


@router.post(
    "",
    response_model=GrievanceOut,
    status_code=status.HTTP_201_CREATED,
    responses=documented(400, 403, 413, 422),
)
def open_one(
    body: GrievanceIn, session: SessionDep, state: StateDep, principal: OpenerDep
) -> GrievanceOut:
    """Open a grievance about a person or household of your area, received on
    ``received_on`` (today or before: a grievance received earlier may be overdue at once)."""
    grievance = opened(session, state.pack, principal, body)
    return shown(session, state.pack, principal, grievance.id)


def shown(session: SessionDep, pack: Pack, principal: Principal, grievance_id: int) -> GrievanceOut:
    with answered():
        grievance = service.grievance_for(session, principal, grievance_id)
    district = service.district_of(session, grievance_id)
    return GrievanceOut.of(grievance, district, pack, dt.date.today())


def read(session: SessionDep, pack: Pack, principal: Principal, grievance_id: int) -> GrievanceOut:
    """One grievance for reading: it names a person and what happened to them, so the
    reading is audited (an action's answer is not: the action is)."""
    answer = shown(session, pack, principal, grievance_id)
    record_read(session, principal, "grievance", str(grievance_id), answer.district_code)
    return answer


@router.get("/{grievance_id}", response_model=GrievanceOut, responses=documented(403, 404))
def one(
    grievance_id: int, session: SessionDep, state: StateDep, principal: OpenerDep
) -> GrievanceOut:
    return read(session, state.pack, principal, grievance_id)


def act(
    session: SessionDep, pack: Pack, principal: Principal, grievance_id: int, action: str,
    body: Any,
) -> Grievance:  # fmt: skip
    """Assign, escalate, resolve or reject (the pages post the same)."""
    today = dt.date.today()
    with answered():
        if action == "assign":
            return service.assign(
                session, principal, grievance_id, body.assigned_to, on=body.on or today,
                today=today,
            )  # fmt: skip
        if action == "escalate":
            return service.escalate(
                session, pack, principal, grievance_id, on=body.on or today, today=today
            )
        return service.decide(
            session, principal, grievance_id, "resolved" if action == "resolve" else "rejected",
            on=body.on or today, resolution=body.resolution, today=today,
        )  # fmt: skip


ACTION_ERRORS = documented(400, 403, 404, 409, 413, 422)


@router.post("/{grievance_id}/assign", response_model=GrievanceOut, responses=ACTION_ERRORS)
def assign(
    grievance_id: int, body: Assignment, session: SessionDep, state: StateDep,
    principal: HandlerDep,
) -> GrievanceOut:  # fmt: skip
    """Assign it to a user who may handle grievances in its district."""
    act(session, state.pack, principal, grievance_id, "assign", body)
    return shown(session, state.pack, principal, grievance_id)


@router.post("/{grievance_id}/escalate", response_model=GrievanceOut, responses=ACTION_ERRORS)
def escalate(
    grievance_id: int, session: SessionDep, state: StateDep, principal: HandlerDep,
    body: Escalation | None = None,
) -> GrievanceOut:  # fmt: skip
    """Escalate it to the next level (its assignee is cleared)."""
    act(session, state.pack, principal, grievance_id, "escalate", body or Escalation())
    return shown(session, state.pack, principal, grievance_id)


def _decision_route(action: str) -> None:
    """``POST /{grievance_id}/{action}`` (resolve or reject): the decision, then the
    grievance as it is now (the route named ``action``, as a function of that name)."""

    @router.post(
        f"/{{grievance_id}}/{action}", response_model=GrievanceOut, responses=ACTION_ERRORS,
        name=action,
    )  # fmt: skip
    def decide(
        grievance_id: int, body: Decision, session: SessionDep, state: StateDep,
        principal: HandlerDep,
    ) -> GrievanceOut:  # fmt: skip
        act(session, state.pack, principal, grievance_id, action, body)
        return shown(session, state.pack, principal, grievance_id)


_decision_route("resolve")
_decision_route("reject")
