"""The key that signs session cookies and share links.

`STIP_SECRET_KEY` (or `secret_key` in stip.toml) wins; otherwise a random key is generated
once into `$STIP_HOME/secret_key` (mode 0600) so sessions survive restarts and the folder
stays movable.
"""

from __future__ import annotations

import os
import secrets

from stip.settings import Settings


def secret_key(settings: Settings) -> str:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.home / "secret_key"
    if not path.exists():
        settings.home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()
