"""Client contracts: all-in per user, block hours, or time & materials, with yearly renewals.

All-in and block-hour contracts run in 12-month terms; each renewal points at the contract it
renews (`renewedContractID`). A term ending within 60 days already has its renewal, except
the planted expiring contract. All-in contracts bill their services every month
(ContractServiceUnits + BillingItems); block-hour contracts buy a block every quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stip.demo import picklists as pk
from stip.demo.clock import Timeline
from stip.demo.finance import Ledger, billing_columns, month_number, month_start
from stip.demo.model import NULL, Frame, nulls_int
from stip.demo.people import Clients

CONTRACT_BASE = 5000
SERVICE_BASE = 8000
CSU_BASE = 100000
BLOCK_BASE = 9000
RECURRING_ITEM_BASE = 50_000_000
WORKPLACE, SERVER = 1, 2
SERVICE_NAMES = {WORKPLACE: "Managed Werkplek (per gebruiker)", SERVER: "Serverbeheer (per server)"}
SERVER_PRICE, WORKPLACE_COST, SERVER_COST = 95.0, 14.0, 22.0
PRICES = np.array([45.0, 55.0, 65.0, 75.0, 85.0, 95.0, 110.0, 125.0, 150.0])


@dataclass
class Book:
    frames: list[Frame]
    kind: np.ndarray  # per client: contract type
    price: np.ndarray  # per client: all-in price per user per month
    block_rate: np.ndarray
    sla: np.ndarray
    chain_first: np.ndarray  # per client: id of the first contract
    chain_len: np.ndarray
    chain_start: np.ndarray  # per client: month number the first term starts
    expiring_contract_id: int


def contracts(
    rng: np.random.Generator,
    tl: Timeline,
    end_day_index: int,
    firms: Clients,
    ledger: Ledger,
    *,
    loss_making: int,
    expiring: int,
) -> Book:
    n = len(firms.ids)
    big = firms.users >= 60
    roll = rng.random(n)
    kind = np.where(
        roll < np.where(big, 0.8, 0.55), pk.RECURRING, np.where(roll < 0.8, pk.BLOCK_HOURS, pk.TM)
    )
    kind[[loss_making, expiring]] = pk.RECURRING
    # early clients kept their old low prices; newer ones pay today's rate
    age = np.clip((tl.days - firms.since_day) / 2500, 0, 1)
    price_index = np.clip(np.round((1 - age) * 7 + rng.normal(0, 1.2, size=n)), 0, len(PRICES) - 1)
    price = PRICES[price_index.astype(np.int64)]
    price[loss_making] = 45.0
    block_rate = np.round(rng.uniform(92, 105, size=n))
    sla = np.select(
        [kind == pk.RECURRING, kind == pk.BLOCK_HOURS],
        [pk.SLA_PREMIUM, pk.SLA_STANDARD],
        pk.SLA_BASIC,
    )

    first_day = np.datetime64(tl.first_day, "D")
    end_day = first_day + np.timedelta64(end_day_index, "D")
    since = first_day + firms.since_day.astype("timedelta64[D]")
    start = month_number(since)
    end_month = int(month_number(np.array([end_day]))[0])
    target = int(month_number(np.array([end_day + np.timedelta64(45, "D")]))[0])
    start[expiring] = target - 12 * max(1, (target - start[expiring]) // 12)
    terms = np.where(kind == pk.TM, 1, (end_month - start) // 12 + 1)
    term_end = month_start(start + 12 * terms) - np.timedelta64(1, "D")
    renew = (kind != pk.TM) & (term_end < end_day + np.timedelta64(61, "D"))
    renew[expiring] = False
    terms = terms + renew
    chain_first = CONTRACT_BASE + np.concatenate([[0], np.cumsum(terms)[:-1]])

    owner = np.repeat(np.arange(n), terms)
    step = np.arange(len(owner)) - np.repeat(chain_first - CONTRACT_BASE, terms)
    c_ids = CONTRACT_BASE + np.arange(len(owner))
    c_kind = kind[owner]
    c_start_month = start[owner] + 12 * step
    c_start = month_start(c_start_month)
    c_end = np.where(
        c_kind == pk.TM,
        month_start(c_start_month + 12 * 8) - np.timedelta64(1, "D"),
        month_start(c_start_month + 12) - np.timedelta64(1, "D"),
    )
    year = c_start.astype("datetime64[Y]").astype(np.int64) + 1970
    label = {
        pk.RECURRING: "All-in Werkplek",
        pk.BLOCK_HOURS: "Strippenkaart",
        pk.TM: "Nacalculatie",
    }
    monthly = firms.users[owner] * price[owner] + (firms.users[owner] // 25 + 1) * SERVER_PRICE
    block_hours = np.maximum(10, np.round(firms.users[owner] * 0.5 * 3 / 10) * 10)
    revenue = np.where(
        c_kind == pk.RECURRING,
        12 * monthly,
        np.where(c_kind == pk.BLOCK_HOURS, 4 * block_hours * block_rate[owner], 0),
    )
    active = (c_end >= end_day).astype(np.int64)
    contract_frame = Frame(
        "Contracts",
        {
            "id": c_ids,
            "companyID": firms.ids[owner],
            "contractName": np.array(
                [
                    f"{label[int(k)]} {y} - {firms.names[o]}"
                    for k, y, o in zip(c_kind, year, owner, strict=True)
                ],
                dtype=object,
            ),
            "contractNumber": np.array(
                [f"CT{y}-{i:05d}" for i, y in zip(c_ids, year, strict=True)], dtype=object
            ),
            "contractType": c_kind.astype(np.int64),
            "contractCategory": np.where(
                c_kind == pk.RECURRING, pk.CATEGORY_MANAGED, pk.CATEGORY_HOURS
            ).astype(np.int64),
            "contractPeriodType": np.where(c_kind == pk.RECURRING, 1, NULL).astype(np.int64),
            "billingPreference": np.full(len(owner), 2, dtype=np.int64),
            "status": active,
            "startDate": c_start,
            "endDate": c_end,
            "estimatedHours": np.where(c_kind == pk.BLOCK_HOURS, 4 * block_hours, np.nan),
            "estimatedRevenue": np.round(revenue, 2),
            "estimatedCost": np.round(revenue * 0.45, 2),
            "setupFee": np.where((step == 0) & (c_kind == pk.RECURRING), 495.0, 0.0),
            "overageBillingRate": np.where(
                c_kind == pk.BLOCK_HOURS, block_rate[owner] + 15, np.nan
            ),
            "serviceLevelAgreementID": sla[owner].astype(np.int64),
            "renewedContractID": np.where(step > 0, c_ids - 1, NULL),
            "isDefaultContract": ((c_start <= end_day) & (c_end >= end_day)).astype(np.int8),
            "lastModifiedDateTime": (c_start - np.timedelta64(12, "D")).astype("datetime64[s]")
            + np.timedelta64(9 * 3600, "s"),
        },
    )
    frames = [contract_frame]
    frames += _services(firms, price, owner, c_ids, c_kind, c_start, c_end, end_day, tl, ledger)
    frames += _blocks(
        rng,
        firms,
        block_rate,
        owner,
        c_ids,
        c_kind,
        c_start,
        c_end,
        end_day,
        tl,
        ledger,
        block_hours,
    )
    return Book(
        frames=frames,
        kind=kind,
        price=price,
        block_rate=block_rate,
        sla=sla,
        chain_first=chain_first,
        chain_len=terms,
        chain_start=start,
        expiring_contract_id=int(chain_first[expiring] + terms[expiring] - 1),
    )


def contract_at(book: Book, client: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The contract that covers each client's work on each datetime64[D] day."""
    step = (month_number(day) - book.chain_start[client]) // 12
    step = np.where(book.kind[client] == pk.TM, 0, np.clip(step, 0, book.chain_len[client] - 1))
    return book.chain_first[client] + step


