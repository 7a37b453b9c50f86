"""One settings class, read once: every OVERSIGHT_* variable the product understands."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-key-not-for-production"  # noqa: S105


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class LogFormat(StrEnum):
    CONSOLE = "console"
    JSON = "json"


class ConfigurationError(Exception):
    """Start-up must stop: the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSIGHT_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite:///./var/oversight.db"
    secret_key: str = ""
    org_name: str = "Office of the Police and Crime Commissioner"
    log_format: LogFormat | None = None
    node_modules: Path = PROJECT_ROOT / "node_modules"
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    sign_in_limit_per_account: int = Field(default=5, ge=1)
    sign_in_limit_per_ip: int = Field(default=20, ge=1)
    sign_in_limit_per_account_all_addresses: int = Field(default=50, ge=1)
    sign_in_window_minutes: int = Field(default=15, ge=1)
    # Complaint reviews (COMPLAINTS.md "Time" and "Personal data"): the local choices.
    complaint_target_rule: Literal["calendar", "working"] = "calendar"
    complaint_target_days: int = Field(default=28, ge=1, le=365)
    complaint_acknowledgement_working_days: int = Field(default=5, ge=0, le=60)
    complaint_update_interval_days: int = Field(default=28, ge=1, le=365)
    complaint_recommendation_response_days: int = Field(default=28, ge=1, le=365)
    personal_data_retention_years: int = Field(default=6, ge=1, le=100)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        return value

    @model_validator(mode="after")
    def _secret_outside_development(self) -> Settings:
        if not self.secret_key:
            if self.env is Environment.PRODUCTION:
                raise ValueError("OVERSIGHT_SECRET_KEY is required when OVERSIGHT_ENV=production")
            self.secret_key = DEVELOPMENT_SECRET
        elif self.env is Environment.PRODUCTION and len(self.secret_key) < 32:
            raise ValueError("OVERSIGHT_SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def is_development(self) -> bool:
        return self.env is Environment.DEVELOPMENT

    @property
    def effective_log_format(self) -> LogFormat:
        if self.log_format is not None:
            return self.log_format
        return LogFormat.CONSOLE if self.is_development else LogFormat.JSON

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read the environment; turn pydantic's report into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "_".join(str(part) for part in first["loc"]) if first["loc"] else ""
        name = f"OVERSIGHT_{field.upper()}" if field else "configuration"
        message = str(first["msg"]).removeprefix("Value error, ")
        if not field and "OVERSIGHT_" in message:
            raise ConfigurationError(message) from None
        raise ConfigurationError(f"{name}: {message}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
