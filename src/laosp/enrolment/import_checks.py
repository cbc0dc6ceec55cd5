"""The checks of an enrolment list on whole columns (Polars joins and expressions, no loop
over rows): which registered unit each row names, the scheme and its unit, dates, rows
repeated in the file, and how each row compares with the enrolments registered already.

A problem is a row of the registry importer's problems frame
(``laosp.registry.import_columns.PROBLEM_SCHEMA``); every reason is in English and Lao.
"""

from __future__ import annotations

import polars as pl

from laosp.enrolment.import_columns import problems
from laosp.enrolment.transitions import ENROLMENT, OPEN_ENROLMENT
from laosp.registry.import_columns import ROW
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack

UNIT = "_unit_id"  # the registered person or household the row enrols
UNIT_HOUSEHOLD = "_unit_household"  # that unit's household
RECORD = "_record"  # the id shown in the report
#: "current>requested" for every legal move of the transition table
LEGAL_MOVES = sorted(f"{a}>{b}" for a, after in ENROLMENT.moves.items() for b in after)
#: what may follow each status, in words
FOLLOWERS = {
    status: f"'{status}' may only become {' or '.join(sorted(after))}"
    if after
    else f"'{status}' is final"
    for status, after in ENROLMENT.moves.items()
}


def _first(*checks: tuple[pl.Expr, pl.Expr | str]) -> pl.Expr:
    """The reason of the first check whose condition holds (a text or an expression,
    as ``import_columns.first_reason`` with reasons that name values), else null."""
    return pl.coalesce(
        *(
            pl.when(bad).then(pl.lit(reason) if isinstance(reason, str) else reason)
            for bad, reason in checks
        )
    )


def _schemes(pack: Pack) -> pl.DataFrame:
    schemes = list(pack.schemes.values())
    return pl.DataFrame(
        {
            "scheme": [s.code for s in schemes],
            "_unit": [s.unit for s in schemes],
            "_proposed": [s.status == "proposed" for s in schemes],
        },
        schema={"scheme": pl.String, "_unit": pl.String, "_proposed": pl.Boolean},
    )


