"""Deliverables: the KPIs agreed in a fixed-price contract, with a pass or fail per month."""
