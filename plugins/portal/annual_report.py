"""信息公开工作年报 (portal.annual_report): 评估信息公开工作年报的格式规范性，按时发布情况，集中发布情况.

Rubric 2023, 管理保障 / 信息公开工作年报 (weight 10; the source gives the sentence above as its only 评分细则
and no shares, known defect 5: the three named aspects split the weight equally, 1/3 each):
- 格式规范性 -> format_compliant (judged; 条例 第五十条: contents and uniform format);
- 按时发布情况 -> on_time, derived here from published_on: on time when published on or before the deadline
  (the rule file's ``settings: deadline``, "01-31" = 31 January, 条例 第四十九条) of the year after the
  report year; the report year is ``report_year`` when recorded, else the period's year plus
  ``settings: report_year_offset`` (-1: the 2023 evaluation checks the 2022 report);
- 集中发布情况 -> centrally_published (judged).
Without published_on, on_time stays unset: listed as missing, earning nothing.
"""

from __future__ import annotations

import re

from pydantic import Field

from govscore.core.dates import annual_report_on_time
from govscore.core.derivations import Derivation
from govscore.core.errors import Location, RuleSetError
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Count, Day, Judgement, Observations

INDICATOR = "portal.annual_report"
_DEADLINE = re.compile(r"^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$")


class Evidence(Observations):
    """Observations of 信息公开工作年报: format_compliant, published_on (the report's publication date),
    report_year (optional; default from the settings), centrally_published. on_time is derived."""

    format_compliant: Judgement = None
    published_on: Day = Field(None, description="年报发布日期")
    report_year: Count = Field(None, description="年报所属年度（留空：评估年度的上一年）")
    centrally_published: Judgement = None


def _settings(compiled) -> tuple[tuple[int, int], int]:
    leaf = compiled.leaf(INDICATOR)
    settings = leaf.settings
    where = Location(file=leaf.file, line=leaf.line)

    def bad(name, value, expected):
        return RuleSetError("settings {name} of {indicator}: expected {expected}, found {value!r}",
                            {"name": name, "indicator": INDICATOR, "expected": expected, "value": value},
                            where, None, f"{INDICATOR}.settings.{name}")

    raw = settings.get("deadline")
    m = _DEADLINE.match(str(raw)) if raw is not None else None
    if m is None:
        raise bad("deadline", raw, 'a month-day such as "01-31"')
    offset = settings.get("report_year_offset", -1)
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise bad("report_year_offset", offset, "a whole number of years such as -1")
    return (int(m.group(1)), int(m.group(2))), offset


def derive(work, compiled) -> None:
    """Set the derived observation on_time (None when published_on is not recorded) and its audit detail.

    Raises:
        RuleSetError: the deadline setting is missing or not a real date.
    """
    obs = work.observations.setdefault(INDICATOR, {})
    deadline, offset = _settings(compiled)
    report_year = obs.get("report_year")
    if report_year is None:
        report_year = compiled.context.period_start.year + offset
    published = obs.get("published_on")
    try:
        on_time = None if published is None else annual_report_on_time(published, report_year, deadline)
    except ValueError as exc:
        leaf = compiled.leaf(INDICATOR)
        raise RuleSetError("settings deadline of {indicator}: {problem}", {"indicator": INDICATOR, "problem": str(exc)},
                           Location(file=leaf.file, line=leaf.line), None, f"{INDICATOR}.settings.deadline") from None
    obs["on_time"] = on_time
    due = f"{report_year + 1:04d}-{deadline[0]:02d}-{deadline[1]:02d}"
    work.details.setdefault(INDICATOR, {})["on_time"] = {
        "report_year": report_year, "deadline": due,
        "published_on": published.isoformat() if published else None}


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id=INDICATOR, evidence=Evidence, rule_kinds=("judged",), derived=("on_time",),
                           display_name="信息公开工作年报"))


@hookimpl
def register_derivations(register):
    register(Derivation("annual_report.on_time", (INDICATOR,), derive,
                        "信息公开工作年报: on_time from published_on and the deadline setting (条例 第四十九条)"))
