"""Deduplication: planted near-duplicates are found, distinct people are not paired, the
block cap splits or reports oversized blocks, results do not depend on row order."""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from laosp.cli import build_app
from laosp.db import unit_of_work
from laosp.registry import service
from laosp.registry.dedup import (
    COLUMNS,
    deduplicate,
    deduplicate_registry,
    find_duplicates,
    load_persons,
)
from laosp.registry.dedup_blocking import DISTRICT_RULES, MAX_BLOCK, ExactRule, candidate_pairs
from laosp.registry.dedup_scoring import RARE_NAME, score_pairs
from laosp.registry.names import name_key, roman_fold
from laosp.rules.pack import load_pack
from laosp.synth.population import Config, generate_people


def _person(
    pid: str, rel: str, given: str, family: str, sex: str, born: str, **more: Any
) -> dict[str, Any]:
    return {"person_id": pid, "relationship": rel, "given_name": given, "family_name": family,
            "sex": sex, "birth_date": born, **more}  # fmt: skip


REGISTRY = [
    {"household_id": "D1", "district_code": "0101", "village_code": "0101001", "members": [
        _person("A1", "head", "Somphone", "Phommasone", "M", "1980-04-12"),
        _person("A2", "spouse", "ສົມພ່ອນ", "ແສງສຸລິນ", "F", "1985-02-03"),
        _person("A3", "child", "Noy", "Phommasone", "F", "2010-06-01", mother_id="A2"),
        _person("A4", "child", "Nang", "Phommasone", "F", "2010-06-01", mother_id="A2"),  # twin
        _person("A5", "parent", "Somphone", "Phommasone", "M", "1950-01-01"),  # his father
    ]},
    {"household_id": "D2", "district_code": "0101", "village_code": "0101002", "members": [
        _person("B1", "head", "Sompone", "Pommasone", "M", "1980-04-13"),  # ph/p, a day slip
        _person("B2", "spouse", "ສົມພອນ", "ແສງສຸລິນ", "F", "1985-02-03"),  # tone marks dropped
        _person("B3", "child", "Khamla", "Pommasone", "M", "2012-09-09", national_id="LA77"),
    ]},
    {"household_id": "D3", "district_code": "0102", "members": [
        _person("C1", "head", "Somphone", "Phommasone", "M", "1980-04-12"),  # other district
    ]},
]  # fmt: skip


def _load(session: Session) -> None:
    for household in REGISTRY:
        service.add_household(session, household)


def test_finds_planted_and_not_distinct(session: Session) -> None:
    savepoint = session.begin_nested()
    try:
        _load(session)
        pairs = find_duplicates(load_persons(session))
        found = {tuple(sorted(p)) for p in pairs.select("person_id", "duplicate_id").rows()}
        assert found == {("A1", "B1"), ("A2", "B2")}
        reasons = dict(zip(pairs["person_id"], pairs["reasons"], strict=True))
        assert "birth dates 1 days apart" in reasons["A1"]
        assert "same birth date" in reasons["A2"]
        assert load_persons(session, "0102")["person_id"].to_list() == ["C1"]
    finally:
        savepoint.rollback()


def test_empty_and_single() -> None:
    frame = pl.DataFrame(schema={"person_id": pl.String})
    assert find_duplicates(frame).height == 0


MOVED = {"household_id": "D4", "district_code": "0102", "members": [
    _person("E1", "head", "Khamla", "Phommasone", "M", "2012-09-10", national_id="LA77"),
]}  # fmt: skip


@pytest.mark.usefixtures("cli_signed_in")
def test_cli(engine: Any, db_url: str, tmp_path: Path) -> None:
    """The CLI reads a batch of districts at a time, then the national ids held in
    several districts: B3 re-registered in another district (E1) is found."""
    with unit_of_work(engine) as session:
        _load(session)
        service.add_household(session, MOVED)
    out = tmp_path / "pairs.json"
    args = ["registry", "duplicates", "--db", db_url, "--format", "json", "--output", str(out)]
    result = CliRunner().invoke(build_app(), args)
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text("utf-8"))
    assert {tuple(sorted((r["person_id"], r["duplicate_id"]))) for r in rows} == {
        ("A1", "B1"),
        ("A2", "B2"),
        ("B3", "E1"),
    }
    table = CliRunner().invoke(
        build_app(), ["registry", "duplicates", "--db", db_url, "--district", "0102"]
    )
    assert table.exit_code == 0, table.output
    assert "0 pairs" in table.output


