"""How complaint reviews plug into Actions: a recommendation's action names its review by
reference only (never the complainant). The Force sees recommendations through its own
actions in the inbox, so no inbox provider is needed. Imported by the service."""

from __future__ import annotations

from sqlmodel import Session, col, select

from domain.actions.rules import SourceType
from domain.actions.sources import SourceInfo, register_source
from domain.complaints import policy
from domain.complaints.tables import ComplaintReview


def _info(review_id: int, ref: str) -> SourceInfo:
    return SourceInfo(
        title=f"Complaint review {ref}", ref=ref, url=f"/complaint-reviews/{review_id}"
    )


def review_sources(db: Session, ids: set[int]) -> dict[int, SourceInfo]:
    found = db.exec(
        select(ComplaintReview.id, ComplaintReview.ref).where(col(ComplaintReview.id).in_(ids))
    ).all()
    return {review_id: _info(review_id, ref) for review_id, ref in found if review_id is not None}


def review_choices(db: Session, limit: int) -> list[tuple[int, SourceInfo]]:
    """Reviews to raise an action from: the latest received first (references only)."""
    found = db.exec(
        select(ComplaintReview.id, ComplaintReview.ref)
        .order_by(col(ComplaintReview.received_on).desc(), col(ComplaintReview.id).desc())
        .limit(limit)
    ).all()
    return [(review_id, _info(review_id, ref)) for review_id, ref in found if review_id is not None]


def register() -> None:
    register_source(
        SourceType.COMPLAINT_REVIEW,
        review_sources,
        can_follow=policy.sees_cases,
        choices=review_choices,
    )


register()
