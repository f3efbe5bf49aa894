"""政府信息公开 (rules/2023-zengdu/disclosure.yaml): every criterion, veto, deduction and band of the 13 leaves.

Each test writes hand-made evidence to tmp_path and scores it through the runner with both engines
(durable and reference must agree). Expected points are computed by hand in the comments
(share x effective weight; rubric-2023.md). The run period is 2023 with as_of 2023-12-31 (ruleset.yaml),
so the 6-month stale cutoff is 2023-06-30 unless a test sets as_of. Evidence that records only the leaf
under test leaves the key areas applicable (applicable defaults to true), so nominal weights hold.
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction as F

import pytest


from _rubric import audit, child_ruleset, leaf, score
from _rubric import failure_messages as failures

KEY_AREAS = ("disclosure.major_projects", "disclosure.public_welfare", "disclosure.public_resources")
DISCLOSURE_LEAVES = (
    "disclosure.overview", "disclosure.functions", "disclosure.leaders", "disclosure.policy_documents",
    "disclosure.licensing_results", "disclosure.enforcement", "disclosure.budgets", "disclosure.proposals",
    *KEY_AREAS, "disclosure.special_topics", "disclosure.policy_interpretation",
)


# --- 概况信息 disclosure.overview (2) ------------------------------------------------------------------


def test_overview(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: a, name: 甲}
  observations:
    disclosure.overview: {up_to_date: true, consistent: 0.5}
- unit: {id: b, name: 乙}
  observations:
    disclosure.overview: {up_to_date: 否}
""")
    # a: up_to_date 50% x 2 = 1; consistent 0.5 x 50% x 2 = 0.5 -> 1.5
    assert leaf(units["a"], "disclosure.overview").score == F(3, 2)
    # b: up_to_date no -> 0; consistent not recorded -> missing, 0
    b = leaf(units["b"], "disclosure.overview")
    assert b.score == 0
    assert b.missing == ["consistent"]


# --- 机构职能 disclosure.functions (2) -----------------------------------------------------------------


def test_functions_checklist_of_six(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: all, name: 全}
  observations:
    disclosure.functions:
      published_fields: [functions, structure, address, office_hours, contact, head]
      consistent: true
- unit: {id: four, name: 四项}
  observations:
    disclosure.functions:
      published_fields: {functions: true, structure: true, address: 是, office_hours: true, contact: false, head: 否}
      consistent: false
""")
    # all: 6/6 x 50% x 2 = 1; consistent 50% x 2 = 1 -> 2
    assert leaf(units["all"], "disclosure.functions").score == 2
    # four: 4/6 x 50% x 2 = 2/3; consistent no -> 0 -> 2/3
    assert leaf(units["four"], "disclosure.functions").score == F(2, 3)


def test_functions_unknown_checklist_item_is_a_unit_error(tmp_path, engine):
    msgs = failures(tmp_path, engine, """\
unit: {id: x, name: 错项}
observations:
  disclosure.functions: {published_fields: [functions, budget], consistent: true}
""")
    assert any("budget" in m and "units.yaml" in m for m in msgs), msgs


# --- 领导信息 disclosure.leaders (2) -------------------------------------------------------------------


def test_leaders_checklist_of_three(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: a, name: 甲}
  observations:
    disclosure.leaders: {published_fields: [name, post], consistent: true}
- unit: {id: b, name: 乙}
  observations:
    disclosure.leaders: {published_fields: [name, post, duties], consistent: false}
""")
    # a: 2/3 x 50% x 2 = 2/3; consistent 50% x 2 = 1 -> 5/3
    assert leaf(units["a"], "disclosure.leaders").score == F(5, 3)
    # b: 3/3 x 50% x 2 = 1; consistent 0 -> 1
    assert leaf(units["b"], "disclosure.leaders").score == 1


# --- 政策文件 disclosure.policy_documents (2) ----------------------------------------------------------


POLICY_FULL = "timely: true, cleanup_published: true, consistent: true, last_updated: 2023-11-20"


