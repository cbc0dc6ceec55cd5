"""The one way the policy pack in use is found, at the edge (a CLI command, the API app,
the demo): an explicit folder (``--pack``), else ``Settings.pack_dir``
(``LAOSP_PACK_DIR``), else the bundled Lao pack. Everything below the edge receives the
loaded ``Pack`` as an argument and never loads one itself."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from laosp.cli_common import fail, settings_for
from laosp.rules.errors import PackError

if TYPE_CHECKING:
    from laosp.config import Settings
    from laosp.rules.pack import Pack, Scheme

PackOption = Annotated[
    Path | None,
    typer.Option(
        "--pack",
        help="Policy pack folder (default: $LAOSP_PACK_DIR, else the bundled Lao pack).",
        show_default=False,
    ),
]


def pack_of(settings: Settings, folder: Path | None = None) -> Pack:
    """The pack ``folder`` names, else the one the settings name, else the bundled one;
    a ``PackError`` (saying which file and why) when it does not load."""
    from laosp.rules.pack import load_pack  # Polars: loaded by the commands that need it

    return load_pack(folder if folder is not None else settings.pack_dir)


def pack_for(db: str | None = None, folder: Path | None = None) -> Pack:
    """A CLI command's pack (see :func:`pack_of`); one that does not load is a clean
    message and exit status 2, not a traceback."""
    try:
        return pack_of(settings_for(db), folder)
    except PackError as error:
        raise fail(f"policy pack: {error}", 2) from None


def scheme_code(pack: Pack, code: str, option: str = "--scheme") -> Scheme:
    """The scheme ``code`` of the pack; a usage error (exit 2) listing the pack's codes
    otherwise."""
    scheme = pack.schemes.get(code)
    if scheme is None:
        known = ", ".join(pack.schemes)
        raise fail(f"{option}: {code!r} is not a scheme of the policy pack (known: {known})", 2)
    return scheme
