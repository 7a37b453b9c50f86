"""An action's source and references through the API (issue 12): the service refuses a
source the caller may not read as if it did not exist, and names every unknown reference
in one answer, as the web form does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from domain import clock
from domain.accounts.rules import SYSTEM, Role
from domain.complaints import service as complaints
from domain.complaints.rules import DEFAULT_RULES
from domain.complaints.schemas import ComplaintReviewCreate
from domain.demo import SeedReport, seed_reference
from tests.conftest import NOW

TODAY = clock.today()


@pytest.fixture
def review_id(session: Session) -> int:
    seed_reference(session, SeedReport(created={}), now=NOW)
    made = complaints.create_review(
        session,
        SYSTEM,
        ComplaintReviewCreate(
            force_ref="CO/2/24",
            outcome_sent_on=TODAY - timedelta(days=12),
            received_on=TODAY - timedelta(days=2),
            categories=["use-of-force"],
            complainant={"name": "Alex Example", "contact": "1 High St", "narrative": "A car"},
        ),
        now=clock.now(),
        rules=DEFAULT_RULES,
    )
    assert made.id is not None
    return made.id


def body(**fields: object) -> dict[str, object]:
    return {
        "title": "Answer the recommendation",
        "owner_org": "force",
        "due_on": "2030-01-31",
        **fields,
    }


def test_a_complaint_review_is_no_source_for_a_caller_who_may_not_read_reviews(api_as, review_id):
    staff = api_as(Role.OPCC_STAFF)
    refused = staff.post(
        "/api/v1/actions", json=body(source_type="complaint_review", source_id=review_id)
    )
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert [e["loc"][-1] for e in errors] == ["source_id"]
    # The same words as for a review that does not exist: nothing is revealed.
    missing = staff.post(
        "/api/v1/actions", json=body(source_type="complaint_review", source_id=review_id + 999)
    )
    assert [e["msg"] for e in missing.json()["errors"]] == [
        f"there is no complaint review with id {review_id + 999}"
    ]
    assert errors[0]["msg"] == f"there is no complaint review with id {review_id}"
    assert staff.get("/api/v1/actions").json()["items"] == []


def test_every_unknown_reference_is_named_in_one_answer(api_as, review_id):
    staff = api_as(Role.OPCC_STAFF)
    response = staff.post(
        "/api/v1/actions",
        json=body(owner_org="nobody", area="atlantis", source_type="escalation", source_id=7),
    )
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["errors"]] == ["owner_org", "area", "source_id"]
