"""/admin/reference: the four kinds of reference data, listed, added and changed.

The forms are built from each kind's own schemas (domain.reference.service.KINDS), so a
field added to a kind's Create schema appears on its form without a new template.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.errors import Invalid, NotFound, StaleVersion
from domain.listing import MAX_LIMIT, PageRequest
from domain.reference import service as reference
from domain.reference.service import AREAS, KINDS, TYPE_WORDS, ReferenceKind
from web.admin import active_tag, form_version, page_request, require_admin, stale_message
from web.flash import set_flash
from web.forms import GENERAL, Form, FormValues, parse
from web.templating import render

router = APIRouter(prefix="/admin/reference", dependencies=[Depends(require_admin)])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Slug = Annotated[str, Path(max_length=40)]
Cursor = Annotated[str | None, Query(max_length=200)]
KindQuery = Annotated[str, Query(max_length=40)]

LABELS = {
    "code": "Code",
    "name": "Name",
    "kind": "Type",
    "tile_row": "Tile row",
    "tile_col": "Tile column",
    "area_id": "Area",
    "active": "Status",
}
HINTS = {
    "code": "Lower-case letters, numbers and hyphens, for example “charnwood”. "
    "It cannot be changed later",
    "short_name": "What narrow tables and small screens show, for example “OPCC” or "
    "“Leicestershire Police”. Up to 60 characters",
    "tile_row": "Row of this area on the coverage map, counting from 0 at the top",
    "tile_col": "Column of this area on the coverage map, counting from 0 at the left",
}
OPTIONAL_HINTS = {"short_name": ". Leave it empty to use the name"}
OPTION_LABELS = TYPE_WORDS
BASE_FIELDS = frozenset({"id", "code", "name", "active", "created_at", "updated_at", "version"})
ACTIVE_OPTIONS = [("yes", "Active"), ("no", "Inactive")]


@dataclass(frozen=True)
class FormField:
    """One input on a reference form: a text box, a number box or a select."""

    name: str
    label: str
    widget: str
    options: list[tuple[Any, str]]
    hint: str | None
    required: bool = True

    @property
    def missing(self) -> str:
        verb = "Select" if self.widget == "select" else "Enter"
        return f"{verb} {self.label[0].lower()}{self.label[1:]}"


def _kind(slug: str) -> ReferenceKind:
    found = KINDS.get(slug)
    if found is None:
        raise NotFound(f"there is no reference data called {slug}")
    return found


def _plain(annotation: Any) -> Any:
    """`X | None` → X."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _area_options(db: Session, current: int | None = None) -> list[tuple[Any, str]]:
    areas = reference.active_records(db, AREAS)
    options: list[tuple[Any, str]] = [(area.id, area.name) for area in areas]
    if current is not None and all(area.id != current for area in areas):
        former = db.get(AREAS.table, current)
        if former is not None:
            options.append((current, f"{getattr(former, 'name', current)} (inactive)"))
    return options


def _fields(
    db: Session, kind: ReferenceKind, *, editing: bool, area_id: int | None = None
) -> list[FormField]:
    editable = kind.update.model_fields
    fields = []
    for name, info in kind.create.model_fields.items():
        if editing and name not in editable:
            continue
        annotation = _plain(info.annotation)
        label = LABELS.get(name, name.replace("_", " ").capitalize())
        if name == "area_id":
            fields.append(FormField(name, label, "select", _area_options(db, area_id), None))
        elif isinstance(annotation, type) and issubclass(annotation, Enum):
            options = [
                (m.value, OPTION_LABELS.get(m.value, m.value.capitalize())) for m in annotation
            ]
            fields.append(FormField(name, label, "select", options, None))
        elif annotation is int:
            fields.append(FormField(name, label, "number", [], HINTS.get(name)))
        elif not editing and not info.is_required():
            # Optional when adding (the kind fills it in); kept filled in when changing.
            hint = HINTS.get(name, "") + OPTIONAL_HINTS.get(name, "")
            label = f"{label} (optional)"
            fields.append(FormField(name, label, "text", [], hint or None, required=False))
        else:
            fields.append(FormField(name, label, "text", [], HINTS.get(name)))
    return fields


def _columns(kind: ReferenceKind) -> list[tuple[str, str]]:
    """The list's extra columns: whatever the kind reads beyond code, name and status."""
    return [
        (name, LABELS.get(name, name.replace("_", " ").capitalize()))
        for name in kind.read.model_fields
        if name not in BASE_FIELDS
    ]


def _area_names(db: Session, actor: CurrentActor) -> dict[int, str]:
    areas = reference.list_records(db, actor, AREAS, page=PageRequest(limit=MAX_LIMIT)).items
    return {area.id: area.name for area in areas}


@router.get("")
def reference_data(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    kind: KindQuery = "organisations",
    cursor: Cursor = None,
) -> Response:
    chosen = _kind(kind)
    page = reference.list_records(db, actor, chosen, page=page_request(cursor))
    columns = _columns(chosen)
    area_names = _area_names(db, actor) if any(c == "area_id" for c, _ in columns) else {}

    def show(record: Any, column: str) -> str:
        value = getattr(record, column)
        if column == "area_id":
            return area_names.get(value, str(value))
        return OPTION_LABELS.get(value, str(value)) if isinstance(value, str) else str(value)

    return render(
        request,
        "admin/reference.html",
        {
            "kinds": list(KINDS.values()),
            "kind": chosen,
            "records": page.items,
            "next_cursor": page.next_cursor,
            "columns": columns,
            "show": show,
            "active_tag": active_tag,
            "article": _article(chosen),
        },
    )


