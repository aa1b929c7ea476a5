"""Pure rules of the monthly report: due day, lateness and self-check periods (seed 001)."""

from datetime import UTC, date, datetime, timedelta

from backend.core.clock import local_day, local_midnight
from backend.reports import rules


def test_a_month_is_due_before_the_25th_of_the_next_month():
    assert rules.report_due_on("2026-11") == date(2026, 12, 25)
    assert rules.report_due_on("2026-12") == date(2027, 1, 25)


def test_the_25th_itself_is_on_time():
    assert not rules.is_late(date(2026, 12, 25), "2026-11")
    assert rules.is_late(date(2026, 12, 26), "2026-11")


def test_the_month_due_is_the_previous_one():
    assert rules.month_due(date(2026, 12, 6)) == "2026-11"
    assert rules.month_due(date(2027, 1, 30)) == "2026-12"


def test_only_ended_periods_are_expected_and_a_check_fills_its_period():
    # November 2026: weeks ending 1, 8, 15, 22, 29 Nov; the week of 30 Nov ends in December
    weekly = rules.periods_done(
        "weekly", [date(2026, 11, 4), date(2026, 11, 5)], date(2026, 11, 1), date(2026, 11, 30)
    )
    assert weekly == (5, 1)
    assert rules.periods_done("daily", [date(2026, 11, 2)], date(2026, 11, 1), date(2026, 11, 3)) == (3, 1)
    assert rules.periods_done("monthly", [], date(2026, 11, 20), date(2026, 11, 30)) == (1, 0)
    assert rules.periods_done("daily", [], date(2026, 12, 2), date(2026, 11, 30)) == (0, 0)


def test_cohort_periods_done_sums_what_each_owner_would_count():
    as_of = date(2026, 11, 30)
    # two enterprises counting from the 1st (one checked in the first week), one registered on the 18th
    checked = [date(2026, 11, 4)]
    owners = {date(2026, 11, 1): 2, date(2026, 11, 18): 1}
    done = {(date(2026, 11, 1), date(2026, 10, 26)): 0, (date(2026, 11, 1), date(2026, 11, 2)): 1}
    one_by_one = [
        rules.periods_done("weekly", checked, date(2026, 11, 1), as_of),
        rules.periods_done("weekly", [], date(2026, 11, 1), as_of),
        rules.periods_done("weekly", [], date(2026, 11, 18), as_of),
    ]
    expected = (sum(e for e, _d in one_by_one), sum(d for _e, d in one_by_one))
    assert rules.cohort_periods_done("weekly", owners, done, as_of) == expected == (12, 1)


def test_cohort_registered_after_the_day_counts_nothing():
    assert rules.cohort_periods_done("daily", {date(2026, 12, 2): 5}, {}, date(2026, 12, 1)) == (0, 0)


def test_local_midnight_is_the_first_moment_of_the_china_day():
    midnight = local_midnight(date(2026, 11, 1))
    assert midnight == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert local_day(midnight) == date(2026, 11, 1)
    assert local_day(midnight - timedelta(microseconds=1)) == date(2026, 10, 31)
