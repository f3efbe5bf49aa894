"""政务新媒体 (rules/2023-zengdu/newmedia.yaml): every criterion, veto, deduction and band of the five leaves.

Each test writes hand-made evidence to tmp_path and scores it through the runner with both engines
(durable and reference must agree). Expected points are computed by hand in the comments
(share x weight; rubric-2023.md). The run period is 2023-01-01..2023-12-31 with as_of 2023-12-31
(ruleset.yaml); 2023-01-01 is a Sunday, so the first Monday (start of week 1 and of block 1) is
2023-01-02, and the last whole week is 2023-12-25..12-31.
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction as F

import pytest

from govscore.core.i18n import _

from _rubric import audit, score
from _rubric import failure_messages as failures


def days(first: str, last: str, step: int) -> str:
    """A YAML flow list of dates from `first` to `last` inclusive, every `step` days."""
    d, end = _dt.date.fromisoformat(first), _dt.date.fromisoformat(last)
    out = []
    while d <= end:
        out.append(d.isoformat())
        d += _dt.timedelta(days=step)
    return "[" + ", ".join(out) + "]"


# Every Wednesday of 2023: one post in each of the 52 weeks 2023-01-02..2023-12-31.
WEEKLY = days("2023-01-04", "2023-12-27", 7)
# One post on the Monday of each of the 26 two-week blocks 2023-01-02..01-15, ..., 2023-12-18..12-31.
BIWEEKLY = days("2023-01-02", "2023-12-18", 14)


# --- 集约开设 newmedia.intensive (6) ----------------------------------------------------------------


def test_intensive_every_criterion(tmp_path, engine):
    units = score(tmp_path, engine, f"""\
- unit: {{id: full, name: 全达标局}}
  accounts:
    - {{platform: wechat, name: 全达标微信, kind: publishing, filed: true, posts: {WEEKLY}}}
    - {{platform: weibo, name: 全达标微博, kind: publishing, filed: true, posts: {WEEKLY}}}
  observations:
    newmedia.intensive: {{lifecycle_compliant: true}}
- unit: {{id: unfiled, name: 未备案局}}
  accounts:
    - {{platform: wechat, name: 已备案微信, kind: publishing, filed: true}}
    - {{platform: douyin, name: 未备案抖音, kind: publishing, filed: false}}
  observations:
    newmedia.intensive: {{lifecycle_compliant: 0.5}}
""")
    full = units["full"].leaf("newmedia.intensive")
    # one per platform 30% x 6 = 1.8; lifecycle 10% x 6 = 0.6; every account filed 30% x 6 = 1.8
    # -> 4.2: the shares sum to 70% (defect 2), so 4.2 is the most a unit can earn
    assert full.score == F(21, 5)
    assert full.max_attainable == F(21, 5)
    assert full.missing == []
    # one per platform 1.8; lifecycle 0.5 x 0.6 = 0.3; one account unfiled -> filed earns 0 -> 2.1
    unfiled = units["unfiled"].leaf("newmedia.intensive")
    assert unfiled.score == F(21, 10)
    assert audit(unfiled, "filed").role == "not_met"
    assert [row["share"] for row in audit(unfiled, "filed").detail["items"]] == ["0.3", "0"]


def test_intensive_two_accounts_on_one_platform(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: dup, name: 重复开设局}
  accounts:
    - {platform: wechat, name: 订阅号, kind: publishing, filed: true}
    - {platform: WeChat, name: 服务号, kind: service, filed: true}
    - {platform: weibo, name: 微博, kind: publishing, filed: true}
  observations:
    newmedia.intensive: {lifecycle_compliant: true}
""")
    leaf = units["dup"].leaf("newmedia.intensive")
    # wechat holds two accounts (platforms compared case-insensitively) -> one per platform 0;
    # lifecycle 0.6; all filed 1.8 -> 2.4
    assert leaf.score == F(12, 5)
    rec = audit(leaf, "one_account_per_platform")
    assert rec.role == "not_met"
    assert rec.observations == {"one_account_per_platform": False}
    assert rec.detail["one_account_per_platform"]["platforms_with_several_accounts"] == {"wechat": ["订阅号", "服务号"]}


