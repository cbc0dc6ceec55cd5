"""The headline "eligible, not enrolled" counts each person once, and each scheme's line
says what it counts (persons, or households for a scheme that enrols households).

A tiny registry, worked out by hand with the pack's rules at 30/06/2025:

- HA, a poor household in Nong (1306, Savannakhet: a CCT province and an MECG pilot
  district), nobody enrolled anywhere: A1 (man, 1980), A2 (woman, 1998), A3 (girl
  born 15/01/2025, 5 months old). NHI (every Lao national): A1, A2, A3. MECG (a child
  under 12 months in a pilot district): A3. CCT (poor, province 13, a child under
  24 months): the household HA.
- HB in Chanthabouly (0101): B1 (man, 1990, employed, informal: may join the
  voluntary NSSF scheme at 15-60) enrolled nowhere: NHI and NSSF voluntary; B2 (woman,
  1992, not working) enrolled in NHI: no list.

Scheme lines: NHI 4 persons, MECG 1 person, NSSF voluntary 1 person, CCT 1 household:
7 rows. Persons left out, each once: A1, A2, A3 (also HA's members), B1 = 4 (3 in
Savannakhet, 1 in Vientiane Capital). No cover at all: A1, A2, A3, B1 = 4.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from laosp.reports.coverage import CoverageBrief, coverage_brief, gap_total
from laosp.reports.render import coverage_report
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, RegistryBuilder
from tests.reports.helpers import pdf_text, sheets, squeezed


def tiny_registry() -> RegistryBuilder:
    r = RegistryBuilder()
    d = dt.date
    ha = r.household("HA", "1306", poor=True)
    r.person("A1", ha, "M", d(1980, 1, 1))
    r.person("A2", ha, "F", d(1998, 1, 1))
    r.person("A3", ha, "F", d(2025, 1, 15), mother_id="A2")
    hb = r.household("HB", "0101")
    r.person("B1", hb, "M", d(1990, 1, 1), employment_status="employed", sector="trade")
    r.person("B2", hb, "F", d(1992, 1, 1))
    r.enrol("nhi", person="B2")
    return r


@pytest.fixture(scope="module")
def brief() -> CoverageBrief:
    return coverage_brief(tiny_registry().frames(), AT, pack=load_pack())


def test_scheme_lines_count_their_own_unit(brief: CoverageBrief) -> None:
    lines = brief.gaps.filter(pl.col("gap") == "eligible_not_enrolled")
    assert {(row["scheme"], row["unit"], row["count"]) for row in lines.to_dicts()} == {
        ("nhi", "person", 4),
        ("mecg", "person", 1),
        ("nssf_voluntary", "person", 1),
        ("cct", "household", 1),
    }


def test_headline_counts_each_person_once(brief: CoverageBrief) -> None:
    assert brief.gaps.filter(pl.col("gap") == "eligible_not_enrolled")["count"].sum() == 7
    assert gap_total(brief) == 4
    assert gap_total(brief, "uncovered") == 4
    by_place = {row["province"]: row["count"] for row in brief.left_out_by_place.to_dicts()}
    assert by_place == {"01": 1, "13": 3}


def test_a_province_brief_counts_its_own_persons() -> None:
    brief = coverage_brief(tiny_registry().frames(), AT, "13", pack=load_pack())
    assert gap_total(brief) == 3
    by_place = {row["district"]: row["count"] for row in brief.left_out_by_place.to_dicts()}
    assert by_place == {"1306": 3}


def test_pdf_names_the_unit_of_each_line_and_the_persons_once(brief: CoverageBrief) -> None:
    text = squeezed(pdf_text(coverage_report(brief, "en", "pdf")))
    assert squeezed(f"{brief.scheme_name('cct', 'en')} Households 1") in text
    assert squeezed("(each person once) Persons 4") in text
    lao = squeezed(pdf_text(coverage_report(brief, "lo", "pdf")))
    assert squeezed(f"{brief.scheme_name('cct', 'lo')} ຄົວເຮືອນ 1") in lao
    assert squeezed("(ນັບແຕ່ລະຄົນພຽງເທື່ອດຽວ) ຄົນ 4") in lao


def test_workbook_gap_sheet_has_a_unit_column_and_persons_once(brief: CoverageBrief) -> None:
    book = sheets(coverage_report(brief, "en", "xlsx"))
    gaps = book["Left behind"]
    assert "Persons" not in gaps.columns
    lines = (
        gaps.filter(pl.col("Gap") == "Eligible, not enrolled")
        .group_by("Scheme", "Unit")
        .agg(pl.col("Number").sum())
    )
    name = brief.scheme_name
    assert {(row["Scheme"], row["Unit"], row["Number"]) for row in lines.to_dicts()} == {
        (name("nhi", "en"), "Persons", 4),
        (name("mecg", "en"), "Persons", 1),
        (name("nssf_voluntary", "en"), "Persons", 1),
        (name("cct", "en"), "Households", 1),
    }
    left_out = book["Persons left out, by place"]
    persons = "Persons eligible for at least one scheme and not enrolled in it (each person once)"
    assert left_out[persons].to_list() == [1, 3, 4]
