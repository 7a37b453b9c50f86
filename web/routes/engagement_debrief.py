"""The one-flow debrief (/engagements/new), changing an engagement (/engagements/{id}/edit)
and adding an issue to one (/engagements/{id}/issues/new).

The debrief page takes the engagement, then its issues, each with its action rows. "Add
another issue" and "Add another action" are submit buttons named `add`: without JavaScript
they post the whole form back and the page comes again with everything typed kept and one
more empty row; with htmx the same post answers only the new row (the `issue_row` or
`action_row` block of the same template), appended in place. "Save debrief" sends it all:
every problem is listed at once, and nothing is saved unless everything is right
(domain.engagement.service.record_engagement saves in one transaction)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.engagement import policy, rules
from domain.engagement import service as engagement
from domain.engagement.schemas import EngagementChange, EngagementCreate, EngagementIssueCreate
from domain.errors import FieldError, Invalid, StaleVersion
from web.action_views import VARY
from web.admin import form_version, stale_message
from web.dates import date_fields, read_date
from web.forms import GENERAL, Form, FormValues
from web.routes import engagement_common as common
from web.routes.engagement_common import Debrief, IssueRow
from web.templating import is_htmx, render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
TEMPLATE = "engagement/form.html"


def _page(
    request: Request,
    db: Session,
    actor: Actor,
    form: Form,
    *,
    mode: str,
    rows: list[IssueRow],
    shown: Any = None,
    faults: dict[str, tuple[str, ...]] | None = None,
    status_code: int = 200,
    block: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    actions = {
        "new": "/engagements/new",
        "edit": f"/engagements/{shown.id}/edit" if shown else "",
        "issue": f"/engagements/{shown.id}/issues/new" if shown else "",
    }
    return render(
        request,
        TEMPLATE,
        {
            "form": form,
            "errors": form.error_summary,
            "mode": mode,
            "rows": rows,
            "shown": shown,
            "faults": faults or {},
            "form_action": actions[mode],
            "contacts": policy.sees_named_contacts(actor),
            "common": common,
            **common.options(db).as_context(),
            **(extra or {}),
        },
        block=block,
        status_code=status_code,
        headers=VARY,
    )


def _add_row(
    request: Request,
    db: Session,
    actor: Actor,
    form: Form,
    *,
    mode: str,
    rows: list[IssueRow],
    shown: Any = None,
) -> Response | None:
    """The "Add another …" buttons: the new row alone for htmx, else the page with it."""
    add = str(form.values.get("add", "") or "")
    if not add:
        return None
    if add == "issue" and mode == "new" and len(rows) < common.MAX_ISSUES:
        row = common.add_issue(rows)
        rows.append(row)
        if is_htmx(request):
            return _page(
                request,
                db,
                actor,
                form,
                mode=mode,
                rows=rows,
                shown=shown,
                block="issue_row",
                extra={"issue": row},
            )
    elif add.startswith("action:"):
        wanted = add.removeprefix("action:")
        issue = next((r for r in rows if str(r.index) == wanted), None)
        if issue is not None and len(issue.actions) < common.MAX_ACTIONS:
            action = issue.next_action()
            issue.actions.append(action)
            if is_htmx(request):
                return _page(
                    request,
                    db,
                    actor,
                    form,
                    mode=mode,
                    rows=rows,
                    shown=shown,
                    block="action_row",
                    extra={"issue": issue, "action": action},
                )
    if is_htmx(request):
        return Response(status_code=204)  # nothing more may be added: nothing to swap in
    return _page(request, db, actor, form, mode=mode, rows=rows, shown=shown)


# ---------------------------------------------------------------------------------------------
# The engagement's own fields


def _check(call: Any, form: Form) -> None:
    """Run a pure rule; its Invalid (raised or returned) goes on the form."""
    try:
        found = call()
    except Invalid as exc:
        common.add_service_errors(form, exc)
        return
    if isinstance(found, Invalid):
        common.add_service_errors(form, found)
    elif isinstance(found, list | tuple) and found and isinstance(found[0], FieldError):
        common.add_service_errors(form, Invalid(list(found)))


def _engagement_data(
    values: dict[str, Any], form: Form, opts: common.Options, *, today: date, contacts: bool
) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    faults: dict[str, tuple[str, ...]] = {}
    text = {
        name: str(values.get(name, "") or "").strip()
        for name in ("kind", "lead", "lead_name", "area", "ward", "npa", "summary")
    }
    held = read_date(values, "held_on", "Date")
    if held.error:
        form.add("held_on", held.error)
        faults["held_on"] = held.faults
    kinds = {k for k, _ in common.KIND_OPTIONS}
    if text["kind"] not in kinds:
        form.add("kind", "Select the kind of engagement")
    if text["lead"] not in {k for k, _ in common.LEAD_OPTIONS}:
        form.add("lead", "Select who led the engagement")
    if text["area"] not in dict(opts.areas):
        form.add("area", "Select the area")
    if text["npa"] and text["npa"] not in dict(opts.npas):
        form.add("npa", "Select a Neighbourhood Policing Area from the list")
    organisations = common.lines(values.get("organisations_met"))
    if len(organisations) > common.MAX_LINES:
        form.add("organisations_met", f"Give no more than {common.MAX_LINES} organisations")
    people = common.whole_number(values, "people_count", "Number of people met", form)
    invited = common.whole_number(values, "councils_invited", "Councils invited", form)
    attended = common.whole_number(values, "councils_attended", "Councils attended", form)
    if held.value is not None:
        _check(lambda: rules.check_held_on(held.value, today), form)
    if text["kind"] in kinds and not {"councils_invited", "councils_attended"} & set(form.errors):
        _check(
            lambda: rules.check_attendance(rules.EngagementKind(text["kind"]), invited, attended),
            form,
        )
    data: dict[str, Any] = {
        **text,
        "npa": text["npa"] or None,
        "held_on": held.value,
        "organisations_met": organisations,
        "people_count": people or 0,
        "councils_invited": invited,
        "councils_attended": attended,
    }
    if contacts:
        data["named_contacts"] = str(values.get("named_contacts", "") or "").strip()
    return data, faults


# ---------------------------------------------------------------------------------------------
# The one-flow debrief


@router.get("/engagements/new")
def new_debrief(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    policy.check_can_write(actor)
    form = Form(values={"kind": "community_day", "lead": "pcc"}, labels=common.ENGAGEMENT_LABELS)
    return _page(request, db, actor, form, mode="new", rows=common.first_rows())


@router.post("/engagements/new")
def save_debrief(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    policy.check_can_write(actor)
    form = Form(values=values, labels=common.ENGAGEMENT_LABELS)
    rows = common.rows_of(values) or common.first_rows()
    added = _add_row(request, db, actor, form, mode="new", rows=rows)
    if added is not None:
        return added
    opts = common.options(db)
    contacts = policy.sees_named_contacts(actor)
    data, faults = _engagement_data(values, form, opts, today=clock.today(), contacts=contacts)
    debrief = common.read_issues(values, rows, form, topics=dict(opts.topics), orgs=dict(opts.orgs))
    faults |= debrief.faults
    parsed = common.validated(EngagementCreate, {**data, "issues": debrief.issues}, form, debrief)
    if parsed is not None and not form.errors:
        try:
            created = engagement.record_engagement(
                db, actor, parsed, now=clock.now(), today=clock.today()
            )
        except Invalid as exc:
            db.rollback()
            common.add_service_errors(form, exc, debrief)
        else:
            return common.redirect_with(
                request, f"/engagements/{created.id}", _saved_message(parsed, opts)
            )
    if not form.errors:
        form.add(GENERAL, "The debrief could not be saved")
    common.order_errors(form, common.field_order(rows))
    return _page(request, db, actor, form, mode="new", rows=rows, faults=faults, status_code=422)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _saved_message(parsed: EngagementCreate, opts: common.Options) -> str:
    what = common.kind_label(parsed.kind)
    place = dict(opts.areas).get(parsed.area, parsed.area)
    actions = sum(len(i.actions) for i in parsed.issues)
    return (
        f"{what} in {place} on {common.day(parsed.held_on)} recorded, with "
        f"{_count(len(parsed.issues), 'issue')} and {_count(actions, 'action')}"
    )


# ---------------------------------------------------------------------------------------------
# Changing the engagement


def _current_values(shown: Any) -> dict[str, Any]:
    return {
        "kind": str(shown.kind),
        "lead": str(shown.lead),
        "lead_name": shown.lead_name,
        "area": shown.area,
        "ward": shown.ward,
        "npa": shown.npa or "",
        "organisations_met": "\n".join(shown.organisations_met),
        "people_count": str(shown.people_count),
        "summary": shown.summary,
        "named_contacts": getattr(shown, "named_contacts", ""),
        "councils_invited": "" if shown.councils_invited is None else str(shown.councils_invited),
        "councils_attended": ""
        if shown.councils_attended is None
        else str(shown.councils_attended),
        "version": str(shown.version),
        **date_fields("held_on", shown.held_on),
    }


@router.get("/engagements/{engagement_id}/edit")
def edit_engagement(
    request: Request, db: DbSession, actor: CurrentActor, engagement_id: Id
) -> Response:
    shown = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
    policy.check_can_write(actor)
    form = Form(values=_current_values(shown), labels=common.ENGAGEMENT_LABELS)
    return _page(request, db, actor, form, mode="edit", rows=[], shown=shown)


@router.post("/engagements/{engagement_id}/edit")
def change_engagement(
    request: Request, db: DbSession, actor: CurrentActor, engagement_id: Id, values: FormValues
) -> Response:
    shown = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
    policy.check_can_write(actor)
    version = form_version(values)
    form = Form(values=values, labels=common.ENGAGEMENT_LABELS)
    opts = common.options(db)
    contacts = policy.sees_named_contacts(actor)
    data, faults = _engagement_data(values, form, opts, today=clock.today(), contacts=contacts)
    status_code = 422
    parsed = common.validated(EngagementChange, data, form)
    if parsed is not None and not form.errors:
        try:
            engagement.change_engagement(
                db, actor, engagement_id, parsed, expected_version=version, now=clock.now()
            )
        except StaleVersion:
            db.rollback()
            fresh = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
            form = Form(values=_current_values(fresh), labels=common.ENGAGEMENT_LABELS)
            form.add(GENERAL, stale_message("engagement"))
            shown, faults, status_code = fresh, {}, 409
        except Invalid as exc:
            db.rollback()
            common.add_service_errors(form, exc)
        else:
            return common.redirect_with(
                request, f"/engagements/{engagement_id}", "Changes to the engagement saved"
            )
    common.order_errors(form, common.field_order([]))
    return _page(
        request,
        db,
        actor,
        form,
        mode="edit",
        rows=[],
        shown=shown,
        faults=faults,
        status_code=status_code,
    )


# ---------------------------------------------------------------------------------------------
# Adding an issue (with its actions) to an engagement


@router.get("/engagements/{engagement_id}/issues/new")
def new_issue(request: Request, db: DbSession, actor: CurrentActor, engagement_id: Id) -> Response:
    shown = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
    policy.check_can_write(actor)
    form = Form(labels=common.ENGAGEMENT_LABELS)
    return _page(request, db, actor, form, mode="issue", rows=common.first_rows(), shown=shown)


def _as_issue_errors(exc: Invalid) -> Invalid:
    """add_issue names fields of the one issue ("topic", ("actions", 0, "title")): place
    them as the debrief's first issue."""
    return Invalid(
        [
            e if e.loc and e.loc[0] == "issues" else FieldError(("issues", 0, *e.loc), e.msg)
            for e in exc.errors
        ]
    )


