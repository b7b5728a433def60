"""Notifications: Teams (Adaptive Cards), e-mail over SMTP, morning digests, and the outbox.

Everything to send goes through the outbox table first (`stip.notify.outbox`), so a failed
delivery is retried with backoff and stays visible on `/admin/deliveries` instead of being
lost. `stip.notify.cycle.run_cycle(stip, now)` is the one call a scheduler makes.
"""
