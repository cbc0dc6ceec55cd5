"""Indicators, gap lists and projections computed once and kept for a while.

Computing coverage over the whole registry takes seconds at national scale, so each app
keeps the results per reference date (and per projection pair) for
``Settings.dashboard_cache_seconds``; ``clear`` (the dashboard's refresh button) drops
them at once.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import polars as pl
from sqlalchemy import Engine

from laosp.projection.result import ProjectionResult
from laosp.rules.pack import Pack, Scheme

DEFAULT_SCENARIO = "lao_default"
PROJECTION_END_YEAR = 2040

T = TypeVar("T")


@dataclass(frozen=True)
class Coverage:
    """Coverage at ``at``: indicators nationally, by province and by district, and the
    gap list (it holds names: show it only through ``laosp.api.access``); ``schemes``
    is the pack's catalogue, for the schemes' names."""

    at: dt.date
    computed_at: dt.datetime
    national: pl.DataFrame
    by_province: pl.DataFrame
    by_district: pl.DataFrame
    gaps: pl.DataFrame
    schemes: Mapping[str, Scheme]


@dataclass(frozen=True)
class Projections:
    default: ProjectionResult
    policy: ProjectionResult
    computed_at: dt.datetime


def compute_coverage(engine: Engine, pack: Pack, at: dt.date) -> Coverage:
    from laosp.indicators.engine import compute_indicators
    from laosp.indicators.frames import from_snapshot
    from laosp.indicators.gaps import evaluate_eligibility, gap_list
    from laosp.registry.snapshot import TABLES, load_snapshot

    frames = from_snapshot(
        load_snapshot(engine, TABLES, include=("given_name", "family_name"), at=at)
    )

    def indicators(by: tuple[str, ...]) -> pl.DataFrame:
        return compute_indicators(frames, at, by, pack=pack, inequality=True)

    eligibility = evaluate_eligibility(pack, frames, at)
    return Coverage(
        at=at,
        computed_at=dt.datetime.now(dt.UTC),
        national=indicators(()),
        by_province=indicators(("province",)),
        by_district=indicators(("district",)),
        gaps=gap_list(frames, at, eligibility, pack=pack),
        schemes=dict(pack.schemes),
    )


def shipped_scenarios() -> list[str]:
    from laosp.projection.loading import shipped_scenarios_dir

    return sorted(path.stem for path in shipped_scenarios_dir().glob("*.yaml"))


def compute_projections(pack: Pack, policy: str) -> Projections:
    from laosp.projection.engine import run_projection
    from laosp.projection.loading import load_scenario

    def run(name: str) -> ProjectionResult:
        return run_projection(load_scenario(name, pack), end_year=PROJECTION_END_YEAR)

    return Projections(run(DEFAULT_SCENARIO), run(policy), dt.datetime.now(dt.UTC))


class AnalyticsCache:
    """Results kept per key for ``ttl_seconds`` (thread-safe: one computation per key),
    computed from ``engine``'s registry under the app's ``pack``."""

    def __init__(self, engine: Engine, pack: Pack, ttl_seconds: int) -> None:
        self.engine = engine
        self.pack = pack
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._entries: dict[object, tuple[float, object]] = {}

    def _get(self, key: object, compute: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and time.monotonic() - entry[0] < self.ttl_seconds:
                return entry[1]  # type: ignore[return-value]
            value = compute()
            self._entries[key] = (time.monotonic(), value)
            return value

    def cached(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()`` kept under ``key`` like the coverage (e.g. a report's figures)."""
        return self._get(key, compute)

    def coverage(self, at: dt.date) -> Coverage:
        return self._get(("coverage", at), lambda: compute_coverage(self.engine, self.pack, at))

    def projections(self, policy: str) -> Projections:
        return self._get(("projection", policy), lambda: compute_projections(self.pack, policy))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