def resolve_units(
    typed: pl.DataFrame,
    pack: Pack,
    by_person_id: pl.DataFrame,
    by_national_id: pl.DataFrame,
    households: pl.Series,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(frame, problems)``: ``typed`` with ``UNIT``, ``UNIT_HOUSEHOLD`` and ``RECORD``,
    and the problems of the unit, scheme, date and repetition checks.

    A ``person_id`` wins: a ``national_id`` given with it must not disagree (the registry
    holds another national id for that person, or the national id is another person's).
    A ``national_id`` alone must be held by exactly one registered person."""
    known = by_person_id.select(
        "person_id",
        pl.col("household_id").alias("_person_household"),
        pl.col("national_id").alias("_registered_nid"),
        pl.lit(True).alias("_person_found"),
    )
    holders = by_national_id.group_by("national_id").agg(
        pl.col("person_id").sort().alias("_holders"),
        pl.col("household_id").sort_by("person_id").first().alias("_holder_household"),
    )
    frame = (
        typed.join(_schemes(pack), on="scheme", how="left")
        .join(known, on="person_id", how="left")
        .join(holders, on="national_id", how="left")
        .sort(ROW)
    )
    pid, nid, hid = pl.col("person_id"), pl.col("national_id"), pl.col("household_id")
    pid_given, nid_given, hid_given = pid.is_not_null(), nid.is_not_null(), hid.is_not_null()
    person_found = pl.col("_person_found").fill_null(False)
    count = pl.col("_holders").list.len().fill_null(0)
    holder = pl.col("_holders").list.first()
    holds = pl.col("_holders").list.contains(pid).fill_null(False)
    household_found = hid.is_in(households.implode()).fill_null(False)
    by_person = (pl.col("_unit") != HOUSEHOLD).fill_null(False)
    by_household = (pl.col("_unit") == HOUSEHOLD).fill_null(False)
    holder_list = pl.col("_holders").list.join(", ")
    frame = frame.with_columns(
        pl.when(by_person & pid_given & person_found)
        .then(pid)
        .when(by_person & ~pid_given & (count == 1))
        .then(holder)
        .when(by_household & household_found)
        .then(hid)
        .alias(UNIT),
        pl.when(by_person & pid_given)
        .then(pl.col("_person_household"))
        .when(by_person)
        .then(pl.col("_holder_household"))
        .when(by_household)
        .then(hid)
        .alias(UNIT_HOUSEHOLD),
    )
    first = pl.col(ROW).min().over(UNIT, "scheme")
    repeated = pl.col(UNIT).is_not_null() & (pl.col(ROW) != first)
    known_codes = ", ".join(sorted(pack.schemes))
    start, end, status = pl.col("start_date"), pl.col("end_date"), pl.col("status")
    reasons = {
        "scheme": _first(
            (
                pl.col("scheme").is_not_null() & pl.col("_unit").is_null(),
                f"is not a scheme of the policy pack ({known_codes}) (ບໍ່ແມ່ນໂຄງການທີ່ຮູ້ຈັກ)",
            ),
            (
                pl.col("_proposed").fill_null(False),
                "is a proposed scheme: it cannot be enrolled in operations "
                "(ໂຄງການທີ່ສະເໜີ ຍັງບໍ່ດຳເນີນງານ)",
            ),
            (
                by_person & hid_given,
                "enrols persons: give person_id or national_id, not household_id "
                "(ໂຄງການນີ້ລົງທະບຽນບຸກຄົນ)",
            ),
            (
                by_household & (pid_given | nid_given),
                "enrols households: give household_id, not person_id or national_id "
                "(ໂຄງການນີ້ລົງທະບຽນຄົວເຮືອນ)",
            ),
        ),
        "person_id": _first(
            (pid_given & ~person_found, "is not a registered person (ບໍ່ພົບບຸກຄົນນີ້ໃນທະບຽນ)"),
            (
                by_person & ~pid_given & ~nid_given & ~hid_given,
                "required: person_id or national_id (the scheme enrols persons) "
                "(ຕ້ອງໃສ່ລະຫັດບຸກຄົນ ຫຼື ເລກບັດ)",
            ),
        ),
        "national_id": _first(
            (
                ~by_household & nid_given & ~pid_given & (count == 0),
                "no registered person has this national_id (ບໍ່ພົບເລກບັດນີ້ໃນທະບຽນ)",
            ),
            (
                ~by_household & nid_given & ~pid_given & (count > 1),
                pl.format(
                    "is held by {} registered persons ({}): give person_id (ເລກບັດນີ້ມີຫຼາຍຄົນ)",
                    count,
                    holder_list,
                ),
            ),
            (
                ~by_household
                & nid_given
                & person_found
                & pl.col("_registered_nid").is_not_null()
                & (pl.col("_registered_nid") != nid),
                pl.format(
                    "disagrees with person_id {}: the registry holds another national_id "
                    "for that person (ເລກບັດບໍ່ກົງກັບບຸກຄົນ)",
                    pid,
                ),
            ),
            (
                ~by_household & nid_given & person_found & (count > 0) & ~holds,
                pl.format("belongs to {}, not to person_id {} (ເລກບັດບໍ່ກົງກັບບຸກຄົນ)", holder_list, pid),
            ),
        ),
        "household_id": _first(
            (
                hid_given & ~household_found,
                "is not a registered household (ບໍ່ພົບຄົວເຮືອນນີ້ໃນທະບຽນ)",
            ),
            (
                by_household & ~hid_given & ~pid_given & ~nid_given,
                "required: the scheme enrols households (ຕ້ອງໃສ່ລະຫັດຄົວເຮືອນ)",
            ),
        ),
        "end_date": _first(
            (end < start, "must not be before start_date (ວັນທີສິ້ນສຸດກ່ອນວັນທີເລີ່ມ)"),
            (
                (status == "exited") & end.is_null(),
                "required when status is exited (ຕ້ອງໃສ່ວັນທີສິ້ນສຸດ ເມື່ອອອກຈາກໂຄງການ)",
            ),
            (
                status.is_in(OPEN_ENROLMENT) & end.is_not_null(),
                "must be empty unless status is exited (ມີແຕ່ການອອກທີ່ມີວັນທີສິ້ນສຸດ)",
            ),
        ),
        "row": _first(
            (
                repeated,
                pl.format(
                    "the same unit and scheme as row {}: one row per unit and scheme (ແຖວຊ້ຳ)",
                    first,
                ),
            )
        ),
    }
    frame = frame.with_columns(pl.coalesce(UNIT, pid, hid, nid).alias(RECORD))
    values = {"row": pl.format("{} {}", pl.col(UNIT), pl.col("scheme"))}
    return frame, problems(frame, RECORD, reasons, values)


def _registered(accepted: pl.DataFrame, registered: pl.DataFrame) -> pl.DataFrame:
    """``accepted`` with the registered enrolment of the same unit, scheme and start
    (``_db_*``) and, of the unit's other enrolments in the scheme, the open one and the
    latest end (``_open_*``, ``_last_end``)."""
    same = registered.select(
        pl.col("unit_id").alias(UNIT),
        "scheme",
        "start_date",
        pl.col("enrolment_id").alias("_db_id"),
        pl.col("status").alias("_db_status"),
        pl.col("end_date").alias("_db_end"),
    )
    keys = accepted.select(ROW, UNIT, "scheme", "start_date")
    others = (
        keys.join(
            registered.rename({"unit_id": UNIT, "start_date": "_other_start"}),
            on=[UNIT, "scheme"],
            how="inner",
        )
        .filter(pl.col("_other_start") != pl.col("start_date"))
        .with_columns(_open=pl.col("status").is_in(OPEN_ENROLMENT))
        .group_by(ROW)
        .agg(
            pl.col("enrolment_id").filter("_open").first().alias("_open_id"),
            pl.col("status").filter("_open").first().alias("_open_status"),
            pl.col("_other_start").filter("_open").first().alias("_open_start"),
            pl.col("end_date").max().alias("_last_end"),
        )
    )
    return (
        accepted.join(same, on=[UNIT, "scheme", "start_date"], how="left")
        .join(others, on=ROW, how="left")
        .sort(ROW)
    )


def compare(
    accepted: pl.DataFrame, registered: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``(new, unchanged, changed, conflicts)``. A row with the unit, scheme and start of
    a registered enrolment is that enrolment: the same status and end date is
    ``unchanged``; another status is ``changed`` when the transition table allows the
    move, else a conflict. Any other row is ``new`` when every registered enrolment of
    the unit in the scheme ended before its start, else a conflict."""
    frame = _registered(accepted, registered)
    status, db_status = pl.col("status"), pl.col("_db_status")
    matched = pl.col("_db_id").is_not_null()
    same_status = status == db_status
    legal = pl.concat_str(db_status, pl.lit(">"), status).is_in(LEGAL_MOVES)
    end_same = pl.col("end_date").eq_missing(pl.col("_db_end"))
    open_other = pl.col("_open_id").is_not_null()
    overlaps = (pl.col("_last_end") >= pl.col("start_date")).fill_null(False)
    frame = frame.with_columns(
        pl.when(matched & same_status & end_same)
        .then(pl.lit("unchanged"))
        .when(matched & ~same_status & legal)
        .then(pl.lit("changed"))
        .when(matched | open_other | overlaps)
        .then(pl.lit("conflict"))
        .otherwise(pl.lit("new"))
        .alias("_outcome")
    )
    conflicts = frame.filter(pl.col("_outcome") == "conflict")
    reasons = {
        "status": _first(
            (
                matched & ~same_status,
                pl.format(
                    "enrolment {}: cannot change status from '{}' to '{}' ({}) (ປ່ຽນສະຖານະແບບນີ້ບໍ່ໄດ້)",
                    pl.col("_db_id"),
                    db_status,
                    status,
                    db_status.replace_strict(FOLLOWERS, default=None),
                ),
            )
        ),
        "end_date": _first(
            (
                matched & same_status & ~end_same,
                pl.format(
                    "enrolment {} is registered with end_date {} (ຂັດແຍ່ງກັບວັນທີສິ້ນສຸດທີ່ມີຢູ່)",
                    pl.col("_db_id"),
                    pl.col("_db_end").cast(pl.String).fill_null("none"),
                ),
            )
        ),
        "start_date": _first(
            (
                ~matched & open_other,
                pl.format(
                    "{} already has an open enrolment in {} (enrolment {}, {} from {}): it "
                    "must exit before a new one starts (ມີການລົງທະບຽນທີ່ຍັງເປີດຢູ່ແລ້ວ)",
                    pl.col(UNIT),
                    pl.col("scheme"),
                    pl.col("_open_id"),
                    pl.col("_open_status"),
                    pl.col("_open_start"),
                ),
            ),
            (
                ~matched & overlaps,
                pl.format(
                    "must be after the end of {}'s previous enrolment in {} ({}) "
                    "(ຕ້ອງເລີ່ມຫຼັງການລົງທະບຽນຄັ້ງກ່ອນສິ້ນສຸດ)",
                    pl.col(UNIT),
                    pl.col("scheme"),
                    pl.col("_last_end"),
                ),
            ),
        ),
    }
    found = problems(conflicts, RECORD, reasons)
    outcome = pl.col("_outcome")
    return (
        frame.filter(outcome == "new"),
        frame.filter(outcome == "unchanged"),
        frame.filter(outcome == "changed"),
        found,
    )
