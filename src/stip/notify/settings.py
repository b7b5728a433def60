"""Notification settings from `$STIP_HOME/notify.toml` (SMTP and the Teams URL live in the
main settings, `[smtp]` and `teams_webhook_url`).

```toml
digest_time = "07:30"         # local time of the morning digest
quiet_start = "19:00"         # no immediate messages from ... (local)
quiet_end = "07:00"           # ... until
quiet_weekends = true         # and none on Saturday and Sunday
rate_limit_per_hour = 6       # messages per recipient and channel per hour
max_attempts = 8              # then the delivery is marked failed (retry from the admin page)
default_language = "nl"       # for recipients without a language of their own
meeting_weekday = 0           # Monday: `stip actions meeting --mail` on the schedule
meeting_time = "08:00"

[recipients.jan]              # a user name or a person's display name
email = "jan@example.nl"
language = "en"
```
"""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stip.errors import ConfigError


class RecipientOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    language: Literal["en", "nl"] | None = None


class NotifySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    digest_time: str = "07:30"
    quiet_start: str = "19:00"
    quiet_end: str = "07:00"
    quiet_weekends: bool = True
    rate_limit_per_hour: int = Field(6, ge=1)
    max_attempts: int = Field(8, ge=1)
    default_language: Literal["en", "nl"] = "nl"
    meeting_weekday: int = Field(0, ge=0, le=6)
    meeting_time: str = "08:00"
    recipients: dict[str, RecipientOverride] = Field(default_factory=dict)

    @field_validator("digest_time", "quiet_start", "quiet_end", "meeting_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        try:
            time.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a HH:MM time") from None
        return value

    def clock(self, name: str) -> time:
        return time.fromisoformat(getattr(self, name))


def load_notify_settings(home: Path) -> NotifySettings:
    path = home / "notify.toml"
    if not path.exists():
        return NotifySettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}; fix the TOML syntax") from None
    try:
        return NotifySettings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: setting '{where}': {first['msg']}") from None
