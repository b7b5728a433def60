"""Whose figures a request shows (person/team scope) and for which period, with the rules of
the permission table: an engineer only ever sees their own scorecard."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from stip.accounts import roles
from stip.accounts.users import User
from stip.errors import UserError
from stip.semantic.periods import Period
from stip.semantic.query import Scope as EngineScope
from stip.web.errors import BadRequest, Forbidden, NotFound
from stip.web.i18n import gettext_for
from stip.web.kpidata import KpiData
from stip.web.people import Directory
from stip.web.viewmodel import CUSTOM_PERIOD

# `company=mine`: the clients whose account manager the user is.
MY_CLIENTS = "mine"


@dataclass(frozen=True)
class Scope:
    resource_id: int | None = None
    team_id: int | None = None
    company_id: int | None = None
    my_clients: tuple[int, ...] = ()  # company=mine: the viewer's own clients (never empty)

    def to_engine(self) -> EngineScope | None:
        if self == Scope():
            return None
        return EngineScope(self.resource_id, self.team_id, self.company_id, self.my_clients)

    def params(self) -> dict[str, int | str | None]:
        company = MY_CLIENTS if self.my_clients else self.company_id
        return {"resource": self.resource_id, "team": self.team_id, "company": company}

    def label(self, people: Directory, lang: str) -> str:
        """Whose figures these are, for a page's title ("" for everyone's)."""
        if self.my_clients:
            return gettext_for(lang)("my clients")
        if self.resource_id is not None:
            return people.resource_name(self.resource_id) or f"#{self.resource_id}"
        if self.team_id is not None:
            return people.team_name(self.team_id) or f"#{self.team_id}"
        if self.company_id is not None:
            return people.company_name(self.company_id) or f"#{self.company_id}"
        return ""


def _int_param(name: str, text: str | None) -> int | None:
    if text is None or text.strip() == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"{name} must be a number (a PSA id), not '{text}'") from None


def resolve_scope(
    user: User | None,
    personal: bool,
    resource: str | None,
    team: str | None,
    people: Directory,
    company: str | None = None,
) -> Scope:
    """The scope for this viewer; None user = a share link (the dashboard as a whole).

    One of a person, a team or a client (in that order when several are asked). A person,
    team or client the store does not know is a 404: their figures would all be zero and
    green, which reads as "all is well" for someone who does not exist."""
    resource_id = _int_param("resource", resource)
    team_id = _int_param("team", team)
    mine = (company or "").strip() == MY_CLIENTS
    company_id = None if mine else _int_param("company", company)
    if user is None:
        return Scope()
    if not roles.can_see_others(user.role):
        others = team_id is not None or company_id is not None or mine
        if others or (resource_id is not None and resource_id != user.resource_id):
            raise Forbidden("you can only see your own figures")
        if user.resource_id is None:
            raise Forbidden(
                "your account is not linked to a PSA resource; ask an administrator to link it"
            )
        return Scope(resource_id=user.resource_id)
    if resource_id is not None:
        if people.resource_name(resource_id) is None:
            raise NotFound(f"no person {resource_id}")
        return Scope(resource_id=resource_id)
    if team_id is not None:
        if people.team_name(team_id) is None:
            raise NotFound(f"no team {team_id}")
        return Scope(team_id=team_id)
    if company_id is not None:
        if people.company_name(company_id) is None:
            raise NotFound(f"no client {company_id}")
        return Scope(company_id=company_id)
    if mine:
        own = people.clients_of(user.resource_id) if user.resource_id is not None else []
        if not own:
            raise BadRequest(
                "'my clients' are the clients whose account manager you are in the PSA; "
                "your account is linked to no resource that manages any"
            )
        return Scope(my_clients=tuple(sorted(c.id for c in own)))
    if personal and user.resource_id is not None:
        return Scope(resource_id=user.resource_id)
    return Scope()


@dataclass(frozen=True)
class When:
    period: Period
    as_of: datetime
    as_of_param: str
    choice: str
    custom: str

    @property
    def live(self) -> bool:
        """No as-of was asked for: the view follows the data as it arrives."""
        return not self.as_of_param


def chosen_period(q: Mapping[str, str]) -> tuple[str | None, str | None]:
    """`period` and `custom` of a page's period fields (`_period_fields.html`). The period
    select decides: its "custom range" choice reads the custom box, any other choice wins over
    a range left in that box, unless that range was typed since the page was shown (the form's
    `shown_custom` holds what the box showed): without JavaScript the select cannot follow the
    box, and the range typed is meant. A link without `shown_custom` is read as the select
    decides."""
    period, custom = q.get("period"), q.get("custom")
    shown = q.get("shown_custom")
    typed = (custom or "").strip()
    if period == CUSTOM_PERIOD or (shown is not None and typed and typed != shown.strip()):
        period = None
    elif period:
        custom = None
    return period, custom


def resolve_when(
    kpis: KpiData,
    period: str | None,
    custom: str | None,
    as_of: str | None,
    default: str,
    *,
    now_by_default: bool = False,
) -> When:
    """Parse `period`/`custom`/`as_of` URL parameters; bad input is a 400 with the reason.

    Without `as_of`, pages show the data's own time (`live_as_of`); the JSON API uses now, as
    `stip kpi values` does (contract §2), so the two give the same numbers.
    """
    as_of_text = (as_of or "").strip()
    custom_text = (custom or "").strip()
    spec = custom_text or (period or "").strip() or default
    moment = resolve_as_of(kpis, as_of_text, now_by_default=now_by_default)
    try:
        parsed = kpis.period(spec, moment)
    except UserError as exc:
        raise BadRequest(str(exc)) from None
    return When(parsed, moment, as_of_text, "" if custom_text else spec, custom_text)


def resolve_as_of(kpis: KpiData, as_of: str | None, *, now_by_default: bool = False) -> datetime:
    """The `as_of` URL parameter (a 400 with the reason when it is wrong); without one, the
    data's own time for a page and now for the API (see `resolve_when`)."""
    text = (as_of or "").strip()
    try:
        if text or now_by_default:
            return kpis.as_of(text or None)
        return kpis.live_as_of()
    except UserError as exc:
        raise BadRequest(str(exc)) from None
