"""The shared form helper: parse a posted form into a schema, and turn any failure
(pydantic or a domain rule) into the GOV.UK error summary and inline messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from domain.errors import Invalid
from web.dates import date_example, parse_filter_date

M = TypeVar("M", bound=BaseModel)
GENERAL = "form"  # the error key for a message about the whole form, not one field
_CONTINUES_LABEL = ("must ", "is ", "are ", "cannot ", "can ", "should ", "has ", "does ")


@dataclass
class Form:
    """What the user typed, and what is wrong with it, keyed by field name."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def error_summary(self) -> list[dict[str, str]]:
        """Field errors link to their field; a general error (name "form") has no link."""
        return [
            {"text": msg} if name == GENERAL else {"text": msg, "href": f"#{name}"}
            for name, msg in self.errors.items()
        ]

    def error(self, name: str) -> dict[str, str] | None:
        return {"text": self.errors[name]} if name in self.errors else None

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def add_invalid(self, exc: Invalid) -> None:
        for error in exc.errors:
            name = str(error.loc[-1]) if error.loc else GENERAL
            label = self.labels.get(name, name.replace("_", " ").capitalize())
            msg = error.msg
            if name == GENERAL or not msg.startswith(_CONTINUES_LABEL):
                # "another topic already uses this code" reads as a sentence on its own
                self.add(name, msg[:1].upper() + msg[1:])
            else:
                self.add(name, f"{label} {msg}")

    def add_validation(self, exc: ValidationError) -> None:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "form"
            self.add(name, self._message(name, error))

    def _message(self, name: str, error: Any) -> str:
        label = self.labels.get(name, name.replace("_", " ").capitalize())
        kind = error["type"]
        blank = not str(self.values.get(name) or "").strip()
        if kind == "missing" or (kind == "string_too_short" and blank):
            return f"Enter {label[0].lower() + label[1:]}"
        if kind in ("enum", "literal_error"):
            return f"Select {label[0].lower() + label[1:]}"
        ctx = error.get("ctx") or {}
        if kind == "string_too_short":
            return f"{label} must be {ctx.get('min_length')} characters or more"
        if kind == "string_too_long":
            return f"{label} must be {ctx.get('max_length')} characters or fewer"
        if kind == "string_pattern_mismatch":
            return f"{label} is not in the right format"
        if kind in ("int_parsing", "int_type", "int_from_float"):
            return f"{label} must be a whole number"
        if kind in ("greater_than_equal", "greater_than"):
            return f"{label} must be {ctx.get('ge', ctx.get('gt'))} or more"
        if kind in ("less_than_equal", "less_than"):
            return f"{label} must be {ctx.get('le', ctx.get('lt'))} or less"
        msg = str(error["msg"]).removeprefix("Value error, ")
        return f"{label} {msg[0].lower() + msg[1:]}"


async def read_form(request: Request) -> dict[str, Any]:
    """Posted fields (repeated names become lists); the CSRF token is not a field."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if len(items) > 1 else (items[0] if items else "")
    return values


FormValues = Annotated[dict[str, Any], Depends(read_form)]
"""The posted fields as a dependency, so a route that then works the database can stay sync."""


def parse(schema: type[M], form: Form, data: dict[str, Any]) -> M | None:
    """The schema instance, or None with `form.errors` filled in."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        form.add_validation(exc)
        return None


def filter_date(form: Form, name: str, label: str, raw: str | None) -> date | None:
    """A date typed into a list filter's box, or None when the box is empty; a date that is
    not real is recorded on the form (every filter is checked, so all errors show at once)."""
    if not raw or not raw.strip():
        return None
    try:
        return parse_filter_date(raw)
    except ValueError:
        form.add(name, f"{label} must be a real date, like {date_example(separator='/')}")
        return None
