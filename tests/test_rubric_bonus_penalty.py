"""加分指标 and 扣分指标 (rules/2023-zengdu/bonus.yaml, penalty.yaml): every band and deduction.

Each test writes hand-made evidence to tmp_path and scores it through the runner with both engines.
Expected points are computed by hand in the comments (rubric-2023.md): a bonus leaf earns share x
weight; a deduction leaf scores -min(cap, sum of occurrences x rate x weight), the cap its weight by
default (defect 8); the deduction category is at least -10; the summary's "deductions" is its absolute
value.
"""

from __future__ import annotations

from fractions import Fraction as F


from govscore.core.i18n import _

from _rubric import score


def audit(leaf, entry: str) -> list:
    """Every audit record of `entry` (a deduction leaf has one per kind of occurrence)."""
    return [a for a in leaf.audit if a.entry == entry]


def test_notices_exposures_and_commendation_together(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: hit, name: 被通报局}
  observations:
    penalty.notices: {state_council_notices: 2, provincial_notices: 3}
    penalty.media_exposure: {central_media_exposures: 1, provincial_media_exposures: 2}
    bonus.commendation: {commendations: 1, central_media_reports: 0}
""")
    u = units["hit"]
    notices = u.leaf("penalty.notices")
    # 2 x 50% x 6 = 6, 3 x 5% x 6 = 0.9: min(6, 3 + 3 + 0.9) = 6 -> leaf -6
    assert notices.score == -6
    assert [a.points for a in audit(notices, "state_council_notices")] == [-6]
    assert [a.points for a in audit(notices, "provincial_notices")] == [F(-9, 10)]
    assert [a.points for a in notices.audit if a.role == "cap"] == [F(9, 10)]  # 6.9 capped at 6
    media = u.leaf("penalty.media_exposure")
    # 1 x 50% x 4 = 2, 2 x 10% x 4 = 0.8: min(4, 2 + 0.8) = 2.8 -> leaf -2.8
    assert media.score == F(-14, 5)
    assert not [a for a in media.audit if a.role == "cap"]
    # deduction category -6 - 2.8 = -8.8 (within its cap of -10); summary deductions 8.8
    assert u.category("penalty").score == F(-44, 5)
    assert u.deductions == F(44, 5)
    assert u.display["deductions"] == F(44, 5)
    # commendations 1 -> band >=1: 50% x 10 = 5; central media reports 0 -> band 0: nothing
    assert u.leaf("bonus.commendation").score == 5
    assert u.bonus == 5
    assert u.category("bonus").score == 5


def test_commendation_bands(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: both, name: 双项}
  observations:
    bonus.commendation: {commendations: 2, central_media_reports: 3}
- unit: {id: report, name: 报道}
  observations:
    bonus.commendation: {commendations: 0, central_media_reports: 1}
- unit: {id: none, name: 未记录}
""")
    both = units["both"]
    # 2 commendations -> 5; 3 reports -> 5: 10, the category's cap
    assert both.leaf("bonus.commendation").score == 10
    assert both.category("bonus").score == 10 and both.bonus == 10
    rec = audit(both.leaf("bonus.commendation"), "commendations")[0]
    assert rec.role == "award" and rec.detail["band"] == "1次及以上"
    # 0 commendations -> 0 (not met); 1 central report -> 5
    report = units["report"].leaf("bonus.commendation")
    assert report.score == 5
    assert audit(report, "commendations")[0].role == "not_met"
    # nothing recorded: 0, both counts listed as missing (a bonus count is not a problem count)
    none = units["none"].leaf("bonus.commendation")
    assert none.score == 0
    assert none.missing == ["commendations", "central_media_reports"]


def test_notices_provincial_only_and_cap(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: prov, name: 省通报}
  observations:
    penalty.notices: {provincial_notices: 1}
- unit: {id: many, name: 多次}
  observations:
    penalty.notices: {provincial_notices: 25}
- unit: {id: clean, name: 无}
""")
    # 1 x 5% x 6 = 0.3 -> -0.3
    assert units["prov"].leaf("penalty.notices").score == F(-3, 10)
    # 25 x 0.3 = 7.5, capped at the weight 6 (defect 8) -> -6
    assert units["many"].leaf("penalty.notices").score == -6
    # notices are problem counts: absent = 0, nothing deducted, nothing missing
    clean = units["clean"]
    for lid in ("penalty.notices", "penalty.media_exposure", "penalty.service_items"):
        leaf = clean.leaf(lid)
        assert leaf.score == 0 and leaf.missing == []
    assert clean.deductions == 0


def test_media_exposure_rates_and_cap(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: prov, name: 省级}
  observations:
    penalty.media_exposure: {provincial_media_exposures: 3}
- unit: {id: central, name: 中央}
  observations:
    penalty.media_exposure: {central_media_exposures: 3}
""")
    # 3 x 10% x 4 = 1.2 -> -1.2
    assert units["prov"].leaf("penalty.media_exposure").score == F(-6, 5)
    # 3 x 50% x 4 = 6, capped at the weight 4 -> -4
    central = units["central"]
    assert central.leaf("penalty.media_exposure").score == -4
    assert central.category("penalty").score == -4 and central.deductions == 4


def test_deduction_category_reaches_its_cap(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: worst, name: 双满扣}
  observations:
    penalty.notices: {state_council_notices: 3}
    penalty.media_exposure: {central_media_exposures: 2, provincial_media_exposures: 1}
""")
    u = units["worst"]
    # notices min(6, 9) = 6; media min(4, 4 + 0.4) = 4; category -10, exactly its cap
    assert u.leaf("penalty.notices").score == -6
    assert u.leaf("penalty.media_exposure").score == -4
    assert u.category("penalty").score == -10 and u.deductions == 10


def test_service_items_records_and_deducts_nothing(tmp_path, engine):
    units = score(tmp_path, engine, """\
- unit: {id: guides, name: 指南不准}
  observations:
    penalty.service_items: {inaccurate_guides: 3}
""")
    u = units["guides"]
    leaf = u.leaf("penalty.service_items")
    # the source gives no weight (defect 6): 3 recorded, 3 x 50% x (no weight) = nothing deducted
    assert leaf.weight is None
    assert leaf.score == 0
    assert leaf.reason == _("nothing deducted")
    [rec] = audit(leaf, "inaccurate_guides")
    assert rec.role == "deduct" and rec.points == 0
    assert rec.detail == {"occurrences": 3}
    assert rec.reason == _("{count} recorded; this indicator has no weight, so nothing is deducted", count=3)
    assert u.category("penalty").score == 0 and u.deductions == 0
