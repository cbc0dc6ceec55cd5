"""The NHI, social security and MECG rules written for OpenFisca, for a peer comparison.

Coded fields are given to OpenFisca as small integers (cheaper for it than its Enums or
strings), so the comparison is conservative.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Household = build_entity(
    key="household",
    plural="households",
    label="Household",
    roles=[{"key": "member", "plural": "members", "label": "Member"}],
)
Person = build_entity(key="person", plural="persons", label="Person", is_person=True)

CEILING, MIN_DECLARED, EXEMPT_AGE = 12_500_000, 1_200_000, 5
COPAY_OPD = np.array([5000, 10000, 15000, 20000])
COPAY_IPD = np.array([5000, 10000, 20000, 30000])
MECG_DISTRICTS = (1703, 1705, 1306)


def _input(name: str, kind: type, entity: Any) -> type[Variable]:
    return type(
        name,
        (Variable,),
        {"value_type": kind, "entity": entity, "definition_period": DateUnit.MONTH, "label": name},
    )


def _formula(name: str, kind: type, entity: Any, fn: Any) -> type[Variable]:
    return type(
        name,
        (Variable,),
        {
            "value_type": kind,
            "entity": entity,
            "definition_period": DateUnit.MONTH,
            "label": name,
            "formula": fn,
        },
    )


INPUTS = {  # name: (type, entity)
    "nationality_la": (bool, Person),
    "employment_status": (int, Person),
    "employment_type": (int, Person),
    "employer_type": (int, Person),
    "formal": (bool, Person),
    "earnings_monthly": (float, Person),
    "declared_income_monthly": (float, Person),
    "age": (int, Person),
    "age_months": (int, Person),
    "pregnant": (bool, Person),
    "pregnancy_month": (int, Person),
    "monk": (bool, Person),
    "facility_level": (int, Person),
    "poor": (bool, Household),
    "district_code": (int, Household),
}


def _rules() -> list[type[Variable]]:
    def covered(p: Any, period: Any, _: Any) -> Any:
        return p("nationality_la", period) * (p("employer_type", period) != 3)

    def exempt(p: Any, period: Any, _: Any) -> Any:
        poor = p.household("poor", period)
        return p("nhi_covered", period) * (
            poor + p("pregnant", period) + (p("age", period) < EXEMPT_AGE) + p("monk", period)
        )

    def copay_opd(p: Any, period: Any, _: Any) -> Any:
        pays = p("nhi_covered", period) * np.logical_not(p("nhi_copay_exempt", period))
        return pays * COPAY_OPD[p("facility_level", period)]

    def scheme(p: Any, period: Any, _: Any) -> Any:  # 1 private, 2 public, 3 voluntary, 0
        employed = p("employment_status", period) == 0
        employee = employed * (p("employment_type", period) == 0)
        employer = p("employer_type", period)
        age = p("age", period)
        return np.select(
            [
                employee * (employer == 1) * p("formal", period),
                employee * ((employer == 2) + (employer == 3)),
                employed * (age >= 15) * (age <= 60),
            ],
            [1, 2, 3],
            0,
        )

    def insured(p: Any, period: Any, _: Any) -> Any:
        s = p("nssf_scheme", period)
        declared = p("declared_income_monthly", period)
        return np.select(
            [(s == 1) + (s == 2), (s == 3) * (declared > 0)],
            [
                np.minimum(p("earnings_monthly", period), CEILING),
                np.clip(declared, MIN_DECLARED, CEILING),
            ],
            0,
        )

    def employee_part(p: Any, period: Any, _: Any) -> Any:
        s = p("nssf_scheme", period)
        rate = np.select([s == 1, s == 2, s == 3], [0.055, 0.08, 0.09], 0)
        return np.floor(p("nssf_insured_earnings", period) * rate + 0.5)

    def employer_part(p: Any, period: Any, _: Any) -> Any:
        s = p("nssf_scheme", period)
        rate = np.select([s == 1, s == 2], [0.06, 0.085], 0)
        return np.floor(p("nssf_insured_earnings", period) * rate + 0.5)

    def total(p: Any, period: Any, _: Any) -> Any:
        return p("nssf_contribution_employee", period) + p("nssf_contribution_employer", period)

    def household_total(h: Any, period: Any, _: Any) -> Any:
        return h.sum(h.members("nssf_contribution_total", period))

    def mecg_eligible(p: Any, period: Any, _: Any) -> Any:
        district = p.household("district_code", period)
        pilot = np.isin(district, MECG_DISTRICTS)
        return pilot * (
            (p("pregnant", period) * (p("pregnancy_month", period) >= 4))
            + (p("age_months", period) < 12)
        )

    def mecg_benefit(p: Any, period: Any, _: Any) -> Any:
        return p("mecg_eligible", period) * 150000

    def mecg_household(h: Any, period: Any, _: Any) -> Any:
        return h.sum(h.members("mecg_benefit_monthly", period))

    return [
        _formula("nhi_covered", bool, Person, covered),
        _formula("nhi_copay_exempt", bool, Person, exempt),
        _formula("nhi_copay_opd", float, Person, copay_opd),
        _formula("nssf_scheme", int, Person, scheme),
        _formula("nssf_insured_earnings", float, Person, insured),
        _formula("nssf_contribution_employee", float, Person, employee_part),
        _formula("nssf_contribution_employer", float, Person, employer_part),
        _formula("nssf_contribution_total", float, Person, total),
        _formula("nssf_household_total", float, Household, household_total),
        _formula("mecg_eligible", bool, Person, mecg_eligible),
        _formula("mecg_benefit_monthly", float, Person, mecg_benefit),
        _formula("mecg_household_benefit", float, Household, mecg_household),
    ]


OUTPUTS = (
    "nhi_copay_opd",
    "nssf_household_total",
    "mecg_household_benefit",
    "nssf_contribution_total",
    "mecg_benefit_monthly",
)


def system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Person, Household])
    for name, (kind, entity) in INPUTS.items():
        tbs.add_variable(_input(name, kind, entity))
    for variable in _rules():
        tbs.add_variable(variable)
    return tbs


def _codes(series: pl.Series, codes: list[str]) -> np.ndarray:
    """Small integers for OpenFisca: the position in ``codes`` (9 for anything else); an
    enum column is mapped through its categories, without reading text per row."""
    if isinstance(series.dtype, pl.Enum):
        categories = series.dtype.categories.to_list()
        table = np.array([codes.index(c) if c in codes else 9 for c in categories] + [9])
        mapped: np.ndarray = table[series.to_physical().fill_null(len(categories)).to_numpy()]
        return mapped
    return series.replace_strict(codes, list(range(len(codes))), default=9).to_numpy()


def run(
    tbs: TaxBenefitSystem, persons: pl.DataFrame, households: pl.DataFrame, at: dt.date
) -> dict[str, np.ndarray]:
    """Build the simulation from the frames and compute the outputs."""
    period = f"{at.year}-{at.month:02d}"
    birth = persons["birth_date"]
    year, month = birth.dt.year().cast(pl.Int32), birth.dt.month().cast(pl.Int32)
    day = birth.dt.day().cast(pl.Int32)
    years = at.year - year - ((month * 100 + day) > at.month * 100 + at.day).cast(pl.Int32)
    months = (at.year - year) * 12 + (at.month - month) - (day > at.day).cast(pl.Int32)
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("person", persons["person_id"].to_list())
    group = builder.declare_entity("household", households["household_id"].to_list())
    builder.join_with_persons(
        group, persons["household_id"].to_numpy(), np.array(["member"] * persons.height)
    )
    simulation = builder.build(tbs)
    values = {
        "nationality_la": (persons["nationality"] == "LA").to_numpy(),
        "employment_status": _codes(
            persons["employment_status"], ["employed", "unemployed", "inactive"]
        ),
        "employment_type": _codes(persons["employment_type"].fill_null(""), ["employee"]),
        "employer_type": _codes(
            persons["employer_type"].fill_null(""), ["", "private", "public", "military_police"]
        ),
        "formal": persons["formal"].to_numpy(),
        "earnings_monthly": persons["earnings_monthly"].to_numpy().astype(float),
        "declared_income_monthly": persons["declared_income_monthly"].to_numpy().astype(float),
        "age": years.to_numpy(),
        "age_months": months.to_numpy(),
        "pregnant": persons["pregnant"].to_numpy(),
        "pregnancy_month": persons["pregnancy_month"].fill_null(0).to_numpy(),
        "monk": persons["monk"].to_numpy(),
        "facility_level": _codes(
            persons["facility_level"], ["health_centre", "district", "provincial", "central"]
        ),
        "poor": households["poor"].to_numpy(),
        "district_code": households["district_code"].cast(pl.Int64).to_numpy(),
    }
    for name, array in values.items():
        simulation.set_input(name, period, array)
    return {name: simulation.calculate(name, period) for name in OUTPUTS}
