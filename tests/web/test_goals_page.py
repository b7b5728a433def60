"""The goals page and `GET /api/v1/goals` on the hand-made store of tests/goals (figures
worked out in test_progress.py), as of Wednesday 18 November 2026, 12:00."""

from __future__ import annotations

import pytest

from goals.goals_fixture import ANNA, BAS, GOALS, build_batch, write_targets
from stip.accounts.users import engine_for, get_user, set_resource
from stip.app import Stip

from .conftest import TestClient, bearer, login

AS_OF = "as_of=2026-11-18T12:00"


@pytest.fixture(scope="module", autouse=True)
def _goals(stip: Stip) -> None:
    stip.store.apply(build_batch())
    write_targets(stip.settings.home)
    (stip.settings.home / "goals.yaml").write_text(GOALS, encoding="utf-8")
    accounts = engine_for(stip.settings)
    engineer = get_user(accounts, "engineer")
    assert engineer is not None
    set_resource(accounts, engineer.id, ANNA)


def test_the_owner_sees_the_cascade(client: TestClient) -> None:
    login(client, "owner")
    page = client.get(f"/goals?{AS_OF}").text
    assert "Fewer tickets, happier clients" in page
    assert "This quarter: 1 of 4 goals on track, 0 nearly, 2 off track." in page
    assert '<a href="/kpi/tickets_created">Tickets created</a>' in page
    # this month: 3 tickets so far, 3.0 asked by now (3.044), 4.5 for all of November
    assert '<span class="goal-value">3</span>' in page
    assert "now 3.0 · period 4.5" in page
    assert "supports: Tickets created" in page
    assert "No team with these names in the PSA: Nowhere" in page
    assert "On track this quarter: Servicedesk" in page  # quiet when green
    assert "Field</th>" in page and "Bas A</th>" in page
    assert '<a href="/kpi/mrr">' in page  # the owner may see money
    assert "to 30.0 h per week each person by 31 Dec 2026, from each one&#39;s own baseline" in page


def test_an_engineer_sees_their_own_row_and_no_amounts(client: TestClient) -> None:
    login(client, "engineer")
    page = client.get(f"/goals?{AS_OF}").text
    assert "Anna A</th>" in page and "Bas A" not in page and "Cor A" not in page
    assert "Amounts are for account managers, finance and the owner." in page
    assert '<a href="/kpi/mrr">' not in page
    assert "Field</th>" in page  # teams are no one's personal figures


def test_the_page_reads_in_dutch(client: TestClient) -> None:
    login(client, "owner")
    page = client.get(f"/goals?{AS_OF}&lang=nl").text
    assert "Doelen" in page and "De stip op de horizon" in page
    assert "Minder tickets, blijere klanten" in page
    assert "Dit kwartaal: 1 van 4 doelen op koers, 0 bijna, 2 uit koers." in page
    assert "nu 3,0 · periode 4,5" in page
    assert "naar 30,0 u per week per persoon" in page and "ieders eigen beginwaarde" in page
    assert "6 (gemeten)" in page and "(lineair)" in page
    assert "· einde 90,0 %" in page  # a level's end of the year
    assert "Dit kwartaal op koers: Servicedesk" in page


def test_the_api_gives_the_same_figures_as_each_role_may_see_them(
    stip: Stip, client: TestClient
) -> None:
    owner = client.get(f"/api/v1/goals?{AS_OF}", headers=bearer(stip, "owner")).json()
    assert owner["summary"] == {"green": 1, "amber": 0, "red": 2, "none": 1}
    tickets = owner["goals"][0]
    assert tickets["id"] == "tickets" and tickets["baseline"] == 6
    month = tickets["levels"][2]
    assert (month["value"], month["status"]) == (3, "green")
    assert month["milestone"] == pytest.approx(4.5262, abs=1e-4)
    assert month["expected"] == pytest.approx(3.0440, abs=1e-4)
    engineer = client.get(f"/api/v1/goals?{AS_OF}", headers=bearer(stip, "engineer")).json()
    goals = {g["id"]: g for g in engineer["goals"]}
    assert goals["recurring"]["hidden"] and goals["recurring"]["target"] is None
    assert {s["value"] for s in goals["recurring"]["levels"]} == {None}
    assert [r["id"] for r in goals["hours"]["split"]["rows"]] == [ANNA]
    manager = client.get(f"/api/v1/goals?{AS_OF}", headers=bearer(stip, "teamlead")).json()
    rows = {g["id"]: g for g in manager["goals"]}["hours"]["split"]["rows"]
    assert BAS in [r["id"] for r in rows]


def test_a_bad_as_of_is_a_400(stip: Stip, client: TestClient) -> None:
    response = client.get("/api/v1/goals?as_of=yesterday-ish", headers=bearer(stip, "owner"))
    assert response.status_code == 400
    assert "as-of" in response.json()["error"] or "as_of" in response.json()["error"]


