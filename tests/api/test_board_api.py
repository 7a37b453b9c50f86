"""The board API contract (API.md, DOMAIN.md §2): meetings, exception reports, escalations
with the Force's responses and their lifecycle, monitoring items, and the public feed."""

import csv
import io
from datetime import timedelta

import pytest

from domain import clock
from domain.accounts.rules import Role
from domain.demo import SeedReport, seed_reference
from tests.api.conftest import assert_problem
from tests.conftest import NOW

TODAY = clock.today()
DUE = str(TODAY + timedelta(days=28))
KIND = "test-board"


@pytest.fixture
def admin(api_as, session):
    seed_reference(session, SeedReport(created={}), now=NOW)
    session.commit()
    caller = api_as(Role.ADMIN)
    made = caller.post("/api/v1/board-kinds", json={"code": KIND, "name": "Test Board"})
    assert made.status_code == 201, made.text
    for code, name in (("t-999", "999 performance"), ("t-rape", "Rape performance")):
        made = caller.post("/api/v1/topics", json={"code": code, "name": name})
        assert made.status_code == 201, made.text
    return caller


@pytest.fixture
def staff(api_as, admin):
    return api_as(Role.OPCC_STAFF)


@pytest.fixture
def liaison(api_as, admin):
    return api_as(Role.FORCE_LIAISON)


@pytest.fixture
def viewer(api_as, admin):
    return api_as(Role.VIEWER)


def created(response):
    assert response.status_code == 201, response.text
    return response.json()


def meeting(caller, **fields):
    body = {"held_on": "2024-03-18", "kind": KIND, "title": "Corporate Governance Board", **fields}
    return created(caller.post("/api/v1/board-meetings", json=body))


def escalation(caller, **fields):
    body = {
        "topic": "t-999",
        "title": "999 calls answered within 10 seconds",
        "reason": "Below target for three months",
        "request": "A paper on recovery of 999 answering",
        "response_due": DUE,
        **fields,
    }
    return created(caller.post("/api/v1/escalations", json=body))


def report(caller, *items, **fields):
    body = {
        "reported_on": "2024-02-07",
        "prepared_by": "OPCC Performance Lead",
        "title": "KPI exception report",
        "items": list(items)
        or [
            {
                "topic": "t-rape",
                "kpi_evidence": "Positive outcomes for rape offences",
                "value": 6,
                "target": 8,
                "baseline": 3.4,
                "period": "rolling 12 months",
                "unit": "%",
                "recommendation": "escalate",
                "reasoning": "Below target despite improvement",
            },
            {
                "topic": "t-999",
                "kpi_evidence": "Response times",
                "recommendation": "monitor",
                "reasoning": "Recovering",
            },
        ],
        **fields,
    }
    return created(caller.post("/api/v1/exception-reports", json=body))


def answered(caller, liaison, **fields):
    """An escalation the Force has answered: `response_received`, version 2."""
    made = escalation(caller, **fields)
    response = liaison.post(
        f"/api/v1/escalations/{made['id']}/force-response", json={"response": "Paper attached"}
    )
    assert response.status_code == 201, response.text
    return response.json()


def transition(caller, escalation_id, version, **body):
    return caller.post(
        f"/api/v1/escalations/{escalation_id}/transitions",
        json=body,
        headers={"If-Match": f'"{version}"'},
    )


# -------------------------------------------------------------------------------------------
# Meetings


def test_meeting_create_is_201_with_location_and_etag_and_reads_back(staff):
    response = staff.post(
        "/api/v1/board-meetings",
        json={
            "held_on": "2024-03-18",
            "kind": KIND,
            "title": "CGB March",
            "status": "held",
            "chair": "Police and Crime Commissioner",
            "attendees": ["Chief Constable", "OPCC Chief Executive"],
            "agenda": ["KPI exception report", "999 performance"],
            "summary": "The board discussed 999 performance.",
            "published": True,
        },
    )
    body = created(response)
    assert response.headers["location"] == f"/api/v1/board-meetings/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["kind"] == KIND and body["kind_name"] == "Test Board"
    assert body["escalations"] == [] and body["actions"] == []
    shown = staff.get(response.headers["location"])
    assert shown.status_code == 200 and shown.headers["etag"] == '"1"'
    assert shown.json() == body
    again = staff.get(response.headers["location"], headers={"If-None-Match": '"1"'})
    assert again.status_code == 304


