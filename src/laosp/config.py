"""Settings: one object, built once at start-up and passed to whatever needs it.

Every field is documented in ``docs/SETTINGS.md``; a test keeps that table complete.
Values come from ``LAOSP_*`` environment variables, then an optional TOML/env file
named by ``LAOSP_CONFIG_FILE`` (dotenv format), then the defaults below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///laosp.db"


class Settings(BaseSettings):
    """Runtime settings of laosp."""

    model_config = SettingsConfigDict(env_prefix="LAOSP_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the registry database; a SQLite file in the working "
        "directory by default, a postgresql+psycopg:// URL in production.",
    )
    pack_dir: Path | None = Field(
        default=None,
        description="Folder of the policy pack to use; the bundled Lao pack when unset.",
    )
    echo_sql: bool = Field(default=False, description="Log every SQL statement (debugging).")
    secret_key: str | None = Field(
        default=None,
        description="Key that signs session tokens of the API; required to serve the API, "
        "never stored in the repository.",
    )
    session_hours: int = Field(
        default=12, ge=1, description="Hours a sign-in (API token or dashboard cookie) lasts."
    )
    signin_max_failures_per_user: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins of one username (since its last success) after which "
        "its sign-in is locked for `signin_lock_minutes`.",
    )
    signin_max_failures_per_address: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins from one network address after which sign-in from it "
        "is locked for `signin_lock_minutes`.",
    )
    signin_lock_minutes: int = Field(
        default=15, ge=1, description="Minutes a sign-in lock (and its failure window) lasts."
    )
    session_file: Path = Field(
        default=Path.home() / ".config" / "laosp" / "session",
        description="File where `laosp login` keeps the CLI's session token (mode 0600); "
        "`LAOSP_TOKEN` in the environment takes precedence (scheduled jobs).",
    )
    small_cell_threshold: int = Field(
        default=3,
        ge=1,
        description="Aggregates counted over fewer persons than this are suppressed for "
        "roles that may not see small cells (analysts, auditors).",
    )
    dashboard_cache_seconds: int = Field(
        default=900,
        ge=0,
        description="Seconds the dashboard keeps computed indicators, gaps and projections "
        "before recomputing them (0: recompute on every request).",
    )
    analytics_cache_entries: int = Field(
        default=8,
        ge=1,
        description="Most results (reference dates, projection pairs, report figures) the "
        "analytics cache keeps; the least recently used is dropped first.",
    )
    api_max_body_bytes: int = Field(
        default=1_048_576,
        ge=1,
        description="Largest request body (bytes) the API reads; a larger one is refused "
        "with 413 before it is parsed.",
    )
    max_members_per_household: int = Field(
        default=50, ge=1, description="Most members one household of the registry may have."
    )
    max_extra_bytes: int = Field(
        default=8192,
        ge=2,
        description="Largest `extra` object (bytes of compact UTF-8 JSON) of one household "
        "or person.",
    )
    import_max_bytes: int = Field(
        default=100_000_000,
        ge=1,
        description="Largest file (bytes) `registry import`, `enrolment import` and "
        "`registry add-household` read.",
    )
    import_max_rows: int = Field(
        default=500_000,
        ge=1,
        description="Most data rows (the header not counted) an imported file may hold.",
    )
    import_max_columns: int = Field(
        default=100, ge=1, description="Most columns an imported file may hold."
    )
    import_max_xlsx_uncompressed_bytes: int = Field(
        default=500_000_000,
        ge=1,
        description="Most bytes an imported XLSX may unpack to (its zip entries together), "
        "and most bytes of text its cells may expand to.",
    )
    import_max_xlsx_compression_ratio: int = Field(
        default=100,
        ge=1,
        description="Highest compression ratio of one entry of an imported XLSX "
        "(uncompressed / compressed, for entries over 1 MB); above it the file is a "
        "decompression bomb.",
    )
    import_max_xlsx_entries: int = Field(
        default=10_000,
        ge=1,
        description="Most entries (parts) the zip of an imported XLSX may hold; a real "
        "workbook has a few dozen.",
    )


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from explicit overrides (``None`` means "not given"), the
    environment, and the file named by ``LAOSP_CONFIG_FILE``."""
    clean: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
    env_file = os.environ.get("LAOSP_CONFIG_FILE")
    if env_file:
        clean["_env_file"] = env_file
    return Settings(**clean)
