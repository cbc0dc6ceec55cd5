"""The grievance part of the pack (grievances.yaml): read with its days and names in both
languages, and every mistake reported with its file and line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from laosp.rules.errors import PackError
from laosp.rules.pack import BUNDLED, load_pack


def test_the_bundled_categories_levels_and_days() -> None:
    policy = load_pack().grievances
    assert list(policy.categories) == ["eligibility", "payment", "registration", "service", "other"]
    assert [lv.code for lv in policy.levels] == ["district", "province", "central"]
    assert policy.levels[0].label("lo") == "ຂັ້ນເມືອງ"
    days = {c.code: c.days_at(dt.date(2026, 1, 1)) for c in policy.categories.values()}
    assert days == {
        "eligibility": 30,
        "payment": 15,
        "registration": 30,
        "service": 15,
        "other": 30,
    }
    assert policy.start == dt.date(2015, 1, 1)
    assert policy.categories["payment"].days_at(dt.date(2014, 12, 31)) is None
    every = [c.days for c in policy.categories.values() if c.days is not None]
    assert {v.status for p in every for v in p.values} == {"illustrative"}


def _changed(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(BUNDLED, root)
    file = root / "grievances.yaml"
    text = file.read_text("utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), "utf-8")
    return root


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("value: 15,", "value: 0,", "days is a whole number of days, at least 1"),
        ("value: 15,", "value: fifteen,", "days is a whole number of days, at least 1"),
        ("    name_lo: ອື່ນໆ\n", "", "a category needs `name_lo` (its name in Lao)"),
        ("  - code: other", "  - code: payment", "a category code is written twice"),
        ("  - code: central", "  - code: province", "a level code is written twice"),
        ("status: illustrative, reference", "status: guessed, reference", "status must be one of"),
    ],
)
def test_mistakes_are_reported(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(PackError, match=r"grievances\.yaml") as refused:
        load_pack(_changed(tmp_path, old, new))
    assert message in str(refused.value)


def test_a_pack_without_the_file_has_no_categories(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(BUNDLED, root)
    (root / "grievances.yaml").unlink()
    policy = load_pack(root).grievances
    assert (policy.categories, policy.levels, policy.start) == ({}, (), None)