def test_meeting_patch_needs_if_match_refuses_a_stale_one_and_changes_nothing(staff):
    made = meeting(staff)
    url = f"/api/v1/board-meetings/{made['id']}"
    assert_problem(staff.patch(url, json={"title": "New"}), 428)
    stale = staff.patch(url, json={"title": "New"}, headers={"If-Match": '"7"'})
    assert_problem(stale, 412)
    assert staff.get(url).json()["title"] == made["title"]
    ok = staff.patch(url, json={"title": "New"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2 and ok.headers["etag"] == '"2"'
    assert staff.get(url).json()["title"] == "New"


def test_meeting_create_is_idempotent(staff):
    body = {"held_on": "2024-05-30", "kind": KIND, "title": "Once only"}
    key = {"Idempotency-Key": "board-1"}
    first = staff.post("/api/v1/board-meetings", json=body, headers=key)
    again = staff.post("/api/v1/board-meetings", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert len(staff.get("/api/v1/board-meetings").json()["items"]) == 1


def test_meetings_filter_by_kind_and_unknown_kind_is_refused(staff):
    meeting(staff, title="ours")
    assert [
        m["title"] for m in staff.get(f"/api/v1/board-meetings?kind={KIND}").json()["items"]
    ] == ["ours"]
    unknown = staff.post(
        "/api/v1/board-meetings", json={"held_on": "2024-03-18", "kind": "nope", "title": "x"}
    )
    assert any(e["loc"][-1] == "kind" for e in assert_problem(unknown, 422)["errors"])
    assert len(staff.get("/api/v1/board-meetings").json()["items"]) == 1


# -------------------------------------------------------------------------------------------
# Exception reports


def test_report_items_escalate_and_monitor_link_both_ways(staff):
    made = report(staff)
    assert [i["recommendation"] for i in made["items"]] == ["escalate", "monitor"]
    rape, response_times = made["items"]
    assert rape["value"] == 6 and rape["baseline"] == 3.4 and rape["topic"] == "t-rape"

    escalated = staff.post(
        f"/api/v1/exception-items/{rape['id']}/escalate",
        json={"request": "A paper on positive outcomes", "response_due": DUE},
    )
    esc = created(escalated)
    assert escalated.headers["location"] == f"/api/v1/escalations/{esc['id']}"
    assert esc["exception_item_id"] == rape["id"] and esc["status"] == "awaiting_response"
    assert esc["ref"].startswith("ESC-")

    monitored = created(
        staff.post(
            f"/api/v1/exception-items/{response_times['id']}/monitor",
            json={"next_review_on": DUE, "reason": "Watch the trend"},
        )
    )
    assert monitored["exception_item_id"] == response_times["id"]

    items = staff.get(f"/api/v1/exception-reports/{made['id']}").json()["items"]
    assert items[0]["escalation_id"] == esc["id"]
    assert items[1]["monitoring_item_id"] == monitored["id"]

    # an item already escalated is not escalated twice, and nothing new is made
    again = staff.post(
        f"/api/v1/exception-items/{rape['id']}/escalate",
        json={"request": "Again", "response_due": DUE},
    )
    assert_problem(again, 409)
    assert len(staff.get("/api/v1/escalations").json()["items"]) == 1
    # the items cannot be replaced once one has been acted on
    url = f"/api/v1/exception-reports/{made['id']}"
    version = staff.get(url).headers["etag"]
    replaced = staff.patch(
        url,
        json={
            "items": [
                {
                    "topic": "t-999",
                    "kpi_evidence": "x",
                    "recommendation": "no_action",
                    "reasoning": "y",
                }
            ]
        },
        headers={"If-Match": version},
    )
    assert_problem(replaced, 409)
    assert len(staff.get(url).json()["items"]) == 2


def test_report_patch_replaces_items_and_needs_if_match(staff):
    made = report(staff)
    url = f"/api/v1/exception-reports/{made['id']}"
    assert_problem(staff.patch(url, json={"title": "Renamed"}), 428)
    changed = staff.patch(
        url,
        json={
            "title": "Renamed",
            "items": [
                {
                    "topic": "t-999",
                    "kpi_evidence": "101 calls answered within 2 minutes",
                    "value": 73.7,
                    "target": 75,
                    "unit": "%",
                    "recommendation": "no_action",
                    "reasoning": "Close to target",
                }
            ],
        },
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Renamed"
    assert [i["value"] for i in changed.json()["items"]] == [73.7]


def test_report_list_and_csv(staff):
    report(staff)
    report(staff, title="Second")
    listed = staff.get("/api/v1/exception-reports?limit=1").json()
    assert len(listed["items"]) == 1 and listed["next"]
    rows = list(csv.DictReader(io.StringIO(staff.get("/api/v1/exception-reports?format=csv").text)))
    assert {r["title"] for r in rows} == {"KPI exception report", "Second"}


# -------------------------------------------------------------------------------------------
# Escalations


def test_escalation_create_get_patch(staff):
    response = staff.post(
        "/api/v1/escalations",
        json={
            "topic": "t-999",
            "title": "999",
            "reason": "Below target",
            "request": "A recovery paper",
            "response_due": DUE,
        },
    )
    esc = created(response)
    assert response.headers["location"] == f"/api/v1/escalations/{esc['id']}"
    assert response.headers["etag"] == '"1"'
    assert esc["status"] == "awaiting_response" and esc["overdue"] is False
    assert esc["force_responses"] == [] and esc["actions"] == []
    assert [(h["from"], h["to"]) for h in esc["history"]] == [(None, "awaiting_response")]
    url = response.headers["location"]
    assert_problem(staff.patch(url, json={"pcc_response": "Noted"}), 428)
    assert_problem(
        staff.patch(url, json={"pcc_response": "Noted"}, headers={"If-Match": '"3"'}), 412
    )
    ok = staff.patch(url, json={"pcc_response": "Noted"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["pcc_response"] == "Noted"
    assert ok.headers["etag"] == '"2"'


def test_escalation_create_is_idempotent(staff):
    body = {"topic": "t-999", "title": "Once", "reason": "r", "request": "q", "response_due": DUE}
    key = {"Idempotency-Key": "esc-1"}
    first = staff.post("/api/v1/escalations", json=body, headers=key)
    again = staff.post("/api/v1/escalations", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replay") == "true"
    assert len(staff.get("/api/v1/escalations").json()["items"]) == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=awaiting_response", {"soon", "later", "at the May board"}),
        ("status=response_received", {"answered"}),
        (f"due_before={TODAY + timedelta(days=10)}", {"soon", "answered"}),
        ("meeting={may}", {"at the May board"}),
        ("status=awaiting_response&meeting={may}", {"at the May board"}),
        ("status=closed", set()),
    ],
)
def test_escalation_filters(staff, liaison, query, expected):
    may = meeting(staff, held_on="2024-05-30", title="May")
    escalation(staff, title="soon", response_due=str(TODAY + timedelta(days=3)))
    escalation(staff, title="later", response_due=str(TODAY + timedelta(days=40)))
    escalation(staff, title="at the May board", target_meeting_id=may["id"])
    answered(staff, liaison, title="answered", response_due=str(TODAY + timedelta(days=5)))
    response = staff.get(f"/api/v1/escalations?{query.format(may=may['id'])}")
    assert response.status_code == 200, response.text
    assert {e["title"] for e in response.json()["items"]} == expected


def test_escalation_filters_refuse_bad_values(staff):
    for query in ("status=flying", "due_before=tomorrow", "meeting=0"):
        assert_problem(staff.get(f"/api/v1/escalations?{query}"), 422)


def test_escalations_csv_has_every_row_of_the_filter(staff):
    for n in range(5):
        escalation(staff, title=f"row {n}")
    response = staff.get(
        "/api/v1/escalations?status=awaiting_response&limit=2", headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["title"] for r in rows) == [f"row {n}" for n in range(5)]
    assert {r["status"] for r in rows} == {"awaiting_response"}
    assert all(r["ref"].startswith("ESC-") for r in rows)


def test_pages_walk_every_escalation_once(staff):
    made = {escalation(staff, title=f"e{n}")["id"] for n in range(7)}
    seen, url = [], "/api/v1/escalations?limit=3"
    while url:
        page = staff.get(url).json()
        seen += [e["id"] for e in page["items"]]
        url = page["next"]
    assert sorted(seen) == sorted(made)


def test_the_liaison_answers_and_the_escalation_moves_to_response_received(staff, liaison):
    esc = escalation(staff)
    url = f"/api/v1/escalations/{esc['id']}"
    response = liaison.post(
        f"{url}/force-response",
        json={"response": "The Force's paper", "links": ["https://example.org/paper.pdf"]},
    )
    body = created(response)
    assert body["status"] == "response_received" and body["version"] == 2
    assert response.headers["etag"] == '"2"'
    (answer,) = body["force_responses"]
    assert answer["response"] == "The Force's paper"
    assert answer["links"] == ["https://example.org/paper.pdf"]
    assert [(h["from"], h["to"]) for h in body["history"]] == [
        (None, "awaiting_response"),
        ("awaiting_response", "response_received"),
    ]
    assert staff.get(url).json() == body

    # not awaiting a response any more: 409, and nothing is added
    second = liaison.post(f"{url}/force-response", json={"response": "Another"})
    assert_problem(second, 409)
    after = staff.get(url).json()
    assert after == body


def test_force_response_is_idempotent(staff, liaison):
    esc = escalation(staff)
    url = f"/api/v1/escalations/{esc['id']}/force-response"
    key = {"Idempotency-Key": "answer-1"}
    first = liaison.post(url, json={"response": "Paper"}, headers=key)
    again = liaison.post(url, json={"response": "Paper"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert len(staff.get(f"/api/v1/escalations/{esc['id']}").json()["force_responses"]) == 1


def test_roles_are_kept_to_their_part_and_a_refusal_changes_nothing(staff, liaison, viewer):
    esc = answered(staff, liaison)
    url = f"/api/v1/escalations/{esc['id']}"
    # the liaison may read and answer, not record the OPCC's discussion or outcome
    assert liaison.get(url).status_code == 200
    assert_problem(transition(liaison, esc["id"], 2, to="discussed"), 403)
    assert_problem(transition(liaison, esc["id"], 2, to="closed", outcome="Satisfied"), 403)
    assert_problem(liaison.patch(url, json={"pcc_response": "x"}, headers={"If-Match": '"2"'}), 403)
    assert_problem(
        liaison.post(
            "/api/v1/escalations",
            json={
                "topic": "t-999",
                "title": "x",
                "reason": "r",
                "request": "q",
                "response_due": DUE,
            },
        ),
        403,
    )
    # a viewer may read, not answer for the Force; nor may OPCC staff
    other = escalation(staff, title="still waiting")
    other_url = f"/api/v1/escalations/{other['id']}"
    assert viewer.get(other_url).status_code == 200
    assert_problem(viewer.post(f"{other_url}/force-response", json={"response": "x"}), 403)
    assert_problem(staff.post(f"{other_url}/force-response", json={"response": "x"}), 403)
    assert staff.get(url).json() == esc
    shown = staff.get(other_url).json()
    assert shown["status"] == "awaiting_response" and shown["force_responses"] == []
    assert shown["version"] == 1


def test_discuss_follow_up_and_close(staff, liaison):
    esc = answered(staff, liaison)
    new_due = str(TODAY + timedelta(days=120))
    discussed = transition(staff, esc["id"], 2, to="discussed", note="Discussed at the CGB")
    assert discussed.status_code == 200, discussed.text
    assert discussed.json()["status"] == "discussed" and discussed.headers["etag"] == '"3"'
    followed = transition(
        staff,
        esc["id"],
        3,
        to="follow_up",
        note="A further paper in four months",
        response_due=new_due,
    )
    assert followed.status_code == 200, followed.text
    body = followed.json()
    assert body["status"] == "awaiting_response" and body["response_due"] == new_due
    assert [(h["from"], h["to"]) for h in body["history"]][-3:] == [
        ("response_received", "discussed"),
        ("discussed", "follow_up"),
        ("follow_up", "awaiting_response"),
    ]
    assert body["history"][-2]["note"] == "A further paper in four months"
    # the Force answers again, the board discusses it and closes it with an outcome
    version = body["version"]
    again = liaison.post(
        f"/api/v1/escalations/{esc['id']}/force-response", json={"response": "Second paper"}
    )
    assert created(again)["status"] == "response_received"
    version = again.json()["version"]
    assert transition(staff, esc["id"], version, to="discussed").status_code == 200
    closed = transition(
        staff,
        esc["id"],
        version + 1,
        to="closed",
        outcome="Performance recovered",
        pcc_response="Satisfied",
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["outcome"] == "Performance recovered"
    assert len(closed.json()["force_responses"]) == 2
    assert all(h["actor"] for h in closed.json()["history"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "follow_up", "note": "More please"}, "response_due"),
        ({"to": "closed", "note": "Done"}, "outcome"),
    ],
)
def test_follow_up_and_closing_need_their_field_and_change_nothing(staff, liaison, body, field):
    esc = answered(staff, liaison)
    discussed = transition(staff, esc["id"], 2, to="discussed").json()
    refused = transition(staff, esc["id"], 3, **body)
    problem = assert_problem(refused, 422)
    assert any(e["loc"] == ["body", field] for e in problem["errors"]), problem
    assert staff.get(f"/api/v1/escalations/{esc['id']}").json() == discussed


def test_transitions_409_unreachable_422_unknown_and_need_if_match(staff):
    esc = escalation(staff)
    url = f"/api/v1/escalations/{esc['id']}/transitions"
    assert_problem(staff.post(url, json={"to": "discussed"}), 428)
    assert_problem(transition(staff, esc["id"], 9, to="discussed"), 412)
    assert_problem(transition(staff, esc["id"], 1, to="flying"), 422)
    # the Force has not answered: not yet discussed, not closed
    assert_problem(transition(staff, esc["id"], 1, to="discussed"), 409)
    assert_problem(transition(staff, esc["id"], 1, to="closed", outcome="x"), 409)
    # response_received is reached by a force response only
    assert_problem(transition(staff, esc["id"], 1, to="response_received"), 422)
    assert staff.get(f"/api/v1/escalations/{esc['id']}").json() == esc


def test_a_target_meeting_that_does_not_exist_is_422_and_nothing_is_made(staff, liaison):
    body = {
        "topic": "t-999",
        "title": "x",
        "reason": "r",
        "request": "q",
        "response_due": DUE,
        "target_meeting_id": 999999,
    }
    problem = assert_problem(staff.post("/api/v1/escalations", json=body), 422)
    assert any(e["loc"][-1] == "target_meeting_id" for e in problem["errors"])
    assert staff.get("/api/v1/escalations").json()["items"] == []
    esc = answered(staff, liaison)
    transition(staff, esc["id"], 2, to="discussed")
    before = staff.get(f"/api/v1/escalations/{esc['id']}").json()
    refused = transition(
        staff, esc["id"], 3, to="follow_up", response_due=DUE, target_meeting_id=999999
    )
    assert_problem(refused, 422)
    assert staff.get(f"/api/v1/escalations/{esc['id']}").json() == before


def test_an_escalation_at_a_meeting_is_listed_on_the_meeting(staff):
    may = meeting(staff, held_on="2024-05-30", title="May")
    esc = escalation(staff, target_meeting_id=may["id"])
    shown = staff.get(f"/api/v1/board-meetings/{may['id']}").json()
    assert [e["id"] for e in shown["escalations"]] == [esc["id"]]


def test_actions_captured_at_a_meeting_are_listed_on_it(staff):
    cgb = meeting(staff)
    action = created(
        staff.post(
            "/api/v1/actions",
            json={
                "title": "Force to bring a full business case to the May board",
                "owner_org": "force",
                "due_on": DUE,
                "source_type": "board_meeting",
                "source_id": cgb["id"],
            },
        )
    )
    shown = staff.get(f"/api/v1/board-meetings/{cgb['id']}").json()
    assert [(a["id"], a["ref"], a["status"]) for a in shown["actions"]] == [
        (action["id"], action["ref"], "open")
    ]


# -------------------------------------------------------------------------------------------
# Monitoring items


def test_monitoring_create_patch_escalate(staff):
    response = staff.post(
        "/api/v1/monitoring-items",
        json={
            "topic": "t-999",
            "title": "Response times",
            "reason": "Recovering",
            "next_review_on": str(TODAY - timedelta(days=1)),
        },
    )
    item = created(response)
    assert response.headers["location"] == f"/api/v1/monitoring-items/{item['id']}"
    assert item["overdue_review"] is True
    url = response.headers["location"]
    assert_problem(staff.patch(url, json={"next_review_on": DUE}), 428)
    moved = staff.patch(url, json={"next_review_on": DUE}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200 and moved.json()["overdue_review"] is False
    escalated = created(
        staff.post(f"{url}/escalate", json={"request": "A paper", "response_due": DUE})
    )
    assert escalated["monitoring_item_id"] == item["id"]
    assert staff.get(url).json()["escalation_id"] == escalated["id"]
    assert [i["id"] for i in staff.get("/api/v1/monitoring-items").json()["items"]] == [item["id"]]


# -------------------------------------------------------------------------------------------
# The public feed


PUBLIC_MEETING_FIELDS = {
    "held_on",
    "kind",
    "kind_name",
    "title",
    "summary",
    "escalations",
    "actions",
}


def test_the_public_feed_shows_published_meetings_only_and_no_internal_fields(
    staff, liaison, client
):
    shown = meeting(
        staff,
        title="Published board",
        status="held",
        published=True,
        chair="Police and Crime Commissioner",
        attendees=["Chief Constable"],
        summary="Public summary",
    )
    meeting(staff, title="Draft board CANARY-UNPUBLISHED", published=False)
    esc = answered(staff, liaison, target_meeting_id=shown["id"], reason="CANARY-INTERNAL-REASON")
    transition(staff, esc["id"], 2, to="discussed", note="CANARY-INTERNAL-NOTE")
    created(
        staff.post(
            "/api/v1/actions",
            json={
                "title": "Agree what can be shared with officers",
                "owner_org": "opcc",
                "due_on": DUE,
                "source_type": "board_meeting",
                "source_id": shown["id"],
                "private_note": "CANARY-PRIVATE-NOTE",
            },
        )
    )
    response = client.get("/api/v1/public/board")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [m["title"] for m in items] == ["Published board"]
    assert set(items[0]) == PUBLIC_MEETING_FIELDS
    (public_escalation,) = items[0]["escalations"]
    assert public_escalation["request"] == esc["request"]
    assert "Paper attached" in response.text
    assert [a["title"] for a in items[0]["actions"]] == ["Agree what can be shared with officers"]
    for secret in ("CANARY", "Chief Constable", "version", "created_at", '"id"'):
        assert secret not in response.text, secret
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/public/board?format=csv").text)))
    assert [r["title"] for r in rows] == ["Published board"]
    assert "CANARY" not in client.get("/api/v1/public/board?format=csv").text


def test_everything_needs_a_caller_but_the_public_feed(client, admin):
    for url in (
        "/api/v1/board-meetings",
        "/api/v1/escalations",
        "/api/v1/exception-reports",
        "/api/v1/monitoring-items",
    ):
        assert_problem(client.get(url), 401)
    assert client.get("/api/v1/public/board").status_code == 200


def test_escalations_awaiting_the_force_are_in_its_inbox_until_answered(staff, liaison):
    esc = escalation(staff, title="Answer me")
    entries = liaison.get("/api/v1/force-inbox").json()["items"]
    assert [(e["kind"], e["ref"], e["title"], e["due_on"], e["url"]) for e in entries] == [
        ("escalation", esc["ref"], "Answer me", DUE, f"/escalations/{esc['id']}")
    ]
    liaison.post(f"/api/v1/escalations/{esc['id']}/force-response", json={"response": "Done"})
    assert liaison.get("/api/v1/force-inbox").json()["items"] == []


def test_unknown_records_are_404_problems(staff, liaison):
    for url in (
        "/api/v1/board-meetings/999999",
        "/api/v1/exception-reports/999999",
        "/api/v1/escalations/999999",
        "/api/v1/monitoring-items/999999",
    ):
        assert_problem(staff.get(url), 404)
    assert_problem(
        liaison.post("/api/v1/escalations/999999/force-response", json={"response": "x"}), 404
    )
    assert_problem(
        staff.post(
            "/api/v1/exception-items/999999/escalate",
            json={"request": "x", "response_due": DUE},
        ),
        404,
    )


def test_updated_since_lists_changed_escalations_in_change_order(staff):
    first = escalation(staff, title="first")
    second = escalation(staff, title="second")
    stamp = staff.get(f"/api/v1/escalations/{second['id']}").json()["updated_at"]
    staff.patch(
        f"/api/v1/escalations/{first['id']}",
        json={"title": "first again"},
        headers={"If-Match": '"1"'},
    )
    items = staff.get("/api/v1/escalations", params={"updated_since": stamp}).json()["items"]
    assert [i["title"] for i in items] == ["second", "first again"]
