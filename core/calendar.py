"""The official PRC working-day calendar (工作日), with make-up working days (调休上班).

Rubric "Terms": a working day is a working day in the official PRC calendar, including make-up working
weekend days and excluding statutory holidays; elapsed working days from a question to its answer count
the working days strictly after the question's date up to and including the answer's date.

Sources, strongest first:

1. ``days:`` corrections of an override file (one date each, any year);
2. ``years:`` of an override file: a whole year declared from its State Council notice;
3. the ``chinese_calendar`` package (years it ships data for; 2004-2026 in 1.11.0).

A date none of them covers raises :class:`~govscore.core.errors.CalendarError`: a year without an
official schedule is never guessed from weekends alone.

Override file format (YAML)::

    years:
      2027:
        holidays: [2027-01-01, 2027-02-05..2027-02-11]   # statutory holidays, ranges with ..
        workdays: [2027-02-14]                           # make-up working days (调休上班)
    days:                                                # single-day corrections in any year
      2023-10-07: workday
      2023-10-02: holiday
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import chinese_calendar
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .dates import parse_date
from .errors import CalendarError, Location, RuleSetError
from .i18n import N_, _

_UNCOVERED = N_(
    "the date {date} lies in {year}, which the official calendar does not cover yet; declare that year's "
    "schedule in a calendar override file (calendar: in the rule set, or --calendar FILE)"
)
_RANGE_HINT = "2027-02-05..2027-02-11"
_DATE_TEXT = re.compile(r"^\s*(\d{4}([-/])\d{1,2}\2\d{1,2}|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?)\s*$")
_RANGE_TEXT = re.compile(r"^\s*(?P<first>[^.]+?)\s*\.\.\s*(?P<last>[^.]+?)\s*$")
# Wide enough for any chinesecalendar release we may meet; probing is cheap and done once.
_PROBE_YEARS = range(1900, 2200)


def _library_version() -> str:
    version = getattr(chinese_calendar, "__version__", None)
    if not version:
        from importlib.metadata import PackageNotFoundError, version as dist_version

        try:
            version = dist_version("chinesecalendar")
        except PackageNotFoundError:
            version = "unknown"
    return str(version)


@cache
def _library_years() -> frozenset[int]:
    """Years the installed chinese_calendar has data for, found by asking it (it raises otherwise)."""
    years = set()
    for year in _PROBE_YEARS:
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            continue
        years.add(year)
    return frozenset(years)


@dataclass(frozen=True)
class YearSchedule:
    """One year declared in an override file, from its State Council holiday notice.

    Attributes:
        year: the calendar year.
        holidays: statutory rest days (dates in ``year``); weekdays listed here do not work.
        workdays: make-up working days (调休上班, dates in ``year``, all Saturdays or Sundays).
        location: where the year is declared (file and line).
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    location: Location = field(default_factory=Location, compare=False)

    def is_working_day(self, day: date) -> bool:
        """Weekdays work unless listed in holidays; weekends rest unless listed in workdays."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


@dataclass(frozen=True)
class DayCorrection:
    """A single-day correction: ``working`` True for ``workday``, False for ``holiday``."""

    day: date
    working: bool
    location: Location = field(default_factory=Location, compare=False)


@dataclass(frozen=True)
class CalendarOverride:
    """The content of one calendar override file (or of an inline ``calendar:`` mapping).

    Attributes:
        source: the file it came from, as shown in the run context and in errors.
        years: declared years by year number.
        days: single-day corrections by date.
    """

    source: str
    years: Mapping[int, YearSchedule]
    days: Mapping[date, DayCorrection]

    @classmethod
    def load(cls, path: Path | str) -> CalendarOverride:
        """Read an override file.

        Raises:
            RuleSetError: the file cannot be read, is not valid YAML, or breaks the format; the error
                names the file and, where known, the line.
        """
        path = Path(path)
        file = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise RuleSetError(N_("cannot read the calendar override file: {reason}"),
                               {"reason": str(exc)}, Location(file=file)) from None
        except OSError as exc:
            from .yamlio import os_reason

            raise RuleSetError(N_("cannot read the calendar override file: {reason}"),
                               {"reason": os_reason(exc)}, Location(file=file)) from None
        try:
            data = _yaml().load(text)
        except MarkedYAMLError as exc:
            from .yamlio import parser_problem

            mark = exc.problem_mark or exc.context_mark
            raise RuleSetError(N_("the calendar override file is not valid YAML: {problem}"),
                               {"problem": parser_problem(exc.problem) if exc.problem else str(exc)},
                               Location(file=file, line=mark.line + 1 if mark else None)) from None
        except (YAMLError, ValueError) as exc:
            raise RuleSetError(N_("the calendar override file is not valid YAML: {problem}"),
                               {"problem": str(exc)}, Location(file=file)) from None
        return cls.from_data(data, file)

    @classmethod
    def from_data(cls, data: Any, file: str) -> CalendarOverride:
        """Build from already-loaded YAML (a mapping with ``years:`` and/or ``days:``).

        Dates may be ``date`` objects or text (2027-01-01, 2027/1/1, 2027年1月1日); line numbers are
        reported when ``data`` was loaded by ruamel.yaml in round-trip mode.

        Raises:
            RuleSetError: the content breaks the format (see the module docstring).
        """
        if data is None:
            raise RuleSetError(N_("the calendar override file declares no years and no days"), {},
                               Location(file=file, line=1))
        if not isinstance(data, Mapping):
            raise RuleSetError(N_("a calendar override must be a mapping with years: and/or days:"), {},
                               Location(file=file, line=_line(data, None, file=True)))
        for key in data:
            if key not in ("years", "days"):
                raise RuleSetError(N_("unknown key {key} in a calendar override: expected years or days"),
                                   {"key": str(key)}, Location(file=file, line=_key_line(data, key)))
        years_node = data.get("years")
        days_node = data.get("days")
        if not years_node and not days_node:
            raise RuleSetError(N_("the calendar override file declares no years and no days"), {},
                               Location(file=file, line=_line(data, None, file=True)))
        years: dict[int, YearSchedule] = {}
        if years_node is not None:
            if not isinstance(years_node, Mapping):
                raise RuleSetError(N_("years: must map each year to its holidays: and workdays: lists"), {},
                                   Location(file=file, line=_value_line(data, "years")))
            for key, spec in years_node.items():
                schedule = _parse_year(years_node, key, spec, file)
                if schedule.year in years:
                    raise RuleSetError(N_("year {year} is declared twice under years:"),
                                       {"year": schedule.year}, schedule.location)
                years[schedule.year] = schedule
        days: dict[date, DayCorrection] = {}
        if days_node is not None:
            if not isinstance(days_node, Mapping):
                raise RuleSetError(N_("days: must map single dates to workday or holiday"), {},
                                   Location(file=file, line=_value_line(data, "days")))
            for key, kind in days_node.items():
                where = Location(file=file, line=_key_line(days_node, key))
                day = _parse_day(key, where)
                if day in days:
                    raise RuleSetError(N_("{date} is corrected twice under days:"), {"date": day.isoformat()},
                                       where)
                if kind not in ("workday", "holiday"):
                    raise RuleSetError(N_("{date} must be workday or holiday, found {value}"),
                                       {"date": day.isoformat(), "value": repr(kind)}, where)
                days[day] = DayCorrection(day, kind == "workday", where)
        return cls(file, years, days)


class _TextDates(RoundTripConstructor):
    """Round-trip constructor that leaves timestamps as text.

    A bad date (2027-02-30) is then reported with its line instead of the bare ValueError ruamel raises;
    a private subclass keeps every other YAML reader in the process unaffected.
    """


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", lambda self, node: self.construct_scalar(node))


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextDates
    return yaml


def _line(node: Any, index: int | None, file: bool = False) -> int | None:
    lc = getattr(node, "lc", None)
    if lc is None:
        return 1 if file else None
    try:
        if index is None:
            return lc.line + 1
        return lc.item(index)[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None


def _key_line(node: Any, key: Any) -> int | None:
    try:
        return node.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return None


def _value_line(node: Any, key: Any) -> int | None:
    try:
        return node.lc.value(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return _key_line(node, key)


def _parse_day(value: Any, where: Location) -> date:
    if isinstance(value, datetime):
        raise RuleSetError(N_("{value} has a time of day; give a date such as 2027-01-01"),
                           {"value": str(value)}, where)
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_TEXT.match(value):
        try:
            return parse_date(value.strip())
        except ValueError:
            pass
    raise RuleSetError(N_("{value} is not a date such as 2027-01-01"), {"value": repr(value)}, where)


def _parse_entry(value: Any, where: Location) -> list[date]:
    if isinstance(value, str) and ".." in value:
        m = _RANGE_TEXT.match(value)
        if not m:
            raise RuleSetError(N_("{value} is not a date or a range of dates such as {example}"),
                               {"value": repr(value), "example": _RANGE_HINT}, where)
        first, last = _parse_day(m["first"], where), _parse_day(m["last"], where)
        if last < first:
            raise RuleSetError(N_("the range {value} ends before it starts"), {"value": value.strip()}, where)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [_parse_day(value, where)]


def _parse_year(node: Mapping, key: Any, spec: Any, file: str) -> YearSchedule:
    where = Location(file=file, line=_key_line(node, key))
    year = key
    if isinstance(key, str) and key.strip().isdigit():
        year = int(key.strip())
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2199:
        raise RuleSetError(N_("{key} under years: is not a year"), {"key": repr(key)}, where)
    if not isinstance(spec, Mapping):
        raise RuleSetError(N_("year {year} must give holidays: and workdays: lists"), {"year": year}, where)
    for sub in spec:
        if sub not in ("holidays", "workdays"):
            raise RuleSetError(N_("unknown key {key} under year {year}: expected holidays or workdays"),
                               {"key": str(sub), "year": year}, Location(file=file, line=_key_line(spec, sub)))
    lists: dict[str, set[date]] = {}
    for name in ("holidays", "workdays"):
        items = spec.get(name)
        if items is None:
            items = []
        if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
            raise RuleSetError(N_("{key} of year {year} must be a list of dates or ranges such as {example}"),
                               {"key": name, "year": year, "example": _RANGE_HINT},
                               Location(file=file, line=_value_line(spec, name) or where.line))
        found: set[date] = set()
        for i, item in enumerate(items):
            item_where = Location(file=file, line=_line(items, i) or _value_line(spec, name) or where.line)
            for day in _parse_entry(item, item_where):
                if day.year != year:
                    raise RuleSetError(
                        N_("{date} is listed under year {year}; put single days of other years under days:"),
                        {"date": day.isoformat(), "year": year}, item_where)
                if name == "workdays" and day.weekday() < 5:
                    raise RuleSetError(
                        N_("{date} is listed as a make-up working day but is not a Saturday or Sunday; "
                           "weekdays work anyway, so check the date"),
                        {"date": day.isoformat()}, item_where)
                if name == "workdays" and day in lists["holidays"]:
                    raise RuleSetError(
                        N_("{date} is listed both as a holiday and as a make-up working day of {year}"),
                        {"date": day.isoformat(), "year": year}, item_where)
                found.add(day)
        lists[name] = found
    if not lists["holidays"]:
        # Every official year has statutory holidays; an empty list is a half-written declaration, and
        # accepting it would silently make every weekday of the year a working day.
        raise RuleSetError(N_("year {year} lists no holidays; a declared year needs its statutory holidays "
                              "(holidays: [...])"), {"year": year}, where)
    return YearSchedule(year, frozenset(lists["holidays"]), frozenset(lists["workdays"]), where)


class WorkingDayCalendar:
    """Answers "is this a working day?" and "how many working days elapsed?" for Asia/Shanghai dates.

    Built from chinese_calendar (which includes make-up working weekend days, 调休上班) plus optional
    overrides: an override's ``days:`` beat its ``years:``, which beat chinese_calendar. Answers are
    cached per day, so calling it for thousands of units is cheap.

    Rubric: "Terms", working day (工作日) and elapsed working days; used by 在线咨询 (portal.consultation).
    """

    def __init__(self, overrides: Iterable[CalendarOverride] = ()) -> None:
        """Combine the library with ``overrides`` (in order).

        Raises:
            RuleSetError: two overrides declare the same year differently or correct the same date in
                opposite ways (the error points at the second one and names the first).
        """
        self._years: dict[int, YearSchedule] = {}
        self._days: dict[date, DayCorrection] = {}
        self._sources = [f"chinese_calendar {_library_version()}"]
        for override in overrides:
            self._sources.append(f"override: {override.source}")
            for year, schedule in override.years.items():
                earlier = self._years.get(year)
                if earlier is not None and earlier != schedule:
                    raise RuleSetError(N_("year {year} is declared again, differently from {other}"),
                                       {"year": year, "other": earlier.location.render()}, schedule.location)
                self._years[year] = schedule
            for day, correction in override.days.items():
                earlier_day = self._days.get(day)
                if earlier_day is not None and earlier_day.working != correction.working:
                    raise RuleSetError(N_("{date} is corrected again, opposite to {other}"),
                                       {"date": day.isoformat(), "other": earlier_day.location.render()},
                                       correction.location)
                self._days[day] = correction
        self._cache: dict[date, bool] = {}
        self._prefix: dict[int, list[int] | None] = {}
        self._elapsed: dict[tuple[date, date], int] = {}  # elapsed_working_days of the pairs already counted

    @classmethod
    def from_files(cls, paths: Iterable[Path | str]) -> WorkingDayCalendar:
        """The calendar with the override files ``paths`` (possibly none) applied in order.

        Raises:
            RuleSetError: a file is unreadable or malformed (file and line named), or files conflict.
        """
        return cls(CalendarOverride.load(p) for p in paths)

    @property
    def sources(self) -> list[str]:
        """What the calendar is built from, for the run context: ["chinese_calendar 1.11.0", "override: f"]."""
        return list(self._sources)

    def covered_years(self) -> list[int]:
        """Sorted years with a whole official schedule: chinese_calendar's plus override-declared ones.

        Single ``days:`` corrections do not make their year covered.
        """
        return sorted(_library_years() | set(self._years))

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` (a date; a datetime is taken as its Asia/Shanghai date) is a working day.

        Make-up working weekend days (调休上班) are working days; statutory holidays are not.

        Raises:
            CalendarError: no source covers ``day``'s year (and no ``days:`` correction names it); the
                message names the date, the year and how to declare an override.
            TypeError: ``day`` is not a date.
        """
        day = _as_date(day)
        answer = self._cache.get(day)
        if answer is None:
            answer = self._lookup(day)
            self._cache[day] = answer
        return answer

    def _lookup(self, day: date) -> bool:
        correction = self._days.get(day)
        if correction is not None:
            return correction.working
        schedule = self._years.get(day.year)
        if schedule is not None:
            return schedule.is_working_day(day)
        try:
            # is_workday, not get_workdays(include_weekends=False): the latter drops make-up Saturdays.
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise CalendarError(_UNCOVERED, {"date": day.isoformat(), "year": day.year}) from None

    def _year_prefix(self, year: int) -> list[int] | None:
        """prefix[i] = working days among the first i days of ``year``; None if the year is not covered."""
        if year not in self._prefix:
            if year in self._years or year in _library_years():
                prefix = [0]
                day = date(year, 1, 1)
                while day.year == year:
                    prefix.append(prefix[-1] + self.is_working_day(day))
                    day += timedelta(days=1)
                self._prefix[year] = prefix
            else:
                self._prefix[year] = None
        return self._prefix[year]

    def _count_after(self, first: date, last: date) -> int:
        """Working days d with first < d <= last, without checking the endpoints themselves."""
        total = 0
        for year in range(first.year, last.year + 1):
            days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
            low = first.timetuple().tm_yday if year == first.year else 0
            high = last.timetuple().tm_yday if year == last.year else days_in_year
            prefix = self._year_prefix(year)
            if prefix is not None:
                total += prefix[high] - prefix[low]
                continue
            # An uncovered year may still have every needed day corrected under days:; otherwise the
            # first uncovered day raises CalendarError.
            day = date(year, 1, 1) + timedelta(days=low)
            for _i in range(high - low):
                total += self.is_working_day(day)
                day += timedelta(days=1)
        return total

    def elapsed_working_days(self, asked: date, answered: date) -> int:
        """Working days strictly after ``asked`` up to and including ``answered``.

        Both are Asia/Shanghai dates (datetimes are reduced to their Shanghai date). Same day -> 0;
        asked Friday, answered Monday -> 1; asked 2023-09-28, answered 2023-10-07 (make-up Saturday) -> 1.

        Returns:
            int: a count of working days, >= 0.

        Raises:
            ValueError: ``answered`` is before ``asked``.
            CalendarError: ``asked``, ``answered`` or a day between them lies in a year no source covers.

        Rubric: "Terms", elapsed working days (在线咨询 reply bands ≤1, (1, 5], > 10 working days).
        """
        first, last = _as_date(asked), _as_date(answered)
        # the same pairs of dates recur from message to message (a calendar does not change once built)
        known = self._elapsed.get((first, last))
        if known is not None:
            return known
        if last < first:
            raise ValueError(_("the answer date {answered} is before the question date {asked}",
                               answered=last.isoformat(), asked=first.isoformat()))
        # Endpoints are checked even when the count would not need them, so that an uncovered year
        # always surfaces instead of yielding a plausible 0 for same-day answers.
        self.is_working_day(first)
        self.is_working_day(last)
        days = self._count_after(first, last)
        if len(self._elapsed) >= 65536:
            self._elapsed.clear()
        self._elapsed[(first, last)] = days
        return days

    def working_days_between(self, first: date, last: date) -> int:
        """Working days d with ``first`` <= d <= ``last`` (both ends included; Asia/Shanghai dates).

        Returns:
            int: a count of working days, >= 0.

        Raises:
            ValueError: ``last`` is before ``first``.
            CalendarError: a day of the span lies in a year no source covers.

        Rubric: "Terms", working day.
        """
        first, last = _as_date(first), _as_date(last)
        if last < first:
            raise ValueError(_("the span ends ({last}) before it starts ({first})",
                               last=last.isoformat(), first=first.isoformat()))
        self.is_working_day(last)
        return int(self.is_working_day(first)) + self._count_after(first, last)


def _as_date(value: date) -> date:
    if isinstance(value, date):
        return parse_date(value)
    raise TypeError(f"expected a date, found {value!r}")
