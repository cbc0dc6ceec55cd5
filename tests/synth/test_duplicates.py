"""Planted duplicates: where the copies live (the shares the module documents) and how
they sit in the people frame."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from laosp.rules.pack import load_pack
from laosp.synth.duplicates import SAME_HOUSEHOLD, other_household
from laosp.synth.population import Config, generate_people

AT = dt.date(2026, 6, 30)


def test_copies_share_the_household_or_move_within_the_district() -> None:
    population = generate_people(Config(scale=0.02, seed=5, at=AT, duplicates=0.02), load_pack())
    people = population.people
    districts = population.households.select("household_id", "district_code", "village_code")
    where = people.select("person_id", "household_id", "district_code").join(
        districts.rename({"district_code": "household_district"}), on="household_id"
    )
    pairs = population.duplicate_pairs.join(where, on="person_id").join(
        where, left_on="duplicate_id", right_on="person_id", suffix="_copy"
    )
    assert pairs.height == population.duplicate_pairs.height > 3_000
    # the copy's district is its original's: in the working column and in the households
    # table its household belongs to
    assert (pairs["district_code_copy"] == pairs["district_code"]).all()
    assert (pairs["household_district_copy"] == pairs["household_district"]).all()
    assert (pairs["household_district_copy"] == pairs["district_code_copy"]).all()
    same_household = (pairs["household_id_copy"] == pairs["household_id"]).mean()
    # 3,100 copies: one standard deviation of the share is 0.9 points
    assert abs(same_household - SAME_HOUSEHOLD) < 0.03  # type: ignore[operator]
    # the others moved to another household, most of them in another village
    moved = pairs.filter(pl.col("household_id_copy") != pl.col("household_id"))
    assert moved.height / pairs.height > 1 - SAME_HOUSEHOLD - 0.03
    assert (moved["village_code_copy"] != moved["village_code"]).mean() > 0.5  # type: ignore[operator]


def test_copies_follow_the_originals_in_the_frame() -> None:
    population = generate_people(Config(scale=0.002, seed=8, at=AT, duplicates=0.05), load_pack())
    people = population.people
    copies = population.duplicate_pairs.height
    originals = people.height - copies
    assert people.head(originals)["original_id"].is_null().all()
    assert people.tail(copies)["original_id"].is_not_null().all()
    assert people.tail(copies)["relationship"].eq("other").all()
    # every column in the same chunks (originals, copies): selecting the persons' columns
    # or the originals copies nothing
    assert {tuple(column.chunk_lengths()) for column in people} == {(originals, copies)}
    # the household columns the copies carry are those of their new household
    households = population.households.select("household_id", "urban", "poor")
    carried = people.tail(copies).select("household_id", "urban", "poor")
    assert carried.join(households, on=["household_id", "urban", "poor"]).height == copies


@settings(max_examples=50, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=8),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_other_household_stays_in_the_district(sizes: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    district = rng.permutation(np.repeat(np.arange(len(sizes)) * 7 + 100, sizes)).astype(str)
    households = rng.integers(0, district.size, 40)
    moved = other_household(rng, district, households)
    assert (district[moved] == district[households]).all()
    alone = np.array([np.sum(district == district[h]) == 1 for h in households])
    assert (moved[alone] == households[alone]).all()
    assert (moved[~alone] != households[~alone]).all()


def test_other_household_draws_every_other_household_alike() -> None:
    rng = np.random.default_rng(1)
    district = np.array(["A", "B", "A", "A", "B", "A"])
    moved = other_household(rng, district, np.zeros(40_000, dtype=np.int64))
    counts = np.bincount(moved, minlength=district.size)
    assert counts[[0, 1, 4]].sum() == 0
    assert np.all(np.abs(counts[[2, 3, 5]] / 40_000 - 1 / 3) < 0.01)
