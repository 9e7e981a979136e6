"""One settings object, read from the environment (prefix `COMMENTS_`, nested groups with `__`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from comments.errors import ConfigurationError

DEV_KEY = "dev-only-insecure-key"


class Settings(BaseSettings):
    """Runtime settings. Secrets are `SecretStr`; thresholds live in the model bundle unless
    `thresholds_file` overrides them."""

    model_config = SettingsConfigDict(
        env_prefix="COMMENTS_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    environment: str = "development"
    database_url: str = "sqlite:///var/comments.db"
    model_dir: Path = Path("models/default")
    # An operator's thresholds, in thresholds.json's format: they replace the bundle's served (fused) ones.
    thresholds_file: Path | None = None
    hmac_key: SecretStr = SecretStr(DEV_KEY)
    # API (comments.api): at-rest encryption of stored comment text (a Fernet key; none = plain text).
    encryption_key: SecretStr | None = None
    max_body_bytes: int = 1_048_576
    max_batch: int = 256
    retention_days: int = 90
    # False runs a review-only replica: scoring answers 503, the queue and reviewer page still work.
    load_model: bool = True
    claim_seconds: int = 900
    key_cache_seconds: float = 5.0

    @field_validator("thresholds_file", mode="before")
    @classmethod
    def _unset_when_empty(cls, value):
        return None if value == "" else value

    def check(self) -> Settings:
        """Refuse development secrets outside development."""
        if self.environment != "development" and self.hmac_key.get_secret_value() == DEV_KEY:
            raise ConfigurationError("COMMENTS_HMAC_KEY must be set outside development")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing the environment."""
    return Settings().check()
