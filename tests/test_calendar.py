"""Working-day calendar against the real chinese_calendar data (no mocks).

Every expected value is counted by hand from the State Council holiday notices for 2023 and 2024; each
claimed date was checked against chinese_calendar 1.11.0 before being written down.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govscore.core.calendar import CalendarOverride, WorkingDayCalendar
from govscore.core.dates import parse_date
from govscore.core.errors import CalendarError, RuleSetError

# Messages are asserted in English; the Chinese texts are tested in test_i18n.py.
pytestmark = pytest.mark.usefixtures("english")

D = date
CAL = WorkingDayCalendar()  # module level: hypothesis refuses function-scoped fixtures


# --- the rubric's worked cases --------------------------------------------------------------------


def test_national_day_2023_from_timestamps():
    # Asked Thu 2023-09-28 16:00, answered Sat 2023-10-07 09:30. 09-29 (Fri) .. 10-06 (Fri) are the
    # Mid-Autumn + National Day holiday; 10-07 is a make-up working Saturday. Only 10-07 counts -> 1.
    asked = parse_date("2023-09-28 16:00")
    answered = parse_date("2023-10-07 09:30")
    assert CAL.elapsed_working_days(asked, answered) == 1


@pytest.mark.parametrize(
    ("asked", "answered", "expected"),
    [
        # Wed 06-21 -> Sun 06-25: 06-22 (Thu) .. 06-24 (Sat) are the Dragon Boat holiday; Sun 06-25 is
        # the make-up working day -> 1.
        (D(2023, 6, 21), D(2023, 6, 25), 1),
        # Sat 04-22 -> Sun 04-23: Sun 04-23 is a make-up working day for Labour Day -> 1.
        (D(2023, 4, 22), D(2023, 4, 23), 1),
        # Fri 09-22 -> Sat 10-07: 09-23/24 weekend; 09-25..09-28 (Mon-Thu) work = 4; 09-29..10-06 holiday;
        # Sat 10-07 make-up = 1 -> 5.
        (D(2023, 9, 22), D(2023, 10, 7), 5),
        # ... -> Mon 10-09: add Sun 10-08 (also make-up) and Mon 10-09 -> 7.
        (D(2023, 9, 22), D(2023, 10, 9), 7),
        # Same day -> 0 by definition (strictly after the question's date).
        (D(2023, 10, 7), D(2023, 10, 7), 0),
        # Ordinary week: asked Fri 2023-03-03, answered Mon 03-06; 03-04/05 weekend -> 1.
        (D(2023, 3, 3), D(2023, 3, 6), 1),
    ],
)
def test_worked_cases(asked, answered, expected):
    assert CAL.elapsed_working_days(asked, answered) == expected


# --- 2023 schedule (State Council notice of December 2022) ----------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Spring Festival: 01-21 (Sat) .. 01-27 (Fri) rest; make-up Sat 01-28 and Sun 01-29.
        (D(2023, 1, 20), True),
        *[(D(2023, 1, d), False) for d in range(21, 28)],
        (D(2023, 1, 28), True),
        (D(2023, 1, 29), True),
        (D(2023, 1, 30), True),
        # Qingming: Wed 04-05 alone, no make-up day; the surrounding weekdays work.
        (D(2023, 4, 4), True),
        (D(2023, 4, 5), False),
        (D(2023, 4, 6), True),
        (D(2023, 4, 8), False),  # an ordinary Saturday
        # Labour Day: 04-29 (Sat) .. 05-03 (Wed) rest; make-up Sun 04-23 and Sat 05-06; Sun 05-07 rests.
        (D(2023, 4, 23), True),
        *[(D(2023, 4, 29) + timedelta(days=i), False) for i in range(5)],
        (D(2023, 5, 4), True),
        (D(2023, 5, 6), True),
        (D(2023, 5, 7), False),
        # Dragon Boat: 06-22 (Thu) .. 06-24 (Sat) rest; make-up Sun 06-25.
        (D(2023, 6, 22), False),
        (D(2023, 6, 23), False),
        (D(2023, 6, 25), True),
        # Mid-Autumn + National Day: 09-29 (Fri) .. 10-06 (Fri) rest; make-up Sat 10-07 and Sun 10-08.
        *[(D(2023, 9, 29) + timedelta(days=i), False) for i in range(8)],
        (D(2023, 10, 7), True),
        (D(2023, 10, 8), True),
    ],
)
def test_2023_schedule(day, working):
    assert CAL.is_working_day(day) is working


def test_2023_spring_festival_elapsed():
    # Fri 01-20 -> Mon 01-30: 01-21..01-27 rest; Sat 01-28, Sun 01-29 (make-up) and Mon 01-30 -> 3.
    assert CAL.elapsed_working_days(D(2023, 1, 20), D(2023, 1, 30)) == 3


def test_elapsed_pairs_are_remembered_and_problems_are_not():
    cal = WorkingDayCalendar()
    for _ in range(2):  # the second time from the calendar's memo of pairs
        # Fri 01-20 -> Mon 01-30 -> 3 (test_2023_spring_festival_elapsed); 09:00 Shanghai on both days
        assert cal.elapsed_working_days(D(2023, 1, 20), D(2023, 1, 30)) == 3
        shanghai = timezone(timedelta(hours=8))
        assert cal.elapsed_working_days(datetime(2023, 1, 20, 9, tzinfo=shanghai), datetime(2023, 1, 30, 9, tzinfo=shanghai)) == 3
        # Tue 04-04 -> Thu 04-06 -> 1 (Qingming)
        assert cal.elapsed_working_days(D(2023, 4, 4), D(2023, 4, 6)) == 1
        with pytest.raises(ValueError):
            cal.elapsed_working_days(D(2023, 1, 30), D(2023, 1, 20))
        with pytest.raises(CalendarError, match="2099"):
            cal.elapsed_working_days(D(2099, 1, 5), D(2099, 1, 5))


def test_2023_qingming_elapsed():
    # Tue 04-04 -> Thu 04-06: Wed 04-05 is Qingming, Thu 04-06 works -> 1.
    assert CAL.elapsed_working_days(D(2023, 4, 4), D(2023, 4, 6)) == 1


def test_2023_labour_day_elapsed():
    # Fri 04-28 -> Mon 05-08: 04-29..05-03 rest; Thu 05-04, Fri 05-05, Sat 05-06 (make-up) work;
    # Sun 05-07 rests; Mon 05-08 works -> 4.
    assert CAL.elapsed_working_days(D(2023, 4, 28), D(2023, 5, 8)) == 4


# --- 2024 schedule (State Council notice of October 2023) -----------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Spring Festival: 02-10 (Sat) .. 02-17 (Sat) rest; make-up Sun 02-04 and Sun 02-18.
        (D(2024, 2, 3), False),
        (D(2024, 2, 4), True),
        (D(2024, 2, 9), True),
        *[(D(2024, 2, 10) + timedelta(days=i), False) for i in range(8)],
        (D(2024, 2, 18), True),
        # Labour Day: 05-01 (Wed) .. 05-05 (Sun) rest; make-up Sun 04-28 and Sat 05-11.
        (D(2024, 4, 27), False),
        (D(2024, 4, 28), True),
        *[(D(2024, 5, 1) + timedelta(days=i), False) for i in range(5)],
        (D(2024, 5, 11), True),
        (D(2024, 5, 12), False),
        # National Day: 10-01 (Tue) .. 10-07 (Mon) rest; make-up Sun 09-29 and Sat 10-12.
        (D(2024, 9, 28), False),
        (D(2024, 9, 29), True),
        *[(D(2024, 10, 1) + timedelta(days=i), False) for i in range(7)],
        (D(2024, 10, 8), True),
        (D(2024, 10, 12), True),
        (D(2024, 10, 13), False),
    ],
)
def test_2024_schedule(day, working):
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("asked", "answered", "expected"),
    [
        # Fri 02-09 -> Mon 02-19: 02-10..02-17 rest; Sun 02-18 (make-up) and Mon 02-19 -> 2.
        (D(2024, 2, 9), D(2024, 2, 19), 2),
        # Sat 02-03 -> Sun 02-04: Sun 02-04 is a make-up day -> 1.
        (D(2024, 2, 3), D(2024, 2, 4), 1),
        # Fri 04-26 -> Mon 05-06: Sat 04-27 rests; Sun 04-28, Mon 04-29, Tue 04-30 work = 3;
        # 05-01..05-05 rest; Mon 05-06 = 1 -> 4.
        (D(2024, 4, 26), D(2024, 5, 6), 4),
        # Fri 09-27 -> Tue 10-08: Sat 09-28 rests; Sun 09-29 (make-up) and Mon 09-30 work = 2;
        # 10-01..10-07 rest; Tue 10-08 = 1 -> 3.
        (D(2024, 9, 27), D(2024, 10, 8), 3),
        # Across the year end: Fri 2023-12-29 -> Tue 2024-01-02: weekend, Mon 01-01 New Year's Day,
        # Tue 01-02 works -> 1.
        (D(2023, 12, 29), D(2024, 1, 2), 1),
    ],
)
def test_2024_elapsed(asked, answered, expected):
    assert CAL.elapsed_working_days(asked, answered) == expected


# --- shapes and errors ----------------------------------------------------------------------------


def test_datetimes_are_read_as_shanghai_dates():
    # 2023-10-06 20:00 at UTC-5 is 2023-10-07 09:00 in Shanghai: the make-up Saturday, a working day,
    # whereas the UTC-5 calendar date 10-06 is a holiday.
    stamp = datetime(2023, 10, 6, 20, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert CAL.is_working_day(stamp) is True
    # Asked 2023-09-28 (Shanghai) -> that stamp: only 10-07 counts -> 1.
    assert CAL.elapsed_working_days(D(2023, 9, 28), stamp) == 1


def test_answer_before_question_is_rejected():
    with pytest.raises(ValueError):
        CAL.elapsed_working_days(D(2023, 10, 9), D(2023, 10, 7))


def test_working_days_between_includes_both_ends():
    # 2023-09-28 (Thu, works) .. 2023-10-07 (Sat, make-up): 09-29..10-06 rest -> 2 (both ends).
    assert CAL.working_days_between(D(2023, 9, 28), D(2023, 10, 7)) == 2
    # 2023-10-01 .. 10-08: only the make-up 10-07 and 10-08 -> 2.
    assert CAL.working_days_between(D(2023, 10, 1), D(2023, 10, 8)) == 2
    # A single holiday -> 0; a single working day -> 1.
    assert CAL.working_days_between(D(2023, 10, 2), D(2023, 10, 2)) == 0
    assert CAL.working_days_between(D(2023, 10, 7), D(2023, 10, 7)) == 1
    with pytest.raises(ValueError):
        CAL.working_days_between(D(2023, 10, 8), D(2023, 10, 7))


def test_sources_and_covered_years():
    assert CAL.sources == [f"chinese_calendar {chinese_calendar.__version__}"]
    years = CAL.covered_years()
    # 1.11.0 ships 2004..2026; later releases only add years.
    assert set(range(2004, 2027)) <= set(years)
    assert 2099 not in years


def test_uncovered_year_raises_calendar_error():
    # chinese_calendar raises NotImplementedError for 2099; the calendar must refuse, not fall back to
    # "weekdays work".
    with pytest.raises(CalendarError) as caught:
        CAL.is_working_day(D(2099, 1, 5))
    message = caught.value.message()
    assert "2099-01-05" in message and "2099" in message
    assert "calendar override" in message and "--calendar" in message


def test_uncovered_year_raises_in_elapsed_even_for_same_day():
    with pytest.raises(CalendarError, match="2099"):
        CAL.elapsed_working_days(D(2099, 1, 5), D(2099, 1, 6))
    # A same-day answer would count 0 regardless, but the uncovered year must still surface.
    with pytest.raises(CalendarError, match="2099"):
        CAL.elapsed_working_days(D(2099, 1, 5), D(2099, 1, 5))


# --- override files -------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "calendar.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_override_declares_2027(tmp_path):
    path = _write(tmp_path, "years:\n  2027:\n    holidays: [2027-01-01]\n")
    cal = WorkingDayCalendar.from_files([path])
    # Asked Wed 2026-12-30, answered Mon 2027-01-04: Thu 2026-12-31 works (library); 2027-01-01 (Fri) is
    # the declared holiday; 01-02/03 weekend; Mon 01-04 works -> 2.
    assert cal.elapsed_working_days(D(2026, 12, 30), D(2027, 1, 4)) == 2
    assert 2027 in cal.covered_years()
    assert cal.sources == [f"chinese_calendar {chinese_calendar.__version__}", f"override: {path}"]


def test_override_ranges_and_make_up_days(tmp_path):
    path = _write(tmp_path, (
        "# 2027 schedule (made up for the test)\n"
        "years:\n"
        "  2027:\n"
        "    holidays: [2027-01-01, 2027-02-05..2027-02-11]   # statutory holidays\n"
        "    workdays: [2027-02-14]                           # make-up Sunday\n"
    ))
    cal = WorkingDayCalendar.from_files([path])
    # Fri 2027-02-05 .. Thu 02-11 all rest (range includes both ends).
    assert [cal.is_working_day(D(2027, 2, 5) + timedelta(days=i)) for i in range(7)] == [False] * 7
    # Thu 2027-02-04 -> Mon 02-15: 02-05..02-11 rest; Fri 02-12 works (an unlisted weekday); Sat 02-13
    # rests; Sun 02-14 is the make-up day; Mon 02-15 works -> 3.
    assert cal.elapsed_working_days(D(2027, 2, 4), D(2027, 2, 15)) == 3


def test_day_corrections_beat_the_library(tmp_path):
    path = _write(tmp_path, "days:\n  2023-10-07: holiday\n  2023-10-02: workday\n")
    cal = WorkingDayCalendar.from_files([path])
    # With Sat 10-07 turned into a rest day, 09-28 -> 10-07 counts only the corrected 10-02 -> 1.
    assert cal.is_working_day(D(2023, 10, 7)) is False
    assert cal.is_working_day(D(2023, 10, 2)) is True
    assert cal.elapsed_working_days(D(2023, 9, 28), D(2023, 10, 7)) == 1
    # A days: correction does not make its year covered.
    assert 2099 not in WorkingDayCalendar.from_files(
        [_write(tmp_path, "days:\n  2099-01-05: workday\n", "one.yaml")]).covered_years()


def test_day_correction_answers_a_single_uncovered_day(tmp_path):
    cal = WorkingDayCalendar.from_files([_write(tmp_path, "days:\n  2099-01-05: workday\n")])
    assert cal.is_working_day(D(2099, 1, 5)) is True
    # 2099-01-06 is covered by nothing -> still refused.
    with pytest.raises(CalendarError, match="2099-01-06"):
        cal.elapsed_working_days(D(2099, 1, 5), D(2099, 1, 6))


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        # a date that does not exist, reported on its own line
        ("years:\n  2027:\n    holidays:\n      - 2027-01-01\n      - 2027-02-30\n", 5, "2027-02-30"),
        ("years:\n  2027:\n    holidays: [2027-02-11..2027-02-05]\n", 3, "ends before it starts"),
        # Mon 2027-01-04 cannot be a make-up working day
        ("years:\n  2027:\n    holidays: [2027-01-01]\n    workdays: [2027-01-04]\n", 4, "Saturday or Sunday"),
        ("years:\n  2027:\n    holidays: [2026-12-31]\n", 3, "days:"),
        ("years:\n  2027:\n    holidays: [2027-02-13]\n    workdays: [2027-02-13]\n", 4, "both"),
        ("years:\n  2027:\n    workdays: [2027-02-14]\n", 2, "no holidays"),
        ("years:\n  2027:\n    holiday: [2027-01-01]\n", 3, "holiday"),
        ("years:\n  twenty:\n    holidays: [2027-01-01]\n", 2, "not a year"),
        ("years:\n  2027:\n    holidays: 2027-01-01\n", 3, "list"),
        ("days:\n  2023-10-07: work\n", 2, "workday or holiday"),
        ("calendar:\n  2027: {}\n", 1, "unknown key"),
        ("days:\n  2023-10-07: workday\n  2023-10-07: holiday\n", 3, "not valid YAML"),
        ("years: [\n", 2, "not valid YAML"),
    ],
)
def test_malformed_override_names_file_and_line(tmp_path, text, line, fragment):
    path = _write(tmp_path, text)
    with pytest.raises(RuleSetError) as caught:
        WorkingDayCalendar.from_files([path])
    err = caught.value
    assert err.location.file == str(path)
    assert err.location.line == line
    assert fragment in err.message()
    assert err.render().startswith(f"{path}:{line}: ")


def test_empty_and_missing_override_files(tmp_path):
    with pytest.raises(RuleSetError, match="no years and no days"):
        WorkingDayCalendar.from_files([_write(tmp_path, "# nothing yet\n")])
    with pytest.raises(RuleSetError, match="cannot read"):
        WorkingDayCalendar.from_files([tmp_path / "absent.yaml"])


def test_conflicting_override_files(tmp_path):
    first = _write(tmp_path, "days:\n  2023-10-07: holiday\n", "a.yaml")
    second = _write(tmp_path, "days:\n  2023-10-07: workday\n", "b.yaml")
    with pytest.raises(RuleSetError) as caught:
        WorkingDayCalendar.from_files([first, second])
    # The error points at the second file and names the first.
    assert caught.value.location.file == str(second)
    assert f"{first}:2" in caught.value.message()


def test_inline_override_from_loaded_data():
    # A rule set's inline calendar: mapping, already loaded with plain date objects.
    override = CalendarOverride.from_data({"years": {2027: {"holidays": [D(2027, 1, 1)]}}}, "rules.yaml")
    cal = WorkingDayCalendar([override])
    assert cal.is_working_day(D(2027, 1, 1)) is False
    assert cal.sources[-1] == "override: rules.yaml"


# --- properties -----------------------------------------------------------------------------------

_DAYS = st.dates(min_value=D(2023, 1, 1), max_value=D(2025, 12, 31))


@settings(max_examples=300, deadline=None)
@given(_DAYS, _DAYS, _DAYS)
def test_elapsed_is_a_count_and_monotone(a, b1, b2):
    a, b1, b2 = sorted((a, b1, b2))
    # The definition, day by day: working days d with a < d <= b.
    brute = sum(CAL.is_working_day(a + timedelta(days=i)) for i in range(1, (b1 - a).days + 1))
    assert CAL.elapsed_working_days(a, b1) == brute
    assert CAL.elapsed_working_days(a, b1) <= CAL.elapsed_working_days(a, b2)
    # The library itself agrees per day (is_workday keeps make-up days).
    assert CAL.is_working_day(b2) is chinese_calendar.is_workday(b2)
