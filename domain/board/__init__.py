"""Corporate Governance Board: meetings, exception reports, escalations to the Force,
Force responses, monitoring items (DOMAIN.md §2)."""
