"""The Plan pages through the real sign-in: the overview (counts, chart, table, ratings with
their reasons), the objective page (timeline and new assessment form), what changed, not yet
assessed, and the periods page with publishing, and who may see and do what.

The demo plan is seeded: five themes of five objectives, 2020-21 Q1 and Q2 published, Q3
open. Ratings cycle through five patterns over Q1..Q3; every sixth objective (2.1, 3.2, 4.3,
5.4) has never been rated."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from domain import clock
from domain.accounts.rules import SYSTEM, Role, user_actor
from domain.audit.tables import AuditEvent
from domain.db import Database
from domain.demo import SeedReport, seed_reference
from domain.plan import policy, ratings
from domain.plan import service as plan
from domain.plan.demo import PLAN_TITLE, seed_plan
from domain.plan.rules import DeliveryStage, PlanStatus, Rating
from domain.plan.schemas import AssessmentCreate, PlanCreate
from domain.plan.tables import Assessment, Objective, Plan, ReportingPeriod
from tests.conftest import NOW
from tests.web.conftest import csrf
from web.dates import date_example

HTMX = {"HX-Request": "true"}
AMBER_TAG = '<strong class="govuk-tag govuk-tag--orange">Amber</strong>'
GREEN_TAG = '<strong class="govuk-tag govuk-tag--green">Green</strong>'
RED_TAG = '<strong class="govuk-tag govuk-tag--red">Red</strong>'
COMPLETE_TAG = '<strong class="govuk-tag govuk-tag--blue">Complete</strong>'
NOT_RATED_TAG = '<strong class="govuk-tag govuk-tag--grey">Not yet rated</strong>'
NEVER_RATED = ["2.1", "3.2", "4.3", "5.4"]
GOOD_RATIONALE = "Plans are agreed with the Force but the new rota does not start until spring."


@pytest.fixture(autouse=True)
def demo_plan(session: Session) -> None:
    seed_reference(session, SeedReport(created={}), now=NOW)
    seed_plan(session, now=NOW)


@pytest.fixture
def ids(database: Database) -> dict[str, int]:
    """Objective ids by code, and "plan" → the demo plan's id."""
    with database.session() as s:
        found = {o.code: o.id for o in s.exec(select(Objective)).all()}
        found["plan"] = s.exec(select(Plan.id)).one()
        return found  # type: ignore[return-value]


@pytest.fixture
def assessments_of(database: Database) -> Callable[[int], list[Any]]:
    def read(objective_id: int) -> list[Any]:
        with database.session() as s:
            rows = s.exec(
                select(Assessment)
                .where(Assessment.objective_id == objective_id)
                .order_by(Assessment.id)  # type: ignore[arg-type]
            ).all()
            return [(r.rating, r.rationale, r.correction_reason) for r in rows]

    return read


@pytest.fixture
def period_status(database: Database) -> Callable[[str], str]:
    def read(code: str) -> str:
        with database.session() as s:
            return s.exec(select(ReportingPeriod).where(ReportingPeriod.code == code)).one().status

    return read


@pytest.fixture
def viewer(web_as) -> TestClient:  # type: ignore[no-untyped-def]
    return web_as(Role.VIEWER)


@pytest.fixture
def reviewer(web_as) -> TestClient:  # type: ignore[no-untyped-def]
    return web_as(Role.COMPLAINTS_REVIEWER)


@pytest.fixture
def liaison(web_as) -> TestClient:  # type: ignore[no-untyped-def]
    return web_as(Role.FORCE_LIAISON)


def audit_count(database: Database) -> int:
    with database.session() as s:
        return len(s.exec(select(AuditEvent.id)).all())


def theme_row(html: str, theme: str) -> list[int]:
    """The counts table's row for a theme: Green, Amber, Red, Complete, Not yet rated, Total."""
    row = re.search(rf">{theme}</a></th>(.*?)</tr>", html, flags=re.S)
    assert row is not None, theme
    return [int(n) for n in re.findall(r'numeric">(\d+)</td>', row.group(1))]


def objective_codes(html: str) -> list[str]:
    return re.findall(r'href="/objectives/\d+">(\d+\.\d+) ', html)


def assessment_form(period: str = "2020-21-Q3", **overrides: str) -> dict[str, str]:
    return {
        "period": period,
        "rating": "amber",
        "rationale": GOOD_RATIONALE,
        "delivery_stage": "planned",
        "next_steps": "The Chief Inspector will report the rota start date to the next board.",
        "expected_date-day": "31",
        "expected_date-month": "3",
        "expected_date-year": "2021",
        "evidence_links": "https://example.org/board-paper-12\nhttps://example.org/rota",
        **overrides,
    }


def post_assessment(
    client: TestClient, objective_id: int, fields: dict[str, str], **kwargs: Any
) -> Any:
    token = csrf(client, f"/objectives/{objective_id}")
    return client.post(
        f"/objectives/{objective_id}/assessments",
        data={**fields, "csrf_token": token},
        follow_redirects=False,
        **kwargs,
    )


