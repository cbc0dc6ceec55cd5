"""The user-facing words: gettext catalogues (``locale/<lang>/LC_MESSAGES/<domain>.po``)
read with Babel, one domain per area of the system (dashboard, reports, operations, ...).

A message id is a key (``grievance_queue``), its string the words in that language. Every
key is in exactly one domain and has both an English and a Lao entry
(``tests/test_catalogues.py``); a translator edits the ``.po`` files with any gettext tool.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal

from babel.messages.pofile import read_po

Lang = Literal["lo", "en"]
LANGS: tuple[Lang, ...] = ("lo", "en")
LOCALE = "locale"


class CatalogueError(ValueError):
    """A catalogue a release must not ship: a key in two domains, or an empty entry."""


def _catalogue_files(lang: Lang) -> list[Traversable]:
    folder = resources.files("laosp.presentation") / LOCALE / lang / "LC_MESSAGES"
    return sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".po")),
        key=lambda entry: entry.name,
    )


def domain_of(entry: Traversable) -> str:
    return entry.name.removesuffix(".po")


@cache
def domains(lang: Lang) -> dict[str, dict[str, str]]:
    """Each domain's words in ``lang``: ``{domain: {key: text}}``."""
    found: dict[str, dict[str, str]] = {}
    for entry in _catalogue_files(lang):
        with entry.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=domain_of(entry))
        found[domain_of(entry)] = {
            str(message.id): str(message.string) for message in catalog if message.id
        }
    return found


@cache
def messages(lang: Lang) -> dict[str, str]:
    """Every key's words in ``lang``, across the domains."""
    merged: dict[str, str] = {}
    for domain, texts in domains(lang).items():
        for key, text in texts.items():
            if key in merged:
                raise CatalogueError(f"{lang}: the key {key!r} is in two domains ({domain})")
            if not text:
                raise CatalogueError(f"{lang}/{domain}: the key {key!r} has no text")
            merged[key] = text
    return merged
