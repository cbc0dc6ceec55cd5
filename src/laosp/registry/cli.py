"""CLI commands of this domain (placeholder until the domain lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this domain's commands to ``app``."""
