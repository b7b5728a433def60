"""The goals and deliverables files edited in the browser: checked exactly as the server reads
them, nothing written while the text has a mistake or the file changed meanwhile, and the
previous version kept."""

from __future__ import annotations

import re
import stat

import pytest
from httpx import Response

from goals.goals_fixture import GOALS
from stip.app import Stip
from stip.filesource import KEEP_VERSIONS, MAX_BYTES

from .conftest import TestClient, csrf, login

SEEN_RE = re.compile(r'name="seen" value="([0-9a-f]*)"')


def opened(client: TestClient, kind: str = "goals") -> str:
    """Open the editor; what it read (the file's fingerprint, "" for no file)."""
    page = client.get(f"/{kind}/edit")
    assert page.status_code == 200, page.text
    match = SEEN_RE.search(page.text)
    assert match is not None
    return match.group(1)


def post(client: TestClient, text: str, seen: str, action: str, kind: str = "goals") -> Response:
    data = {"text": text, "seen": seen, "action": action, "csrf_token": csrf(client)}
    return client.post(f"/{kind}/edit", data=data, follow_redirects=False)


@pytest.fixture(autouse=True)
def _clean(stip: Stip) -> None:
    home = stip.settings.home
    for name in ("goals.yaml", "deliverables.yaml"):
        (home / name).unlink(missing_ok=True)
    for old in (home / "history").glob("*") if (home / "history").exists() else []:
        old.unlink()