# ---------------------------------------------------------------------------------------------
# The overview


def test_the_overview_counts_each_theme_and_draws_the_chart_with_its_table(staff, ids):
    page = staff.get(f"/plans/{ids['plan']}")
    assert page.status_code == 200
    html = page.text
    assert f"{PLAN_TITLE}</h1>" in html
    # Default period: the latest with ratings (Q3, open).
    assert re.search(r"Ratings in 2020-21 Q3\s*<strong[^>]*>Open</strong>", html)
    # Q3 patterns for theme 1: Green, Green, Amber, Complete, Red.
    assert theme_row(html, "Viable Partnerships") == [2, 1, 1, 1, 0, 5]
    # Theme 2's first objective has never been rated.
    assert theme_row(html, "Visible Policing")[4] == 1
    totals = re.search(r"All themes</th>(.*?)</tr>", html, flags=re.S)
    assert totals is not None
    numbers = [int(n) for n in re.findall(r"<strong>(\d+)</strong>", totals.group(1))]
    assert sum(numbers[:5]) == numbers[5] == 25 and numbers[4] == len(NEVER_RATED)
    # The chart: inline SVG with role img, a title, a description, bars per rating.
    svg = re.search(r"<svg class=\"oversight-chart\".*?</svg>", html, flags=re.S)
    assert svg is not None
    chart = svg.group(0)
    assert 'role="img"' in chart and 'aria-labelledby="rag-chart-title rag-chart-desc"' in chart
    assert '<title id="rag-chart-title">Ratings by theme, 2020-21 Q3</title>' in chart
    assert (
        "<desc" in chart and "Viable Partnerships: 2 Green, 1 Amber, 1 Red and 1 Complete" in chart
    )
    assert chart.count("oversight-chart__bar--green") >= 5 and "style=" not in chart
    # The text summary and the table beside it.
    assert "In 2020-21 Q3, the 25 objectives of this plan stand at" in html
    assert "Number of objectives by rating and theme, 2020-21 Q3</caption>" in html
    # Ratings are tags with words, never colour alone.
    for tag in (GREEN_TAG, AMBER_TAG, RED_TAG, COMPLETE_TAG, NOT_RATED_TAG):
        assert tag in html


def test_a_new_rating_shows_on_an_overview_already_seen(staff, ids):
    """The report is kept under the database's generation (web/plan_views.py): a rating
    changes the generation, so the next view shows it."""
    before = staff.get(f"/plans/{ids['plan']}").text
    assert staff.get(f"/plans/{ids['plan']}").text == before  # the kept report, same page
    assert theme_row(before, "Visible Policing")[4] == 1
    never_rated = ids[NEVER_RATED[0]]
    response = post_assessment(staff, never_rated, assessment_form(rating="green"))
    assert response.status_code == 303, response.text
    after = staff.get(f"/plans/{ids['plan']}").text
    assert theme_row(after, "Visible Policing")[4] == 0
    assert theme_row(after, "Visible Policing")[0] == theme_row(before, "Visible Policing")[0] + 1


def test_each_objective_shows_rating_direction_date_and_its_reason_one_click_away(staff, ids):
    html = staff.get(f"/plans/{ids['plan']}").text
    row = html[html.index(f'href="/objectives/{ids["1.5"]}"') :]
    row = row[: row.index("</tr>")]
    # 1.5: Amber, Amber, Red → Red in Q3, declining, with the reason in a details element.
    assert RED_TAG in row
    assert '<span aria-hidden="true">↓</span> Declining' in row
    assert '<details class="govuk-details' in row and "Why Red?" in row
    assert "needs intervention; the PCC has asked for a recovery plan" in row
    assert "18 March 2024" in row  # last assessed (the demo's clock)
    improving = html[html.index(f'href="/objectives/{ids["1.1"]}"') :]
    assert '<span aria-hidden="true">↑</span> Improving' in improving[: improving.index("</tr>")]
    never = html[html.index(f'href="/objectives/{ids["2.1"]}"') :]
    never = never[: never.index("</tr>")]
    assert NOT_RATED_TAG in never and "<details" not in never and "Not in this period" in never


def test_the_period_can_be_switched_and_htmx_gets_only_the_block(staff, ids):
    html = staff.get(f"/plans/{ids['plan']}?period=2020-21-Q1").text
    assert re.search(r"Ratings in 2020-21 Q1\s*<strong[^>]*>Published</strong>", html)
    # Q1 patterns for theme 1: Red, Green, Green, Amber, Amber.
    assert theme_row(html, "Viable Partnerships") == [2, 2, 1, 0, 0, 5]
    assert '<option value="2020-21-Q1" selected>' in html
    fragment = staff.get(f"/plans/{ids['plan']}?period=2020-21-Q2", headers=HTMX)
    assert fragment.status_code == 200 and fragment.headers["vary"] == "HX-Request"
    assert fragment.text.strip().startswith('<div id="plan-overview">')
    assert "<html" not in fragment.text and "Ratings in 2020-21 Q2" in fragment.text
    assert staff.get(f"/plans/{ids['plan']}?period=2031-32-Q1").status_code == 404


