"""The errors a policy pack can have, each naming the place it was found."""

from __future__ import annotations

from pathlib import Path


class PackError(Exception):
    """A policy pack (or a scenario file) is invalid; the message names file, line and item."""

    def __init__(
        self,
        message: str,
        *,
        file: Path | str | None = None,
        line: int | None = None,
        name: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.line = line
        self.name = name
        self.reason = message
        place = ""
        if self.file is not None:
            place = self.file + (f":{line}" if line is not None else "")
        if name:
            place = f"{place} [{name}]" if place else f"[{name}]"
        super().__init__(f"{place}: {message}" if place else message)


class InputError(ValueError):
    """The registry frames hold a value the pack cannot use (a code missing from a lookup
    table); the message names the output, the field, the value and the first unit."""
