"""The MSP's staff (departments, roles, resources) and its clients (companies, contacts, CIs)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stip.demo import names
from stip.demo import picklists as pk
from stip.demo.clock import Timeline
from stip.demo.model import NULL, Frame, Scale, nat, nulls_int

DEPARTMENTS = (
    ("Servicedesk 1e lijn", "SD1"),
    ("Servicedesk 2e lijn", "SD2"),
    ("Field", "FLD"),
    ("Projecten", "PRJ"),
    ("Directie & accountmanagement", "DIR"),
)
FIRST, SECOND, FIELD, PROJECTS, STAFF = range(5)
DEPARTMENT_BASE = 29683400
# (name, hourly rate, title) per department; the staff department has two roles
ROLES = (
    ("Servicedesk medewerker", 95.0, "Servicedesk medewerker"),
    ("Systeembeheerder", 115.0, "Systeembeheerder"),
    ("Field engineer", 105.0, "Field engineer"),
    ("Projectconsultant", 135.0, "Projectconsultant"),
    ("Accountmanager", 125.0, "Accountmanager"),
    ("Directie", 150.0, "Directeur"),
)
ROLE_BASE = 29683450
RESOURCE_BASE = 29682800
COST_RANGE = ((36, 44), (47, 58), (43, 52), (56, 70), (60, 85))
COMPANY_BASE = 1000
CONTACT_BASE = 30000
CI_BASE = 200000


@dataclass
class Staff:
    frames: list[Frame]
    ids: np.ndarray
    dept: np.ndarray
    role_id: np.ndarray
    rate: np.ndarray
    cost: np.ndarray
    first_day: np.ndarray  # first local day index they work
    last_day: np.ndarray  # last local day index they work (inclusive)
    weekly: np.ndarray  # contracted hours per week
    names: list[str]
    account_managers: np.ndarray


def staff(rng: np.random.Generator, scale: Scale, tl: Timeline) -> Staff:
    sizes = [*scale.team_sizes, scale.staff]
    dept = np.repeat(np.arange(5), sizes)
    n = len(dept)
    ids = RESOURCE_BASE + 1 + np.arange(n)
    pairs = _unique_names(rng, n)
    lo = np.array([COST_RANGE[d][0] for d in dept])
    hi = np.array([COST_RANGE[d][1] for d in dept])
    cost = np.round(lo + rng.random(n) * (hi - lo), 2)
    weekly = rng.choice([40.0, 40.0, 40.0, 36.0, 32.0, 24.0], size=n)
    role_index = np.minimum(dept, 4)
    role_index[np.flatnonzero(dept == STAFF)[:1]] = 5  # the first staff member is the director
    first_day = np.zeros(n, dtype=np.int64)
    last_day = np.full(n, tl.days - 1, dtype=np.int64)
    hire = tl.first_day.toordinal() - rng.integers(60, 3000, size=n)
    if scale.history_days > 365:
        # one engineer left halfway, one joined in the last year: the team is not static
        leaver, joiner = (
            int(np.flatnonzero(dept == SECOND)[-1]),
            int(np.flatnonzero(dept == FIRST)[-1]),
        )
        last_day[leaver] = tl.days // 2
        first_day[joiner] = tl.days - 300
        hire[joiner] = tl.first_day.toordinal() + first_day[joiner]
    hire_dates = np.array(hire - 719163, dtype="datetime64[D]").astype("datetime64[s]")
    first_names = [p[0] for p in pairs]
    last_names = [p[1] for p in pairs]
    full = [f"{a} {b}" for a, b in pairs]
    user = [f"{a[0].lower()}.{b.replace(' ', '').lower()}" for a, b in pairs]
    active = (last_day >= tl.days - 1).astype(np.int8)
    resources = Frame(
        "Resources",
        {
            "id": ids,
            "firstName": np.array(first_names, dtype=object),
            "lastName": np.array(last_names, dtype=object),
            "userName": np.array(user, dtype=object),
            "email": np.array([f"{u}@{names.MSP_DOMAIN}" for u in user], dtype=object),
            "title": np.array([ROLES[r][2] for r in role_index], dtype=object),
            "isActive": active,
            "resourceType": np.array(["Employee"] * n, dtype=object),
            "licenseType": np.ones(n, dtype=np.int64),
            "userType": np.ones(n, dtype=np.int64),
            "hireDate": hire_dates,
            "internalCost": cost,
            "defaultServiceDeskRoleID": ROLE_BASE + 1 + role_index,
        },
        extras={
            "weekly_hours": weekly,
            # directors and account managers are not available for billable work
            "available_hours_per_day": np.where(dept == STAFF, 0.0, weekly / 5),
        },
    )
    departments = Frame(
        "Departments",
        {
            "id": DEPARTMENT_BASE + 1 + np.arange(5),
            "name": np.array([d[0] for d in DEPARTMENTS], dtype=object),
            "description": np.array([d[0] for d in DEPARTMENTS], dtype=object),
            "number": np.array([d[1] for d in DEPARTMENTS], dtype=object),
        },
    )
    roles = Frame(
        "Roles",
        {
            "id": ROLE_BASE + 1 + np.arange(len(ROLES)),
            "name": np.array([r[0] for r in ROLES], dtype=object),
            "description": np.array([r[0] for r in ROLES], dtype=object),
            "hourlyRate": np.array([r[1] for r in ROLES]),
            "hourlyFactor": np.ones(len(ROLES)),
            "isActive": np.ones(len(ROLES), dtype=np.int8),
            "roleType": np.ones(len(ROLES), dtype=np.int64),
        },
    )
    # every engineer's home team (isDefault); 2e lijn also helps out in 1e lijn
    helpers = np.flatnonzero(dept == SECOND)
    rrd_res = np.concatenate([np.arange(n), helpers])
    rrd_dept = np.concatenate([dept, np.full(len(helpers), FIRST)])
    rrd_default = np.concatenate([np.ones(n, np.int8), np.zeros(len(helpers), np.int8)])
    leads = np.zeros(len(rrd_res), dtype=np.int8)
    for d in range(5):
        leads[np.flatnonzero((rrd_dept == d) & (rrd_default == 1))[:1]] = 1
    rrd = Frame(
        "ResourceRoleDepartments",
        {
            "id": 1000 + np.arange(len(rrd_res)),
            "resourceID": ids[rrd_res],
            "roleID": ROLE_BASE + 1 + role_index[rrd_res],
            "departmentID": DEPARTMENT_BASE + 1 + rrd_dept,
            "isActive": np.ones(len(rrd_res), dtype=np.int8),
            "isDefault": rrd_default,
            "isDepartmentLead": leads,
        },
    )
    return Staff(
        frames=[departments, roles, resources, rrd],
        ids=ids,
        dept=dept,
        role_id=ROLE_BASE + 1 + role_index,
        rate=np.array([ROLES[r][1] for r in role_index]),
        cost=cost,
        first_day=first_day,
        last_day=last_day,
        weekly=weekly,
        names=full,
        account_managers=np.flatnonzero((dept == STAFF) & (role_index == 4)),
    )


def _unique_names(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    combos = len(names.FIRST_NAMES) * len(names.LAST_NAMES)
    picks = rng.choice(combos, size=n, replace=n > combos)
    return [
        (names.FIRST_NAMES[p // len(names.LAST_NAMES)], names.LAST_NAMES[p % len(names.LAST_NAMES)])
        for p in picks
    ]


@dataclass
class Clients:
    frames: list[Frame]
    ids: np.ndarray  # clients only (the MSP itself, id 0, is not among them)
    names: list[str]
    users: np.ndarray
    since_day: np.ndarray  # local day index the client joined (negative: before the history)
    contact_first: np.ndarray
    contact_count: np.ndarray
    ci_first: np.ndarray
    ci_count: np.ndarray


def clients(rng: np.random.Generator, scale: Scale, tl: Timeline, crew: Staff) -> Clients:
    n = scale.companies
    users = np.clip(np.round(np.exp(rng.normal(2.9, 0.95, size=n))), 3, 400).astype(np.int64)
    users[: max(1, n // 80)] = np.linspace(400, 160, max(1, n // 80)).astype(np.int64)
    users = rng.permutation(users)
    ids = COMPANY_BASE + 1 + np.arange(n)
    company_names = _company_names(rng, n)
    joined_late = rng.random(n) < 0.3
    since = np.where(
        joined_late,
        rng.integers(0, max(1, tl.days - 200), size=n),
        -rng.integers(30, 2500, size=n),
    )
    since[: max(4, n // 10)] = -rng.integers(400, 2500, size=max(4, n // 10))
    cls = np.where(users >= 75, pk.CLASS_A, np.where(users >= 20, pk.CLASS_B, pk.CLASS_C))
    owners = crew.ids[crew.account_managers[rng.integers(0, len(crew.account_managers), size=n)]]
    cities = rng.choice(len(names.CITIES), size=n)
    created = _day_ts(tl, since) - np.timedelta64(30, "D")
    all_ids = np.concatenate([[0], ids])
    all_users = np.concatenate([[len(crew.ids)], users])
    companies = Frame(
        "Companies",
        {
            "id": all_ids,
            "companyName": np.array([names.MSP_NAME, *company_names], dtype=object),
            "companyNumber": np.array([f"K{1000 + i}" for i in range(n + 1)], dtype=object),
            "companyType": np.concatenate([[pk.OWNER_COMPANY], np.full(n, pk.CUSTOMER)]),
            "classification": np.concatenate([[NULL], cls]),
            "isActive": np.ones(n + 1, dtype=np.int8),
            "ownerResourceID": np.concatenate([[NULL], owners]),
            "parentCompanyID": nulls_int(n + 1),
            "city": np.array(
                ["Amersfoort", *[names.CITIES[c].replace("_", " ") for c in cities]], dtype=object
            ),
            "phone": np.array(
                [f"0{rng.integers(10, 99)}-{rng.integers(1000000, 9999999)}" for _ in range(n + 1)],
                dtype=object,
            ),
            "webAddress": np.array(
                [f"www.{_slug(name)}.nl" for name in [names.MSP_NAME, *company_names]], dtype=object
            ),
            "createDate": np.concatenate(
                [[tl.t0.astype("datetime64[s]") - np.timedelta64(4000, "D")], created]
            ),
            "lastActivityDate": nat(n + 1),
            "lastTrackedModifiedDateTime": np.concatenate([[created.min()], created]),
        },
        extras={"user_count": all_users},
        udfs={"Aantal gebruikers": np.array([str(u) for u in all_users], dtype=object)},
    )
    contact_count = np.clip(np.round(users * 0.35), 2, 60).astype(np.int64)
    contact_first = CONTACT_BASE + np.concatenate([[0], np.cumsum(contact_count)[:-1]])
    contacts = _contacts(rng, ids, contact_count, created, company_names)
    ci_count = (np.round(users * 1.15) + users // 25 + 1 + np.maximum(1, users // 40)).astype(
        np.int64
    )
    ci_first = CI_BASE + np.concatenate([[0], np.cumsum(ci_count)[:-1]])
    cis = _configuration_items(rng, ids, users, ci_count, created)
    return Clients(
        frames=[companies, contacts, cis],
        ids=ids,
        names=company_names,
        users=users,
        since_day=since,
        contact_first=contact_first,
        contact_count=contact_count,
        ci_first=ci_first,
        ci_count=ci_count,
    )


def _company_names(rng: np.random.Generator, n: int) -> list[str]:
    stems, kinds = names.COMPANY_STEMS, names.COMPANY_KINDS
    picks = rng.choice(len(stems) * len(kinds), size=n, replace=n > len(stems) * len(kinds))
    result = [f"{stems[p // len(kinds)]} {kinds[p % len(kinds)]}" for p in picks]
    seen: dict[str, int] = {}
    for i, name in enumerate(result):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            result[i] = f"{name} {names.CITIES[i % len(names.CITIES)].replace('_', ' ')}"
    return result


def _slug(name: str) -> str:
    keep = "".join(ch for ch in name.lower() if ch.isalnum() or ch == " ")
    return "-".join(part for part in keep.split() if part not in {"bv", "b", "v"})


def _contacts(
    rng: np.random.Generator,
    company_ids: np.ndarray,
    count: np.ndarray,
    created: np.ndarray,
    company_names: list[str],
) -> Frame:
    owner = np.repeat(np.arange(len(company_ids)), count)
    n = len(owner)
    first = rng.integers(0, len(names.FIRST_NAMES), size=n)
    last = rng.integers(0, len(names.LAST_NAMES), size=n)
    firsts = [names.FIRST_NAMES[i] for i in first]
    lasts = [names.LAST_NAMES[i] for i in last]
    domains = [f"{_slug(company_names[o])}.nl" for o in owner]
    emails = [
        f"{a.lower()}.{b.replace(' ', '').lower()}@{d}"
        for a, b, d in zip(firsts, lasts, domains, strict=True)
    ]
    starts = np.concatenate([[0], np.cumsum(count)[:-1]])
    primary = np.zeros(n, dtype=np.int8)
    primary[starts] = 1
    made = created[owner] + rng.integers(0, 400, size=n).astype("timedelta64[D]")
    return Frame(
        "Contacts",
        {
            "id": CONTACT_BASE + np.arange(n),
            "companyID": company_ids[owner],
            "firstName": np.array(firsts, dtype=object),
            "lastName": np.array(lasts, dtype=object),
            "emailAddress": np.array(emails, dtype=object),
            "phone": np.array(
                [f"06-{rng.integers(10000000, 99999999)}" for _ in range(n)], dtype=object
            ),
            "mobilePhone": np.full(n, None, dtype=object),
            "isActive": (rng.random(n) > 0.04).astype(np.int64),
            "primaryContact": primary,
            "surveyOptOut": (rng.random(n) < 0.05).astype(np.int8),
            "createDate": made,
            "lastActivityDate": nat(n),
            "lastModifiedDate": made,
        },
    )


def _configuration_items(
    rng: np.random.Generator,
    company_ids: np.ndarray,
    users: np.ndarray,
    count: np.ndarray,
    created: np.ndarray,
) -> Frame:
    owner = np.repeat(np.arange(len(company_ids)), count)
    n = len(owner)
    rank = np.arange(n) - np.repeat(np.concatenate([[0], np.cumsum(count)[:-1]]), count)
    servers = users[owner] // 25 + 1
    networks = np.maximum(1, users[owner] // 40)
    kind = np.where(
        rank < servers,
        pk.CI_SERVER,
        np.where(
            rank < servers + networks,
            pk.CI_NETWORK,
            np.where(rng.random(n) < 0.6, pk.CI_LAPTOP, pk.CI_WORKSTATION),
        ),
    )
    kind = np.where((kind == pk.CI_WORKSTATION) & (rng.random(n) < 0.08), pk.CI_PRINTER, kind)
    prefix = {
        pk.CI_SERVER: "SRV",
        pk.CI_NETWORK: "FW",
        pk.CI_LAPTOP: "LT",
        pk.CI_WORKSTATION: "WS",
        pk.CI_PRINTER: "PRN",
    }
    titles = [
        f"{prefix[int(k)]}-{company_ids[o] % 1000:03d}-{r:03d}"
        for k, o, r in zip(kind, owner, rank, strict=True)
    ]
    installed = created[owner] + rng.integers(0, 900, size=n).astype("timedelta64[D]")
    ids = CI_BASE + np.arange(n)
    return Frame(
        "ConfigurationItems",
        {
            "id": ids,
            "companyID": company_ids[owner],
            "contractID": nulls_int(n),
            "configurationItemType": kind.astype(np.int64),
            "configurationItemCategoryID": np.ones(n, dtype=np.int64),
            "productID": 500 + kind.astype(np.int64),
            "referenceTitle": np.array(titles, dtype=object),
            "serialNumber": np.array(
                [f"SN{rng.integers(10**8, 10**9)}" for _ in range(n)], dtype=object
            ),
            "isActive": np.ones(n, dtype=np.int8),
            "installDate": installed,
            "createDate": installed,
            "lastModifiedTime": installed,
            "rmmDeviceID": np.where(kind != pk.CI_PRINTER, 700000 + ids, NULL),
            "rmmOpenAlertCount": rng.poisson(0.05, size=n).astype(np.int64),
            "warrantyExpirationDate": installed + np.timedelta64(4 * 365, "D"),
            "numberOfUsers": np.where(kind == pk.CI_SERVER, users[owner].astype(float), np.nan),
        },
    )


def _day_ts(tl: Timeline, day: np.ndarray) -> np.ndarray:
    """Local midnight (as naive UTC) of day indexes, which may lie before the timeline."""
    base = tl.t0.astype("datetime64[s]")
    return base + (np.asarray(day) * 86400).astype("timedelta64[s]")
