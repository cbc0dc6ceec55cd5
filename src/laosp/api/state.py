"""What one app holds: its settings, its one engine, its policy pack (loaded once at
start-up from ``Settings.pack_dir``), its sign-in policy, its cache."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from laosp.access.signin import SignInPolicy
from laosp.api.analytics import AnalyticsCache
from laosp.config import Settings
from laosp.registry.validation import InputLimits
from laosp.rules.pack import Pack


@dataclass(frozen=True)
class AppState:
    settings: Settings
    engine: Engine
    pack: Pack
    signin: SignInPolicy
    analytics: AnalyticsCache
    limits: InputLimits
