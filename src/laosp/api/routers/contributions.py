"""Contributions: record a month's dues of a contributory scheme, record a payment
against them, list them (in your area, names only where you read persons).

Recording a month's dues covers every member of the scheme in the country, so it needs
``record_contributions`` with national reach; a payment is recorded by an officer of the
member's district (or province, or a national one). A contribution outside your area
answers 404, as if it did not exist. A payment adds to the amount paid only if no one
recorded another meanwhile (compare-and-set in ``laosp.ledger.contributions``: 409).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from laosp.access.permissions import Action, allows, reach
from laosp.access.roles import Principal
from laosp.api.deps import SessionDep, StateDep, allowed_to
from laosp.api.errors import documented
from laosp.api.params import DistrictCode
from laosp.api.routers.cycles import (
    Limit,
    Month,
    Offset,
    SchemeCode,
    district_name,
    known_scheme,
    refusals,
)
from laosp.enrolment import districts
from laosp.ledger import contributions, listing
from laosp.ledger.periods import parse_period
from laosp.models import Contribution
from laosp.registry.schemas import IsoDate
from laosp.registry.service import record_read
from laosp.rules.pack import Pack, Scheme

router = APIRouter(
    prefix="/api/contributions", tags=["contributions"], responses=documented(401, 403, 422)
)

RecorderDep = Annotated[Principal, allowed_to(Action.record_contributions)]
DuesState = Literal["unpaid", "partial", "paid"]
assert set(DuesState.__args__) == set(listing.DUES_STATES)  # type: ignore[attr-defined]
NATIONAL_ONLY = (
    "a month's dues are recorded for every member in the country: a national officer "
    "records them / ການບັນທຶກເງິນສົມທົບປະຈຳເດືອນກວມທົ່ວປະເທດ: ຕ້ອງແມ່ນພະນັກງານສູນກາງ"
)


def contributory_schemes(pack: Pack) -> list[Scheme]:
    """The schemes whose members pay dues, in operation."""
    return [
        s
        for s in pack.schemes.values()
        if s.kind == "contributory" and s.contribution is not None and s.status != "proposed"
    ]


class DuesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: SchemeCode = Field(description="code of a contributory scheme (nssf_private, ...)")
    period: Month = Field(description="the month, YYYY-MM")


class DuesOut(BaseModel):
    scheme: str
    period: dt.date
    recorded: int = Field(description="members whose dues were recorded now")
    total: int = Field(description="kip due from them")
    already: int = Field(description="members whose dues were recorded before")


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int = Field(gt=0, le=10**12, description="kip paid (whole kip)")
    paid_on: IsoDate | None = Field(None, description="YYYY-MM-DD, default today")


class ContributionOut(BaseModel):
    id: int
    enrolment_id: int
    scheme: str
    person_id: str | None
    household_id: str | None
    name: str | None
    masked: bool
    district_code: str
    district_name_en: str
    district_name_lo: str
    period: dt.date
    amount_due: int
    amount_paid: int
    owed: int
    paid_on: dt.date | None


class ContributionPage(BaseModel):
    items: list[ContributionOut]
    total: int
    limit: int
    offset: int
    amount_due: int = Field(description="kip due over every contribution the filters select")
    amount_paid: int


def record(session: SessionDep, pack: Pack, principal: Principal, body: DuesIn) -> DuesOut:
    if not reach(principal, Action.record_contributions).everywhere:
        raise HTTPException(status.HTTP_403_FORBIDDEN, NATIONAL_ONLY)
    outcome = contributions.record_dues(
        session, pack, scheme=body.scheme, period=parse_period(body.period),
        actor=principal.username, today=dt.date.today(),
    )  # fmt: skip
    return DuesOut(
        scheme=outcome.scheme, period=outcome.period, recorded=outcome.recorded,
        total=outcome.total, already=outcome.already,
    )  # fmt: skip


def pay(
    session: SessionDep, principal: Principal, contribution_id: int, body: PaymentIn
) -> ContributionOut:
    row = session.get(Contribution, contribution_id)
    missing = HTTPException(status.HTTP_404_NOT_FOUND, f"no contribution {contribution_id}")
    if row is None:
        raise missing
    district = districts.of_enrolment(session, row.enrolment_id)
    if district is None or not allows(principal, Action.record_contributions, district):
        raise missing
    today = dt.date.today()
    with refusals():
        contributions.pay_contribution(
            session, enrolment_id=row.enrolment_id, period=row.period, amount=body.amount,
            paid_on=body.paid_on or today, actor=principal.username, today=today,
        )  # fmt: skip
    page, _, _ = listing.list_contributions(
        session, reach(principal, Action.record_contributions), scheme=None, period=row.period,
        district=district, state=None, limit=1, offset=0, contribution_id=contribution_id,
    )  # fmt: skip
    return shown_rows(session, principal, page).pop()


def shown_rows(
    session: SessionDep, principal: Principal, page: listing.Page
) -> list[ContributionOut]:
    out, named = [], []
    for row in page.items:
        shown = allows(principal, Action.read_persons, row["district_code"])
        if shown:
            named.append(row["person_id"])
        out.append(
            ContributionOut(
                id=row["id"],
                enrolment_id=row["enrolment_id"],
                scheme=row["scheme"],
                person_id=row["person_id"] if shown else None,
                household_id=row["household_id"] if shown else None,
                name=f"{row['given_name']} {row['family_name']}" if shown else None,
                masked=not shown,
                district_code=row["district_code"],
                district_name_en=district_name(row["district_code"])[0],
                district_name_lo=district_name(row["district_code"])[1],
                period=row["period"],
                amount_due=row["amount_due"],
                amount_paid=row["amount_paid"],
                owed=row["amount_due"] - row["amount_paid"],
                paid_on=row["paid_on"],
            )
        )
    if named:
        record_read(session, principal, "contribution", named, None)
    return out


def contribution_list(
    session: SessionDep, pack: Pack, principal: Principal, *, scheme: str | None,
    period: str | None, district: str | None, state: str | None, limit: int, offset: int,
) -> ContributionPage:  # fmt: skip
    area = reach(principal, Action.record_contributions)
    if district is not None and not area.contains(district):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "outside your area / ຢູ່ນອກເຂດຂອງທ່ານ")
    month = parse_period(period) if period else None
    page, due, paid = listing.list_contributions(
        session, area, scheme=known_scheme(pack, scheme), period=month, district=district,
        state=state or None, limit=limit, offset=offset,
    )  # fmt: skip
    return ContributionPage(
        items=shown_rows(session, principal, page), total=page.total, limit=limit, offset=offset,
        amount_due=due, amount_paid=paid,
    )  # fmt: skip


@router.post("/dues", response_model=DuesOut, responses=documented(400, 409, 413))
def record_dues(
    body: DuesIn, principal: RecorderDep, session: SessionDep, state: StateDep
) -> DuesOut:
    """Record the month's dues of every active member of a contributory scheme
    (national officers; recording the month again adds only the members missing)."""
    return record(session, state.pack, principal, body)


@router.post(
    "/{contribution_id}/pay",
    response_model=ContributionOut,
    responses=documented(400, 404, 409, 413),
)
def pay_contribution(
    contribution_id: int, body: PaymentIn, principal: RecorderDep, session: SessionDep
) -> ContributionOut:
    """Record a payment (possibly partial) against a month's dues; more than is still
    owed is refused (422)."""
    return pay(session, principal, contribution_id, body)


@router.get("", response_model=ContributionPage)
def list_contributions(
    principal: RecorderDep,
    session: SessionDep,
    state: StateDep,
    scheme: Annotated[SchemeCode | None, Query()] = None,
    period: Annotated[Month | None, Query(description="YYYY-MM")] = None,
    district: DistrictCode = None,
    owed: Annotated[DuesState | None, Query(description="unpaid, partial or paid")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ContributionPage:
    """Contributions in your area, newest month first, with the amounts due and paid of
    all those the filters select."""
    return contribution_list(
        session, state.pack, principal, scheme=scheme, period=period, district=district,
        state=owed, limit=limit, offset=offset,
    )  # fmt: skip
