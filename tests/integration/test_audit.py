"""S6: every mutating service call writes exactly one audit event naming the actor and the
changed fields (before and after); a refused call writes none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from domain.accounts import passwords, sessions
from domain.accounts import service as accounts
from domain.accounts.rules import ROLE_SCOPES, SYSTEM, Actor, Role, Scope, token_actor, user_actor
from domain.accounts.schemas import TokenCreate, UserCreate, UserInvite, UserUpdate
from domain.audit import service as audit
from domain.audit.schemas import AuditFilter
from domain.audit.tables import AuditEvent
from domain.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, StaleVersion
from domain.listing import PageRequest
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.service import AREAS, NPAS, ORGANISATIONS, TOPICS
from tests.conftest import NOW, PASSWORD, make_user

LATER = NOW + timedelta(hours=1)
LIMITS = sessions.SignInLimits(per_account=5, per_ip=20, window=timedelta(minutes=15))


@dataclass
class World:
    session: object
    database: object
    admin: Actor
    viewer_id: int
    viewer_email: str
    token_id: int
    area_id: int
    ids: dict[str, int]
    reset_link: str  # the viewer's, issued when the world was made


@pytest.fixture
def world(session, database) -> World:
    admin_user = make_user(session, Role.ADMIN)
    viewer = make_user(session, Role.VIEWER)
    token, _ = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name="bi", role=Role.VIEWER, scopes=[Scope.READ_PLAN]),
        now=NOW,
    )
    org = reference.create_record(
        session,
        SYSTEM,
        ORGANISATIONS,
        ref.OrganisationCreate(code="lp", name="Leics Police", kind="force"),
        now=NOW,
    )
    area = reference.create_record(
        session,
        SYSTEM,
        AREAS,
        ref.AreaCreate(code="leicester", name="Leicester", kind="unitary", tile_row=1, tile_col=1),
        now=NOW,
    )
    reference.create_record(
        session,
        SYSTEM,
        AREAS,
        ref.AreaCreate(code="rutland", name="Rutland", kind="unitary", tile_row=1, tile_col=2),
        now=NOW,
    )
    npa = reference.create_record(
        session,
        SYSTEM,
        NPAS,
        ref.NpaCreate(code="city-c", name="City Centre", area_id=area.id),
        now=NOW,
    )
    topic = reference.create_record(
        session, SYSTEM, TOPICS, ref.TopicCreate(code="asb", name="Anti-social behaviour"), now=NOW
    )
    actor = user_actor(user_id=admin_user.id, label=admin_user.email, role=Role.ADMIN)
    _, reset_link = passwords.issue_reset_link(session, SYSTEM, viewer.id, now=NOW)
    return World(
        session=session,
        database=database,
        admin=actor,
        viewer_id=viewer.id,
        viewer_email=viewer.email,
        token_id=token.id,
        area_id=area.id,
        ids={"organisation": org.id, "area": area.id, "npa": npa.id, "topic": topic.id},
        reset_link=reset_link,
    )


def last_event_id(database) -> int:
    with database.session() as fresh:
        return int(fresh.exec(select(func.coalesce(func.max(AuditEvent.id), 0))).one())


def events_after(database, marker: int) -> list[AuditEvent]:
    with database.session() as fresh:
        stmt = select(AuditEvent).where(col(AuditEvent.id) > marker).order_by(col(AuditEvent.id))
        return list(fresh.exec(stmt).all())


# name → (operation, entity, entity id key, action, changed fields)
Op = Callable[[World], object]
MUTATIONS: dict[str, tuple[Op, str, str, str, set[str]]] = {
    "create user": (
        lambda w: accounts.create_user(
            w.session,
            w.admin,
            UserCreate(
                email="new@test.example", display_name="New", role=Role.VIEWER, password=PASSWORD
            ),
            now=LATER,
        ),
        "user",
        "new",
        "create",
        {"email", "display_name", "role", "active"},
    ),
    "update user": (
        lambda w: accounts.update_user(
            w.session,
            w.admin,
            w.viewer_id,
            UserUpdate(display_name="Renamed", role=Role.OPCC_STAFF, active=True),
            expected_version=1,
            now=LATER,
        ),
        "user",
        "viewer",
        "update",
        {"display_name", "role"},
    ),
    "set password": (
        lambda w: accounts.set_password(w.session, w.admin, w.viewer_id, "x" * 14, now=LATER),
        "user",
        "viewer",
        "set_password",
        {"password_hash"},
    ),
    "add a user who sets their own password": (
        lambda w: passwords.invite_user(
            w.session,
            w.admin,
            UserInvite(email="invited@test.example", display_name="Invited", role=Role.VIEWER),
            now=LATER,
        )[0],
        "user",
        "new",
        "create",
        {"email", "display_name", "role", "active", "password_reset_link_expires_at"},
    ),
    "issue a password reset link": (
        lambda w: passwords.issue_reset_link(w.session, w.admin, w.viewer_id, now=LATER)[0],
        "user",
        "viewer",
        "issue_password_reset",
        {"password_reset_link_expires_at"},
    ),
    "reset a password with a link": (
        lambda w: passwords.reset_password(
            w.session,
            w.reset_link,
            password="a new long password",
            confirmation="a new long password",
            now=LATER,
        ),
        "user",
        "viewer",
        "reset_password",
        {"password_hash"},
    ),
    "create token": (
        lambda w: accounts.create_token(
            w.session,
            w.admin,
            TokenCreate(name="pbi", role=Role.VIEWER, scopes=[Scope.READ_BOARD], expires_in_days=5),
            now=LATER,
        )[0],
        "token",
        "new",
        "create",
        {"name", "role", "scopes", "user_id", "prefix", "expires_at"},
    ),
    "revoke token": (
        lambda w: accounts.revoke_token(
            w.session, w.admin, w.token_id, expected_version=1, now=LATER
        ),
        "token",
        "token",
        "revoke",
        {"revoked_at"},
    ),
    "sign in": (
        lambda w: (
            sessions.sign_in(
                w.database,
                email=w.viewer_email,
                password=PASSWORD,
                ip="192.0.2.1",
                now=LATER,
                limits=LIMITS,
                session_length=timedelta(hours=1),
            ).user
        ),
        "user",
        "viewer",
        "sign_in",
        set(),
    ),
    "create organisation": (
        lambda w: reference.create_record(
            w.session,
            w.admin,
            ORGANISATIONS,
            ref.OrganisationCreate(code="lcc", name="City Council", kind="partner"),
            now=LATER,
        ),
        "organisation",
        "new",
        "create",
        {"code", "name", "short_name", "kind", "active"},
    ),
    "update organisation": (
        lambda w: reference.update_record(
            w.session,
            w.admin,
            ORGANISATIONS,
            w.ids["organisation"],
            ref.OrganisationUpdate(name="Leicestershire Police", kind="force"),
            expected_version=1,
            now=LATER,
        ),
        "organisation",
        "organisation",
        "update",
        {"name"},
    ),
    "create area": (
        lambda w: reference.create_record(
            w.session,
            w.admin,
            AREAS,
            ref.AreaCreate(code="melton", name="Melton", kind="district", tile_row=0, tile_col=2),
            now=LATER,
        ),
        "area",
        "new",
        "create",
        {"code", "name", "kind", "tile_row", "tile_col", "active"},
    ),
    "update area": (
        lambda w: reference.update_record(
            w.session,
            w.admin,
            AREAS,
            w.ids["area"],
            ref.AreaUpdate(tile_row=4, tile_col=1, active=False),
            expected_version=1,
            now=LATER,
        ),
        "area",
        "area",
        "update",
        {"tile_row", "active"},
    ),
    "create npa": (
        lambda w: reference.create_record(
            w.session,
            w.admin,
            NPAS,
            ref.NpaCreate(code="belgrave", name="Belgrave", area_id=w.area_id),
            now=LATER,
        ),
        "npa",
        "new",
        "create",
        {"code", "name", "area_id", "active"},
    ),
    "update npa": (
        lambda w: reference.update_record(
            w.session,
            w.admin,
            NPAS,
            w.ids["npa"],
            ref.NpaUpdate(name="City"),
            expected_version=1,
            now=LATER,
        ),
        "npa",
        "npa",
        "update",
        {"name"},
    ),
    "create topic": (
        lambda w: reference.create_record(
            w.session,
            w.admin,
            TOPICS,
            ref.TopicCreate(code="roads", name="Road safety"),
            now=LATER,
        ),
        "topic",
        "new",
        "create",
        {"code", "name", "active"},
    ),
    "update topic": (
        lambda w: reference.update_record(
            w.session,
            w.admin,
            TOPICS,
            w.ids["topic"],
            ref.TopicUpdate(active=False),
            expected_version=1,
            now=LATER,
        ),
        "topic",
        "topic",
        "update",
        {"active"},
    ),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_a_mutation_writes_exactly_one_event_with_actor_and_changes(name, world, database):
    operation, entity, id_key, action, fields = MUTATIONS[name]
    marker = last_event_id(database)

    result = operation(world)

    events = events_after(database, marker)
    assert len(events) == 1, [(e.entity, e.action) for e in events]
    event = events[0]
    expected_id = {"viewer": world.viewer_id, "token": world.token_id, "new": result.id}.get(
        id_key, world.ids.get(id_key)
    )
    assert (event.entity, event.entity_id, event.action) == (entity, expected_id, action)
    if action in ("sign_in", "reset_password"):  # the person acts for themselves
        assert (event.actor_type, event.actor_id) == ("user", world.viewer_id)
    else:
        assert (event.actor_type, event.actor_id) == ("user", world.admin.user_id)
        assert event.actor_label == "admin@test.example"
    assert event.at == LATER
    assert set(event.changes) == fields
    for change in event.changes.values():
        assert set(change) == {"before", "after"}
    if action == "update":
        assert all(c["before"] != c["after"] for c in event.changes.values())
    if action == "create":
        assert all(c["before"] is None for c in event.changes.values())


def test_the_audit_trail_never_holds_a_secret(world, database):
    marker = last_event_id(database)
    MUTATIONS["set password"][0](world)
    (event,) = events_after(database, marker)
    assert event.changes == {"password_hash": {"before": "[redacted]", "after": "[redacted]"}}
    _, secret = accounts.create_token(
        world.session,
        world.admin,
        TokenCreate(name="x", role=Role.VIEWER, scopes=[Scope.READ_PLAN]),
        now=LATER,
    )
    for event in events_after(database, 0):
        assert secret not in str(event.changes)
        assert "argon2" not in str(event.changes)


def test_a_change_made_with_a_token_is_recorded_against_the_token(world, database):
    actor = token_actor(
        token_id=world.token_id,
        label="token:bi",
        role=Role.ADMIN,
        scopes=ROLE_SCOPES[Role.ADMIN],
        user_id=None,
    )
    marker = last_event_id(database)
    reference.create_record(
        world.session, actor, TOPICS, ref.TopicCreate(code="drugs", name="Drugs"), now=LATER
    )
    (event,) = events_after(database, marker)
    assert (event.actor_type, event.actor_id, event.actor_label) == (
        "token",
        world.token_id,
        "token:bi",
    )


def test_a_change_that_changes_nothing_writes_nothing_and_keeps_the_version(world, database):
    marker = last_event_id(database)
    topic = reference.update_record(
        world.session,
        world.admin,
        TOPICS,
        world.ids["topic"],
        ref.TopicUpdate(name="Anti-social behaviour"),
        expected_version=1,
        now=LATER,
    )
    assert topic.version == 1
    assert events_after(database, marker) == []


def viewer_actor(w: World) -> Actor:
    return user_actor(user_id=w.viewer_id, label=w.viewer_email, role=Role.VIEWER)


REFUSALS: dict[str, tuple[Op, type[DomainError]]] = {
    "duplicate email": (
        lambda w: accounts.create_user(
            w.session,
            w.admin,
            UserCreate(
                email="VIEWER@test.example", display_name="Dup", role=Role.VIEWER, password=PASSWORD
            ),
            now=LATER,
        ),
        Invalid,
    ),
    "viewer creates a user": (
        lambda w: accounts.create_user(
            w.session,
            viewer_actor(w),
            UserCreate(
                email="x@test.example", display_name="X", role=Role.ADMIN, password=PASSWORD
            ),
            now=LATER,
        ),
        Forbidden,
    ),
    "stale user update": (
        lambda w: accounts.update_user(
            w.session,
            w.admin,
            w.viewer_id,
            UserUpdate(display_name="Z"),
            expected_version=7,
            now=LATER,
        ),
        StaleVersion,
    ),
    "last admin demoted": (
        lambda w: accounts.update_user(
            w.session,
            w.admin,
            w.admin.user_id,
            UserUpdate(role=Role.VIEWER),
            expected_version=1,
            now=LATER,
        ),
        Conflict,
    ),
    "unknown user": (
        lambda w: accounts.update_user(
            w.session,
            w.admin,
            9999,
            UserUpdate(display_name="Z"),
            expected_version=1,
            now=LATER,
        ),
        NotFound,
    ),
    "short password": (
        lambda w: accounts.set_password(w.session, w.admin, w.viewer_id, "short", now=LATER),
        Invalid,
    ),
    "viewer issues a reset link": (
        lambda w: passwords.issue_reset_link(w.session, viewer_actor(w), w.viewer_id, now=LATER),
        Forbidden,
    ),
    "reset link for nobody": (
        lambda w: passwords.issue_reset_link(w.session, w.admin, 9999, now=LATER),
        NotFound,
    ),
    "reset with passwords that do not match": (
        lambda w: passwords.reset_password(
            w.session, w.reset_link, password="a new long password", confirmation="", now=LATER
        ),
        Invalid,
    ),
    "reset with an expired link": (
        lambda w: passwords.reset_password(
            w.session,
            w.reset_link,
            password="a new long password",
            confirmation="a new long password",
            now=NOW + timedelta(hours=25),
        ),
        Conflict,
    ),
    "reset with a made-up link": (
        lambda w: passwords.reset_password(
            w.session, "made-up", password="a new long password", confirmation="", now=LATER
        ),
        Conflict,
    ),
    "token beyond its role": (
        lambda w: accounts.create_token(
            w.session,
            w.admin,
            TokenCreate(name="x", role=Role.FORCE_LIAISON, scopes=[Scope.WRITE_ACTIONS]),
            now=LATER,
        ),
        Invalid,
    ),
    "stale token revoke": (
        lambda w: accounts.revoke_token(
            w.session, w.admin, w.token_id, expected_version=2, now=LATER
        ),
        StaleVersion,
    ),
    "viewer revokes a token": (
        lambda w: accounts.revoke_token(
            w.session, viewer_actor(w), w.token_id, expected_version=1, now=LATER
        ),
        Forbidden,
    ),
    "wrong password": (
        lambda w: sessions.sign_in(
            w.database,
            email=w.viewer_email,
            password="nope",
            ip="192.0.2.1",
            now=LATER,
            limits=LIMITS,
            session_length=timedelta(hours=1),
        ),
        DomainError,
    ),
    "duplicate code": (
        lambda w: reference.create_record(
            w.session, w.admin, TOPICS, ref.TopicCreate(code="asb", name="Again"), now=LATER
        ),
        Invalid,
    ),
    "tile taken": (
        lambda w: reference.update_record(
            w.session,
            w.admin,
            AREAS,
            w.ids["area"],
            ref.AreaUpdate(tile_col=2),
            expected_version=1,
            now=LATER,
        ),
        Invalid,
    ),
    "npa in no area": (
        lambda w: reference.create_record(
            w.session,
            w.admin,
            NPAS,
            ref.NpaCreate(code="nowhere", name="N", area_id=999),
            now=LATER,
        ),
        Invalid,
    ),
    "stale reference update": (
        lambda w: reference.update_record(
            w.session,
            w.admin,
            TOPICS,
            w.ids["topic"],
            ref.TopicUpdate(name="Z"),
            expected_version=2,
            now=LATER,
        ),
        StaleVersion,
    ),
    "viewer edits reference data": (
        lambda w: reference.update_record(
            w.session,
            viewer_actor(w),
            TOPICS,
            w.ids["topic"],
            ref.TopicUpdate(name="Z"),
            expected_version=1,
            now=LATER,
        ),
        Forbidden,
    ),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_call_writes_no_event_and_changes_nothing(name, world, database):
    operation, error = REFUSALS[name]
    marker = last_event_id(database)
    with pytest.raises(error):
        operation(world)
    world.session.rollback()
    assert events_after(database, marker) == []
    with database.session() as fresh:
        for entity, record_id in world.ids.items():
            kind = {"organisation": ORGANISATIONS, "area": AREAS, "npa": NPAS, "topic": TOPICS}
            assert reference.get_record(fresh, SYSTEM, kind[entity], record_id).version == 1
        assert accounts.get_user(fresh, SYSTEM, world.viewer_id).version == 1
        assert accounts.get_token(fresh, SYSTEM, world.token_id).version == 1


def test_events_can_be_read_per_record_and_filtered(world, database):
    MUTATIONS["update topic"][0](world)
    with database.session() as fresh:
        history = audit.history_of(fresh, entity="topic", entity_id=world.ids["topic"])
        assert [e.action for e in history] == ["create", "update"]
        page = audit.list_events(
            fresh, world.admin, filters=AuditFilter(actor="admin@"), page=PageRequest()
        )
        assert [(e.entity, e.action) for e in page.items] == [("topic", "update")]
        with pytest.raises(Forbidden):
            audit.list_events(fresh, viewer_actor(world), filters=AuditFilter(), page=PageRequest())
