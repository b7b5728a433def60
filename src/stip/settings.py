"""Typed settings: environment (`STIP_*`) over `$STIP_HOME/stip.toml` over defaults.

The `[autotask]` table of `stip.toml` and `STIP_AUTOTASK_*` variables configure the Autotask
connector (contract §2). Secrets are `SecretStr` so they never show up in logs or reprs.
"""

from __future__ import annotations

import os
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from stip.errors import ConfigError

DEFAULT_AUTOTASK_API_URL = "https://webservices.autotask.net/atservicesrest/"


class AutotaskSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str | None = None
    secret: SecretStr | None = None
    integration_code: SecretStr | None = None
    api_url: str = DEFAULT_AUTOTASK_API_URL
    budget_share: float = Field(0.25, gt=0, le=1, description="share of the hourly threshold")
    concurrency: int = Field(2, ge=1, le=3, description="concurrent requests per endpoint")
    sync_interval_minutes: int = Field(10, ge=0, description="0 disables scheduled sync")
    user_count_field: str | None = Field(
        None,
        min_length=1,
        description="the company user-defined field holding the client's number of users",
    )

    @field_validator("api_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"'{value}' is not an http(s) URL; the default is {DEFAULT_AUTOTASK_API_URL}"
            )
        return value

    @property
    def configured(self) -> bool:
        return bool(self.username and self.secret and self.integration_code)

    @property
    def udf_columns(self) -> dict[str, str]:
        """Canonical columns filled from user-defined fields (connectors.autotask.mapping)."""
        return {"user_count": self.user_count_field} if self.user_count_field else {}


class BusinessHoursSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str = "08:00"
    end: str = "17:00"
    # 0 = Monday ... 6 = Sunday; at least one, or no hour would ever be a business hour
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4], min_length=1
    )
    holiday_country: str | None = "NL"


class SmtpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str | None = None
    port: int = 25
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    sender: str = "stip@localhost"


class Settings(BaseModel):
    """All of Stip's settings; build with `load_settings()`."""

    model_config = ConfigDict(extra="forbid")

    home: Path = Path(".stip")
    db: str | None = None
    app_db: str | None = None
    timezone: str = "Europe/Amsterdam"
    base_url: str = "http://127.0.0.1:8000"
    csat_scale_max: float = Field(10.0, gt=0)
    available_hours_per_day: float = Field(8.0, ge=0, le=24)
    resource_hours_per_day: dict[int, float] = Field(
        default_factory=dict,
        description="available hours per day of single resources (by source id), over the "
        "store's value and available_hours_per_day",
    )
    overload_open_tickets: int = Field(
        20, ge=1, description="open tickets above which an engineer counts as overloaded"
    )
    price_per_user: float = Field(
        150.0, gt=0, le=100_000, description="the all-in price per user per month to simulate"
    )
    reprice_band: float = Field(
        25.0, ge=0, le=100, description="% above the price a client may be re-priced within"
    )
    notify_interval_minutes: float = Field(5.0, ge=0, description="0 disables the serve-time job")
    warm_scoped_views: int = Field(
        100, ge=0, description="scoped views `stip serve` re-warms after a sync; 0: none"
    )
    secret_key: SecretStr | None = None
    autotask: AutotaskSettings = Field(default_factory=AutotaskSettings)
    business_hours: BusinessHoursSettings = Field(default_factory=BusinessHoursSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    teams_webhook_url: SecretStr | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}' (use an IANA name)") from exc
        return value

    @field_validator("teams_webhook_url")
    @classmethod
    def _webhook_url(cls, value: SecretStr | None) -> SecretStr | None:
        """Checked here, not at the first post; the message never repeats the value (its
        query string is the webhook's signature)."""
        if value is not None:
            parts = urlsplit(value.get_secret_value())
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    "not an http(s) URL (value not shown: it is a secret); paste the whole "
                    "webhook URL that Teams (Workflows) gave you"
                )
        return value

    @field_validator("resource_hours_per_day", mode="before")
    @classmethod
    def _hours_by_resource(cls, value: Any) -> Any:
        """`STIP_RESOURCE_HOURS_PER_DAY="29682885=4, 29682886=6"`, or a TOML table."""
        if not isinstance(value, str):
            return value
        pairs = [part.strip() for part in value.split(",") if part.strip()]
        if any(part.count("=") != 1 for part in pairs):
            raise ValueError(f"'{value}' is not a list of RESOURCE_ID=HOURS separated by commas")
        return dict(part.split("=") for part in pairs)

    @field_validator("resource_hours_per_day")
    @classmethod
    def _hours_in_a_day(cls, value: dict[int, float]) -> dict[int, float]:
        for resource, hours in value.items():
            if not 0 <= hours <= 24:
                raise ValueError(f"resource {resource}: {hours} h is not between 0 and 24")
        return value

    def hours_per_day(self, resource_id: int | None, stored: float | None) -> float:
        """A resource's available hours per day: this setting's, else the store's, else the
        default `available_hours_per_day`."""
        if resource_id is not None and resource_id in self.resource_hours_per_day:
            return self.resource_hours_per_day[resource_id]
        return self.available_hours_per_day if stored is None else stored

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def db_url(self) -> str:
        """The analytical store: a DuckDB path or an Ibis connection URL."""
        return self.db or str(self.home / "stip.duckdb")

    @property
    def app_db_url(self) -> str:
        """Stip's own application database (users, action items): SQLAlchemy URL."""
        return self.app_db or f"sqlite:///{(self.home / 'app.sqlite').resolve()}"

    @property
    def log_path(self) -> Path:
        return self.home / "logs" / "stip.log"


