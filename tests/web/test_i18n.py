from __future__ import annotations

import re
from pathlib import Path

from stip.web import i18n
from stip.web.app import _HEADINGS
from stip.web.routes.kpis import COLUMN_LABELS, DIMENSION_LABELS
from stip.web.viewmodel import PERIOD_CHOICES

from .conftest import TestClient, csrf, login

WEB = Path(i18n.LOCALE_DIR).parent / "web"
CALL = re.compile(r"""\b_\(\s*(['"])((?:(?!\1).)+)\1\s*\)""")


def _all_messages() -> set[str]:
    found = set()
    for path in list(WEB.rglob("*.html")) + list(WEB.rglob("*.py")):
        if path.parent.name == "routes" and path.stem == "actions":
            continue  # the actions helper's own strings
        found |= {m.group(2) for m in CALL.finditer(path.read_text(encoding="utf-8"))}
    found |= {label for _, label in PERIOD_CHOICES}
    found |= set(_HEADINGS.values()) | set(DIMENSION_LABELS.values())
    found |= set(COLUMN_LABELS.values()) | {"green", "amber", "red", "none", "bh", "h"}
    return found


def test_every_visible_string_has_a_dutch_translation() -> None:
    dutch = i18n.catalog("nl")
    missing = sorted(m for m in _all_messages() if m not in dutch)
    assert missing == []
    assert i18n.gettext_for("nl")("Log out") == "Uitloggen"
    assert i18n.gettext_for("en")("Log out") == "Log out"


def test_accept_language_negotiation() -> None:
    assert i18n.from_accept_language("nl-NL,nl;q=0.9,en;q=0.8") == "nl"
    assert i18n.from_accept_language("de-DE,en;q=0.5,nl;q=0.7") == "nl"
    assert i18n.from_accept_language("fr, de") == "en"
    assert i18n.from_accept_language(None) == "en"
    assert i18n.from_accept_language("nl;q=0, en") == "en"


def test_language_from_header_then_choice_stored_on_the_user(client: TestClient) -> None:
    page = client.get("/login", headers={"accept-language": "nl-BE,nl;q=0.9"})
    assert '<html lang="nl">' in page.text and "Inloggen" in page.text
    login(client, "finance")
    assert "Log out" in client.get("/d/finance", headers={"accept-language": "en"}).text
    client.post("/lang", data={"lang": "nl", "csrf_token": csrf(client), "next": "/d/finance"})
    client.cookies.clear()
    login(client, "finance")  # a new session: the choice comes from the user record
    page = client.get("/d/finance", headers={"accept-language": "en"})
    assert '<html lang="nl">' in page.text and "Uitloggen" in page.text
    assert "Financiën" in page.text


def test_share_and_tv_pages_take_lang_from_the_url(client: TestClient) -> None:
    login(client, "owner")
    page = client.get("/d/owner?tv=1&lang=nl")
    assert '<html lang="nl">' in page.text and "gegevens van" in page.text
