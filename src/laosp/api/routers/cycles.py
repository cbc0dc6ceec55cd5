"""Benefit payment cycles: create, list, read, approve (another user), pay, close.

Preparing, approving and paying a cycle are national work (``prepare_cycle``,
``approve_cycle``, ``pay_cycle`` of the permission table); the one who prepared a cycle
never approves it (403). Every move is a compare-and-set in ``laosp.ledger.cycles``: a
cycle paid twice is refused the second time (409) and nothing changes. A payment names
its person only to a reader of persons in that district; the others see the amount.
The dashboard's pages call the functions here, so that both answer alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from laosp.access.permissions import Action, Forbidden, allows
from laosp.access.roles import Principal
from laosp.api.deps import PrincipalDep, SessionDep, StateDep, allowed_to, forbidden
from laosp.api.errors import documented
from laosp.enrolment.transitions import TransitionRefused
from laosp.ledger import cycles, listing
from laosp.ledger.periods import parse_period
from laosp.reference.admin_units import districts
from laosp.reference.codes import CYCLE_STATUSES, PAYMENT_STATUSES
from laosp.registry.errors import FieldError, NotFoundError, ValidationFailed
from laosp.registry.schemas import IsoDate, PlainText
from laosp.registry.service import record_read
from laosp.rules.pack import Pack, Scheme

router = APIRouter(prefix="/api/cycles", tags=["cycles"], responses=documented(401, 403, 422))

#: Who may read cycles: whoever prepares, approves or pays them.
CYCLE_WORK = (Action.prepare_cycle, Action.approve_cycle, Action.pay_cycle)
MAX_LIMIT = 500
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]
SchemeCode = Annotated[str, StringConstraints(min_length=1, max_length=32), PlainText]
Month = Annotated[str, StringConstraints(min_length=1, max_length=16), PlainText]
CycleStatus = Literal["open", "approved", "paid", "closed"]
PaymentStatus = Literal["scheduled", "paid", "failed", "cancelled"]
assert set(CycleStatus.__args__) == set(CYCLE_STATUSES)  # type: ignore[attr-defined]
assert set(PaymentStatus.__args__) == set(PAYMENT_STATUSES)  # type: ignore[attr-defined]


def paying_schemes(pack: Pack) -> list[Scheme]:
    """The schemes a cycle can be created for: cash schemes in operation."""
    return [
        s
        for s in pack.schemes.values()
        if "cash" in s.kind and s.amount is not None and s.status != "proposed"
    ]


def known_scheme(pack: Pack, code: str | None, field: str = "scheme") -> str | None:
    """A scheme filter: ``None``, or a code of the pack (422 otherwise, with the codes)."""
    if code is None or code == "":
        return None
    if code not in pack.schemes:
        known = ", ".join(sorted(pack.schemes))
        raise ValidationFailed([FieldError(field, code, f"is not a scheme of the pack ({known})")])
    return code


@cache
def _district_names() -> dict[str, tuple[str, str]]:
    return {row.code: (row.name_en, row.name_lo) for row in districts()}


def district_name(code: str | None) -> tuple[str, str]:
    """The district's names in English and Lao (the code when it is unknown)."""
    return _district_names().get(code or "", (code or "?", code or "?"))


@contextmanager
def refusals() -> Iterator[None]:
    """The services' refusals as HTTP answers: 403 (role, area, maker approving their
    own work), 404 (no such cycle or payment), 409 (a move the status does not allow)."""
    try:
        yield
    except Forbidden as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from None
    except NotFoundError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    except TransitionRefused as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"{error} (ສະຖານະປັດຈຸບັນ {error.current!r} ບໍ່ອະນຸຍາດໃຫ້ປ່ຽນເປັນ {error.requested!r})",
        ) from None


def cycle_reader(principal: PrincipalDep) -> Principal:
    if not any(allows(principal, action) for action in CYCLE_WORK):
        raise forbidden(Action.prepare_cycle)
    return principal


CycleReaderDep = Annotated[Principal, Depends(cycle_reader)]
PreparerDep = Annotated[Principal, allowed_to(Action.prepare_cycle)]
ApproverDep = Annotated[Principal, allowed_to(Action.approve_cycle)]
PayerDep = Annotated[Principal, allowed_to(Action.pay_cycle)]


class CycleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: SchemeCode = Field(description="code of a cash scheme of the pack (mecg, cct)")
    period: Month = Field(description="the first month of the cycle, YYYY-MM")


class PayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paid_on: IsoDate | None = Field(None, description="YYYY-MM-DD, default today")
    failed: list[Annotated[int, Field(ge=1)]] = Field(
        default_factory=list, max_length=100_000, description="payment ids that failed"
    )


