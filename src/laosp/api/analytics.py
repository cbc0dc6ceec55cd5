"""Indicators, gap lists and projections computed once and kept for a while.

Computing coverage over the whole registry takes seconds at national scale, so each app
keeps the results per reference date (and per projection pair) for
``Settings.dashboard_cache_seconds``, at most ``Settings.analytics_cache_entries`` of them
(one coverage of the national registry holds tens of MiB: the least recently used is
dropped); ``clear`` (the refresh button, admins only) drops them at once. Each key has
its own lock: two dates compute in parallel, one date computes once.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
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
    gap list (it holds names: show it only through ``laosp.access.roles``); ``left_out``
    the persons eligible for a scheme they are not enrolled in, each once
    (``laosp.indicators.gaps.left_out_persons``: ``person_id, province, district``, the
    same count as the briefs'); ``units`` what each scheme's gap line counts (``person``
    or ``household``); ``schemes`` is the pack's catalogue, for the schemes' names."""

    at: dt.date
    computed_at: dt.datetime
    national: pl.DataFrame
    by_province: pl.DataFrame
    by_district: pl.DataFrame
    gaps: pl.DataFrame
    left_out: pl.DataFrame
    units: Mapping[str, str]
    schemes: Mapping[str, Scheme]


@dataclass(frozen=True)
class Projections:
    default: ProjectionResult
    policy: ProjectionResult
    computed_at: dt.datetime


def compute_coverage(engine: Engine, pack: Pack, at: dt.date) -> Coverage:
    from laosp.indicators.engine import compute_indicators
    from laosp.indicators.frames import from_snapshot
    from laosp.indicators.gaps import (
        evaluate_eligibility,
        gap_list,
        left_out_persons,
        scheme_units,
    )
    from laosp.registry.snapshot import TABLES, load_snapshot

    frames = from_snapshot(
        load_snapshot(engine, TABLES, include=("given_name", "family_name"), at=at)
    )

    def indicators(by: tuple[str, ...]) -> pl.DataFrame:
        return compute_indicators(frames, at, by, pack=pack, inequality=True)

    eligibility = evaluate_eligibility(pack, frames, at)
    listed = gap_list(frames, at, eligibility, pack=pack)
    units = scheme_units(pack)
    return Coverage(
        at=at,
        computed_at=dt.datetime.now(dt.UTC),
        national=indicators(()),
        by_province=indicators(("province",)),
        by_district=indicators(("district",)),
        gaps=listed,
        left_out=left_out_persons(listed, frames, at, units),
        units=units,
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
    """Results kept per key for ``ttl_seconds``, at most ``max_entries`` of them (the
    least recently used dropped first), computed from ``engine``'s registry under the
    app's ``pack``. Thread-safe: ``_lock`` guards the tables only, never a computation;
    a computation holds its key's lock, so one key computes once while others proceed."""

    def __init__(self, engine: Engine, pack: Pack, ttl_seconds: int, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.engine = engine
        self.pack = pack
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[object, tuple[float, object]] = OrderedDict()
        self._computing: dict[object, threading.Lock] = {}
        #: Raised by ``clear``: a computation begun before it does not keep its result.
        self._generation = 0

    def _fresh(self, key: object) -> tuple[float, object] | None:
        """The entry of ``key`` if still fresh, marked as just used (hold ``_lock``)."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry[0] >= self.ttl_seconds:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def _keep(self, key: object, value: object) -> None:
        """Store ``value`` under ``key``, dropping the least recently used beyond the
        bound (hold ``_lock``)."""
        self._entries[key] = (time.monotonic(), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def _get(self, key: object, compute: Callable[[], T]) -> T:
        with self._lock:
            entry = self._fresh(key)
            if entry is not None:
                return entry[1]  # type: ignore[return-value]
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                entry = self._fresh(key)
                if entry is not None:
                    return entry[1]  # type: ignore[return-value]
                generation = self._generation
            try:
                value = compute()
                with self._lock:
                    if generation == self._generation and self.ttl_seconds > 0:
                        self._keep(key, value)
            finally:
                with self._lock:
                    if self._computing.get(key) is key_lock:
                        del self._computing[key]
            return value

    def cached(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()`` kept under ``key`` like the coverage (e.g. a report's figures)."""
        return self._get(key, compute)

    def coverage(self, at: dt.date) -> Coverage:
        return self._get(("coverage", at), lambda: compute_coverage(self.engine, self.pack, at))

    def projections(self, policy: str) -> Projections:
        return self._get(("projection", policy), lambda: compute_projections(self.pack, policy))

    def keys(self) -> list[object]:
        """The keys kept, least recently used first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
