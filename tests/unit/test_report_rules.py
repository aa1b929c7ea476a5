"""Pure rules of the monthly report: due day, lateness and self-check periods (seed 001)."""

from datetime import date

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