def _article(kind: ReferenceKind) -> str:
    return "an" if kind.singular[0].lower() in "aeiou" else "a"


def _form_page(
    request: Request,
    kind: ReferenceKind,
    fields: list[FormField],
    form: Form,
    *,
    record: Any = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/reference_form.html",
        {
            "kind": kind,
            "fields": fields,
            "form": form,
            "errors": form.error_summary,
            "record": record,
            "article": _article(kind),
            "active_options": ACTIVE_OPTIONS,
        },
        status_code=status_code,
    )


def _labels(fields: list[FormField]) -> dict[str, str]:
    return {**LABELS, **{f.name: f.label.removesuffix(" (optional)") for f in fields}}


def _clashes(
    db: Session, kind: ReferenceKind, form: Form, data: dict[str, Any], own_id: int | None
) -> None:
    """Clashes with other records, reported with the form's other mistakes."""
    faults = reference.rule_faults(db, kind, data, own_id)
    if faults:
        form.add_invalid(Invalid(faults))


def _submitted(fields: list[FormField], values: dict[str, Any], form: Form) -> dict[str, Any]:
    """Every required field must be filled in; blank ones become the GOV.UK message."""
    data: dict[str, Any] = {}
    for field in fields:
        value = str(values.get(field.name, "")).strip()
        if value:
            data[field.name] = value
        elif field.required:
            form.add(field.name, field.missing)
    return data


@router.get("/{kind}/new")
def new_record(request: Request, db: DbSession, kind: Slug) -> Response:
    chosen = _kind(kind)
    fields = _fields(db, chosen, editing=False)
    return _form_page(request, chosen, fields, Form(labels=_labels(fields)))


@router.post("/{kind}/new")
def create_record(
    request: Request, db: DbSession, actor: CurrentActor, kind: Slug, values: FormValues
) -> Response:
    chosen = _kind(kind)
    fields = _fields(db, chosen, editing=False)
    form = Form(values=values, labels=_labels(fields))
    data = _submitted(fields, values, form)
    parsed = parse(chosen.create, form, data)
    if parsed is None or form.errors:
        _clashes(db, chosen, form, data, None)
        return _form_page(request, chosen, fields, form, status_code=422)
    try:
        created = reference.create_record(db, actor, chosen, parsed, now=clock.now())
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return _form_page(request, chosen, fields, form, status_code=422)
    response = RedirectResponse(f"/admin/reference?kind={chosen.slug}", status_code=303)
    set_flash(
        request,
        response,
        f"{chosen.singular[:1].upper()}{chosen.singular[1:]} “{created.name}” added",
    )
    return response


def _current_values(record: Any, fields: list[FormField]) -> dict[str, Any]:
    values = {field.name: getattr(record, field.name) for field in fields}
    return {**values, "active": "yes" if record.active else "no", "version": record.version}


@router.get("/{kind}/{record_id}")
def show_record(
    request: Request, db: DbSession, actor: CurrentActor, kind: Slug, record_id: Id
) -> Response:
    chosen = _kind(kind)
    record = reference.get_record(db, actor, chosen, record_id)
    fields = _fields(db, chosen, editing=True, area_id=getattr(record, "area_id", None))
    form = Form(values=_current_values(record, fields), labels=_labels(fields))
    return _form_page(request, chosen, fields, form, record=record)


@router.post("/{kind}/{record_id}")
def update_record(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    kind: Slug,
    record_id: Id,
    values: FormValues,
) -> Response:
    chosen = _kind(kind)
    record = reference.get_record(db, actor, chosen, record_id)
    fields = _fields(db, chosen, editing=True, area_id=getattr(record, "area_id", None))
    form = Form(values=values, labels=_labels(fields))
    version = form_version(values)
    data = _submitted(fields, values, form)
    if values.get("active") in ("yes", "no"):
        data["active"] = values["active"] == "yes"
    parsed = parse(chosen.update, form, data)
    if parsed is None or form.errors:
        _clashes(db, chosen, form, data, record_id)
        return _form_page(request, chosen, fields, form, record=record, status_code=422)
    try:
        saved = reference.update_record(
            db, actor, chosen, record_id, parsed, expected_version=version, now=clock.now()
        )
    except StaleVersion:
        db.rollback()
        record = reference.get_record(db, actor, chosen, record_id)
        fresh = Form(values=_current_values(record, fields), labels=_labels(fields))
        fresh.add(GENERAL, stale_message(chosen.singular))
        return _form_page(request, chosen, fields, fresh, record=record, status_code=409)
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        record = reference.get_record(db, actor, chosen, record_id)
        return _form_page(request, chosen, fields, form, record=record, status_code=422)
    response = RedirectResponse(f"/admin/reference?kind={chosen.slug}", status_code=303)
    set_flash(request, response, f"Changes to “{saved.name}” saved")
    return response
