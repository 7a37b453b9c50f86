"""/complaint-reviews/{id}: one case. The summary (dates, target and the rule behind it, the
application window, acknowledgement and update dates), the complainant's details (personal
data: opening the page is audited by the service), the MOJ timeline of its steps, the
recommendations and the Force's responses, and the forms for the state the case is in:
start the validity check and record its result, put on hold and resume, record a contact,
the decision (recommendation rows, "Add another recommendation" with or without
JavaScript), the dates (letter, acknowledgement, notifications), close and withdraw.

Every form posts the case's version; a stale one gets a clear message and changes nothing.
With htmx a form gets back the `case_detail` block of the same template; without it the
answer is POST-redirect-GET. Anyone who does not see cases gets 404 for all of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.responses import Response

from api.auth import AuditedReadSession, CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.complaints import policy
from domain.complaints import service as complaints
from domain.complaints.rules import OPEN_STATUSES, ReviewOutcome, ReviewStatus
from domain.complaints.schemas import (
    ComplainantContactCreate,
    ComplaintReviewChange,
    ComplaintReviewDetail,
    ReviewDecision,
    ReviewTransitionRequest,
)
from domain.errors import Conflict, Invalid, StaleVersion
from web import action_views
from web.action_views import VARY
from web.admin import form_version, stale_message
from web.dates import date_fields, read_date
from web.forms import GENERAL, Form, FormValues
from web.routes import board_common
from web.routes import complaint_common as common
from web.routes.complaint_new import category_options
from web.templating import is_htmx, render

router = APIRouter()
M = TypeVar("M", bound=BaseModel)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
MAX_RECOMMENDATIONS = 20
WHAT = "complaint review"

VALIDITY_OPTIONS = [
    ("in_review", "Valid: the OPCC reviews it"),
    ("invalid", "Not valid (for example, not a Schedule 3 complaint)"),
    ("forwarded_to_iopc", "The IOPC is the review body: forward it"),
]
LABELS = {
    "start": {},
    "validity": {
        "validity_to": "Result of the validity check",
        "review_body_checked": "Review body",
        "validity_note": "Note",
    },
    "hold": {"hold_note": "Reason for the hold"},
    "resume": {"resume_note": "Note"},
    "withdraw": {"withdraw_note": "Reason"},
    "close": {"close_note": "Note"},
    "contact": {
        "contacted_on": "Date of the contact",
        "method": "How the complainant was contacted",
        "contact_note": "Note",
    },
    "dates": {
        "acknowledged_on": "Date the application was acknowledged",
        "force_notified_on": "Date the Force was told",
        "interested_persons_notified_on": "Date interested persons were told",
        "letter_sent_on": "Date the decision letter was sent",
    },
    "decision": {
        "outcome": "Outcome",
        "reasons": "Reasons",
        "organisational_learning": "Organisational learning",
        "no_recommendation_reason": "Why there is no recommendation",
        "decided_on": "Date of the decision",
    },
}
# The forms in the order the page shows them, so the error summary reads top to bottom.
PAGE_ORDER = (
    "decision",
    "start",
    "validity",
    "hold",
    "resume",
    "contact",
    "dates",
    "close",
    "withdraw",
)
TRANSITIONS = {
    "start": ReviewStatus.VALIDITY_CHECK,
    "hold": ReviewStatus.ON_HOLD,
    "resume": ReviewStatus.IN_REVIEW,
    "withdraw": ReviewStatus.WITHDRAWN,
    "close": ReviewStatus.CLOSED,
}
NOTE_FIELDS = {
    "validity": "validity_note",
    "hold": "hold_note",
    "resume": "resume_note",
    "withdraw": "withdraw_note",
    "close": "close_note",
}
MESSAGES = {
    "start": "The validity check has started",
    "in_review": "The application is valid: the review has started",
    "invalid": "The application is recorded as not valid",
    "forwarded_to_iopc": "The application is recorded as forwarded to the IOPC",
    "hold": "The review is on hold",
    "resume": "The review has resumed",
    "withdraw": "The review is recorded as withdrawn",
    "close": "The review is closed",
}
STEP_TITLES = {
    ReviewStatus.RECEIVED: "Application received",
    ReviewStatus.VALIDITY_CHECK: "Validity check started",
    ReviewStatus.INVALID: "Found not valid",
    ReviewStatus.FORWARDED_TO_IOPC: "Forwarded to the IOPC",
    ReviewStatus.IN_REVIEW: "Accepted for review",
    ReviewStatus.ON_HOLD: "Put on hold",
    ReviewStatus.DECIDED: "Decided",
    ReviewStatus.CLOSED: "Closed",
    ReviewStatus.WITHDRAWN: "Withdrawn",
}


@dataclass(frozen=True)
class TimelineItem:
    at: date
    title: str
    byline: str
    text: str


def timeline(shown: ComplaintReviewDetail) -> list[TimelineItem]:
    """The case's steps, newest first (same moment: the order they were made in)."""
    items: list[tuple[date, int, TimelineItem]] = []
    for order, step in enumerate(shown.history):
        to = ReviewStatus(step.to)
        if step.from_ is None:
            title = STEP_TITLES[ReviewStatus.RECEIVED]
        elif to is ReviewStatus.IN_REVIEW and step.from_ == ReviewStatus.ON_HOLD:
            title = "Review resumed"
        else:
            title = STEP_TITLES.get(to, common.status_label(step.to))
        if to is ReviewStatus.DECIDED and shown.outcome:
            title = f"Decided: {common.outcome_label(shown.outcome).lower()}"
        items.append((step.at, order, TimelineItem(step.at, title, step.actor, step.note)))
    items.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [item for _, _, item in items]


