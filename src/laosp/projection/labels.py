"""Column headings of the projection's tables and workbooks, English over Lao, from the
``workbooks`` message catalogue (keys ``workbook.column.<column>``)."""

from __future__ import annotations

from laosp.presentation.i18n import Formatter

PREFIX = "workbook.column."


def known(column: str) -> bool:
    return Formatter("en")(PREFIX + column) != PREFIX + column


def label(column: str) -> str:
    """``Year / ປີ``; a column the catalogue does not name keeps its name."""
    if not known(column):
        return column
    return both(PREFIX + column)


def both(key: str) -> str:
    """Any catalogue key's words, English / Lao."""
    return f"{Formatter('en')(key)} / {Formatter('lo')(key)}"
