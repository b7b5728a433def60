"""Dutch pages show Dutch labels: tile units, the KPI page's unit and action-table headers, the
delivery statuses and the error pages' messages; English pages keep English."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from stip.app import Stip
from stip.semantic.actions import _singular
from stip.semantic.catalog import load_catalog
from stip.semantic.models import KpiDefinition
from stip.store.schema import Batch
from stip.web import formatting, i18n
from stip.web.kpidata import KpiData
from stip.web.routes.kpis import COLUMN_LABELS, column_label

from .conftest import ENGINEER_RESOURCE, TestClient, bearer, login

CATALOG = list(load_catalog())
DUTCH = i18n.catalog("nl")
AS_OF = "as_of=2026-11-02T09:00"
UNIT_SPAN = re.compile(r'<span class="unit">((?:[^<]|<wbr>)*)</span>')
HEADERS = re.compile(r"<th>([^<]*)</th>")
#: Every row of an action list has these (stip.semantic.actions.enrich, docs/kpi-authoring.md).
FIXED_COLUMNS = (
    "ticket_id",
    "ticket_number",
    "title",
    "company_id",
    "company",
    "resource_id",
    "person_id",
    "person",
    "contact_id",
    "contact",
    "contact_phone",
    "what",
    "why",
)


def _action_columns(kpi: KpiDefinition) -> list[str]:
    """Every column the action list of `kpi` can have."""
    assert kpi.actions is not None
    base = kpi.actions.base or str(kpi.measure.base)
    record_id = [] if base == "tickets" else [f"{_singular(base)}_id"]
    return list(dict.fromkeys([*FIXED_COLUMNS, *record_id, *kpi.actions.fields]))


def _fields(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


# -- the tables cover the whole catalogue -------------------------------------------------------


@pytest.mark.parametrize("unit", sorted({k.unit for k in CATALOG}))
def test_every_catalogue_unit_reads_in_dutch(unit: str) -> None:
    assert unit in formatting.UNIT_TEXTS, f"add {unit!r} to formatting.UNIT_TEXTS"
    for text in (formatting.UNIT_TEXTS[unit], formatting.UNIT_NAMES.get(unit)):
        if text:
            assert DUTCH.get(text), f"{text!r} has no Dutch in messages.po"
    assert formatting.unit_name(unit, "nl") == DUTCH[formatting.UNIT_NAMES.get(unit) or unit]


def test_compound_units_in_dutch_and_english() -> None:
    assert formatting.unit_text("€/user/month", "nl") == "€/gebruiker/maand"
    assert formatting.unit_text("€/user/month", "en") == "€/user/month"
    assert formatting.unit_text("tickets/user/month", "nl") == "tickets/gebruiker/maand"
    assert formatting.unit_text("h/user/month", "nl") == "u/gebruiker/maand"
    assert formatting.unit_text("users/FTE", "nl") == "gebruikers/fte"
    assert formatting.unit_text("€/month", "nl") == "€/maand"
    assert formatting.unit_text("count", "nl") == ""
    assert formatting.unit_name("count", "nl") == "aantal"
    assert formatting.unit_name("count", "en") == "count"
    assert formatting.unit_name("days", "nl") == "dagen"
    assert formatting.unit_name("h/user/month", "nl") == "u/gebruiker/maand"
    assert formatting.unit_text("parsecs", "nl") == "parsecs"  # a unit of your own KPI file


@pytest.mark.parametrize("kpi", [k for k in CATALOG if k.has_actions], ids=lambda k: k.id)
def test_every_action_column_has_a_distinct_english_and_dutch_label(kpi: KpiDefinition) -> None:
    columns = _action_columns(kpi)
    missing = [c for c in columns if c not in COLUMN_LABELS]
    assert missing == [], "add these to kpis.COLUMN_LABELS"
    untranslated = [COLUMN_LABELS[c] for c in columns if not DUTCH.get(COLUMN_LABELS[c])]
    assert untranslated == [], "add these to messages.po"
    for lang in ("en", "nl"):
        labels = [column_label(c, lang) for c in columns]
        assert len(set(labels)) == len(labels), f"two columns share a label in {lang}: {labels}"


def test_every_error_message_has_dutch_with_the_same_fields() -> None:
    for template in formatting.ERROR_MESSAGES:
        assert DUTCH.get(template), f"{template!r} has no Dutch in messages.po"
        assert _fields(DUTCH[template]) == _fields(template), template


def test_error_messages_translate_their_varying_parts() -> None:
    assert formatting.error_text("unknown dashboard 'nope'", "nl") == "onbekend dashboard 'nope'"
    assert formatting.error_text("unknown dashboard 'nope'", "en") == "unknown dashboard 'nope'"
    text = formatting.error_text("unknown KPI 'x'. See `stip kpi list` for all KPIs.", "nl")
    assert text == "onbekende KPI 'x'. Zie `stip kpi list` voor alle KPI's."
    spec = "{kpi}"  # the varying part is not read as a template
    assert formatting.error_text(f"no team {spec}", "nl") == "geen team {kpi}"
    assert formatting.error_text("something new", "nl") == "something new"


# -- the pages ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def records(stip: Stip) -> None:
    """One overdue open ticket and one low survey rating on it (October 2026)."""
    batch = Batch()
    batch.add(
        "tickets",
        [
            {
                "source_system": "autotask",
                "id": 700001,
                "ticket_number": "T20261001.0001",
                "title": "Printer",
                "company_id": 301,
                "assigned_resource_id": ENGINEER_RESOURCE,
                "priority": 1,
                "status": 1,
                "create_date": datetime(2026, 10, 1, 9),
                "due_date_time": datetime(2026, 10, 5, 17),
            }
        ],
    )
    batch.add(
        "picklists",
        [
            {
                "source_system": "autotask",
                "entity": "Tickets",
                "field": field,
                "value": 1,
                "label": label,
                "is_active": True,
            }
            for field, label in (("priority", "Kritiek"), ("status", "Nieuw"))
        ],
    )
    batch.add(
        "survey_results",
        [
            {
                "source_system": "autotask",
                "id": 900001,
                "ticket_id": 700001,
                "company_id": 301,
                "contact_id": 401,
                "complete_date": datetime(2026, 10, 20, 10),
                "survey_rating": 1.0,
            }
        ],
    )
    stip.store.apply(batch)


def _units(page: str) -> set[str]:
    return {html.unescape(u.replace("<wbr>", "")) for u in UNIT_SPAN.findall(page)}


def _action_headers(page: str) -> list[str]:
    table = page.split('class="action-table"', 1)[1].split("</thead>", 1)[0]
    return [html.unescape(h) for h in HEADERS.findall(table)]


def test_tile_units_follow_the_page_language(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = KpiData.tiles

    def with_data(self: KpiData, *args: Any) -> list[Any]:
        """The store is empty: no-data tiles and tiles without a value show no unit, so
        pretend there is data and a value."""
        return [replace(tile, no_data=False, value=1.0) for tile in computed(self, *args)]

    monkeypatch.setattr(KpiData, "tiles", with_data)
    login(client, "owner")
    dutch = _units(client.get("/d/owner?lang=nl").text)
    english = _units(client.get("/d/owner?lang=en").text)
    assert "€/maand" in dutch and "€/month" in english
    assert "€/gebruiker/maand" in dutch and "€/user/month" in english
    assert dutch <= {DUTCH.get(t, t) for t in formatting.UNIT_TEXTS.values() if t}
    assert english <= set(formatting.UNIT_TEXTS.values())
    assert not any(re.search(r"month|user|client|FTE|engineer\b", u) for u in dutch - english)


def test_kpi_page_unit_and_action_headers_in_dutch(client: TestClient) -> None:
    login(client, "service_manager")
    page = client.get(f"/kpi/overdue_tickets?lang=nl&{AS_OF}").text
    assert "<dt>Eenheid</dt><dd>aantal</dd>" in page
    headers = _action_headers(page)
    assert headers == [
        "Klant",
        "Wie",
        "Wat te doen",
        "Waarom",
        "Contactpersoon",
        "Telefoon",
        "Ticket",
        "Titel",
        "Vervaldatum",
        "Prioriteit",
        "Status",
    ]
    assert set(headers) <= {DUTCH[label] for label in COLUMN_LABELS.values()}
    english = client.get(f"/kpi/overdue_tickets?lang=en&{AS_OF}").text
    assert "<dt>Unit</dt><dd>count</dd>" in english
    headers = _action_headers(english)
    assert {"What to do", "Who", "Due date", "Priority", "Status"} <= set(headers)
    assert set(headers) <= set(COLUMN_LABELS.values())


def _action_cells(page: str) -> list[str]:
    body = page.split('class="action-table"', 1)[1].split("</tbody>", 1)[0].split("<tbody>")[1]
    return [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td>(.*?)</td>", body)]


def test_action_table_shows_labels_and_local_times_not_ids(client: TestClient) -> None:
    """It showed 16 columns: five of ids, priority 1 and status 1 as numbers, ISO times."""
    login(client, "service_manager")
    cells = _action_cells(client.get(f"/kpi/overdue_tickets?lang=nl&{AS_OF}").text)
    assert cells[6:] == ["T20261001.0001", "Printer", "5 okt 2026 19:00", "Kritiek", "Nieuw"]
    cells = _action_cells(client.get(f"/kpi/overdue_tickets?lang=en&{AS_OF}").text)
    # picklist labels are the PSA's own (this one names them in Dutch)
    assert cells[6:] == ["T20261001.0001", "Printer", "5 Oct 2026 19:00", "Kritiek", "Nieuw"]


def test_survey_action_headers_in_dutch(client: TestClient) -> None:
    login(client, "service_manager")
    page = client.get(f"/kpi/csat_low_responses?lang=nl&period=2026-10&{AS_OF}").text
    headers = _action_headers(page)
    assert {"Enquêtescore", "Enquête ingevuld", "Contactpersoon", "Telefoon"} <= set(headers)
    assert not any(h.endswith("-id") for h in headers)
    assert not any("_" in h or h == h.lower() for h in headers)


def test_delivery_statuses_in_dutch(client: TestClient) -> None:
    login(client, "admin")
    page = client.get("/admin/deliveries?lang=nl").text
    assert "wachtend 0" in page and "verzonden 0" in page and "mislukt 0" in page
    assert ">pending 0<" not in page
    assert "pending 0" in client.get("/admin/deliveries?lang=en").text


@pytest.mark.parametrize(
    ("role", "url", "dutch", "english"),
    [
        (
            "owner",
            "/d/nope",
            "onbekend dashboard &#39;nope&#39;",
            "unknown dashboard &#39;nope&#39;",
        ),
        (
            "owner",
            "/d/owner?period=bad",
            "periode &#39;bad&#39; is ongeldig; gebruik een van:",
            "period &#39;bad&#39; is not valid; use one of:",
        ),
        (
            "teamlead",
            "/kpi/effective_hourly_rate",
            "je rol mag geen geldbedragen zien",
            "your role may not see money figures",
        ),
        (
            "engineer",
            "/d/engineer?team=5",
            "je kunt alleen je eigen cijfers zien",
            "you can only see your own figures",
        ),
        ("owner", "/admin/users", "alleen voor beheerders", "administrators only"),
        ("teamlead", "/d/teamlead?team=424242", "geen team 424242", "no team 424242"),
        ("owner", "/kpi/open_backlog?resource=12345", "geen persoon 12345", "no person 12345"),
        ("owner", "/no/such/page", "deze pagina bestaat niet", "Not Found"),
    ],
)
def test_error_pages_speak_the_page_language(
    client: TestClient, role: str, url: str, dutch: str, english: str
) -> None:
    login(client, role)
    join = "&" if "?" in url else "?"
    page = client.get(url + join + "lang=nl")
    assert page.status_code >= 400
    assert dutch in page.text, page.text
    assert english in client.get(url + join + "lang=en").text


def test_api_errors_stay_english(stip: Stip, client: TestClient) -> None:
    response = client.get(
        "/api/v1/dashboards/nope?lang=nl",
        headers={"accept-language": "nl", **bearer(stip, "owner")},
    )
    assert response.status_code == 404
    assert response.json()["error"].startswith("unknown dashboard 'nope'")
