"""Shared by the workbook and report tests: a small rule set with a test plugin that uses every kind of
observation (judgement, checklist, level, date, flag, problem count, applicability, lists with timestamps,
derived item fields, unit-level accounts with posts), a bonus and a deduction category, and its evidence.

The real 2023 rubric is being written concurrently; these tests must not depend on its progress.
"""

from __future__ import annotations

import datetime as _dt
import types
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator

from govscore.core.derivations import Derivation
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import (Applicable, Checklist, Count, Day, Flag, Item, Judgement, Level, Observations,
                                        ProblemCount, Timestamp, to_bool)

LONG_LEVELS = {0: "未提供任何查询服务入口，也未链接到上级平台的查询系统或清单页面，群众无法通过本单位网站查询办事信息",
               1: "仅链接到上级平台的事项清单页面，未提供本单位数据的检索功能",
               2: "链接到上级平台的查询系统并可检索到本单位的数据",
               3: "在本单位网站上提供本地化的事项清单，按类别分类展示",
               4: "在本单位网站上提供本地化的查询系统，支持关键词检索和分类筛选",
               5: "本地化、形式新颖，提供地图或图形化等交互式查询服务并与办事服务关联"}


class SiteEvidence(Observations):
    up_to_date: Judgement = None
    published_fields: Checklist = None
    form_level: Level = None
    last_updated: Day = None
    broken_links: ProblemCount = 0
    falsified: Flag = False


class KeyAreaEvidence(Observations):
    applicable: Applicable = True
    structured: Judgement = None
    consistent: Judgement = None


class Message(Item):
    asked_at: Timestamp = None
    answered_at: Timestamp = None
    accurate: Annotated[bool, BeforeValidator(to_bool)] = False
    perfunctory: Flag = False


class ConsultEvidence(Observations):
    messages: list = []


class MediaEvidence(Observations):
    mobile_adapted: Judgement = None


class RepostCheck(Item):
    checked_on: Day = None
    passed: Annotated[bool, BeforeValidator(to_bool)] = False


class CoordEvidence(Observations):
    repost_checks: list = []
    joint_campaigns: Count = None


class AwardEvidence(Observations):
    commendations: Count = None


class NoticeEvidence(Observations):
    notices: ProblemCount = 0


def _elapsed(work, compiled) -> None:
    for msg in work.lists.get(("wb.consult", "messages"), []):
        if msg.get("answered_at") is not None and msg.get("asked_at") is not None:
            msg["elapsed_days"] = (msg["answered_at"].date() - msg["asked_at"].date()).days


def _media(work, compiled) -> None:
    accounts = work.accounts
    obs = work.observations.setdefault("wb.media", {})
    if accounts:
        obs["all_filed"] = all(a["filed"] for a in accounts)
        obs["posted"] = all(a["posts"] for a in accounts)
        work.details.setdefault("wb.media", {})["posted"] = {a["name"]: len(a["posts"]) for a in accounts}


class _Plugin:
    @hookimpl
    def register_indicators(self, register):
        register(IndicatorSpec("wb.site", SiteEvidence, display_name="网站建设"))
        register(IndicatorSpec("wb.keyarea", KeyAreaEvidence, display_name="重点领域"))
        register(IndicatorSpec("wb.consult", ConsultEvidence, lists={"messages": Message}, derived=("messages.elapsed_days",)))
        register(IndicatorSpec("wb.media", MediaEvidence, uses_accounts=True, derived=("all_filed", "posted")))
        register(IndicatorSpec("wb.coord", CoordEvidence, lists={"repost_checks": RepostCheck}))
        register(IndicatorSpec("wbbonus.awards", AwardEvidence))
        register(IndicatorSpec("wbpen.notices", NoticeEvidence))

    @hookimpl
    def register_derivations(self, register):
        register(Derivation("wb.elapsed", ("wb.consult",), _elapsed, "calendar days from question to answer"))
        register(Derivation("wb.media", ("wb.media",), _media, "accounts filed and posting"))


PLUGIN = _Plugin()

RULESET = """\
name: wbtest
title: 测试规则集
run:
  period: {start: 2023-01-01, end: 2023-12-31}
  as_of: 2023-12-31
scoring:
  final_floor: 0
  normalisation: {policy: even}
"""

