"""办事服务, 互动交流, 管理保障 (rules/2023-zengdu/{service,interaction,management}.yaml): the five portal leaves.

Each test writes hand-made evidence to tmp_path and scores it through the runner with both engines
(durable and reference must agree). Expected points are computed by hand in the comments
(share x weight; rubric-2023.md). Working days follow the official PRC calendar (chinese_calendar,
State Council notices); the 2023 cases are the worked cases of issue 4 and of tests/test_calendar.py.
"""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest


from _rubric import audit, child_ruleset, leaf, run_text, score


def failures(tmp_path: Path, engine: str, text: str, calendar_files=()) -> list:
    """The UnitFailure list of a run of `text`."""
    return run_text(tmp_path, engine, text, calendar_files=calendar_files).failures


# --- 查询服务 portal.query_service (5) ----------------------------------------------------------------


def test_query_service(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: top, name: 最高}
  observations:
    portal.query_service: {own_service: true, form_level: 5, consistent: true}
- unit: {id: local_list, name: 本级名单名录}
  observations:
    portal.query_service: {own_service: true, form_level: 3, consistent: true}
- unit: {id: link_only, name: 仅链接}
  observations:
    portal.query_service: {own_service: false, form_level: 1, consistent: 0.5}
- unit: {id: none, name: 无}
  observations:
    portal.query_service: {own_service: false, form_level: 0, consistent: false}
""")
    # top: own 50% x 5 = 2.5; form 5/5 x 30% x 5 = 1.5; consistent 20% x 5 = 1 -> 5
    assert leaf(units["top"], "portal.query_service").score == 5
    # local_list: 2.5 + 3/5 x 1.5 = 0.9 + 1 -> 4.4
    assert leaf(units["local_list"], "portal.query_service").score == F(22, 5)
    # link_only: 0 + 1/5 x 1.5 = 0.3 + 0.5 x 1 = 0.5 -> 0.8
    assert leaf(units["link_only"], "portal.query_service").score == F(4, 5)
    # none: level 0 -> 0; all 0
    assert leaf(units["none"], "portal.query_service").score == 0


@pytest.mark.parametrize("veto", ["unusable: true", "falsified: 是"])
def test_query_service_vetoes(tmp_path, engine, veto):
    units = score(tmp_path, engine, f"""\
unit: {{id: v, name: 否决}}
observations:
  portal.query_service: {{own_service: true, form_level: 5, consistent: true, {veto}}}
""")
    # 提供查询服务但不可用 / 弄虚作假 -> 该指标不得分
    lf = leaf(units["v"], "portal.query_service")
    assert lf.vetoed and lf.score == 0


def test_query_service_level_above_five_is_a_unit_error(tmp_path, engine):
    fails = failures(tmp_path, engine, """\
unit: {id: x, name: 越级}
observations:
  portal.query_service: {own_service: true, form_level: 6, consistent: true}
""")
    msgs = [m for f in fails for m in f.messages()]
    assert any("level 6" in m for m in msgs), msgs


# --- 在线咨询 portal.consultation (5) -----------------------------------------------------------------


def consultation(messages: str, uid: str = "c") -> str:
    return f"""\
