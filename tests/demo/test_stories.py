"""Each planted story is findable in the store by the query a dashboard would run."""

from __future__ import annotations

import statistics
from datetime import timedelta

from .helpers import END, Built, last_7_days_utc


def test_late_booker_books_days_late_while_the_others_book_the_same_day(small: Built) -> None:
    lags = dict(
        small.rows(
            "SELECT resource_id, "
            "median(greatest(epoch(create_date_time - end_date_time), 0)) / 3600 "
            "FROM time_entries GROUP BY resource_id"
        )
    )
    late = small.summary.stories.late_booker_resource_id
    assert lags[late] > 48
    others = [lag for resource, lag in lags.items() if resource != late]
    assert len(others) >= 9
    assert max(others) < 24


def test_loss_making_client_costs_more_than_it_pays_over_the_last_quarter(small: Built) -> None:
    company = small.summary.stories.loss_making_company_id
    since = (END - timedelta(days=90)).date()
    cost = small.one(
        "SELECT sum(te.hours_worked * r.internal_cost) FROM time_entries te "
        "JOIN tickets t ON t.id = te.ticket_id JOIN resources r ON r.id = te.resource_id "
        "WHERE t.company_id = ? AND te.date_worked >= ?",
        company,
        since,
    )
    revenue = small.one(
        "SELECT sum(extended_price) FROM billing_items WHERE company_id = ? AND item_date >= ?",
        company,
        since,
    )
    assert revenue > 0
    assert cost > revenue
    kinds = {
        k
        for (k,) in small.rows("SELECT contract_type FROM contracts WHERE company_id = ?", company)
    }
    assert kinds == {7}  # all-in (recurring service) only


def test_drifting_queue_falls_out_of_sla_in_the_last_four_weeks(small: Built) -> None:
    recent_from = END - timedelta(days=28)
    earlier_from = END - timedelta(days=150)
    shares = {
        queue: (recent, earlier)
        for queue, recent, earlier in small.rows(
            "SELECT queue_id, "
            "avg(CASE WHEN completed_date >= ? "
            "    THEN service_level_agreement_has_been_met::INT END), "
            "avg(CASE WHEN completed_date < ? AND completed_date >= ? "
            "    THEN service_level_agreement_has_been_met::INT END) "
            "FROM tickets WHERE service_level_agreement_has_been_met IS NOT NULL GROUP BY queue_id",
            recent_from,
            recent_from,
            earlier_from,
        )
    }
    queue = small.summary.stories.drifting_queue_id
    recent, earlier = shares[queue]
    assert earlier > 0.75
    assert recent < earlier - 0.25
    assert recent == min(r for r, _ in shares.values())


def test_cluster_of_low_ratings_last_week(small: Built) -> None:
    start, stop = last_7_days_utc(END)
    low = small.rows(
        "SELECT company_id, survey_rating FROM survey_results "
        "WHERE complete_date >= ? AND complete_date < ? AND survey_rating < 6",
        start,
        stop,
    )
    assert len(low) >= 5
    cluster = small.summary.stories.low_rating_company_id
    assert sum(1 for company, _ in low if company == cluster) >= 5


def test_expiring_contract_ends_within_60_days_and_has_no_renewal(small: Built) -> None:
    contract = small.summary.stories.expiring_contract_id
    end_date, status, company = small.rows(
        "SELECT end_date, status, company_id FROM contracts WHERE id = ?", contract
    )[0]
    assert END.date() < end_date <= END.date() + timedelta(days=60)
    assert status == 1
    assert company == small.summary.stories.expiring_company_id
    assert small.one("SELECT count(*) FROM contracts WHERE renewed_contract_id = ?", contract) == 0
    later = small.one(
        "SELECT count(*) FROM contracts WHERE company_id = ? AND start_date > ?", company, end_date
    )
    assert later == 0
    # other contracts ending that soon were renewed: the story is the exception, not the rule
    renewed = small.rows(
        "SELECT c.id FROM contracts c WHERE c.end_date > ? AND c.end_date <= ? AND c.id <> ? "
        "AND c.contract_type <> 1 AND NOT EXISTS "
        "(SELECT 1 FROM contracts r WHERE r.renewed_contract_id = c.id)",
        END.date(),
        END.date() + timedelta(days=60),
        contract,
    )
    assert renewed == []


def test_overloaded_engineer_has_at_least_twice_the_median_open_tickets(small: Built) -> None:
    engineers = [
        r for (r,) in small.rows("SELECT id FROM resources WHERE available_hours_per_day > 0")
    ]
    open_by = dict(
        small.rows(
            "SELECT assigned_resource_id, count(*) FROM tickets "
            "WHERE completed_date IS NULL AND assigned_resource_id IS NOT NULL GROUP BY 1"
        )
    )
    counts = [open_by.get(r, 0) for r in engineers]
    heavy = small.summary.stories.overloaded_resource_id
    assert open_by[heavy] == max(counts)
    assert open_by[heavy] >= 2 * statistics.median(counts)
