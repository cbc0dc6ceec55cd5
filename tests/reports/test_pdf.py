"""The PDF briefs open, carry the expected text in Lao and in English, and the Lao text
reads back (shaped by HarfBuzz, characters in their order)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from laosp.indicators.definitions import INDICATORS
from laosp.presentation.i18n import Lang
from laosp.projection.engine import run_projection
from laosp.projection.loading import load_scenario
from laosp.reports.coverage import CoverageBrief, coverage_brief
from laosp.reports.fonts import MissingLaoFont, find_lao_font
from laosp.reports.projection import ProjectionBrief, projection_brief
from laosp.reports.render import coverage_report, projection_report
from laosp.rules.pack import load_pack
from tests.indicators.registry_builder import AT, reference_registry
from tests.reports.helpers import control_characters, pdf_text, squeezed


@pytest.fixture(scope="module")
def brief() -> CoverageBrief:
    return coverage_brief(reference_registry().frames(), AT, pack=load_pack())


@pytest.fixture(scope="module")
def pdfs(brief: CoverageBrief) -> dict[Lang, bytes]:
    return {lang: coverage_report(brief, lang, "pdf") for lang in ("lo", "en")}


def test_the_pdf_opens_with_its_language_and_title(pdfs: dict[Lang, bytes]) -> None:
    import io

    for lang, data in pdfs.items():
        assert data.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(data))
        assert len(reader.pages) >= 1
        assert reader.trailer["/Root"]["/Lang"] == lang
    assert PdfReader(io.BytesIO(pdfs["en"])).metadata.title == "Social protection coverage brief"


def test_english_brief_text(pdfs: dict[Lang, bytes]) -> None:
    text = pdf_text(pdfs["en"])
    for expected in (
        "Social protection coverage brief",
        "National",
        "30/06/2025",  # DD/MM/YYYY
        "60.0%",  # SDG 1.3.1: 9 of 15
        "46.7%",  # health: 7 of 15
        "Savannakhet",
        "Attapeu",
        "Women",
        "25-54 years",
        "Eligible, not enrolled",
        "Source: laosp registry",
    ):
        assert expected in text, expected


def test_lao_brief_text_reads_back(pdfs: dict[Lang, bytes]) -> None:
    text = squeezed(pdf_text(pdfs["lo"]))
    for expected in (
        "ບົດສະຫຼຸບການຄຸ້ມຄອງການປົກປ້ອງສັງຄົມ",
        "ທົ່ວປະເທດ",
        "ວັນທີອ້າງອີງ:30/06/2025",
        "60,0%",  # the Lao decimal comma
        "46,7%",
        "ສະຫວັນນະເຂດ",
        "ອັດຕະປື",
        "ຜູ້ທີ່ຍັງຕົກຫຼົ່ນ",
        "ບໍ່ມີການຄຸ້ມຄອງໃດໆ",
        *(item.label_lo for item in INDICATORS),
    ):
        assert squeezed(expected) in text, expected
    assert "Population covered" not in text
    assert not control_characters(pdfs["lo"])


def test_province_brief_shows_its_districts() -> None:
    brief = coverage_brief(reference_registry().frames(), AT, "13", pack=load_pack())
    text = pdf_text(coverage_report(brief, "en", "pdf"))
    assert "Province Savannakhet" in text
    assert "Coverage by district" in text
    assert "Attapeu" not in text


@pytest.fixture(scope="module")
def comparison() -> ProjectionBrief:
    results = [
        run_projection(load_scenario(name, load_pack()), end_year=2040)
        for name in ("lao_default", "social_pension_65")
    ]
    return projection_brief(results)


def test_projection_brief_in_both_languages(comparison: ProjectionBrief) -> None:
    assert comparison.key_years == [2025, 2030, 2035, 2040]
    default = comparison.scenarios[0].at(2030)
    english = pdf_text(projection_report(comparison, "en", "pdf"))
    for expected in (
        "Social protection financing brief",
        "Scenario against scenario",
        f"{default.spending_pct_gdp:.1f}%",
        f"{default.spending_lak / 1e9:,.1f} bn LAK",
        "Current schemes, current policy",  # the scenarios by their titles
        "Universal social pension at 65",
    ):
        assert expected in english, expected
    assert "lao_default" not in english
    assert "social_pension_65" not in english
    lao = squeezed(pdf_text(projection_report(comparison, "lo", "pdf")))
    assert squeezed("ລະບົບປະຈຸບັນ, ນະໂຍບາຍປະຈຸບັນ") in lao
    assert "lao_default" not in lao
    lao_amount = f"{default.spending_lak / 1e9:,.1f}".translate(str.maketrans(",.", ".,"))
    for expected in ("ບົດສະຫຼຸບການສະໜອງທຶນການປົກປ້ອງສັງຄົມ", "ປຽບທຽບສະຖານະການ", f"{lao_amount}ຕື້ກີບ"):
        assert squeezed(expected) in lao, expected


def test_missing_font_names_the_font_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(MissingLaoFont, match="--font"):
        find_lao_font(tmp_path / "none.ttf")


def test_without_the_packaged_font_the_error_says_how_to_install_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from laosp.reports import fonts

    monkeypatch.setattr(fonts, "_packaged", lambda: None)
    with pytest.raises(MissingLaoFont, match="fonts-lao") as error:
        find_lao_font(system=[tmp_path / "Phetsarath_OT.ttf"])
    assert "justmytype-intl-sea" in str(error.value)


def test_reference_date_is_in_the_footer_of_every_page(brief: CoverageBrief) -> None:
    import io

    data = coverage_report(brief, "en", "pdf")
    pages = PdfReader(io.BytesIO(data)).pages
    assert all("Reference date: 30/06/2025" in page.extract_text() for page in pages)
    assert dt.date(2025, 6, 30) == AT
