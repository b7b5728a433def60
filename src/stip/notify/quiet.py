"""Quiet hours: no immediate messages at night or (optionally) at the weekend."""

from __future__ import annotations

from datetime import datetime, timedelta

from stip.notify.settings import NotifySettings


def is_quiet(local: datetime, notify: NotifySettings) -> bool:
    if notify.quiet_weekends and local.weekday() >= 5:
        return True
    start, end, now = notify.clock("quiet_start"), notify.clock("quiet_end"), local.time()
    if start == end:
        return False
    if start > end:
        return now >= start or now < end
    return start <= now < end


def quiet_over(local: datetime, notify: NotifySettings) -> datetime:
    """The first moment at or after `local` that is not quiet (to the minute)."""
    moment = local
    for _ in range(8):
        if not is_quiet(moment, notify):
            return moment
        end = notify.clock("quiet_end")
        candidate = moment.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if candidate <= moment:
            candidate += timedelta(days=1)
        moment = candidate
        if not is_quiet(moment, notify):
            return moment
    return moment
