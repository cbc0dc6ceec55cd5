"""The briefs' wording (the ``reports`` message catalogue) with the dashboard's numbers,
money and dates (``laosp.presentation.i18n``), so a brief reads like the dashboard.

The Lao wording should be reviewed by a native-speaking officer.
"""

from __future__ import annotations

from dataclasses import dataclass

from laosp.presentation.i18n import Formatter, Lang


@dataclass(frozen=True)
class Words(Formatter):
    """The dashboard's formatter with the briefs' wording added."""

    def age_group(self, group: str) -> str:
        return f"{group} {self('years')}"

    def place(self, names: tuple[str, str]) -> str:
        return self.pair(*names)


def words(lang: Lang) -> Words:
    return Words(lang)
