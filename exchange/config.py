"""Settings from EXCHANGE_* environment variables (one class, read once per app)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "gd-exchange"


class Settings(BaseSettings):
    """Runtime configuration of the exchange service."""

    model_config = SettingsConfigDict(env_prefix="EXCHANGE_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str = ""
    # SQLite durability: FULL fsyncs every commit, so an acknowledged audit entry survives a crash.
    sqlite_synchronous: str = "FULL"
    db_pool_size: int = 10
    max_body_bytes: int = 1_048_576
    audit_origin: str = "sandbox.gd-data-exchange.cn/audit"
    signing_key_dir: Path | None = None
    demo_seed: bool = False
    asset_publicity_working_days: int = 5
    asset_review_quorum: int = 2
    log_level: str = "info"
    # "market": the sandbox clock, moved forward by admins (POST /v1/clock/advance);
    # "real": pinned to real time, and moving it is refused.
    clock: Literal["market", "real"] = "market"
    # How often the served app runs due work (publicity ends, auctions, expiries); 0 = never.
    due_work_interval_seconds: float = 30.0
    # Fail closed: the served app verifies the whole log at start-up and every this many
    # seconds (0: never), and halts state changes if it is damaged.
    audit_check_seconds: float = Field(default=300, ge=0)
    audit_check_on_start: bool = True

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'exchange.db'}"

    def resolved_key_dir(self) -> Path:
        """Directory holding signing keys (outside the repository, mode 0600 files)."""
        return self.signing_key_dir or (self.data_dir / "keys")


def get_settings() -> Settings:
    """Read settings from the environment."""
    return Settings()