_ENV_SCALARS = {
    "STIP_DB": ("db",),
    "STIP_APP_DB": ("app_db",),
    "STIP_TIMEZONE": ("timezone",),
    "STIP_BASE_URL": ("base_url",),
    "STIP_CSAT_SCALE_MAX": ("csat_scale_max",),
    "STIP_AVAILABLE_HOURS_PER_DAY": ("available_hours_per_day",),
    "STIP_RESOURCE_HOURS_PER_DAY": ("resource_hours_per_day",),
    "STIP_OVERLOAD_OPEN_TICKETS": ("overload_open_tickets",),
    "STIP_PRICE_PER_USER": ("price_per_user",),
    "STIP_REPRICE_BAND": ("reprice_band",),
    "STIP_NOTIFY_INTERVAL_MINUTES": ("notify_interval_minutes",),
    "STIP_WARM_SCOPED_VIEWS": ("warm_scoped_views",),
    "STIP_SECRET_KEY": ("secret_key",),
    "STIP_TEAMS_WEBHOOK_URL": ("teams_webhook_url",),
    "STIP_AUTOTASK_USERNAME": ("autotask", "username"),
    "STIP_AUTOTASK_SECRET": ("autotask", "secret"),
    "STIP_AUTOTASK_INTEGRATION_CODE": ("autotask", "integration_code"),
    "STIP_AUTOTASK_API_URL": ("autotask", "api_url"),
    "STIP_AUTOTASK_BUDGET_SHARE": ("autotask", "budget_share"),
    "STIP_AUTOTASK_CONCURRENCY": ("autotask", "concurrency"),
    "STIP_AUTOTASK_SYNC_INTERVAL_MINUTES": ("autotask", "sync_interval_minutes"),
    "STIP_AUTOTASK_USER_COUNT_FIELD": ("autotask", "user_count_field"),
    "STIP_BUSINESS_HOURS_START": ("business_hours", "start"),
    "STIP_BUSINESS_HOURS_END": ("business_hours", "end"),
    "STIP_BUSINESS_HOURS_HOLIDAY_COUNTRY": ("business_hours", "holiday_country"),
    "STIP_SMTP_HOST": ("smtp", "host"),
    "STIP_SMTP_PORT": ("smtp", "port"),
    "STIP_SMTP_USERNAME": ("smtp", "username"),
    "STIP_SMTP_PASSWORD": ("smtp", "password"),
    "STIP_SMTP_SENDER": ("smtp", "sender"),
}


def _resolve_refs(data: Any, source: Path) -> Any:
    """Resolve `{"$env" = "NAME"}` and `{"$file" = "/path"}` secret references."""
    if isinstance(data, dict):
        if set(data) == {"$env"}:
            name = data["$env"]
            if name not in os.environ:
                raise ConfigError(f"{source}: environment variable {name} is referenced but unset")
            return os.environ[name]
        if set(data) == {"$file"}:
            try:
                return Path(data["$file"]).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"{source}: cannot read secret file {data['$file']}: {exc}"
                ) from exc
        return {key: _resolve_refs(value, source) for key, value in data.items()}
    return data


def load_settings(home: Path | str | None = None, db: str | None = None) -> Settings:
    """Build settings from defaults, `$STIP_HOME/stip.toml` and `STIP_*` variables."""
    home_path = Path(home or os.environ.get("STIP_HOME") or ".stip")
    data: dict[str, Any] = {}
    toml_path = home_path / "stip.toml"
    if toml_path.exists():
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{toml_path}: {exc}; fix the TOML syntax") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{toml_path}: not UTF-8 text (byte {exc.start}: {exc.reason}); "
                "save the file as UTF-8"
            ) from None
        data = _resolve_refs(data, toml_path)
    for var, path in _ENV_SCALARS.items():
        if var in os.environ:
            target = data
            for key in path[:-1]:
                target = target.setdefault(key, {})
            target[path[-1]] = os.environ[var]
    data["home"] = home_path
    if db:
        data["db"] = db
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        variable = next(
            (
                var
                for var, path in _ENV_SCALARS.items()
                if var in os.environ and tuple(first["loc"][: len(path)]) == path
            ),
            None,
        )
        if variable is not None:
            raise ConfigError(
                f"environment variable {variable} (setting '{where}'): {first['msg']}"
            ) from None
        raise ConfigError(
            f"{toml_path if toml_path.exists() else 'environment'}: setting '{where}': "
            f"{first['msg']}"
        ) from None
