"""Errors every service may raise; each surface maps them to a response once."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base class: a rule said no."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """No such record, or one the caller may not know exists."""


class Forbidden(DomainError):
    """The caller is known but not allowed to do this. `scope` names the missing scope for
    API callers; the detail says it in words, for people."""

    def __init__(self, detail: str, *, scope: str | None = None) -> None:
        super().__init__(detail)
        self.scope = scope


class Unauthenticated(DomainError):
    """No valid credentials were given."""


class Conflict(DomainError):
    """The request clashes with the record's current state (duplicate, in use)."""


class InvalidTransition(Conflict):
    """The target state exists but cannot be reached from the current one."""


class StaleVersion(DomainError):
    """The caller's version of the record is not the current one."""

    def __init__(self, detail: str, *, current_version: int) -> None:
        super().__init__(detail)
        self.current_version = current_version


class RateLimited(DomainError):
    """Too many attempts; try again later."""

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class FieldError:
    loc: tuple[str | int, ...]
    msg: str


class Invalid(DomainError):
    """Input broke a business rule; names every offending field."""

    def __init__(self, errors: list[FieldError] | FieldError | str, msg: str | None = None) -> None:
        if isinstance(errors, str):
            errors = [FieldError((errors,), msg or "is invalid")]
        elif isinstance(errors, FieldError):
            errors = [errors]
        self.errors = errors
        super().__init__("; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors))


def invalid(field: str, msg: str) -> Invalid:
    return Invalid([FieldError((field,), msg)])
