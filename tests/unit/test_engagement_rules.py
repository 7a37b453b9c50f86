"""The engagement rules: what a visit may record, when a public line may be shown (the
pre-election period boundaries, with an injected today), and the counts behind coverage."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.engagement.rules import (
    KIND_LABELS,
    LEAD_LABELS,
    LINE_OUTCOME_LABELS,
    MAX_DAYS_AHEAD,
    CoverageCount,
    EngagementKind,
    Lead,
    LineOutcome,
    PeriodSpan,
    attendance_faults,
    check_attendance,
    check_held_on,
    check_line,
    check_no_overlap,
    check_period,
    check_range,
    coverage_rows,
    in_force,
    line_faults,
    line_hidden,
    line_status_matches,
    month_keys,
)
from domain.errors import Invalid

TODAY = date(2024, 4, 10)
ELECTION = PeriodSpan(date(2024, 3, 24), date(2024, 5, 3))
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def locs(caught: pytest.ExceptionInfo[Invalid]) -> list[tuple]:
    return [e.loc for e in caught.value.errors]


def test_every_kind_lead_and_outcome_has_a_label():
    assert set(KIND_LABELS) == set(EngagementKind)
    assert set(LEAD_LABELS) == set(Lead)
    assert set(LINE_OUTCOME_LABELS) == set(LineOutcome)
    assert KIND_LABELS[EngagementKind.PARISH_SURGERY] == "Parish council surgery"


# Dates and attendance -------------------------------------------------------------------------


def test_an_engagement_may_be_dated_up_to_a_year_ahead_and_any_time_before():
    check_held_on(TODAY + timedelta(days=MAX_DAYS_AHEAD), TODAY)
    check_held_on(date(2001, 1, 1), TODAY)
    with pytest.raises(Invalid) as caught:
        check_held_on(TODAY + timedelta(days=MAX_DAYS_AHEAD + 1), TODAY)
    assert locs(caught) == [("held_on",)]


@pytest.mark.parametrize(
    "kind", [k for k in EngagementKind if k is not EngagementKind.PARISH_SURGERY]
)
def test_only_a_parish_surgery_records_councils(kind):
    check_attendance(kind, None, None)
    with pytest.raises(Invalid) as caught:
        check_attendance(kind, 10, 5)
    assert locs(caught) == [("councils_invited",), ("councils_attended",)]


def test_councils_attended_cannot_exceed_the_councils_invited():
    surgery = EngagementKind.PARISH_SURGERY
    check_attendance(surgery, 23, 7)
    check_attendance(surgery, 46, 46)
    check_attendance(surgery, None, None)
    check_attendance(surgery, 19, None)
    with pytest.raises(Invalid) as caught:
        check_attendance(surgery, 19, 20)
    assert caught.value.errors[0].loc == ("councils_attended",)
    assert caught.value.errors[0].msg == "cannot be more than the councils invited"
    assert [e.loc for e in attendance_faults(surgery, None, 3)] == [("councils_invited",)]
    assert attendance_faults("parish_surgery", 5, 6)  # the stored string works as well


@given(st.integers(0, 200), st.integers(0, 200))
def test_attendance_is_refused_exactly_when_more_attended_than_were_invited(invited, attended):
    faults = attendance_faults(EngagementKind.PARISH_SURGERY, invited, attended)
    assert bool(faults) is (attended > invited)


def test_a_range_reads_forwards():
    check_range(TODAY, TODAY)
    with pytest.raises(Invalid) as caught:
        check_range(TODAY, TODAY - timedelta(days=1))
    assert locs(caught) == [("from",)]


# Pre-election periods -------------------------------------------------------------------------


def test_a_period_is_in_force_from_its_first_day_to_its_last():
    assert not in_force(ELECTION, date(2024, 3, 23))
    assert in_force(ELECTION, date(2024, 3, 24))
    assert in_force(ELECTION, date(2024, 5, 3))
    assert not in_force(ELECTION, date(2024, 5, 4))
    open_ended = PeriodSpan(date(2024, 3, 24), None)
    assert in_force(open_ended, date(2030, 1, 1))
    assert not in_force(open_ended, date(2024, 3, 23))


def test_a_period_cannot_end_before_it_starts():
    check_period(date(2024, 3, 24), None)
    check_period(date(2024, 3, 24), date(2024, 3, 24))
    with pytest.raises(Invalid) as caught:
        check_period(date(2024, 3, 24), date(2024, 3, 23))
    assert locs(caught) == [("ends_on",)]


def test_periods_never_overlap():
    others = [ELECTION]
    check_no_overlap(PeriodSpan(date(2024, 1, 1), date(2024, 3, 23)), others)  # ends the day before
    check_no_overlap(PeriodSpan(date(2024, 5, 4), None), others)  # starts the day after
    for clash in (
        PeriodSpan(date(2024, 5, 3), date(2024, 6, 1)),  # shares the last day
        PeriodSpan(date(2024, 1, 1), date(2024, 3, 24)),  # shares the first day
        PeriodSpan(date(2024, 4, 1), date(2024, 4, 2)),  # inside
        PeriodSpan(date(2024, 1, 1), None),  # open-ended, starting before
    ):
        with pytest.raises(Invalid) as caught:
            check_no_overlap(clash, others)
        assert locs(caught) == [("starts_on",)]
        assert "24 March 2024" in caught.value.errors[0].msg


def test_an_open_ended_period_overlaps_everything_after_its_start():
    open_ended = [PeriodSpan(date(2028, 3, 1), None)]
    check_no_overlap(PeriodSpan(date(2028, 1, 1), date(2028, 2, 29)), open_ended)
    with pytest.raises(Invalid):
        check_no_overlap(PeriodSpan(date(2040, 1, 1), date(2040, 1, 2)), open_ended)


def test_a_line_told_on_the_first_day_of_a_period_in_force_is_hidden():
    assert line_hidden(ELECTION.starts_on, [ELECTION], TODAY)
    assert line_hidden(date(2024, 4, 9), [ELECTION], TODAY)


def test_a_line_told_the_day_before_the_period_stays_visible():
    assert not line_hidden(ELECTION.starts_on - timedelta(days=1), [ELECTION], TODAY)


def test_everything_is_visible_again_once_the_period_has_ended():
    ended_yesterday = PeriodSpan(date(2024, 3, 24), TODAY - timedelta(days=1))
    assert not line_hidden(date(2024, 3, 30), [ended_yesterday], TODAY)
    ends_today = PeriodSpan(date(2024, 3, 24), TODAY)
    assert line_hidden(date(2024, 3, 30), [ends_today], TODAY)


def test_an_open_ended_period_hides_until_it_is_given_an_end():
    open_ended = PeriodSpan(date(2024, 3, 24), None)
    assert line_hidden(date(2024, 3, 24), [open_ended], date(2025, 1, 1))
    assert not line_hidden(date(2024, 3, 23), [open_ended], date(2025, 1, 1))


def test_a_period_not_yet_started_hides_nothing():
    planned = PeriodSpan(TODAY + timedelta(days=1), None)
    assert not line_hidden(TODAY, [planned], TODAY)
    assert not line_hidden(TODAY, [], TODAY)


@given(days, st.lists(st.tuples(days, st.one_of(st.none(), days)), max_size=4), days)
def test_a_line_is_hidden_exactly_when_a_period_in_force_started_on_or_before_it(
    told_on, raw, today
):
    periods = [PeriodSpan(start, end) for start, end in raw if end is None or end >= start]
    expected = any(
        p.starts_on <= today
        and (p.ends_on is None or today <= p.ends_on)
        and p.starts_on <= told_on
        for p in periods
    )
    assert line_hidden(told_on, periods, today) is expected
    if line_hidden(told_on, periods, today):
        # anything told later is hidden too: the feed shows nothing after the start
        assert line_hidden(told_on + timedelta(days=1), periods, today)


# Closing the loop -----------------------------------------------------------------------------


def line(**overrides):
    values = {
        "action_status": "done",
        "public": True,
        "line": "You said, we did.",
        "outcome": LineOutcome.DONE,
        "reason": "",
        "told_on": TODAY,
        "today": TODAY,
    }
    return {**values, **overrides}


def test_a_complete_done_line_on_a_done_public_action_passes():
    check_line(**line())


def test_a_not_doing_line_needs_a_cancelled_action_and_a_reason():
    check_line(**line(action_status="cancelled", outcome=LineOutcome.NOT_DOING, reason="Why"))
    with pytest.raises(Invalid) as caught:
        check_line(**line(action_status="open", outcome=LineOutcome.NOT_DOING, reason=" "))
    assert locs(caught) == [("outcome",), ("reason",)]


def test_a_line_never_claims_done_for_a_cancelled_action():
    with pytest.raises(Invalid) as caught:
        check_line(**line(action_status="cancelled"))
    assert caught.value.errors[0].msg == "a line can only say done when the action is done"


def test_every_fault_of_a_line_is_reported_at_once():
    with pytest.raises(Invalid) as caught:
        check_line(**line(public=False, outcome=None, told_on=None, action_status="open"))
    assert locs(caught) == [("line",), ("outcome",), ("told_on",)]
    assert caught.value.errors[0].msg == (
        "the action is not public: mark it public before writing its public line"
    )
    assert caught.value.errors[2].msg == "give the date the people who raised it were told"


def test_the_people_cannot_have_been_told_tomorrow():
    with pytest.raises(Invalid) as caught:
        check_line(**line(told_on=TODAY + timedelta(days=1)))
    assert locs(caught) == [("told_on",)]


def test_recording_only_when_people_were_told_needs_no_line():
    check_line(**line(line="", outcome=None, action_status="open", public=False))
    check_line(**line(line="", outcome=None, told_on=None, action_status="open", public=False))


def test_an_outcome_needs_the_line_it_belongs_to():
    assert [f.loc for f in line_faults(**line(line="  "))] == [("line",)]


@pytest.mark.parametrize(
    ("outcome", "status", "matches"),
    [
        ("done", "done", True),
        ("done", "in_progress", False),
        ("done", "cancelled", False),
        ("not_doing", "cancelled", True),
        ("not_doing", "done", False),
        ("not_doing", "open", False),
    ],
)
def test_a_published_line_stays_true_to_the_action_status(outcome, status, matches):
    assert line_status_matches(outcome, status) is matches


# Coverage and months --------------------------------------------------------------------------

AREAS = [
    ("blaby", "Blaby", 1, 1),
    ("charnwood", "Charnwood", 0, 2),
    ("melton", "Melton", 0, 3),
]


def test_coverage_lists_every_area_with_zeros_in_area_order():
    rows = coverage_rows(AREAS, {"melton": 3, "charnwood": 1})
    assert rows == [
        CoverageCount("blaby", "Blaby", 0, 1, 1),
        CoverageCount("charnwood", "Charnwood", 1, 0, 2),
        CoverageCount("melton", "Melton", 3, 0, 3),
    ]
    assert [r.unvisited for r in rows] == [True, False, False]


def test_coverage_with_no_engagements_is_all_zeros_and_ignores_unknown_codes():
    assert [r.count for r in coverage_rows(AREAS, {})] == [0, 0, 0]
    assert [r.count for r in coverage_rows(AREAS, {"nowhere": 9})] == [0, 0, 0]
    assert coverage_rows([], {"melton": 1}) == []


def test_month_keys_cover_every_month_the_range_touches():
    assert month_keys(date(2024, 1, 24), date(2024, 3, 24)) == ["2024-01", "2024-02", "2024-03"]
    assert month_keys(date(2023, 11, 30), date(2024, 2, 1)) == [
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
    ]
    assert month_keys(date(2024, 2, 1), date(2024, 2, 29)) == ["2024-02"]
    assert month_keys(date(2024, 3, 1), date(2024, 2, 1)) == []


@given(days, days)
def test_month_keys_are_consecutive_and_bracket_the_range(a, b):
    start, end = min(a, b), max(a, b)
    keys = month_keys(start, end)
    assert len(keys) == (end.year - start.year) * 12 + end.month - start.month + 1
    assert keys[0] == f"{start:%Y-%m}" and keys[-1] == f"{end:%Y-%m}"
    assert keys == sorted(set(keys))