def _services(
    firms: Clients,
    price: np.ndarray,
    owner: np.ndarray,
    c_ids: np.ndarray,
    c_kind: np.ndarray,
    c_start: np.ndarray,
    c_end: np.ndarray,
    end_day: np.datetime64,
    tl: Timeline,
    ledger: Ledger,
) -> list[Frame]:
    rec = np.flatnonzero(c_kind == pk.RECURRING)
    s_contract = np.repeat(rec, 2)
    s_service = np.tile([WORKPLACE, SERVER], len(rec))
    s_ids = SERVICE_BASE + np.arange(len(s_contract))
    s_price = np.where(s_service == WORKPLACE, price[owner[s_contract]], SERVER_PRICE)
    s_cost = np.where(s_service == WORKPLACE, WORKPLACE_COST, SERVER_COST)
    services = Frame(
        "ContractServices",
        {
            "id": s_ids,
            "contractID": c_ids[s_contract],
            "serviceID": s_service.astype(np.int64),
            "unitPrice": s_price,
            "unitCost": s_cost,
            "internalCurrencyAdjustedPrice": s_price,
            "invoiceDescription": np.array(
                [SERVICE_NAMES[int(s)] for s in s_service], dtype=object
            ),
        },
    )
    # one unit row per service and month, from the history's first month to this month
    first = np.maximum(month_number(c_start[s_contract]), ledger.first_month)
    last = np.minimum(month_number(c_end[s_contract]), ledger.end_month)
    count = np.maximum(last - first + 1, 0)
    row = np.repeat(np.arange(len(s_contract)), count)
    month = np.repeat(first, count) + (
        np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    )
    client = owner[s_contract[row]]
    units = np.where(
        s_service[row] == WORKPLACE, firms.users[client], firms.users[client] // 25 + 1
    )
    start = month_start(month)
    posted = start.astype("datetime64[s]") + np.timedelta64(6 * 3600, "s")
    amount = np.round(units * s_price[row], 2)
    cost = np.round(units * s_cost[row], 2)
    csu_ids = CSU_BASE + np.arange(len(row))
    unit_frame = Frame(
        "ContractServiceUnits",
        {
            "id": csu_ids,
            "contractID": c_ids[s_contract[row]],
            "contractServiceID": s_ids[row],
            "serviceID": s_service[row].astype(np.int64),
            "startDate": start,
            "endDate": month_start(month + 1) - np.timedelta64(1, "D"),
            "units": units.astype(np.int64),
            "price": amount,
            "cost": cost,
            "approveAndPostDate": posted,
        },
    )
    items = _items(
        ids=RECURRING_ITEM_BASE + np.arange(len(row)),
        company=firms.ids[client],
        contract=c_ids[s_contract[row]],
        kind=pk.BI_SERVICE,
        name=np.array([SERVICE_NAMES[int(s)] for s in s_service[row]], dtype=object),
        day=start,
        posted=posted,
        quantity=units.astype(float),
        rate=s_price[row],
        amount=amount,
        cost=cost,
        service=s_service[row].astype(np.int64),
        ledger=ledger,
    )
    return [services, unit_frame, items]