def test_the_plans_page_lists_the_plan_and_the_nav_points_to_it(staff, ids):
    html = staff.get("/plans").text
    assert f'<a class="govuk-link" href="/plans/{ids["plan"]}">{PLAN_TITLE}</a>' in html
    # The demo plan ran to 31 March 2021: it shows as ended, though still marked active.
    assert '<strong class="govuk-tag govuk-tag--grey">Ended</strong>' in html
    assert ">Active</strong>" not in html
    assert 'class="govuk-service-navigation__link" href="/plans"' in html
    assert 'class="govuk-service-navigation__link" href="/periods"' in html


# ---------------------------------------------------------------------------------------------
# What changed, and not yet assessed


def test_what_changed_lists_only_objectives_whose_rating_moved(staff, ids):
    html = staff.get(f"/plans/{ids['plan']}/changes?period=2020-21-Q3").text
    assert "2020-21 Q3 compared with 2020-21 Q2" in html
    changed = objective_codes(html)
    # Improving (A→G, G→Complete) and declining (A→R) objectives; stable ones are left out.
    for code in ("1.1", "1.4", "1.5"):
        assert code in changed
    for code in ("1.2", "1.3", *NEVER_RATED):
        assert code not in changed
    row = html[html.index(f'href="/objectives/{ids["1.4"]}"') :]
    row = row[: row.index("</tr>")]
    assert row.index(GREEN_TAG) < row.index(COMPLETE_TAG) and "Improving" in row
    assert "in 2020-21 Q2" in row and "Why Complete?" in row
    # In Q1 every rated objective is new.
    first = staff.get(f"/plans/{ids['plan']}/changes?period=2020-21-Q1").text
    assert len(objective_codes(first)) == 25 - len(NEVER_RATED)
    assert "New</span>" in first


def test_not_assessed_lists_the_objectives_without_a_rating_this_period(staff, ids):
    html = staff.get(f"/plans/{ids['plan']}/not-assessed").text
    assert "2020-21 Q3" in html  # the open period by default
    assert objective_codes(html) == NEVER_RATED
    assert "4 of 25 objectives have no rating for 2020-21 Q3" in html
    assert "Never rated" in html
    assert f'href="/objectives/{ids["2.1"]}?period=2020-21-Q3#new-assessment"' in html


def test_a_new_period_shows_every_objective_not_yet_assessed_with_its_last_rating(
    session, staff, ids
):
    plan.create_period(session, SYSTEM, "2020-21-Q4", now=NOW)
    html = staff.get(f"/plans/{ids['plan']}/not-assessed").text
    assert "25 of 25 objectives have no rating for 2020-21 Q4" in html
    row = html[html.index(f'href="/objectives/{ids["1.5"]}"') :]
    assert RED_TAG in row[: row.index("</tr>")] and "in 2020-21 Q3" in row
    # The overview still opens on the latest period that has ratings.
    assert "Ratings in 2020-21 Q3" in staff.get(f"/plans/{ids['plan']}").text


# ---------------------------------------------------------------------------------------------
# The objective page and the new assessment form


def test_the_objective_page_shows_a_timeline_newest_first_with_reasons(staff, ids):
    page = staff.get(f"/objectives/{ids['1.1']}")
    assert page.status_code == 200
    html = page.text
    assert "1.1 Lead the Strategic Partnership Board" in html
    assert '<div class="moj-timeline">' in html
    titles = re.findall(
        r'<h3 class="moj-timeline__title">(2020-21 Q\d): <strong[^>]*>(\w+)</strong>', html
    )
    assert titles == [("2020-21 Q3", "Green"), ("2020-21 Q2", "Amber"), ("2020-21 Q1", "Red")]
    assert "Lead to report a recovery plan to the next board." in html  # next steps
    assert "Why Green" in html and "Delivery is on track" in html  # current reason, no click
    # A writer gets the form, with the open period chosen.
    assert 'id="new-assessment"' in html
    assert '<option value="2020-21-Q3" selected>' in html
    assert 'name="expected_date-day"' in html and 'name="evidence_links"' in html
    # The correction reason appears only for a published period.
    assert 'name="correction_reason"' not in html


