"""The demo data set: Leicester, Leicestershire and Rutland (DOMAIN.md §9).

Every person is invented and named by role; nothing here is a real person's name.
Loading is idempotent: records already present (by email or code) are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role
from domain.accounts.schemas import UserCreate
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.service import AREAS, NPAS, ORGANISATIONS, TOPICS, ReferenceKind

DEMO_PASSWORD = "oversight-demo-2024"  # noqa: S105 - printed by `make run` on purpose


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    role: Role


DEMO_USERS = [
    DemoUser("admin@oversight.example", "Ada Admin (demo)", Role.ADMIN),
    DemoUser("staff@oversight.example", "Sam Staff (demo)", Role.OPCC_STAFF),
    DemoUser("reviewer@oversight.example", "Riley Reviewer (demo)", Role.COMPLAINTS_REVIEWER),
    DemoUser("liaison@oversight.example", "Lee Liaison (demo)", Role.FORCE_LIAISON),
    DemoUser("viewer@oversight.example", "Vic Viewer (demo)", Role.VIEWER),
]

ORGANISATION_ROWS = [
    (
        "opcc",
        "Office of the Police and Crime Commissioner for Leicester, Leicestershire and Rutland",
        "opcc",
    ),
    ("force", "Leicestershire Police", "force"),
    ("leicester-city-council", "Leicester City Council", "partner"),
    ("leicestershire-county-council", "Leicestershire County Council", "partner"),
    ("rutland-county-council", "Rutland County Council", "partner"),
    ("csp", "Community Safety Partnership", "partner"),
    ("road-safety-partnership", "Road Safety Partnership", "partner"),
]

# Tile positions give a schematic map: north at the top, Leicester in the middle.
AREA_ROWS = [
    ("north-west-leicestershire", "North West Leicestershire", "district", 0, 1),
    ("charnwood", "Charnwood", "district", 0, 2),
    ("melton", "Melton", "district", 0, 3),
    ("hinckley-and-bosworth", "Hinckley and Bosworth", "district", 1, 0),
    ("blaby", "Blaby", "district", 1, 1),
    ("leicester", "Leicester City", "unitary", 1, 2),
    ("oadby-and-wigston", "Oadby and Wigston", "district", 1, 3),
    ("rutland", "Rutland", "unitary", 1, 4),
    ("harborough", "Harborough", "district", 2, 2),
]

NPA_ROWS = [
    ("city-centre", "Leicester City Centre", "leicester"),
    ("leicester-east", "Leicester East", "leicester"),
    ("leicester-west", "Leicester West", "leicester"),
    ("loughborough", "Loughborough", "charnwood"),
    ("charnwood-rural", "Charnwood Rural", "charnwood"),
    ("nwl", "North West Leicestershire", "north-west-leicestershire"),
    ("melton", "Melton", "melton"),
    ("rutland", "Rutland", "rutland"),
    ("hinckley", "Hinckley and Bosworth", "hinckley-and-bosworth"),
    ("blaby", "Blaby", "blaby"),
    ("oadby-wigston", "Oadby and Wigston", "oadby-and-wigston"),
    ("harborough", "Harborough", "harborough"),
]

TOPIC_ROWS = [
    ("road-safety", "Road safety"),
    ("speeding", "Speeding"),
    ("asb", "Anti-social behaviour"),
    ("car-cruising", "Car cruising"),
    ("sheep-worrying", "Sheep worrying"),
    ("substance-misuse", "Substance misuse"),
    ("e-scooters", "E-scooters"),
    ("parking", "Parking"),
    ("rural-crime", "Rural crime"),
    ("visible-policing", "Visible policing"),
]


@dataclass
class SeedReport:
    created: dict[str, int]

    def add(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def _codes(db: Session, kind: ReferenceKind) -> dict[str, int]:
    table: Any = kind.table
    return {row.code: row.id for row in db.exec(select(table)).all()}


def seed_reference(db: Session, report: SeedReport, *, now: datetime) -> None:
    existing = _codes(db, ORGANISATIONS)
    for code, name, kind in ORGANISATION_ROWS:
        if code not in existing:
            data = ref.OrganisationCreate(code=code, name=name, kind=ref.OrganisationKind(kind))
            reference.create_record(db, SYSTEM, ORGANISATIONS, data, now=now)
            report.add("organisations")
    existing = _codes(db, AREAS)
    for code, name, kind, row, col in AREA_ROWS:
        if code not in existing:
            area = ref.AreaCreate(
                code=code, name=name, kind=ref.AreaKind(kind), tile_row=row, tile_col=col
            )
            reference.create_record(db, SYSTEM, AREAS, area, now=now)
            report.add("areas")
    areas = _codes(db, AREAS)
    existing = _codes(db, NPAS)
    for code, name, area_code in NPA_ROWS:
        if code not in existing:
            npa = ref.NpaCreate(code=code, name=name, area_id=areas[area_code])
            reference.create_record(db, SYSTEM, NPAS, npa, now=now)
            report.add("npas")
    existing = _codes(db, TOPICS)
    for code, name in TOPIC_ROWS:
        if code not in existing:
            reference.create_record(
                db, SYSTEM, TOPICS, ref.TopicCreate(code=code, name=name), now=now
            )
            report.add("topics")


def seed_users(db: Session, report: SeedReport, *, now: datetime) -> None:
    for user in DEMO_USERS:
        if accounts.find_user_by_email(db, user.email) is None:
            accounts.create_user(
                db,
                SYSTEM,
                UserCreate(
                    email=user.email,
                    display_name=user.display_name,
                    role=user.role,
                    password=DEMO_PASSWORD,
                ),
                now=now,
            )
            report.add("users")


def seed_demo(db: Session, *, now: datetime) -> SeedReport:
    report = SeedReport(created={})
    seed_reference(db, report, now=now)
    seed_users(db, report, now=now)
    return report
