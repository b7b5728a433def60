"""Who gets a message, at which address, in which language.

The address is the person's PSA resource e-mail (or an override in `notify.toml`, keyed by
the display name or by the user name of a linked account); the language is the linked user
account's choice, else the override, else the default.
"""

from __future__ import annotations

from dataclasses import dataclass

from stip.accounts.users import engine_for, list_users
from stip.actions.items import Item
from stip.app import Stip
from stip.notify.settings import NotifySettings, RecipientOverride


@dataclass(frozen=True)
class Recipient:
    person: str
    email: str | None
    language: str


class Recipients:
    def __init__(self, stip: Stip, notify: NotifySettings) -> None:
        self.notify = notify
        self.emails: dict[int, str] = {}
        with stip.store.read() as con:
            table = con.table("resources").select("id", "email")
            for row in table.to_pyarrow().to_pylist():
                if row["email"]:
                    self.emails[row["id"]] = row["email"]
        self.lang_by_resource: dict[int, str] = {}
        self.lang_by_name: dict[str, str] = {}
        self.users_by_resource: dict[int, list[str]] = {}
        for user in list_users(engine_for(stip.settings)):
            if user.resource_id is not None:
                self.users_by_resource.setdefault(user.resource_id, []).append(user.username)
            if user.language in ("en", "nl"):
                self.lang_by_name[user.username] = user.language
                if user.resource_id is not None:
                    self.lang_by_resource[user.resource_id] = user.language

    def override(self, person: str, resource_id: int | None) -> RecipientOverride | None:
        """The `[recipients."NAME"]` entry of a person: people know each other by display
        name, admins by user name, so either may be the key."""
        names = [person]
        if resource_id is not None:
            names += self.users_by_resource.get(resource_id, [])
        return next((self.notify.recipients[n] for n in names if n in self.notify.recipients), None)

    def for_item(self, item: Item) -> Recipient:
        person = item.person or "-"
        override = self.override(person, item.person_id)
        email = override.email if override and override.email else None
        if email is None and item.person_id is not None:
            email = self.emails.get(item.person_id)
        language = (
            (self.lang_by_resource.get(item.person_id) if item.person_id is not None else None)
            or self.lang_by_name.get(person)
            or (override.language if override else None)
            or self.notify.default_language
        )
        return Recipient(person, email, language)
