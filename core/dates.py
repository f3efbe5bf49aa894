"""Pure date helpers: parsing evidence timestamps, look-back windows, publishing periods, deadlines.

Every date here is a calendar date in Asia/Shanghai (rubric "Terms": "Dates are Asia/Shanghai dates"),
so a reply stamped 20:00 in New York on 6 October counts as 7 October. Nothing here knows about working
days; that is :mod:`govscore.core.calendar`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import repeat
from operator import floordiv, sub
from typing import Iterable, Literal
from zoneinfo import ZoneInfo

from .i18n import _

SHANGHAI = ZoneInfo("Asia/Shanghai")
"""The time zone every evidence date is read in."""

PeriodKind = Literal["publishing", "service"]

_TIME = (
    r"(?P<H>\d{1,2})[:：](?P<M>\d{2})(?:[:：](?P<S>\d{2})(?:[.,](?P<F>\d{1,6}))?)?"
    r"\s*(?P<tz>Z|z|[+-]\d{2}(?::?\d{2})?)?"
)
# The separator between date and time is required after a digit ("2023-10-079:30" must not parse as the
# 7th at 9:30), but may be omitted after 日/号 because "2023年10月7日9:30" is unambiguous.
_NUMERIC = re.compile(
    r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?:(?:T|\s+)" + _TIME + r")?$"
)
_CHINESE = re.compile(
    r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?(?:(?:(?<=[日号])\s*|\s+)" + _TIME + r")?$"
)

_FORMS = "2023-10-07, 2023-10-07 09:30, 2023-10-07T09:30:00+08:00, 2023/10/7 9:30, 2023年10月7日 9:30"
# The form nearly every timestamp has (2023-10-07 09:30, 2023-10-07T09:30:05): a subset of _NUMERIC, read
# by parse_timestamp without the general path's optional parts; any other text, and a date that does not
# exist, takes the general path. Hours, minutes and seconds are matched in range, so
# datetime.fromisoformat (which reads this form in every Python version) only has to check the date.
_COMMON = re.compile(r"\d{4}-\d\d-\d\d[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?", re.ASCII)


def _offset(text: str) -> timezone:
    if text in ("Z", "z"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(_("invalid UTC offset {offset}", offset=text))
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _parse_timestamp(value: object) -> datetime:
    """Read an evidence timestamp as an aware datetime in Asia/Shanghai.

    Accepts:
        * ``datetime``: naive ones are taken as Shanghai wall time, aware ones are converted;
        * ``date``: midnight Shanghai of that date;
        * text: ISO 8601 with ``T`` or a space, with or without seconds, one- or two-digit hour
          ("2023-10-07 9:30"), optional offset ("+00:00", "Z": converted to Shanghai), a bare date
          ("2023-10-07"), slashes ("2023/10/7", "2023/10/07 09:30") and Chinese ("2023年10月7日",
          "2023年10月7日 9:30"). Text without an offset is Shanghai wall time.

    Returns:
        datetime: tz-aware, ``tzinfo`` is :data:`SHANGHAI`.

    Raises:
        ValueError: anything else, including impossible dates such as 2023-02-30 or 25:00.

    Rubric: raw evidence "timestamps ISO 8601, Asia/Shanghai" (messages' asked_at/answered_at).
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            return value.replace(tzinfo=SHANGHAI)
        return value.astimezone(SHANGHAI)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=SHANGHAI)
    if not isinstance(value, str):
        raise ValueError(_("expected a date or timestamp such as {forms}, found {value}",
                           forms=_FORMS, value=repr(value)))
    text = value.strip()
    m = _NUMERIC.match(text) or _CHINESE.match(text)
    if m is None:
        raise ValueError(_("expected a date or timestamp such as {forms}, found {value}",
                           forms=_FORMS, value=repr(value)))
    g = m.groupdict()
    try:
        fraction = (g["F"] or "").ljust(6, "0")
        stamp = datetime(
            int(g["y"]), int(g["m"]), int(g["d"]),
            int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0), int(fraction or 0),
        )
    except ValueError:
        raise ValueError(_("{value} is not a real date and time", value=repr(value))) from None
    if g["tz"]:
        return stamp.replace(tzinfo=_offset(g["tz"])).astimezone(SHANGHAI)
    return stamp.replace(tzinfo=SHANGHAI)


def parse_timestamp(value: object) -> datetime:
    """Read an evidence timestamp as an aware datetime in Asia/Shanghai (see :func:`_parse_timestamp`
    for the forms accepted).

    Raises:
        ValueError: anything else, including a time whose conversion leaves the calendar
        (0001-01-01T00:00+05:00).
    """
    if type(value) is str and _COMMON.fullmatch(value):
        try:  # what _parse_timestamp gives for this form (a new datetime: replace(tzinfo=) is slower)
            t = datetime.fromisoformat(value)
            return datetime(t.year, t.month, t.day, t.hour, t.minute, t.second, tzinfo=SHANGHAI)
        except ValueError:  # not a real date: _parse_timestamp says so
            pass
    try:
        return _parse_timestamp(value)
    except OverflowError:
        raise ValueError(_("{value} lies outside the calendar", value=repr(value)[:60])) from None


