"""Statistical guardrails: a person, team or client is not judged on a handful of records.

One bad rating out of two makes a 50 % satisfaction score; it says little about the engineer.
A KPI may declare `min_n`, the fewest records a value for one person, team or client must
rest on to be coloured against its target; below it the value is shown as it is, marked as
too few to judge, and raises no action. Values for the whole MSP are always judged: a
company-wide figure is what it is.

For a share of records (`measure.type: share`, such as SLA met or positive ratings) the
Wilson score interval says how far the true rate could lie from the one measured: 3 of 4
tickets within SLA is 75 %, but anything from 30 % to 95 % fits those four tickets (95 %
confidence).
"""

from __future__ import annotations

import math

from stip.semantic.models import KpiDefinition

# The normal quantile of a two-sided 95 % interval.
Z95 = 1.959963984540054


def too_few(kpi: KpiDefinition, value: float | int | None, n: int) -> bool:
    """Whether a value of one person, team or client rests on fewer records than `min_n`:
    then it is shown, with status "none". No value is no value, not too few."""
    return value is not None and kpi.min_n is not None and n < kpi.min_n


def has_interval(kpi: KpiDefinition) -> bool:
    """Whether the KPI is a share of records, whose values get an interval."""
    return kpi.measure.type == "share"


def interval(kpi: KpiDefinition, value: float | int | None, n: int) -> tuple[float, float] | None:
    """The 95 % Wilson interval (in %) of a share KPI's value over `n` records; else None."""
    if not has_interval(kpi) or value is None or n <= 0:
        return None
    share = min(max(float(value) / 100, 0.0), 1.0)
    z2 = Z95 * Z95
    centre = (share + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return 100 * max(centre - half, 0.0), 100 * min(centre + half, 1.0)
