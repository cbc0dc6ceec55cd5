"""Settings come from the environment and are all documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from laosp.config import DEFAULT_DATABASE_URL, Settings, load_settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "SETTINGS.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name}`" in text, f"{name} is missing from docs/SETTINGS.md"
        assert f"`LAOSP_{name.upper()}`" in text


def test_environment_then_explicit_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAOSP_DATABASE_URL", raising=False)
    monkeypatch.delenv("LAOSP_CONFIG_FILE", raising=False)
    assert load_settings().database_url == DEFAULT_DATABASE_URL
    monkeypatch.setenv("LAOSP_DATABASE_URL", "sqlite:///from-env.db")
    assert load_settings().database_url == "sqlite:///from-env.db"
    assert load_settings(database_url="sqlite:///cli.db").database_url == "sqlite:///cli.db"
    assert load_settings(database_url=None).database_url == "sqlite:///from-env.db"


def test_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LAOSP_DATABASE_URL", raising=False)
    config = tmp_path / "laosp.env"
    config.write_text("LAOSP_DATABASE_URL=sqlite:///from-file.db\nLAOSP_ECHO_SQL=true\n")
    monkeypatch.setenv("LAOSP_CONFIG_FILE", str(config))
    settings = load_settings()
    assert settings.database_url == "sqlite:///from-file.db"
    assert settings.echo_sql is True
