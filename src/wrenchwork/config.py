"""Settings, read once from the environment (prefix WRENCHWORK_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WRENCHWORK_", extra="ignore")

    data_dir: Path = Path("./data")
    # Empty means a SQLite file in data_dir (the embedded default).
    database_url: str = ""
    bootstrap_api_key: str = ""
    # `limits` notation, e.g. "1000 per 5 minutes"; empty or "0" disables rate limiting.
    rate_limit: str = "1000 per 5 minutes"
    # e.g. "redis://localhost:6379/0"; empty keeps counters in the server process.
    rate_limit_storage_url: str = ""
    # Comma-separated addresses or networks whose X-Forwarded-For is believed.
    trusted_proxies: str = ""
    # Largest JSON request body accepted, in bytes.
    max_body_bytes: int = 1_048_576
    # Largest uploaded file (attachments), in bytes.
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    # Where attachments are stored: empty for `data_dir/files`, or `s3://bucket/prefix` for an S3-compatible store
    # (boto3's own variables configure the client: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...; files/s3.py).
    storage_url: str = ""
    # SQLite: every this many seconds, refresh the planner statistics of tables whose size has changed a lot since
    # (core/db.py `keep_statistics`); 0 turns it off. They are always refreshed as the server starts.
    statistics_interval: float = Field(default=600, ge=0)
    # A server process believes an API key it authenticated for this many seconds without asking the database
    # again (core/auth.py `KnownKeys`). A key revoked, a user deactivated or a role changed through another process
    # (another worker, the command line) is refused within this time; through the same process, at once. 0: every
    # request looks its key up.
    api_key_cache_seconds: float = Field(default=5, ge=0)
    # Every this many seconds each server process runs a PM generation pass (pm_schedules/scheduler.py); 0 turns
    # it off there, e.g. when a `wrenchwork scheduler` process of its own does the work.
    scheduler_interval: float = Field(default=60, ge=0)
    # The address people reach this server at (e.g. "https://cmms.example.com"): invitation and reset links and
    # QR codes point there. Empty: the address of the request that made the link (the command line: localhost).
    public_url: str = ""
    # Web sessions end after this much inactivity, and in any case this long after sign-in.
    session_idle_minutes: float = Field(default=8 * 60, gt=0)
    session_max_days: float = Field(default=7, gt=0)
    # Sign-in attempts allowed per e-mail address and per client IP (`limits` notation).
    login_rate_limit_account: str = "5 per 15 minutes"
    login_rate_limit_ip: str = "30 per 15 minutes"
    # Requests filed on public request portals, per client IP (`limits` notation; empty or "0": no limit).
    portal_rate_limit: str = "10 per hour"
    # Photos one portal submission may carry, and the size of each.
    portal_max_photos: int = Field(default=3, ge=0, le=10)
    portal_max_photo_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    # Invitation and password-reset links are valid this long.
    sign_in_link_hours: float = Field(default=72, gt=0)
    # e.g. "smtp://user:password@mail.example.com:587" (STARTTLS) or "smtps://...:465"; empty: reset links are
    # written to the server log instead of mailed.
    smtp_url: str = ""
    smtp_from: str = "wrenchwork@localhost"
    # Each server process runs posted imports in a background thread (imports/runner.py), at once when posted to
    # it and every this many seconds in any case (imports posted to another process, or left by a dead one); 0
    # turns it off there.
    import_interval: float = Field(default=5, ge=0)
    # Events older than this many days leave the feed (pruned by the background runner: events/retention.py).
    event_retention_days: float = Field(default=30, gt=0)
    # Every this many seconds (at most) each server process delivers due webhook messages (webhooks/runner.py);
    # 0 turns it off there, e.g. when a `wrenchwork worker` process does the work.
    webhook_interval: float = Field(default=1, ge=0)
    # Webhook URLs that resolve to loopback, private, link-local or metadata addresses are refused unless this is
    # set (receivers on the same host or network: tests, on-premise installations).
    webhook_allow_private: bool = False
    # A sender's claim on a message lasts this long; a sender that dies leaves its messages to others after it.
    webhook_lease_seconds: float = Field(default=60, gt=0)
    log_level: str = "INFO"
    # "json" for one JSON object per line, "text" for humans.
    log_format: str = "json"

    @field_validator("rate_limit", "login_rate_limit_account", "login_rate_limit_ip", "portal_rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: str) -> str:
        value = value.strip()
        if value in ("", "0"):
            return ""
        from limits import parse

        parse(value)  # raises ValueError with a clear message
        return value

    @field_validator("storage_url")
    @classmethod
    def _check_storage_url(cls, value: str) -> str:
        value = value.strip()
        if value and not (value.startswith("s3://") and len(value) > len("s3://")):
            raise ValueError("must be empty (local files) or s3://bucket/prefix")
        return value

    @field_validator("bootstrap_api_key")
    @classmethod
    def _check_bootstrap_key(cls, value: str) -> str:
        if value and (len(value) < 20 or any(c.isspace() for c in value)):
            raise ValueError("must be at least 20 characters with no spaces")
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'wrenchwork.db').resolve()}"


settings = Settings()