def test_amber_without_next_steps_is_422_with_the_input_kept_and_nothing_saved(
    staff, ids, assessments_of
):
    before = assessments_of(ids["2.1"])
    response = post_assessment(
        staff,
        ids["2.1"],
        assessment_form(
            next_steps="",
            **{"expected_date-day": "", "expected_date-month": "", "expected_date-year": ""},
        ),
    )
    assert response.status_code == 422
    html = response.text
    assert "There is a problem" in html and "<title>Error: " in html
    assert 'href="#next_steps">Enter the next steps for an Amber rating' in html
    assert 'href="#expected_date">Enter the expected date for an Amber rating' in html
    assert 'class="govuk-error-message"' in html
    assert GOOD_RATIONALE in html  # the input is kept
    assert re.search(r'value="amber"\s+checked', html) or 'value="amber" checked' in html
    assert assessments_of(ids["2.1"]) == before == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rationale": "tbc"}, "rationale", "Give the actual reason for this rating"),
        ({"rationale": "See above."}, "rationale", "Give the actual reason for this rating"),
        ({"rationale": ""}, "rationale", "Enter the reason for this rating"),
        ({"rationale": "On track"}, "rationale", "Rationale must be a real sentence"),
        ({"rating": ""}, "rating", "Select a rating"),
        ({"delivery_stage": ""}, "delivery_stage", "Select the delivery stage"),
        (
            {"rating": "blue", "delivery_stage": "in_delivery"},
            "delivery_stage",
            "Select Delivered as the delivery stage for a Complete rating",
        ),
        (
            {"expected_date-day": "1", "expected_date-month": "9", "expected_date-year": "2020"},
            "expected_date",
            "Expected date must be after 1 October 2020, when 2020-21 Q3 starts",
        ),
        ({"expected_date-month": "13"}, "expected_date", "Expected date must be a real date"),
        ({"evidence_links": "board paper 12"}, "evidence_links", "Evidence link 1 must be"),
        ({"period": "2031-32-Q1"}, "period", "Select the period this rating is for"),
    ],
)
def test_every_rule_is_an_inline_error_and_nothing_is_saved(
    staff, ids, assessments_of, fields, field, message
):
    response = post_assessment(staff, ids["3.2"], assessment_form(**fields))
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert f'href="#{field}">{message}' in response.text
    assert assessments_of(ids["3.2"]) == []


