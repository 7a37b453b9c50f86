"""Non-negotiable 4: the OpenAPI document generates a warning-free client. Two models with
one name make FastAPI fall back to module-qualified schema names (`domain__plan__schemas__X`),
which openapi-python-client turns into clashing classes and drops; so every schema name is
a plain class name and unique, and every operation id is unique."""

from __future__ import annotations

import re

CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9_]*$")  # ListOf[X] becomes ListOf_X_: fine


def test_every_schema_has_a_plain_unique_name(client):
    document = client.get("/api/v1/openapi.json").json()
    names = list(document["components"]["schemas"])
    qualified = [name for name in names if "__" in name or not CLASS_NAME.match(name)]
    assert qualified == []
    assert len({name.lower() for name in names}) == len(names)


def test_every_operation_id_is_unique(client):
    document = client.get("/api/v1/openapi.json").json()
    ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(ids) == len(set(ids))