BASE = """\
category: {id: wb, name: 网站与新媒体, kind: base, order: 1}
indicators:
  - id: wb.site
    name: 网站建设
    group: 基本信息公开
    weight: 10
    description: 考核网站栏目的建设和维护情况。
    criteria:
      - {id: up_to_date, kind: judged, observation: up_to_date, share: 30%, text: "1.及时提供最新信息，30%；"}
      - {id: fields, kind: checklist, observation: published_fields, items: [functions, structure, head], share: 30%,
         text: "2.公开机构职能、内设机构、负责人等信息，30%；"}
      - id: form_level
        kind: ordinal
        observation: form_level
        max: 5
        share: 40%
        text: "3.查询服务的形式，40%。"
        levels: {0: "@L0@", 1: "@L1@", 2: "@L2@", 3: "@L3@", 4: "@L4@", 5: "@L5@"}
    deductions:
      - {id: broken_links, observation: broken_links, rate: 10%, text: "存在错链断链的，每处扣10%"}
    vetoes:
      - {id: stale, kind: stale, observation: last_updated, months: 6, text: "监测时间点前6个月内未更新的，该指标不得分"}
      - {id: falsified, kind: flag, observation: falsified, text: "弄虚作假的，该指标不得分"}
  - id: wb.keyarea
    name: 重点领域
    weight: 6
    applicability: {observation: applicable}
    criteria:
      - {id: structured, observation: structured, share: 50%, text: "1.栏目体系合理，50%；"}
      - {id: consistent, observation: consistent, share: 50%, text: "2.栏目内容与栏目名称一致，50%。"}
  - id: wb.consult
    name: 在线咨询
    weight: 5
    criteria:
      - id: timeliness
        kind: bands
        list: messages
        value: elapsed_days
        require: {accurate: true}
        aggregate: mean
        bands:
          - {when: "[0..1]", share: 50%, label: "1天内"}
          - {when: "(1..5]", share: 20%, label: "5天内"}
        text: "答复及时准确的，按用时计分"
  - id: wb.media
    name: 新媒体
    weight: 6
    criteria:
      - {id: filed, observation: all_filed, share: 30%, text: "1.账号均已备案，30%；"}
      - {id: posted, observation: posted, share: 40%, text: "2.账号均有更新，40%；"}
      - {id: mobile, observation: mobile_adapted, share: 30%, text: "3.适配移动端，30%。"}
  - id: wb.coord
    name: 协调联动
    weight: 4
    criteria:
      - {id: reposts, kind: items, list: repost_checks, when: {passed: true}, aggregate: mean, share: 50%, text: "1.转载抽查，50%；"}
      - id: campaigns
        kind: bands
        observation: joint_campaigns
        bands:
          - {when: "[1..4]", share: 25%}
          - {when: ">4", share: 50%}
        text: "2.联合开展活动，50%。"
"""
for _k, _v in LONG_LEVELS.items():
    BASE = BASE.replace(f"@L{_k}@", _v)

BONUS = """\
category: {id: wbbonus, name: 加分指标, kind: bonus, cap: 5, order: 2}
indicators:
  - id: wbbonus.awards
    name: 表彰宣传
    weight: 5
    criteria:
      - id: commendations
        kind: bands
        observation: commendations
        bands: [{when: ">=1", share: 100%}]
        text: "获上级表彰的，加分"
"""

PENALTY = """\
category: {id: wbpen, name: 扣分指标, kind: deduction, order: 3}
indicators:
  - id: wbpen.notices
    name: 通报曝光
    weight: 4
    deductions:
      - {id: notices, observation: notices, rate: 50%, text: "被通报的，每次扣50%"}
"""