def test_a_new_file_starts_from_an_example_that_saves_as_it_stands(
    stip: Stip, client: TestClient
) -> None:
    login(client, "owner")
    page = client.get("/goals/edit").text
    assert "There is no file yet: this is an example to start from." in page
    assert "kind: Goals" in page and "core_kpis: [sla_met_rate, csat_positive_rate]" in page
    text = page.split('name="text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    saved = post(client, text.replace("&#39;", "'"), "", "save")
    assert saved.status_code == 303 and saved.headers["location"] == "/goals/edit?saved=1"
    created = stip.settings.home / "goals.yaml"
    assert created.read_text(encoding="utf-8").startswith("# The dot")
    assert stat.S_IMODE(created.stat().st_mode) == 0o644
    assert not (stip.settings.home / "history").exists() or not list(
        (stip.settings.home / "history").iterdir()
    )  # nothing to keep from before
    after = client.get("/goals/edit?saved=1").text
    assert "Saved. The previous version is kept in the history folder of the Stip folder." in after
    goals = client.get("/goals").text
    assert "If a customer has a problem, it is our problem" in goals
    assert '<a class="button-link" href="/goals/edit">Edit</a>' in goals


def test_a_mistake_is_named_by_line_and_nothing_is_written(stip: Stip, client: TestClient) -> None:
    path = stip.settings.home / "goals.yaml"
    path.write_text(GOALS, encoding="utf-8")
    login(client, "owner")
    seen = opened(client)
    assert "No mistakes. Goals: 4." in client.get("/goals/edit").text
    wrong = GOALS.replace("kpi: csat_score", "kpi: csat_scor")
    for action in ("check", "save"):
        answer = post(client, wrong, seen, action)
        assert answer.status_code == 400
        text = answer.text
        assert f"{path}:14: goals.satisfaction.kpi: unknown KPI &#39;csat_scor&#39;" in text
        assert "kpi: csat_scor\n" in text  # the text is kept for the next try
        assert '<pre class="error-line">line 14:     kpi: csat_scor</pre>' in text
        assert 'data-error-line="14"' in text  # stip.js puts the cursor there
    assert path.read_text(encoding="utf-8") == GOALS
    assert not list(path.parent.glob(".stip-*"))  # no checking or saving leftovers
    checked = post(client, GOALS.replace("target: 90", "target: 95"), seen, "check")
    assert checked.status_code == 200 and "No mistakes. Goals: 4." in checked.text
    assert path.read_text(encoding="utf-8") == GOALS  # checking writes nothing


def test_saving_keeps_the_previous_version_and_the_pages_follow(
    stip: Stip, client: TestClient
) -> None:
    path = stip.settings.home / "goals.yaml"
    path.write_text(GOALS, encoding="utf-8")
    path.chmod(0o640)
    login(client, "admin")
    edited = GOALS.replace("Your problem is our <problem>", "Uw probleem, ons probleem")
    saved = post(client, edited.replace("\n", "\r\n"), opened(client), "save")
    assert saved.status_code == 303
    assert path.read_bytes() == edited.encode()  # a browser's CRLF stored as LF
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # its permissions kept
    kept = list((path.parent / "history").glob("goals.*.yaml"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == GOALS
    assert "Uw probleem, ons probleem" in client.get("/goals").text  # no restart needed
    for _ in range(KEEP_VERSIONS + 2):
        assert post(client, GOALS, opened(client), "save").status_code == 303
    assert len(list((path.parent / "history").glob("goals.*.yaml"))) == KEEP_VERSIONS


def test_someone_elses_change_is_never_overwritten(stip: Stip, client: TestClient) -> None:
    path = stip.settings.home / "goals.yaml"
    path.write_text(GOALS, encoding="utf-8")
    login(client, "owner")
    seen = opened(client)
    theirs = GOALS.replace("target: 1000", "target: 2000")
    path.write_text(theirs, encoding="utf-8")  # another admin, or an editor on the server
    answer = post(client, GOALS.replace("target: 90", "target: 95"), seen, "save")
    assert answer.status_code == 409
    assert "was changed by someone else after you opened it; nothing was saved" in answer.text
    assert path.read_text(encoding="utf-8") == theirs
    created = post(client, GOALS, "", "save")  # "there was no file" while there is one now
    assert created.status_code == 409


def test_the_text_is_escaped_and_its_size_is_limited(stip: Stip, client: TestClient) -> None:
    login(client, "owner")
    hostile = GOALS.replace("Your problem", "</textarea><script>alert(1)</script>")
    answer = post(client, hostile, "", "check")
    assert "<script>alert(1)" not in answer.text
    assert "&lt;/textarea&gt;&lt;script&gt;" in answer.text
    big = GOALS + "#" * MAX_BYTES
    too_big = post(client, big, "", "save")
    assert too_big.status_code == 400
    assert "a definitions file is at most 256 KiB" in too_big.text
    assert not (stip.settings.home / "goals.yaml").exists()


def test_deliverables_start_from_the_first_client(stip: Stip, client: TestClient) -> None:
    login(client, "owner")
    page = client.get("/deliverables/edit?lang=nl").text
    assert "Afspraken bewerken" in page and "kind: Deliverables" in page
    assert "Er is nog geen bestand" in page
    text = page.split('name="text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    text = text.replace("&#39;", "'")
    assert post(client, text, "", "save", "deliverables").status_code == 303
    assert "No mistakes. Agreements: 1." in client.get("/deliverables/edit").text
    assert "Geen fouten. Overeenkomsten: 1." in client.get("/deliverables/edit?lang=nl").text


def test_only_the_owner_and_admins_edit(client: TestClient) -> None:
    for role in ("engineer", "teamlead", "finance"):
        login(client, role)
        assert client.get("/goals/edit").status_code == 403
        assert post(client, GOALS, "", "save").status_code == 403
    login(client, "owner")
    no_token = client.post("/goals/edit", data={"text": GOALS, "action": "save"})
    assert no_token.status_code == 403  # the form must come from this site


def test_targets_are_checked_with_the_whole_catalogue(stip: Stip, client: TestClient) -> None:
    """The override file of $STIP_HOME/kpis/: a target on the wrong side is refused with its
    line, a mistake in a neighbouring KPI file names that file; a saved target is in force on
    the next request, and nothing is left in the folder the catalogue reads."""
    folder = stip.settings.home / "kpis"
    folder.mkdir(exist_ok=True)
    path = folder / "targets.yaml"
    path.unlink(missing_ok=True)
    login(client, "owner")
    page = client.get("/targets/edit").text
    assert "Edit the KPI targets" in page and "targets: {}" in page
    assert "0 KPIs" not in page  # a new file is an example, not yet checked
    wrong = "targets:\n  sla_met_rate: {target: 97, amber: 99}\n"
    refused = post(client, wrong, "", "save", "targets")
    assert refused.status_code == 400
    assert f"{path}:2: targets.sla_met_rate: `amber` (99.0) must be on the bad side" in (
        refused.text.replace("&#39;", "'")
    )
    assert not path.exists()
    good = "targets:\n  sla_met_rate: {target: 97, amber: 93}\n"
    assert post(client, good, "", "save", "targets").status_code == 303
    assert path.read_text(encoding="utf-8") == good
    assert "No mistakes. KPIs with targets of your own: 1." in client.get("/targets/edit").text
    kpi_page = client.get("/kpi/sla_met_rate").text
    assert "97.0 %" in kpi_page and '<a href="/targets/edit">change</a>' in kpi_page
    neighbour = folder / "mine.yaml"
    neighbour.write_text("targets:\n  csat_scor: {target: 5}\n", encoding="utf-8")
    try:
        named = post(client, good, opened(client, "targets"), "check", "targets")
        assert named.status_code == 400
        assert f"{neighbour}:2: targets: unknown KPI &#39;csat_scor&#39;" in named.text
    finally:
        neighbour.unlink()
    assert post(client, good, opened(client, "targets"), "save", "targets").status_code == 303
    assert [p.name for p in folder.rglob("*")] == ["targets.yaml"]  # no leftovers
    assert len(list((stip.settings.home / "history").glob("targets.*.yaml"))) == 1
    path.unlink()
    login(client, "engineer")
    assert "/targets/edit" not in client.get("/kpi/open_backlog").text


@pytest.mark.parametrize(
    ("kind", "dutch"),
    [
        ("goals", "# De stip op de horizon en de doelen die ernaartoe leiden: zie docs/goals.md."),
        ("deliverables", "# De KPI's die in contracten met een vaste prijs zijn afgesproken,"),
        ("targets", "# Je eigen doelen, oranjegrenzen en minimum aantal records (min_n) voor"),
    ],
)
def test_a_starter_explains_itself_in_the_readers_language(
    stip: Stip, client: TestClient, kind: str, dutch: str
) -> None:
    """Its comments are Dutch on the Dutch page, and it still saves as it stands."""
    (stip.settings.home / "kpis" / "targets.yaml").unlink(missing_ok=True)
    login(client, "owner")
    english = client.get(f"/{kind}/edit").text
    page = client.get(f"/{kind}/edit?lang=nl").text
    text = page.split('name="text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    text = text.replace("&#39;", "'")
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert comments[0].startswith(dutch) and comments[0] not in english
    assert all(len(line) <= 90 for line in comments)
    assert post(client, text, "", "save", kind).status_code == 303
    (stip.settings.home / "kpis" / "targets.yaml").unlink(missing_ok=True)
