"""What a closed ticket leaves behind: SLA results, satisfaction surveys, status history.

CSAT is on a 0–10 scale; about one answer in nine is low (< 6), more often when the SLA was
missed. The planted outage's tickets all get a survey back, and all of them are low.
"""

from __future__ import annotations

import numpy as np

from stip.demo import picklists as pk
from stip.demo.clock import Timeline
from stip.demo.model import NULL, Frame
from stip.demo.people import Staff
from stip.demo.tickets import FIRST_RESPONSE_TARGET, RESOLUTION_TARGET, Lives

SLA_RESULT_BASE = 3_000_000
SURVEY_ID = 1
HIGH = np.array([6, 7, 8, 9, 10])
HIGH_P = np.array([0.04, 0.1, 0.28, 0.28, 0.30])
LOW = np.array([1, 2, 3, 4, 5])
LOW_P = np.array([0.1, 0.15, 0.2, 0.25, 0.3])


def sla_results(tl: Timeline, life: Lives, crew: Staff) -> Frame:
    cols = life.frame.cols
    rows = np.flatnonzero(~np.isnat(life.completed))
    create = cols["createDate"][rows]
    fr = tl.business_hours_between(create, life.first_response[rows])
    res = np.minimum(tl.business_hours_between(create, life.resolved[rows]), life.sla_hours[rows])
    plan = tl.business_hours_between(create, cols["resolutionPlanDateTime"][rows])
    priority = cols["priority"][rows]
    fr_target = np.vectorize(FIRST_RESPONSE_TARGET.get)(priority)
    res_target = np.vectorize(RESOLUTION_TARGET.get)(priority)
    sla = cols["serviceLevelAgreementID"][rows]
    who = cols["assignedResourceID"][rows]
    return Frame(
        "ServiceLevelAgreementResults",
        {
            "id": SLA_RESULT_BASE + cols["id"][rows],
            "ticketID": cols["id"][rows],
            "serviceLevelAgreementName": np.array([pk.SLAS[int(s)] for s in sla], dtype=object),
            "firstResponseElapsedHours": np.round(fr, 2),
            "isFirstResponseMet": (fr <= fr_target).astype(np.int8),
            "resolutionPlanElapsedHours": np.round(plan, 2),
            "isResolutionPlanMet": (plan <= res_target / 2).astype(np.int8),
            "resolutionElapsedHours": np.round(res, 2),
            "isResolutionMet": (res <= res_target).astype(np.int8),
            "firstResponseResourceID": who,
            "resolutionResourceID": who,
        },
    )


def surveys(
    rng: np.random.Generator,
    life: Lives,
    *,
    first_id: int,
    end: np.datetime64,
    window_end: np.datetime64,
) -> Frame:
    """Survey answers; `window_end` (local midnight of the as-of day) bounds the outage's."""
    cols = life.frame.cols
    n = len(life.completed)
    human = cols["source"] != pk.RMM
    done = ~np.isnat(life.completed)
    answered = done & human & ((rng.random(n) < 0.15) | life.outage)
    rows = np.flatnonzero(answered)
    sent = life.completed[rows] + np.timedelta64(300, "s")
    back = sent + (rng.exponential(6.0, size=len(rows)) * 3600).astype("timedelta64[s]")
    outage = life.outage[rows]
    back = np.where(
        outage,
        np.minimum(back, np.minimum(window_end, end) - np.timedelta64(1800, "s")),
        back,
    )
    keep = back <= end
    rows, sent, back, outage = rows[keep], sent[keep], back[keep], outage[keep]
    k = len(rows)
    low_chance = np.where(life.met[rows], 0.09, 0.3)
    low = (rng.random(k) < low_chance) | outage
    rating = np.where(low, rng.choice(LOW, size=k, p=LOW_P), rng.choice(HIGH, size=k, p=HIGH_P))
    rating = np.where(outage, rng.choice(LOW[:4], size=k), rating).astype(float)
    resource = np.clip(rating + rng.integers(-1, 2, size=k), 0, 10)
    return Frame(
        "SurveyResults",
        {
            "id": 4_000_000 + first_id + np.arange(k),
            "surveyID": np.full(k, SURVEY_ID, dtype=np.int64),
            "ticketID": cols["id"][rows],
            "companyID": cols["companyID"][rows],
            "contactID": cols["contactID"][rows],
            "sendDate": sent,
            "completeDate": back,
            "surveyRating": rating,
            "companyRating": np.full(k, np.nan),
            "contactRating": rating.copy(),
            "resourceRating": resource.astype(float),
        },
    )


def history(rng: np.random.Generator, life: Lives, *, first_id: int, sample: float) -> Frame:
    """Status changes for a sample of tickets: created, picked up, maybe waiting, closed."""
    cols = life.frame.cols
    n = len(life.completed)
    chosen = rng.random(n) < sample
    responded = chosen & ~np.isnat(life.first_response)
    waited = responded & (rng.random(n) < 0.3) & ~np.isnat(life.completed)
    done = chosen & ~np.isnat(life.completed)
    parts = []
    label = pk.STATUSES
    for mask, moment, text in (
        (chosen, cols["createDate"], f"Status: {label[pk.NEW]}"),
        (responded, life.first_response, f"Status: {label[pk.NEW]} -> {label[pk.IN_PROGRESS]}"),
        (
            waited,
            life.first_response + (life.completed - life.first_response) // 3,
            f"Status: {label[pk.IN_PROGRESS]} -> {label[pk.WAITING_CUSTOMER]}",
        ),
        (
            waited,
            life.first_response + (life.completed - life.first_response) // 2,
            f"Status: {label[pk.WAITING_CUSTOMER]} -> {label[pk.IN_PROGRESS]}",
        ),
        (done, life.completed, f"Status: {label[pk.IN_PROGRESS]} -> {label[pk.COMPLETE]}"),
    ):
        rows = np.flatnonzero(mask)
        parts.append((rows, moment[rows], np.full(len(rows), text, dtype=object)))
    rows = np.concatenate([p[0] for p in parts])
    order = np.lexsort((np.concatenate([p[1] for p in parts]), rows))
    when = np.concatenate([p[1] for p in parts])[order]
    detail = np.concatenate([p[2] for p in parts])[order]
    rows = rows[order]
    k = len(rows)
    action = np.where(
        np.char.startswith(detail.astype(str), f"Status: {label[pk.NEW]}")
        & (np.char.find(detail.astype(str), "->") < 0),
        "Create",
        "Edit",
    )
    return Frame(
        "TicketHistory",
        {
            "id": 5_000_000 + first_id + np.arange(k),
            "ticketID": cols["id"][rows],
            "action": action.astype(object),
            "date": when,
            "detail": detail,
            "resourceID": np.where(action == "Create", NULL, cols["assignedResourceID"][rows]),
        },
    )
