"""Labels in English and Lao, and numbers, money and dates the way each reader writes them.

Convention (CLDR for ``lo`` and ``en``): Lao groups thousands with a dot and writes the
decimal comma (``1.234.567 ກີບ``, ``45,3%``); English groups with a comma
(``1,234,567 LAK``, ``45.3%``). Dates are DD/MM/YYYY in both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from laosp.presentation import catalogues
from laosp.presentation.catalogues import LANGS as LANGS
from laosp.presentation.catalogues import Lang as Lang
from laosp.reference import dictionary

DEFAULT_LANG: Lang = "lo"

#: The registry fields' labels, by field name, from the data dictionary.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    f.name: (f.label_en, f.label_lo)
    for f in (*dictionary.HOUSEHOLD_FIELDS, *dictionary.PERSON_FIELDS)
}


@cache
def words(lang: Lang) -> dict[str, str]:
    """Every key's words in ``lang``: the message catalogues and the fields' labels."""
    return catalogues.messages(lang) | {
        name: (lao if lang == "lo" else english) for name, (english, lao) in FIELD_LABELS.items()
    }


LAO_SEPARATORS = str.maketrans(",.", ".,")
KIP = {"en": "LAK", "lo": "ກີບ"}
BILLION = {"en": "bn LAK", "lo": "ຕື້ກີບ"}


def pick_lang(value: str | None) -> Lang:
    return "en" if value == "en" else DEFAULT_LANG


@dataclass(frozen=True)
class Formatter:
    """Labels and number formats of one language (used as ``t`` and ``f`` in templates)."""

    lang: Lang

    def __call__(self, key: str) -> str:
        return words(self.lang).get(key, key)

    def code(self, field: str, value: str | None) -> str:
        """The label of registry code ``value`` of ``field`` (``sex`` ``F`` → ຍິງ)."""
        return "—" if value is None else dictionary.code_label(field, value, self.lang)

    def label(self, code_list: str, code: str | None) -> str:
        """The name of ``code`` of a code list of ``laosp.reference.codes.LABELLED``
        (``label("enrolment_status", "active")`` → Active / ກຳລັງໄດ້ຮັບ)."""
        return "—" if code is None else words(self.lang).get(f"{code_list}.{code}", code)

    def pair(self, english: str | None, lao: str | None) -> str:
        return (lao if self.lang == "lo" else english) or english or lao or ""

    def _swap(self, text: str) -> str:
        if self.lang == "en":
            return text
        return text.translate(LAO_SEPARATORS)

    def number(self, value: int | float | None, decimals: int = 0) -> str:
        if value is None:
            return "—"
        return self._swap(f"{value:,.{decimals}f}")

    def kip(self, value: int | None) -> str:
        return "—" if value is None else f"{self.number(value)} {KIP[self.lang]}"

    def billions(self, value: int | float | None) -> str:
        return "—" if value is None else f"{self.number(value / 1e9, 1)} {BILLION[self.lang]}"

    def percent(self, ratio: float | None, decimals: int = 1) -> str:
        return "—" if ratio is None else f"{self.number(100 * ratio, decimals)}%"

    def percent_points(self, value: float | None) -> str:
        """A value already in percent (``1.6`` → ``1,6%`` in Lao)."""
        return "—" if value is None else f"{self.number(value, 1)}%"

    def date(self, value: dt.date | str | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        return value.strftime("%d/%m/%Y")

    def datetime(self, value: str) -> str:
        moment = dt.datetime.fromisoformat(value)
        return moment.strftime("%d/%m/%Y %H:%M") + " UTC"