def _blocks(
    rng: np.random.Generator,
    firms: Clients,
    block_rate: np.ndarray,
    owner: np.ndarray,
    c_ids: np.ndarray,
    c_kind: np.ndarray,
    c_start: np.ndarray,
    c_end: np.ndarray,
    end_day: np.datetime64,
    tl: Timeline,
    ledger: Ledger,
    block_hours: np.ndarray,
) -> list[Frame]:
    blk = np.flatnonzero(c_kind == pk.BLOCK_HOURS)
    first = np.maximum(month_number(c_start[blk]), ledger.first_month)
    last = np.minimum(month_number(c_end[blk]), ledger.end_month)
    count = np.maximum((last - first) // 3 + 1, 0) * (last >= first)
    row = np.repeat(np.arange(len(blk)), count)
    month = np.repeat(first, count) + 3 * (
        np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    )
    contract = blk[row]
    client = owner[contract]
    bought = month_start(month)
    hours = block_hours[contract].astype(float)
    rate = block_rate[client]
    recent = bought > end_day - np.timedelta64(45, "D")
    amount = np.round(hours * rate, 2)
    posted = bought.astype("datetime64[s]") + np.timedelta64(8 * 3600, "s")
    block_ids = BLOCK_BASE + np.arange(len(row))
    block_frame = Frame(
        "ContractBlocks",
        {
            "id": block_ids,
            "contractID": c_ids[contract],
            "datePurchased": bought,
            "startDate": bought,
            "endDate": c_end[contract],
            "hours": hours,
            "hoursApproved": np.where(
                bought > end_day - np.timedelta64(92, "D"), np.round(hours * 0.4), hours
            ),
            "hourlyRate": rate,
            "isPaid": (~recent).astype(np.int8),
            "status": np.ones(len(row), dtype=np.int64),
        },
    )
    items = _items(
        ids=RECURRING_ITEM_BASE + 5_000_000 + np.arange(len(row)),
        company=firms.ids[client],
        contract=c_ids[contract],
        kind=pk.BI_BLOCK,
        name=np.array([f"Urenblok {int(h)} uur" for h in hours], dtype=object),
        day=bought,
        posted=posted,
        quantity=hours,
        rate=rate,
        amount=amount,
        cost=np.zeros(len(row)),
        service=nulls_int(len(row)),
        ledger=ledger,
        block=block_ids,
    )
    return [block_frame, items]


def _items(
    *,
    ids: np.ndarray,
    company: np.ndarray,
    contract: np.ndarray,
    kind: int,
    name: np.ndarray,
    day: np.ndarray,
    posted: np.ndarray,
    quantity: np.ndarray,
    rate: np.ndarray,
    amount: np.ndarray,
    cost: np.ndarray,
    service: np.ndarray,
    ledger: Ledger,
    block: np.ndarray | None = None,
) -> Frame:
    n = len(ids)
    return Frame(
        "BillingItems",
        billing_columns(
            ids=ids,
            company=company,
            ticket=nulls_int(n),
            task=nulls_int(n),
            project=nulls_int(n),
            contract=contract,
            time_entry=nulls_int(n),
            invoice=ledger.post(company, day, amount),
            kind=np.full(n, kind, dtype=np.int64),
            name=name,
            day=day,
            posted=posted,
            quantity=quantity,
            rate=rate,
            amount=amount,
            cost=cost,
            role=nulls_int(n),
            service=service,
            block=block,
        ),
    )
