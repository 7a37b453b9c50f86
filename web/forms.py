"""The shared form helper: parse a posted form into a schema, and turn any failure
(pydantic or a domain rule) into the GOV.UK error summary and inline messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from domain.errors import Invalid

M = TypeVar("M", bound=BaseModel)


@dataclass
class Form:
    """What the user typed, and what is wrong with it, keyed by field name."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def error_summary(self) -> list[dict[str, str]]:
        return [{"text": msg, "href": f"#{name}"} for name, msg in self.errors.items()]

    def error(self, name: str) -> dict[str, str] | None:
        return {"text": self.errors[name]} if name in self.errors else None

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def add_invalid(self, exc: Invalid) -> None:
        for error in exc.errors:
            name = str(error.loc[-1]) if error.loc else "form"
            label = self.labels.get(name, name.replace("_", " ").capitalize())
            self.add(name, f"{label} {error.msg}")

    def add_validation(self, exc: ValidationError) -> None:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "form"
            self.add(name, self._message(name, error))

    def _message(self, name: str, error: Any) -> str:
        label = self.labels.get(name, name.replace("_", " ").capitalize())
        kind = error["type"]
        if kind == "missing" or (kind == "string_too_short" and not self.values.get(name)):
            return f"Enter {label[0].lower() + label[1:]}"
        if kind in ("enum", "literal_error"):
            return f"Select {label[0].lower() + label[1:]}"
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


def parse(schema: type[M], form: Form, data: dict[str, Any]) -> M | None:
    """The schema instance, or None with `form.errors` filled in."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        form.add_validation(exc)
        return None