def test_policy_documents_shares_and_deductions(tmp_path, engine):
    units = score(tmp_path, engine, f"""\
- unit: {{id: perfect, name: 满分}}
  observations:
    disclosure.policy_documents: {{{POLICY_FULL}}}
- unit: {{id: two, name: 两条问题}}
  observations:
    disclosure.policy_documents: {{{POLICY_FULL}, defective_documents: 2}}
- unit: {{id: partial, name: 部分}}
  observations:
    disclosure.policy_documents: {{timely: 0.5, cleanup_published: false, consistent: true, last_updated: 2023-11-20, defective_documents: 1}}
- unit: {{id: many, name: 扣完为止}}
  observations:
    disclosure.policy_documents: {{{POLICY_FULL}, defective_documents: 12}}
""")
    # perfect: timely 40% x 2 = 0.8; cleanup 40% x 2 = 0.8; consistent 10% x 2 = 0.2 -> 1.8 (shares sum to 90%)
    perfect = leaf(units["perfect"], "disclosure.policy_documents")
    assert perfect.score == F(9, 5)
    assert perfect.max_attainable == F(9, 5)  # the disabled no_defects_share adds nothing
    # two: 1.8 - 2 x 10% x 2 = 1.8 - 0.4 = 1.4
    two = leaf(units["two"], "disclosure.policy_documents")
    assert two.score == F(7, 5)
    assert audit(two, "defective_documents").points == F(-2, 5)
    # partial: 0.5 x 0.8 = 0.4; cleanup 0; consistent 0.2; 1 defect -0.2 -> 0.4
    assert leaf(units["partial"], "disclosure.policy_documents").score == F(2, 5)
    # many: 1.8 - 12 x 0.2 = -0.6 -> floored at 0 (扣完为止)
    assert leaf(units["many"], "disclosure.policy_documents").score == 0


@pytest.mark.parametrize("veto", ["burst_publishing: true", "falsified: true", "last_updated: 2023-06-29"])
def test_policy_documents_vetoes(tmp_path, engine, veto):
    units = score(tmp_path, engine, f"""\
unit: {{id: v, name: 否决}}
observations:
  disclosure.policy_documents: {{timely: true, cleanup_published: true, consistent: true, last_updated: 2023-11-20, {veto}}}
""".replace("last_updated: 2023-11-20, last_updated", "last_updated"))
    # any veto: 该指标不得分 -> 0 (as_of 2023-12-31 - 6 months = 2023-06-30; 06-29 is before it: stale)
    lf = leaf(units["v"], "disclosure.policy_documents")
    assert lf.vetoed and lf.score == 0


def test_policy_documents_stale_month_end_clamping(tmp_path, engine):
    text = """\
- unit: {id: stale, name: 过期}
  observations:
    disclosure.policy_documents: {timely: true, cleanup_published: true, consistent: true, last_updated: 2023-02-27}
- unit: {id: fresh, name: 恰好}
  observations:
    disclosure.policy_documents: {timely: true, cleanup_published: true, consistent: true, last_updated: 2023-02-28}
"""
    units = score(tmp_path, engine, text, as_of=_dt.date(2023, 8, 31))
    # as_of 2023-08-31 minus 6 months -> 2023-02-31 clamped to 2023-02-28: 02-27 is stale, 02-28 is not
    stale = leaf(units["stale"], "disclosure.policy_documents")
    assert stale.vetoed and stale.score == 0
    assert audit(stale, "stale").detail["cutoff"] == "2023-02-28"
    fresh = leaf(units["fresh"], "disclosure.policy_documents")
    assert not fresh.vetoed and fresh.score == F(9, 5)  # 0.8 + 0.8 + 0.2


def test_policy_documents_missing_last_updated_fires_no_veto(tmp_path, engine):
    units = score(tmp_path, engine, """\
unit: {id: m, name: 未记录}
observations:
  disclosure.policy_documents: {timely: true, cleanup_published: true, consistent: true}
""")
    lf = leaf(units["m"], "disclosure.policy_documents")
    # no last_updated: the stale veto cannot fire; listed as missing; 0.8 + 0.8 + 0.2 = 1.8
    assert not lf.vetoed and lf.score == F(9, 5)
    assert "last_updated" in lf.missing


def test_policy_documents_item_3_alternative_reading(tmp_path, engine):
    rules = child_ruleset(tmp_path, """\
indicators:
  - id: disclosure.policy_documents
    criteria:
      - {id: no_defects_share, enabled: true}
    deductions:
      - {id: defective_documents, enabled: false}
""")
    units = score(tmp_path, engine, f"""\
- unit: {{id: perfect, name: 满分}}
  observations:
    disclosure.policy_documents: {{{POLICY_FULL}}}
- unit: {{id: one, name: 一条}}
  observations:
    disclosure.policy_documents: {{{POLICY_FULL}, defective_documents: 1}}
""", rules=rules)
    # perfect: 0.8 + 0.8 + 0.2 + item 3 (no defect: 10% x 2 = 0.2) -> 2 of 2
    assert leaf(units["perfect"], "disclosure.policy_documents").score == 2
    # one defect: item 3's band "0" does not hold -> 0.8 + 0.8 + 0.2 = 1.8, no deduction on top
    assert leaf(units["one"], "disclosure.policy_documents").score == F(9, 5)


