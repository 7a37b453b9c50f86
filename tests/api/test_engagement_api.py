"""The engagement API contract (API.md, DOMAIN.md §4, issue 10): engagements and the one-flow
debrief, issues, closing the loop, coverage, topics and parish attendance, pre-election
periods and the public "you said, we did" feed."""

import csv
import io
from datetime import timedelta

import pytest

from domain import clock
from domain.accounts.rules import Role
from domain.demo import AREA_ROWS, SeedReport, seed_reference
from tests.api.conftest import assert_problem
from tests.conftest import NOW

TODAY = clock.today()
DUE = str(TODAY + timedelta(days=28))
ENGAGEMENTS = "/api/v1/engagements"
PERIODS = "/api/v1/pre-election-periods"
FEED = "/api/v1/public/you-said-we-did"
CONTACTS = "Parish clerk (invented) Pat Example, 01234 000000"


@pytest.fixture
def admin(api_as, session):
    seed_reference(session, SeedReport(created={}), now=NOW)
    session.commit()
    return api_as(Role.ADMIN)


@pytest.fixture
def staff(api_as, admin):
    return api_as(Role.OPCC_STAFF)


@pytest.fixture
def viewer(api_as, admin):
    return api_as(Role.VIEWER)


@pytest.fixture
def liaison(api_as, admin):
    return api_as(Role.FORCE_LIAISON)


def created(response):
    assert response.status_code == 201, response.text
    return response.json()


def action(**fields):
    return {
        "title": "Ask the NPA commander about ASB hotspot funding",
        "owner_org": "force",
        "due_on": DUE,
        **fields,
    }


def issue(*actions, **fields):
    return {
        "topic": "asb",
        "description": "Youths gathering by the shops in the evening",
        "people_count": 4,
        "actions": list(actions),
        **fields,
    }


def body(**fields):
    return {
        "held_on": "2024-01-24",
        "kind": "community_day",
        "lead": "pcc",
        "lead_name": "Police and Crime Commissioner",
        "area": "melton",
        "ward": "Melton Mowbray Egerton",
        "npa": "melton",
        "organisations_met": ["Melton Borough Council", "Neighbourhood Watch"],
        "people_count": 60,
        "summary": "Market day stand and a walkabout with the beat team.",
        "named_contacts": CONTACTS,
        **fields,
    }


def debrief(caller, **fields):
    """By default a Community Day with two issues and three actions (Force, OPCC, a partner)."""
    fields.setdefault(
        "issues",
        [
            issue(action(), action(title="Write to the council", owner_org="opcc")),
            issue(
                action(
                    title="Refer to the Road Safety Partnership",
                    owner_org="road-safety-partnership",
                ),
                topic="road-safety",
                description="Speeding on the A607",
                people_count=7,
            ),
        ],
    )
    return created(caller.post(ENGAGEMENTS, json=body(**fields)))


def nothing_saved(caller):
    assert caller.get(ENGAGEMENTS).json()["items"] == []
    assert caller.get("/api/v1/actions?source_type=engagement").json()["items"] == []


def locs(problem):
    return [tuple(e["loc"]) for e in problem["errors"]]


# -------------------------------------------------------------------------------------------
# Recording a debrief


def test_a_debrief_is_recorded_in_one_flow_with_location_etag_and_its_actions(staff):
    response = staff.post(
        ENGAGEMENTS,
        json=body(
            issues=[
                issue(action(), action(title="Write to the council", owner_org="opcc")),
                issue(
                    action(title="Refer on", owner_org="road-safety-partnership"),
                    topic="road-safety",
                    people_count=7,
                ),
            ]
        ),
    )
    made = created(response)
    url = f"{ENGAGEMENTS}/{made['id']}"
    assert response.headers["location"] == url
    assert response.headers["etag"] == f'"{made["version"]}"'
    assert made["kind"] == "community_day" and made["kind_label"] == "Community Day"
    assert (made["area"], made["area_name"], made["npa"]) == ("melton", "Melton", "melton")
    assert made["issue_count"] == 2
    first, second = made["issues"]
    assert (first["topic"], second["topic"]) == ("asb", "road-safety")
    assert first["position"] < second["position"]
    assert (first["people_count"], second["people_count"]) == (4, 7)
    assert [len(i["actions"]) for i in made["issues"]] == [2, 1]
    for shown in first["actions"] + second["actions"]:
        assert shown["ref"].startswith("ACT-") and shown["status"] == "open"
        full = staff.get(f"/api/v1/actions/{shown['id']}").json()
        assert full["source_type"] == "engagement" and full["source_id"] == made["id"]
        assert full["source"]["url"] == f"/engagements/{made['id']}"
    assert {a["owner_org"] for a in first["actions"] + second["actions"]} == {
        "force",
        "opcc",
        "road-safety-partnership",
    }
    again = staff.get(url)
    assert again.status_code == 200 and again.json() == made
    assert staff.get(url, headers={"If-None-Match": again.headers["etag"]}).status_code == 304