def test_registry_by_batches_equals_in_memory(session: Session) -> None:
    savepoint = session.begin_nested()
    try:
        _load(session)
        service.add_household(session, MOVED)
        whole = deduplicate(load_persons(session)).pairs
        one_district_a_batch = deduplicate_registry(session, batch_persons=1).pairs
        assert one_district_a_batch.equals(whole)
        assert set(whole["duplicate_id"]) == {"B1", "B2", "E1"}
        only_0102 = deduplicate_registry(session, district_code="0102").pairs
        assert only_0102.is_empty()  # E1's match is in another district
    finally:
        savepoint.rollback()


def _random_names(rng: np.random.Generator, n: int) -> list[str]:
    letters = np.array(list(string.ascii_lowercase))
    return ["".join(word) for word in letters[rng.integers(0, 26, (n, 9))]]


def _frame(
    given_names: list[str],
    family_names: list[str],
    born: list[dt.date],
    national_ids: list[str | None] | None = None,
    district: str = "0101",
) -> pl.DataFrame:
    """Persons with the columns ``COLUMNS``, ids P00000, P00001, ..."""
    n = len(given_names)
    keys = [name_key(g, f) for g, f in zip(given_names, family_names, strict=True)]
    folds = [roman_fold(key) for key in keys]
    return pl.DataFrame(
        {
            "person_id": [f"P{i:05d}" for i in range(n)],
            "household_id": [f"H{i:05d}" for i in range(n)],
            "district_code": [district] * n,
            "village_code": [f"{district}001"] * n,
            "given_name": given_names,
            "family_name": family_names,
            "name_key": keys,
            "name_fold": folds,
            "sex": ["F"] * n,
            "birth_date": born,
            "national_id": national_ids or [None] * n,
            "phone": [None] * n,
            "mother_id": [None] * n,
        },
        schema={c: (pl.Date if c == "birth_date" else pl.String) for c in COLUMNS},
    )


def _pairs(frame: pl.DataFrame) -> set[tuple[str, str]]:
    return set(frame.select("person_id", "duplicate_id").iter_rows())


HUGE = 3 * MAX_BLOCK


def test_planted_pair_in_a_huge_birth_date_block_is_found() -> None:
    """Everybody is born on 1 January 1970 (year-only dates): the birth-date block is
    split by family name, then given name, and the copy is still compared."""
    rng = np.random.default_rng(1)
    given, family = _random_names(rng, HUGE), _random_names(rng, HUGE)
    given.append(given[7])
    family.append(family[7])
    persons = _frame(given, family, [dt.date(1970, 1, 1)] * (HUGE + 1))
    copy = f"P{HUGE:05d}"
    birth_date_rule = next(r for r in DISTRICT_RULES if r.name == "birth date")
    candidates, stats = candidate_pairs(persons, (birth_date_rule,))
    assert (7, HUGE) in set(candidates.iter_rows())
    assert stats.skipped_blocks == 0
    assert stats.candidates < HUGE * 10  # split, not all ~HUGE**2 / 2 pairs
    result = deduplicate(persons)
    assert _pairs(result.pairs) == {("P00007", copy)}


def test_planted_pair_in_a_huge_name_block_is_found() -> None:
    """Everybody has the same name; the copy has the same birth date as one of them."""
    rng = np.random.default_rng(2)
    born = [dt.date(1940, 1, 1) + dt.timedelta(days=int(d)) for d in rng.permutation(20_000)]
    born = born[:HUGE]
    persons = _frame(["Somphone"] * (HUGE + 1), ["Phommasone"] * (HUGE + 1), [*born, born[11]])
    found = _pairs(deduplicate(persons).pairs)
    assert ("P00011", f"P{HUGE:05d}") in found