def test_derived_observation_cannot_be_written(tmp_path, engine):
    msgs = failures(tmp_path, engine, """\
- unit: {id: w, name: 手填局}
  observations:
    newmedia.intensive: {one_account_per_platform: true}
""")
    assert len(msgs) == 1
    assert msgs[0].endswith(_("{name} is derived from the raw evidence (accounts, messages, dates); do not write it",
                              name="one_account_per_platform"))


def test_unit_without_accounts_earns_no_account_shares(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: none, name: 无账号局}
  observations:
    newmedia.intensive: {lifecycle_compliant: true}
    newmedia.publishing:
      content_types: [dynamics, policy_documents, interpretations, responses]
      mobile_adapted: true
      same_source: true
""")
    u = units["none"]
    intensive = u.leaf("newmedia.intensive")
    # 集约开设 items 1 and 3 need accounts: 0 and listed as missing; lifecycle 10% x 6 = 0.6
    assert intensive.score == F(3, 5)
    assert intensive.missing == ["one_account_per_platform", "accounts"]
    assert audit(intensive, "one_account_per_platform").role == "missing"
    assert audit(intensive, "filed").role == "missing"
    publishing = u.leaf("newmedia.publishing")
    # 信息发布 item 2 needs accounts: 0 and missing; content 20% x 8 = 1.6, mobile 1.6, same source 1.6 -> 4.8
    assert publishing.score == F(24, 5)
    assert publishing.missing == ["accounts"]
    assert audit(publishing, "update_frequency").role == "missing"


# --- 信息发布 newmedia.publishing (8) ----------------------------------------------------------------


def test_publishing_every_criterion(tmp_path, engine):
    units = score(tmp_path, engine, f"""\
- unit: {{id: p, name: 发布局}}
  accounts:
    - {{platform: weibo, name: 发布微博, kind: publishing, filed: true, posts: {WEEKLY}}}
    - {{platform: wechat, name: 发布服务号, kind: service, filed: true, posts: {BIWEEKLY}}}
  observations:
    newmedia.publishing:
      content_types: {{dynamics: true, policy_documents: true, interpretations: true, responses: false}}
      mobile_adapted: true
      same_source: 0.5
""")
    leaf = units["p"].leaf("newmedia.publishing")
    # content 3/4 x 20% x 8 = 1.2; both accounts keep their cadence 40% x 8 = 3.2; mobile 20% x 8 = 1.6;
    # same source 0.5 x 20% x 8 = 0.8 -> 6.8
    assert leaf.score == F(34, 5)
    rec = audit(leaf, "update_frequency")
    assert rec.role == "award" and rec.points == F(16, 5)
    rows = rec.detail["accounts"]
    assert [(r["account"], r["required_periods"], r["missing_periods"]) for r in rows] == [
        ("发布微博", 52, []), ("发布服务号", 26, [])]


def test_publishing_account_opened_mid_year(tmp_path, engine):
    # opened Saturday 2023-07-01: the first whole week inside [07-01, 12-31] is 2023-07-03..07-09,
    # and 2023-07-03..12-31 holds 26 weeks (175 days / 7 + 1)
    units = score(tmp_path, engine, f"""\
- unit: {{id: ok, name: 年中开设甲}}
  accounts:
    - {{platform: weibo, name: 甲微博, kind: publishing, filed: true, opened_on: 2023-07-01, posts: {days("2023-07-03", "2023-12-25", 7)}}}
  observations:
    newmedia.publishing: {{content_types: [dynamics], mobile_adapted: true, same_source: true}}
- unit: {{id: late, name: 年中开设乙}}
  accounts:
    - {{platform: weibo, name: 乙微博, kind: publishing, filed: true, opened_on: 2023-07-01, posts: {days("2023-07-10", "2023-12-25", 7)}}}
  observations:
    newmedia.publishing: {{content_types: [dynamics], mobile_adapted: true, same_source: true}}
