"""The message catalogues: every key in English and Lao, each key in one domain, and every
key the templates ask for present (a missing key would show the key itself on a page)."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from laosp.presentation import catalogues
from laosp.presentation.i18n import Formatter, words
from laosp.reference import codes

LAO_LETTER = re.compile(r"[\u0e80-\u0eff]")
#: Keys whose Lao text is rightly written in Latin letters (an acronym, a file format).
LATIN_IN_LAO = {"json"}
TEMPLATE_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*\)""")


def test_every_domain_is_in_both_languages_with_the_same_keys() -> None:
    english, lao = catalogues.domains("en"), catalogues.domains("lo")
    assert set(english) == set(lao)
    for domain in english:
        assert set(english[domain]) == set(lao[domain]), domain


@pytest.mark.parametrize("lang", catalogues.LANGS)
def test_no_key_is_in_two_domains_and_none_is_empty(lang: catalogues.Lang) -> None:
    merged = catalogues.messages(lang)
    assert len(merged) == sum(len(texts) for texts in catalogues.domains(lang).values())
    assert all(text.strip() for text in merged.values())


def test_lao_entries_are_written_in_lao() -> None:
    untranslated = {
        key
        for key, text in catalogues.messages("lo").items()
        if not LAO_LETTER.search(text) and key not in LATIN_IN_LAO
    }
    assert untranslated == set()


def test_english_entries_are_not_lao() -> None:
    assert {k for k, text in catalogues.messages("en").items() if LAO_LETTER.search(text)} == set()


def test_every_key_a_template_asks_for_is_in_the_catalogues() -> None:
    asked: set[str] = set()
    for entry in (resources.files("laosp.web") / "templates").iterdir():
        if entry.name.endswith(".html"):
            asked |= set(TEMPLATE_KEY.findall(entry.read_text(encoding="utf-8")))
    known = set(words("en"))
    assert asked - known == set()


def test_a_word_reads_in_the_chosen_language() -> None:
    assert Formatter("en")("overview") == "Overview"
    assert Formatter("lo")("overview") == "ພາບລວມ"
    assert Formatter("lo")("sex") == "ເພດ"


@pytest.mark.parametrize("lang", catalogues.LANGS)
def test_every_code_a_user_sees_has_a_name(lang: catalogues.Lang) -> None:
    known = catalogues.messages(lang)
    missing = {
        f"{code_list}.{code}"
        for code_list, code_values in codes.LABELLED.items()
        for code in code_values
        if f"{code_list}.{code}" not in known
    }
    assert missing == set()


def test_a_code_reads_as_its_name() -> None:
    assert Formatter("en").label("enrolment_status", "pending") == "Waiting for approval"
    assert Formatter("lo").label("grievance_status", "resolved") == "ແກ້ໄຂແລ້ວ"
    assert Formatter("lo").label("role", "district_officer") == "ພະນັກງານເມືອງ"
