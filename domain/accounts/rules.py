"""Roles and scopes (DOMAIN.md §6): what each role may ever do, and who the caller is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import FieldError


class Role(StrEnum):
    ADMIN = "admin"
    OPCC_STAFF = "opcc_staff"
    COMPLAINTS_REVIEWER = "complaints_reviewer"
    FORCE_LIAISON = "force_liaison"
    VIEWER = "viewer"


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.OPCC_STAFF: "OPCC staff",
    Role.COMPLAINTS_REVIEWER: "Complaints reviewer",
    Role.FORCE_LIAISON: "Force liaison",
    Role.VIEWER: "Viewer",
}


class Scope(StrEnum):
    READ_PLAN = "read:plan"
    WRITE_PLAN = "write:plan"
    READ_BOARD = "read:board"
    WRITE_BOARD = "write:board"
    READ_ACTIONS = "read:actions"
    WRITE_ACTIONS = "write:actions"
    READ_ENGAGEMENT = "read:engagement"
    WRITE_ENGAGEMENT = "write:engagement"
    READ_COMPLAINT_STATS = "read:complaint-stats"
    READ_COMPLAINTS = "read:complaints"
    WRITE_COMPLAINTS = "write:complaints"
    WRITE_FORCE_RESPONSES = "write:force-responses"
    ADMIN = "admin"


SCOPE_WORDS = {
    Scope.READ_PLAN: "see the Police and Crime Plan, its objectives and their ratings",
    Scope.WRITE_PLAN: "rate objectives and change the Plan",
    Scope.READ_BOARD: "see board meetings, exception reports and escalations",
    Scope.WRITE_BOARD: "record board meetings, escalations and the board's outcomes",
    Scope.READ_ACTIONS: "see actions and their updates",
    Scope.WRITE_ACTIONS: "add and change actions",
    Scope.READ_ENGAGEMENT: "see engagements, what residents raised and the coverage",
    Scope.WRITE_ENGAGEMENT: "record engagements and tell residents what was done",
    Scope.READ_COMPLAINT_STATS: "see complaint review statistics",
    Scope.READ_COMPLAINTS: "see complaint review cases, with the complainants' details",
    Scope.WRITE_COMPLAINTS: "work on complaint review cases",
    Scope.WRITE_FORCE_RESPONSES: (
        "answer for the Force: responses to escalations and updates on the Force's actions"
    ),
    Scope.ADMIN: "manage users, API tokens, reference data and the audit log",
}
"""What each scope lets a person do, in words: pages never show the codes."""

_STAFF = frozenset(
    {
        Scope.READ_PLAN,
        Scope.WRITE_PLAN,
        Scope.READ_BOARD,
        Scope.WRITE_BOARD,
        Scope.READ_ACTIONS,
        Scope.WRITE_ACTIONS,
        Scope.READ_ENGAGEMENT,
        Scope.WRITE_ENGAGEMENT,
        Scope.READ_COMPLAINT_STATS,
    }
)

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.ADMIN: frozenset(Scope),
    Role.OPCC_STAFF: _STAFF,
    Role.COMPLAINTS_REVIEWER: _STAFF | {Scope.READ_COMPLAINTS, Scope.WRITE_COMPLAINTS},
    Role.FORCE_LIAISON: frozenset(
        {Scope.READ_BOARD, Scope.READ_ACTIONS, Scope.WRITE_FORCE_RESPONSES}
    ),
    Role.VIEWER: frozenset(
        {
            Scope.READ_PLAN,
            Scope.READ_BOARD,
            Scope.READ_ACTIONS,
            Scope.READ_ENGAGEMENT,
            Scope.READ_COMPLAINT_STATS,
        }
    ),
}

PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.COMPLAINTS_REVIEWER})


class ActorKind(StrEnum):
    USER = "user"
    TOKEN = "token"  # noqa: S105
    SYSTEM = "system"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Actor:
    """Whoever is calling: a signed-in user, an API token, the command line, or nobody."""

    kind: ActorKind
    label: str
    role: Role | None = None
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    user_id: int | None = None
    token_id: int | None = None
    name: str = ""  # a person's display name, for pages; `label` is what the audit log keeps

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not ActorKind.ANONYMOUS

    @property
    def sees_personal_data(self) -> bool:
        """People in the privileged roles; tokens and feeds never (COMPLAINTS.md)."""
        return self.kind is not ActorKind.TOKEN and self.role in PERSONAL_DATA_ROLES

    def can(self, scope: Scope) -> bool:
        return scope in self.scopes

    @property
    def audit_id(self) -> int | None:
        return self.token_id if self.kind is ActorKind.TOKEN else self.user_id


ANONYMOUS = Actor(kind=ActorKind.ANONYMOUS, label="anonymous")
SYSTEM = Actor(
    kind=ActorKind.SYSTEM,
    label="system (command line)",
    role=Role.ADMIN,
    scopes=ROLE_SCOPES[Role.ADMIN],
)


def user_actor(*, user_id: int, label: str, role: Role, name: str = "") -> Actor:
    return Actor(
        kind=ActorKind.USER,
        label=label,
        role=role,
        scopes=ROLE_SCOPES[role],
        user_id=user_id,
        name=name,
    )


def token_actor(
    *, token_id: int, label: str, role: Role, scopes: frozenset[Scope], user_id: int | None
) -> Actor:
    """A token never exceeds its role: its scopes are cut down to what the role allows."""
    return Actor(
        kind=ActorKind.TOKEN,
        label=label,
        role=role,
        scopes=scopes & ROLE_SCOPES[role],
        token_id=token_id,
        user_id=user_id,
    )


def scopes_beyond_role(role: Role, scopes: frozenset[Scope]) -> frozenset[Scope]:
    return scopes - ROLE_SCOPES[role]


@dataclass(frozen=True)
class SignInLimits:
    """Failed sign-ins allowed within `window` before an address must wait.

    Modelled on the major identity providers' smart lockout: the lock falls on the address
    that is guessing, so an officer at a desk with no failures can still sign in while
    someone elsewhere hammers their account; only a distributed attack on one account
    (`per_account_all_addresses`) locks it for everyone. Before the per-address lock an
    address waits `first_delay`, doubling, after each failure past the first.
    """

    per_account: int = 5
    per_ip: int = 20
    per_account_all_addresses: int = 50
    window: timedelta = timedelta(minutes=15)
    first_delay: timedelta = timedelta(seconds=1)


def sign_in_wait(
    *,
    pair: Sequence[datetime],
    account: Sequence[datetime],
    address: Sequence[datetime],
    now: datetime,
    limits: SignInLimits,
) -> timedelta | None:
    """How long this address must wait before trying this account again, or None if it may
    try now. Each argument lists the failures within the window, oldest first: of this
    account from this address, of this account from anywhere, and of this address."""
    until: list[datetime] = []
    for failures, limit in (
        (pair, limits.per_account),
        (account, limits.per_account_all_addresses),
        (address, limits.per_ip),
    ):
        if len(failures) >= limit:
            # Sliding window: free again once enough of the oldest failures have aged out.
            until.append(failures[len(failures) - limit] + limits.window)
    if 2 <= len(pair) < limits.per_account:  # the delay comes before the lock, not on top
        until.append(pair[-1] + limits.first_delay * 2 ** (len(pair) - 2))
    wait = max(until, default=now) - now
    return wait if wait > timedelta(0) else None


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
PASSWORD_RESET_LIFETIME = timedelta(hours=24)
SECRET_REVEAL_LIFETIME = timedelta(minutes=10)
TOKEN_USE_GRAIN = timedelta(minutes=5)
"""A token's last use is stamped at most this often: one small write per busy integration
every few minutes, not one per request."""


def password_faults(
    password: str, *, email: str, confirmation: str | None = None
) -> list[FieldError]:
    """The app's password rules, every fault at once. Length, not complexity (the NCSC's
    advice): a few unrelated words make a long password that is easy to remember.
    `confirmation` is the same password typed again, when the form asks for it."""
    faults = []
    if not password:
        faults.append(FieldError(("password",), "enter a new password"))
    elif len(password) < MIN_PASSWORD_LENGTH:
        faults.append(
            FieldError(("password",), f"must be {MIN_PASSWORD_LENGTH} characters or more")
        )
    elif len(password) > MAX_PASSWORD_LENGTH:
        faults.append(
            FieldError(("password",), f"must be {MAX_PASSWORD_LENGTH} characters or fewer")
        )
    elif password.strip().lower() == email.strip().lower():
        faults.append(FieldError(("password",), "must not be your email address"))
    if confirmation is not None:
        if not confirmation:
            faults.append(FieldError(("confirmation",), "enter the new password again"))
        elif password and confirmation != password:
            faults.append(FieldError(("confirmation",), "the passwords do not match"))
    return faults


class ResetLinkState(StrEnum):
    USABLE = "usable"
    USED = "used"
    EXPIRED = "expired"
    NOT_VALID = "not_valid"  # unknown, replaced by a newer link, or the person is deactivated


def reset_link_state(
    *, used_at: datetime | None, expires_at: datetime, now: datetime
) -> ResetLinkState:
    """A link works once, until it expires; a used link says so even after it would have
    expired, so the person knows their password was already set."""
    if used_at is not None:
        return ResetLinkState.USED
    if expires_at <= now:
        return ResetLinkState.EXPIRED
    return ResetLinkState.USABLE
