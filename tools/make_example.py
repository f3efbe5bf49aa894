#!/usr/bin/env python3
"""Make the bundled example district: the evidence of 32 fictional units of a district like Zengdu.

Writes (all committed; this script documents how they were made and makes them again):

- ``examples/2023-zengdu/units/<id>.yaml``: one hand-readable evidence file per unit, with YAML
  comments on the interesting cases;
- ``examples/2023-zengdu/README.md``: the list of units and where each interesting case lives;
- ``examples/2023-zengdu-workbook.xlsx``: the same evidence in the evaluator's workbook, made with
  ``govscore.core.workbook.write_template`` and filled with openpyxl. It lies beside the folder, not in
  it: ``govscore score examples/2023-zengdu`` reads every .yaml/.json/.xlsx under the folder, and the
  units would otherwise be read twice.

Usage::

    python tools/make_example.py                 # rewrite the files above
    python tools/make_example.py --out DIR       # write DIR/2023-zengdu/... and DIR/2023-zengdu-workbook.xlsx
    python tools/make_example.py --yaml-only     # skip the workbook

Everything is synthetic. Each unit draws its ordinary observations from its own random generator,
seeded with ``SEED`` and the unit id (so adding a unit changes no other unit); the interesting cases
(vetoes, holidays, appeals ...) are written explicitly in ``SPECIALS`` below. No person is named:
sources are example.gov.cn addresses, notes describe problems without quoting personal data, and no
number in the files looks like an ID card or mobile number (tests/test_example_district.py checks).

The rule set's defaults apply: period 2023-01-01..2023-12-31, monitoring date 2023-12-31, the official
2023 calendar (春节 01-21..01-27 with make-up working days 01-28/01-29; 劳动节 04-29..05-03, make-up
04-23 and 05-06; 端午 06-22..06-24, make-up 06-25; 中秋国庆 09-29..10-06, make-up 10-07/10-08).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
SEED = 20231231
URL = "https://www.example.gov.cn"
PERIOD_START, PERIOD_END = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
AS_OF = dt.date(2023, 12, 31)
OFFICE = "区政务公开办"

D = dt.date


def T(text: str) -> dt.datetime:
    """A Shanghai wall-clock time written "2023-09-28 16:00"."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")


# --- data model ------------------------------------------------------------------------------------

@dataclass
class Prov:
    """An observation with its provenance: {value, source, checked_at, note}."""

    value: Any
    source: str
    checked_at: dt.date
    note: str | None = None


@dataclass
class Msg:
    """A 在线咨询 test question; `why` becomes the YAML comment beside it."""

    asked: dt.datetime
    answered: dt.datetime | None
    accurate: bool = True
    perfunctory: bool = False
    why: str = ""


@dataclass
class Acc:
    platform: str
    name: str
    kind: str  # publishing | service
    filed: bool = True
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    posts: list[dt.date] = field(default_factory=list)
    comment: str = ""


@dataclass
class Unit:
    id: str
    name: str
    kind: str  # department | town
    q: float  # quality of the ordinary observations, 0..1
    header: list[str] = field(default_factory=list)
    accounts: list[Acc] = field(default_factory=list)
    obs: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)  # indicator -> comment lines above it
    adjustments: list[dict] = field(default_factory=list)
    adjustment_comment: list[str] = field(default_factory=list)
    account_comment: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)  # for README
    draw: Any = None  # the unit's Draw

    def note(self, indicator: str, *lines: str) -> None:
        self.comments.setdefault(indicator, []).extend(lines)

    def case(self, text: str) -> None:
        self.cases.append(text)


# --- the district ----------------------------------------------------------------------------------
# id, name, kind, quality, key areas (重大建设项目, 公益事业建设, 公共资源配置), account short name
KEY = ("disclosure.major_projects", "disclosure.public_welfare", "disclosure.public_resources")

UNITS = [
    ("fgj", "区发展和改革局", "department", 0.91, (1, 0, 1), "曾都发改"),
    ("jyj", "区教育局", "department", 0.87, (0, 1, 0), "曾都教育"),
    ("czj", "区财政局", "department", 0.88, (0, 0, 1), "曾都财政"),
    ("rsj", "区人力资源和社会保障局", "department", 0.85, (0, 1, 0), "曾都人社"),
    ("zrzyj", "区自然资源和规划局", "department", 0.83, (1, 0, 1), "曾都自然资源"),
    ("zjj", "区住房和城乡建设局", "department", 0.80, (1, 0, 1), "曾都住建"),
    ("jtj", "区交通运输局", "department", 0.83, (1, 0, 0), "曾都交通"),
    ("nyj", "区农业农村局", "department", 0.85, (1, 1, 0), "曾都农业农村"),
    ("wjj", "区卫生健康局", "department", 0.86, (0, 1, 0), "曾都卫健"),
    ("yjj", "区应急管理局", "department", 0.84, (0, 1, 0), "曾都应急"),
    ("scjgj", "区市场监督管理局", "department", 0.82, (0, 0, 1), "曾都市场监管"),
    ("ybj", "区医疗保障局", "department", 0.92, (0, 1, 0), "曾都医保"),
    ("mzj", "区民政局", "department", 0.87, (0, 1, 0), "曾都民政"),
    ("sfj", "区司法局", "department", 0.85, (0, 0, 0), "曾都司法"),
    ("tjj", "区统计局", "department", 0.85, (0, 0, 0), None),
    ("sjj", "区审计局", "department", 0.81, (0, 0, 0), "曾都审计"),
    ("wlj", "区文化和旅游局", "department", 0.86, (1, 1, 0), "曾都文旅"),
    ("tyjrj", "区退役军人事务局", "department", 0.84, (0, 1, 0), "曾都退役军人"),
    ("cgj", "区城市管理执法局", "department", 0.81, (1, 0, 0), "曾都城管"),
    ("slj", "区水利和湖泊局", "department", 0.83, (1, 0, 1), "曾都水利"),
    ("swj", "区商务局", "department", 0.85, (0, 0, 1), "曾都商务"),
    ("nj_jd", "南郊街道", "town", 0.86, (1, 1, 1), "南郊发布"),
    ("bj_jd", "北郊街道", "town", 0.83, (1, 1, 1), "北郊发布"),
    ("xc_jd", "西城街道", "town", 0.90, (1, 1, 1), "西城发布"),
    ("dc_jd", "东城街道", "town", 0.83, (1, 1, 1), "东城发布"),
    ("cnxq", "城南新区", "town", 0.82, (1, 1, 1), "城南新区发布"),
    ("hd_z", "何店镇", "town", 0.84, (1, 1, 1), "何店发布"),
    ("ly_z", "洛阳镇", "town", 0.80, (1, 1, 1), "洛阳镇发布"),
    ("fh_z", "府河镇", "town", 0.80, (1, 1, 1), "府河发布"),
    ("wd_z", "万店镇", "town", 0.81, (1, 1, 1), "万店发布"),
    ("xh_z", "淅河镇", "town", 0.82, (1, 1, 1), "淅河发布"),
    ("kfq", "曾都经济开发区", "town", 0.85, (1, 0, 1), "曾都开发区"),
]


def src(uid: str, path: str) -> str:
    return f"{URL}/{uid}/{path}"


# --- calendar ---------------------------------------------------------------------------------------

_CAL = None


def cal():
    global _CAL
    if _CAL is None:
        from govscore.core.calendar import WorkingDayCalendar

        _CAL = WorkingDayCalendar.from_files([])
    return _CAL


