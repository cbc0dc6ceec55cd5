"""Contributions for the last 12 months, payment cycles and benefit payments.

The window is the 12 whole months before the reference month. Contributions: one row
per member and month contributed for (none after an exit or a suspension); about 5 % of
months are missed, and a few members are in arrears for the last three months. Benefits:
a cycle per scheme and payment interval of the pack (``Pack.payment_every_months``:
monthly for pensions and the CCT, every two months for MECG in the Lao pack); a CCT
household with a
member not meeting the conditions gets its last two payments cancelled.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from laosp.rules.pack import Pack

MISSED_MONTH = 0.05
ARREARS_MEMBERS = 0.03
FAILED_PAYMENT = 0.015


def months_before(at: dt.date, count: int = 12) -> list[dt.date]:
    """First days of the ``count`` whole months before the month of ``at``."""
    first = at.replace(day=1)
    out = []
    for back in range(count, 0, -1):
        index = first.year * 12 + first.month - 1 - back
        out.append(dt.date(index // 12, index % 12 + 1, 1))
    return out


def _next_month(period: pl.Expr) -> pl.Expr:
    return period.dt.offset_by("1mo")


def make_contributions(
    rng: np.random.Generator, enrolments: pl.DataFrame, at: dt.date
) -> pl.DataFrame:
    members = enrolments.filter(pl.col("kind") == "contribution").select(
        "id", "start_date", "end_date", "stops", "monthly"
    )
    members = members.with_columns(arrears=pl.Series(rng.random(members.height) < ARREARS_MEMBERS))
    periods = pl.DataFrame({"period": months_before(at), "k": np.arange(12)})
    rows = members.join(periods, how="cross").filter(
        (pl.col("period") >= pl.col("start_date").dt.truncate("1mo"))
        & (pl.col("end_date").is_null() | (pl.col("period") <= pl.col("end_date")))
        & (pl.col("stops").is_null() | (pl.col("period") < pl.col("stops")))
    )
    n = rows.height
    paid_on = _next_month(pl.col("period")) + pl.duration(
        days=pl.lit(pl.Series(rng.integers(0, 25, n)))
    )
    paid = (
        pl.Series(rng.random(n) >= MISSED_MONTH)
        & ~(pl.col("arrears") & (pl.col("k") >= 9))
        & (paid_on <= pl.lit(at))
    )
    return rows.select(
        enrolment_id=pl.col("id"),
        period=pl.col("period"),
        amount_due=pl.col("monthly"),
        amount_paid=pl.when(paid).then(pl.col("monthly")).otherwise(0),
        paid_on=pl.when(paid).then(paid_on),
    )


def make_cycles(enrolments: pl.DataFrame, at: dt.date, pack: Pack) -> pl.DataFrame:
    """One cycle per benefit scheme and payment interval of the window: the pack's
    ``payment_every_months`` of the scheme at ``at`` (a cycle of two months starts in
    January, March, ...)."""
    periods = months_before(at)
    schemes = sorted(enrolments.filter(pl.col("kind") == "benefit")["scheme"].unique().to_list())
    rows: list[dict[str, object]] = []
    for scheme in schemes:  # a handful of schemes x 12 months
        entry = pack.schemes.get(scheme)
        step = pack.payment_every_months(entry, at) if entry is not None else 1
        starts = [p for p in periods if (p.month - 1) % step == 0]
        for start in starts:
            index = start.year * 12 + start.month - 1 + step
            end = dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)
            code = f"SYN-{start:%Y-%m}" + (f"+{step}" if step > 1 else "")
            rows.append({"scheme": scheme, "code": code, "period_start": start, "period_end": end,
                         "status": "paid" if end < at else "open"})  # fmt: skip
    return (
        pl.DataFrame(
            rows,
            schema={
                "scheme": pl.String,
                "code": pl.String,
                "period_start": pl.Date,
                "period_end": pl.Date,
                "status": pl.String,
            },
        )
        .with_row_index("id", offset=1)
        .with_columns(pl.col("id").cast(pl.Int64))
    )


def make_payments(
    rng: np.random.Generator, enrolments: pl.DataFrame, cycles: pl.DataFrame, at: dt.date
) -> pl.DataFrame:
    """Benefit payments: one per enrolment, cycle and function, for the months of the
    cycle in which the enrolment was open."""
    benefits = enrolments.filter(pl.col("kind") == "benefit").select(
        "id", "scheme", "start_date", "end_date", "stops", "monthly", "function", "benefit_from"
    )
    months = pl.DataFrame({"month": months_before(at)})
    months = months.join(
        cycles.select("scheme", "period_start", "period_end", cycle_id="id"), how="cross"
    ).filter(pl.col("month").is_between(pl.col("period_start"), pl.col("period_end")))
    open_from = pl.max_horizontal(
        pl.col("start_date").dt.truncate("1mo"),
        pl.col("benefit_from")
        .dt.truncate("1mo")
        .fill_null(pl.col("start_date").dt.truncate("1mo")),
    )
    covered = benefits.join(months, on="scheme").filter(
        (pl.col("month") >= open_from)
        & (pl.col("end_date").is_null() | (pl.col("month") <= pl.col("end_date")))
    )
    grouped = covered.group_by("id", "cycle_id", maintain_order=True).agg(
        pl.col("month").min().alias("period"),
        pl.len().alias("months"),
        pl.col("monthly").first(),
        pl.col("function").first(),
        pl.col("stops").first(),
        pl.col("period_end").first(),
    )
    n = grouped.height
    paid_on = pl.col("period_end") + pl.duration(days=pl.lit(pl.Series(rng.integers(1, 11, n))))
    cancelled = pl.col("stops").is_not_null() & (
        pl.col("period") >= pl.col("stops").dt.truncate("1mo")
    )
    failed = pl.Series(rng.random(n) < FAILED_PAYMENT)
    status = (
        pl.when(cancelled)
        .then(pl.lit("cancelled"))
        .when(failed)
        .then(pl.lit("failed"))
        .when(paid_on <= pl.lit(at))
        .then(pl.lit("paid"))
        .otherwise(pl.lit("scheduled"))
    )
    return grouped.with_columns(status=status, paid_on=paid_on).select(
        enrolment_id=pl.col("id"),
        cycle_id=pl.col("cycle_id"),
        period=pl.col("period"),
        # a cancelled payment keeps its amount, as the ledger's reconciliation expects
        amount=pl.col("monthly") * pl.col("months"),
        function=pl.col("function"),
        status=pl.col("status"),
        paid_on=pl.when(pl.col("status") == "paid").then(pl.col("paid_on")),
    )
