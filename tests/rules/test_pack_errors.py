"""A pack with an error is rejected at load time with a message naming the place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from laosp.rules.errors import PackError
from laosp.rules.pack import BUNDLED, load_pack


def _pack(tmp_path: Path, rule_file: str, text: str) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(BUNDLED, root)
    (root / "rules" / rule_file).write_text(text, encoding="utf-8")
    return root


def _rule(formula: str, entity: str = "person", kind: str = "bool") -> str:
    return (
        f"namespace: test\noutputs:\n  x:\n    entity: {entity}\n    type: {kind}\n"
        f"    formula: {formula}\n"
    )


@pytest.mark.parametrize(
    ("formula", "kind", "message"),
    [
        ("pregnant_month > 3", "bool", "unknown field or output 'pregnant_month'"),
        ("$mecg.benefit > 3", "bool", "unknown parameter $mecg.benefit"),
        ("pregnant + 1", "int", "type mismatch"),
        ('if pregnant then 1 else "a"', "int", "type mismatch"),
        ('sex == "X"', "bool", "'X' is not a code of sex"),
        ("earnings_monthly > 1", "money", "type mismatch: declared money"),
        ("sum(earnings_monthly) > 0", "bool", "use it in a household rule"),
        ("pregnant and (", "bool", "cannot parse"),
    ],
)
def test_formula_errors_name_file_line_and_output(
    tmp_path: Path, formula: str, kind: str, message: str
) -> None:
    root = _pack(tmp_path, "test.yaml", _rule(formula, kind=kind))
    with pytest.raises(PackError) as error:
        load_pack(root)
    text = str(error.value)
    assert message in text
    assert "test.yaml:6" in text
    assert "[test.x]" in text


def test_cycle_between_outputs_is_reported(tmp_path: Path) -> None:
    text = (
        "namespace: test\noutputs:\n  a:\n    type: bool\n    formula: test.b\n"
        "  b:\n    type: bool\n    formula: not test.a\n"
    )
    with pytest.raises(PackError, match="cycle between outputs") as error:
        load_pack(_pack(tmp_path, "test.yaml", text))
    assert "test.yaml:" in str(error.value)


def test_parameter_without_value_at_scheme_start(tmp_path: Path) -> None:
    # MECG starts 2021-06-18; a rule of it reading the CCT amount (from 2025) cannot work
    root = _pack(
        tmp_path,
        "mecg_extra.yaml",
        "namespace: mecg\noutputs:\n  extra:\n    type: money\n    formula: $cct.benefit_monthly\n",
    )
    with pytest.raises(PackError, match=r"\$cct.benefit_monthly has no value at 2021-06-18") as e:
        load_pack(root)
    assert "mecg_extra.yaml:5" in str(e.value)


def test_parameter_value_errors_name_the_line(tmp_path: Path) -> None:
    root = _pack(tmp_path, "test.yaml", _rule("true"))
    (root / "parameters" / "bad.yaml").write_text(
        "bad.rate:\n  values:\n    - {date: 2020-01-01, value: 1, status: guessed, reference: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="status must be one of") as error:
        load_pack(root)
    assert "bad.yaml:3" in str(error.value)
    assert "[bad.rate]" in str(error.value)


def test_lookup_must_cover_every_code(tmp_path: Path) -> None:
    root = _pack(tmp_path, "test.yaml", _rule("true"))
    (root / "parameters" / "bad.yaml").write_text(
        "bad.copay:\n  key: facility_level\n  values:\n    - date: 2020-01-01\n"
        "      value: {district: 1}\n      status: confirmed\n      reference: x\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="needs exactly the codes"):
        load_pack(root)


def test_bundled_pack_loads() -> None:
    pack = load_pack()
    assert pack.schemes["child_grant"].status == "proposed"
    assert ("mecg.benefit_monthly", "household") in pack.outputs


def test_unknown_scheme_kind_is_reported_at_its_line(tmp_path: Path) -> None:
    root = tmp_path / "pack"
    shutil.copytree(BUNDLED, root)
    schemes = root / "schemes.yaml"
    text = schemes.read_text(encoding="utf-8")
    schemes.write_text(text.replace("kind: contributory", "kind: contributary", 1), "utf-8")
    with pytest.raises(PackError, match="kind must be one of") as error:
        load_pack(root)
    line = text.splitlines().index("    kind: contributory") + 1
    assert f"schemes.yaml:{line}" in str(error.value)
    assert "[nssf_private]" in str(error.value)


def _schemes(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "pack"
    shutil.copytree(BUNDLED, root)
    file = root / "schemes.yaml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "eligibility: mecg.eligible",
            "eligibility: mecg.eligibel",
            "eligibility output 'mecg.eligibel' is not a person output",
        ),
        (
            "eligibility: cct.eligible",
            "eligibility: mecg.eligible",
            "eligibility output 'mecg.eligible' is not a household output",
        ),
        (
            "amount: mecg.benefit_monthly",
            "amount: mecg.eligible",
            "amount output 'mecg.eligible' is bool, not money",
        ),
        (
            "eligibility: {output: nssf.scheme, equals: private}",
            "eligibility: nssf.scheme",
            "a code output needs `equals`",
        ),
        (
            "payment_every_months: mecg.payment_every_months",
            "payment_every_months: mecg.every",
            "unknown parameter 'mecg.every'",
        ),
        ("payment_every_months: 1", "payment_every_months: 0", "a number of months"),
    ],
)
def test_a_scheme_naming_a_wrong_output_is_rejected(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(PackError, match=r"schemes\.yaml") as error:
        load_pack(_schemes(tmp_path, old, new))
    assert message in str(error.value)


def test_the_pack_digest_changes_with_any_file(tmp_path: Path) -> None:
    root = _schemes(tmp_path, "name_lo: ບໍານານສັງຄົມ", "name_lo: ບໍານານ")
    assert load_pack(root).digest != load_pack().digest
    assert load_pack().digest == load_pack(BUNDLED).digest
