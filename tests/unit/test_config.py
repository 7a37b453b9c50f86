"""Settings: read once from OVERSIGHT_*; bad configuration stops start-up with one clear line."""

from __future__ import annotations

import os

import pytest

from domain.config import (
    DEVELOPMENT_SECRET,
    ConfigurationError,
    Environment,
    LogFormat,
    load_settings,
)

GOOD_SECRET = "s" * 40


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in list(os.environ):
        if name.upper().startswith("OVERSIGHT_"):
            monkeypatch.delenv(name)


def refused(monkeypatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message, "one line, please"
    assert len(message) < 200
    return message


def test_defaults_are_a_local_sqlite_development_setup():
    settings = load_settings()
    assert settings.env is Environment.DEVELOPMENT
    assert settings.database_url == "sqlite:///./var/oversight.db"
    assert settings.is_sqlite
    assert settings.secret_key == DEVELOPMENT_SECRET
    assert settings.effective_log_format is LogFormat.CONSOLE


def test_production_reads_its_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("OVERSIGHT_ENV", "production")
    monkeypatch.setenv("OVERSIGHT_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("OVERSIGHT_DATABASE_URL", "postgresql+psycopg://u@db/oversight")
    monkeypatch.setenv("OVERSIGHT_ORG_NAME", "Leicestershire OPCC")
    settings = load_settings()
    assert settings.secret_key == GOOD_SECRET
    assert not settings.is_sqlite
    assert settings.org_name == "Leicestershire OPCC"
    assert settings.effective_log_format is LogFormat.JSON


def test_production_without_a_secret_stops_naming_the_secret(monkeypatch):
    message = refused(monkeypatch, OVERSIGHT_ENV="production")
    assert message.startswith("OVERSIGHT_SECRET_KEY")
    assert "production" in message


def test_production_with_a_short_secret_stops_naming_the_secret(monkeypatch):
    message = refused(monkeypatch, OVERSIGHT_ENV="production", OVERSIGHT_SECRET_KEY="short")
    assert message.startswith("OVERSIGHT_SECRET_KEY")
    assert "32" in message


@pytest.mark.parametrize(
    "url", ["mysql://db/x", "postgresql://u@db/x", "sqlite://", "not a url", ""]
)
def test_an_unsupported_database_url_stops_naming_the_variable(monkeypatch, url):
    message = refused(monkeypatch, OVERSIGHT_DATABASE_URL=url)
    assert message.startswith("OVERSIGHT_DATABASE_URL: ")
    assert "sqlite:///" in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OVERSIGHT_ENV", "staging"),
        ("OVERSIGHT_LOG_FORMAT", "xml"),
        ("OVERSIGHT_SESSION_HOURS", "0"),
        ("OVERSIGHT_SESSION_HOURS", "a day"),
        ("OVERSIGHT_SIGN_IN_LIMIT_PER_ACCOUNT", "-1"),
    ],
)
def test_any_bad_value_stops_naming_its_variable(monkeypatch, name, value):
    message = refused(monkeypatch, **{name: value})
    assert message.startswith(f"{name}: ")


def test_overrides_are_checked_like_the_environment():
    with pytest.raises(ConfigurationError, match=r"^OVERSIGHT_DATABASE_URL: "):
        load_settings(database_url="oracle://x")
    assert load_settings(env="production", secret_key=GOOD_SECRET).secret_key == GOOD_SECRET