def write_ruleset(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ruleset.yaml").write_text(RULESET, encoding="utf-8")
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    (folder / "bonus.yaml").write_text(BONUS, encoding="utf-8")
    (folder / "penalty.yaml").write_text(PENALTY, encoding="utf-8")
    return folder


def registry():
    from govscore.core.plugins import load

    return load(extra=[("wbtest", PLUGIN)], entry_points=False)


def compiled_and_registry(tmp_path: Path):
    from govscore.core.runner import RunOptions, prepare

    rules = write_ruleset(tmp_path / "wbtest")
    reg = registry()
    opts = RunOptions(rules=str(rules), engine="reference")
    return prepare(opts, reg), reg, opts


def run_paths(paths, tmp_path: Path, group_by: str | None = "kind"):
    """Score evidence files with the test rule set (reference engine)."""
    from govscore.core.runner import run

    compiled, reg, opts = compiled_and_registry(tmp_path)
    return run([Path(p) for p in paths], opts, group_by=group_by, registry=reg, compiled=compiled)


# Evidence of four units, as YAML. The workbook tests write the same evidence into a template.
EVIDENCE_YAML = """\
- unit: {id: "007", name: 区发展和改革局, kind: department}
  accounts:
    - {platform: wechat, name: 曾都发改, kind: publishing, filed: true, opened_on: 2019-05-01, posts: [2023-01-03, 2023-10-07]}
    - {platform: weibo, name: 发改微博, kind: service, filed: false}
  observations:
    wb.site:
      up_to_date: true
      published_fields: [functions, head]
      form_level: 3
      last_updated: 2023-10-07
      broken_links: {value: 2, source: "https://fgj.example/links", checked_at: 2023-11-20, note: 首页两处}
    wb.keyarea: {applicable: true, structured: 0.5, consistent: true}
    wb.consult:
      messages:
        - {asked_at: "2023-09-28 16:00", answered_at: "2023-09-29 09:30", accurate: true}
        - {asked_at: "2023-10-07 09:30", answered_at: "2023-10-10 10:00", accurate: true}
        - {asked_at: "2023-11-01 08:00", accurate: false}
    wb.media: {mobile_adapted: true}
    wb.coord:
      joint_campaigns: 5
      repost_checks:
        - {checked_on: 2023-03-01, passed: true}
        - {checked_on: 2023-04-01, passed: false}
    wbbonus.awards: {commendations: 1}
    wbpen.notices: {notices: 1}
  adjustments:
    - {indicator: wb.site, points: 1, reason: 复核认定链接已修复, decided_by: 区政务公开办, decided_on: 2024-01-15}
- unit: {id: zhen1, name: 何店镇, kind: town}
  observations:
    wb.site: {up_to_date: false, form_level: 5, last_updated: 2023-01-05}
    wb.keyarea: {applicable: false}
    wb.coord: {joint_campaigns: 2}
- unit: {id: "12", name: 区教育局, kind: department}
  accounts:
    - {platform: douyin, name: 曾都教育, kind: publishing, filed: true, posts: [2023-06-01]}
  observations:
    wb.site:
      up_to_date: 1/2
      published_fields: {functions: true, structure: true, head: true}
      form_level: 4
      last_updated: 2023-12-01
    wb.keyarea: {structured: true, consistent: true}
    wb.consult:
      messages:
        - {asked_at: "2023-10-09 10:00", answered_at: "2023-10-09 17:00", accurate: true}
    wb.media: {mobile_adapted: false}
    wbpen.notices: {notices: 3}
- unit: {id: town2, name: 万店镇, kind: town}
  observations:
    wb.site: {up_to_date: true, falsified: true, last_updated: 2023-12-20}
"""


def write_yaml(folder: Path) -> Path:
    p = folder / "units.yaml"
    p.write_text(EVIDENCE_YAML, encoding="utf-8")
    return p


def replicate(run, n: int):
    """A RunResult with `n` units: copies of the scored units with new ids, names and totals (cheap)."""
    import copy
    from fractions import Fraction

    from govscore.core.numbers import round_half_up
    from govscore.core.runner import rank

    units = []
    for i in range(n):
        src = run.units[i % len(run.units)]
        u = copy.copy(src)
        u.unit_id = f"u{i:05d}"
        u.name = f"单位{i:05d}"
        u.kind = "department" if i % 3 else "town"
        u.total = src.total - Fraction(i % 997, 100)
        if u.total < 0:
            u.total = Fraction(0)
        u.display = dict(src.display, total=round_half_up(u.total))
        units.append(u)
    out = copy.copy(run)
    out.units = rank(units, "kind")
    return out


_ = (types, _dt)
