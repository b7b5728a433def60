"""Read-only share links: signed, scoped to one dashboard (a TV screen) or one agreement of
the deliverables file (for the client), revocable.

The path is `/s/<token>`; the token signs the link id and dashboard id with the secret key,
and the link must still exist unrevoked in the application DB.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Engine, insert, select, update

from stip.accounts.tables import share_links
from stip.errors import UserError

_SALT = "stip-share-link"
#: A link to one agreement of the deliverables file instead of a dashboard: its target is
#: this prefix and the agreement's id (agreement ids never hold a colon).
AGREEMENT = "agreement:"


def shared_agreement(target: str) -> str | None:
    """The agreement id a link's target names, or None for a dashboard."""
    return target.removeprefix(AGREEMENT) if target.startswith(AGREEMENT) else None


@dataclass(frozen=True)
class ShareLink:
    id: str
    dashboard_id: str
    created_at: datetime
    created_by: str | None
    revoked_at: datetime | None
    path: str

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _serializer(key: str) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=_SALT)


def share_path(key: str, link_id: str, dashboard_id: str) -> str:
    return "/s/" + str(_serializer(key).dumps({"s": link_id, "d": dashboard_id}))


def _link(row: object, key: str) -> ShareLink:
    m = row._mapping  # type: ignore[attr-defined]
    return ShareLink(
        m["id"],
        m["dashboard_id"],
        m["created_at"],
        m["created_by"],
        m["revoked_at"],
        share_path(key, m["id"], m["dashboard_id"]),
    )


def create_share(engine: Engine, key: str, dashboard_id: str, created_by: str | None) -> ShareLink:
    link_id = secrets.token_hex(8)
    with engine.begin() as conn:
        conn.execute(
            insert(share_links).values(
                id=link_id,
                dashboard_id=dashboard_id,
                created_at=datetime.now(UTC),
                created_by=created_by,
            )
        )
    link = get_share(engine, key, link_id)
    assert link is not None
    return link


def get_share(engine: Engine, key: str, link_id: str) -> ShareLink | None:
    with engine.connect() as conn:
        row = conn.execute(select(share_links).where(share_links.c.id == link_id)).first()
    return _link(row, key) if row else None


def list_shares(engine: Engine, key: str) -> list[ShareLink]:
    with engine.connect() as conn:
        rows = conn.execute(select(share_links).order_by(share_links.c.created_at)).all()
    return [_link(row, key) for row in rows]


def revoke_share(engine: Engine, key: str, link_id: str) -> ShareLink:
    link = get_share(engine, key, link_id)
    if link is None:
        raise UserError(f"no share link '{link_id}'; see `stip share list`")
    if link.active:
        with engine.begin() as conn:
            conn.execute(
                update(share_links)
                .where(share_links.c.id == link_id)
                .values(revoked_at=datetime.now(UTC))
            )
    revoked = get_share(engine, key, link_id)
    assert revoked is not None
    return revoked


def resolve_share(engine: Engine, key: str, token: str) -> ShareLink | None:
    """The active link a token stands for, or None (bad signature, unknown or revoked)."""
    try:
        data = _serializer(key).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), str):
        return None
    link = get_share(engine, key, data["s"])
    if link is None or not link.active or link.dashboard_id != data.get("d"):
        return None
    return link
