"""Gap lists on the reference registry, with eligibility frames written by hand (what
the rules engine would say at the same date)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pytest

from laosp.indicators.frames import Frames
from laosp.indicators.gaps import LIST_COLUMNS, evaluate_eligibility, gap_counts, gap_list
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, reference_registry

PACK = load_pack()
EVERYONE = [f"P{number}" for number in range(1, 17)]


@dataclass(frozen=True)
class Evaluation:
    """The shape of ``laosp.rules.engine.Evaluation``."""

    persons: pl.DataFrame
    households: pl.DataFrame


def eligibility() -> Evaluation:
    scheme = dict.fromkeys(EVERYONE, "none") | {
        "P1": "voluntary_eligible",
        "P7": "private",
        "P8": "private",
        "P9": "voluntary_eligible",
        "P16": "public",
    }
    return Evaluation(
        persons=pl.DataFrame(
            {
                "person_id": EVERYONE,
                "nhi.covered": [person != "P16" for person in EVERYONE],
                "nssf.scheme": [scheme[person] for person in EVERYONE],
                "mecg.eligible": [person in {"P3", "P14"} for person in EVERYONE],
            }
        ),
        households=pl.DataFrame(
            {"household_id": ["H1", "H2", "H3"], "cct.eligible": [True, False, True]}
        ),
    )


def listed(**options: object) -> pl.DataFrame:
    frames: Frames = reference_registry().frames()
    return gap_list(
        frames,
        AT,
        eligibility(),
        pack=PACK,
        **options,  # type: ignore[arg-type]
    )


def people(result: pl.DataFrame, gap: str, scheme: str | None = None) -> set[str]:
    rows = result.filter(pl.col("gap") == gap)
    if scheme is not None:
        rows = rows.filter(pl.col("scheme") == scheme)
    return set(rows["person_id"])


def test_uncovered_persons() -> None:
    # no cash benefit, no contribution, no health cover; P13 is not born yet
    result = listed()
    assert result.columns == list(LIST_COLUMNS)
    assert people(result, "uncovered") == {"P6", "P12", "P14", "P15"}


def test_eligible_not_enrolled_per_scheme() -> None:
    result = listed()
    not_enrolled = "eligible_not_enrolled"
    assert people(result, not_enrolled, "mecg") == {"P14"}
    assert people(result, not_enrolled, "nssf_private") == set()  # P7, P8 are enrolled
    assert people(result, not_enrolled, "nssf_public") == {"P16"}
    assert people(result, not_enrolled, "nssf_voluntary") == {"P1"}
    assert people(result, not_enrolled, "nhi") == {
        "P1", "P4", "P5", "P6", "P8", "P9", "P10", "P11", "P12", "P14", "P15"
    }  # fmt: skip
    # a household scheme lists the household once, by its head, with its last status
    cct = result.filter(pl.col("scheme") == "cct")
    assert cct.select("household_id", "person_id", "enrolment_status").rows() == [
        ("H3", "P11", "exited")
    ]


def test_reasons_in_english_and_lao() -> None:
    result = listed(schemes=["mecg", "cct"], include_uncovered=False)
    reasons = {row["scheme"]: row for row in result.iter_rows(named=True)}
    assert reasons["mecg"]["reason_en"] == "child aged 11 months, in Nong (1306)"
    assert reasons["mecg"]["reason_lo"] == "ເດັກອາຍຸ 11 ເດືອນ, ຢູ່ເມືອງ ນອງ (1306)"
    assert reasons["cct"]["reason_en"] == (
        "poor household in Savannakhet (13), with a child aged 11 months"
    )
    assert reasons["mecg"]["village_name"] == "Ban H3"
    assert reasons["mecg"]["given_name"] == "GivenP14"


def test_pregnancy_reason() -> None:
    registry = reference_registry()
    (p15,) = (row for row in registry.persons if row["person_id"] == "P15")
    p15.update(pregnant=True, pregnancy_month=5)
    frames = registry.frames()
    evaluation = eligibility()
    evaluation = Evaluation(
        persons=evaluation.persons.with_columns(
            (pl.col("person_id") == "P15").alias("mecg.eligible")
        ),
        households=evaluation.households,
    )
    result = gap_list(
        frames,
        AT,
        evaluation,
        pack=PACK,
        schemes=["mecg"],
        include_uncovered=False,
    )
    assert result.select("person_id", "reason_en", "enrolment_status").rows() == [
        ("P15", "pregnant, month 5, in Nong (1306)", "pending")
    ]
    assert result["reason_lo"][0] == "ຖືພາ ເດືອນທີ 5, ຢູ່ເມືອງ ນອງ (1306)"


def test_district_filter_and_counts() -> None:
    result = listed(district="1306")
    assert set(result["district"]) == {"1306"}
    counts = gap_counts(result, ("sex",))
    uncovered = counts.filter(pl.col("gap") == "uncovered")
    assert dict(zip(uncovered["sex"], uncovered["count"], strict=True)) == {"F": 3}


def test_without_eligibility_only_the_uncovered() -> None:
    result = gap_list(
        reference_registry().frames(),
        AT,
        None,
        pack=PACK,
    )
    assert set(result["gap"]) == {"uncovered"}


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="no gap list"):
        listed(schemes=["child_grant"])


def test_the_rules_engine_agrees_with_the_hand_written_eligibility() -> None:
    frames = reference_registry().frames()
    by_engine = gap_list(frames, AT, evaluate_eligibility(PACK, frames, AT), pack=PACK)
    assert by_engine.equals(listed())