class CycleOut(BaseModel):
    id: int
    scheme: str
    scheme_name_en: str
    scheme_name_lo: str
    code: str
    period_start: dt.date
    period_end: dt.date
    status: str
    created_by: str | None
    approved_by: str | None
    payments: int
    total: int

    @classmethod
    def of(cls, pack: Pack, row: listing.CycleSummary) -> CycleOut:
        scheme = pack.schemes.get(row.scheme)
        return cls(
            id=row.id, scheme=row.scheme,
            scheme_name_en=scheme.label("en") if scheme else row.scheme,
            scheme_name_lo=scheme.label("lo") if scheme else row.scheme,
            code=row.code, period_start=row.period_start, period_end=row.period_end,
            status=row.status, created_by=row.created_by, approved_by=row.approved_by,
            payments=row.payments, total=row.total,
        )  # fmt: skip


class CreatedOut(CycleOut):
    created: bool


class CyclePage(BaseModel):
    items: list[CycleOut]
    total: int
    limit: int
    offset: int


class Amounts(BaseModel):
    payments: int
    scheduled: int
    paid: int
    failed: int
    cancelled: int
    outstanding: int


class DistrictAmounts(Amounts):
    district_code: str
    name_en: str
    name_lo: str


class CycleDetailOut(CycleOut):
    counts: dict[str, int] = Field(description="payments in each payment status")
    amounts: Amounts
    districts: list[DistrictAmounts]
    balanced: bool
    problems: list[str]


class PaymentOut(BaseModel):
    id: int
    enrolment_id: int
    person_id: str | None
    household_id: str | None
    name: str | None
    masked: bool = Field(description="the person is outside what you may read: no name")
    district_code: str | None
    district_name_en: str
    district_name_lo: str
    period: dt.date
    amount: int
    function: str
    status: str
    paid_on: dt.date | None


class PaymentPage(BaseModel):
    items: list[PaymentOut]
    total: int
    limit: int
    offset: int


def detail_of(pack: Pack, detail: listing.CycleDetail) -> CycleDetailOut:
    books = detail.books
    rows = []
    for code, totals in books.districts.items():
        name_en, name_lo = district_name(code)
        rows.append(
            DistrictAmounts(district_code=code, name_en=name_en, name_lo=name_lo, **vars(totals))
        )
    return CycleDetailOut(
        **CycleOut.of(pack, detail.cycle).model_dump(),
        counts=detail.counts,
        amounts=Amounts(**vars(books.total)),
        districts=rows,
        balanced=books.balanced,
        problems=books.problems,
    )


# --- the operations, shared with the pages ------------------------------------------


def create(session: SessionDep, pack: Pack, principal: Principal, body: CycleIn) -> CreatedOut:
    """Create (or find, unchanged) the cycle of ``body``."""
    period = parse_period(body.period)
    with refusals():
        outcome = cycles.create_cycle(
            session, pack, scheme=body.scheme, period=period, actor=principal.username,
            today=dt.date.today(),
        )  # fmt: skip
    detail = read(session, pack, outcome.cycle_id)
    return CreatedOut(
        **detail.model_dump(include=set(CycleOut.model_fields)), created=outcome.created
    )


def read(session: SessionDep, pack: Pack, cycle_id: int) -> CycleDetailOut:
    with refusals():
        return detail_of(pack, listing.cycle_detail(session, cycle_id))


def approve(session: SessionDep, pack: Pack, principal: Principal, cycle_id: int) -> CycleDetailOut:
    with refusals():
        cycles.approve_cycle(session, cycle_id, checker=principal)
    return read(session, pack, cycle_id)


def pay(
    session: SessionDep, pack: Pack, principal: Principal, cycle_id: int, body: PayIn
) -> CycleDetailOut:
    today = dt.date.today()
    with refusals():
        cycles.pay_cycle(
            session, cycle_id, paid_on=body.paid_on or today, failed=body.failed,
            actor=principal.username, today=today,
        )  # fmt: skip
    return read(session, pack, cycle_id)


def close(session: SessionDep, pack: Pack, principal: Principal, cycle_id: int) -> CycleDetailOut:
    with refusals():
        cycles.close_cycle(session, cycle_id, actor=principal.username)
    return read(session, pack, cycle_id)


def cycle_list(
    session: SessionDep, pack: Pack, scheme: str | None, cycle_status: str | None, limit: int,
    offset: int,
) -> CyclePage:  # fmt: skip
    rows, total = listing.list_cycles(
        session, scheme=known_scheme(pack, scheme), status=cycle_status or None, limit=limit,
        offset=offset,
    )  # fmt: skip
    return CyclePage(items=[CycleOut.of(pack, row) for row in rows], total=total, limit=limit,
                     offset=offset)  # fmt: skip