def test_a_mistake_in_the_goals_file_names_its_line_to_those_who_can_fix_it(
    stip: Stip, client: TestClient
) -> None:
    path = stip.settings.home / "goals.yaml"
    path.write_text(GOALS.replace("kpi: csat_score", "kpi: csat_scor"), encoding="utf-8")
    try:
        owner = client.get("/api/v1/goals", headers=bearer(stip, "owner"))
        assert owner.status_code == 500
        assert "goals.yaml:14: goals.satisfaction.kpi: unknown KPI 'csat_scor'" in owner.text
        engineer = client.get("/api/v1/goals", headers=bearer(stip, "engineer"))
        assert engineer.status_code == 500
        assert "an admin or the owner must fix it" in engineer.json()["error"]
        assert "csat_scor" not in engineer.text
        login(client, "owner")
        page = client.get("/goals?lang=nl")
        assert page.status_code == 500
        assert "het doelenbestand bevat een fout" in page.text
    finally:
        path.write_text(GOALS, encoding="utf-8")
    assert client.get(f"/goals?{AS_OF}").status_code == 200  # fixed: read again


def test_without_a_goals_file_the_page_says_how_to_start(stip: Stip, client: TestClient) -> None:
    path = stip.settings.home / "goals.yaml"
    path.unlink()
    try:
        login(client, "teamlead")
        page = client.get("/goals").text
        assert "No goals yet." in page and "docs/goals.md" in page
        response = client.get("/api/v1/goals", headers=bearer(stip, "teamlead"))
        assert response.status_code == 404
        assert "no goals yet" in response.json()["error"]
    finally:
        path.write_text(GOALS, encoding="utf-8")


def test_an_engineers_headline_is_their_own_row(stip: Stip, client: TestClient) -> None:
    """2 billable hours a week each (0.4 a workday): by 18 November the quarter asks 13.8
    (34.5 workdays). Anna's 16 is on track, Bas's 8 and Cor's 0 are not. The owner reads the
    goal as red; Anna, who sees only her own row, as green, and so do the counts above it."""
    path = stip.settings.home / "goals.yaml"
    head = GOALS.split("goals:\n")[0] + "goals:\n"
    path.write_text(
        head + "  parent: {kpi: csat_score, start: 2026-01-01, baseline: 70, target: 90}\n"
        "  hours: {kpi: billable_hours, start: 2026-01-01, baseline: 2, target: 2, per: week,"
        " split: resource, supports: parent}\n",
        encoding="utf-8",
    )
    try:
        owner = client.get(f"/api/v1/goals?{AS_OF}", headers=bearer(stip, "owner")).json()
        engineer = client.get(f"/api/v1/goals?{AS_OF}", headers=bearer(stip, "engineer")).json()
    finally:
        path.write_text(GOALS, encoding="utf-8")
    assert [g["status"] for g in owner["goals"]] == ["red", "red"]
    assert owner["goals"][0]["supporting"] == {"red": 1}
    hours = engineer["goals"][1]
    assert [(r["id"], r["status"]) for r in hours["split"]["rows"]] == [(ANNA, "green")]
    assert hours["status"] == "green"
    assert engineer["goals"][0]["supporting"] == {"green": 1}
    assert engineer["summary"] == {"green": 1, "amber": 0, "red": 1, "none": 0}


def test_a_goal_without_records_before_its_start_says_so(client: TestClient) -> None:
    login(client, "owner")
    page = client.get(f"/goals?{AS_OF}").text
    assert "No baseline: the KPI had no records in the period before the start." in page
    dutch = client.get(f"/goals?{AS_OF}&lang=nl").text
    assert "Geen beginwaarde: de KPI had geen gegevens in de periode vóór de start." in dutch


def test_the_owner_dashboard_names_the_horizon_and_the_count(
    stip: Stip, client: TestClient
) -> None:
    login(client, "owner")
    page = client.get(f"/d/owner?{AS_OF}").text
    assert 'class="goals-line"' in page
    assert "Fewer tickets, happier clients" in page  # as of the data: the live view
    assert '<a href="/goals">This quarter:' in page
    dutch = client.get("/d/owner?lang=nl").text
    assert "Minder tickets, blijere klanten" in dutch and "Dit kwartaal:" in dutch
    assert "goals-line" not in client.get("/d/owner?tv=1").text  # not on the wall
    login(client, "teamlead")
    assert "goals-line" not in client.get("/d/teamlead").text
    path = stip.settings.home / "goals.yaml"
    path.write_text("kind: Goals\n", encoding="utf-8")
    try:
        login(client, "owner")
        broken = client.get("/d/owner")
        assert broken.status_code == 200
        assert "The goals file has a mistake: see Goals." in broken.text
        path.unlink()
        assert "goals-line" not in client.get("/d/owner").text
    finally:
        path.write_text(GOALS, encoding="utf-8")


