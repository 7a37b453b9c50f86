"""The `oversight` command line (API.md "Command line and configuration")."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer

from domain import clock, migrations
from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role, Scope
from domain.accounts.schemas import TokenCreate, UserCreate, UserUpdate
from domain.actions.generate import generate_actions
from domain.complaints.demo import generate_reviews
from domain.complaints.privacy import purge_personal_data
from domain.config import ConfigurationError, Settings, get_settings
from domain.db import Database
from domain.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from domain.engagement.demo import generate_engagements
from domain.errors import DomainError

app = typer.Typer(help="Oversight: run, migrate and administer the tracker.", no_args_is_help=True)


def _settings() -> Settings:
    try:
        return get_settings()
    except ConfigurationError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from None


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Run the app with uvicorn, after checking the database is fully migrated."""
    import uvicorn

    settings = _settings()
    db = Database(settings.database_url, pool_size=1)
    try:
        migrated = migrations.is_migrated(db.engine, settings.database_url)
    except Exception as exc:
        raise _fail(
            f"Cannot reach the database ({type(exc).__name__}): check OVERSIGHT_DATABASE_URL"
        ) from None
    finally:
        db.dispose()
    if not migrated:
        raise _fail("The database is not at the latest migration: run `oversight migrate` first.")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=None,
        proxy_headers=True,
    )


@app.command()
def migrate() -> None:
    """Apply every migration (alembic upgrade head) to the configured database."""
    settings = _settings()
    if settings.is_sqlite:
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    migrations.upgrade(settings.database_url)
    typer.echo(f"Database migrated to {migrations.head_revision(settings.database_url)}.")


@app.command("seed-demo")
def seed_demo_command(
    actions: Annotated[int, typer.Option(min=0, help="Generate this many more actions.")] = 0,
    engagements: Annotated[
        int, typer.Option(min=0, help="Top the generated engagements up to this many.")
    ] = 0,
    reviews: Annotated[
        int, typer.Option(min=0, help="Top the generated complaint reviews up to this many.")
    ] = 0,
) -> None:
    """Load the LLR demo data set (idempotent), plus N generated records for scale tests."""
    settings = _settings()
    db = Database(settings.database_url)
    now = clock.now()
    with db.session(writing=True) as session:
        report = seed_demo(session, now=now)
        if actions:
            with typer.progressbar(length=actions, label="Generating actions") as bar:
                generate_actions(session, actions, now=now, progress=bar.update)
        added_engagements = 0
        if engagements:
            with typer.progressbar(length=engagements, label="Generating engagements") as bar:
                added_engagements = generate_engagements(
                    session, engagements, now=now, progress=bar.update
                )
        added_reviews = 0
        if reviews:
            with typer.progressbar(length=reviews, label="Generating complaint reviews") as bar:
                added_reviews = generate_reviews(session, reviews, now=now, progress=bar.update)
    db.dispose()
    created = ", ".join(f"{n} {what}" for what, n in report.created.items()) or "nothing new"
    typer.echo(f"Demo data loaded ({created}).")
    if actions:
        typer.echo(f"Generated {actions} actions.")
    if engagements:
        typer.echo(f"Generated {added_engagements} engagements ({engagements} in all).")
    if reviews:
        typer.echo(f"Generated {added_reviews} complaint reviews ({reviews} in all).")
    typer.echo(f"Demo sign-ins (password for each: {DEMO_PASSWORD}):")
    for user in DEMO_USERS:
        typer.echo(f"  {user.role.value:<20} {user.email}")


