"""/complaint-reviews/new: record a review application as it arrives. The complainant's
details sit in a section marked "Personal data"; after saving, the case page says whether
the application came in late (it is recorded either way, never refused)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.complaints import policy
from domain.complaints import service as complaints
from domain.complaints.schemas import ComplaintReviewCreate
from domain.reference import service as reference
from domain.reference.service import ALLEGATION_CATEGORIES
from web.dates import read_date
from web.forms import Form, FormValues
from web.routes import board_common, complaint_list
from web.routes import complaint_common as common
from web.templating import render

router = APIRouter()

LABELS = {
    "force_ref": "Force complaint reference",
    "outcome_sent_on": "Date the Force sent the outcome",
    "received_on": "Date the application was received",
    "late_reason": "Why a late application is accepted",
    "categories": "Allegation categories",
    "reviewer_id": "Reviewer",
    "name": "Complainant's name",
    "contact": "Contact details",
    "narrative": "What the complaint is about",
    "officers_complained_about": "Officers complained about",
}
PERSONAL = ("name", "contact", "narrative", "officers_complained_about")


def refused(request: Request, actor: Actor) -> Response | None:
    """The page that says why, in words, for anyone who may not record a review."""
    if not policy.sees_cases(actor):
        return complaint_list.no_access(request, actor)
    policy.check_can_write(actor)
    return None


def category_options(db: Session) -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in reference.active_records(db, ALLEGATION_CATEGORIES)]


def reviewer_options(db: Session) -> list[tuple[str, str]]:
    return [(str(ident), name) for ident, name in complaints.reviewer_choices(db)]


def _page(
    request: Request,
    db: Session,
    form: Form,
    *,
    faults: dict[str, tuple[str, ...]] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "complaints/new.html",
        {
            "form": form,
            "errors": form.error_summary,
            "faults": faults or {},
            "category_options": category_options(db),
            "reviewer_options": reviewer_options(db),
            "target": common.rules_of(request).describe_target(),
            "common": common,
        },
        status_code=status_code,
    )


@router.get("/complaint-reviews/new")
def new_review(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    if (refusal := refused(request, actor)) is not None:
        return refusal
    values: dict[str, Any] = {}
    if actor.user_id is not None and str(actor.user_id) in dict(reviewer_options(db)):
        values["reviewer_id"] = str(actor.user_id)
    return _page(request, db, Form(values=values, labels=LABELS))


def _chosen(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(v) for v in raw if str(v)]
    return [str(raw)] if raw else []


def read_review(
    values: dict[str, Any], form: Form, db: Session
) -> tuple[ComplaintReviewCreate | None, dict[str, tuple[str, ...]]]:
    """The form as the schema, or None with every problem on `form` (in the form's order)."""
    faults: dict[str, tuple[str, ...]] = {}
    text = {name: str(values.get(name, "")).strip() for name in LABELS if name != "categories"}
    if not text["force_ref"]:
        form.add("force_ref", "Enter the Force's complaint reference")
    dates = {}
    for name in ("outcome_sent_on", "received_on"):
        reading = read_date(values, name, LABELS[name])
        if reading.error:
            # "Enter the date the Force sent the outcome": keep the Force's capital letter
            form.add(name, reading.error.replace(LABELS[name].lower(), _lower_first(name)))
            faults[name] = reading.faults
        dates[name] = reading.value
    categories = _chosen(values.get("categories"))
    known = dict(category_options(db))
    if any(code not in known for code in categories):
        form.add("categories", "Choose allegation categories from the list")
    reviewer = text["reviewer_id"]
    if reviewer and reviewer not in dict(reviewer_options(db)):
        form.add("reviewer_id", "Choose a reviewer from the list")
    if not text["name"]:
        form.add("name", "Enter the complainant's name")
    data = {
        "force_ref": text["force_ref"],
        "outcome_sent_on": dates["outcome_sent_on"],
        "received_on": dates["received_on"],
        "late_reason": text["late_reason"],
        "categories": categories,
        "reviewer_id": int(reviewer) if reviewer.isdigit() else None,
        "complainant": {name: text[name] for name in PERSONAL},
    }
    try:
        parsed = ComplaintReviewCreate.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = error["loc"]
            name = str(loc[1]) if loc and loc[0] == "complainant" and len(loc) > 1 else str(loc[0])
            if name in LABELS:
                form.add(name, form._message(name, error))
        parsed = None
    _ordered(form)
    return (parsed if not form.errors else None), faults


def _lower_first(name: str) -> str:
    return LABELS[name][:1].lower() + LABELS[name][1:]


def _ordered(form: Form) -> None:
    form.errors = {
        **{name: form.errors[name] for name in LABELS if name in form.errors},
        **{name: msg for name, msg in form.errors.items() if name not in LABELS},
    }


@router.post("/complaint-reviews/new")
def create_review(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    if (refusal := refused(request, actor)) is not None:
        return refusal
    form = Form(values=values, labels=LABELS)
    parsed, faults = read_review(values, form, db)
    status_code = 422
    if parsed is not None:
        review, status_code = board_common.attempt(
            db,
            form,
            lambda: complaints.create_review(
                db, actor, parsed, now=clock.now(), rules=common.rules_of(request)
            ),
        )
        if review is not None:
            message = f"{review.ref} has been recorded"
            if review.late:
                message += (
                    ". The application came in after the 28-day window: it is flagged as late"
                )
            return board_common.redirect_with(request, f"/complaint-reviews/{review.id}", message)
        _ordered(form)
    return _page(request, db, form, faults=faults, status_code=status_code)
