"""The ``Content-Disposition`` of every download (gap lists, reports), built one way.

RFC 6266 with RFC 5987: ``filename="..."`` holds an ASCII fallback with nothing that
could end the quoted string or be decoded (quotes, backslashes, ``%``, controls become
``_``), and ``filename*=UTF-8''...`` the exact name, percent-encoded.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ascii_fallback(filename: str) -> str:
    return "".join(ch if " " <= ch <= "~" and ch not in '"\\%' else "_" for ch in filename)


def attachment(filename: str) -> dict[str, str]:
    """The headers that offer the response as a file named ``filename``."""
    exact = quote(filename, safe="", errors="backslashreplace")
    return {
        "Content-Disposition": (
            f"attachment; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{exact}"
        )
    }


def downloads(
    description: str, *media_types: str, or_json: bool = False
) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry of a 200 that is a file of one of ``media_types`` (or,
    with ``or_json``, a JSON object)."""
    content: dict[str, Any] = {"application/json": {}} if or_json else {}
    for media_type in media_types:
        content[media_type] = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": description, "content": content}}