def summary_links(html: str) -> list[tuple[str, str]]:
    """The error summary's (field, message) pairs, in order."""
    summary = html[html.index('class="govuk-error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    return re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary)


def test_one_submit_reports_every_fault_in_the_form_order_with_the_input_kept(
    staff, ids, assessments_of
):
    fields = assessment_form(
        rationale="tbc",
        delivery_stage="",
        next_steps="",
        evidence_links="board paper 12",
        correction_reason="It was wrong",
        **{"expected_date-month": "13"},
    )
    response = post_assessment(staff, ids["3.2"], fields)
    assert response.status_code == 422
    html = response.text
    assert summary_links(html) == [
        ("next_steps", "Enter the next steps for an Amber rating"),
        ("expected_date", "Expected date must be a real date"),
        (
            "rationale",
            "Give the actual reason for this rating, not a placeholder such as n/a, tbc or "
            "see above",
        ),
        ("delivery_stage", "Select the delivery stage"),
        (
            "evidence_links",
            "Evidence link 1 must be a web address starting with https://, one link on each line",
        ),
        ("correction_reason", "Reason for correction is only for correcting a published period"),
    ]
    # Each link lands on a field that is on the page, and each field says its own error.
    for field, _ in summary_links(html):
        assert f'id="{field}"' in html, field
    assert html.count('class="govuk-error-message"') == 6
    # The month box is the one marked; everything typed is still there.
    assert re.search(r'govuk-input--error" id="expected_date-month"[^>]*value="13"', html)
    assert re.search(r'--width-2" id="expected_date" name="expected_date-day"', html)
    assert ">tbc</textarea>" in html
    assert ">board paper 12</textarea>" in html and ">It was wrong</textarea>" in html
    assert re.search(r'value="amber"\s+checked', html)
    assert assessments_of(ids["3.2"]) == []


def test_a_red_correction_hears_every_missing_piece_at_once(staff, ids, assessments_of):
    objective = ids["1.2"]  # rated in the published 2020-21 Q2
    fields = assessment_form(
        "2020-21-Q2",
        rating="red",
        next_steps="",
        **{"expected_date-day": "", "expected_date-month": "", "expected_date-year": ""},
    )
    response = post_assessment(staff, objective, fields)
    assert response.status_code == 422
    assert summary_links(response.text) == [
        ("next_steps", "Enter the next steps for a Red rating"),
        ("expected_date", "Enter the expected date for a Red rating"),
        (
            "correction_reason",
            "Enter the reason for correcting this rating: 2020-21 Q2 is published",
        ),
    ]
    assert 'name="correction_reason"' in response.text
    assert len(assessments_of(objective)) == 3


def test_no_rating_chosen_still_reports_the_date_and_the_reason(staff, ids, assessments_of):
    fields = assessment_form(
        rating="", rationale="", **{"expected_date-day": "32", "expected_date-year": "21"}
    )
    response = post_assessment(staff, ids["3.2"], fields)
    assert response.status_code == 422
    assert [field for field, _ in summary_links(response.text)] == [
        "rating",
        "expected_date",
        "rationale",
    ]
    assert "Select a rating" in response.text
    assert assessments_of(ids["3.2"]) == []


def test_next_steps_and_the_expected_date_are_revealed_under_amber_and_red(staff, ids):
    html = staff.get(f"/objectives/{ids['2.1']}").text
    form = html[html.index('id="new-assessment"') :]
    radios = re.findall(r'<input class="govuk-radios__input" id="(rating[-\d]*)"[^>]*>', form)
    assert radios == ["rating", "rating-2", "rating-3", "rating-4"]
    revealing = re.findall(r'value="(\w+)"[^>]*data-oversight-reveals="rating-conditional"', form)
    assert revealing == ["amber", "red"]
    # GOV.UK's conditional markup, right after Red and before Complete, holding both fields;
    # hidden (with JavaScript) while no rating is chosen, shown without JavaScript.
    reveal = re.search(
        r'<div class="govuk-radios__conditional( govuk-radios__conditional--hidden)?" '
        r'id="rating-conditional">(.*?)<div class="govuk-radios__item">\s*<input[^>]*value="blue"',
        form,
        flags=re.S,
    )
    assert reveal is not None
    assert reveal.group(1) == " govuk-radios__conditional--hidden"
    assert 'name="next_steps"' in reveal.group(2) and 'name="expected_date-day"' in reveal.group(2)
    assert form.index('value="red"') < form.index('id="rating-conditional"')
    # The radios are not GOV.UK's module (it reveals one block per radio): oversight.js is.
    assert 'data-module="govuk-radios"' not in form[: form.index('id="rating-conditional"')]
    # After an Amber error the block is open.
    bad = post_assessment(staff, ids["2.1"], assessment_form(next_steps="")).text
    assert '<div class="govuk-radios__conditional" id="rating-conditional">' in bad


def test_the_expected_date_hint_gives_a_date_near_today(staff, ids):
    html = staff.get(f"/objectives/{ids['2.1']}").text
    hint = re.search(r'id="expected_date-date-hint" class="govuk-hint">\s*([^<]*?)\s*<', html)
    assert hint is not None
    example = date_example(90)
    assert hint.group(1) == (
        f"Needed for Amber and Red: when it should be back on track. For example, {example}"
    )
    year = int(example.rsplit(" ", 1)[1])
    assert clock.today().year <= year <= clock.today().year + 1


def test_a_green_rating_keeps_nothing_of_the_hidden_next_steps_and_date(staff, ids, database):
    fields = assessment_form(
        rating="green",
        delivery_stage="in_delivery",
        next_steps="Typed under Amber, then Green was chosen",
        **{"expected_date-month": "13"},  # not asked for, so not an error either
    )
    assert post_assessment(staff, ids["3.2"], fields).status_code == 303
    with database.session() as s:
        saved = s.exec(select(Assessment).where(Assessment.objective_id == ids["3.2"])).one()
        assert (saved.rating, saved.next_steps, saved.expected_date) == ("green", "", None)


def test_a_valid_assessment_redirects_with_a_message_and_appears(staff, ids, assessments_of):
    response = post_assessment(staff, ids["2.1"], assessment_form())
    assert response.status_code == 303
    assert response.headers["location"] == f"/objectives/{ids['2.1']}"
    page = staff.get(response.headers["location"]).text
    assert "Amber rating for 2020-21 Q3 saved" in page  # the flash
    assert re.search(r"2020-21 Q3: <strong[^>]*>Amber</strong>", page)
    assert GOOD_RATIONALE in page and "https://example.org/rota" in page
    assert "31 March 2021" in page and "Planned (plans in place" in page
    assert assessments_of(ids["2.1"]) == [("amber", GOOD_RATIONALE, "")]
    # The overview now shows it, new this period.
    overview = staff.get(f"/plans/{ids['plan']}").text
    row = overview[overview.index(f'href="/objectives/{ids["2.1"]}"') :]
    row = row[: row.index("</tr>")]
    assert AMBER_TAG in row and "New</span>" in row and GOOD_RATIONALE in row


def test_an_htmx_assessment_gets_the_fragment_only(staff, ids, assessments_of):
    response = post_assessment(staff, ids["4.3"], assessment_form(), headers=HTMX)
    assert response.status_code == 200
    text = response.text.strip()
    assert text.startswith('<div id="objective-detail">') and "<html" not in text
    assert "Amber rating for 2020-21 Q3 saved" in text and GOOD_RATIONALE in text
    assert len(assessments_of(ids["4.3"])) == 1
    # An htmx error is a 422 fragment (the page's htmx config swaps it in).
    bad = post_assessment(staff, ids["4.3"], assessment_form(rationale="n/a"), headers=HTMX)
    assert bad.status_code == 422 and bad.text.strip().startswith('<div id="objective-detail">')
    assert "There is a problem" in bad.text and len(assessments_of(ids["4.3"])) == 1


def test_a_correction_to_a_published_period_needs_a_reason_and_both_stay(
    staff, ids, assessments_of
):
    objective = ids["1.2"]  # Green in Q1, Q2 and Q3
    # Choosing a published period (htmx asks for the field) shows the correction reason.
    field = staff.get(f"/objectives/{objective}?period=2020-21-Q2", headers=HTMX)
    assert field.text.strip().startswith('<div id="correction-slot">')
    assert 'name="correction_reason"' in field.text
    open_field = staff.get(f"/objectives/{objective}?period=2020-21-Q3", headers=HTMX)
    assert 'name="correction_reason"' not in open_field.text

    fields = assessment_form("2020-21-Q2")
    refused = post_assessment(staff, objective, fields)
    assert refused.status_code == 422
    assert (
        'href="#correction_reason">Enter the reason for correcting this rating: '
        "2020-21 Q2 is published"
    ) in refused.text
    assert 'name="correction_reason"' in refused.text
    assert len(assessments_of(objective)) == 3

    reason = "The Q2 return missed the rota delay reported to the board in August."
    done = post_assessment(staff, objective, {**fields, "correction_reason": reason})
    assert done.status_code == 303
    page = staff.get(f"/objectives/{objective}").text
    assert "Correction saved: amber rating for 2020-21 Q2 saved" in page
    assert '<strong class="govuk-tag govuk-tag--purple">Correction</strong>' in page
    assert f'Reason for correction:</strong> <span class="oversight-pre-line">{reason}' in page
    assert '<strong class="govuk-tag govuk-tag--grey">Replaced</strong>' in page  # the original
    assert [a[0] for a in assessments_of(objective)] == ["green", "green", "green", "amber"]


def test_a_correction_reason_on_an_open_period_is_refused(staff, ids, assessments_of):
    response = post_assessment(
        staff, ids["5.4"], assessment_form(correction_reason="Because it was wrong before")
    )
    assert response.status_code == 422
    assert "Reason for correction is only for correcting a published period" in response.text
    assert assessments_of(ids["5.4"]) == []


def test_missing_csrf_token_is_refused_and_nothing_saved(staff, ids, assessments_of):
    response = staff.post(
        f"/objectives/{ids['5.4']}/assessments", data=assessment_form(), follow_redirects=False
    )
    assert response.status_code == 403
    assert assessments_of(ids["5.4"]) == []


# ---------------------------------------------------------------------------------------------
# Periods and publishing


def test_periods_are_listed_with_status_tags_and_staff_may_publish_the_open_one(staff):
    html = staff.get("/periods").text
    assert '<strong class="govuk-tag govuk-tag--green">Published</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--blue">Open</strong>' in html
    assert 'href="/periods/2020-21-Q3/publish"' in html
    assert 'href="/periods/2020-21-Q2/publish"' not in html  # already published
    assert 'action="/periods"' in html  # the form to add one


def test_publishing_asks_first_then_freezes_the_period(staff, period_status):
    confirm = staff.get("/periods/2020-21-Q3/publish")
    assert confirm.status_code == 200
    assert "Are you sure you want to publish 2020-21 Q3?" in confirm.text
    assert "Its ratings will be frozen" in confirm.text
    assert period_status("2020-21-Q3") == "open"  # nothing happens on GET
    version = re.search(r'name="version" value="(\d+)"', confirm.text)
    assert version is not None
    token = csrf(staff, "/periods")
    done = staff.post(
        "/periods/2020-21-Q3/publish",
        data={"version": version.group(1), "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/periods/2020-21-Q3/publish"
    assert period_status("2020-21-Q3") == "published"
    published = staff.get(done.headers["location"]).text
    assert "2020-21 Q3 has been published" in published
    assert "2020-21 Q3 is published</h1>" in published
    # Publishing twice is a clear error, and changes nothing.
    again = staff.post(
        "/periods/2020-21-Q3/publish",
        data={"version": version.group(1), "csrf_token": token},
        follow_redirects=False,
    )
    assert again.status_code == 409
    assert "There is a problem" in again.text and "2020-21 Q3 is already published" in again.text
    assert "2020-21 Q3 is published</h1>" in staff.get("/periods/2020-21-Q3/publish").text


def test_publishing_without_the_version_or_the_csrf_token_changes_nothing(staff, period_status):
    token = csrf(staff, "/periods")
    no_version = staff.post("/periods/2020-21-Q3/publish", data={"csrf_token": token})
    assert no_version.status_code == 428
    no_token = staff.post("/periods/2020-21-Q3/publish", data={"version": "1"})
    assert no_token.status_code == 403
    assert period_status("2020-21-Q3") == "open"


@pytest.mark.parametrize("who", ["viewer", "reviewer"])
def test_a_viewer_and_a_complaints_reviewer_may_not_publish(request, who, period_status):
    client: TestClient = request.getfixturevalue(who)
    html = client.get("/periods").text
    assert "2020-21 Q3" in html and "/publish" not in html
    assert client.get("/periods/2020-21-Q3/publish").status_code == 403
    token = csrf(client, "/periods")
    refused = client.post("/periods/2020-21-Q3/publish", data={"version": "1", "csrf_token": token})
    assert refused.status_code == 403
    assert period_status("2020-21-Q3") == "open"


def test_staff_add_a_period_and_a_bad_code_is_explained(staff, period_status):
    token = csrf(staff, "/periods")
    bad = staff.post("/periods", data={"code": "2020-22-Q4", "csrf_token": token})
    assert bad.status_code == 422
    assert 'href="#code">2020-22 is not a financial year' in bad.text
    assert 'value="2020-22-Q4"' in bad.text
    twice = staff.post("/periods", data={"code": "2020-21-Q3", "csrf_token": token})
    assert twice.status_code == 422 and "Period 2020-21-Q3 already exists" in twice.text
    done = staff.post(
        "/periods", data={"code": "2020-21-Q4", "csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert (
        "2020-21 Q4 has been added (1 January 2021 to 31 March 2021)" in staff.get("/periods").text
    )
    assert period_status("2020-21-Q4") == "open"


def test_a_viewer_reads_the_plan_but_gets_no_forms(viewer, ids, assessments_of):
    assert viewer.get(f"/plans/{ids['plan']}").status_code == 200
    page = viewer.get(f"/objectives/{ids['2.1']}").text
    assert "Assessment history" in page and 'id="new-assessment"' not in page
    assert 'action="/periods"' not in viewer.get("/periods").text
    refused = post_assessment(viewer, ids["2.1"], assessment_form())
    assert refused.status_code == 403 and assessments_of(ids["2.1"]) == []


def test_the_force_liaison_sees_no_plan_pages_and_no_plan_navigation(liaison, ids):
    home = liaison.get("/").text
    assert 'href="/plans"' not in home and 'href="/periods"' not in home
    assert "RAG summary" not in home
    for path in (
        "/plans",
        f"/plans/{ids['plan']}",
        f"/plans/{ids['plan']}/changes",
        f"/plans/{ids['plan']}/not-assessed",
        f"/objectives/{ids['1.1']}",
        "/periods",
        "/periods/2020-21-Q3/publish",
    ):
        assert liaison.get(path).status_code == 403, path


def test_home_shows_the_rag_summary_to_those_who_read_the_plan(staff, viewer, ids):
    for client in (staff, viewer):
        html = client.get("/").text
        assert "RAG summary" in html
        assert f'href="/plans/{ids["plan"]}?period=2020-21-Q3"' in html
        summary = html[html.index("RAG summary") :]
        summary = summary[: summary.index("</ul>")]
        assert f"{NOT_RATED_TAG} {len(NEVER_RATED)}" in summary and GREEN_TAG in summary


# ---------------------------------------------------------------------------------------------
# Pages fit the role; publishing says what it leaves out; the next period in one click


@pytest.mark.parametrize("role", list(Role))
def test_period_forms_show_only_to_roles_whose_submission_is_accepted(web_as, role):
    client: TestClient = web_as(role)
    acting = user_actor(user_id=1, label="someone", role=role)
    page = client.get("/periods")
    if not policy.can_read(acting):
        assert page.status_code == 403
        return
    html = page.text
    assert ('action="/periods"' in html) is policy.can_write(acting)
    assert ("Add a reporting period" in html) is policy.can_write(acting)
    assert ("/publish" in html) is policy.can_publish(acting)
    publish = client.get("/periods/2020-21-Q3/publish")
    assert publish.status_code == (200 if policy.can_publish(acting) else 403)
    overview = client.get(f"/plans/{_plan_id(client)}/not-assessed").text
    assert ("Assess<span" in overview) is policy.can_write(acting)


def _plan_id(client: TestClient) -> str:
    found = re.search(r'href="/plans/(\d+)"', client.get("/plans").text)
    assert found is not None
    return found.group(1)


def test_the_complaints_reviewer_sees_no_publishing_and_the_viewer_no_period_forms(
    reviewer, viewer
):
    reviewing = reviewer.get("/periods").text
    assert "/publish" not in reviewing and ">Publish<" not in reviewing
    # A reviewer may add periods (write:plan, as the API allows): that form stays.
    assert 'action="/periods"' in reviewing
    viewing = viewer.get("/periods").text
    assert 'action="/periods"' not in viewing and "Add the next period" not in viewing
    assert "/publish" not in viewing


def test_the_publish_page_names_each_objective_not_yet_rated_with_a_link_to_rate_it(
    staff, ids, assessments_of
):
    html = staff.get("/periods/2020-21-Q3/publish").text
    assert "4 objectives not yet rated for 2020-21 Q3</h2>" in html
    listed = re.findall(
        r'<a class="govuk-link" href="/objectives/(\d+)\?period=2020-21-Q3#new-assessment">'
        r"(\d+\.\d+) ",
        html,
    )
    assert [code for _, code in listed] == NEVER_RATED
    assert [int(i) for i, _ in listed] == [ids[code] for code in NEVER_RATED]
    # The link opens the rating form with the period chosen.
    form = staff.get(f"/objectives/{ids['2.1']}?period=2020-21-Q3").text
    assert '<option value="2020-21-Q3" selected>' in form and 'id="new-assessment"' in form
    # Once rated, an objective leaves the list.
    assert post_assessment(staff, ids["2.1"], assessment_form()).status_code == 303
    after = staff.get("/periods/2020-21-Q3/publish").text
    assert "3 objectives not yet rated for 2020-21 Q3" in after
    assert f'href="/objectives/{ids["2.1"]}?period' not in after


def test_publishing_a_fully_rated_period_says_so(session, staff, ids):
    for code in NEVER_RATED:
        ratings.add_assessment(
            session,
            SYSTEM,
            ids[code],
            AssessmentCreate(
                period="2020-21-Q3",
                rating=Rating.GREEN,
                rationale=GOOD_RATIONALE,
                delivery_stage=DeliveryStage.IN_DELIVERY,
            ),
            now=NOW,
        )
    html = staff.get("/periods/2020-21-Q3/publish").text
    assert "Every objective of the active plans has a rating for 2020-21 Q3." in html
    assert "not yet rated for" not in html


def test_after_publishing_the_next_period_is_added_in_one_click(staff, period_status, database):
    confirm = staff.get("/periods/2020-21-Q3/publish").text
    assert "Add the next period" not in confirm  # only once it is published
    version = re.search(r'name="version" value="(\d+)"', confirm)
    assert version is not None
    token = csrf(staff, "/periods")
    done = staff.post(
        "/periods/2020-21-Q3/publish",
        data={"version": version.group(1), "csrf_token": token},
    )
    html = done.text
    assert "2020-21 Q3 is published</h1>" in html
    offer = re.search(
        r'<form method="post" action="/periods" novalidate>(.*?)</form>', html, flags=re.S
    )
    assert offer is not None
    assert 'name="csrf_token"' in offer.group(1)
    assert '<input type="hidden" name="code" value="2020-21-Q4">' in offer.group(1)
    assert "Add the next period (2020-21 Q4)</button>" in offer.group(1)
    assert "1 January 2021 to 31 March 2021" in html

    before = audit_count(database)
    added = staff.post(
        "/periods", data={"code": "2020-21-Q4", "csrf_token": token}, follow_redirects=False
    )
    assert added.status_code == 303 and added.headers["location"] == "/periods"
    assert period_status("2020-21-Q4") == "open"
    assert audit_count(database) == before + 1
    with database.session() as s:
        codes = [p.code for p in s.exec(select(ReportingPeriod)).all()]
    assert sorted(codes) == ["2020-21-Q1", "2020-21-Q2", "2020-21-Q3", "2020-21-Q4"]
    # /periods says so and offers the one after; the published page no longer offers it.
    periods = staff.get("/periods").text
    assert "2020-21 Q4 has been added (1 January 2021 to 31 March 2021)" in periods
    assert "Add the next period (2021-22 Q1)</button>" in periods
    assert '<input type="hidden" name="code" value="2021-22-Q1">' in periods
    assert "Add the next period" not in staff.get("/periods/2020-21-Q3/publish").text


def test_the_next_period_rolls_over_the_financial_year(session, staff):
    plan.create_period(session, SYSTEM, "2020-21-Q4", now=NOW)
    html = staff.get("/periods").text
    assert "The next period, 2021-22 Q1, runs from 1 April 2021 to 30 June 2021." in html
    assert "Add the next period (2021-22 Q1)</button>" in html
    # The code box is for any other period: its example is not the one the button adds.
    assert "for example 2021-22-Q2 (July to September 2021)" in html


def test_an_ended_plan_shows_as_ended_on_its_page_and_a_current_one_does_not(session, staff, ids):
    html = staff.get(f"/plans/{ids['plan']}").text
    assert '<strong class="govuk-tag govuk-tag--grey">Ended</strong> From 1 April 2017' in html
    # An ended plan's objectives can still be rated for the periods it covered.
    assert 'id="new-assessment"' in staff.get(f"/objectives/{ids['1.1']}").text
    current = plan.create_plan(
        session,
        SYSTEM,
        PlanCreate(
            title="Police and Crime Plan 2024–29",
            starts_on=date(2024, 5, 1),
            ends_on=clock.today() + timedelta(days=365),
            status=PlanStatus.ACTIVE,
        ),
        now=NOW,
    )
    listed = staff.get("/plans").text
    row = listed[listed.index(f'href="/plans/{current.id}"') :]
    assert '<strong class="govuk-tag govuk-tag--green">Active</strong>' in row[: row.index("</tr>")]
    assert ">Ended</strong>" in listed


def test_narrow_tables_use_short_organisation_names_and_mark_secondary_columns(staff, ids):
    html = staff.get(f"/plans/{ids['plan']}").text
    row = html[html.index(f'href="/objectives/{ids["1.1"]}"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="govuk-table__cell oversight-plan-secondary">OPCC<br>' in row
    assert "Office of the Police and Crime Commissioner for" not in row
    # On a narrow screen the direction moves under the rating (its own column gives way).
    assert '<span class="oversight-plan-narrow"><br><span class="oversight-direction">' in row
    assert "Last assessed" in html and 'oversight-plan-secondary">Last assessed' in html
    # The seven-column counts table scrolls inside its own labelled, focusable region.
    assert re.search(
        r'<div class="oversight-table-scroll" tabindex="0" role="region" aria-label="[^"]+">\s*'
        r'<table class="govuk-table oversight-compact-table">\s*<caption[^>]*>Number of',
        html,
    )
