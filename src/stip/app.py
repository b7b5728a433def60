"""The central object: settings plus the stores, built once per command or server."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from stip.settings import Settings, load_settings

if TYPE_CHECKING:
    from stip.store.store import Store


@dataclass
class Stip:
    settings: Settings

    @classmethod
    def load(cls, home: str | None = None, db: str | None = None) -> Stip:
        return cls(load_settings(home, db))

    @cached_property
    def store(self) -> Store:
        """The analytical store, migrated to the current schema on first use."""
        from stip.store.store import open_store  # DuckDB and Ibis load only when needed

        self.settings.home.mkdir(parents=True, exist_ok=True)
        return open_store(self.settings.db_url)
