"""Planned windows: validation and overlap."""

from datetime import UTC, datetime, timedelta

from app.domain.changes import window_contains, window_problems, windows_overlap
from app.domain.errors import ErrorCode

T0 = datetime(2027, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_proper_window_has_no_problems():
    assert window_problems(T0, T0 + HOUR) == []


def test_a_window_that_ends_before_it_starts_names_the_end():
    problems = window_problems(T0 + HOUR, T0)

    assert [(p.field, p.code) for p in problems] == [
        ("window.end", ErrorCode.INVALID_VALUE)
    ]


def test_an_empty_window_is_refused():
    assert window_problems(T0, T0)[0].field == "window.end"


def test_a_missing_start_is_named():
    assert window_problems(None, T0)[0].field == "window.start"


def test_a_time_without_zone_is_refused():
    problems = window_problems(datetime(2027, 1, 1), T0 + HOUR)

    assert problems[0].field == "window.start"


def test_overlapping_windows_overlap_both_ways():
    first, second = (T0, T0 + 3 * HOUR), (T0 + 2 * HOUR, T0 + 4 * HOUR)

    assert windows_overlap(first, second)
    assert windows_overlap(second, first)


def test_a_window_inside_another_overlaps():
    assert windows_overlap((T0, T0 + 4 * HOUR), (T0 + HOUR, T0 + 2 * HOUR))


def test_windows_that_only_touch_do_not_overlap():
    assert not windows_overlap((T0, T0 + HOUR), (T0 + HOUR, T0 + 2 * HOUR))


def test_a_window_contains_its_start_but_not_its_end():
    window = (T0, T0 + HOUR)

    assert window_contains(window, T0)
    assert not window_contains(window, T0 + HOUR)
