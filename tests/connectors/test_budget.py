from __future__ import annotations

from stip.connectors.autotask.budget import PAUSE_SECONDS, SLOW_DELAY, WINDOW_SECONDS, Budget


class ManualClock:
    """Time that moves only when the budget sleeps: the waits are what we check."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_keeps_to_its_share_of_the_hourly_threshold() -> None:
    clock = ManualClock()
    budget = Budget(0.25, clock=clock, sleep=clock.sleep)
    budget.record_threshold(40, 0)
    assert budget.allowed == 10
    for _ in range(10):
        budget.acquire()
    assert clock.sleeps == []
    budget.acquire()
    assert clock.sleeps == [WINDOW_SECONDS]
    assert budget.requests == 11


def test_prior_runs_in_the_last_hour_count() -> None:
    clock = ManualClock()
    budget = Budget(0.25, clock=clock, sleep=clock.sleep, prior=[(3000.0, 10)])
    budget.record_threshold(40, 0)
    assert budget.used == 10
    budget.acquire()
    assert clock.sleeps == [600.0]


def test_slows_down_before_the_latency_band_and_pauses_in_it() -> None:
    clock = ManualClock()
    budget = Budget(0.25, clock=clock, sleep=clock.sleep)
    budget.record_threshold(1000, 440)
    budget.acquire()
    assert clock.sleeps == []
    budget.record_threshold(1000, 460)
    budget.acquire()
    assert clock.sleeps == [SLOW_DELAY]
    budget.record_threshold(1000, 520)
    budget.acquire()
    assert clock.sleeps == [SLOW_DELAY, PAUSE_SECONDS]


def test_only_one_caller_polls_the_threshold_at_a_time() -> None:
    clock = ManualClock()
    budget = Budget(0.25, clock=clock, sleep=clock.sleep)
    assert budget.poll_due() is True
    assert budget.poll_due() is False
    budget.record_threshold(10_000, 5)
    budget.poll_done()
    assert budget.poll_due() is False
    clock.now += 61
    assert budget.poll_due() is True
