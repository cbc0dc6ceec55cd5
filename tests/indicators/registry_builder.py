"""Hand-built registries for the indicator tests: rows with every column of the tables
(so that the same rows can go to the database) and frames with the snapshot's dtypes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from laosp.indicators.frames import Frames

HOUSEHOLD_SCHEMA: dict[str, Any] = {
    "household_id": pl.String,
    "district_code": pl.String,
    "village_code": pl.String,
    "village_name": pl.String,
    "urban": pl.Boolean,
    "poor": pl.Boolean,
}
PERSON_SCHEMA: dict[str, Any] = {
    "person_id": pl.String,
    "household_id": pl.String,
    "relationship": pl.String,
    "given_name": pl.String,
    "family_name": pl.String,
    "name_key": pl.String,
    "sex": pl.String,
    "birth_date": pl.Date,
    "nationality": pl.String,
    "mother_id": pl.String,
    "pregnant": pl.Boolean,
    "pregnancy_month": pl.Int32,
    "disability": pl.String,
    "employment_status": pl.String,
    "employment_type": pl.String,
    "employer_type": pl.String,
    "formal": pl.Boolean,
    "sector": pl.String,
    "earnings_monthly": pl.Int64,
}
ENROLMENT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "scheme": pl.String,
    "person_id": pl.String,
    "household_id": pl.String,
    "status": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
}
CONTRIBUTION_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "enrolment_id": pl.Int64,
    "period": pl.Date,
    "amount_due": pl.Int64,
    "amount_paid": pl.Int64,
    "paid_on": pl.Date,
}
PAYMENT_SCHEMA: dict[str, Any] = {
    "id": pl.Int64,
    "enrolment_id": pl.Int64,
    "period": pl.Date,
    "amount": pl.Int64,
    "function": pl.String,
    "status": pl.String,
    "paid_on": pl.Date,
}


@dataclass
class RegistryBuilder:
    households: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    enrolments: list[dict[str, Any]] = field(default_factory=list)
    contributions: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)

    def household(
        self,
        household_id: str,
        district_code: str,
        *,
        poor: bool = False,
        urban: bool = False,
        village_name: str | None = None,
    ) -> str:
        self.households.append(
            {
                "household_id": household_id,
                "district_code": district_code,
                "village_code": f"{district_code}001",
                "village_name": village_name or f"Ban {household_id}",
                "urban": urban,
                "poor": poor,
            }
        )
        return household_id

    def person(
        self, person_id: str, household_id: str, sex: str, birth_date: dt.date, **fields: Any
    ) -> str:
        is_head = not any(p["household_id"] == household_id for p in self.persons)
        row: dict[str, Any] = {
            "person_id": person_id,
            "household_id": household_id,
            "relationship": "head" if is_head else "other",
            "given_name": f"Given{person_id}",
            "family_name": "Family",
            "name_key": f"given{person_id.lower()} family",
            "sex": sex,
            "birth_date": birth_date,
            "nationality": "LA",
            "mother_id": None,
            "pregnant": False,
            "pregnancy_month": None,
            "disability": "none",
            "employment_status": "inactive",
            "employment_type": None,
            "employer_type": None,
            "formal": False,
            "sector": None,
            "earnings_monthly": 0,
        }
        unknown = set(fields) - set(row)
        assert not unknown, unknown
        row.update(fields)
        self.persons.append(row)
        return person_id

    def enrol(
        self,
        scheme: str,
        *,
        person: str | None = None,
        household: str | None = None,
        status: str = "active",
        start: dt.date = dt.date(2020, 1, 1),
        end: dt.date | None = None,
    ) -> int:
        enrolment_id = len(self.enrolments) + 1
        self.enrolments.append(
            {
                "id": enrolment_id,
                "scheme": scheme,
                "person_id": person,
                "household_id": household,
                "status": status,
                "start_date": start,
                "end_date": end,
            }
        )
        return enrolment_id

    def contribution(self, enrolment_id: int, paid_on: dt.date | None, amount: int = 100) -> None:
        earlier = sum(c["enrolment_id"] == enrolment_id for c in self.contributions)
        self.contributions.append(
            {
                "id": len(self.contributions) + 1,
                "enrolment_id": enrolment_id,
                # one period per contribution of an enrolment (the ledger's unique key)
                "period": dt.date(2024 + earlier // 12, earlier % 12 + 1, 1),
                "amount_due": 100,
                "amount_paid": amount,
                "paid_on": paid_on,
            }
        )

    def payment(
        self,
        enrolment_id: int,
        function: str,
        paid_on: dt.date | None,
        *,
        status: str = "paid",
    ) -> None:
        self.payments.append(
            {
                "id": len(self.payments) + 1,
                "enrolment_id": enrolment_id,
                "period": dt.date(2024, 1, 1),
                "amount": 1000,
                "function": function,
                "status": status,
                "paid_on": paid_on,
            }
        )

    def frames(self) -> Frames:
        return Frames(
            persons=pl.DataFrame(self.persons, schema=PERSON_SCHEMA, orient="row"),
            households=pl.DataFrame(self.households, schema=HOUSEHOLD_SCHEMA, orient="row"),
            enrolments=pl.DataFrame(self.enrolments, schema=ENROLMENT_SCHEMA, orient="row"),
            contributions=pl.DataFrame(
                self.contributions, schema=CONTRIBUTION_SCHEMA, orient="row"
            ),
            benefit_payments=pl.DataFrame(self.payments, schema=PAYMENT_SCHEMA, orient="row"),
        )


AT = dt.date(2025, 6, 30)


def reference_registry() -> RegistryBuilder:
    """The registry of ``test_engine.py``; its expected values are worked out there."""
    r = RegistryBuilder()
    d = dt.date
    h1 = r.household("H1", "1703", poor=True, village_name="Ban Hinlat")
    h2 = r.household("H2", "0101", urban=True)
    h3 = r.household("H3", "1306", poor=True)
    employed_informal = {"employment_status": "employed", "sector": "agriculture"}
    formal_private = {
        "employment_status": "employed",
        "employment_type": "employee",
        "employer_type": "private",
        "formal": True,
        "sector": "services",
    }
    # H1: a poor household with a CCT, a newborn in the MECG.
    r.person("P1", h1, "M", d(1985, 3, 1), **employed_informal)
    r.person("P2", h1, "F", d(1990, 1, 1))
    r.person("P3", h1, "F", d(2025, 1, 15), mother_id="P2")
    r.person("P4", h1, "M", d(2015, 5, 5))
    r.enrol("cct", household=h1)
    r.enrol("nhi", person="P2")
    r.enrol("nhi", person="P3")
    r.enrol("mecg", person="P3", start=d(2025, 2, 1))
    # H2: urban; a pensioner in several schemes, contributors in and out of the window.
    r.person("P5", h2, "M", d(1960, 1, 1))
    r.person("P6", h2, "F", d(1968, 1, 1))
    r.person("P7", h2, "M", d(1995, 7, 1), **formal_private)
    r.person("P8", h2, "M", d(1992, 2, 2), **formal_private)
    r.person("P9", h2, "F", d(1993, 1, 1), employment_status="employed", sector="services")
    r.person("P10", h2, "M", d(2000, 1, 1), employment_status="unemployed")
    r.person(
        "P16",
        h2,
        "M",
        d(1985, 1, 1),
        employment_status="employed",
        employment_type="employee",
        employer_type="military_police",
        formal=True,
        sector="services",
    )
    pension = r.enrol("nssf_public", person="P5", start=d(1990, 1, 1))
    r.payment(pension, "old_age", d(2025, 6, 1))
    r.enrol("social_pension", person="P5", start=d(2025, 1, 1))
    old = r.enrol("nssf_private", person="P6", status="exited", end=d(2024, 1, 1))
    r.payment(old, "old_age", None, status="scheduled")
    p7 = r.enrol("nssf_private", person="P7")
    r.contribution(p7, d(2025, 5, 10))
    r.contribution(p7, d(2025, 6, 10))
    r.enrol("nhi", person="P7")
    p8 = r.enrol("nssf_private", person="P8")
    r.contribution(p8, d(2024, 6, 30))  # just outside the 12 months
    r.contribution(p8, d(2025, 6, 1), amount=0)  # due, not paid
    p9 = r.enrol("nssf_voluntary", person="P9")
    r.contribution(p9, d(2024, 7, 1))  # just inside
    p10 = r.enrol("nssf_private", person="P10", status="exited", end=d(2024, 8, 1))
    r.payment(p10, "unemployment", d(2024, 7, 1))  # just inside
    # H3: poor, rural; disability, an unemployed person paid too long ago, a mother.
    r.person("P11", h3, "M", d(1980, 6, 30), employment_status="unemployed", disability="severe")
    r.person("P12", h3, "F", d(2010, 1, 1), disability="severe")
    r.person("P13", h3, "M", d(2026, 1, 1), mother_id="P15")  # born after the date
    r.person("P14", h3, "F", d(2024, 7, 1), mother_id="P15")
    r.person("P15", h3, "F", d(2000, 3, 3))
    p11 = r.enrol("nssf_private", person="P11", status="exited", end=d(2024, 7, 1))
    r.payment(p11, "unemployment", d(2024, 6, 30))  # just outside
    r.enrol("disability_allowance", person="P11", start=d(2025, 1, 1))
    r.enrol("cct", household=h3, status="exited", start=d(2025, 1, 1), end=d(2025, 3, 1))
    r.enrol("mecg", person="P15", status="pending", start=d(2025, 6, 1))
    return r