@app.command("create-user")
def create_user(
    email: str,
    role: Annotated[Role, typer.Option(help="The user's role.")],
    name: Annotated[str | None, typer.Option(help="Display name (defaults to the email).")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create a user, or update the role, name and password of an existing one."""
    if not password_stdin:
        raise _fail("Give --password-stdin and send the password on standard input.", 2)
    password = sys.stdin.readline().rstrip("\r\n")
    settings = _settings()
    db = Database(settings.database_url)
    now = clock.now()
    try:
        with db.session(writing=True) as session:
            existing = accounts.find_user_by_email(session, email)
            if existing is None:
                user = accounts.create_user(
                    session,
                    SYSTEM,
                    UserCreate(
                        email=email, display_name=name or email, role=role, password=password
                    ),
                    now=now,
                )
                typer.echo(f"Created user {user.email} ({user.role}).")
            else:
                assert existing.id is not None
                accounts.update_user(
                    session,
                    SYSTEM,
                    existing.id,
                    UserUpdate(role=role, display_name=name, active=True),
                    expected_version=existing.version,
                    now=now,
                )
                accounts.set_password(session, SYSTEM, existing.id, password, now=now)
                typer.echo(f"Updated user {existing.email} ({role.value}).")
    except (DomainError, ValueError) as exc:
        raise _fail(f"Not saved: {exc}", 2) from None
    finally:
        db.dispose()


@app.command("create-token")
def create_token(
    name: str,
    role: Annotated[Role, typer.Option(help="The role the token acts as.")],
    scope: Annotated[list[Scope], typer.Option(help="A scope; repeat for several.")],
    user: Annotated[
        str | None, typer.Option(help="Email of the user the token belongs to.")
    ] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
) -> None:
    """Create an API token; its secret is the last line printed, shown this once."""
    settings = _settings()
    db = Database(settings.database_url)
    try:
        with db.session(writing=True) as session:
            user_id = None
            if user is not None:
                owner = accounts.find_user_by_email(session, user)
                if owner is None:
                    raise _fail(f"Not saved: no user with email {user}", 2)
                user_id = owner.id
            data = TokenCreate(
                name=name, role=role, scopes=scope, user_id=user_id, expires_in_days=expires_in_days
            )
            token, secret = accounts.create_token(session, SYSTEM, data, now=clock.now())
    except (DomainError, ValueError) as exc:
        raise _fail(f"Not saved: {exc}", 2) from None
    finally:
        db.dispose()
    typer.echo(f"Token {token.id} '{token.name}' ({token.role}; {', '.join(token.scopes)}).")
    typer.echo("The secret is shown once; store it now:")
    typer.echo(secret)


@app.command("purge-personal-data")
def purge_personal_data_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the cases whose data would go; change nothing.")
    ] = False,
) -> None:
    """Delete complainants' personal data from complaint reviews closed longer ago than
    OVERSIGHT_PERSONAL_DATA_RETENTION_YEARS; the anonymised cases (and so the statistics)
    stay. Each purge is audited."""
    settings = _settings()
    db = Database(settings.database_url)
    try:
        with db.session(writing=not dry_run) as session:
            report = purge_personal_data(
                session,
                SYSTEM,
                today=clock.today(),
                retention_years=settings.personal_data_retention_years,
                dry_run=dry_run,
                now=clock.now(),
            )
    finally:
        db.dispose()
    for ref in report.refs:
        typer.echo(ref)
    years = settings.personal_data_retention_years
    if dry_run:
        typer.echo(
            f"Dry run: {len(report.refs)} case(s) closed more than {years} years ago would "
            "lose their personal data. Nothing was changed."
        )
    else:
        typer.echo(f"Purged the personal data of {len(report.refs)} case(s).")


@app.command()
def backup(path: Path) -> None:
    """A consistent copy of the database (SQLite online backup)."""
    settings = _settings()
    if not settings.is_sqlite:
        raise _fail(
            "On PostgreSQL use pg_dump, e.g. `pg_dump --format=custom --file=oversight.dump "
            '"$DATABASE"` (the server\'s own tool makes a consistent copy).',
            2,
        )
    source_path = settings.database_url.removeprefix("sqlite:///")
    if not Path(source_path).exists():
        raise _fail(f"No database at {source_path}.", 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    typer.echo(f"Backed up {source_path} to {path}.")


def main() -> None:
    app()
