"""Actions: the one lifecycle every board, escalation, engagement, review and objective shares."""
