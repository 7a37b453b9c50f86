"""R3: schemathesis drives every operation in the OpenAPI document, with valid and invalid
input, as an admin and as a force liaison. No 5xx; every response matches the document
(status, content type, headers, body); invalid input is refused.

Examples are bounded and derandomised so the run is quick and repeatable. To search harder:
OVERSIGHT_FUZZ_EXAMPLES=300 .venv/bin/pytest tests/api/test_openapi_fuzz.py
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from domain import clock
from domain.accounts.rules import Role

EXAMPLES = int(os.environ.get("OVERSIGHT_FUZZ_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def seed(admin) -> None:  # type: ignore[no-untyped-def]
    """Some rows, so lists have items whose shape is checked and low ids exist."""
    due = str(clock.today() + timedelta(days=20))
    for code, kind in (("force", "force"), ("opcc", "opcc")):
        admin.post("/api/v1/organisations", json={"code": code, "name": code, "kind": kind})
    for n in range(3):
        admin.post(
            "/api/v1/areas",
            json={
                "code": f"a{n}",
                "name": f"A{n}",
                "kind": "district",
                "tile_row": 0,
                "tile_col": n,
            },
        )
        admin.post("/api/v1/npas", json={"code": f"n{n}", "name": f"N{n}", "area_id": 1})
        admin.post("/api/v1/topics", json={"code": f"t{n}", "name": f"T{n}"})
        for owner in ("force", "opcc"):
            action = admin.post(
                "/api/v1/actions",
                json={"title": f"{owner} {n}", "owner_org": owner, "due_on": due, "area": "a0"},
            ).json()
            admin.post(f"/api/v1/actions/{action['id']}/updates", json={"body": "progress"})
    for role in ("viewer", "force_liaison"):
        admin.post(
            "/api/v1/users",
            json={
                "email": f"{role}@fuzz.example",
                "display_name": role,
                "role": role,
                "password": "fuzzing passphrase",
            },
        )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FORCE_LIAISON])
def test_every_operation_holds_to_its_schema_under_fuzzing(app, api_as, role):
    seed(api_as(Role.ADMIN))
    caller = api_as(role)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case) -> None:  # type: ignore[no-untyped-def]
                response = case.call(headers=caller.headers)
                case.validate_response(response, headers=caller.headers, checks=CHECKS)

            try:
                fuzz()
            except Unsatisfiable:
                pass  # nothing to make invalid (an operation with no parameters)
            except BaseException as exc:  # schemathesis raises an exception group
                failures.append(f"{operation.label} ({mode.value}):\n{exc}")
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
