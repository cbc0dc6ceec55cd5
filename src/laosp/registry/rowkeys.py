"""Integer row keys between the registry frames.

The snapshot (``laosp.registry.snapshot``) attaches them once at load: persons get
``household_row`` (their household's row in the households frame), enrolments get
``person_row`` and ``household_row``. The rules engine and the indicators then match
persons to households and facts to persons with array gathers instead of hash joins on
text ids. Frames built by hand carry no keys and the readers fall back to the joins.

A key is only trusted after a check that the ids it points at are the ids of the row
(one gather and one comparison, several times cheaper than the join): a frame filtered
or re-sorted after loading gets the join again, never a wrong match.
"""

from __future__ import annotations

import polars as pl

HOUSEHOLD_ROW = "household_row"
PERSON_ROW = "person_row"
ROW_KEYS = (HOUSEHOLD_ROW, PERSON_ROW)
ROW_DTYPE = pl.UInt32()


def row_index(frame: pl.DataFrame, key: str, target: pl.DataFrame, target_key: str) -> pl.Series:
    """For each row of ``frame``, the row of ``target`` whose ``target_key`` equals its
    ``key`` (null when there is none); ``target_key`` must be unique.

    Registers list a household's members together, so the keys come in runs: when they
    do, only the first key of each run is matched (often the runs are exactly the target's
    rows in order, checked in one comparison) and the rows are spread over the runs,
    instead of hashing every text key."""
    keys = frame.get_column(key)
    column = pl.col(key)
    starts = frame.select(
        column.ne_missing(column.shift(1)) | (pl.int_range(pl.len()) == 0)
    ).to_series()
    firsts = keys.filter(starts)
    if firsts.len() * RUN_GAIN > keys.len():
        return _join_rows(keys, target, target_key)
    runs = keys.rle_id()  # the run of each row, as numbered by ``starts``
    if firsts.null_count() == 0 and firsts.equals(target.get_column(target_key), check_names=False):
        return runs
    return _join_rows(firsts, target, target_key).gather(runs)


#: Match the runs, not the rows, when the rows are at least this many times the runs.
RUN_GAIN = 2


def _join_rows(keys: pl.Series, target: pl.DataFrame, target_key: str) -> pl.Series:
    return (
        keys.alias("__key")
        .to_frame()
        .join(
            target.select(pl.col(target_key).alias("__key")).with_row_index("__row"),
            on="__key",
            how="left",
            maintain_order="left",
        )
        .get_column("__row")
        .cast(ROW_DTYPE)
    )


def trusted(
    frame: pl.DataFrame, row: str, key: str, target: pl.DataFrame, target_key: str
) -> pl.Series | None:
    """``frame[row]`` if it gives, for every row, the ``target`` row with the same id (and
    null only where the id is null or absent from ``target``); else ``None``."""
    if row not in frame.columns or key not in frame.columns:
        return None
    keys = frame[row]
    if keys.dtype != ROW_DTYPE:
        return None
    if frame.height == 0:
        return keys
    top = keys.max()
    if top is not None and int(top) >= target.height:  # type: ignore[arg-type]
        return None
    ids = frame[key]
    missing = keys.is_null()
    same = (target[target_key].gather(keys) == ids).fill_null(False)
    if not bool((same | missing).all()):
        return None
    orphans = ids.filter(missing).drop_nulls()
    if orphans.len() and bool(orphans.is_in(target[target_key].implode()).any()):
        return None
    return keys


def household_rows(persons: pl.DataFrame, households: pl.DataFrame) -> pl.Series:
    """Each person's row in ``households`` (null for an unknown household): the attached
    ``household_row`` when it checks out, else a join on ``household_id``."""
    keys = trusted(persons, HOUSEHOLD_ROW, "household_id", households, "household_id")
    if keys is None:
        keys = row_index(persons, "household_id", households, "household_id")
    return keys.alias(HOUSEHOLD_ROW)


def person_rows(facts: pl.DataFrame, persons: pl.DataFrame) -> pl.Series:
    """Each fact's row in ``persons`` by ``person_id`` (``person_row`` when it checks out)."""
    keys = trusted(facts, PERSON_ROW, "person_id", persons, "person_id")
    if keys is None:
        keys = row_index(facts, "person_id", persons, "person_id")
    return keys.alias(PERSON_ROW)


def fact_household_rows(facts: pl.DataFrame, households: pl.DataFrame) -> pl.Series:
    """Each fact's row in ``households`` by ``household_id``."""
    keys = trusted(facts, HOUSEHOLD_ROW, "household_id", households, "household_id")
    if keys is None:
        keys = row_index(facts, "household_id", households, "household_id")
    return keys.alias(HOUSEHOLD_ROW)