""")
    ok = units["ok"].leaf("newmedia.publishing")
    # nothing needed before 07-03: update 3.2; content 1/4 x 1.6 = 0.4; mobile 1.6; same source 1.6 -> 6.8
    assert ok.score == F(34, 5)
    row = audit(ok, "update_frequency").detail["accounts"][0]
    assert row["required_periods"] == 26 and row["missing_periods"] == []
    late = units["late"].leaf("newmedia.publishing")
    # the week 2023-07-03..07-09 has no post: update 0 -> 0.4 + 1.6 + 1.6 = 3.6
    assert late.score == F(18, 5)
    assert audit(late, "update_frequency").detail["accounts"][0]["missing_periods"] == ["2023-07-03..2023-07-09"]
    assert audit(late, "update_frequency").detail["items"][0]["update_ok"] is False


def test_service_account_needs_two_week_blocks(tmp_path, engine):
    units = score(tmp_path, engine, f"""\
- unit: {{id: svc, name: 服务号局}}
  accounts:
    - {{platform: wechat, name: 服务号, kind: service, filed: true, posts: {BIWEEKLY}}}
  observations:
    newmedia.publishing: {{content_types: [], mobile_adapted: false, same_source: false}}
- unit: {{id: pub, name: 订阅号局}}
  accounts:
    - {{platform: wechat, name: 订阅号, kind: publishing, filed: true, posts: {BIWEEKLY}}}
  observations:
    newmedia.publishing: {{content_types: [], mobile_adapted: false, same_source: false}}
""")
    # a post on the first Monday of every 2-week block: a service account complies -> 40% x 8 = 3.2
    svc = units["svc"].leaf("newmedia.publishing")
    assert svc.score == F(16, 5)
    assert audit(svc, "update_frequency").detail["accounts"][0]["required_periods"] == 26
    # the same posts on a publishing account leave the second week of every block empty: 26 of 52
    # weeks missing -> 0
    pub = units["pub"].leaf("newmedia.publishing")
    assert pub.score == 0
    missing = audit(pub, "update_frequency").detail["accounts"][0]["missing_periods"]
    assert len(missing) == 26 and missing[0] == "2023-01-09..2023-01-15" and missing[-1] == "2023-12-25..2023-12-31"


def test_update_frequency_needs_every_account(tmp_path, engine):
    units = score(tmp_path, engine, f"""\
- unit: {{id: mix, name: 部分达标局}}
  accounts:
    - {{platform: weibo, name: 勤更微博, kind: publishing, filed: true, posts: {WEEKLY}}}
    - {{platform: douyin, name: 停更抖音, kind: publishing, filed: true, posts: [2023-01-04]}}
  observations:
    newmedia.publishing: {{content_types: [dynamics, responses], mobile_adapted: true, same_source: true}}
""")
    leaf = units["mix"].leaf("newmedia.publishing")
    # one account misses 51 weeks -> update_frequency 0 (all accounts must comply);
    # content 2/4 x 1.6 = 0.8; mobile 1.6; same source 1.6 -> 4
    assert leaf.score == 4
    rows = audit(leaf, "update_frequency").detail["accounts"]
    assert [len(r["missing_periods"]) for r in rows] == [0, 51]


def test_irrelevant_posts_deduct_half_the_weight_each(tmp_path, engine):
    full = f"""\
  accounts:
    - {{platform: weibo, name: 微博, kind: publishing, filed: true, posts: {WEEKLY}}}
"""
    obs = "content_types: [dynamics, policy_documents, interpretations, responses], mobile_adapted: true, same_source: true"
    units = score(tmp_path, engine, f"""\
- unit: {{id: clean, name: 无违规局}}
{full}  observations:
    newmedia.publishing: {{{obs}}}
- unit: {{id: one, name: 一条局}}
{full}  observations:
    newmedia.publishing: {{{obs}, irrelevant_posts: 1}}
- unit: {{id: three, name: 三条局}}
{full}  observations:
    newmedia.publishing: {{{obs}, irrelevant_posts: 3}}