def payments_of(
    session: SessionDep, principal: Principal, cycle_id: int, payment_status: str | None,
    limit: int, offset: int,
) -> PaymentPage:  # fmt: skip
    """A page of a cycle's payments; names only where ``principal`` reads persons (the
    read of named payments is audited)."""
    with refusals():
        page = listing.cycle_payments(
            session, cycle_id, status=payment_status or None, limit=limit, offset=offset
        )
    items, named = [], []
    for row in page.items:
        shown = row["district_code"] is not None and allows(
            principal, Action.read_persons, row["district_code"]
        )
        if shown:
            named.append(row["person_id"] or row["household_id"])
        name = f"{row['given_name']} {row['family_name']}" if row["given_name"] else None
        items.append(
            PaymentOut(
                id=row["id"],
                enrolment_id=row["enrolment_id"],
                person_id=row["person_id"] if shown else None,
                household_id=row["household_id"] if shown else None,
                name=name if shown else None,
                masked=not shown,
                district_code=row["district_code"],
                district_name_en=district_name(row["district_code"])[0],
                district_name_lo=district_name(row["district_code"])[1],
                period=row["period"],
                amount=row["amount"],
                function=row["function"],
                status=row["status"],
                paid_on=row["paid_on"],
            )
        )
    if named:
        record_read(session, principal, "benefit_payment", named, None,
                    details={"cycle": cycle_id})  # fmt: skip
    return PaymentPage(items=items, total=page.total, limit=limit, offset=offset)


# --- routes -------------------------------------------------------------------------


@router.post(
    "",
    response_model=CreatedOut,
    status_code=status.HTTP_201_CREATED,
    responses=documented(400, 409, 413),
)
def create_cycle(
    body: CycleIn, principal: PreparerDep, session: SessionDep, state: StateDep, response: Response
) -> CreatedOut:
    """Create the cycle of a cash scheme starting in ``period`` (201), its payments from
    the rules engine; the same cycle asked again is answered unchanged (200)."""
    out = create(session, state.pack, principal, body)
    if not out.created:
        response.status_code = status.HTTP_200_OK
    return out


@router.get("", response_model=CyclePage)
def list_cycles(
    _principal: CycleReaderDep,
    session: SessionDep,
    state: StateDep,
    scheme: Annotated[SchemeCode | None, Query()] = None,
    status: CycleStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CyclePage:
    """Cycles, newest first, with their number of payments and amount (kip)."""
    return cycle_list(session, state.pack, scheme, status, limit, offset)


@router.get("/{cycle_id}", response_model=CycleDetailOut, responses=documented(404))
def get_cycle(
    cycle_id: int, _principal: CycleReaderDep, session: SessionDep, state: StateDep
) -> CycleDetailOut:
    """A cycle: payments counted by status, amounts by status and by district."""
    return read(session, state.pack, cycle_id)


@router.get("/{cycle_id}/payments", response_model=PaymentPage, responses=documented(404))
def list_payments(
    cycle_id: int,
    principal: CycleReaderDep,
    session: SessionDep,
    status: PaymentStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PaymentPage:
    """The payments of a cycle, a page at a time (names where you may read persons)."""
    return payments_of(session, principal, cycle_id, status, limit, offset)


@router.post("/{cycle_id}/approve", response_model=CycleDetailOut, responses=documented(404, 409))
def approve_cycle(
    cycle_id: int, principal: ApproverDep, session: SessionDep, state: StateDep
) -> CycleDetailOut:
    """Approve an open cycle prepared by another user (never your own: 403)."""
    return approve(session, state.pack, principal, cycle_id)


@router.post(
    "/{cycle_id}/pay", response_model=CycleDetailOut, responses=documented(400, 404, 409, 413)
)
def pay_cycle(
    cycle_id: int,
    principal: PayerDep,
    session: SessionDep,
    state: StateDep,
    body: PayIn | None = None,
) -> CycleDetailOut:
    """Pay an approved cycle on ``paid_on``: every scheduled payment paid, except the
    ``failed`` ones; a cycle already paid is refused (409) and nothing changes."""
    return pay(session, state.pack, principal, cycle_id, body or PayIn())


@router.post("/{cycle_id}/close", response_model=CycleDetailOut, responses=documented(404, 409))
def close_cycle(
    cycle_id: int, principal: PayerDep, session: SessionDep, state: StateDep
) -> CycleDetailOut:
    """Close a paid cycle whose books balance."""
    return close(session, state.pack, principal, cycle_id)
