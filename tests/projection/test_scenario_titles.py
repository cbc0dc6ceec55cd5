"""Every shipped scenario has a title in English and in Lao, which the pages show instead
of its id (``lao_default``)."""

from __future__ import annotations

import re

from laosp.projection.loading import shipped_scenario_infos
from laosp.projection.scenario import ScenarioInfo

LAO = re.compile(r"[\u0e80-\u0eff]")


def test_every_shipped_scenario_is_titled_in_both_languages() -> None:
    infos = shipped_scenario_infos()
    assert set(infos) == {
        "lao_default",
        "social_pension_65",
        "child_grant_u3",
        "extend_voluntary_ss",
    }
    for name, info in infos.items():
        english, lao = info.titles
        assert info.name == name
        assert english, name
        assert not LAO.search(english), name
        assert LAO.search(lao), name
        assert not re.search(r"[A-Za-z]", lao), name
    assert infos["lao_default"].label("en") == "Current schemes, current policy"
    assert infos["lao_default"].label("lo") == "ລະບົບປະຈຸບັນ, ນະໂຍບາຍປະຈຸບັນ"


def test_a_title_in_one_language_reads_in_both_and_no_title_gives_the_id() -> None:
    one = ScenarioInfo(name="mine", title="My scenario", base_year=2025, end_year=2030)
    assert one.titles == ("My scenario", "My scenario")
    bare = ScenarioInfo(name="mine", base_year=2025, end_year=2030)
    assert bare.label("lo") == bare.label("en") == "mine"
    split = ScenarioInfo(name="x", title="A / B test / ກ", base_year=2025, end_year=2030)
    assert split.titles == ("A / B test", "ກ")
