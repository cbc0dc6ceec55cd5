"""The calibration report: each target beside the value achieved in the database, read
with SQL aggregates (no rows leave the database), and a pass/fail per target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, Engine, bindparam, select, text

from laosp.models import AuditEvent
from laosp.reference.admin_units import provinces
from laosp.synth.targets import TARGETS, Target

NSSF = "('nssf_private', 'nssf_public', 'nssf_voluntary')"
PERSONS_SQL = """
SELECT count(*) AS persons,
  sum(CASE WHEN sex = 'F' THEN 1 ELSE 0 END) AS female,
  sum(CASE WHEN birth_date > :d15 THEN 1 ELSE 0 END) AS age_0_14,
  sum(CASE WHEN birth_date <= :d65 THEN 1 ELSE 0 END) AS age_65,
  sum(CASE WHEN birth_date > :d1 THEN 1 ELSE 0 END) AS infants,
  sum(CASE WHEN pregnant THEN 1 ELSE 0 END) AS pregnant,
  sum(CASE WHEN disability = 'severe' THEN 1 ELSE 0 END) AS severe,
  sum(CASE WHEN monk AND sex = 'F' THEN 1 ELSE 0 END) AS female_monks,
  sum(CASE WHEN employment_status = 'employed' THEN 1 ELSE 0 END) AS employed,
  sum(CASE WHEN employment_status = 'unemployed' THEN 1 ELSE 0 END) AS unemployed,
  sum(CASE WHEN employment_status = 'employed' AND sector = 'agriculture' THEN 1 ELSE 0 END)
    AS agriculture,
  sum(CASE WHEN employment_status = 'employed' AND sector = 'industry' THEN 1 ELSE 0 END)
    AS industry,
  sum(CASE WHEN employment_status = 'employed' AND sector = 'services' THEN 1 ELSE 0 END)
    AS services,
  sum(CASE WHEN employment_status = 'employed' AND formal
      AND employment_type IN ('employer', 'own_account') THEN 1 ELSE 0 END) AS formal_enterprise
FROM persons
"""
PROVINCES_SQL = """
SELECT substr(h.district_code, 1, 2) AS province, count(*) AS persons,
  sum(CASE WHEN h.urban THEN 1 ELSE 0 END) AS urban,
  sum(CASE WHEN h.poor THEN 1 ELSE 0 END) AS poor
FROM persons p JOIN households h ON h.household_id = p.household_id
GROUP BY substr(h.district_code, 1, 2)
"""
HOUSEHOLDS_SQL = "SELECT count(*), count(DISTINCT district_code) FROM households"
INSURED_SQL = f"""
SELECT count(DISTINCT person_id),
  count(DISTINCT CASE WHEN scheme = 'nssf_voluntary' THEN person_id END)
FROM enrolments WHERE status = 'active' AND scheme IN {NSSF}
"""
INSURED_EMPLOYEES_SQL = """
SELECT count(DISTINCT e.person_id) FROM enrolments e JOIN persons p ON p.person_id = e.person_id
WHERE e.status = 'active' AND e.scheme IN ('nssf_private', 'nssf_public')
  AND p.employment_status = 'employed' AND p.employment_type = 'employee'
"""
PENSIONERS_SQL = """
SELECT count(DISTINCT e.person_id),
  count(DISTINCT CASE WHEN substr(h.district_code, 1, 2) = '01' THEN e.person_id END)
FROM benefit_payments b JOIN enrolments e ON e.id = b.enrolment_id
  JOIN persons p ON p.person_id = e.person_id JOIN households h ON h.household_id = p.household_id
WHERE b.function = 'old_age' AND b.status = 'paid' AND b.paid_on > :d1
"""
NHI_SQL = (
    "SELECT count(DISTINCT person_id) FROM enrolments WHERE scheme = 'nhi' AND status = 'active'"
)


@dataclass(frozen=True)
class Result:
    target: Target
    expected: float
    achieved: float

    @property
    def ok(self) -> bool:
        gap = abs(self.achieved - self.expected)
        if self.target.kind == "share":
            return gap <= self.target.tolerance + 1e-12
        return gap <= self.target.tolerance * abs(self.expected) + 1e-9


def last_run(engine: Engine) -> dict[str, Any] | None:
    """Settings of the newest ``laosp synth`` run recorded in the audit trail."""
    with engine.connect() as connection:
        changes = connection.execute(
            select(AuditEvent.changes)
            .where(AuditEvent.action == "synthesise")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    return dict(changes) if changes else None


def _years_before(at: dt.date, years: int) -> dt.date:
    try:
        return at.replace(year=at.year - years)
    except ValueError:  # 29 February
        return at.replace(year=at.year - years, day=28)


def measure(engine: Engine, at: dt.date) -> dict[str, float]:
    """The achieved value of every target key."""
    dates = {"d15": _years_before(at, 15), "d65": _years_before(at, 65), "d1": _years_before(at, 1)}

    def query(sql: str) -> Any:
        statement = text(sql)
        used = [name for name in dates if f":{name}" in sql]
        statement = statement.bindparams(*(bindparam(name, type_=Date) for name in used))
        return connection.execute(statement, {name: dates[name] for name in used})

    with engine.connect() as connection:
        p = query(PERSONS_SQL).mappings().one()
        by_province = query(PROVINCES_SQL).all()
        households, districts = query(HOUSEHOLDS_SQL).one()
        insured, voluntary = query(INSURED_SQL).one()
        insured_employees = query(INSURED_EMPLOYEES_SQL).scalar_one()
        pensioners, capital = query(PENSIONERS_SQL).one()
        nhi = query(NHI_SQL).scalar_one()
    n = int(p["persons"] or 0)
    employed = int(p["employed"] or 0)
    census = {row.code: row.population_2015 for row in provinces()}
    census_total = sum(census.values())
    counted = {row[0]: int(row[1]) for row in by_province}
    gap = max(
        abs(counted.get(code, 0) / max(n, 1) - c / census_total) for code, c in census.items()
    )

    def share(value: Any, total: int) -> float:
        return float(value or 0) / total if total else 0.0

    return {
        "persons": n,
        "households": int(households),
        "household_size": share(n, int(households)),
        "districts": int(districts),
        "province_share_gap": gap,
        "age_0_14": share(p["age_0_14"], n),
        "age_15_64": 1 - share(p["age_0_14"], n) - share(p["age_65"], n),
        "age_65": share(p["age_65"], n),
        "female": share(p["female"], n),
        "urban": share(sum(int(r[2]) for r in by_province), n),
        "poor": share(sum(int(r[3]) for r in by_province), n),
        "employed": employed,
        "unemployed": int(p["unemployed"] or 0),
        "agriculture": share(p["agriculture"], employed),
        "industry": share(p["industry"], employed),
        "services": share(p["services"], employed),
        "informal": 1 - share(int(insured_employees) + int(p["formal_enterprise"] or 0), employed),
        "insured": int(insured),
        "insured_voluntary": int(voluntary),
        "infants": int(p["infants"] or 0),
        "pregnant": int(p["pregnant"] or 0),
        "severe_disability": share(p["severe"], n),
        "pensioners": int(pensioners),
        "pensioners_capital": share(capital, int(pensioners)),
        "nhi": share(nhi, n),
        "female_monks": int(p["female_monks"] or 0),
    }


def calibration(engine: Engine, scale: float, at: dt.date) -> list[Result]:
    achieved = measure(engine, at)
    return [
        Result(
            target=t,
            expected=t.value * scale if t.kind == "count" else t.value,
            achieved=float(achieved[t.key]),
        )
        for t in TARGETS
    ]