def test_the_force_owned_debrief_action_is_in_the_force_inbox(staff, liaison):
    made = debrief(staff)
    force = made["issues"][0]["actions"][0]
    refs = [e["ref"] for e in liaison.get("/api/v1/force-inbox").json()["items"]]
    assert force["ref"] in refs
    assert len(refs) == 1  # not the OPCC's nor the partner's


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"area": "atlantis"}, ("body", "area")),
        ({"npa": "atlantis"}, ("body", "npa")),
        ({"issues": [issue(topic="weather")]}, ("body", "issues", 0, "topic")),
        ({"issues": [issue(people_count=0)]}, ("body", "issues", 0, "people_count")),
        (
            {"issues": [issue(action(owner_org="nobody"))]},
            ("body", "issues", 0, "actions", 0, "owner_org"),
        ),
        ({"held_on": str(TODAY + timedelta(days=366))}, ("body", "held_on")),
        (
            {"kind": "parish_surgery", "councils_invited": 5, "councils_attended": 6},
            ("body", "councils_attended"),
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_saved(staff, fields, loc):
    problem = assert_problem(staff.post(ENGAGEMENTS, json=body(**fields)), 422)
    assert loc in locs(problem), problem
    nothing_saved(staff)


def test_every_fault_in_a_debrief_is_named_at_once_and_nothing_is_saved(staff):
    refused = staff.post(
        ENGAGEMENTS,
        json=body(
            held_on=str(TODAY + timedelta(days=400)),
            area="atlantis",
            npa="atlantis",
            kind="parish_surgery",
            councils_invited=3,
            councils_attended=4,
            issues=[
                issue(action()),
                issue(action(), action(owner_org="nobody"), topic="weather"),
            ],
        ),
    )
    found = locs(assert_problem(refused, 422))
    for loc in (
        ("body", "held_on"),
        ("body", "area"),
        ("body", "npa"),
        ("body", "councils_attended"),
        ("body", "issues", 1, "topic"),
        ("body", "issues", 1, "actions", 1, "owner_org"),
    ):
        assert loc in found, (loc, found)
    nothing_saved(staff)


def test_a_date_a_year_ahead_is_allowed(staff):
    made = created(staff.post(ENGAGEMENTS, json=body(held_on=str(TODAY + timedelta(days=365)))))
    assert made["held_on"] == str(TODAY + timedelta(days=365))


def test_parish_surgery_attendance(staff):
    made = created(
        staff.post(
            ENGAGEMENTS,
            json=body(kind="parish_surgery", lead="dpcc", councils_invited=23, councils_attended=7),
        )
    )
    assert (made["councils_invited"], made["councils_attended"]) == (23, 7)


def test_create_is_idempotent_and_makes_the_actions_once(staff):
    key = {"Idempotency-Key": "debrief-1"}
    payload = body(issues=[issue(action())])
    first = staff.post(ENGAGEMENTS, json=payload, headers=key)
    again = staff.post(ENGAGEMENTS, json=payload, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers.get("idempotent-replay") == "true"
    assert len(staff.get(ENGAGEMENTS).json()["items"]) == 1
    assert len(staff.get("/api/v1/actions?source_type=engagement").json()["items"]) == 1


def test_patch_needs_if_match_refuses_a_stale_one_and_changes_nothing(staff):
    made = debrief(staff)
    url = f"{ENGAGEMENTS}/{made['id']}"
    version = made["version"]
    assert_problem(staff.patch(url, json={"summary": "New"}), 428)
    assert_problem(staff.patch(url, json={"summary": "New"}, headers={"If-Match": '"99"'}), 412)
    refused = staff.patch(url, json={"area": "atlantis"}, headers={"If-Match": f'"{version}"'})
    assert ("body", "area") in locs(assert_problem(refused, 422))
    assert staff.get(url).json() == made
    ok = staff.patch(
        url,
        json={"summary": "New", "area": "rutland", "npa": "rutland"},
        headers={"If-Match": f'"{version}"'},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["summary"] == "New" and ok.json()["area_name"] == "Rutland"
    assert ok.headers["etag"] == f'"{version + 1}"' == f'"{ok.json()["version"]}"'


def test_unknown_engagements_are_404(staff):
    assert_problem(staff.get(f"{ENGAGEMENTS}/999999"), 404)
    assert_problem(staff.get(f"{ENGAGEMENTS}/999999/issues"), 404)
    assert_problem(staff.post(f"{ENGAGEMENTS}/999999/issues", json=issue()), 404)
    assert_problem(
        staff.patch(f"{ENGAGEMENTS}/999999", json={"summary": "x"}, headers={"If-Match": '"1"'}),
        404,
    )


# -------------------------------------------------------------------------------------------
# Who sees what


def test_named_contacts_reach_opcc_people_only(staff, viewer, liaison, web_as):
    made = debrief(staff)
    url = f"{ENGAGEMENTS}/{made['id']}"
    assert "named_contacts" not in made  # a token: the reduced representation
    officer = web_as(Role.OPCC_STAFF)
    shown = officer.get(url).json()
    assert shown["named_contacts"] == CONTACTS
    assert officer.get(ENGAGEMENTS).json()["items"][0]["named_contacts"] == CONTACTS
    assert CONTACTS in officer.get(f"{ENGAGEMENTS}?format=csv").text
    for caller in (viewer, web_as(Role.VIEWER)):
        for answer in (
            caller.get(url),
            caller.get(ENGAGEMENTS),
            caller.get(f"{ENGAGEMENTS}?format=csv"),
            caller.get(f"{url}/issues"),
        ):
            assert answer.status_code == 200, answer.text
            assert "Pat Example" not in answer.text and "named_contacts" not in answer.text
    for caller in (liaison, web_as(Role.FORCE_LIAISON)):
        for path in (url, ENGAGEMENTS, f"{url}/issues", f"{ENGAGEMENTS}/coverage", PERIODS):
            assert_problem(caller.get(path), 403)


def test_viewers_read_but_do_not_write(staff, viewer):
    made = debrief(staff)
    url = f"{ENGAGEMENTS}/{made['id']}"
    assert_problem(viewer.post(ENGAGEMENTS, json=body()), 403)
    assert_problem(viewer.patch(url, json={"summary": "x"}, headers={"If-Match": '"1"'}), 403)
    assert_problem(viewer.post(f"{url}/issues", json=issue()), 403)
    assert len(staff.get(ENGAGEMENTS).json()["items"]) == 1


def test_everything_needs_a_caller_but_the_public_feed(client, admin):
    for url in (ENGAGEMENTS, f"{ENGAGEMENTS}/coverage", f"{ENGAGEMENTS}/topics", PERIODS):
        assert_problem(client.get(url), 401)
    assert client.get(FEED).status_code == 200


# -------------------------------------------------------------------------------------------
# Lists


def test_list_filters_latest_first_and_refuses_bad_filters(staff):
    jan = debrief(staff, held_on="2024-01-24")
    feb = debrief(staff, held_on="2024-02-21", area="charnwood", npa="loughborough")
    mar = debrief(staff, held_on="2024-03-20", kind="street_stand", npa=None)

    def ids(query=""):
        response = staff.get(f"{ENGAGEMENTS}{query}")
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()["items"]]

    assert ids() == [mar["id"], feb["id"], jan["id"]]
    assert ids("?kind=street_stand") == [mar["id"]]
    assert ids("?area=melton") == [mar["id"], jan["id"]]
    assert ids("?npa=loughborough") == [feb["id"]]
    assert ids("?from=2024-02-01") == [mar["id"], feb["id"]]
    assert ids("?to=2024-02-21") == [feb["id"], jan["id"]]
    assert ids("?from=2024-02-01&to=2024-02-29&area=charnwood") == [feb["id"]]
    assert ids("?area=atlantis") == [] and ids("?npa=atlantis") == []  # no such place
    for query, name in (
        ("?kind=picnic", "kind"),
        ("?from=yesterday", "from"),
        ("?to=2024-13-01", "to"),
        ("?from=1066-10-14", "from"),
    ):
        problem = assert_problem(staff.get(f"{ENGAGEMENTS}{query}"), 422)
        assert ("query", name) in locs(problem), (query, problem)


def test_pages_walk_every_engagement_once_and_csv_has_every_row(staff):
    made = [debrief(staff, held_on=f"2024-02-{day:02d}")["id"] for day in (1, 2, 2, 3, 4)]
    seen, url = [], f"{ENGAGEMENTS}?limit=2"
    while url:
        page = staff.get(url).json()
        assert len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        url = page["next"]
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    for answer in (
        staff.get(f"{ENGAGEMENTS}?limit=2", headers={"Accept": "text/csv"}),
        staff.get(f"{ENGAGEMENTS}?format=csv&limit=2"),
    ):
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert sorted(int(r["id"]) for r in rows) == sorted(made)
        assert {r["area"] for r in rows} == {"melton"}
        assert "named_contacts" not in rows[0]  # a token


def test_updated_since_lists_changed_engagements_in_change_order(staff):
    first = debrief(staff, summary="first")
    second = debrief(staff, summary="second")
    stamp = staff.get(f"{ENGAGEMENTS}/{second['id']}").json()["updated_at"]
    staff.patch(
        f"{ENGAGEMENTS}/{first['id']}",
        json={"summary": "first again"},
        headers={"If-Match": f'"{first["version"]}"'},
    )
    items = staff.get(ENGAGEMENTS, params={"updated_since": stamp}).json()["items"]
    assert [i["summary"] for i in items] == ["second", "first again"]


# -------------------------------------------------------------------------------------------
# Issues


def test_issues_are_listed_and_added_with_their_actions(staff):
    made = debrief(staff)
    url = f"{ENGAGEMENTS}/{made['id']}/issues"
    listed = staff.get(url).json()
    assert listed["next"] is None
    assert [i["id"] for i in listed["items"]] == [i["id"] for i in made["issues"]]
    response = staff.post(
        url,
        json=issue(
            action(title="Ask for a sheep worrying business case", public=True),
            topic="sheep-worrying",
            description="Dogs off leads near the flocks",
            people_count=2,
        ),
    )
    added = created(response)
    assert response.headers["location"] == url
    assert added["engagement_id"] == made["id"] and added["topic_name"] == "Sheep worrying"
    assert [a["title"] for a in added["actions"]] == ["Ask for a sheep worrying business case"]
    assert added["actions"][0]["public"] is True
    assert [i["id"] for i in staff.get(url).json()["items"]][-1] == added["id"]
    shown = staff.get(f"{ENGAGEMENTS}/{made['id']}").json()
    assert shown["issue_count"] == 3 and shown["issues"][-1]["id"] == added["id"]
    rows = list(csv.DictReader(io.StringIO(staff.get(f"{url}?format=csv").text)))
    assert len(rows) == 3


def test_an_issue_with_no_people_or_an_unknown_topic_is_refused_and_nothing_is_added(staff):
    made = debrief(staff)
    url = f"{ENGAGEMENTS}/{made['id']}/issues"
    before = staff.get(url).json()
    for bad, loc in (
        (issue(people_count=0), ("body", "people_count")),
        (issue(topic="weather"), ("body", "topic")),
        (issue(action(owner_org="nobody")), ("body", "actions", 0, "owner_org")),
    ):
        assert loc in locs(assert_problem(staff.post(url, json=bad), 422)), loc
    assert staff.get(url).json() == before
    assert len(staff.get("/api/v1/actions?source_type=engagement").json()["items"]) == 3


def test_an_issue_create_is_idempotent(staff):
    made = debrief(staff)
    url = f"{ENGAGEMENTS}/{made['id']}/issues"
    key = {"Idempotency-Key": "issue-1"}
    first = staff.post(url, json=issue(action()), headers=key)
    again = staff.post(url, json=issue(action()), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert len(staff.get(url).json()["items"]) == 3


# -------------------------------------------------------------------------------------------
# Coverage, topics, parish attendance


def test_coverage_lists_every_area_with_zeros(staff):
    debrief(staff, held_on="2024-01-24")
    debrief(staff, held_on="2024-02-21")
    debrief(staff, held_on="2024-03-20", area="charnwood", npa=None)
    debrief(staff, held_on="2023-12-01", area="rutland", npa=None)  # outside the range
    response = staff.get(f"{ENGAGEMENTS}/coverage?from=2024-01-24&to=2024-03-24")
    assert response.status_code == 200, response.text
    shown = response.json()
    assert set(shown) == {"from", "to", "items"}
    assert (shown["from"], shown["to"]) == ("2024-01-24", "2024-03-24")
    assert all(set(item) == {"area_code", "area_name", "count"} for item in shown["items"])
    counts = {item["area_code"]: item["count"] for item in shown["items"]}
    assert set(counts) == {row[0] for row in AREA_ROWS}
    assert counts["melton"] == 2 and counts["charnwood"] == 1 and counts["rutland"] == 0
    assert sum(counts.values()) == 3
    names = {item["area_code"]: item["area_name"] for item in shown["items"]}
    assert names["leicester"] == "Leicester City"
    etag = response.headers["etag"]
    again = staff.get(
        f"{ENGAGEMENTS}/coverage?from=2024-01-24&to=2024-03-24", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304


def test_coverage_with_no_engagements_and_its_default_range(staff):
    shown = staff.get(f"{ENGAGEMENTS}/coverage").json()
    assert shown["to"] == str(TODAY)
    assert shown["from"] < shown["to"]
    assert len(shown["items"]) == len(AREA_ROWS)
    assert {item["count"] for item in shown["items"]} == {0}


def test_coverage_from_after_to_is_a_422_naming_from(staff):
    problem = assert_problem(
        staff.get(f"{ENGAGEMENTS}/coverage?from=2024-03-01&to=2024-02-01"), 422
    )
    assert ("query", "from") in locs(problem)
    assert_problem(staff.get(f"{ENGAGEMENTS}/coverage?from=soon"), 422)


def test_topics_over_time(staff):
    debrief(staff, held_on="2024-01-24")
    debrief(staff, held_on="2024-03-20")
    response = staff.get(f"{ENGAGEMENTS}/topics?from=2024-01-01&to=2024-03-31")
    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["from"], shown["to"]) == ("2024-01-01", "2024-03-31")
    assert shown["months"] == ["2024-01", "2024-02", "2024-03"]
    topics = {t["topic"]: t for t in shown["topics"]}
    assert topics["asb"]["counts"] == [1, 0, 1] and topics["asb"]["total"] == 2
    assert topics["asb"]["people"] == [4, 0, 4]
    assert topics["road-safety"]["counts"] == [1, 0, 1]
    assert_problem(staff.get(f"{ENGAGEMENTS}/topics?from=2024-03-01&to=2024-02-01"), 422)


def test_parish_attendance_by_district(staff):
    for area, invited, attended in (
        ("north-west-leicestershire", 23, 7),
        ("charnwood", 25, 6),
        ("charnwood", 10, 2),
    ):
        created(
            staff.post(
                ENGAGEMENTS,
                json=body(
                    held_on="2024-02-01",
                    kind="parish_surgery",
                    lead="dpcc",
                    area=area,
                    npa=None,
                    councils_invited=invited,
                    councils_attended=attended,
                ),
            )
        )
    shown = staff.get(f"{ENGAGEMENTS}/parish-attendance?from=2024-01-01&to=2024-12-31").json()
    rows = {i["area_code"]: i for i in shown["items"]}
    assert set(rows) == {row[0] for row in AREA_ROWS}
    assert (
        rows["charnwood"]["surgeries"],
        rows["charnwood"]["councils_invited"],
        rows["charnwood"]["councils_attended"],
    ) == (2, 35, 8)
    assert rows["north-west-leicestershire"]["councils_attended"] == 7
    assert rows["melton"]["surgeries"] == 0


# -------------------------------------------------------------------------------------------
# Closing the loop and the public feed


def close(caller, action_id, version, **fields):
    return caller.post(
        f"/api/v1/actions/{action_id}/you-said-we-did",
        json=fields,
        headers={"If-Match": f'"{version}"'},
    )


def move(caller, action_id, to, note=""):
    url = f"/api/v1/actions/{action_id}"
    version = caller.get(url).headers["etag"]
    response = caller.post(
        f"{url}/transitions", json={"to": to, "note": note}, headers={"If-Match": version}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_public_line_needs_a_public_action_and_nothing_is_changed(staff):
    made = debrief(staff)
    private = made["issues"][0]["actions"][0]
    assert private["public"] is False
    url = f"/api/v1/actions/{private['id']}"
    before = staff.get(url).json()
    refused = close(
        staff,
        private["id"],
        before["version"],
        told_on=str(TODAY),
        line="We did it",
        outcome="done",
    )
    found = locs(assert_problem(refused, 422))
    assert ("body", "line") in found
    assert staff.get(url).json() == before


def test_a_line_never_claims_done_for_an_action_that_is_not_done(staff):
    made = debrief(staff, issues=[issue(action(public=True))])
    shown = made["issues"][0]["actions"][0]
    problem = assert_problem(
        close(
            staff, shown["id"], shown["version"], told_on=str(TODAY), line="Fixed", outcome="done"
        ),
        422,
    )
    assert problem["errors"]
    cancelled = move(staff, shown["id"], "cancelled", note="No funding this year")
    problem = assert_problem(
        close(
            staff,
            shown["id"],
            cancelled["version"],
            told_on=str(TODAY),
            line="Not this year",
            outcome="not_doing",
        ),
        422,
    )
    assert ("body", "reason") in locs(problem)
    assert_problem(
        close(
            staff,
            shown["id"],
            cancelled["version"],
            told_on=str(TODAY),
            line="Fixed",
            outcome="done",
        ),
        422,
    )


def test_closing_the_loop_needs_if_match_and_an_engagement_action(staff):
    made = debrief(staff, issues=[issue(action(public=True))])
    shown = made["issues"][0]["actions"][0]
    url = f"/api/v1/actions/{shown['id']}/you-said-we-did"
    assert_problem(staff.post(url, json={"told_on": str(TODAY)}), 428)
    assert_problem(close(staff, shown["id"], 99, told_on=str(TODAY)), 412)
    assert_problem(close(staff, shown["id"], shown["version"], told_on="tomorrow"), 422)
    future = close(staff, shown["id"], shown["version"], told_on=str(TODAY + timedelta(days=1)))
    assert ("body", "told_on") in locs(assert_problem(future, 422))
    other = created(
        staff.post(
            "/api/v1/actions",
            json={"title": "Not from a visit", "owner_org": "opcc", "due_on": DUE},
        )
    )
    assert_problem(close(staff, other["id"], other["version"], told_on=str(TODAY)), 404)
    assert_problem(close(staff, 999999, 1, told_on=str(TODAY)), 404)
    told = close(staff, shown["id"], shown["version"], told_on=str(TODAY))
    assert told.status_code == 200, told.text
    assert told.json()["told_on"] == str(TODAY)
    assert told.headers["etag"] == f'"{told.json()["version"]}"'
    assert told.json()["version"] == shown["version"] + 1


def test_public_lines_done_and_not_doing_newest_first_with_no_internal_fields(
    staff, viewer, client
):
    made = debrief(
        staff,
        issues=[
            issue(
                action(title="Sheep worrying business case", public=True), topic="sheep-worrying"
            ),
            issue(
                action(title="Average speed cameras on the A607", public=True), topic="road-safety"
            ),
            issue(action(title="Not public at all")),
        ],
    )
    sheep, cameras, hidden = (i["actions"][0] for i in made["issues"])
    done = move(staff, sheep["id"], "done")
    told = close(
        staff,
        sheep["id"],
        done["version"],
        told_on=str(TODAY - timedelta(days=10)),
        line="You said sheep worrying was rising; we funded a rural crime officer.",
        outcome="done",
    )
    assert told.status_code == 200, told.text
    cancelled = move(staff, cameras["id"], "cancelled", note="The council has no budget")
    told = close(
        staff,
        cameras["id"],
        cancelled["version"],
        told_on=str(TODAY - timedelta(days=2)),
        line="You asked for average speed cameras; we are not doing this.",
        outcome="not_doing",
        reason="The council has no budget this year.",
    )
    assert told.status_code == 200, told.text
    close(staff, hidden["id"], hidden["version"], told_on=str(TODAY))

    response = client.get(FEED)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert response.json()["next"] is None
    assert [i["action_ref"] for i in items] == [cameras["ref"], sheep["ref"]]  # newest first
    newest, oldest = items
    assert newest["outcome"] == "not_doing" and newest["reason"].startswith("The council")
    assert oldest["outcome"] == "done" and oldest["told_on"] == str(TODAY - timedelta(days=10))
    assert oldest["area_name"] == "Melton" and oldest["topic_name"] == "Sheep worrying"
    for secret in ("Pat Example", "version", "created_at", '"id"', "Not public at all"):
        assert secret not in response.text, secret
    rows = list(csv.DictReader(io.StringIO(client.get(f"{FEED}?format=csv").text)))
    assert [r["action_ref"] for r in rows] == [cameras["ref"], sheep["ref"]]
    # the tokens and viewers see the same feed
    assert viewer.get(FEED).json() == response.json()


def test_a_pre_election_period_in_force_hides_lines_told_on_or_after_its_start(
    admin, staff, client
):
    made = debrief(staff, issues=[issue(action(public=True)), issue(action(public=True))])
    older, newer = (i["actions"][0] for i in made["issues"])
    for shown, days_ago in ((older, 20), (newer, 5)):
        done = move(staff, shown["id"], "done")
        told = close(
            staff,
            shown["id"],
            done["version"],
            told_on=str(TODAY - timedelta(days=days_ago)),
            line="We did it",
            outcome="done",
        )
        assert told.status_code == 200, told.text
    assert len(client.get(FEED).json()["items"]) == 2
    # a period that started on the newer line's date and is still in force hides it
    period = created(
        admin.post(
            PERIODS, json={"label": "PCC election", "starts_on": str(TODAY - timedelta(days=5))}
        ),
    )
    assert period["in_force"] is True and period["ends_on"] is None
    assert [i["action_ref"] for i in client.get(FEED).json()["items"]] == [older["ref"]]
    # once it has ended, the feed shows everything again
    url = f"{PERIODS}/{period['id']}"
    ended = admin.patch(
        url,
        json={"ends_on": str(TODAY - timedelta(days=1))},
        headers={"If-Match": f'"{period["version"]}"'},
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["in_force"] is False
    assert len(client.get(FEED).json()["items"]) == 2


# -------------------------------------------------------------------------------------------
# Pre-election periods


def test_periods_admin_writes_everyone_with_read_engagement_reads(admin, staff, viewer):
    response = admin.post(
        PERIODS,
        json={"label": "PCC election 2024", "starts_on": "2024-03-24", "ends_on": "2024-05-03"},
    )
    period = created(response)
    url = f"{PERIODS}/{period['id']}"
    assert response.headers["location"] == url
    assert period["in_force"] is False
    for caller in (admin, staff, viewer):
        assert caller.get(url).json() == period
        assert [p["id"] for p in caller.get(PERIODS).json()["items"]] == [period["id"]]
    assert_problem(staff.post(PERIODS, json={"label": "x", "starts_on": "2028-05-01"}), 403)
    assert_problem(staff.patch(url, json={"label": "x"}, headers={"If-Match": '"1"'}), 403)
    assert_problem(staff.delete(url, headers={"If-Match": '"1"'}), 403)
    assert_problem(admin.patch(url, json={"label": "x"}), 428)
    assert_problem(admin.patch(url, json={"label": "x"}, headers={"If-Match": '"9"'}), 412)
    changed = admin.patch(url, json={"label": "PCC election"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["etag"] == '"2"'
    assert_problem(admin.delete(url), 428)
    assert_problem(admin.delete(url, headers={"If-Match": '"1"'}), 412)
    gone = admin.delete(url, headers={"If-Match": '"2"'})
    assert gone.status_code == 204 and gone.content == b""
    assert_problem(admin.get(url), 404)


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"starts_on": "2024-05-03", "ends_on": "2024-03-24"}, ("body", "ends_on")),
        ({"starts_on": "2024-04-01", "ends_on": "2024-04-30"}, ("body", "starts_on")),
        ({"starts_on": "2024-03-01", "ends_on": "2024-03-24"}, ("body", "starts_on")),
        ({"starts_on": "2024-01-01"}, ("body", "starts_on")),  # open-ended: overlaps it
    ],
)
def test_a_period_ending_before_it_starts_or_overlapping_another_is_refused(admin, fields, loc):
    first = created(
        admin.post(
            PERIODS,
            json={"label": "PCC election 2024", "starts_on": "2024-03-24", "ends_on": "2024-05-03"},
        )
    )
    refused = admin.post(PERIODS, json={"label": "Another", **fields})
    assert loc in locs(assert_problem(refused, 422))
    assert [p["id"] for p in admin.get(PERIODS).json()["items"]] == [first["id"]]


def test_a_period_changed_to_overlap_another_is_refused(admin):
    created(
        admin.post(PERIODS, json={"label": "A", "starts_on": "2024-03-24", "ends_on": "2024-05-03"})
    )
    later = created(admin.post(PERIODS, json={"label": "B", "starts_on": "2028-03-24"}))
    url = f"{PERIODS}/{later['id']}"
    refused = admin.patch(url, json={"starts_on": "2024-04-01"}, headers={"If-Match": '"1"'})
    assert_problem(refused, 422)
    assert admin.get(url).json() == later


def test_a_period_create_is_idempotent(admin):
    key = {"Idempotency-Key": "period-1"}
    payload = {"label": "PCC election 2024", "starts_on": "2024-03-24"}
    first = admin.post(PERIODS, json=payload, headers=key)
    again = admin.post(PERIODS, json=payload, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert len(admin.get(PERIODS).json()["items"]) == 1


# -------------------------------------------------------------------------------------------
# The OpenAPI document


def test_the_document_describes_both_representations_and_the_coverage_shape(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in (
        "EngagementRead",
        "EngagementReadForOpcc",
        "EngagementDetail",
        "EngagementDetailForOpcc",
        "CoverageRead",
        "PublicLine",
    ):
        assert name in schemas, name
    assert "named_contacts" in schemas["EngagementDetailForOpcc"]["properties"]
    assert "named_contacts" not in schemas["EngagementDetail"]["properties"]
    assert "named_contacts" not in schemas["EngagementRead"]["properties"]
    detail = document["paths"]["/api/v1/engagements/{engagement_id}"]["get"]
    shown = str(detail["responses"]["200"])
    assert "EngagementDetailForOpcc" in shown and "'#/components/schemas/EngagementDetail'" in shown
    listed = str(document["paths"]["/api/v1/engagements"]["get"]["responses"]["200"])
    assert "EngagementReadForOpcc" in listed and "EngagementRead_" in listed
    assert set(schemas["CoverageRead"]["properties"]) == {"from", "to", "items"}
    assert set(schemas["CoverageItem"]["properties"]) == {"area_code", "area_name", "count"}
    coverage = document["paths"]["/api/v1/engagements/coverage"]["get"]
    assert {p["name"] for p in coverage["parameters"]} >= {"from", "to"}
    assert "get" in document["paths"]["/api/v1/public/you-said-we-did"]
    assert "security" not in document["paths"]["/api/v1/public/you-said-we-did"]["get"]
