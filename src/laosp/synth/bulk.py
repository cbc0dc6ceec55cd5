"""What both bulk loaders of a synthetic population share (``load_sqlite``,
``load_postgres``): the tables in load order, the chunk size, the deletes that remove a
synthetic population (recognised by its ``SYN-`` identifiers, children first), the id
offsets and the timing of each step."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import polars as pl

PREFIX = "SYN-"
TABLES = (
    "households", "persons", "enrolments", "payment_cycles", "contributions", "benefit_payments",
)  # fmt: skip
CHUNK = 200_000

Advance = Callable[[str, int], None]
log = logging.getLogger("laosp.synth")


@contextmanager
def phase(what: str) -> Iterator[None]:
    """Log the seconds a step of the load took (``laosp.synth`` logger, INFO)."""
    start = time.perf_counter()
    yield
    log.info("%-26s %7.1f s", what, time.perf_counter() - start)


_OURS = f"(person_id LIKE '{PREFIX}%' OR household_id LIKE '{PREFIX}%')"
DELETES = (
    f"DELETE FROM benefit_payments WHERE enrolment_id IN (SELECT id FROM enrolments WHERE {_OURS})",
    f"DELETE FROM contributions WHERE enrolment_id IN (SELECT id FROM enrolments WHERE {_OURS})",
    f"DELETE FROM enrolments WHERE {_OURS}",
    f"DELETE FROM payment_cycles WHERE code LIKE '{PREFIX}%'",
    f"DELETE FROM persons WHERE {_OURS}",
    f"DELETE FROM households WHERE household_id LIKE '{PREFIX}%'",
)


def offset_ids(table: str, frame: pl.DataFrame, enrolment: int, cycle: int) -> pl.DataFrame:
    """Shift the generator's local ids past the ids already in the database."""
    if table == "enrolments":
        return frame.with_columns(pl.col("id") + enrolment)
    if table == "payment_cycles":
        return frame.with_columns(pl.col("id") + cycle)
    if table == "contributions":
        return frame.with_columns(pl.col("enrolment_id") + enrolment)
    if table == "benefit_payments":
        return frame.with_columns(pl.col("enrolment_id") + enrolment, pl.col("cycle_id") + cycle)
    return frame
