"""/objectives/{id}: the objective, its current rating with the reason, the MOJ timeline of
every assessment (corrections marked), and for those who rate, the new assessment form.

The form posts with htmx and gets back the `objective_detail` block (refreshed, with the
message or the errors in it); without JavaScript it POST-redirect-GETs. The rules are
domain.plan's: the page runs the same rule function (assessment_faults) beside its own
checks of the choices, the date and the links, so every problem is reported in one answer,
and nothing is saved unless add_assessment accepts it. Next steps and the expected date are
asked for under Amber and Red only (a conditional reveal), and are not kept for other
ratings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor, Scope
from domain.actions import policy as actions_policy
from domain.actions import queries as action_queries
from domain.actions.rules import SourceType
from domain.errors import Invalid
from domain.listing import MAX_LIMIT, PageRequest
from domain.plan import policy, ratings
from domain.plan import service as plan
from domain.plan import standing as standing_of
from domain.plan.rules import (
    AssessmentDraft,
    DeliveryStage,
    PeriodStatus,
    RatedPeriod,
    Rating,
    assessment_faults,
    parse_period_code,
)
from domain.plan.schemas import AssessmentCreate, AssessmentRead
from domain.plan.standing import PlanPeriod
from web import plan_views as views
from web.action_views import VARY
from web.admin import Tag
from web.dates import DateReading, date_example, read_date
from web.flash import set_flash
from web.forms import Form, FormValues, parse
from web.templating import is_htmx, render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str | None, Query(max_length=10000)]

LABELS = {  # in the form's order, which the error summary follows
    "period": "Period",
    "rating": "Rating",
    "next_steps": "Next steps",
    "expected_date": "Expected date",
    "rationale": "Rationale",
    "delivery_stage": "Delivery stage",
    "evidence_links": "Evidence links",
    "correction_reason": "Reason for correction",
}
MAX_LINKS = 20
REVEALING = (Rating.AMBER, Rating.RED)  # the ratings that ask for next steps and a date
EXPECTED_EXAMPLE_DAYS = 90  # the hint's example date: about a quarter from today
Choice = TypeVar("Choice", Rating, DeliveryStage)


@dataclass(frozen=True)
class TimelineEntry:
    """One assessment on the timeline, newest first."""

    assessment: AssessmentRead
    replaced: bool  # a later assessment for the same period took its place

    @property
    def tag(self) -> Tag:
        return views.rag_tag(self.assessment.rating)

    @property
    def correction(self) -> bool:
        return bool(self.assessment.correction_reason)


def _timeline(assessments: list[AssessmentRead]) -> list[TimelineEntry]:
    superseded = {a.supersedes for a in assessments if a.supersedes is not None}
    return [TimelineEntry(a, a.id in superseded) for a in reversed(assessments)]


def _default_period(periods: list[PlanPeriod]) -> str:
    """The period being rated now: the latest open one, else the latest."""
    chosen = views.choose_period(periods, None, "open")
    return chosen.code if chosen else ""


def _period_options(periods: list[PlanPeriod]) -> list[tuple[str, str]]:
    return [
        (
            p.period.code,
            views.period_label(p.period.code)
            + (" (published: a change is a correction)" if p.period.status == "published" else ""),
        )
        for p in reversed(periods)
    ]


def _published(periods: list[PlanPeriod], code: str) -> bool:
    return any(p.period.code == code and p.period.status == PeriodStatus.PUBLISHED for p in periods)


def _objective_actions(db: Session, actor: Actor, objective_id: int) -> list[Any] | None:
    """The actions this objective produced, for those who may read actions (None otherwise)."""
    if not actor.can(Scope.READ_ACTIONS):
        return None
    filters = action_queries.ActionFilters(source_type=SourceType.OBJECTIVE, source_id=objective_id)
    page = action_queries.list_actions(
        db, actor, filters=filters, page=PageRequest(limit=MAX_LIMIT), today=clock.today()
    )
    return list(page.items)


def _objective_page(
    request: Request,
    db: Session,
    actor: Actor,
    objective_id: int,
    *,
    form: Form | None = None,
    faults: tuple[str, ...] = (),
    notice: str | None = None,
    status_code: int = 200,
    block: str = "objective_detail",
) -> Response:
    objective = ratings.get_objective(db, actor, objective_id)
    periods = standing_of.plan_periods(db, actor, objective.plan_id)
    themes = {t.id: t for t in views.all_themes(db, actor, objective.plan_id)}
    form = form or Form(values={"period": _default_period(periods)}, labels=LABELS)
    chosen = str(form.value("period"))
    return render(
        request,
        "plan/objective.html",
        {
            "objective": objective,
            "plan_record": plan.get_plan(db, actor, objective.plan_id),
            "theme": themes.get(objective.theme_id),
            "lead_name": views.lead_names(db).get(objective.lead_org, objective.lead_org),
            "timeline": _timeline(ratings.list_assessments(db, actor, objective_id)),
            "can_rate": policy.can_write(actor),
            "form": form,
            "errors": form.error_summary,
            "faults": faults,
            "notice": notice,
            "period_options": _period_options(periods),
            "show_correction": _published(periods, chosen)
            or "correction_reason" in form.errors
            or bool(str(form.value("correction_reason")).strip()),
            "rating_items": [
                (value, text, views.RATING_HINTS[Rating(value)])
                for value, text in views.RATING_OPTIONS
            ],
            "revealing": [r.value for r in REVEALING],
            "expected_example": date_example(EXPECTED_EXAMPLE_DAYS),
            "stage_options": views.STAGE_OPTIONS,
            "views": views,
            "objective_actions": _objective_actions(db, actor, objective_id),
            "can_add_action": actions_policy.can_edit(actor),
        },
        block=block,
        status_code=status_code,
        headers=VARY,
    )


@router.get("/objectives/{objective_id}")
def show_objective(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    objective_id: Id,
    period: Annotated[str | None, Query(max_length=20)] = None,
    correction_reason: Text = None,
) -> Response:
    """`?period=` preselects the form's period. htmx asks with it when the period select
    changes, and gets only the correction field: shown when that period is published."""
    form = None
    if period is not None:
        values = {"period": period, "correction_reason": correction_reason or ""}
        form = Form(values=values, labels=LABELS)
    return _objective_page(
        request,
        db,
        actor,
        objective_id,
        form=form,
        block="correction_field" if period is not None else "objective_detail",
    )


def _links(raw: str, form: Form) -> list[str]:
    links = [line.strip() for line in raw.splitlines() if line.strip()]
    for number, link in enumerate(links, start=1):
        if not link.startswith(("https://", "http://")) or any(c.isspace() for c in link):
            form.add(
                "evidence_links",
                f"Evidence link {number} must be a web address starting with https://, "
                "one link on each line",
            )
            break
        if len(link) > 500:
            form.add("evidence_links", f"Evidence link {number} must be 500 characters or fewer")
            break
    if len(links) > MAX_LINKS:
        form.add("evidence_links", f"Give no more than {MAX_LINKS} evidence links")
    return links


def _choice(kind: type[Choice], raw: Any) -> Choice | None:
    """The option posted, or None when none (or one not offered) was chosen."""
    try:
        return kind(str(raw or ""))
    except ValueError:
        return None


def _read(form: Form, periods: list[PlanPeriod]) -> tuple[dict[str, Any], DateReading]:
    """The posted assessment, with every problem in `form` at once: the choices, the date and
    the links, then every rule of domain.plan on whatever could be read."""
    values = form.values
    chosen = next((p.period for p in periods if p.period.code == values.get("period")), None)
    if chosen is None:
        form.add("period", "Select the period this rating is for")
    rating = _choice(Rating, values.get("rating"))
    if rating is None:
        form.add("rating", "Select a rating")
    stage = _choice(DeliveryStage, values.get("delivery_stage"))
    if stage is None:
        form.add("delivery_stage", "Select the delivery stage")
    # Asked for (revealed) under Amber and Red; read too while no rating is chosen.
    asked = rating is None or rating in REVEALING
    date = DateReading()
    if asked:
        date = read_date(values, "expected_date", LABELS["expected_date"], required=False)
        if date.error:
            form.add("expected_date", date.error)
    data: dict[str, Any] = {
        "period": chosen.code if chosen else "",
        "rating": rating.value if rating else "",
        "rationale": str(values.get("rationale", "")).strip(),
        "delivery_stage": stage.value if stage else "",
        "next_steps": str(values.get("next_steps", "")).strip() if asked else "",
        "expected_date": date.value,
        "evidence_links": _links(str(values.get("evidence_links", "")), form),
        "correction_reason": str(values.get("correction_reason", "")).strip(),
    }
    draft = AssessmentDraft(
        rating,
        data["rationale"],
        stage,
        data["next_steps"],
        date.value,
        data["correction_reason"],
    )
    period = (
        RatedPeriod(parse_period_code(chosen.code), chosen.status == PeriodStatus.PUBLISHED)
        if chosen
        else None
    )
    faults = assessment_faults(draft, period)
    if faults:
        form.add_invalid(Invalid(faults))  # a box already marked keeps its first message
    return data, date


@router.post("/objectives/{objective_id}/assessments")
def add_assessment(
    request: Request, db: DbSession, actor: CurrentActor, objective_id: Id, values: FormValues
) -> Response:
    policy.check_can_write(actor)
    objective = ratings.get_objective(db, actor, objective_id)
    periods = standing_of.plan_periods(db, actor, objective.plan_id)
    form = Form(values=values, labels=LABELS)
    data, date = _read(form, periods)
    parsed = parse(AssessmentCreate, form, data)
    if parsed is not None and not form.errors:
        try:
            rated = ratings.add_assessment(db, actor, objective_id, parsed, now=clock.now())
        except Invalid as exc:
            db.rollback()
            form.add_invalid(exc)
        else:
            label = views.rag_label(rated.assessment.rating)
            message = f"{label} rating for {views.period_label(rated.period.code)} saved"
            if rated.assessment.correction_reason:
                message = f"Correction saved: {message[:1].lower()}{message[1:]}"
            if is_htmx(request):
                return _objective_page(request, db, actor, objective_id, notice=message)
            response = RedirectResponse(f"/objectives/{objective_id}", status_code=303)
            set_flash(request, response, message)
            return response
    form.errors = {
        **{name: form.errors[name] for name in LABELS if name in form.errors},
        **{name: msg for name, msg in form.errors.items() if name not in LABELS},
    }
    faults = date.faults if date.error else ()
    return _objective_page(
        request, db, actor, objective_id, form=form, faults=faults, status_code=422
    )
