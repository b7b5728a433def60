"""The central object: settings plus the stores, built once per command or server."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from stip.settings import Settings, load_settings
from stip.store.store import Store, open_store


@dataclass
class Stip:
    settings: Settings

    @classmethod
    def load(cls, home: str | None = None, db: str | None = None) -> Stip:
        return cls(load_settings(home, db))

    @cached_property
    def store(self) -> Store:
        """The analytical store, migrated to the current schema on first use."""
        self.settings.home.mkdir(parents=True, exist_ok=True)
        return open_store(self.settings.db_url)
