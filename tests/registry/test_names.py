"""Search normalisation of names in Lao script and romanised."""

from __future__ import annotations

import pytest

from laosp.registry.names import name_key, normalise, roman_fold, search_tokens


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ສົມພອນ", "ສົມພ່ອນ"),  # tone mark left out
        ("SOMPHONE", "Somphone"),  # case
        ("Phommasone", "Phommasône"),  # Latin diacritics
        ("ຫລວງ", "ຫຼວງ"),  # subscript lo vs two letters
        ("ສະຫນາມ", "ສະໜາມ"),  # ho-no ligature
        ("ນໍ້າ", "ນ້ຳ"),  # nikhahit + aa typed apart, tone in between
        ("ບ້ານ ໑໒", "ບ້ານ 12"),  # Lao digits
        ("Bounmy  Phommasone", " Bounmy\u200bPhommasone-"),  # spaces, ZWSP, punctuation
    ],
)
def test_variants_normalise_alike(typed: str, stored: str) -> None:
    assert normalise(typed).replace(" ", "") == normalise(stored).replace(" ", "")


def test_vowel_signs_are_kept() -> None:
    assert normalise("ສົມ") != normalise("ສມ")


def test_name_key_joins_given_and_family_names() -> None:
    assert name_key(" Bounmy ", "PHOMMASÔNE") == "bounmy phommasone"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Phommasone", "Pommason"),
        ("Xaysetha", "Saysetha"),
        ("Souksavanh", "Suksavanh"),
        ("Vongsaa", "Wongsa"),
        ("Sanamxay", "Sanamsai"),
    ],
)
def test_roman_fold_equates_romanisation_variants(one: str, other: str) -> None:
    assert roman_fold(one) == roman_fold(other)


def test_roman_fold_leaves_lao_script_alone() -> None:
    assert roman_fold("ສົມພ່ອນ") == normalise("ສົມພ່ອນ")


def test_search_tokens() -> None:
    assert search_tokens("  Somphone  ພົມມະສ່ອນ ") == ["somphone", "ພົມມະສອນ"]
    assert search_tokens("   ") == []