def test_the_progress_is_computed_once_per_data_file_and_as_of(
    stip: Stip, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page, the owner dashboard's line and the warm-up share the last computation; an
    edited goals file is computed again."""
    calls: list[str] = []

    def counted(engine: object, goals: object, as_of: object) -> object:
        calls.append("computed")
        return original(engine, goals, as_of)

    source = client.app.state.web.goals  # type: ignore[attr-defined]
    original = source.compute
    monkeypatch.setattr(source, "compute", counted)
    path = stip.settings.home / "goals.yaml"
    path.write_text(GOALS + "\n", encoding="utf-8")  # a new file: nothing kept yet
    login(client, "owner")
    assert client.get(f"/goals?{AS_OF}").status_code == 200
    assert client.get(f"/goals?{AS_OF}&lang=nl").status_code == 200
    assert client.get(f"/api/v1/goals?{AS_OF}", headers=bearer(stip, "teamlead")).status_code == 200
    assert calls == ["computed"]
    # a dashboard at another as-of computes its core KPIs, not every goal's cascade
    assert "Your problem is our" in client.get("/d/teamlead?as_of=2026-11-11T12:00").text
    assert calls == ["computed"]
    calls.clear()
    path.write_text(GOALS.replace("target: 90", "target: 95"), encoding="utf-8")
    try:
        assert "95.0 %" in client.get(f"/goals?{AS_OF}").text
        assert calls == ["computed"]
    finally:
        path.write_text(GOALS, encoding="utf-8")


def test_the_goals_page_says_what_the_company_stands_for(client: TestClient) -> None:
    """The statement (escaped: a goals file is text like any other), the guidelines, and the
    core KPIs this month, company-wide (figures in tests/goals/test_clarity.py)."""
    login(client, "owner")
    page = client.get(f"/goals?{AS_OF}").text
    assert '<p class="clarity-statement">Your problem is our &lt;problem&gt;</p>' in page
    assert "<li>Call back every low rating today</li>" in page
    core = '<a href="/kpi/csat_score?period=this-month">Customer satisfaction</a> <strong>80.0 %'
    assert core in page
    assert '<span class="hint">target 90.0 %</span>' in page
    assert "Monthly recurring revenue (MRR)</a> <strong>no data</strong>" in page  # owner: money
    dutch = client.get(f"/goals?{AS_OF}&lang=nl").text
    assert "Waar we voor staan" in dutch and "Uw probleem is ons &lt;probleem&gt;" in dutch
    assert "<li>Bel elke lage beoordeling vandaag terug</li>" in dutch
    assert "Kern-KPI&#39;s, het hele bedrijf deze maand" in dutch


def test_every_dashboard_carries_the_statement_and_core_kpis(
    stip: Stip, client: TestClient
) -> None:
    """Everyone knows the same KPIs: the engineer too, without the amounts of a money KPI
    (its status stays) and without the guidelines, which the goals page lists."""
    login(client, "engineer")
    page = client.get(f"/d/engineer?{AS_OF}").text
    assert "What we stand for:</span> Your problem is our &lt;problem&gt;" in page
    assert "<strong>80.0 %</strong>" in page and "<strong>24.0 h</strong>" in page
    assert '<a href="/kpi/mrr' not in page and "Monthly recurring revenue" in page
    assert "Call back every low rating today" not in page
    assert "goals-line" not in page  # the horizon's count is the owner's
    login(client, "owner")
    owner = client.get(f"/d/owner?{AS_OF}&lang=nl").text
    assert 'class="goals-line"' in owner and "Uw probleem is ons &lt;probleem&gt;" in owner
    assert "clarity" not in client.get(f"/d/owner?{AS_OF}&tv=1").text  # not on the wall
    engineer = client.get(f"/api/v1/goals?{AS_OF}", headers=bearer(stip, "engineer")).json()
    core = {item["kpi"]: item for item in engineer["clarity"]["core"]}
    assert core["mrr"]["hidden"] and core["mrr"]["value"] is None
    assert not core["csat_score"]["hidden"] and core["csat_score"]["value"] == pytest.approx(80)


def test_a_broken_goals_file_is_named_only_to_those_who_can_fix_it(
    stip: Stip, client: TestClient
) -> None:
    path = stip.settings.home / "goals.yaml"
    path.write_text(GOALS.replace("core_kpis: [csat_score", "core_kpis: [csat_scor"), "utf-8")
    try:
        login(client, "engineer")
        page = client.get(f"/d/engineer?{AS_OF}")
        assert page.status_code == 200
        assert "clarity" not in page.text and "mistake" not in page.text
        login(client, "owner")
        assert "The goals file has a mistake: see Goals." in client.get("/d/teamlead").text
    finally:
        path.write_text(GOALS, encoding="utf-8")
