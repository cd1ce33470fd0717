from datetime import date, datetime, timezone

from statuspage.domain.pagetime import (
    day_bounds, days_touched, format_time, iso_local, local_date, month_bounds, shift_month, zone,
)

BERLIN = zone("Europe/Berlin")


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def test_unknown_zone_falls_back_to_utc():
    assert zone("Mars/Olympus").key == "UTC"


def test_day_across_spring_dst_change_is_23_hours():
    start, end = day_bounds(date(2026, 3, 29), BERLIN)
    assert start == utc(2026, 3, 28, 23)
    assert end == utc(2026, 3, 29, 22)
    assert (end - start).total_seconds() == 23 * 3600


def test_day_across_autumn_dst_change_is_25_hours():
    start, end = day_bounds(date(2026, 10, 25), BERLIN)
    assert (end - start).total_seconds() == 25 * 3600


def test_local_date_and_midnight_span():
    late = utc(2026, 6, 30, 22, 30)  # 00:30 on 1 July in Berlin (CEST)
    assert local_date(late, BERLIN) == date(2026, 7, 1)
    assert days_touched(utc(2026, 6, 30, 21), utc(2026, 6, 30, 23), BERLIN) == [date(2026, 6, 30), date(2026, 7, 1)]


def test_month_bounds_and_shift():
    start, end = month_bounds(2026, 12, BERLIN)
    assert start == utc(2026, 11, 30, 23)
    assert end == utc(2026, 12, 31, 23)
    assert shift_month(2026, 1, -1) == (2025, 12)
    assert shift_month(2026, 12, 1) == (2027, 1)


def test_formatting_names_the_zone_abbreviation_of_the_moment():
    assert format_time(utc(2026, 3, 29, 0, 30), BERLIN) == "29 Mar 2026, 01:30 CET"
    assert format_time(utc(2026, 3, 29, 1, 30), BERLIN) == "29 Mar 2026, 03:30 CEST"
    assert format_time(None, BERLIN) == ""
    assert iso_local(utc(2026, 1, 2, 3, 4, 5), BERLIN) == "2026-01-02T04:04:05.000+01:00"
    assert iso_local(None, BERLIN) is None
