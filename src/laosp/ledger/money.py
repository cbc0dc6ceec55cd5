"""Amounts as Lao officers read them: whole kip with thousands separators."""

from __future__ import annotations


def format_kip(amount: int) -> str:
    """``150000`` → ``"150,000 ກີບ (LAK)"``."""
    return f"{amount:,} ກີບ (LAK)"