unit: {{id: {uid}, name: 咨询}}
observations:
  portal.consultation:
    messages:
{messages}"""


# (asked_at, answered_at, elapsed working days, share of the weight)
WORKED_CASES = [
    # Thu 2023-09-28 16:00 -> Sat 10-07 09:30: 09-29..10-06 holidays; 10-07 a make-up working day -> 1 -> 50%
    ("2023-09-28 16:00", "2023-10-07 09:30", 1, F(1, 2)),
    # Wed 2023-06-21 -> Sun 06-25: 06-22..06-24 Dragon Boat holiday; Sun 06-25 make-up day -> 1 -> 50%
    ("2023-06-21 10:00", "2023-06-25 15:00", 1, F(1, 2)),
    # Sat 2023-04-22 -> Sun 04-23: Sun 04-23 make-up day for Labour Day -> 1 -> 50%
    ("2023-04-22 10:00", "2023-04-23 11:00", 1, F(1, 2)),
    # Fri 2023-09-22 -> Sat 10-07: 09-25..09-28 (4) + 10-07 (1) -> 5 -> 20%
    ("2023-09-22 10:00", "2023-10-07 10:00", 5, F(1, 5)),
    # Fri 2023-09-22 -> Mon 10-09: 5 + Sun 10-08 (make-up) + Mon 10-09 -> 7: in the unscored (5, 10] gap -> 0
    ("2023-09-22 10:00", "2023-10-09 10:00", 7, F(0)),
]


@pytest.mark.parametrize(("asked", "answered", "days", "share"), WORKED_CASES)
def test_consultation_worked_cases(tmp_path, engine, asked, answered, days, share):
    units = score(tmp_path, engine, consultation(
        f'      - {{asked_at: "{asked}", answered_at: "{answered}", accurate: true}}\n'))
    lf = leaf(units["c"], "portal.consultation")
    # one message: its band's share x 5
    assert lf.score == share * 5
    item = audit(lf, "reply").detail["items"][0]
    assert item["elapsed_working_days"] == days


def test_consultation_mean_over_messages(tmp_path, engine):
    rows = "".join(f'      - {{asked_at: "{a}", answered_at: "{b}", accurate: true}}\n' for a, b, _d, _s in WORKED_CASES)
    units = score(tmp_path, engine, consultation(rows))
    lf = leaf(units["c"], "portal.consultation")
    # mean of 50%, 50%, 50%, 20%, 0% = 1.7 / 5 = 34% of 5 -> 1.7
    assert lf.score == F(17, 10)
    items = audit(lf, "reply").detail["items"]
    assert [i["elapsed_working_days"] for i in items] == [1, 1, 1, 5, 7]
    assert [i["share"] for i in items] == ["0.5", "0.5", "0.5", "0.2", "0"]
    assert items[0]["asked"].startswith("2023-09-28T16:00") and items[0]["answered"].startswith("2023-10-07T09:30")


def test_consultation_accuracy_perfunctory_unanswered(tmp_path, engine):
    units = score(tmp_path, engine, consultation("""\
      - {asked_at: "2023-03-06 09:00", answered_at: "2023-03-06 17:00", accurate: true}
      - {asked_at: "2023-03-06 09:00", answered_at: "2023-03-07 09:00", accurate: true, perfunctory: true}
      - {asked_at: "2023-03-06 09:00", answered_at: "2023-03-07 09:00", accurate: 否}
      - {asked_at: "2023-03-06 09:00", accurate: true}
      - {asked_at: "2023-03-06 09:00", answered_at: "2023-03-09 09:00", accurate: true}
      - {asked_at: "2023-03-06 09:00", answered_at: "2023-03-31 09:00", accurate: true}
"""))
    lf = leaf(units["c"], "portal.consultation")
    # 1: same day, 0 working days, accurate -> 50%
    # 2: 1 day but 敷衍塞责 -> 0 for that message only (no veto of the leaf)
    # 3: 1 day, inaccurate -> 0
    # 4: unanswered -> no elapsed days, no band -> 0
    # 5: Mon 03-06 -> Thu 03-09: 3 working days -> 20%
    # 6: Mon 03-06 -> Fri 03-31: 19 working days (> 10) -> 0
    # mean = (0.5 + 0.2) / 6 = 7/60 of 5 -> 7/12
    assert lf.score == F(7, 12)
    assert not lf.vetoed
    items = audit(lf, "reply").detail["items"]
    assert [i["elapsed_working_days"] for i in items] == [0, 1, 1, None, 3, 19]
    assert [i["share"] for i in items] == ["0.5", "0", "0", "0", "0.2", "0"]


def test_consultation_timestamps_are_shanghai_dates(tmp_path, engine):
    # 2023-10-06 20:00 at -05:00 is 2023-10-07 09:00 in Shanghai: asked Thu 09-28 -> answered 10-07 -> 1 -> 50%
    units = score(tmp_path, engine, consultation(
        '      - {asked_at: "2023-09-28 16:00", answered_at: "2023-10-06T20:00:00-05:00", accurate: true}\n'))
    assert leaf(units["c"], "portal.consultation").score == F(5, 2)


def test_consultation_no_messages_is_missing(tmp_path, engine):
    units = score(tmp_path, engine, """\
unit: {id: c, name: 无留言}
observations:
  portal.consultation: {messages: []}
""")
    lf = leaf(units["c"], "portal.consultation")
    assert lf.score == 0 and lf.missing == ["messages"]


def test_consultation_answer_before_question_is_a_unit_error(tmp_path, engine):
    text = """\
- unit: {id: ok, name: 正常}
  observations:
    portal.consultation:
      messages:
        - {asked_at: "2023-03-06 09:00", answered_at: "2023-03-06 10:00", accurate: true}