def working_days(asked: dt.datetime, answered: dt.datetime) -> int:
    return cal().elapsed_working_days(asked.date(), answered.date())


def add_working_days(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if cal().is_working_day(day):
            n -= 1
    return day


def band(m: Msg) -> str:
    if m.answered is None:
        return "unanswered -> 0"
    n = working_days(m.asked, m.answered)
    unit = "working day" if n == 1 else "working days"
    if not m.accurate:
        return f"{n} {unit} but inaccurate -> 0"
    if m.perfunctory:
        return f"{n} {unit} but perfunctory (敷衍塞责) -> 0"
    if n <= 1:
        return f"{n} {unit} -> 50%"
    if n <= 5:
        return f"{n} {unit} -> 20%"
    if n <= 10:
        return f"{n} {unit}: the (5, 10] gap the source leaves unscored -> 0"
    return f"{n} {unit} -> 0"


# Consultation test questions that cross the 2023 holidays and their make-up working days. Each is
# (asked, answered, why, expected working days); the expected count is checked against the calendar.
HOLIDAY_MESSAGES = [
    ("2023-01-20 16:40", "2023-01-28 09:15", "春节: asked Fri 01-20, holiday 01-21..01-27, answered on the make-up Saturday 01-28", 1),
    ("2023-01-19 10:20", "2023-01-30 11:00", "春节: 01-20, make-up 01-28 (Sat) and 01-29 (Sun), 01-30 count", 4),
    ("2023-01-25 21:05", "2023-01-28 10:30", "春节: asked during the holiday, answered on the make-up Saturday 01-28", 1),
    ("2023-04-21 17:30", "2023-04-24 09:40", "劳动节: Sun 04-23 is a make-up working day, so Fri -> Mon is 2, not 1", 2),
    ("2023-04-28 15:00", "2023-05-04 10:00", "劳动节: asked Fri 04-28, holiday 04-29..05-03, answered Thu 05-04", 1),
    ("2023-05-05 11:20", "2023-05-06 16:00", "劳动节: answered on the make-up Saturday 05-06", 1),
    ("2023-06-21 14:10", "2023-06-25 10:30", "端午: holiday 06-22..06-24, answered on the make-up Sunday 06-25", 1),
    ("2023-06-21 09:30", "2023-06-26 15:20", "端午: make-up Sunday 06-25 and Mon 06-26 count", 2),
    ("2023-09-28 16:00", "2023-10-07 09:30", "国庆: holiday 09-29..10-06, answered on the make-up Saturday 10-07", 1),
    ("2023-09-27 10:00", "2023-10-09 14:00", "国庆: 09-28, make-up 10-07 (Sat) and 10-08 (Sun), 10-09 count", 4),
    ("2023-09-30 20:00", "2023-10-08 08:50", "国庆: asked during the holiday; make-up days 10-07 and 10-08 count", 2),
    ("2023-01-17 09:00", "2023-02-03 10:00", "春节: answered two weeks later; the make-up days count too", 10),
]


def holiday_msg(i: int) -> Msg:
    asked, answered, why, expected = HOLIDAY_MESSAGES[i]
    m = Msg(T(asked), T(answered), why=why)
    got = working_days(m.asked, m.answered)
    assert got == expected, (asked, answered, got, expected)
    return m


# --- ordinary observations --------------------------------------------------------------------------

class Draw:
    """The random draws of one unit at quality q."""

    def __init__(self, uid: str, q: float) -> None:
        self.r = random.Random(f"{SEED}-{uid}")
        self.q = q

    def judge(self, boost: float = 0.0) -> Any:
        """true with probability q (+boost), else half credit or false."""
        x = self.r.random()
        q = min(1.0, self.q + boost)
        if x < q:
            return True
        return Fraction(1, 2) if x < q + (1 - q) * 0.6 else False

    def yes(self, boost: float = 0.0) -> bool:
        return self.r.random() < min(1.0, self.q + boost)

    def checklist(self, items: list[str], boost: float = 0.05) -> list[str]:
        got = [it for it in items if self.yes(boost)]
        return got

    def recent(self, lo: dt.date = D(2023, 11, 6), hi: dt.date = D(2023, 12, 29)) -> dt.date:
        return lo + dt.timedelta(days=self.r.randint(0, (hi - lo).days))

    def problems(self, p: float) -> int:
        """0 with probability 1 - p*(1 - q) ..., else 1 or 2."""
        if self.r.random() < (1 - self.q) * p:
            return self.r.choice([1, 1, 2])
        return 0

    def working_day(self, lo: dt.date, hi: dt.date) -> dt.date:
        while True:
            d = lo + dt.timedelta(days=self.r.randint(0, (hi - lo).days))
            if cal().is_working_day(d):
                return d

    def message(self, lo: dt.date, hi: dt.date) -> Msg:
        day = self.working_day(lo, hi)
        asked = dt.datetime.combine(day, dt.time(self.r.randint(8, 16), self.r.choice([0, 5, 10, 20, 25, 30, 40, 45, 50])))
        x = self.r.random()
        if x < self.q:
            k = self.r.choice([0, 0, 1])
        else:
            k = self.r.choice([2, 3, 4])
        ans_day = add_working_days(day, k)
        if k == 0:
            answered = asked + dt.timedelta(hours=self.r.randint(1, 3), minutes=self.r.choice([0, 15, 30]))
        else:
            answered = dt.datetime.combine(ans_day, dt.time(self.r.randint(8, 17), self.r.choice([0, 10, 20, 30, 45])))
        return Msg(asked, answered)


def weekly_posts(d: Draw, start: dt.date, end: dt.date, every_weeks: int = 1, skip: set[dt.date] = frozenset(),
                 busy: float = 1.4) -> list[dt.date]:
    """Posts on working days: about `busy` per week (publishing) or 1-2 per block (service).

    Blocks of `every_weeks` weeks start on the Monday of `start`'s week; `skip` holds the Mondays of
    blocks left without any post (the gaps).
    """
    # blocks are anchored on the period's first Monday, as the rubric's 2-week blocks are
    anchor = D(2023, 1, 2)
    span = 7 * every_weeks
    monday = anchor + dt.timedelta(days=span * max(0, (start - anchor).days // span))
    out: list[dt.date] = []
    while monday <= end:
        block_end = monday + dt.timedelta(days=7 * every_weeks - 1)
        if monday not in skip:
            days = [monday + dt.timedelta(days=i) for i in range(7 * every_weeks)]
            days = [x for x in days if start <= x <= end and x <= block_end]
            work = [x for x in days if cal().is_working_day(x)] or days
            if work:
                n = 1 + (d.r.random() < busy - 1) + (d.r.random() < (busy - 1) / 3)
                out.extend(d.r.sample(work, min(n, len(work))))
        monday += dt.timedelta(days=7 * every_weeks)
    return sorted(set(out))


def ordinary(u: Unit, key_areas: tuple[int, int, int], short: str | None) -> None:
    """The unit's ordinary observations, drawn at its quality."""
    d = Draw(u.id, u.q)
    o = u.obs
    o["disclosure.overview"] = {"up_to_date": d.judge(0.05), "consistent": d.judge(0.05)}
    o["disclosure.functions"] = {"published_fields": d.checklist(["functions", "structure", "address", "office_hours", "contact", "head"]),
                                 "consistent": d.judge(0.05)}
    o["disclosure.leaders"] = {"published_fields": d.checklist(["name", "post", "duties"]), "consistent": d.judge(0.05)}
    o["disclosure.policy_documents"] = {"timely": d.judge(), "cleanup_published": d.judge(), "consistent": d.judge(0.05),
                                        "defective_documents": d.problems(1.5), "last_updated": d.recent()}
    o["disclosure.licensing_results"] = {"published": d.judge(), "consistent": d.judge(0.05)}
    o["disclosure.enforcement"] = {"double_random": d.checklist(["plan", "objects", "results"]),
                                   "annual_statistics_report": d.judge(), "consistent": d.judge(0.05)}
    o["disclosure.budgets"] = {"published": d.checklist(["budget", "final_accounts"], 0.08)}
    o["disclosure.proposals"] = {"published": d.checklist(["reply_full_text", "progress", "annual_summary"]),
                                 "consistent": d.judge(0.05)}
    for ind, on in zip(KEY, key_areas):
        if on:
            o[ind] = {"structured": d.judge(), "consistent": d.judge(0.03), "last_updated": d.recent(D(2023, 10, 9))}
        else:
            o[ind] = {"applicable": False}
    o["disclosure.special_topics"] = {"topic_columns": d.r.choice([1, 2, 2, 3, 4]), "structured": d.judge(),
                                      "consistent": d.judge(0.05), "last_updated": d.recent()}
    o["disclosure.policy_interpretation"] = {
        "interpreted": 2 if d.yes(0.03) else 1, "diverse_forms": d.judge(), "content_focused": d.judge(),
        "drafter_interprets": d.judge(), "cross_linked": 2 if d.yes(0.03) else 1, "consistent": d.judge(0.05),
        "last_updated": d.recent()}
    o["portal.query_service"] = {"own_service": d.judge(), "form_level": d.r.choice([3, 4, 4, 5] if d.yes() else [2, 3]),
                                 "consistent": d.judge(0.05)}
    msgs = [d.message(D(2023, 3, 1), D(2023, 6, 16)), d.message(D(2023, 7, 3), D(2023, 12, 22))]
    o["portal.consultation"] = {"messages": msgs}
    o["portal.opinion_collection"] = {"solicitations": d.judge(0.05), "feedback_published": d.judge()}
    o["portal.maintenance"] = {"empty_or_stale_columns": d.problems(1.0), "broken_links": d.problems(1.2), "privacy_leaks": 0}
    o["portal.annual_report"] = {"format_compliant": d.judge(0.05), "published_on": D(2023, 1, d.r.randint(9, 31)),
                                 "centrally_published": d.judge(0.05)}
    o["newmedia.intensive"] = {"lifecycle_compliant": d.judge(0.05)}
    o["newmedia.publishing"] = {"content_types": d.checklist(["dynamics", "policy_documents", "interpretations", "responses"]),
                                "mobile_adapted": d.judge(0.05), "same_source": d.judge()}
    o["newmedia.services"] = {"mobile_services": d.judge(), "novel_design": d.judge(-0.25)}
    o["newmedia.interaction"] = {"consultation_available": d.judge(0.05), "replies_timely": d.judge()}
    checks = []
    for month in range(1, 13):
        for lo, hi in ((1, 14), (15, 28)):
            day = d.working_day(D(2023, month, lo), D(2023, month, hi))
            checks.append({"on": day, "passed": d.yes(0.06)})
    o["newmedia.coordination"] = {"repost_checks": checks, "joint_campaigns": d.r.choice([2, 3, 5, 6] if d.yes() else [0, 1, 2])}
    o["bonus.commendation"] = {"commendations": 0, "central_media_reports": 0}
    if short:
        kind_platforms = ["wechat"] + (["douyin"] if u.kind == "town" else [])
        if d.r.random() < 0.35 and u.kind == "department":
            kind_platforms.append("weibo")
        for p in kind_platforms:
            u.accounts.append(Acc(p, short, "publishing", True, D(2016 + d.r.randint(0, 5), d.r.randint(1, 12), d.r.randint(1, 28)),
                                  posts=weekly_posts(d, PERIOD_START, PERIOD_END, busy=1.2 + d.r.random())))
    u.draw = d  # the special cases below draw their extra posts from the same sequence


# --- the interesting cases --------------------------------------------------------------------------

def _msgs(u: Unit) -> list[Msg]:
    return u.obs["portal.consultation"]["messages"]


def _perfect_disclosure(u: Unit) -> None:
    """Fixed, complete disclosure observations (units whose numbers a test recomputes by hand)."""
    o = u.obs
    o["disclosure.overview"] = {"up_to_date": True, "consistent": True}
    o["disclosure.functions"] = {"published_fields": ["functions", "structure", "address", "office_hours", "contact", "head"],
                                 "consistent": True}
    o["disclosure.leaders"] = {"published_fields": ["name", "post", "duties"], "consistent": True}
    o["disclosure.licensing_results"] = {"published": True, "consistent": True}
    o["disclosure.budgets"] = {"published": ["budget", "final_accounts"]}
    o["disclosure.proposals"] = {"published": ["reply_full_text", "progress", "annual_summary"], "consistent": True}


def s_fgj(u: Unit) -> None:
    u.header.append("A strong department: provincial commendation, every account updated every week.")
    u.obs["bonus.commendation"]["commendations"] = Prov(
        1, src("fgj", "zwgk/bzxc/2023/notice-0612.html"), D(2023, 12, 5),
        "省人民政府办公厅通报表扬：政府网站重大建设项目专栏建设（上级单位表彰，≥1 → 50% of 10）")
    u.note("bonus.commendation", "加分指标: one commendation by the provincial government -> +5.")
    u.case("commendation by the provincial government (+5)")
    _msgs(u).append(holiday_msg(4))


def s_jyj(u: Unit) -> None:
    _msgs(u).append(holiday_msg(1))
    if not any(a.platform == "weibo" for a in u.accounts):
        u.accounts.append(Acc("weibo", "曾都教育", "publishing", True, D(2017, 3, 1),
                              posts=weekly_posts(u.draw, PERIOD_START, PERIOD_END, busy=1.8)))


def s_czj(u: Unit) -> None:
    _msgs(u).append(holiday_msg(8))


def s_rsj(u: Unit) -> None:
    # a service account (服务号) beside the publishing one, on its own platform entry
    d = u.draw
    u.accounts = [a for a in u.accounts if a.platform != "wechat"]
    u.accounts.insert(0, Acc("wechat", "曾都人社", "service", True, D(2018, 9, 3),
                             posts=weekly_posts(d, PERIOD_START, PERIOD_END, every_weeks=2)))
    if not any(a.platform == "weibo" for a in u.accounts):
        u.accounts.append(Acc("weibo", "曾都人社", "publishing", True, D(2016, 5, 20),
                              posts=weekly_posts(d, PERIOD_START, PERIOD_END, busy=1.5)))
    u.account_comment.append("WeChat 服务号 (service: one post every 2-week block is enough) and a Weibo publishing account.")
    u.obs["penalty.service_items"] = {"inaccurate_guides": Prov(
        1, src("rsj", "bszn/shbx-check.html"), D(2023, 9, 14),
        "市政务服务中心抽查：社会保险登记办事指南所需材料与实际不符")}
    u.note("penalty.service_items", "政务服务事项 has no weight in the source (defect 6): the count is recorded, nothing is deducted.")
    u.case("service account (服务号, 2-week cadence); inaccurate service guide recorded (no weight, no deduction)")
    _msgs(u).append(holiday_msg(2))


def s_zrzyj(u: Unit) -> None:
    _msgs(u).append(holiday_msg(9))
    u.obs["portal.maintenance"]["broken_links"] = Prov(
        3, src("zrzyj", "zwgk/"), D(2023, 11, 22), "3 attachments of 国有建设用地使用权出让公告 return 404")
    u.note("portal.maintenance", "broken_links >= 1 loses that item's 25% (1.25 points), whatever the count.")
    u.case("broken links (3)")


def s_zjj(u: Unit) -> None:
    d = u.draw
    u.header.append("A weak department: two Weibo accounts (one unfiled), a State Council notice, two empty columns.")
    u.accounts = [a for a in u.accounts if a.platform != "weibo"]
    u.accounts.append(Acc("weibo", "曾都住建", "publishing", True, D(2015, 11, 2),
                          posts=weekly_posts(d, PERIOD_START, PERIOD_END, busy=1.3)))
    u.accounts.append(Acc("weibo", "曾都房产", "publishing", False, D(2014, 6, 18),
                          posts=weekly_posts(d, PERIOD_START, D(2023, 4, 30), every_weeks=3, busy=1.0),
                          comment="left over from the former 房产管理局: never closed, never filed, stopped posting in April"))
    u.account_comment.append("Two accounts on one platform (weibo): 集约开设 item 1 (one_account_per_platform) fails, "
                             "and the unfiled one fails item 3 (filed); its gaps fail 信息发布 item 2.")
    u.obs["newmedia.intensive"]["lifecycle_compliant"] = False
    u.note("newmedia.intensive", "The old 房产 account was neither closed nor cancelled (履行开设、变更、关停、注销职责).")
    u.obs["penalty.notices"] = {"state_council_notices": Prov(
        1, src("zjj", "tbbg/2023-gwyb.html"), D(2023, 8, 30),
        "国务院办公厅政府网站与政务新媒体检查情况通报: the unfiled Weibo account named as 僵尸号"), "provincial_notices": 0}
    u.note("penalty.notices", "扣分指标: one State Council notice -> -3 (50% of 6).")
    u.obs["portal.maintenance"]["empty_or_stale_columns"] = 2
    u.case("two accounts on one platform (weibo), one unfiled; State Council notice (-3)")
    _msgs(u).append(holiday_msg(6))


def s_jtj(u: Unit) -> None:
    d = u.draw
    u.obs["disclosure.major_projects"]["last_updated"] = Prov(
        D(2023, 4, 28), src("jtj", "zdly/zdjsxm/"), D(2023, 12, 18), "latest item: 项目建设进展 of 2023-04-28")
    u.note("disclosure.major_projects",
           "Stale column: last updated 2023-04-28, before 2023-06-30 (6 months before 2023-12-31) -> veto, 0 of 6.")
    mon = lambda s: D(*map(int, s.split("-")))  # noqa: E731
    gaps = {mon("2023-01-23"), mon("2023-10-02")}
    u.accounts = [Acc("wechat", "曾都交通", "publishing", True, D(2017, 4, 11),
                      posts=weekly_posts(d, PERIOD_START, PERIOD_END, skip=gaps, busy=1.6),
                      comment="no post in the weeks of 春节 (01-23..01-29) and 国庆 (10-02..10-08): update_ok false")]
    u.obs["portal.maintenance"]["broken_links"] = Prov(
        1, src("jtj", "zwgk/xzxk/"), D(2023, 11, 20), "行政许可结果 link to the provincial platform timed out on the check day")
    u.obs["portal.maintenance"]["empty_or_stale_columns"] = 0
    u.obs["portal.maintenance"]["privacy_leaks"] = 0
    u.note("portal.maintenance", "Computed 2.5 (broken link: 0 of 25%; the other two items 25% each of 5);",
           "the appeal below adds the lost 1.25 back -> 3.75.")
    u.adjustments.append({"indicator": "portal.maintenance", "points": Fraction(5, 4),
                          "reason": "复核：该链接指向省政务服务网，检查当日省平台维护，次日恢复访问；不属本单位责任",
                          "decided_by": OFFICE, "decided_on": D(2024, 1, 12)})
    u.adjustment_comment.append("Appeal (复核) upheld: the broken link was the provincial platform's maintenance window.")
    u.case("stale key-area column (veto); weekly gaps at 春节 and 国庆; appeal adjustment +1.25 on 运维保障")
    _msgs(u).append(holiday_msg(0))


def s_nyj(u: Unit) -> None:
    d = u.draw
    u.accounts.append(Acc("weibo", "曾都农业", "publishing", True, D(2015, 3, 9), D(2023, 8, 31),
                          posts=weekly_posts(d, PERIOD_START, D(2023, 8, 25), busy=1.2),
                          comment="closed on 2023-08-31 (注销, merged into the WeChat account): weeks after it are not required"))
    u.obs["newmedia.intensive"]["lifecycle_compliant"] = True
    u.case("an account closed mid-year (closed_on 2023-08-31)")
    _msgs(u).append(holiday_msg(5))


def s_wjj(u: Unit) -> None:
    u.obs["disclosure.policy_interpretation"].update({"copied_text": True, "diverse_forms": True})
    u.note("disclosure.policy_interpretation",
           "copied_text: the 图文解读 copy the policy's own text -> only diverse_forms (10%) is zeroed (criterion veto).")
    u.obs["disclosure.policy_interpretation"]["copied_text"] = Prov(
        True, src("wjj", "zcjd/2023/jd-0915.html"), D(2023, 12, 11), "图文解读 repeats the articles of the document verbatim")
    u.case("copied interpretation text (criterion veto of diverse_forms)")
    _msgs(u).append(holiday_msg(10))


def s_yjj(u: Unit) -> None:
    _msgs(u).append(holiday_msg(3))
    u.obs["portal.maintenance"]["broken_links"] = Prov(
        2, src("yjj", "zwgk/yjya/"), D(2023, 11, 21), "two 应急预案 PDF attachments missing")


def s_scjgj(u: Unit) -> None:
    u.obs["portal.query_service"].update({"own_service": True, "form_level": 4, "consistent": True,
                                          "unusable": Prov(True, src("scjgj", "cxfw/qyxy/"), D(2023, 12, 14),
                                                           "企业信用信息查询 returns an error page; checked again on 12-20, same result")})
    u.note("portal.query_service", "Veto: a query service that is offered but unusable -> 0 of 5 whatever the other items.")
    u.obs["penalty.service_items"] = {"inaccurate_guides": 2}
    u.note("penalty.service_items", "Two 办事指南 found inaccurate by the city: recorded, no deduction while the leaf has no weight.")
    u.case("unusable query service (veto); 2 inaccurate service guides")
    _msgs(u).append(holiday_msg(7))


def s_ybj(u: Unit) -> None:
    d = u.draw
    u.header.append("The top department: commendation and a central-media report (bonus +10).")
    u.accounts = [Acc("wechat", "曾都医保", "service", True, D(2019, 7, 1),
                      posts=weekly_posts(d, PERIOD_START, PERIOD_END, every_weeks=2, busy=1.6)),
                  Acc("douyin", "曾都医保", "publishing", True, D(2020, 2, 14),
                      posts=weekly_posts(d, PERIOD_START, PERIOD_END, busy=1.5))]
    u.obs["bonus.commendation"] = {
        "commendations": Prov(2, src("ybj", "bzxc/2023/"), D(2023, 12, 5), "国家医保局 and 省人民政府 commendations for 医保服务专栏"),
        "central_media_reports": Prov(1, src("ybj", "bzxc/2023/report-1103.html"), D(2023, 12, 5),
                                      "中央媒体 report on the 医保 mobile query service")}
    u.note("bonus.commendation", "Both items earned: 5 + 5 = +10 (the bonus category's cap).")
    for k in ("up_to_date", "consistent"):
        u.obs["disclosure.overview"][k] = True
    u.case("commendations and a central-media report (+10)")
    _msgs(u).append(holiday_msg(8))


def s_mzj(u: Unit) -> None:
    _msgs(u).append(holiday_msg(1))


def s_sfj(u: Unit) -> None:
    u.header.append("No key areas (重点领域): their 18 points are spread over the other 10 disclosure leaves.")
    _msgs(u).append(holiday_msg(11))
    u.case("no key areas (weight normalisation)")


def s_tjj(u: Unit) -> None:
    u.header.extend(["No key areas and no new-media accounts.",
                     "The three key areas are not applicable (applicable: false): their 6 + 6 + 6 = 18 points are",
                     "split evenly over the other 10 政府信息公开 leaves, +1.8 each (overview 2 -> 3.8, special_topics",
                     "3 -> 4.8, policy_interpretation 5 -> 6.8). The unit closed its WeChat account in 2022 and",
                     "publishes through the district's account: there is nothing to assess in 政务新媒体."])
    _perfect_disclosure(u)
    u.obs["disclosure.policy_documents"].update({"timely": True, "cleanup_published": True, "consistent": True,
                                                 "defective_documents": 1, "last_updated": D(2023, 12, 8)})
    u.note("disclosure.policy_documents",
           "Effective weight 3.8: (40% + 40% + 10%) x 3.8 = 3.42, minus one defective document 10% x 3.8 = 0.38 -> 3.04.")
    u.accounts = []
    u.obs["newmedia.intensive"] = {"lifecycle_compliant": True}
    u.note("newmedia.intensive", "No accounts: one_account_per_platform and filed have no input -> missing, nothing earned.")
    u.obs["newmedia.publishing"] = {"content_types": [], "mobile_adapted": False, "same_source": False}
    u.obs["newmedia.services"] = {"mobile_services": False, "novel_design": False}
    u.obs["newmedia.interaction"] = {"consultation_available": False, "replies_timely": False}
    u.obs["newmedia.coordination"] = {"joint_campaigns": 0}
    u.note("newmedia.coordination", "No account, no repost checks: repost_checks is missing and earns nothing.")
    u.case("no key areas (+1.8 on each other disclosure leaf); no new-media accounts")
    _msgs(u).append(holiday_msg(2))


def s_sjj(u: Unit) -> None:
    u.header.append("No key areas (重点领域): their 18 points are spread over the other 10 disclosure leaves.")
    _msgs(u).append(holiday_msg(5))
    u.case("no key areas")


def s_wlj(u: Unit) -> None:
    u.obs["bonus.commendation"]["central_media_reports"] = Prov(
        1, src("wlj", "bzxc/2023/"), D(2023, 12, 6), "中央媒体 report on the district's 文旅 new-media campaign")
    u.note("bonus.commendation", "One central-media report -> +5.")
    u.case("central-media report (+5)")
    _msgs(u).append(holiday_msg(4))


def s_tyjrj(u: Unit) -> None:
    _msgs(u).append(holiday_msg(6))


def s_cgj(u: Unit) -> None:
    u.obs["penalty.media_exposure"] = {"provincial_media_exposures": Prov(
        1, src("cgj", "tbbg/2023/"), D(2023, 7, 19), "省级主流媒体: an unanswered 占道经营 complaint on the account")}
    u.note("penalty.media_exposure", "One provincial exposure -> -0.4 (10% of 4).")
    u.case("provincial media exposure (-0.4)")
    _msgs(u).append(holiday_msg(9))


def s_slj(u: Unit) -> None:
    _msgs(u).append(holiday_msg(0))


def s_swj(u: Unit) -> None:
    _msgs(u).append(holiday_msg(7))


def s_nj_jd(u: Unit) -> None:
    u.obs["portal.consultation"]["messages"] = [
        holiday_msg(0),
        holiday_msg(3),
        Msg(T("2023-09-28 11:00"), T("2023-10-16 10:00"), why="国庆: asked before the holiday, answered a week after it"),
        Msg(T("2023-11-14 10:30"), None),
    ]
    u.note("portal.consultation", "Mean over 4 messages: (2.5 + 1 + 0 + 0) / 4 = 0.875 of 5.")
    u.obs["portal.annual_report"].update({"format_compliant": True, "centrally_published": True})
    u.obs["portal.annual_report"]["published_on"] = Prov(
        D(2023, 2, 10), src("nj_jd", "zwgk/ndbg/2022.html"), D(2023, 12, 15), "2022 annual report published 2023-02-10")
    u.note("portal.annual_report", "Published 2023-02-10, after the 2023-01-31 deadline: on_time is false -> 10 x 2/3 = 6.67.")
    u.case("consultation across 春节 and 劳动节, an 8-day reply and an unanswered one; late annual report")


def s_bj_jd(u: Unit) -> None:
    d = u.draw
    gap = {D(2023, 7, 31)}
    u.accounts.append(Acc("wechat", "北郊便民服务", "service", True, D(2021, 3, 1),
                          posts=weekly_posts(d, PERIOD_START, PERIOD_END, every_weeks=2, skip=gap),
                          comment="service account: the 2-week block 07-31..08-13 has no post -> update_ok false"))
    u.account_comment.append("Two WeChat accounts: a 订阅号 and a 服务号, both on platform wechat -> one_account_per_platform fails.")
    u.case("service account with a missing 2-week block; two WeChat accounts")
    _msgs(u).append(holiday_msg(10))


def s_xc_jd(u: Unit) -> None:
    u.header.append("The top town/street.")
    u.obs["bonus.commendation"]["commendations"] = Prov(
        1, src("xc_jd", "bzxc/2023/"), D(2023, 12, 5), "区政府 recommended, 省政府办公厅 commended the 网格化 news column")
    u.case("commendation (+5)")
    _msgs(u).append(holiday_msg(8))


def s_dc_jd(u: Unit) -> None:
    u.obs["portal.maintenance"]["privacy_leaks"] = Prov(
        1, src("dc_jd", "zwgk/shjz/2023-dbmd.html"), D(2023, 11, 23),
        "最低生活保障名单 published with unmasked identity numbers; removed after the check "
        "(the screenshot kept on file is masked)")
    u.note("portal.maintenance", "A privacy leak loses item 3 (25%, 1.25 points).")
    u.case("privacy leak")
    _msgs(u).append(holiday_msg(1))


def s_cnxq(u: Unit) -> None:
    u.obs["portal.consultation"]["messages"].append(Msg(T("2023-08-15 09:10"), T("2023-08-15 15:00"), perfunctory=True,
                                                        why="answer only says 请咨询相关部门"))
    u.obs["portal.consultation"]["messages"].append(Msg(T("2023-10-17 14:00"), T("2023-10-18 09:00"), accurate=False,
                                                        why="answer cites a repealed policy"))
    u.case("perfunctory and inaccurate replies")
    _msgs(u).append(holiday_msg(11))


def s_hd_z(u: Unit) -> None:
    d = u.draw
    u.accounts = [a for a in u.accounts if a.platform != "douyin"]
    u.accounts.append(Acc("douyin", "何店发布", "publishing", True, D(2023, 6, 15),
                          posts=weekly_posts(d, D(2023, 6, 15), PERIOD_END, busy=1.3),
                          comment="opened 2023-06-15 (Thu): weeks are required from Mon 06-19, the first whole week"))
    u.case("account opened mid-year")
    _msgs(u).append(holiday_msg(3))


def s_ly_z(u: Unit) -> None:
    d = u.draw
    gaps = {D(2023, 8, 7), D(2023, 8, 14), D(2023, 8, 21)}
    u.accounts = [a for a in u.accounts if a.platform != "wechat"]
    u.accounts.insert(0, Acc("wechat", "洛阳镇发布", "publishing", True, D(2018, 5, 2),
                             posts=weekly_posts(d, PERIOD_START, PERIOD_END, skip=gaps, busy=1.3),
                             comment="three weeks in August without a post -> update_ok false"))
    u.obs["newmedia.services"].update({"mobile_services": True, "novel_design": True, "unusable": Prov(
        True, src("ly_z", "wx/bmcx/"), D(2023, 12, 12), "便民查询 menu of the WeChat account opens a blank page")})
    u.note("newmedia.services", "Veto: a mobile query offered but unusable -> 0 of 6.")
    u.case("weekly gaps in August; unusable mobile query (veto)")
    _msgs(u).append(holiday_msg(2))


def s_fh_z(u: Unit) -> None:
    u.header.append("A weak town: stale policy columns, a central-media exposure.")
    u.obs["disclosure.policy_documents"]["last_updated"] = Prov(
        D(2023, 5, 26), src("fh_z", "zwgk/zcwj/"), D(2023, 12, 18), "latest 政策文件 item dated 2023-05-26")
    u.note("disclosure.policy_documents", "Stale: last updated before 2023-06-30 (as_of minus 6 months) -> veto, 0.")
    u.obs["disclosure.policy_interpretation"]["last_updated"] = D(2023, 3, 15)
    u.note("disclosure.policy_interpretation", "Stale: last updated 2023-03-15 -> veto, 0 of 5.")
    u.obs["penalty.media_exposure"] = {"central_media_exposures": Prov(
        1, src("fh_z", "tbbg/2023/"), D(2023, 10, 30), "中央媒体 report on a 12345 complaint left unanswered on the portal")}
    u.note("penalty.media_exposure", "One central-media exposure -> -2 (50% of 4).")
    u.obs["portal.maintenance"]["empty_or_stale_columns"] = 1
    u.obs["portal.consultation"]["messages"].append(Msg(T("2023-06-05 10:00"), None))
    u.case("stale 政策文件 and 政策解读 (vetoes); central-media exposure (-2)")
    _msgs(u).append(holiday_msg(4))


def s_wd_z(u: Unit) -> None:
    u.obs["penalty.notices"] = {"provincial_notices": Prov(
        2, src("wd_z", "tbbg/2023/"), D(2023, 9, 8), "省政府办公厅 quarterly checks: the portal and the WeChat account named")}
    u.note("penalty.notices", "Two provincial notices -> -0.6 (5% of 6 each).")
    u.case("provincial notices (-0.6)")
    _msgs(u).append(holiday_msg(6))


def s_xh_z(u: Unit) -> None:
    u.obs["disclosure.special_topics"].update({"burst_publishing": Prov(
        True, src("xh_z", "ztzl/"), D(2023, 12, 29), "23 items posted on 2023-12-27 after no update since June"),
        "last_updated": D(2023, 12, 27)})
    u.note("disclosure.special_topics", "突击发布 (burst publishing) -> veto, 0 of 3, although last_updated is recent.")
    u.case("burst publishing (veto)")
    _msgs(u).append(holiday_msg(9))


def s_kfq(u: Unit) -> None:
    u.obs["newmedia.publishing"]["irrelevant_posts"] = Prov(
        1, src("kfq", "wx/2023-0721.html"), D(2023, 12, 10), "an entertainment meme repost unrelated to government work")
    u.note("newmedia.publishing", "One irrelevant post -> -50% of 8 = -4 (the leaf is floored at 0).")
    u.obs["portal.consultation"]["messages"].append(Msg(T("2023-12-08 16:30"), T("2023-12-11 08:40"),
                                                        why="asked Fri, answered Mon morning"))
    u.case("irrelevant post (-4 on 信息发布)")
    _msgs(u).append(holiday_msg(5))


SPECIALS: dict[str, Callable[[Unit], None]] = {name[2:]: fn for name, fn in globals().items() if name.startswith("s_")}


def build() -> list[Unit]:
    units = []
    for uid, name, kind, q, key_areas, short in UNITS:
        u = Unit(uid, name, kind, q)
        ordinary(u, key_areas, short)
        if not any(key_areas):
            u.note("disclosure.major_projects", "Not assessed on any key area (不涉及重点领域信息公开考核).")
        SPECIALS.get(uid, lambda _u: None)(u)
        units.append(u)
    # the appeal with set_to: 南郊街道 asked that the unanswered message be reviewed
    nj = next(u for u in units if u.id == "nj_jd")
    nj.obs["newmedia.interaction"] = {"consultation_available": True, "replies_timely": False}
    nj.note("newmedia.interaction", "replies_timely false: computed 2 of 4; the appeal below sets the leaf to 4.")
    nj.adjustments.append({"indicator": "newmedia.interaction", "set_to": 4,
                           "reason": "复核：抽查期间公众号留言功能因平台升级关闭，留言已通过网站统一答复，恢复满分",
                           "decided_by": OFFICE, "decided_on": D(2024, 1, 15)})
    nj.adjustment_comment.append("Appeal (复核) with set_to: 新媒体互动交流 set to 4 (its weight), whatever was computed.")
    nj.case("appeal adjustment with set_to on 互动交流 (新媒体)")
    assert len({u.id for u in units}) == len(units)
    for u in units:  # the workbook's 发文记录 finds an account by name (and platform when names repeat)
        keys = [(a.platform, a.name) for a in u.accounts]
        assert len(set(keys)) == len(keys), (u.id, keys)
    return units


# --- YAML -------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff\-（）·]*$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        f = float(v)
        if Fraction(repr(f)) == v:
            return repr(f)
        return f'"{v.numerator}/{v.denominator}"'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.datetime):
        return f'"{v:%Y-%m-%d %H:%M}"'
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        if _PLAIN.match(v) and v.lower() not in _RESERVED:
            return v
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, Prov):
        parts = [f"value: {scalar(v.value)}", f"source: {json.dumps(v.source)}", f"checked_at: {scalar(v.checked_at)}"]
        if v.note:
            parts.append(f"note: {json.dumps(v.note, ensure_ascii=False)}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {scalar(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def _date_lines(dates: list[dt.date], indent: str) -> list[str]:
    """A flow list of dates, one line per month."""
    if not dates:
        return ["[]"]
    by_month: dict[int, list[str]] = {}
    for x in dates:
        by_month.setdefault((x.year, x.month), []).append(x.isoformat())  # type: ignore[arg-type]
    rows = [", ".join(v) for _k, v in sorted(by_month.items())]
    out = ["["]
    for i, row in enumerate(rows):
        out.append(f"{indent}  {row}{',' if i < len(rows) - 1 else ''}")
    out.append(f"{indent}]")
    return out


def unit_yaml(u: Unit) -> str:
    L: list[str] = []
    kind_text = "镇街" if u.kind == "town" else "部门"
    L.append(f"# {u.name} ({kind_text}) — fictional evidence of the bundled example district, made by tools/make_example.py.")
    for h in u.header:
        L.append(f"# {h}")
    L.append(f"unit: {{id: {u.id}, name: {u.name}, kind: {u.kind}}}")
    if u.accounts:
        L.append("accounts:")
        for c in u.account_comment:
            L.append(f"  # {c}")
        for a in u.accounts:
            if a.comment:
                L.append(f"  # {a.name} ({a.platform}): {a.comment}")
            L.append(f"  - platform: {a.platform}")
            L.append(f"    name: {scalar(a.name)}")
            L.append(f"    kind: {a.kind}")
            L.append(f"    filed: {scalar(a.filed)}")
            if a.opened_on:
                L.append(f"    opened_on: {a.opened_on.isoformat()}")
            if a.closed_on:
                L.append(f"    closed_on: {a.closed_on.isoformat()}")
            lines = _date_lines(a.posts, "    ")
            L.append(f"    posts: {lines[0]}")
            L.extend(lines[1:])
    else:
        L.append("# No new-media accounts (accounts: none listed).")
    L.append("observations:")
    for ind, obs in u.obs.items():
        for c in u.comments.get(ind, []):
            L.append(f"  # {c}")
        if ind == "portal.consultation":
            L.append(f"  {ind}:")
            L.append("    messages:")
            for m in obs["messages"]:
                parts = [f"asked_at: {scalar(m.asked)}"]
                if m.answered is not None:
                    parts.append(f"answered_at: {scalar(m.answered)}")
                parts.append(f"accurate: {scalar(m.accurate)}")
                if m.perfunctory:
                    parts.append("perfunctory: true")
                why = band(m) + (f"; {m.why}" if m.why else "")
                L.append(f"      - {{{', '.join(parts)}}}   # {why}")
            continue
        if ind == "newmedia.coordination" and "repost_checks" in obs:
            L.append(f"  {ind}:")
            L.append("    # 转载抽查: two spot checks a month; credit = passed / total")
            checks = obs["repost_checks"]
            L.append("    repost_checks: [")
            rows = [checks[i:i + 2] for i in range(0, len(checks), 2)]
            for i, row in enumerate(rows):
                text = ", ".join(scalar(c) for c in row)
                L.append(f"      {text}{',' if i < len(rows) - 1 else ''}")
            L.append("    ]")
            for k, v in obs.items():
                if k != "repost_checks":
                    L.append(f"    {k}: {scalar(v)}")
            continue
        flow = f"  {ind}: " + scalar(obs)
        if len(flow) <= 118 and not any(isinstance(v, Prov) for v in obs.values()):
            L.append(flow)
        else:
            L.append(f"  {ind}:")
            for k, v in obs.items():
                L.append(f"    {k}: {scalar(v)}")
    if u.adjustments:
        L.append("adjustments:")
        for c in u.adjustment_comment:
            L.append(f"  # {c}")
        for a in u.adjustments:
            L.append(f"  - indicator: {a['indicator']}")
            if "points" in a:
                L.append(f"    points: {scalar(a['points'])}")
            else:
                L.append(f"    set_to: {scalar(a['set_to'])}")
            L.append(f"    reason: {scalar(a['reason'])}")
            L.append(f"    decided_by: {a['decided_by']}")
            L.append(f"    decided_on: {a['decided_on'].isoformat()}")
    return "\n".join(L) + "\n"


def plain(u: Unit) -> dict:
    """The raw evidence the YAML must read back as (used to check the writer)."""

    def val(v):
        if isinstance(v, Prov):
            p = {"value": val(v.value), "source": v.source, "checked_at": v.checked_at}
            if v.note:
                p["note"] = v.note
            return p
        if isinstance(v, Fraction):
            return int(v) if v.denominator == 1 else float(v)
        if isinstance(v, list):
            return [val(x) for x in v]
        if isinstance(v, dict):
            return {k: val(x) for k, x in v.items()}
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()  # evidence YAML keeps dates as text; core/dates.py reads them
        return v

    obs = {}
    for ind, o in u.obs.items():
        if ind == "portal.consultation":
            msgs = []
            for m in o["messages"]:
                d = {"asked_at": f"{m.asked:%Y-%m-%d %H:%M}"}
                if m.answered is not None:
                    d["answered_at"] = f"{m.answered:%Y-%m-%d %H:%M}"
                d["accurate"] = m.accurate
                if m.perfunctory:
                    d["perfunctory"] = True
                msgs.append(d)
            obs[ind] = {"messages": msgs}
        else:
            obs[ind] = val(o)
    raw: dict = {"unit": {"id": u.id, "name": u.name, "kind": u.kind}}
    if u.accounts:
        raw["accounts"] = []
        for a in u.accounts:
            d = {"platform": a.platform, "name": a.name, "kind": a.kind, "filed": a.filed}
            if a.opened_on:
                d["opened_on"] = a.opened_on
            if a.closed_on:
                d["closed_on"] = a.closed_on
            d["posts"] = list(a.posts)
            raw["accounts"].append(d)
    raw["observations"] = obs
    if u.adjustments:
        raw["adjustments"] = [val(a) for a in u.adjustments]
    return _dates_as_text(raw)


def _dates_as_text(v):
    """Evidence YAML is read with dates kept as text (core/dates.py parses them): compare likewise."""
    if isinstance(v, dict):
        return {k: _dates_as_text(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_dates_as_text(x) for x in v]
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


# --- workbook ---------------------------------------------------------------------------------------

def write_workbook(units: list[Unit], path: Path) -> None:
    """The evidence of `units` in the workbook of `govscore template`, filled with openpyxl."""
    from openpyxl import load_workbook

    from govscore.core.runner import RunOptions, prepare
    from govscore.core.workbook import write_template, workbook_layout

    compiled = prepare(RunOptions())
    write_template(compiled, path)
    layout = workbook_layout(compiled)
    options = {c.key: c.options for sl in layout.sheets for c in sl.columns}
    leaf_names = {lf.id: lf.name for lf in compiled.leaves}
    wb = load_workbook(path)

    def sheet_keys(ws) -> tuple[int, dict[str, int]]:
        for r in range(1, 6):
            keys = {ws.cell(row=r, column=c).value: c for c in range(1, ws.max_column + 1)}
            if "unit.id" in keys:
                return r, {k: c for k, c in keys.items() if isinstance(k, str)}
        raise RuntimeError(f"no key row in sheet {ws.title}")

    sheets = {}
    for ws in wb.worksheets:
        if ws.title.startswith("_") or ws.title == "说明":
            continue
        r, keys = sheet_keys(ws)
        sheets[ws.title] = [ws, keys, r + 1]

    def role_sheet(prefix: str) -> str:
        for name, (ws, keys, _r) in sheets.items():
            if any(k.startswith(prefix) for k in keys):
                return name
        raise KeyError(prefix)

    def cell_value(key: str, v: Any) -> Any:
        if isinstance(v, Prov):
            v = v.value
        if isinstance(v, bool):
            return "是" if v else "否"
        if isinstance(v, Fraction):
            return int(v) if v.denominator == 1 else float(v)
        if isinstance(v, int) and key in options and options[key] and all("：" in o or o.isdigit() for o in options[key]):
            return next(o for o in options[key] if o.split("：")[0] == str(v))  # a level: its drop-down label
        return v

    def put(sheet: str, values: dict[str, Any]) -> None:
        ws, keys, row = sheets[sheet]
        for k, v in values.items():
            if v is None:
                continue
            if k not in keys:
                raise KeyError(f"{sheet}: no column {k}")
            ws.cell(row=row, column=keys[k], value=v)
        sheets[sheet][2] = row + 1

    s_units = role_sheet("obs/")
    s_acc = role_sheet("account/")
    s_posts = role_sheet("post/")
    s_adj = role_sheet("adjustment/")
    s_prov = role_sheet("provenance/")
    s_msgs = role_sheet("list/portal.consultation/messages/")
    s_checks = role_sheet("list/newmedia.coordination/repost_checks/")

    for u in units:
        row: dict[str, Any] = {"unit.id": u.id, "unit.name": u.name, "unit.kind": "镇街" if u.kind == "town" else "部门"}
        provs = []
        for ind, obs in u.obs.items():
            for name, v in obs.items():
                if (ind, name) in (("portal.consultation", "messages"), ("newmedia.coordination", "repost_checks")):
                    continue
                if isinstance(v, Prov):
                    provs.append((ind, name, v))
                raw = v.value if isinstance(v, Prov) else v
                if isinstance(raw, list):  # a checklist given as the items present
                    items = [k.rsplit("/", 1)[1] for k in sheets[s_units][1] if k.startswith(f"obs/{ind}/{name}/")]
                    for it in items:
                        row[f"obs/{ind}/{name}/{it}"] = "是" if it in raw else "否"
                    continue
                key = f"obs/{ind}/{name}"
                row[key] = cell_value(key, raw)
        put(s_units, row)
        for m in u.obs["portal.consultation"]["messages"]:
            p = "list/portal.consultation/messages/"
            put(s_msgs, {"unit.id": u.id, p + "asked_at": m.asked, p + "answered_at": m.answered,
                         p + "accurate": cell_value("", m.accurate), p + "perfunctory": "是" if m.perfunctory else None})
        for c in u.obs.get("newmedia.coordination", {}).get("repost_checks", []) or []:
            p = "list/newmedia.coordination/repost_checks/"
            put(s_checks, {"unit.id": u.id, p + "on": c["on"], p + "passed": cell_value("", c["passed"])})
        for a in u.accounts:
            put(s_acc, {"unit.id": u.id, "account/platform": a.platform, "account/name": a.name,
                        "account/kind": "发布类" if a.kind == "publishing" else "服务类", "account/filed": cell_value("", a.filed),
                        "account/opened_on": a.opened_on, "account/closed_on": a.closed_on})
        for a in u.accounts:
            same = sum(1 for b in u.accounts if b.name == a.name) > 1
            for day in a.posts:
                put(s_posts, {"unit.id": u.id, "post/account": a.name, "post/date": day,
                              "post/platform": a.platform if same else None})
        for adj in u.adjustments:
            put(s_adj, {"unit.id": u.id, "adjustment/indicator": f"{adj['indicator']} {leaf_names[adj['indicator']]}",
                        "adjustment/points": cell_value("", adj["points"]) if "points" in adj else None,
                        "adjustment/set_to": cell_value("", adj["set_to"]) if "set_to" in adj else None,
                        "adjustment/reason": adj["reason"], "adjustment/decided_by": adj["decided_by"],
                        "adjustment/decided_on": adj["decided_on"]})
        for ind, name, p in provs:
            put(s_prov, {"unit.id": u.id, "provenance/indicator": f"{ind} {leaf_names[ind]}", "provenance/observation": name,
                         "provenance/source": p.source, "provenance/checked_at": p.checked_at, "provenance/note": p.note})
    # dates and times as the evaluator sees them
    for ws, keys, _r in sheets.values():
        for k, c in keys.items():
            fmt = "yyyy-mm-dd hh:mm" if k.endswith(("asked_at", "answered_at")) else (
                "yyyy-mm-dd" if k.endswith(("_on", "/on", "_updated", "checked_at", "post/date")) else None)
            if fmt:
                for row in ws.iter_rows(min_row=4 if ws.title == s_units else 3, min_col=c, max_col=c):
                    for cell in row:
                        if cell.value is not None:
                            cell.number_format = fmt
    wb.properties.creator = "tools/make_example.py"
    wb.properties.created = FIXED_TIME
    wb.save(path)
    _fix_timestamps(path)


FIXED_TIME = dt.datetime(2024, 1, 20, 0, 0, 0)


def _fix_timestamps(path: Path) -> None:
    """Make the saved workbook byte-for-byte reproducible: fixed zip entry times and document times
    (openpyxl stamps both with the time of saving)."""
    import zipfile

    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            z.writestr(fixed, data)


# --- README -----------------------------------------------------------------------------------------

def readme(units: list[Unit]) -> str:
    L = ["# Example district: 2023 evidence of 32 fictional units (departments and towns/streets)",
         "",
         "Made by `tools/make_example.py` (seeded; rerun it to make the files again). Everything here is",
         "synthetic: the units are named after the usual departments and towns/streets of a district like",
         "Zengdu, but every observation is invented, every source is an example.gov.cn address and no",
         "person is named.",
         "",
         "- `units/<id>.yaml`: one unit per file, YAML comments on the interesting cases;",
         "- `../2023-zengdu-workbook.xlsx`: the same evidence in the evaluator's workbook (`govscore template`,",
         "  filled). It lies outside this folder because `govscore score examples/2023-zengdu` reads every",
         "  .yaml/.json/.xlsx under the folder: inside, each unit would be read twice.",
         "",
         "Score either of them with the rule set's defaults (period 2023, monitoring date 2023-12-31):",
         "",
         "```",
         "govscore score examples/2023-zengdu",
         "govscore score examples/2023-zengdu-workbook.xlsx",
         "govscore explain examples/2023-zengdu --unit tjj --indicator disclosure.overview",
         "```",
         "",
         "Problem observations (broken links, notices, exposures ...) are written only where a problem was",
         "found: absent means none (rubric-2023.md, Terms). Observations behind a veto, a deduction or a",
         "bonus carry their provenance: `{value, source, checked_at, note}`.",
         "",
         "| id | unit | kind | interesting cases |",
         "|---|---|---|---|"]
    for u in units:
        L.append(f"| {u.id} | {u.name} | {'镇街' if u.kind == 'town' else '部门'} | {'; '.join(u.cases) or '—'} |")
    L += ["",
          "Every unit has a consultation message crossing a 2023 holiday (each message's YAML comment gives its",
          "elapsed working days and its band):",
          "春节 01-21..01-27 (make-up 01-28, 01-29), 劳动节 04-29..05-03 (make-up 04-23, 05-06), 端午 06-22..06-24",
          "(make-up 06-25), 中秋国庆 09-29..10-06 (make-up 10-07, 10-08).", ""]
    return "\n".join(L)


# --- main -------------------------------------------------------------------------------------------

def write_all(out: Path, with_workbook: bool = True) -> list[Unit]:
    from govscore.core.evidence import read_evidence_file

    units = build()
    folder = out / "2023-zengdu"
    unit_dir = folder / "units"
    unit_dir.mkdir(parents=True, exist_ok=True)
    wanted = {f"{u.id}.yaml" for u in units}
    for old in unit_dir.glob("*.yaml"):
        if old.name not in wanted:
            old.unlink()
    for u in units:
        path = unit_dir / f"{u.id}.yaml"
        path.write_text(unit_yaml(u), encoding="utf-8")
        got = read_evidence_file(path)[0].raw
        assert got == plain(u), f"{path}: the YAML does not read back as written"
    (folder / "README.md").write_text(readme(units), encoding="utf-8")
    if with_workbook:
        write_workbook(units, out / "2023-zengdu-workbook.xlsx")
    return units


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "examples", help="folder receiving 2023-zengdu/ and the workbook")
    ap.add_argument("--yaml-only", action="store_true", help="do not write the workbook")
    args = ap.parse_args(argv)
    units = write_all(args.out, not args.yaml_only)
    print(f"wrote {len(units)} units to {args.out / '2023-zengdu'}" + ("" if args.yaml_only else " and the workbook"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
