"""Date helpers: timestamp parsing in Asia/Shanghai, look-back windows, posting periods, deadlines.

Expected values are counted by hand; weekdays noted in comments (2023-01-01 is a Sunday, so 2023-01-02
is the first Monday; 2024-01-01 is a Monday).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from govscore.core.dates import (
    SHANGHAI,
    annual_report_on_time,
    is_stale,
    missing_periods,
    months_before,
    parse_date,
    parse_timestamp,
    required_periods,
)

# Messages are asserted in English; the Chinese texts are tested in test_i18n.py.
pytestmark = pytest.mark.usefixtures("english")

D = date


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


# --- parse_timestamp ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-10-07T09:30:00", sh(2023, 10, 7, 9, 30)),
        ("2023-10-07 09:30:00", sh(2023, 10, 7, 9, 30)),
        ("2023-10-07 09:30", sh(2023, 10, 7, 9, 30)),
        ("2023-10-07 9:30", sh(2023, 10, 7, 9, 30)),  # one-digit hour
        ("2023-10-07", sh(2023, 10, 7)),  # a bare date is midnight
        ("2023/10/7", sh(2023, 10, 7)),
        ("2023/10/07 09:30", sh(2023, 10, 7, 9, 30)),
        ("2023年10月7日", sh(2023, 10, 7)),
        ("2023年10月7日 9:30", sh(2023, 10, 7, 9, 30)),
        ("  2023-10-07 09:30  ", sh(2023, 10, 7, 9, 30)),
        # 09:30 UTC is 17:30 in Shanghai (UTC+8, no daylight saving).
        ("2023-10-07T09:30:00+00:00", sh(2023, 10, 7, 17, 30)),
        ("2023-10-07T09:30:00Z", sh(2023, 10, 7, 17, 30)),
        ("2023-10-07T09:30:00+08:00", sh(2023, 10, 7, 9, 30)),
        # 20:00 at UTC-5 = 01:00 UTC next day = 09:00 Shanghai on 10-07.
        ("2023-10-06T20:00:00-05:00", sh(2023, 10, 7, 9, 0)),
    ],
)
def test_parse_timestamp_text(text, expected):
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.tzinfo is SHANGHAI
    assert parsed.replace(tzinfo=None) == expected.replace(tzinfo=None)  # the wall time, not just the instant


def test_parse_timestamp_objects():
    # Naive datetimes are Shanghai wall time.
    assert parse_timestamp(datetime(2023, 10, 7, 9, 30)) == sh(2023, 10, 7, 9, 30)
    # Aware ones are converted: 2023-10-06 17:00 UTC = 2023-10-07 01:00 Shanghai.
    converted = parse_timestamp(datetime(2023, 10, 6, 17, 0, tzinfo=timezone.utc))
    assert converted.replace(tzinfo=None) == datetime(2023, 10, 7, 1, 0)
    # A date is its Shanghai midnight.
    assert parse_timestamp(D(2023, 10, 7)) == sh(2023, 10, 7)


@pytest.mark.parametrize(
    "bad",
    ["", "yesterday", "2023-13-01", "2023-02-30", "2023-10-07 24:00", "2023-10-07T", "07/10/2023",
     "2023-10-079:30", None, 20231007, True],
)
def test_parse_timestamp_rejects(bad):
    with pytest.raises(ValueError):
        parse_timestamp(bad)


def test_parse_timestamp_error_is_readable():
    with pytest.raises(ValueError, match="yesterday"):
        parse_timestamp("yesterday")


# --- parse_date -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(2023, 10, 7), D(2023, 10, 7)),
        ("2023-10-07", D(2023, 10, 7)),
        ("2023/10/7", D(2023, 10, 7)),
        ("2023年10月7日", D(2023, 10, 7)),
        ("2023-10-07 23:59", D(2023, 10, 7)),
        # Shanghai date of an instant stamped in another zone: 20:00 UTC-5 on 10-06 is 10-07 09:00.
        ("2023-10-06T20:00:00-05:00", D(2023, 10, 7)),
        # 16:00 UTC on 10-06 is exactly midnight 10-07 in Shanghai.
        ("2023-10-06T16:00:00Z", D(2023, 10, 7)),
        ("2023-10-06T15:59:59Z", D(2023, 10, 6)),
        (datetime(2023, 10, 6, 17, 0, tzinfo=timezone.utc), D(2023, 10, 7)),
        (datetime(2023, 10, 6, 23, 0), D(2023, 10, 6)),  # naive = Shanghai
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_parse_date_rejects():
    with pytest.raises(ValueError):
        parse_date("not a date")


# --- months_before and is_stale -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "months", "expected"),
    [
        (D(2023, 8, 31), 6, D(2023, 2, 28)),  # February 2023 has 28 days: clamp
        (D(2024, 8, 31), 6, D(2024, 2, 29)),  # 2024 is a leap year
        (D(2023, 12, 31), 6, D(2023, 6, 30)),  # June has 30 days
        (D(2023, 3, 31), 1, D(2023, 2, 28)),
        (D(2024, 1, 15), 2, D(2023, 11, 15)),  # across the year end
        (D(2023, 12, 31), 12, D(2022, 12, 31)),
        (D(2023, 12, 31), 0, D(2023, 12, 31)),
        (D(2024, 2, 29), 12, D(2023, 2, 28)),
    ],
)
def test_months_before(as_of, months, expected):
    assert months_before(as_of, months) == expected


def test_months_before_rejects_negative():
    with pytest.raises(ValueError):
        months_before(D(2023, 12, 31), -1)


@pytest.mark.parametrize(
    ("last_updated", "as_of", "stale"),
    [
        # 6 months before 2023-12-31 is 2023-06-30: that day itself is not "more than 6 months before".
        (D(2023, 6, 30), D(2023, 12, 31), False),
        (D(2023, 6, 29), D(2023, 12, 31), True),
        (D(2023, 12, 1), D(2023, 12, 31), False),
        # 6 months before 2023-08-31 clamps to 2023-02-28.
        (D(2023, 2, 28), D(2023, 8, 31), False),
        (D(2023, 2, 27), D(2023, 8, 31), True),
    ],
)
def test_is_stale(last_updated, as_of, stale):
    assert is_stale(last_updated, as_of, 6) is stale


# --- required_periods -----------------------------------------------------------------------------

Y0, Y1 = D(2023, 1, 1), D(2023, 12, 31)


def test_publishing_weeks_of_2023():
    weeks = required_periods("publishing", Y0, Y1, as_of=Y1)
    # 2023-01-01 is a Sunday, so its week (2022-12-26..2023-01-01) is not wholly inside the period; the
    # first full week is Mon 01-02..Sun 01-08 and the last Mon 12-25..Sun 12-31: 364 days = 52 weeks.
    assert len(weeks) == 52
    assert weeks[0] == (D(2023, 1, 2), D(2023, 1, 8))
    assert weeks[-1] == (D(2023, 12, 25), D(2023, 12, 31))
    assert all(first.weekday() == 0 and (last - first).days == 6 for first, last in weeks)
    assert all(b[0] - a[0] == timedelta(days=7) for a, b in zip(weeks, weeks[1:]))


def test_service_blocks_of_2023():
    blocks = required_periods("service", Y0, Y1, as_of=Y1)
    # Blocks start on the first Monday, 01-02: 01-02..01-15, 01-16..01-29, ...; 01-02 + 25 * 14 days =
    # 12-18, so the 26th block is 12-18..12-31 and 364 days make exactly 26 blocks.
    assert len(blocks) == 26
    assert blocks[0] == (D(2023, 1, 2), D(2023, 1, 15))
    assert blocks[1] == (D(2023, 1, 16), D(2023, 1, 29))
    assert blocks[-1] == (D(2023, 12, 18), D(2023, 12, 31))


def test_account_opened_midyear():
    opened = D(2023, 7, 1)  # a Saturday
    weeks = required_periods("publishing", Y0, Y1, as_of=Y1, opened_on=opened)
    # The week of 06-26..07-02 started before the account existed: the first required week is Mon 07-03.
    # 07-03 is 182 days (26 weeks) after 01-02, so weeks 27..52 remain: 26 weeks.
    assert weeks[0] == (D(2023, 7, 3), D(2023, 7, 9))
    assert len(weeks) == 26
    blocks = required_periods("service", Y0, Y1, as_of=Y1, opened_on=opened)
    # Blocks stay anchored on 01-02: block 13 (0-based) starts 01-02 + 182 days = 07-03, block 12
    # (06-19..07-02) began before opening. Blocks 13..25: 13 blocks.
    assert blocks[0] == (D(2023, 7, 3), D(2023, 7, 16))
    assert len(blocks) == 13


def test_clipped_at_as_of():
    as_of = D(2023, 6, 30)  # a Friday
    weeks = required_periods("publishing", Y0, Y1, as_of=as_of)
    # The week 06-26..07-02 is not over by 06-30; the last full week is 06-19..06-25, the 25th
    # (06-19 = 01-02 + 24 * 7 days).
    assert len(weeks) == 25
    assert weeks[-1] == (D(2023, 6, 19), D(2023, 6, 25))
    blocks = required_periods("service", Y0, Y1, as_of=as_of)
    # Block k ends 01-15 + 14k; 06-18 (k = 11) fits, 07-02 (k = 12) does not: 12 blocks.
    assert len(blocks) == 12
    assert blocks[-1] == (D(2023, 6, 5), D(2023, 6, 18))


def test_clipped_at_closed_on():
    closed = D(2023, 3, 15)  # a Wednesday
    weeks = required_periods("publishing", Y0, Y1, as_of=Y1, closed_on=closed)
    # Last full week before closing: 03-06..03-12 = 01-02 + 9 weeks -> 10 weeks.
    assert len(weeks) == 10
    assert weeks[-1] == (D(2023, 3, 6), D(2023, 3, 12))
    blocks = required_periods("service", Y0, Y1, as_of=Y1, closed_on=closed)
    # 02-27..03-12 (k = 4) fits; 03-13..03-26 does not: 5 blocks.
    assert len(blocks) == 5
    assert blocks[-1] == (D(2023, 2, 27), D(2023, 3, 12))


def test_period_starting_on_a_monday():
    # 2024-01-01 is a Monday, so it starts the first week and the first block; 2024 has 366 days, so
    # 52 weeks end Sun 12-29 and the week 12-30..2025-01-05 leaves the period.
    weeks = required_periods("publishing", D(2024, 1, 1), D(2024, 12, 31), as_of=D(2024, 12, 31))
    assert len(weeks) == 52
    assert weeks[0] == (D(2024, 1, 1), D(2024, 1, 7))
    assert weeks[-1] == (D(2024, 12, 23), D(2024, 12, 29))
    blocks = required_periods("service", D(2024, 1, 1), D(2024, 12, 31), as_of=D(2024, 12, 31))
    assert (len(blocks), blocks[-1]) == (26, (D(2024, 12, 16), D(2024, 12, 29)))


def test_nothing_required():
    # Opened after the period or after as_of: no whole week fits.
    assert required_periods("publishing", Y0, Y1, as_of=Y1, opened_on=D(2024, 2, 1)) == []
    assert required_periods("service", Y0, Y1, as_of=D(2023, 1, 10)) == []  # first block ends 01-15


def test_unknown_kind():
    with pytest.raises(ValueError, match="publishing or service"):
        required_periods("daily", Y0, Y1, as_of=Y1)


# --- missing_periods ------------------------------------------------------------------------------


def test_missing_publishing_weeks():
    # as_of 2023-01-31 (Tue): required weeks 01-02..08, 01-09..15, 01-16..22, 01-23..29.
    posts = [
        D(2023, 1, 1),  # Sun: before the first required week, counts for nothing
        D(2023, 1, 8),  # Sun: last day of week 1
        "2023-01-16 10:00",  # Mon: week 3
        # 17:00 UTC on Sun 01-22 is Mon 01-23 01:00 in Shanghai: week 4, not week 3.
        datetime(2023, 1, 22, 17, 0, tzinfo=timezone.utc),
    ]
    missing = missing_periods(posts, "publishing", Y0, Y1, as_of=D(2023, 1, 31))
    assert missing == [(D(2023, 1, 9), D(2023, 1, 15))]


def test_missing_service_blocks():
    # as_of 2023-02-28: blocks 01-02..15, 01-16..29, 01-30..02-12, 02-13..26 (the next ends 03-12).
    posts = [D(2023, 1, 15), D(2023, 2, 13)]
    assert missing_periods(posts, "service", Y0, Y1, as_of=D(2023, 2, 28)) == [
        (D(2023, 1, 16), D(2023, 1, 29)),
        (D(2023, 1, 30), D(2023, 2, 12)),
    ]


def test_no_posts_misses_everything_and_weekly_posts_miss_nothing():
    assert len(missing_periods([], "publishing", Y0, Y1, as_of=Y1)) == 52
    # One post every Wednesday from 01-04 to 12-27 covers all 52 weeks.
    wednesdays = [D(2023, 1, 4) + timedelta(days=7 * i) for i in range(52)]
    assert wednesdays[-1] == D(2023, 12, 27)
    assert missing_periods(wednesdays, "publishing", Y0, Y1, as_of=Y1) == []


# --- annual_report_on_time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published_on", "report_year", "deadline", "on_time"),
    [
        # The 2022 report is due by 2023-01-31, inclusive.
        (D(2023, 1, 31), 2022, (1, 31), True),
        (D(2023, 2, 1), 2022, (1, 31), False),
        (D(2023, 1, 15), 2022, (1, 31), True),
        (D(2022, 12, 30), 2022, (1, 31), True),
        # The deadline is a setting: with 31 March the same late-January date is fine, 1 April is not.
        (D(2023, 3, 31), 2022, (3, 31), True),
        (D(2023, 4, 1), 2022, (3, 31), False),
    ],
)
def test_annual_report_on_time(published_on, report_year, deadline, on_time):
    assert annual_report_on_time(published_on, report_year, deadline) is on_time


def test_annual_report_deadline_must_be_a_real_date():
    with pytest.raises(ValueError):
        annual_report_on_time(D(2023, 1, 31), 2022, (2, 30))


def test_iso_text_is_isoformat_remembered_for_calendar_dates():
    from govscore.core.dates import SHANGHAI, iso_text

    day = date(2023, 5, 25)
    assert iso_text(day) == "2023-05-25" and iso_text(date(2023, 5, 25)) is iso_text(day)   # one text per day
    assert iso_text(date(1, 1, 1)) == "0001-01-01"
    # a datetime (a date's subclass, equal to no date) keeps its time and zone
    assert iso_text(datetime(2023, 5, 25, 9, 30, tzinfo=SHANGHAI)) == "2023-05-25T09:30:00+08:00"
    assert iso_text(datetime(2023, 5, 25)) == "2023-05-25T00:00:00"