def test_shared_national_id_block_is_split_or_reported() -> None:
    """A placeholder national id held by many people: the pair that agrees on name and
    birth date is found; a block that no split can cut is skipped and counted."""
    rng = np.random.default_rng(3)
    given, family = _random_names(rng, HUGE), _random_names(rng, HUGE)
    born = [dt.date(1950, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 20_000, HUGE)]
    persons = _frame(
        [*given, given[5]], [*family, family[5]], [*born, born[5]], ["LA000"] * (HUGE + 1)
    )
    nid_rule = next(r for r in DISTRICT_RULES if r.name == "national id")
    candidates, stats = candidate_pairs(persons, (nid_rule,))
    assert (5, HUGE) in set(candidates.iter_rows())
    assert stats.skipped_blocks == 0
    assert ("P00005", f"P{HUGE:05d}") in _pairs(deduplicate(persons).pairs)

    clones = _frame(["Noy"] * 40, ["Vongsa"] * 40, [dt.date(1990, 5, 5)] * 40, ["LA000"] * 40)
    rule = ExactRule("national id", ("national_id",), ("sex", "birth_year"))
    _, stats = candidate_pairs(clones, (rule,), cap=10)
    assert (stats.skipped_blocks, stats.skipped_persons) == (1, 40)


def test_no_pair_twice_nor_with_itself() -> None:
    population = generate_people(Config(scale=0.002, duplicates=0.02), load_pack())
    villages = population.households.select("household_id", "village_code")
    persons = population.people.join(villages, on="household_id", how="left").select(COLUMNS)
    # the same national id in two districts, and twice in one of them
    persons = persons.with_columns(
        national_id=pl.when(pl.int_range(pl.len()).is_in([0, 1, persons.height - 1]))
        .then(pl.lit("LA-SHARED"))
        .otherwise("national_id")
    )
    pairs = deduplicate(persons).pairs
    assert pairs.height > 0
    assert (pairs["person_id"] < pairs["duplicate_id"]).all()
    assert pairs.select("person_id", "duplicate_id").is_unique().all()
    truth = population.duplicate_pairs.select(
        a=pl.min_horizontal("person_id", "duplicate_id"),
        b=pl.max_horizontal("person_id", "duplicate_id"),
    )
    found = pairs.select(a="person_id", b="duplicate_id")
    assert found.join(truth, on=["a", "b"], how="semi").height >= 0.98 * truth.height


GIVEN = ("Somphone", "Sompone", "Noy", "ສົມພອນ", "ສົມພ່ອນ")
FAMILY = ("Phommasone", "Pommasone", "Vongsa", "ແສງສຸລິນ")


@st.composite
def _persons(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(2, 30))
    pick = st.sampled_from
    given_names = [draw(pick(GIVEN)) for _ in range(n)]
    family_names = [draw(pick(FAMILY)) for _ in range(n)]
    born = [dt.date(1980, 1, 1) + dt.timedelta(days=draw(st.integers(0, 400))) for _ in range(n)]
    national_ids = [draw(pick((None, None, "LA1", "LA2"))) for _ in range(n)]
    districts = [draw(pick(("0101", "0102"))) for _ in range(n)]
    frame = _frame(given_names, family_names, born, national_ids)
    return frame.with_columns(
        district_code=pl.Series(districts),
        sex=pl.Series([draw(pick("MF")) for _ in range(n)]),
        household_id=pl.Series([f"H{draw(st.integers(0, 3))}" for _ in range(n)]),
    )


@settings(max_examples=60)
@given(persons=_persons(), seed=st.integers(0, 2**32 - 1), cap=st.integers(2, 6))
def test_results_do_not_depend_on_row_order(persons: pl.DataFrame, seed: int, cap: int) -> None:
    shuffled = persons.sample(fraction=1.0, shuffle=True, seed=seed)
    first = deduplicate(persons, threshold=0.5, cap=cap, batch_persons=8)
    second = deduplicate(shuffled, threshold=0.5, cap=cap, batch_persons=8)
    assert first.pairs.equals(second.pairs)
    assert first.stats == second.stats
    assert (first.pairs["person_id"] < first.pairs["duplicate_id"]).all()
    assert first.pairs.select("person_id", "duplicate_id").is_unique().all()