_ISO_TEXTS: dict[date, str] = {}


def iso_text(day: date) -> str:
    """``day.isoformat()`` ("2023-05-25"), remembered for calendar dates: a run's evidence holds a few
    hundred distinct days, each written again and again in audit details, and isoformat formats
    through printf each time. A datetime is formatted as usual."""
    if type(day) is not date:
        return day.isoformat()
    text = _ISO_TEXTS.get(day)
    if text is None:
        text = day.isoformat()
        if len(_ISO_TEXTS) >= 4096:
            _ISO_TEXTS.clear()
        _ISO_TEXTS[day] = text
    return text


def parse_date(value: object) -> date:
    """Read an evidence date as its Asia/Shanghai calendar date.

    Accepts a ``date``; a ``datetime`` (its Shanghai date: naive = Shanghai, aware converted, so
    2023-10-06T20:00-05:00 is 2023-10-07); or any text :func:`parse_timestamp` accepts.

    Returns:
        date: the Shanghai calendar date.

    Raises:
        ValueError: any other value.

    Rubric "Terms": dates are Asia/Shanghai dates.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        # the common "2023-10-07" (JSON evidence, post dates): no regex, no time zone
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return parse_timestamp(value).date()


def months_before(as_of: date, months: int) -> date:
    """The date ``months`` calendar months before ``as_of``, clamped to the end of a shorter month.

    2023-08-31 minus 6 -> 2023-02-28; 2024-08-31 minus 6 -> 2024-02-29; 2023-12-31 minus 6 -> 2023-06-30.

    Raises:
        ValueError: ``months`` negative.

    Rubric: the stale veto's look-back ("last_updated more than 6 months before as_of", defect 9).
    """
    if months < 0:
        raise ValueError(_("a number of months must be 0 or more, found {months}", months=months))
    index = as_of.year * 12 + (as_of.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - timedelta(days=1)).day
    return date(year, month, min(as_of.day, last_day))


def is_stale(last_updated: date, as_of: date, months: int) -> bool:
    """True when ``last_updated`` is more than ``months`` months before ``as_of``.

    That is ``last_updated < months_before(as_of, months)``: with as_of 2023-12-31 and 6 months,
    2023-06-30 is not stale and 2023-06-29 is. Dates are Shanghai dates.

    Rubric: veto "stale (last_updated more than 6 months before as_of)" of 政策文件, 政策解读 and, by
    default, the key areas and 专题专栏 (栏目更新不及时).
    """
    return last_updated < months_before(as_of, months)


def _first_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def required_periods(
    kind: PeriodKind,
    period_start: date,
    period_end: date,
    as_of: date,
    opened_on: date | None = None,
    closed_on: date | None = None,
    weeks: int | None = None,
) -> list[tuple[date, date]]:
    """The posting periods an account must cover, as inclusive ``(first_day, last_day)`` date pairs.

    ``kind`` "publishing" (发布类): every calendar week Monday-Sunday. "service" (服务类): consecutive
    14-day blocks starting on the period's first Monday (the first Monday on or after ``period_start``;
    the blocks stay anchored there even when the account opened later). A week or block is required only
    if it lies wholly within ``[max(period_start, opened_on), min(period_end, closed_on, as_of)]``.
    Returned in date order; empty when no whole week/block fits.

    ``weeks`` (optional, a rule-file setting): the length of a period in weeks, overriding the kind's
    default (publishing 1, service 2); periods of any length stay anchored on the period's first Monday.

    Example: 2023-01-01..2023-12-31 with as_of 2023-12-31 gives 52 weeks 2023-01-02..01-08 through
    2023-12-25..12-31, or 26 blocks 2023-01-02..01-15 through 2023-12-18..12-31.

    Raises:
        ValueError: an unknown ``kind``, or ``weeks`` not a whole number of at least 1.

    Rubric: 信息发布 update_frequency ("≥1 post in every calendar week ... every consecutive 2-week block
    starting on the period's first Monday ... wholly within [max(period start, opened_on),
    min(period end, closed_on, as_of)]").
    """
    return list(_periods(kind, period_start, period_end, as_of, opened_on, closed_on, weeks)[0])


def _period_step(kind: PeriodKind, weeks: int | None) -> int:
    """Days per posting period of `kind` (or of `weeks` weeks).

    Raises:
        ValueError: an unknown ``kind``, or ``weeks`` not a whole number of at least 1.
    """
    if kind == "publishing":
        step = 7
    elif kind == "service":
        step = 14
    else:
        raise ValueError(_("unknown account kind {kind}: expected publishing or service", kind=repr(kind)))
    if weeks is not None:
        if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
            raise ValueError(_("a posting period is a whole number of weeks, at least 1; found {weeks}", weeks=repr(weeks)))
        step = 7 * weeks
    return step


def _periods(kind: PeriodKind, period_start: date, period_end: date, as_of: date, opened_on: date | None,
             closed_on: date | None, weeks: int | None) -> tuple[tuple[tuple[date, date], ...], int, int]:
    """(the periods of :func:`required_periods` as a tuple, the ordinal of the period's first Monday
    where they are anchored, days per period)."""
    step = _period_step(kind, weeks)
    low = max(period_start, opened_on) if opened_on else period_start
    high = min(d for d in (period_end, closed_on, as_of) if d is not None)
    # The periods up to `high` depend only on the period and `high`, which most accounts of a run
    # share, so they are cached; the account's own start only drops the periods starting before it.
    try:
        periods, anchor = _periods_until_cached(step, period_start, high)
    except TypeError:  # unhashable: the computation raises its own error, or answers
        periods, anchor = _periods_until(step, period_start, high)
    return periods[bisect_left(periods, (low,)):], anchor, step


def _periods_until(step: int, period_start: date, high: date) -> tuple[tuple[tuple[date, date], ...], int]:
    """(the blocks of `step` days from the first Monday on or after `period_start` that end by `high`,
    the ordinal of that Monday)."""
    periods: list[tuple[date, date]] = []
    start = anchor = _first_monday(period_start)
    length = timedelta(days=step - 1)
    while start + length <= high:
        periods.append((start, start + length))
        start += timedelta(days=step)
    return tuple(periods), anchor.toordinal()


# typed: a datetime equal to a date is not that date here (comparing them raises)
_periods_until_cached = lru_cache(maxsize=1024, typed=True)(_periods_until)


def missing_periods(
    post_dates: Iterable[object],
    kind: PeriodKind,
    period_start: date,
    period_end: date,
    as_of: date,
    opened_on: date | None = None,
    closed_on: date | None = None,
    weeks: int | None = None,
) -> list[tuple[date, date]]:
    """The required weeks/blocks (see :func:`required_periods`) that contain no post.

    ``post_dates``: the account's posts as dates, datetimes or text (read with :func:`parse_date`, so
    in Shanghai dates); posts outside every required period are ignored. Returns inclusive
    ``(first_day, last_day)`` pairs in date order; an empty list means the account complies.
    ``weeks``: as for :func:`required_periods`.

    Raises:
        ValueError: a post date that cannot be read, or an unknown ``kind``.

    Rubric: 信息发布 update_frequency ("full share only if every account complies").
    """
    posts = list(post_dates)
    if not set(map(type, posts)) <= {date}:
        posts = [parse_date(p) for p in posts]
    required, anchor, step = _periods(kind, period_start, period_end, as_of, opened_on, closed_on, weeks)
    if not required:
        return []
    if type(required[0][0]) is not date:  # periods of datetimes: compared with the posts as they are
        posts.sort()
        return [(first, last) for first, last in required
                if (i := bisect_left(posts, first)) == len(posts) or posts[i] > last]
    # the periods are consecutive blocks of `step` days from `anchor`: a post lies in block number
    # (day - anchor) // step, and a required period without a post is one whose number no post has
    # (in C: map and the operator functions; an account has a post a week)
    covered = set(map(floordiv, map(sub, map(date.toordinal, posts), repeat(anchor)), repeat(step)))
    first_number = (required[0][0].toordinal() - anchor) // step
    uncovered = set(range(first_number, first_number + len(required))) - covered
    return [required[n - first_number] for n in sorted(uncovered)]


def annual_report_on_time(published_on: date, report_year: int, deadline_month_day: tuple[int, int]) -> bool:
    """True when the annual report for ``report_year`` was published by its deadline.

    The deadline is ``deadline_month_day`` (month, day) of the year after ``report_year``, inclusive:
    with (1, 31) the 2022 report is on time if published on or before 2023-01-31. The deadline is a
    rule-file setting, so there is deliberately no default here.

    Raises:
        ValueError: a (month, day) that is not a real date in that year.

    Rubric: 信息公开工作年报 on_time (条例 第四十九条: by 31 January of the following year).
    """
    month, day = deadline_month_day
    try:
        deadline = date(report_year + 1, month, day)
    except ValueError:
        raise ValueError(_("the deadline {month}-{day} is not a real date in {year}",
                           month=month, day=day, year=report_year + 1)) from None
    return published_on <= deadline
