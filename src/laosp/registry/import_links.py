"""Rules that link rows to each other and to the registry: a person's household exists,
a person is in one household only, one head per household, mothers exist and are
women; and the spread of a rejection (a household with a rejected member is rejected
whole, and so is a person whose mother is rejected)."""

from __future__ import annotations

import polars as pl

from laosp.registry.import_columns import PROBLEM_SCHEMA, ROW
from laosp.registry.validation import InputLimits, check_member_count

NO_HEAD = "a household needs exactly one head (none given)"


def _problems(frame: pl.DataFrame, table: str, id_column: str, field: str) -> pl.DataFrame:
    """``frame`` with ``ROW``, ``id_column``, ``value`` and ``reason`` as problems."""
    return frame.select(
        pl.lit(table).alias("table"),
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col(id_column).cast(pl.String).alias("record_id"),
        pl.lit(field).alias("field"),
        pl.col("value").cast(pl.String),
        pl.col("reason"),
    )


def link_problems(
    households: pl.DataFrame,
    persons: pl.DataFrame,
    registered_households: pl.Series,
    registered: pl.DataFrame,
    limits: InputLimits,
) -> pl.DataFrame:
    """``registered`` holds the persons already in the registry that the file touches
    (``person_id``, ``household_id``, ``relationship``, ``sex``): every member of the
    households the file names."""
    found: list[pl.DataFrame] = []
    known = pl.concat([households["household_id"], registered_households]).unique()
    homeless = persons.filter(
        pl.col("household_id").is_not_null() & ~pl.col("household_id").is_in(known.implode())
    )
    found.append(
        _problems(
            homeless.with_columns(
                value=pl.col("household_id"),
                reason=pl.lit("no household with this id in the households file or the registry"),
            ),
            "persons",
            "person_id",
            "household_id",
        )
    )
    moved = persons.join(registered, on="person_id", suffix="_db").filter(
        pl.col("household_id") != pl.col("household_id_db")
    )
    found.append(
        _problems(
            moved.with_columns(
                value=pl.col("person_id"),
                reason=pl.lit("is already registered in another household"),
            ),
            "persons",
            "person_id",
            "person_id",
        )
    )
    found += _head_problems(households, persons, registered)
    found += _member_count_problems(households, persons, registered, limits)
    found.append(_mother_problems(persons, registered))
    return pl.concat([frame.select(list(PROBLEM_SCHEMA)) for frame in found])


def _head_problems(
    households: pl.DataFrame, persons: pl.DataFrame, registered: pl.DataFrame
) -> list[pl.DataFrame]:
    others = registered.filter(~pl.col("person_id").is_in(persons["person_id"].implode()))
    registered_heads = (
        others.filter(pl.col("relationship") == "head")
        .group_by("household_id")
        .agg(registered_head=pl.col("person_id").first())
    )
    file_heads = persons.filter(pl.col("relationship") == "head").with_columns(
        first_row=pl.col(ROW).min().over("household_id")
    )
    extra_heads = file_heads.join(registered_heads, on="household_id", how="left").filter(
        pl.col("registered_head").is_not_null() | (pl.col(ROW) != pl.col("first_row"))
    )
    too_many = _problems(
        extra_heads.with_columns(
            value=pl.lit("head"),
            reason=pl.when(pl.col("registered_head").is_not_null())
            .then(
                pl.format(
                    "a household has exactly one head ({} is registered as its head)",
                    "registered_head",
                )
            )
            .otherwise(
                pl.format("a household has exactly one head (row {} is the head)", "first_row")
            ),
        ),
        "persons",
        "person_id",
        "relationship",
    )
    with_head = pl.concat([file_heads["household_id"], registered_heads["household_id"]])
    headless = households.filter(
        pl.col("household_id").is_not_null() & ~pl.col("household_id").is_in(with_head.implode())
    )
    none_given = _problems(
        headless.with_columns(value=pl.lit(None, pl.String), reason=pl.lit(NO_HEAD)),
        "households",
        "household_id",
        "members",
    )
    in_file = households["household_id"].implode()
    orphans = persons.filter(
        ~pl.col("household_id").is_in(in_file) & ~pl.col("household_id").is_in(with_head.implode())
    )
    no_head_registered = _problems(
        orphans.with_columns(value=pl.col("household_id"), reason=pl.lit(NO_HEAD)),
        "persons",
        "person_id",
        "household_id",
    )
    return [too_many, none_given, no_head_registered]


