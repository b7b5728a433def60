"""Billing items and invoices: one invoice per client and calendar month.

Billing items learn their invoice id when they are made (the id is a function of client and
month), and the invoice totals accumulate as items arrive, so the time entries can be
generated in chunks and the invoices written last.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from stip.demo.model import NULL, Frame, nat, nulls_int
from stip.demo.picklists import PAYMENT_TERM_DAYS

INVOICE_BASE = 600000
VAT = 0.21


def month_number(days: np.ndarray) -> np.ndarray:
    """datetime64[D] -> months since year 0 (year * 12 + month - 1)."""
    months = days.astype("datetime64[M]").astype(np.int64)
    return months + 1970 * 12


def month_start(months: np.ndarray) -> np.ndarray:
    return (np.asarray(months) - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")


class Ledger:
    """Per client and month: the invoice id and the running total."""

    def __init__(self, company_ids: np.ndarray, first_month: int, end_day: date, rng_seed: int):
        self.company_ids = company_ids
        self.index = {int(c): i for i, c in enumerate(company_ids)}
        self.first_month = first_month
        self.end_day = np.datetime64(end_day, "D")
        self.end_month = int(month_number(np.array([self.end_day]))[0])
        self.months = self.end_month - first_month + 1
        self.total = np.zeros((len(company_ids), self.months))
        self.items = np.zeros((len(company_ids), self.months), dtype=np.int64)
        self.seed = rng_seed

    def post(
        self, company_ids: np.ndarray, item_days: np.ndarray, amounts: np.ndarray
    ) -> np.ndarray:
        """Adds items to their invoices; returns each item's invoice id (NULL: not yet billed)."""
        rows = np.array([self.index[int(c)] for c in company_ids], dtype=np.int64)
        month = month_number(item_days) - self.first_month
        billed = (month >= 0) & (month < self.months - 1)
        np.add.at(self.total, (rows[billed], month[billed]), amounts[billed])
        np.add.at(self.items, (rows[billed], month[billed]), 1)
        ids = INVOICE_BASE + rows * self.months + month
        return np.where(billed, ids, NULL)

    def invoices(self) -> Frame:
        rng = np.random.default_rng([self.seed, 7])
        rows, month = np.nonzero(self.items)
        n = len(rows)
        invoice_day = month_start(self.first_month + month + 1) + rng.integers(0, 3, size=n).astype(
            "timedelta64[D]"
        )
        term = np.where(rng.random(n) < 0.7, 1, 2)
        term_days = np.where(term == 1, PAYMENT_TERM_DAYS[1], PAYMENT_TERM_DAYS[2])
        due = invoice_day + term_days.astype("timedelta64[D]")
        # most clients pay around the due date; a few are chronically late
        late_payer = (self.company_ids[rows] % 17) == 3
        pay_after = np.round(
            term_days * rng.uniform(0.4, 1.1, size=n) + np.where(late_payer, 35, 0)
        ).astype(np.int64)
        pay_after += np.where(rng.random(n) < 0.06, rng.integers(20, 60, size=n), 0)
        paid_day = invoice_day + pay_after.astype("timedelta64[D]")
        unpaid = paid_day > self.end_day
        moment = invoice_day.astype("datetime64[s]") + np.timedelta64(7 * 3600, "s")
        paid = paid_day.astype("datetime64[s]") + np.timedelta64(10 * 3600, "s")
        total = np.round(self.total[rows, month], 2)
        created = moment - np.timedelta64(3600, "s")
        return Frame(
            "Invoices",
            {
                "id": INVOICE_BASE + rows * self.months + month,
                "companyID": self.company_ids[rows],
                "invoiceNumber": np.array(
                    [f"F{m // 12}-{i:05d}" for i, m in enumerate(self.first_month + month + 1)],
                    dtype=object,
                ),
                "invoiceDateTime": moment,
                "createDateTime": created,
                "dueDate": due,
                "fromDate": month_start(self.first_month + month),
                "toDate": month_start(self.first_month + month + 1) - np.timedelta64(1, "D"),
                "paidDate": np.where(unpaid, nat(n), paid),
                "invoiceTotal": np.round(total * (1 + VAT), 2),
                "totalTaxValue": np.round(total * VAT, 2),
                "isVoided": np.zeros(n, dtype=np.int8),
                "voidedDate": nat(n),
                "paymentTerm": term.astype(np.int64),
                "invoiceStatus": np.where(unpaid, 1, 2).astype(np.int64),
            },
        )


def billing_columns(
    *,
    ids: np.ndarray,
    company: np.ndarray,
    ticket: np.ndarray,
    task: np.ndarray,
    project: np.ndarray,
    contract: np.ndarray,
    time_entry: np.ndarray,
    invoice: np.ndarray,
    kind: np.ndarray,
    name: np.ndarray,
    day: np.ndarray,
    posted: np.ndarray,
    quantity: np.ndarray,
    rate: np.ndarray,
    amount: np.ndarray,
    cost: np.ndarray,
    role: np.ndarray,
    service: np.ndarray,
    block: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    n = len(ids)
    tax = np.round(amount * 0.21, 2)
    return {
        "id": ids,
        "companyID": company,
        "ticketID": ticket,
        "taskID": task,
        "projectID": project,
        "contractID": contract,
        "timeEntryID": time_entry,
        "contractBlockID": nulls_int(n) if block is None else block,
        "invoiceID": invoice,
        "billingItemType": kind,
        "subType": np.ones(n, dtype=np.int64),
        "itemName": name,
        "itemDate": day,
        "postedDate": posted,
        "quantity": quantity,
        "rate": rate,
        "extendedPrice": amount,
        "ourCost": cost,
        "totalAmount": amount,
        "taxDollars": tax,
        "nonBillable": np.zeros(n, dtype=np.int64),
        "roleID": role,
        "serviceID": service,
    }
