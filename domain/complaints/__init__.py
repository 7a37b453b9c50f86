"""Complaint reviews (DOMAIN.md §3, COMPLAINTS.md): cases, the 28-day target, KPIs and
complainants' privacy."""
