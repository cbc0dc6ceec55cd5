"""The Lao font the PDF briefs are typeset in.

Lao needs a font with Lao glyphs and OpenType mark positioning (vowels above and below,
tone marks stacked over them); fpdf2 shapes the text with HarfBuzz. The first font found
is used: Noto Sans Lao from the ``justmytype-intl-sea`` package (a declared dependency,
so every installation has it and every machine typesets the same), then the system's
Lao fonts (Debian: ``fonts-lao``, ``fonts-noto-core``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

PACKAGED_FONT = ("justmytype_intl_sea", "fonts/ofl/notosanslao/NotoSansLao[wdth,wght].ttf")
SYSTEM_FONTS = (
    Path("/usr/share/fonts/truetype/noto/NotoSansLao-Regular.ttf"),
    Path("/usr/share/fonts/truetype/lao/Phetsarath_OT.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSansLaoUI-Regular.ttf"),
)


class MissingLaoFont(RuntimeError):  # noqa: N818 (reads as the condition)
    """No font with Lao glyphs was found."""


@dataclass(frozen=True)
class LaoFont:
    path: Path
    #: A variable font (``wght`` axis): bold is an instance of it, not a second file.
    variable: bool


def _packaged() -> Path | None:
    package, relative = PACKAGED_FONT
    try:
        font = resources.files(package).joinpath(relative)
    except ModuleNotFoundError:
        return None
    return Path(str(font)) if font.is_file() else None


def candidates(explicit: Path | None = None, system: Sequence[Path] = SYSTEM_FONTS) -> list[Path]:
    """The font files to try, in order."""
    found: list[Path | None] = [explicit, _packaged(), *system]
    return [path for path in found if path is not None]


def find_lao_font(explicit: Path | None = None, system: Iterable[Path] = SYSTEM_FONTS) -> LaoFont:
    """The first Lao font that exists; ``explicit`` (``--font``) must exist if given."""
    if explicit is not None and not explicit.is_file():
        raise MissingLaoFont(f"--font {explicit}: no such font file")
    for path in candidates(explicit, tuple(system)):
        if path.is_file():
            return LaoFont(path, variable="[" in path.name and "wght" in path.name)
    raise MissingLaoFont(
        "no Lao font found for the PDF: the package justmytype-intl-sea (Noto Sans Lao) is "
        "missing from this environment (run `make setup`, or `uv sync`), and no system Lao "
        "font is installed (Debian/Ubuntu: `apt-get install fonts-lao` for Phetsarath OT, "
        "or `fonts-noto-core` for Noto Sans Lao); or pass --font FILE.ttf. "
        f"Looked for: {', '.join(str(p) for p in candidates(None, tuple(system)))}"
    )