# --- 行政许可结果 disclosure.licensing_results (2) -----------------------------------------------------


def test_licensing_results(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: a, name: 甲}
  observations:
    disclosure.licensing_results: {published: 0.5, consistent: true}
- unit: {id: b, name: 乙}
  observations:
    disclosure.licensing_results: {published: true, consistent: true}
""")
    # a: 0.5 x 90% x 2 = 0.9; consistent 10% x 2 = 0.2 -> 1.1
    assert leaf(units["a"], "disclosure.licensing_results").score == F(11, 10)
    # b: 1.8 + 0.2 = 2
    assert leaf(units["b"], "disclosure.licensing_results").score == 2


# --- 行政监管执法信息 disclosure.enforcement (2) -------------------------------------------------------


def test_enforcement(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: perfect, name: 满分}
  observations:
    disclosure.enforcement: {double_random: [plan, objects, results], annual_statistics_report: true, consistent: true}
- unit: {id: partial, name: 部分}
  observations:
    disclosure.enforcement: {double_random: [plan], annual_statistics_report: false, consistent: true}
""")
    # perfect: 3/3 x 30% x 2 = 0.6; report 30% x 2 = 0.6; consistent 10% x 2 = 0.2 -> 1.4 (shares sum to 70%)
    perfect = leaf(units["perfect"], "disclosure.enforcement")
    assert perfect.score == F(7, 5) == perfect.max_attainable
    # partial: 1/3 x 0.6 = 0.2; 0; 0.2 -> 0.4
    assert leaf(units["partial"], "disclosure.enforcement").score == F(2, 5)


# --- 财政预决算 disclosure.budgets (2) -----------------------------------------------------------------


def test_budgets(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: both, name: 两项}
  observations:
    disclosure.budgets: {published: [budget, final_accounts]}
- unit: {id: one, name: 一项}
  observations:
    disclosure.budgets: {published: {budget: true, final_accounts: false}}
""")
    # both: 2/2 x 100% x 2 = 2; one: 1/2 x 2 = 1
    assert leaf(units["both"], "disclosure.budgets").score == 2
    assert leaf(units["one"], "disclosure.budgets").score == 1


# --- 人大代表建议、政协委员提案办理情况 disclosure.proposals (2) --------------------------------------


def test_proposals(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: a, name: 甲}
  observations:
    disclosure.proposals: {published: [reply_full_text, progress, annual_summary], consistent: true}
- unit: {id: b, name: 乙}
  observations:
    disclosure.proposals: {published: [reply_full_text, annual_summary], consistent: false}
""")
    # a: 3/3 x 90% x 2 = 1.8; consistent 10% x 2 = 0.2 -> 2
    assert leaf(units["a"], "disclosure.proposals").score == 2
    # b: 2/3 x 1.8 = 1.2; 0 -> 1.2
    assert leaf(units["b"], "disclosure.proposals").score == F(6, 5)


# --- 重点领域信息公开: 重大建设项目, 公益事业建设, 公共资源配置 (6 each) ------------------------------


@pytest.mark.parametrize("indicator", KEY_AREAS)
def test_key_area_criteria(tmp_path, engine, indicator):
    units = score(tmp_path, engine, f"""\
- unit: {{id: perfect, name: 满分}}
  observations:
    {indicator}: {{structured: true, consistent: true, last_updated: 2023-12-01}}
- unit: {{id: half, name: 一半}}
  observations:
    {indicator}: {{structured: 0.5, consistent: true, last_updated: 2023-07-01}}
- unit: {{id: nodate, name: 无日期}}
  observations:
    {indicator}: {{structured: true, consistent: false}}
""")
    # perfect: 50% x 6 + 50% x 6 = 6
    assert leaf(units["perfect"], indicator).score == 6
    # half: 0.5 x 3 + 3 = 4.5 (2023-07-01 is after the cutoff 2023-06-30)
    assert leaf(units["half"], indicator).score == F(9, 2)
    # nodate: 3 + 0 = 3; no last_updated -> no stale veto, listed as missing
    nodate = leaf(units["nodate"], indicator)
    assert nodate.score == 3 and not nodate.vetoed and nodate.missing == ["last_updated"]


@pytest.mark.parametrize("indicator", KEY_AREAS)
@pytest.mark.parametrize("veto", ["burst_publishing: true", "falsified: 是", "last_updated: 2023-06-29"])
def test_key_area_vetoes(tmp_path, engine, indicator, veto):
    base = "structured: true, consistent: true" + ("" if veto.startswith("last_updated") else ", last_updated: 2023-12-01")
    units = score(tmp_path, engine, f"""\
unit: {{id: v, name: 否决}}
observations:
  {indicator}: {{{base}, {veto}}}
""")
    # 栏目更新不及时 (6 months by default: before 2023-06-30), 突击发布 or 弄虚作假 -> 0
    lf = leaf(units["v"], indicator)
    assert lf.vetoed and lf.score == 0


