"""``--check-eligibility`` for an enrolment list: the rules engine over the households of
the units in the file only, once per distinct start date (not per row).

The test of each scheme is the one ``laosp enrol`` uses (``eligibility.eligibility_test``);
a scheme without a test passes. The rows come back as problems ``scheme: not eligible on
DATE: OUTPUT = VALUE (needs WANTED)``.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from laosp.enrolment.eligibility import eligibility_test
from laosp.enrolment.import_checks import RECORD, UNIT, UNIT_HOUSEHOLD
from laosp.enrolment.import_columns import TABLE
from laosp.enrolment.import_store import CHUNK
from laosp.enrolment.units import read_units
from laosp.models import Household
from laosp.registry.import_columns import PROBLEM_SCHEMA, ROW
from laosp.rules.engine import evaluate
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack


def _frames(session: Session, household_ids: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    persons, households = [], []
    for start in range(0, len(household_ids), CHUNK):
        chunk = household_ids[start : start + CHUNK]
        p, h = read_units(
            session, select(Household.household_id).where(Household.household_id.in_(chunk))
        )
        persons.append(p)
        households.append(h)
    return pl.concat(persons), pl.concat(households)


def _matches(column: pl.Expr, wanted: object) -> pl.Expr:
    if isinstance(wanted, bool):
        return (column == wanted).fill_null(False)
    return (column.cast(pl.String) == str(wanted)).fill_null(False)


def ineligible(session: Session, pack: Pack, rows: pl.DataFrame) -> pl.DataFrame:
    """The problems of the ``rows`` (resolved, with ``UNIT`` and ``UNIT_HOUSEHOLD``)
    whose unit the rules engine finds not eligible at the row's start date."""
    tests = {
        code: test
        for code in rows["scheme"].unique().to_list()
        if (test := eligibility_test(pack.schemes[code])) is not None
    }
    rows = rows.filter(pl.col("scheme").is_in(list(tests)))
    if not rows.height:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    persons, households = _frames(session, rows[UNIT_HOUSEHOLD].unique().sort().to_list())
    found: list[pl.DataFrame] = []
    for (start,), group in rows.group_by("start_date", maintain_order=True):
        wanted_households = group[UNIT_HOUSEHOLD].unique().implode()
        result = evaluate(
            pack,
            persons.filter(pl.col("household_id").is_in(wanted_households)),
            households.filter(pl.col("household_id").is_in(wanted_households)),
            start,
            sorted({tests[code][0] for code in group["scheme"].unique().to_list()}),
        )
        for (code,), of_scheme in group.group_by("scheme"):
            output, wanted = tests[code]
            by_household = pack.schemes[code].unit == HOUSEHOLD
            frame, key = (
                (result.households, "household_id")
                if by_household
                else (result.persons, "person_id")
            )
            values = frame.select(pl.col(key).alias(UNIT), pl.col(output).alias("_value"))
            judged = of_scheme.join(values, on=UNIT, how="left")
            refused = judged.filter(~_matches(pl.col("_value"), wanted))
            found.append(
                refused.select(
                    pl.lit(TABLE).alias("table"),
                    pl.col(ROW).cast(pl.Int64).alias("row"),
                    pl.col(RECORD).alias("record_id"),
                    pl.lit("scheme").alias("field"),
                    pl.col("scheme").alias("value"),
                    pl.format(
                        "not eligible on {}: {} = {} (needs {}) (ບໍ່ມີສິດ)",
                        pl.col("start_date"),
                        pl.lit(output),
                        pl.col("_value").cast(pl.String).fill_null("none"),
                        pl.lit(str(wanted).lower() if isinstance(wanted, bool) else str(wanted)),
                    ).alias("reason"),
                )
            )
    return pl.concat(found).sort("row") if found else pl.DataFrame(schema=PROBLEM_SCHEMA)