- unit: {id: bad, name: 倒置}
  observations:
    portal.consultation:
      messages:
        - {asked_at: "2023-03-06 09:00", answered_at: "2023-03-06 10:00", accurate: true}
        - {asked_at: "2023-03-08 09:00", answered_at: "2023-03-07 10:00", accurate: true}
"""
    res = run_text(tmp_path, engine, text)
    # the good unit still scores: same day -> 50% x 5 = 2.5
    assert [u.unit_id for u in res.units] == ["ok"]
    assert leaf(res.units[0], "portal.consultation").score == F(5, 2)
    (fail,) = res.failures
    assert fail.unit_id == "bad"
    (err,) = fail.errors
    # names the message (the 2nd) and its line (line 11 of units.yaml)
    assert err.location.line == 11 and err.location.file.endswith("units.yaml")
    msg = err.render()
    assert "message 2" in msg and "2023-03-07" in msg and "units.yaml:11" in msg


def test_consultation_calendar_override_for_2027(tmp_path, engine):
    cal = tmp_path / "cal2027.yaml"
    cal.write_text("years:\n  2027:\n    holidays: [2027-01-01]\n", encoding="utf-8")
    units = score(tmp_path, engine, consultation(
        '      - {asked_at: "2026-12-30 10:00", answered_at: "2027-01-04 10:00", accurate: true}\n'),
        calendar_files=[cal])
    lf = leaf(units["c"], "portal.consultation")
    # Wed 2026-12-30 -> Mon 2027-01-04: Thu 12-31 works; Fri 01-01 holiday (override); 01-02/03 weekend;
    # Mon 01-04 works -> 2 working days -> 20% x 5 = 1
    assert lf.score == 1
    assert audit(lf, "reply").detail["items"][0]["elapsed_working_days"] == 2


def test_consultation_uncovered_year_is_a_unit_error(tmp_path, engine):
    fails = failures(tmp_path, engine, consultation("""\
      - {asked_at: "2023-03-06 09:00", answered_at: "2023-03-06 10:00", accurate: true}
      - {asked_at: "2099-03-02 09:00", answered_at: "2099-03-03 10:00", accurate: true}
"""))
    (fail,) = fails
    (err,) = fail.errors
    msg = err.render()
    # the error names the year and is located at the second message (line 6)
    assert "2099" in msg and "units.yaml:6" in msg
    assert err.unit == "c"


def test_consultation_message_fields_are_validated(tmp_path, engine):
    fails = failures(tmp_path, engine, consultation("""\
      - {answered_at: "2023-03-06 10:00", accurate: true}
      - {asked_at: "2023-03-06 09:00", answered_at: "2023-03-06 10:00", accurate: maybe}
"""))
    msgs = [m for f in fails for m in f.messages()]
    assert any("asked_at" in m for m in msgs) and any("maybe" in m for m in msgs), msgs


# --- 民意征集 portal.opinion_collection (3) -----------------------------------------------------------


def test_opinion_collection(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: a, name: 甲}
  observations:
    portal.opinion_collection: {solicitations: true, feedback_published: 0.5}
- unit: {id: b, name: 乙}
  observations:
    portal.opinion_collection: {solicitations: true, feedback_published: true}
""")
    # a: 50% x 3 = 1.5; 0.5 x 50% x 3 = 0.75 -> 2.25
    assert leaf(units["a"], "portal.opinion_collection").score == F(9, 4)
    # b: 1.5 + 1.5 = 3
    assert leaf(units["b"], "portal.opinion_collection").score == 3


# --- 运维保障 portal.maintenance (5) ------------------------------------------------------------------


MAINTENANCE_UNITS = """\
- unit: {id: perfect, name: 无问题}
  observations: {}
- unit: {id: links, name: 断链}
  observations:
    portal.maintenance: {broken_links: {value: 2, source: "https://x.example/", checked_at: 2023-11-20}}
- unit: {id: all, name: 全有问题}
  observations:
    portal.maintenance: {empty_or_stale_columns: 1, broken_links: 3, privacy_leaks: 1}
"""


def test_maintenance_bands(tmp_path, engine):
    units = score(tmp_path, engine, MAINTENANCE_UNITS)
    # perfect: nothing recorded = no problem found: 3 x 25% x 5 = 3.75 (shares sum to 75%)
    perfect = leaf(units["perfect"], "portal.maintenance")
    assert perfect.score == F(15, 4) and perfect.missing == []
    # links: broken_links >= 1 -> 0; 2 x 1.25 = 2.5
    links = leaf(units["links"], "portal.maintenance")
    assert links.score == F(5, 2)
    assert audit(links, "broken_links").provenance["broken_links"]["source"] == "https://x.example/"
    # all: 0
    assert leaf(units["all"], "portal.maintenance").score == 0


