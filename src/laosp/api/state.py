"""What one app holds: its settings, its one engine, its token signer, its cache."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from laosp.api.analytics import AnalyticsCache
from laosp.api.tokens import TokenSigner
from laosp.config import Settings
from laosp.registry.validation import InputLimits


@dataclass(frozen=True)
class AppState:
    settings: Settings
    engine: Engine
    signer: TokenSigner
    analytics: AnalyticsCache
    limits: InputLimits