""")
    # all four items: 1.6 + 3.2 + 1.6 + 1.6 = 8 (full marks)
    assert units["clean"].leaf("newmedia.publishing").score == 8
    # one off-topic post: 8 - 50% x 8 = 4
    one = units["one"].leaf("newmedia.publishing")
    assert one.score == 4
    assert audit(one, "irrelevant_posts").points == -4
    # three: 8 - 3 x 4 = -4, floored at 0 (扣完为止)
    assert units["three"].leaf("newmedia.publishing").score == 0


def test_cadence_comes_from_the_rule_file(tmp_path, engine):
    # a child rule set sets service accounts to 4-week blocks: the 13 blocks 2023-01-02..01-29, ...,
    # 2023-12-04..12-31 each need one post
    child = tmp_path / "child"
    child.mkdir()
    (child / "ruleset.yaml").write_text(
        "name: child\nextends: 2023-zengdu\nrun: {period: {start: 2023-01-01, end: 2023-12-31}, as_of: 2023-12-31}\n", encoding="utf-8")
    (child / "newmedia.yaml").write_text(
        "indicators:\n  - id: newmedia.publishing\n    settings: {publishing_weeks: 1, service_weeks: 4}\n", encoding="utf-8")
    units = score(tmp_path, engine, f"""\
- unit: {{id: four, name: 四周局}}
  accounts:
    - {{platform: wechat, name: 服务号, kind: service, filed: true, posts: {days("2023-01-02", "2023-12-04", 28)}}}
  observations:
    newmedia.publishing: {{content_types: [], mobile_adapted: false, same_source: false}}
""", rules=str(child))
    leaf = units["four"].leaf("newmedia.publishing")
    # one post per 4-week block complies -> 40% x 8 = 3.2
    assert leaf.score == F(16, 5)
    assert audit(leaf, "update_frequency").detail["accounts"][0]["required_periods"] == 13
    # an invalid cadence is a located rule-set error, never a silent default
    (child / "newmedia.yaml").write_text(
        "indicators:\n  - id: newmedia.publishing\n    settings: {publishing_weeks: 0, service_weeks: 2}\n", encoding="utf-8")
    msgs = failures(tmp_path, engine, "- unit: {id: x, name: 甲}\n  accounts: [{platform: a, name: b, kind: service, filed: true}]\n",
                    rules=str(child))
    assert msgs and "settings.publishing_weeks" in msgs[0]


# --- 办事服务 newmedia.services (6) ------------------------------------------------------------------


def test_services_criteria_and_vetoes(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: full, name: 全}
  observations:
    newmedia.services: {mobile_services: true, novel_design: true}
- unit: {id: plain, name: 普通}
  observations:
    newmedia.services: {mobile_services: 0.5, novel_design: false}
- unit: {id: unusable, name: 不可用}
  observations:
    newmedia.services: {mobile_services: true, novel_design: true, unusable: true}
- unit: {id: falsified, name: 造假}
  observations:
    newmedia.services: {mobile_services: true, novel_design: true, falsified: 是}
- unit: {id: blank, name: 未记录}
""")
    # 80% x 6 = 4.8 + 20% x 6 = 1.2 -> 6
    assert units["full"].leaf("newmedia.services").score == 6
    # 0.5 x 4.8 = 2.4; novel design no -> 2.4
    assert units["plain"].leaf("newmedia.services").score == F(12, 5)
    # 查询不可用 / 弄虚作假: 该指标不得分
    for uid in ("unusable", "falsified"):
        leaf = units[uid].leaf("newmedia.services")
        assert leaf.score == 0 and leaf.vetoed and audit(leaf, uid).role == "veto"
    blank = units["blank"].leaf("newmedia.services")
    assert blank.score == 0 and not blank.vetoed
    assert blank.missing == ["mobile_services", "novel_design"]


# --- 互动交流 newmedia.interaction (4) ---------------------------------------------------------------


def test_interaction_criteria(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: full, name: 全}
  observations:
    newmedia.interaction: {consultation_available: true, replies_timely: true}
- unit: {id: half, name: 半}
  observations:
    newmedia.interaction: {consultation_available: true}
