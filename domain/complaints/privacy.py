"""Retention of complainants' personal data (COMPLAINTS.md "Personal data"): once a case
has been closed longer than the retention period, its complainant row is deleted and the
free text that may describe the complainant is blanked. The anonymised case (dates,
categories, outcome, reasons) stays, so the statistics do not move. Each purge is audited,
and the audit never holds the values themselves."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from domain.accounts.policy import require
from domain.accounts.rules import Actor, Scope
from domain.audit import service as audit
from domain.complaints.schemas import PurgeReport
from domain.complaints.tables import Complainant, ComplainantContact, ComplaintReview, ReviewHold

PERSONAL = "[personal data]"


def retention_cutoff(today: date, retention_years: int) -> date:
    """The same day `retention_years` earlier (29 February falls back to the 28th)."""
    year = today.year - retention_years
    try:
        return today.replace(year=year)
    except ValueError:
        return today.replace(year=year, day=28)


def due_for_purge(db: Session, *, today: date, retention_years: int) -> list[ComplaintReview]:
    """Cases closed before the cutoff whose personal data is still held, oldest first."""
    cutoff = retention_cutoff(today, retention_years)
    return list(
        db.exec(
            select(ComplaintReview)
            .where(
                col(ComplaintReview.closed_on) < cutoff,
                col(ComplaintReview.personal_data_purged_on).is_(None),
            )
            .order_by(col(ComplaintReview.closed_on), col(ComplaintReview.id))
        ).all()
    )


def purge_personal_data(
    db: Session,
    actor: Actor,
    *,
    today: date,
    retention_years: int,
    dry_run: bool,
    now: datetime | None = None,
) -> PurgeReport:
    """Delete the personal data of cases closed more than `retention_years` ago (dry run:
    only list them). One audit event per case, in the same transaction."""
    require(actor, Scope.ADMIN)
    cases = due_for_purge(db, today=today, retention_years=retention_years)
    refs = [c.ref for c in cases]
    if dry_run or not cases:
        return PurgeReport(refs=refs, dry_run=dry_run)
    stamp = now or datetime.combine(today, datetime.min.time()).astimezone()
    ids = [c.id for c in cases if c.id is not None]
    db.execute(delete(Complainant).where(col(Complainant.review_id).in_(ids)))
    for contact in db.exec(
        select(ComplainantContact).where(
            col(ComplainantContact.review_id).in_(ids), ComplainantContact.note != ""
        )
    ).all():
        contact.note = ""
        db.add(contact)
    for hold in db.exec(
        select(ReviewHold).where(col(ReviewHold.review_id).in_(ids), ReviewHold.reason != "")
    ).all():
        hold.reason = ""
        db.add(hold)
    for case in cases:
        assert case.id is not None
        case.personal_data_purged_on = today
        had_late_reason = bool(case.late_reason)
        case.late_reason = ""
        case.updated_at = stamp
        case.version += 1
        db.add(case)
        audit.record(
            db,
            actor,
            entity="complaint_review",
            entity_id=case.id,
            action="purge_personal_data",
            changes={
                "personal_data_purged_on": {"before": None, "after": today.isoformat()},
                "complainant": {"before": PERSONAL, "after": None},
                **({"late_reason": {"before": PERSONAL, "after": ""}} if had_late_reason else {}),
            },
            at=stamp,
        )
    db.commit()
    return PurgeReport(refs=refs, dry_run=False)
