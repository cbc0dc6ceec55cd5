"""Every parameter of the Lao pack says what it is in English and in Lao: the pages show
that instead of its name (``mecg.benefit_monthly``)."""

from __future__ import annotations

import re

from laosp.rules.pack import load_pack

LAO = re.compile(r"[\u0e80-\u0eff]")


def test_every_parameter_is_described_in_both_languages() -> None:
    pack = load_pack()
    assert pack.parameters
    for name, parameter in pack.parameters.items():
        assert parameter.description, name
        assert not LAO.search(parameter.description), name
        assert LAO.search(parameter.description_lo), name
        assert parameter.label("lo") == parameter.description_lo
        assert parameter.label("en") == parameter.description
    grant = pack.parameters["mecg.benefit_monthly"]
    assert grant.label("en") == "Grant per eligible mother or child per month"
    assert grant.label("lo") == "ເງິນອຸດໜູນຕໍ່ແມ່ ຫຼື ເດັກທີ່ມີສິດ ຕໍ່ເດືອນ"