""")
    # 50% x 4 = 2 each -> 4
    assert units["full"].leaf("newmedia.interaction").score == 4
    half = units["half"].leaf("newmedia.interaction")
    # consultation 2; replies_timely not recorded -> 0, missing
    assert half.score == 2
    assert half.missing == ["replies_timely"]


# --- 协调联动 newmedia.coordination (6) --------------------------------------------------------------


def test_coordination_repost_checks_and_campaign_bands(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: c0, name: 零次}
  observations:
    newmedia.coordination:
      repost_checks:
        - {on: 2023-03-08, passed: yes}
        - {on: 2023-03-22, passed: yes}
        - {on: 2023-04-12, passed: no}
        - {passed: true}
      joint_campaigns: 0
- unit: {id: c4, name: 四次}
  observations:
    newmedia.coordination:
      repost_checks: [{passed: true}, {passed: true}]
      joint_campaigns: 4
- unit: {id: c1, name: 一次}
  observations:
    newmedia.coordination: {repost_checks: [{passed: false}], joint_campaigns: 1}
- unit: {id: c5, name: 五次}
  observations:
    newmedia.coordination: {joint_campaigns: 5}
""")
    c0 = units["c0"].leaf("newmedia.coordination")
    # 3 of 4 checks passed: 3/4 x 50% x 6 = 2.25; 0 campaigns -> band "0", nothing -> 2.25
    assert c0.score == F(9, 4)
    assert audit(c0, "joint_campaigns").role == "not_met"
    # 2 of 2 passed: 3; 4 campaigns -> band 1-4: 25% x 6 = 1.5 -> 4.5
    c4 = units["c4"].leaf("newmedia.coordination")
    assert c4.score == F(9, 2)
    assert audit(c4, "joint_campaigns").detail["band"] == "1—4次"
    # 0 of 1 passed: 0; 1 campaign -> 1.5
    assert units["c1"].leaf("newmedia.coordination").score == F(3, 2)
    c5 = units["c5"].leaf("newmedia.coordination")
    # no checks recorded -> nothing, listed as missing; 5 campaigns -> 50% x 6 = 3 (defect 4 reading)
    assert c5.score == 3
    assert c5.missing == ["repost_checks"]
    assert audit(c5, "repost_checks").role == "missing"


def test_category_total(tmp_path, engine):
    units = score(tmp_path, engine, f"""\
- unit: {{id: best, name: 满分局}}
  accounts:
    - {{platform: weibo, name: 微博, kind: publishing, filed: true, posts: {WEEKLY}}}
    - {{platform: wechat, name: 服务号, kind: service, filed: true, posts: {BIWEEKLY}}}
  observations:
    newmedia.intensive: {{lifecycle_compliant: true}}
    newmedia.publishing: {{content_types: [dynamics, policy_documents, interpretations, responses], mobile_adapted: true, same_source: true}}
    newmedia.services: {{mobile_services: true, novel_design: true}}
    newmedia.interaction: {{consultation_available: true, replies_timely: true}}
    newmedia.coordination: {{repost_checks: [{{passed: true}}], joint_campaigns: 6}}
""")
    cat = units["best"].category("newmedia")
    # 4.2 (集约开设's 70%) + 8 + 6 + 4 + 6 = 28.2 of 30
    assert cat.weight == 30
    assert cat.score == F(141, 5)


def test_dates_weeks_setting():
    from govscore.core.dates import required_periods

    y0, y1 = _dt.date(2023, 1, 1), _dt.date(2023, 12, 31)
    # weeks overrides the kind's default; periods stay anchored on the first Monday, 2023-01-02
    assert required_periods("service", y0, y1, y1) == required_periods("service", y0, y1, y1, weeks=2)
    blocks = required_periods("service", y0, y1, y1, weeks=4)
    assert len(blocks) == 13 and blocks[0] == (_dt.date(2023, 1, 2), _dt.date(2023, 1, 29))
    assert blocks[-1] == (_dt.date(2023, 12, 4), _dt.date(2023, 12, 31))
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            required_periods("publishing", y0, y1, y1, weeks=bad)