def test_maintenance_normalise_shares_in_a_child_rule_set(tmp_path, engine):
    rules = child_ruleset(tmp_path, """\
indicators:
  - id: portal.maintenance
    normalise_shares: true
""")
    units = score(tmp_path, engine, MAINTENANCE_UNITS, rules=rules)
    # shares 25% each scaled by 1 / 75%: 1/3 each -> perfect 5 of 5
    assert leaf(units["perfect"], "portal.maintenance").score == 5
    # links: 2/3 x 5 = 10/3
    assert leaf(units["links"], "portal.maintenance").score == F(10, 3)
    assert leaf(units["all"], "portal.maintenance").score == 0


# --- 信息公开工作年报 portal.annual_report (10) -------------------------------------------------------


def test_annual_report(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: deadline_day, name: 当日}
  observations:
    portal.annual_report: {format_compliant: true, published_on: 2023-01-31, centrally_published: true}
- unit: {id: late, name: 逾期}
  observations:
    portal.annual_report: {format_compliant: true, published_on: 2023-02-01, centrally_published: 0.5}
- unit: {id: undated, name: 无日期}
  observations:
    portal.annual_report: {format_compliant: false, centrally_published: true}
- unit: {id: own_year, name: 指定年度}
  observations:
    portal.annual_report: {format_compliant: true, published_on: 2024-01-15, report_year: 2023, centrally_published: true}
""")
    # deadline_day: 2022 report (2023 - 1), due 2023-01-31, published that day: on time; 3 x 1/3 x 10 = 10
    dl = leaf(units["deadline_day"], "portal.annual_report")
    assert dl.score == 10
    assert audit(dl, "on_time").detail["on_time"] == {"report_year": 2022, "deadline": "2023-01-31", "published_on": "2023-01-31"}
    # late: 10/3 + 0 + 0.5 x 10/3 = 5
    assert leaf(units["late"], "portal.annual_report").score == 5
    # undated: no published_on -> on_time missing, 0; format 0; central 10/3
    undated = leaf(units["undated"], "portal.annual_report")
    assert undated.score == F(10, 3) and undated.missing == ["on_time"]
    # own_year: the 2023 report due 2024-01-31, published 2024-01-15: on time -> 10
    assert leaf(units["own_year"], "portal.annual_report").score == 10


def test_annual_report_deadline_is_a_setting(tmp_path, engine):
    rules = child_ruleset(tmp_path, """\
indicators:
  - id: portal.annual_report
    settings: {deadline: "03-31", report_year_offset: -1}
""")
    units = score(tmp_path, engine, """\
unit: {id: a, name: 甲}
observations:
  portal.annual_report: {format_compliant: true, published_on: 2023-02-15, centrally_published: true}
""", rules=rules)
    # deadline 31 March: 2023-02-15 is on time -> 10
    lf = leaf(units["a"], "portal.annual_report")
    assert lf.score == 10
    assert audit(lf, "on_time").detail["on_time"]["deadline"] == "2023-03-31"


def test_annual_report_on_time_cannot_be_written(tmp_path, engine):
    fails = failures(tmp_path, engine, """\
unit: {id: a, name: 甲}
observations:
  portal.annual_report: {on_time: true}
""")
    msgs = [m for f in fails for m in f.messages()]
    assert any("on_time" in m and "derived" in m for m in msgs), msgs


# --- the three portal categories --------------------------------------------------------------------


def test_portal_categories_weights_and_order(tmp_path, engine):
    units = score(tmp_path, engine, "unit: {id: e, name: 空}\n")
    cats = {c.id: c for c in units["e"].categories}
    assert cats["portal_service"].weight == 5
    assert cats["portal_interaction"].weight == 8
    assert cats["portal_management"].weight == 15
    assert cats["disclosure"].weight == 42
    ids = [c.id for c in units["e"].categories]
    assert ids.index("disclosure") < ids.index("portal_service") < ids.index("portal_interaction") < ids.index("portal_management")
    # nothing recorded: only 运维保障's problem counts default to 0 -> 3.75
    assert cats["portal_management"].score == F(15, 4)
