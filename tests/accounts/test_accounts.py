from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from stip.accounts import roles, shares, tokens
from stip.accounts.auth import LocalPasswordAuthenticator, LoginRateLimiter
from stip.accounts.secret import secret_key
from stip.accounts.tables import api_tokens, users
from stip.accounts.users import add_user, engine_for, set_active, verify_password
from stip.errors import UserError
from stip.settings import load_settings


@pytest.fixture
def engine(stip_home: Path) -> Engine:
    return engine_for(load_settings())


def test_password_is_stored_as_argon2_hash_and_verifies(engine: Engine) -> None:
    add_user(engine, "jan", "engineer", "correct horse", resource_id=29682885)
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    user = verify_password(engine, "JAN", "correct horse")
    assert user is not None and user.role == "engineer" and user.resource_id == 29682885
    assert verify_password(engine, "jan", "wrong horse!") is None
    assert verify_password(engine, "nobody", "correct horse") is None


def test_add_user_refuses_bad_role_short_password_and_duplicates(engine: Engine) -> None:
    with pytest.raises(UserError, match="unknown role 'boss'"):
        add_user(engine, "a", "boss", "longenough")
    with pytest.raises(UserError, match="at least 8"):
        add_user(engine, "a", "owner", "short")
    add_user(engine, "a", "owner", "longenough")
    with pytest.raises(UserError, match="already exists"):
        add_user(engine, "A", "owner", "longenough")


def test_disabled_user_cannot_log_in(engine: Engine) -> None:
    add_user(engine, "piet", "finance", "longenough")
    set_active(engine, "piet", False)
    assert LocalPasswordAuthenticator(engine).authenticate("piet", "longenough") is None
    set_active(engine, "piet", True)
    assert LocalPasswordAuthenticator(engine).authenticate("piet", "longenough") is not None


def test_token_is_stored_only_as_sha256_and_dies_with_its_user(engine: Engine) -> None:
    user = add_user(engine, "api", "owner", "longenough")
    token = tokens.create_token(engine, "api")
    assert token.startswith("stip_") and len(token) > 40
    with engine.connect() as conn:
        stored = conn.execute(select(api_tokens.c.token_hash)).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    found = tokens.user_for_token(engine, token)
    assert found is not None and found.id == user.id
    assert tokens.user_for_token(engine, token + "x") is None
    set_active(engine, "api", False)
    assert tokens.user_for_token(engine, token) is None


def test_token_for_unknown_user_is_a_user_error(engine: Engine) -> None:
    with pytest.raises(UserError, match="no user 'ghost'"):
        tokens.create_token(engine, "ghost")


def test_share_link_is_signed_scoped_and_revocable(engine: Engine) -> None:
    key = "k" * 40
    link = shares.create_share(engine, key, "teamlead", "cli")
    assert link.path.startswith("/s/")
    token = link.path[3:]
    assert shares.resolve_share(engine, key, token) == link
    # another key (a forged signature) and a tampered payload are refused
    assert shares.resolve_share(engine, "x" * 40, token) is None
    forged = shares.share_path("x" * 40, link.id, "owner")[3:]
    assert shares.resolve_share(engine, key, forged) is None
    tampered = shares.share_path(key, link.id, "owner")[3:]
    assert shares.resolve_share(engine, key, tampered) is None
    shares.revoke_share(engine, key, link.id)
    assert shares.resolve_share(engine, key, token) is None
    assert [s.active for s in shares.list_shares(engine, key)] == [False]


def test_secret_key_is_generated_once_with_private_mode(stip_home: Path) -> None:
    settings = load_settings()
    first = secret_key(settings)
    assert len(first) >= 40
    assert (stip_home / "secret_key").stat().st_mode & 0o777 == 0o600
    assert secret_key(load_settings()) == first


def test_rate_limiter_blocks_after_five_failures_per_user_and_ip() -> None:
    limiter = LoginRateLimiter(max_failures=5, window=300)
    for _ in range(4):
        limiter.failed("Jan", "10.0.0.1")
    assert not limiter.blocked("jan", "10.0.0.1")
    limiter.failed("jan", "10.0.0.1")
    assert limiter.blocked("jan", "10.0.0.1")
    assert not limiter.blocked("jan", "10.0.0.2")
    assert not limiter.blocked("piet", "10.0.0.1")
    expired = LoginRateLimiter(max_failures=1, window=0.0)
    expired.failed("jan", "ip")
    assert not expired.blocked("jan", "ip")


def test_rate_limiter_memory_stays_bounded_whatever_names_are_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Anyone may post a login: huge names are kept as a hash, and failures that left the
    window are forgotten, so guessing names cannot fill the server's memory."""
    from stip.accounts import auth

    clock = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    limiter = LoginRateLimiter(max_failures=5, window=300)
    for i in range(200):
        limiter.failed(f"{i}" + "x" * 100_000, "10.0.0.9")
    assert len(limiter) == 200
    assert sum(len(a) + len(b) for a, b in limiter._failures) < 200 * 100
    clock[0] += 301
    limiter.failed("one more", "10.0.0.9")
    assert len(limiter) == 1
    for _ in range(5):
        limiter.failed("x" * 100_000, "10.0.0.9")
    assert limiter.blocked("X" * 100_000, "10.0.0.9")
    assert not limiter.blocked("never tried", "10.0.0.9") and len(limiter) == 2


def test_permission_table() -> None:
    assert roles.ROLES == (
        "engineer",
        "teamlead",
        "service_manager",
        "account_manager",
        "finance",
        "owner",
        "admin",
    )
    assert roles.can_view_dashboard("engineer", "engineer")
    assert not roles.can_view_dashboard("engineer", "teamlead")
    assert roles.can_view_dashboard("teamlead", "engineer")
    assert not roles.can_view_dashboard("teamlead", "finance")
    assert all(roles.can_view_dashboard("owner", r) for r in roles.DASHBOARD_ROLES)
    assert {r for r in roles.ROLES if roles.can_see_money(r)} == {
        "account_manager",
        "finance",
        "owner",
        "admin",
    }
    assert [r for r in roles.ROLES if not roles.can_see_others(r)] == ["engineer"]
    assert [r for r in roles.ROLES if roles.can_admin(r)] == ["admin"]
    assert roles.is_money_unit("€/h") and not roles.is_money_unit("h")
    assert roles.is_money_kpi("total_revenue", "€") and roles.is_money_kpi(
        "cost_per_ticket", "€/ticket"
    )
    assert roles.is_money_kpi("agreement_gross_margin", "%")
    # a count, but its action list names each unpaid invoice's amount
    assert roles.is_money_kpi("overdue_invoices", "count")
    assert not roles.is_money_kpi("client_churn_rate", "%")