def _blank_forms(shown: ComplaintReviewDetail, today: date) -> dict[str, Form]:
    forms = {name: Form(labels=labels) for name, labels in LABELS.items()}
    forms["contact"].values = {**date_fields("contacted_on", today), "method": ""}
    forms["dates"].values = {
        **date_fields("acknowledged_on", shown.acknowledged_on),
        **date_fields("force_notified_on", shown.force_notified_on),
        **date_fields("interested_persons_notified_on", shown.interested_persons_notified_on),
        **date_fields("letter_sent_on", shown.letter_sent_on),
    }
    forms["decision"].values = {**date_fields("decided_on", today)}
    return forms


def _case_page(
    request: Request,
    db: Session,
    actor: Actor,
    review_id: int,
    *,
    forms: dict[str, Form] | None = None,
    faults: dict[str, tuple[str, ...]] | None = None,
    rows: int = 1,
    focus_row: int | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    today = clock.today()
    rules = common.rules_of(request)
    shown = complaints.get_review(db, actor, review_id, today=today, rules=rules, now=clock.now())
    status = ReviewStatus(shown.status)
    writes = policy.can_write(actor)
    all_forms = {**_blank_forms(shown, today), **(forms or {})}
    categories = dict(category_options(db))
    errors = [e for name in PAGE_ORDER for e in all_forms[name].error_summary]
    is_open = status in OPEN_STATUSES
    return render(
        request,
        "complaints/case.html",
        {
            "review": shown,
            "timeline": timeline(shown),
            "category_names": [categories.get(code, code) for code in shown.categories],
            "forms": all_forms,
            "errors": errors,
            "faults": faults or {},
            "rows": max(rows, 1),
            "focus_row": focus_row,
            "notice": notice,
            "common": common,
            "views": action_views,
            "target_rule": f"{rules.target_days} {shown.target_rule} days",
            "response_days": rules.recommendation_response_days,
            "today": today,
            "is_open": is_open,
            "show_start": writes and status is ReviewStatus.RECEIVED,
            "show_validity": writes and status is ReviewStatus.VALIDITY_CHECK,
            "show_hold": writes and status is ReviewStatus.IN_REVIEW,
            "show_resume": writes and status is ReviewStatus.ON_HOLD,
            "show_decision": writes and status is ReviewStatus.IN_REVIEW,
            "show_close": writes and status is ReviewStatus.DECIDED,
            "show_withdraw": writes and is_open and status is not ReviewStatus.DECIDED,
            "show_contact": writes and is_open,
            "show_dates": writes and is_open,
            "validity_options": VALIDITY_OPTIONS,
            "outcome_options": common.OUTCOME_OPTIONS,
            "method_options": common.METHOD_OPTIONS,
            "upheld": ReviewOutcome.UPHELD.value,
        },
        block="case_detail",
        status_code=status_code,
        headers=VARY,
    )


@router.get("/complaint-reviews/{review_id}")
def show_review(
    request: Request, db: AuditedReadSession, actor: CurrentActor, review_id: Id
) -> Response:
    return _case_page(request, db, actor, review_id)


def _check(db: Session, actor: Actor, review_id: int) -> None:
    """404 for anyone who does not see cases, or for a case that does not exist."""
    policy.check_can_write(actor, review_id)
    complaints.get_review_record(db, actor, review_id)


def _done(request: Request, db: Session, actor: Actor, review_id: int, message: str) -> Response:
    if is_htmx(request):
        return _case_page(request, db, actor, review_id, notice=message)
    return board_common.redirect_with(request, f"/complaint-reviews/{review_id}", message)


def _checked(schema: type[M], data: dict[str, Any], form: Form) -> M | None:
    """The schema instance, or None with its objections on `form` beside the page's own, so
    every problem shows in one answer (a field the page already faulted keeps its message)."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        form.add_invalid(common.schema_faults(exc))
        return None


def _run(db: Session, form: Form, change: Any, *, keep: bool = False) -> int:
    """Run a change; 0 when it was made, else the status to show the form again with, and
    the reason on `form`. A stale version clears the form's input unless `keep`."""
    try:
        change()
    except StaleVersion:
        db.rollback()
        if not keep:
            form.values = {}
        form.errors = {}
        form.add(GENERAL, stale_message(WHAT))
        return 409
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return 422
    except Conflict as exc:
        db.rollback()
        form.add(GENERAL, board_common.sentence(exc.detail))
        return 409
    return 0


# ---------------------------------------------------------------------------------------------
# Status changes: the validity check, hold and resume, withdraw, close


@router.post("/complaint-reviews/{review_id}/transitions")
def change_status(
    request: Request, db: DbSession, actor: CurrentActor, review_id: Id, values: FormValues
) -> Response:
    _check(db, actor, review_id)
    version = form_version(values)
    which = str(values.get("which", ""))
    if which not in LABELS or which in ("contact", "dates", "decision"):
        which = "start"
        form = Form(values=values, labels=LABELS[which])
        form.add(GENERAL, "Choose what to record about the review")
        return _case_page(request, db, actor, review_id, forms={which: form}, status_code=422)
    form = Form(values=values, labels=LABELS[which])
    forms: dict[str, Form] = {which: form}
    note_field = NOTE_FIELDS.get(which)
    note = str(values.get(note_field, "")).strip() if note_field else ""
    if which == "validity":
        target = str(values.get("validity_to", ""))
        if target not in dict(VALIDITY_OPTIONS):
            form.add("validity_to", "Select the result of the validity check")
        elif target == "in_review" and values.get("review_body_checked") != "yes":
            form.add(
                "review_body_checked",
                "Confirm that the OPCC, not the IOPC, is the relevant review body",
            )
        elif target != "in_review" and not note:
            form.add("validity_note", "Enter why, for the record and the letter")
    else:
        target = TRANSITIONS[which].value
        if which == "hold" and not note:
            form.add("hold_note", "Enter why the review is on hold")
        if which == "withdraw" and not note:
            form.add("withdraw_note", "Enter why the review is withdrawn")
    status_code = 422
    step = _checked(ReviewTransitionRequest, {"to": target, "note": note}, form)
    if step is not None and not form.errors:
        rules = common.rules_of(request)

        def change() -> None:
            # Accepting for review records that the relevant review body was checked.
            complaints.transition_review(
                db, actor, review_id, step, expected_version=version, now=clock.now(), rules=rules
            )

        status_code = _run(db, form, change)
        if which == "close" and "letter_sent_on" in form.errors:
            # "record the letter date first" belongs to the dates form's letter field
            dates = Form(labels=LABELS["dates"])
            dates.add("letter_sent_on", "Record the date the decision letter was sent")
            forms["dates"] = dates
            del form.errors["letter_sent_on"]
        if status_code == 0:
            key = target if which == "validity" else which
            return _done(request, db, actor, review_id, MESSAGES[key])
    _own_fields(form, which, note_field)
    return _case_page(request, db, actor, review_id, forms=forms, status_code=status_code)


def _own_fields(form: Form, which: str, note_field: str | None) -> None:
    """The domain names its fields ("note", "recommendations"); put each objection on this
    form's own field, or at the top of the form when it has none."""
    general: list[str] = [form.errors.pop(GENERAL)] if GENERAL in form.errors else []
    for name in list(form.errors):
        if name in LABELS[which]:
            continue
        message = form.errors.pop(name)
        if name == "note" and note_field:
            form.add(note_field, message)
        else:
            general.append(message)
    if general:
        form.errors = {GENERAL: ". ".join(m.rstrip(".") for m in general), **form.errors}


# ---------------------------------------------------------------------------------------------
# A contact with the complainant (reg 34 updates)


@router.post("/complaint-reviews/{review_id}/contacts")
def record_contact(
    request: Request, db: DbSession, actor: CurrentActor, review_id: Id, values: FormValues
) -> Response:
    _check(db, actor, review_id)
    form = Form(values=values, labels=LABELS["contact"])
    faults: dict[str, tuple[str, ...]] = {}
    on = read_date(values, "contacted_on", LABELS["contact"]["contacted_on"])
    if on.error:
        form.add("contacted_on", on.error)
        faults["contacted_on"] = on.faults
    method = str(values.get("method", ""))
    if method not in common.METHOD_LABELS:
        form.add("method", "Select how the complainant was contacted")
    status_code = 422
    contact = _checked(
        ComplainantContactCreate,
        {
            "contacted_on": on.value,
            "method": method,
            "note": str(values.get("contact_note", "")).strip(),
        },
        form,
    )
    if contact is not None and not form.errors:
        status_code = _run(
            db,
            form,
            lambda: complaints.record_contact(db, actor, review_id, contact, now=clock.now()),
        )
        if status_code == 0:
            return _done(request, db, actor, review_id, "The contact has been recorded")
    _own_fields(form, "contact", "contact_note")
    return _case_page(
        request,
        db,
        actor,
        review_id,
        forms={"contact": form},
        faults=faults,
        status_code=status_code,
    )


# ---------------------------------------------------------------------------------------------
# The dates: acknowledgement, the Force and interested persons told, the decision letter


@router.post("/complaint-reviews/{review_id}/dates")
def record_dates(
    request: Request, db: DbSession, actor: CurrentActor, review_id: Id, values: FormValues
) -> Response:
    _check(db, actor, review_id)
    version = form_version(values)
    labels = LABELS["dates"]
    form = Form(values=values, labels=labels)
    faults: dict[str, tuple[str, ...]] = {}
    record = complaints.get_review_record(db, actor, review_id)
    changes: dict[str, date] = {}
    for name, label in labels.items():
        reading = read_date(values, name, label, required=False)
        if reading.error:
            form.add(name, reading.error)
            faults[name] = reading.faults
        elif reading.value is not None and reading.value != getattr(record, name):
            changes[name] = reading.value
    if not form.errors and not changes:
        form.add(GENERAL, "Enter a date that is not yet recorded, or change one that is")
    status_code = 422
    if not form.errors:
        data = ComplaintReviewChange.model_validate(changes)
        rules = common.rules_of(request)
        status_code = _run(
            db,
            form,
            lambda: complaints.change_review(
                db, actor, review_id, data, expected_version=version, now=clock.now(), rules=rules
            ),
        )
        _own_fields(form, "dates", None)
        if status_code == 0:
            return _done(request, db, actor, review_id, "The dates have been recorded")
    return _case_page(
        request, db, actor, review_id, forms={"dates": form}, faults=faults, status_code=status_code
    )


# ---------------------------------------------------------------------------------------------
# The decision


def _rows(values: dict[str, Any]) -> int:
    raw = str(values.get("rec_rows", "1"))
    number = int(raw) if raw.isdigit() else 1
    return min(max(number, 1), MAX_RECOMMENDATIONS)


def _rec_label(n: int, name: str) -> str:
    return f"Recommendation {n}" + (" response due date" if name == "response_due" else "")


@dataclass
class DecisionReading:
    decision: ReviewDecision | None
    faults: dict[str, tuple[str, ...]]
    positions: list[int]  # the form row of each recommendation sent


def read_decision(values: dict[str, Any], form: Form, rows: int) -> DecisionReading:
    """The decision form as the schema; every problem on `form` at once, in the form's order."""
    faults: dict[str, tuple[str, ...]] = {}
    outcome = str(values.get("outcome", ""))
    if outcome not in dict(common.OUTCOME_OPTIONS):
        form.add("outcome", "Select the outcome of the review")
    reasons = str(values.get("reasons", "")).strip()
    if not reasons:
        form.add("reasons", "Enter the reasons for the decision")
    recommendations: list[dict[str, Any]] = []
    positions: list[int] = []
    for n in range(1, rows + 1):
        text = str(values.get(f"rec-{n}-text", "")).strip()
        due = read_date(
            values, f"rec-{n}-response_due", _rec_label(n, "response_due"), required=False
        )
        if not text and due.value is None and not due.error:
            continue  # an empty row
        if not text:
            form.add(f"rec-{n}-text", f"Enter the text of recommendation {n}")
        if due.error:
            form.add(f"rec-{n}-response_due", due.error)
            faults[f"rec-{n}-response_due"] = due.faults
        recommendations.append({"text": text, "response_due": due.value})
        positions.append(n)
    no_reason = str(values.get("no_recommendation_reason", "")).strip()
    if outcome == ReviewOutcome.UPHELD.value and not recommendations and not no_reason:
        form.add(
            "rec-1-text",
            "Add a recommendation to the Force, or say why an upheld review makes none",
        )
    decided = read_date(values, "decided_on", LABELS["decision"]["decided_on"], required=False)
    if decided.error:
        form.add("decided_on", decided.error)
        faults["decided_on"] = decided.faults
    data = {
        "outcome": outcome,
        "reasons": reasons,
        "organisational_learning": str(values.get("organisational_learning", "")).strip(),
        "recommendations": recommendations,
        "no_recommendation_reason": no_reason,
        "decided_on": decided.value,
    }
    try:
        decision: ReviewDecision | None = ReviewDecision.model_validate(data)
    except ValidationError as exc:
        _decision_errors(form, common.schema_faults(exc), positions)
        decision = None
    return DecisionReading(decision if not form.errors else None, faults, positions)


def _decision_errors(form: Form, exc: Invalid, positions: list[int]) -> None:
    """The domain's objections, each on its field; a recommendation's on its own row."""
    for error in exc.errors:
        loc = error.loc
        if loc and loc[0] == "recommendations" and len(loc) >= 3 and isinstance(loc[1], int):
            n = positions[loc[1]] if loc[1] < len(positions) else loc[1] + 1
            name = f"rec-{n}-{loc[2]}"
            form.add(name, f"{_rec_label(n, str(loc[2]))} {error.msg}")
        elif loc and loc[0] == "recommendations":
            form.add(
                f"rec-{positions[0] if positions else 1}-text", board_common.sentence(error.msg)
            )
        else:
            form.add_invalid(Invalid([error]))


@router.post("/complaint-reviews/{review_id}/decision")
def decide(
    request: Request, db: DbSession, actor: CurrentActor, review_id: Id, values: FormValues
) -> Response:
    _check(db, actor, review_id)
    version = form_version(values)
    rows = _rows(values)
    form = Form(values=values, labels=LABELS["decision"])
    if values.get("add_row") == "yes":
        # "Add another recommendation": the form again with one more row, nothing saved.
        more = min(rows + 1, MAX_RECOMMENDATIONS)
        return _case_page(
            request,
            db,
            actor,
            review_id,
            forms={"decision": form},
            rows=more,
            focus_row=more if more > rows else None,
        )
    reading = read_decision(values, form, rows)
    status_code = 422
    if reading.decision is not None:
        decision = reading.decision
        rules = common.rules_of(request)
        try:
            complaints.decide_review(
                db,
                actor,
                review_id,
                decision,
                expected_version=version,
                now=clock.now(),
                rules=rules,
            )
        except StaleVersion:
            db.rollback()
            form.add(GENERAL, stale_message(WHAT))
            status_code = 409
        except Invalid as exc:
            db.rollback()
            _decision_errors(form, exc, reading.positions)
        except Conflict as exc:
            db.rollback()
            form.add(GENERAL, board_common.sentence(exc.detail))
            status_code = 409
        else:
            label = common.outcome_label(decision.outcome).lower()
            count = len(decision.recommendations)
            message = f"The decision has been recorded: {label}"
            if count:
                message += (
                    f". {common.plural(count, 'recommendation')} sent to the Force as "
                    f"action{'s' if count != 1 else ''}"
                )
            return _done(request, db, actor, review_id, message)
    _order_decision(form, rows)
    return _case_page(
        request,
        db,
        actor,
        review_id,
        forms={"decision": form},
        faults=reading.faults,
        rows=rows,
        status_code=status_code,
    )


def _order_decision(form: Form, rows: int) -> None:
    order = [GENERAL, "outcome", "reasons", "organisational_learning"]
    for n in range(1, rows + 1):
        order += [f"rec-{n}-text", f"rec-{n}-response_due"]
    order += ["no_recommendation_reason", "decided_on"]
    form.errors = {
        **{name: form.errors[name] for name in order if name in form.errors},
        **{name: msg for name, msg in form.errors.items() if name not in order},
    }
