"""A list's page on the dashboard: "1–50 of 312" and the links to the pages before and
after, the other parameters of the address kept as they were."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode


def _with_offset(path: str, query: str, offset: int) -> str:
    kept = [(key, value) for key, value in parse_qsl(query, keep_blank_values=True)]
    kept = [(key, value) for key, value in kept if key != "offset"]
    if offset > 0:
        kept.append(("offset", str(offset)))
    return f"{path}?{urlencode(kept)}" if kept else path


def pager(path: str, query: str, total: int, limit: int, offset: int) -> dict[str, Any]:
    """``first`` and ``last`` (1-based, ``first`` 0 for an empty page) of ``total``, and the
    addresses of the previous and next pages (``None`` at either end)."""
    last = min(offset + limit, total)
    first = offset + 1 if last > offset else 0
    previous = _with_offset(path, query, max(0, offset - limit)) if offset > 0 else None
    following = _with_offset(path, query, offset + limit) if offset + limit < total else None
    return {"first": first, "last": last, "total": total, "previous": previous, "next": following}