def test_key_areas_not_applicable_move_weight_evenly(tmp_path, engine):
    # Every applicable leaf perfect; the three key areas not applicable.
    units = score(tmp_path, engine, """\
unit: {id: n, name: 不涉及重点领域}
observations:
  disclosure.overview: {up_to_date: true, consistent: true}
  disclosure.functions: {published_fields: [functions, structure, address, office_hours, contact, head], consistent: true}
  disclosure.leaders: {published_fields: [name, post, duties], consistent: true}
  disclosure.policy_documents: {timely: true, cleanup_published: true, consistent: true, last_updated: 2023-12-01}
  disclosure.licensing_results: {published: true, consistent: true}
  disclosure.enforcement: {double_random: [plan, objects, results], annual_statistics_report: true, consistent: true}
  disclosure.budgets: {published: [budget, final_accounts]}
  disclosure.proposals: {published: [reply_full_text, progress, annual_summary], consistent: true}
  disclosure.major_projects: {applicable: false}
  disclosure.public_welfare: {applicable: 否}
  disclosure.public_resources: {applicable: false, structured: true}
  disclosure.special_topics: {topic_columns: 2, structured: true, consistent: true, last_updated: 2023-12-01}
  disclosure.policy_interpretation: {interpreted: 2, diverse_forms: true, content_focused: true, drafter_interprets: true, cross_linked: 2, consistent: true, last_updated: 2023-12-01}
""")
    u = units["n"]
    # 3 x 6 = 18 points spread over the other 10 leaves: +1.8 each
    for ind in KEY_AREAS:
        lf = leaf(u, ind)
        assert not lf.applicable and lf.effective_weight == 0 and lf.score == 0 and lf.missing == []
    others = [i for i in DISCLOSURE_LEAVES if i not in KEY_AREAS]
    for ind in others:
        lf = leaf(u, ind)
        assert lf.effective_weight == lf.weight + F(9, 5), ind
    assert sum(leaf(u, i).effective_weight for i in DISCLOSURE_LEAVES) == 42
    # shares apply to the new weight: overview 3.8 (100%); policy_documents 90% x 3.8 = 3.42;
    # enforcement 70% x 3.8 = 2.66; special_topics 4.8; policy_interpretation 6.8
    assert leaf(u, "disclosure.overview").score == F(19, 5)
    assert leaf(u, "disclosure.policy_documents").score == F(342, 100)
    assert leaf(u, "disclosure.enforcement").score == F(266, 100)
    assert leaf(u, "disclosure.special_topics").score == F(24, 5)
    assert leaf(u, "disclosure.policy_interpretation").score == F(34, 5)
    # category: 42 - 0.1 x 3.8 (policy_documents) - 0.3 x 3.8 (enforcement) = 42 - 1.52 = 40.48
    cat = next(c for c in u.categories if c.id == "disclosure")
    assert cat.score == F(4048, 100)


def test_one_key_area_not_applicable(tmp_path, engine):
    units = score(tmp_path, engine, """\
unit: {id: n, name: 一项不涉及}
observations:
  disclosure.public_resources: {applicable: false}
""")
    # 6 points over the other 12 leaves: +0.5 each
    u = units["n"]
    assert leaf(u, "disclosure.overview").effective_weight == F(5, 2)
    assert leaf(u, "disclosure.major_projects").effective_weight == F(13, 2)
    assert leaf(u, "disclosure.public_resources").effective_weight == 0


def test_key_areas_even_by_group_alternative(tmp_path, engine):
    rules = child_ruleset(tmp_path, "", "scoring:\n  normalisation:\n    policy: even_by_group\n")
    units = score(tmp_path, engine, """\
unit: {id: n, name: 其他二级指标}
observations:
  disclosure.major_projects: {applicable: false}
  disclosure.public_welfare: {applicable: false}
  disclosure.public_resources: {applicable: false}
""", rules=rules)
    u = units["n"]
    # 18 points over the other level-2 indicators (基本信息公开, 专题专栏, 政策解读): +6 each; inside
    # 基本信息公开 evenly over its 8 leaves: +0.75 each
    assert leaf(u, "disclosure.overview").effective_weight == F(11, 4)
    assert leaf(u, "disclosure.special_topics").effective_weight == 9
    assert leaf(u, "disclosure.policy_interpretation").effective_weight == 11