def test_swapped_day_and_month_counts_like_a_slip_of_days() -> None:
    """A person re-registered in another village of the district, with nothing but the
    name, sex and a birth date whose day and month are swapped, is found; namesakes born
    ten days apart, or one known by the year only, with nothing else in common, are not
    (a near date is what any namesake may show)."""
    given = ["Khamphone", "Khamphone", "Bounmy", "Bounmy", "Souk", "Souk"]
    family = ["Sisavath"] * 2 + ["Keomany"] * 2 + ["Phanthavong"] * 2
    born = [
        dt.date(1985, 3, 7), dt.date(1985, 7, 3),  # swapped
        dt.date(1990, 6, 18), dt.date(1990, 1, 1),  # the year only
        dt.date(2001, 2, 10), dt.date(2001, 2, 20),  # ten days apart
    ]  # fmt: skip
    # common names: RARE_NAME namesakes of each, born decades apart
    given += [name for name in given[::2] for _ in range(RARE_NAME)]
    family += [name for name in family[::2] for _ in range(RARE_NAME)]
    born += [dt.date(1930 + 5 * i, 6, 1) for i in range(RARE_NAME)] * 3
    persons = _frame(given, family, born).with_columns(
        village_code=pl.Series(["0101001", "0101002"] * (len(given) // 2))
    )
    pairs = deduplicate(persons).pairs
    assert _pairs(pairs) == {("P00000", "P00001")}
    assert "birth day and month swapped" in pairs["reasons"][0]
    assert "village" not in pairs["reasons"][0]


def _slipped_pair(given: str, family: str, namesakes: int) -> pl.DataFrame:
    """A person and her copy re-registered in another village with a birth date 20 days
    off and nothing else in common, plus ``namesakes`` persons of the same name in the
    district, born decades apart, and persons with other names."""
    born = [dt.date(1984, 3, 2), dt.date(1984, 3, 22)]
    born += [dt.date(1930 + 3 * i, 9, 9) for i in range(namesakes)]
    others = ["Bounleua", "Naly", "Pany", "Sida"]
    n = 2 + namesakes + len(others)
    persons = _frame(
        [given] * (2 + namesakes) + others,
        [family] * (2 + namesakes) + ["Keomany"] * len(others),
        born + [dt.date(1984, 3, 10)] * len(others),
    )
    villages = [f"010100{i % 2 + 1}" for i in range(n)]
    return persons.with_columns(village_code=pl.Series(villages))


def test_rare_name_with_a_20_day_slip_is_found() -> None:
    """Exact agreement on a name held by few persons of the district, a birth date 20
    days off: found, and the reason says the name is rare."""
    pairs = deduplicate(_slipped_pair("Vilayvanh", "Chanthalangsy", RARE_NAME - 2)).pairs
    assert _pairs(pairs) == {("P00000", "P00001")}
    assert pairs["score"][0] >= 0.85
    assert f"rare name ({RARE_NAME} in the district)" in pairs["reasons"][0]


def test_common_name_with_a_20_day_slip_is_not_found() -> None:
    """The same pair when the name is common in the district (20 persons have it, or
    just one more than ``RARE_NAME``): namesakes born weeks apart are too frequent to
    tell from a copy."""
    assert deduplicate(_slipped_pair("Vilayvanh", "Chanthalangsy", 18)).pairs.is_empty()
    pairs = deduplicate(_slipped_pair("Vilayvanh", "Chanthalangsy", RARE_NAME - 1)).pairs
    assert pairs.is_empty()
    low = deduplicate(_slipped_pair("Vilayvanh", "Chanthalangsy", RARE_NAME - 1), 0.8).pairs
    assert _pairs(low) == {("P00000", "P00001")}
    assert "rare name" not in low["reasons"][0]


def test_rare_name_frequencies_are_per_district() -> None:
    """A name common in another district is still rare in this one."""
    here = _slipped_pair("Vilayvanh", "Chanthalangsy", 0)
    there = _frame(["Vilayvanh"] * 20, ["Chanthalangsy"] * 20, [dt.date(1984, 3, 2)] * 20)
    there = there.with_columns(
        person_id=pl.format("Q{}", "person_id"), district_code=pl.lit("0102")
    )
    pairs = deduplicate(pl.concat([here, there]), batch_persons=1_000).pairs
    assert ("P00000", "P00001") in _pairs(pairs)


@settings(max_examples=60)
@given(persons=_persons(), rare=st.booleans())
def test_scores_stay_between_0_and_1(persons: pl.DataFrame, rare: bool) -> None:
    """Every candidate's score is in [0, 1], with or without the rare-name bonus (at most
    30 persons: many names are rare), even when everything else agrees."""
    persons = persons.with_columns(
        national_id=pl.lit("LA1"), phone=pl.lit("020"), mother_id=pl.lit("M1")
    )
    candidates, _ = candidate_pairs(persons, DISTRICT_RULES, MAX_BLOCK)
    pairs = score_pairs(persons, candidates, 0.0, rare_names=rare)
    assert pairs.height == candidates.height
    assert pairs["score"].is_between(0.0, 1.0).all()
