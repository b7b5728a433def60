"""Goals: the dot on the horizon, cascaded to this year, quarter, month, week and day."""