# --- 专题专栏 disclosure.special_topics (3) ------------------------------------------------------------


def test_special_topics(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: three, name: 三个专栏}
  observations:
    disclosure.special_topics: {topic_columns: 3, structured: true, consistent: true, last_updated: 2023-12-01}
- unit: {id: one, name: 一个专栏}
  observations:
    disclosure.special_topics: {topic_columns: 1, structured: 0.5, consistent: false, last_updated: 2023-12-01}
- unit: {id: none, name: 未开设}
  observations:
    disclosure.special_topics: {topic_columns: 0, structured: true, consistent: true, last_updated: 2023-12-01}
""")
    # three: >= 1 column -> 30% x 3 = 0.9; structured 50% x 3 = 1.5; consistent 20% x 3 = 0.6 -> 3
    assert leaf(units["three"], "disclosure.special_topics").score == 3
    # one: 0.9 + 0.5 x 1.5 + 0 = 1.65
    assert leaf(units["one"], "disclosure.special_topics").score == F(33, 20)
    # none: band "0" -> 0%; 1.5 + 0.6 = 2.1
    none = leaf(units["none"], "disclosure.special_topics")
    assert none.score == F(21, 10)
    assert audit(none, "topic_columns").points == 0


@pytest.mark.parametrize("veto", ["burst_publishing: true", "falsified: true", "last_updated: 2023-05-31"])
def test_special_topics_vetoes(tmp_path, engine, veto):
    base = "topic_columns: 2, structured: true, consistent: true" + ("" if veto.startswith("last_updated") else ", last_updated: 2023-12-01")
    units = score(tmp_path, engine, f"""\
unit: {{id: v, name: 否决}}
observations:
  disclosure.special_topics: {{{base}, {veto}}}
""")
    lf = leaf(units["v"], "disclosure.special_topics")
    assert lf.vetoed and lf.score == 0


# --- 政策解读 disclosure.policy_interpretation (5) -----------------------------------------------------


PI_FULL = ("interpreted: 2, diverse_forms: true, content_focused: true, drafter_interprets: true, cross_linked: 2, "
           "consistent: true")


def test_policy_interpretation(tmp_path, engine):
    units = score(tmp_path, engine, f"""\
- unit: {{id: perfect, name: 满分}}
  observations:
    disclosure.policy_interpretation: {{{PI_FULL}, last_updated: 2023-12-01}}
- unit: {{id: partial, name: 部分}}
  observations:
    disclosure.policy_interpretation: {{interpreted: 1, diverse_forms: true, content_focused: 0.5, drafter_interprets: false, cross_linked: 0, consistent: true, last_updated: 2023-12-01}}
- unit: {{id: copied, name: 照搬原文}}
  observations:
    disclosure.policy_interpretation: {{{PI_FULL}, copied_text: true, last_updated: 2023-12-01}}
""")
    # perfect: 15% + 10% + 10% + 20% + 15% + 30% = 100% of 5 -> 5
    assert leaf(units["perfect"], "disclosure.policy_interpretation").score == 5
    # partial: interpreted 1/2 x 15% x 5 = 0.375; diverse 0.5; content 0.5 x 0.5 = 0.25; drafter 0;
    # cross_linked 0/2 -> 0; consistent 1.5 -> 2.625
    assert leaf(units["partial"], "disclosure.policy_interpretation").score == F(21, 8)
    # copied: criterion veto on diverse_forms only: 5 - 10% x 5 = 4.5
    copied = leaf(units["copied"], "disclosure.policy_interpretation")
    assert copied.score == F(9, 2) and not copied.vetoed
    assert audit(copied, "diverse_forms").role == "criterion_veto"


@pytest.mark.parametrize("veto", ["burst_publishing: true", "falsified: true", "last_updated: 2023-01-15"])
def test_policy_interpretation_vetoes(tmp_path, engine, veto):
    base = PI_FULL + ("" if veto.startswith("last_updated") else ", last_updated: 2023-12-01")
    units = score(tmp_path, engine, f"""\
unit: {{id: v, name: 否决}}
observations:
  disclosure.policy_interpretation: {{{base}, {veto}}}
""")
    lf = leaf(units["v"], "disclosure.policy_interpretation")
    assert lf.vetoed and lf.score == 0


def test_policy_interpretation_more_than_sampled_is_a_unit_error(tmp_path, engine):
    msgs = failures(tmp_path, engine, """\
unit: {id: x, name: 超样本}
observations:
  disclosure.policy_interpretation: {interpreted: 3, cross_linked: 1}
""")
    assert any("interpreted is 3" in m for m in msgs), msgs
