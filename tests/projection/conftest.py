from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from laosp.projection.loading import shipped_scenarios_dir
from laosp.rules.pack import Pack, load_pack

#: The bundled policy pack, loaded once for the projection tests (the CLI loads it at
#: its edge; the library takes it as an argument).
PACK = load_pack()


@pytest.fixture
def pack() -> Pack:
    return PACK


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a scenario file next to a copy of the shipped ones; return its path."""
    for shipped in shipped_scenarios_dir().glob("*.yaml"):
        (tmp_path / shipped.name).write_text(shipped.read_text("utf-8"), "utf-8")

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, "utf-8")
        return path

    return write