def _member_count_problems(
    households: pl.DataFrame, persons: pl.DataFrame, registered: pl.DataFrame, limits: InputLimits
) -> list[pl.DataFrame]:
    """A household that would have more than ``limits.max_members`` members, its file's
    and its registered ones together, is refused on its row (``members``); when the file
    only adds persons to it, each of them is refused (``household_id``)."""
    members = pl.concat(
        [
            persons.select("person_id", "household_id"),
            registered.select("person_id", "household_id"),
        ]
    ).unique("person_id", keep="first", maintain_order=True)
    sizes = (
        members.drop_nulls("household_id")
        .group_by("household_id")
        .agg(size=pl.len())
        .filter(pl.col("size") > limits.max_members)
    )
    if not sizes.height:
        return []
    reason = check_member_count(limits.max_members + 1, limits)[0].reason
    in_file = households.join(sizes, on="household_id")
    added_to = persons.join(sizes, on="household_id").filter(
        ~pl.col("household_id").is_in(households["household_id"].implode())
    )
    return [
        _problems(
            in_file.with_columns(value=pl.col("size"), reason=pl.lit(reason)),
            "households",
            "household_id",
            "members",
        ),
        _problems(
            added_to.with_columns(
                value=pl.col("household_id"),
                reason=pl.format("household {} would have {} members: ", "household_id", "size")
                + pl.lit(reason),
            ),
            "persons",
            "person_id",
            "household_id",
        ),
    ]


def _mother_problems(persons: pl.DataFrame, registered: pl.DataFrame) -> pl.DataFrame:
    sexes = pl.concat(
        [persons.select("person_id", "sex"), registered.select("person_id", "sex")]
    ).unique("person_id", keep="first")
    named = persons.filter(
        pl.col("mother_id").is_not_null() & (pl.col("mother_id") != pl.col("person_id"))
    ).join(
        sexes.rename({"person_id": "mother_id", "sex": "mother_sex"}), on="mother_id", how="left"
    )
    bad = named.with_columns(
        value=pl.col("mother_id"),
        reason=pl.when(pl.col("mother_sex").is_null())
        .then(pl.lit("no person with this id in the persons file or the registry"))
        .when(pl.col("mother_sex") != "F")
        .then(pl.lit("the mother must be a woman (sex F)")),
    ).filter(pl.col("reason").is_not_null())
    return _problems(bad, "persons", "person_id", "mother_id")


def spread_rejections(
    households: pl.DataFrame, persons: pl.DataFrame, problems: pl.DataFrame
) -> pl.DataFrame:
    """Problems added because a household has a rejected member (the household and all
    its members go), or a person's mother is rejected; repeated until nothing moves."""
    added: list[pl.DataFrame] = []
    while True:
        known = pl.concat([problems, *added])
        bad_person_rows = known.filter(pl.col("table") == "persons")["row"].unique()
        bad_household_rows = known.filter(pl.col("table") == "households")["row"].unique()
        bad_people = persons.filter(pl.col(ROW).is_in(bad_person_rows.implode()))
        bad_ids = pl.concat(
            [
                households.filter(pl.col(ROW).is_in(bad_household_rows.implode()))["household_id"],
                bad_people["household_id"],
            ]
        ).drop_nulls()
        new: list[pl.DataFrame] = []
        members = persons.filter(
            pl.col("household_id").is_in(bad_ids.implode())
            & ~pl.col(ROW).is_in(bad_person_rows.implode())
        )
        new.append(
            _problems(
                members.with_columns(
                    value=pl.col("household_id"),
                    reason=pl.format("household {} is rejected with its members", "household_id"),
                ),
                "persons",
                "person_id",
                "household_id",
            )
        )
        failing = bad_people.group_by("household_id").agg(
            pl.col("person_id").first(), pl.col(ROW).min().alias("member_row")
        )
        heads = households.filter(~pl.col(ROW).is_in(bad_household_rows.implode())).join(
            failing, on="household_id"
        )
        new.append(
            _problems(
                heads.with_columns(
                    value=pl.col("person_id"),
                    reason=pl.format(
                        "member {} (persons row {}) is rejected", "person_id", "member_row"
                    ),
                ),
                "households",
                "household_id",
                "members",
            )
        )
        children = persons.filter(~pl.col(ROW).is_in(bad_person_rows.implode())).join(
            bad_people.select(pl.col("person_id").alias("mother_id"), pl.col(ROW).alias("m_row")),
            on="mother_id",
        )
        new.append(
            _problems(
                children.with_columns(
                    value=pl.col("mother_id"),
                    reason=pl.format("the mother (persons row {}) is rejected", "m_row"),
                ),
                "persons",
                "person_id",
                "mother_id",
            )
        )
        new = [frame.select(list(PROBLEM_SCHEMA)) for frame in new if frame.height]
        if not new:
            return pl.concat(added) if added else pl.DataFrame(schema=PROBLEM_SCHEMA)
        added += new