@router.post("/engagements/{engagement_id}/issues/new")
def add_issue(
    request: Request, db: DbSession, actor: CurrentActor, engagement_id: Id, values: FormValues
) -> Response:
    shown = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
    policy.check_can_write(actor)
    form = Form(values=values, labels=common.ENGAGEMENT_LABELS)
    rows = (common.rows_of(values) or common.first_rows())[:1]
    added = _add_row(request, db, actor, form, mode="issue", rows=rows, shown=shown)
    if added is not None:
        return added
    opts = common.options(db)
    debrief: Debrief = common.read_issues(
        values, rows, form, topics=dict(opts.topics), orgs=dict(opts.orgs)
    )
    if not debrief.issues and not form.errors:
        form.add(f"{rows[0].prefix}topic", "Select the topic of issue 1")
        form.add(f"{rows[0].prefix}description", "Enter what was raised in issue 1")
    parsed = None
    if debrief.issues:
        try:
            parsed = EngagementIssueCreate.model_validate(debrief.issues[0])
        except ValidationError as exc:
            common.add_schema_errors(form, _PrefixedErrors(exc), debrief)
    if parsed is not None and not form.errors:
        try:
            engagement.add_issue(db, actor, engagement_id, parsed, now=clock.now())
        except Invalid as exc:
            db.rollback()
            common.add_service_errors(form, _as_issue_errors(exc), debrief)
        else:
            return common.redirect_with(
                request,
                f"/engagements/{engagement_id}#issues",
                f"The issue has been added, with {_count(len(parsed.actions), 'action')}",
            )
    if not form.errors:
        form.add(GENERAL, "The issue could not be saved")
    common.order_errors(form, common.field_order(rows))
    return _page(
        request,
        db,
        actor,
        form,
        mode="issue",
        rows=rows,
        shown=shown,
        faults=debrief.faults,
        status_code=422,
    )


class _PrefixedErrors:
    """A ValidationError of one issue, with its locations as the debrief's first issue."""

    def __init__(self, exc: ValidationError) -> None:
        self._exc = exc

    def errors(self) -> list[dict[str, Any]]:
        return [{**e, "loc": ("issues", 0, *e["loc"])} for e in self._exc.errors()]
