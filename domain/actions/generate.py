"""Generated actions for scale work (`oversight seed-demo --actions N`).

Written in batches straight to the tables, because pushing 100,000 rows through the
one-at-a-time service (with an audit event each) would take minutes; every row still
gets its reference from the shared counter and a creation entry in its history.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session, col

from domain import sync
from domain.actions.rules import ActionStatus, SourceType
from domain.actions.tables import Action, ActionTransition
from domain.reference.tables import Area, Organisation
from domain.refs import reserve_refs

BATCH = 5_000
actions_table: Table = Action.__table__  # type: ignore[attr-defined]
transitions_table: Table = ActionTransition.__table__  # type: ignore[attr-defined]
VERBS = ["Review", "Report on", "Agree", "Confirm", "Publish", "Follow up", "Brief the PCC on"]
SUBJECTS = [
    "ASB hotspot patrols",
    "speed watch results",
    "999 call answering",
    "101 call waiting times",
    "rural crime partnership",
    "car cruising enforcement",
    "e-scooter seizures",
    "victim referral rates",
    "neighbourhood newsletter",
    "parking enforcement",
]


def generate_actions(
    db: Session,
    count: int,
    *,
    now: datetime,
    seed: int = 2024,
    progress: Callable[[int], None] | None = None,
) -> int:
    rng = random.Random(seed)  # noqa: S311 - made-up scale data, not secrets
    orgs = list(db.execute(select(col(Organisation.id))).scalars())
    areas = list(db.execute(select(col(Area.id))).scalars())
    statuses = [
        ActionStatus.OPEN,
        ActionStatus.IN_PROGRESS,
        ActionStatus.DONE,
        ActionStatus.CANCELLED,
    ]
    today = now.date()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        refs = reserve_refs(db, "ACT", now.year, size)
        rows = []
        for ref in refs:
            status = rng.choices(statuses, weights=[5, 3, 4, 1])[0]
            due = today + timedelta(days=rng.randint(-120, 120))
            rows.append(
                {
                    "ref": ref,
                    "title": f"{rng.choice(VERBS)} {rng.choice(SUBJECTS)}",
                    "detail": "Generated for scale testing.",
                    "private_note": "",
                    "source_type": SourceType.NONE.value,
                    "source_id": None,
                    "owner_org_id": rng.choice(orgs),
                    "owner_name": "",
                    "area_id": rng.choice(areas) if rng.random() < 0.7 else None,
                    "created_by": "system (command line)",
                    "due_on": due,
                    "status": status.value,
                    "completed_on": due if status is ActionStatus.DONE else None,
                    "outcome": "",
                    "public": False,
                    "you_said_we_did": "",
                    "told_on": None,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        connection = db.connection()  # Core executemany: no ORM bookkeeping per row
        connection.execute(actions_table.insert(), rows)
        created = db.execute(
            select(col(Action.id), col(Action.status)).where(col(Action.ref).in_(refs))
        ).all()
        history: list[dict[str, Any]] = []
        for action_id, status in created:
            steps: list[tuple[str | None, str]] = [(None, ActionStatus.OPEN.value)]
            if status != ActionStatus.OPEN.value:
                steps.append((ActionStatus.OPEN.value, status))
            history.extend(
                {
                    "action_id": action_id,
                    "actor": "system (command line)",
                    "from_status": before,
                    "to_status": after,
                    "note": "Generated",
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for before, after in steps
            )
        connection.execute(transitions_table.insert(), history)
        sync.bump(db)  # written past the ORM: cached answers must still see the change
        db.commit()
        made += size
        if progress:
            progress(size)
    return made
