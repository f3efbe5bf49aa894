"""Aggregation through durable_rules: caps, the floor, normalisation policies, normalise_shares,
appeal adjustments and display rounding, on the small rule sets of tests/rulesets (hand-computed)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from govscore.core.numbers import apportion, round_half_up
from plugins_for_tests import cases


def _scored(case: str):
    results, failures = cases.score(case)
    assert failures == []
    return results


# --- bonus cap, deduction-category cap, floor (rulesets/caps) -----------------------------------

@pytest.fixture(scope="module")
def caps():
    return _scored("caps")


def test_bonus_category_capped_at_plus_10(caps):
    c1 = caps["c1"]
    bonus = c1.category("bonus")
    # bonus1 8 + bonus2 8 = 16 -> capped at 10
    assert (bonus.uncapped, bonus.score) == (16, 10)
    # base 10 + bonus 10 - pen1 (1 x 50% x 6 = 3) = 17
    assert (c1.base, c1.bonus, c1.deductions, c1.total) == (10, 10, 3, 17)
    # the cap is shown as its own display line so the bonus leaves (8 + 8) add up to the category: 8 + 8 - 6 = 10
    assert c1.display["cap:bonus"] == -6
    assert c1.leaf("t.bonus1").display + c1.leaf("t.bonus2").display + c1.display["cap:bonus"] == bonus.display == 10


def test_deduction_leaf_capped_at_its_weight_and_category_at_minus_10(caps):
    c2 = caps["c2"]
    # pen1: 3 x 50% x 6 = 9 -> capped at its weight 6; pen2: 3 x 25% x 8 = 6
    assert c2.leaf("t.pen1").score == -6 and c2.leaf("t.pen2").score == -6
    pen = c2.category("penalty")
    # -6 - 6 = -12 -> capped at -10
    assert (pen.uncapped, pen.score) == (-12, -10)
    # bonus 8 + 0.25 x 8 = 10 exactly (no cap line); total 10 + 10 - 10 = 10
    assert "cap:bonus" not in c2.display and c2.display["cap:penalty"] == 2
    assert (c2.base, c2.bonus, c2.deductions, c2.total) == (10, 10, 10, 10)


def test_floor_at_zero_is_its_own_adjustment(caps):
    c3 = caps["c3"]
    # base 0, bonus 0, deductions 1 x 3 + 1 x 2 = 5 -> raw -5 -> floored at 0 with +5 shown
    assert (c3.base, c3.bonus, c3.deductions) == (0, 0, 5)
    assert (c3.total, c3.floor_adjustment) == (0, 5)
    assert c3.display == {"total": 0, "base": 0, "bonus": 0, "deductions": 5, "floor_adjustment": 5}


def test_parts_add_up_to_the_rounded_total(caps):
    c4 = caps["c4"]
    # base 1/3 x 10 = 10/3, bonus 1/3 x 8 = 8/3; total 18/3 = 6
    assert (c4.base, c4.bonus, c4.total) == (F(10, 3), F(8, 3), 6)
    # 3.333.. and 2.666..: floors 3.33 + 2.66 = 5.99, the missing cent goes to the larger remainder (bonus)
    assert (c4.display["total"], c4.display["base"], c4.display["bonus"]) == (6, F("3.33"), F("2.67"))


# --- display rounding (rulesets/rounding) -------------------------------------------------------

@pytest.fixture(scope="module")
def rounding():
    return _scored("rounding")


def test_three_leaves_of_ten_thirds(rounding):
    r1 = rounding["r1"]
    thirds = r1.category("thirds")
    # each leaf 10/3 (weight 10/3, full marks): category 10 -> 10.00
    assert [r1.leaf(i).score for i in ("t.third1", "t.third2", "t.third3")] == [F(10, 3)] * 3
    # 3.33 x 3 = 9.99; the missing cent goes to the earliest of three equal remainders
    assert [r1.leaf(i).display for i in ("t.third1", "t.third2", "t.third3")] == [F("3.34"), F("3.33"), F("3.33")]
    assert thirds.display == 10


def test_halves_add_up_to_the_category_not_to_their_own_roundings(rounding):
    r1 = rounding["r1"]
    # each leaf 50% x 2.01 = 1.005; category 2.01. Rounded on their own they would be 1.01 + 1.01 = 2.02
    assert round_half_up(F("1.005")) == F("1.01")
    assert r1.category("halves").display == F("2.01")
    assert [r1.leaf("t.half1").display, r1.leaf("t.half2").display] == [F("1.01"), F("1.00")]
    # total 10 + 2.01 = 12.01
    assert r1.total == F("12.01") and r1.display["total"] == F("12.01")


def test_two_thirds(rounding):
    r2 = rounding["r2"]
    # 10/3 + 10/3 = 20/3 = 6.666.. -> 6.67; leaves 3.34 + 3.33 + 0
    assert r2.display["total"] == F("6.67")
    assert [r2.leaf(i).display for i in ("t.third1", "t.third2", "t.third3")] == [F("3.34"), F("3.33"), 0]


def test_apportion_ties_go_to_the_earlier_part():
    # 0.005 + 0.005 = 0.01: one cent to share between equal remainders -> the first
    assert apportion(F("0.01"), [F("0.005"), F("0.005")]) == [F("0.01"), 0]
    # negative parts (deductions) floor downwards: -10/3 -> -3.34 floor, remainder 0.00666..
    assert apportion(F("-6.67"), [F(-10, 3), F(-10, 3)]) == [F("-3.33"), F("-3.34")]


# --- normalisation policies (rulesets/normalise_*) ----------------------------------------------

@pytest.mark.parametrize("case, weights, total", [
    # t.n1 (6 points) not applicable; receivers n2 (2), n3 (4), n4 (8) in the same category
    # even: 6/3 = +2 each -> 4, 6, 10; n2 done 4 + n3 0.5 x 6 = 3 + n4 10 + n5 (other category) 5 = 22
    ("normalise_even", (4, 6, 10), 22),
    # proportional: 6 x 2/14 = 6/7, 6 x 4/14 = 12/7, 6 x 8/14 = 24/7 -> 20/7, 40/7, 80/7;
    # 20/7 + 0.5 x 40/7 + 80/7 + 5 = 120/7 + 35/7 = 155/7
    ("normalise_proportional", (F(20, 7), F(40, 7), F(80, 7)), F(155, 7)),
    # even_by_group: groups 甲组 [n2] and 乙组 [n3, n4]: 3 each group -> n2 +3, n3 +1.5, n4 +1.5 -> 5, 5.5, 9.5;
    # 5 + 2.75 + 9.5 + 5 = 22.25
    ("normalise_by_group", (5, F(11, 2), F(19, 2)), F(89, 4)),
])
def test_not_applicable_weight_moves_by_policy(case, weights, total):
    na = _scored(case)["na"]
    assert tuple(na.leaf(i).effective_weight for i in ("t.n2", "t.n3", "t.n4")) == weights
    assert na.leaf("t.n1").effective_weight == 0 and not na.leaf("t.n1").applicable
    # the other category keeps its weight, and the category keeps its nominal total 6 + 2 + 4 + 8 = 20
    assert na.leaf("t.n5").effective_weight == 5
    assert na.category("main").weight == 20
    assert na.total == total
    # the move is recorded on the source leaf
    move = next(a for a in na.leaf("t.n1").audit if a.role == "normalisation")
    assert move.detail["moved"] == "6" and set(move.detail["to"]) == {"t.n2", "t.n3", "t.n4"}


@pytest.mark.parametrize("case", ["normalise_even", "normalise_proportional", "normalise_by_group"])
def test_applicable_unit_keeps_nominal_weights(case):
    app = _scored(case)["app"]
    # n1 6 + n2 2 + n3 0 + n4 8 + n5 0 (missing) = 16 whatever the policy
    assert app.total == 16
    assert [app.leaf(i).effective_weight for i in ("t.n1", "t.n2", "t.n3", "t.n4")] == [6, 2, 4, 8]


# --- appeal adjustments -------------------------------------------------------------------------

@pytest.mark.parametrize("case, expected", [
    ("normalise_even", F(7, 2)),            # effective weight 4: set_to 3.5 stands
    ("normalise_proportional", F(20, 7)),   # effective weight 20/7 = 2.857..: set_to 3.5 clamped to 20/7
    ("normalise_by_group", F(7, 2)),        # effective weight 5: 3.5 stands (the nominal 2 would have clamped it)
])
def test_set_to_is_clamped_to_the_effective_weight(case, expected):
    adj = _scored(case)["adj"]
    leaf = adj.leaf("t.n2")
    assert leaf.computed == 0 and leaf.score == expected
    assert leaf.adjustments[0].applied == expected and leaf.adjustments[0].requested == "set_to 3.5"
    assert adj.total == expected


def test_appeal_points_and_set_to_clamped_to_zero_and_the_weight():
    appeal = _scored("award")["appeal"]
    rows = {lf.id: (lf.computed, lf.score, [a.applied for a in lf.adjustments]) for lf in appeal.indicators}
    # judged 20/3 + 5 = 35/3 -> clamped to 10, applied 10/3
    assert rows["t.judged"] == (F(20, 3), 10, [F(10, 3)])
    # checklist 4, set_to 7 -> clamped to the weight 6, applied 2
    assert rows["t.checklist"] == (4, 6, [2])
    # ratio 8/5, set_to 1/2, applied 1/2 - 8/5 = -11/10
    assert rows["t.ratio_const"] == (F(8, 5), F(1, 2), [F(-11, 10)])
    # ordinal 5/4 - 2 -> clamped to 0, applied -5/4
    assert rows["t.ordinal"] == (F(5, 4), 0, [F(-5, 4)])
    # no adjustment: 1
    assert rows["t.ratio_obs"] == (1, 1, [])
    # 10 + 6 + 1/2 + 1 + 0 = 17.5
    assert appeal.total == F(35, 2)
    rec = appeal.leaf("t.judged").adjustments[0]
    assert (rec.reason, rec.decided_by, rec.decided_on) == ("复核补分", "区政务公开办", "2024-01-15")
    assert rec.location.endswith("award/evidence/units.yaml:31")


# --- normalise_shares (rulesets/shares) ---------------------------------------------------------

def test_normalise_shares_scales_criteria_to_100_percent():
    res = _scored("shares")
    # shares 30% + 30% = 60% -> scale 1/0.6 = 5/3
    # s1: (30% + 30%) x 5/3 x 6 = 6 (full marks); without normalise_shares 60% x 6 = 3.6 at most
    assert res["s1"].leaf("t.shares").score == 6
    assert res["s1"].leaf("t.noshares").score == F(18, 5)
    assert res["s1"].leaf("t.noshares").max_attainable == F(18, 5)
    # s2 (a only): 30% x 5/3 x 6 = 3; 30% x 6 = 1.8
    assert res["s2"].leaf("t.shares").score == 3
    assert res["s2"].leaf("t.noshares").score == F(9, 5)
    # totals 6 + 3.6 = 9.6 and 3 + 1.8 = 4.8
    assert (res["s1"].total, res["s2"].total) == (F(48, 5), F(24, 5))


# --- what a run caches --------------------------------------------------------------------------

def test_reasons_follow_the_language_in_force_on_a_warm_rule_set():
    # the compiled rule set keeps worded constants of aggregation (per set of non-applicable leaves):
    # scoring again in another language must not reuse the first language's reasons
    from govscore.core import i18n
    from plugins_for_tests.cases import result_key

    before = i18n.current_language()
    try:
        i18n.set_language("zh_CN")
        zh = _scored("award")
        i18n.set_language("en")
        en = _scored("award")
    finally:
        i18n.set_language(before)
    assert [result_key(r) for r in zh.values()] == [result_key(r) for r in en.values()]
    assert zh["full"].leaf("t.judged").reason == "满分" and en["full"].leaf("t.judged").reason == "full marks"
    assert zh["full"].leaf("t.judged").audit[0].reason == "得 5 分（满分 5）"
    assert en["full"].leaf("t.judged").audit[0].reason == "earned 5 of 5"


def test_units_share_no_mutable_result_objects():
    # constants are shared from unit to unit (Fractions, texts, and an audit line that is the same line in
    # both: records are immutable, their dicts read-only); results, leaves, categories and their lists are
    # each unit's own
    res = _scored("award")
    a, b = res["full"], res["part"]
    for la, lb in zip(a.indicators, b.indicators):
        assert la is not lb and la.audit is not lb.audit and la.missing is not lb.missing
    assert all(ca is not cb and ca.leaves is not cb.leaves for ca, cb in zip(a.categories, b.categories))


def test_the_same_line_in_two_units_is_one_record_and_a_line_a_unit_adds_to_is_its_own():
    from govscore.core.i18n import _

    res = _scored("award")
    full, appeal, part, none = (res[u].leaf("t.judged").audit for u in ("full", "appeal", "part", "none"))
    # t.judged "first" (50% of 10): a = true in full and in appeal -> the same line, 5 points of 5
    assert full[0] is appeal[0]
    assert (full[0].role, full[0].points, full[0].observations) == ("award", 5, {"a": True})
    assert full[0].reason == _("earned {points} of {full}", points="5", full="5")
    # part's a = true carries its provenance: a line of its own, with it
    assert part[0] is not full[0] and part[0].points == 5 and part[0].provenance["a"]["note"] == "首页可见"
    # none: a = false -> nothing met (0 points) on "first"; b not recorded -> "second" says so
    assert (none[0].role, none[0].points, none[0].observations) == ("not_met", 0, {"a": False})
    assert (none[1].role, none[1].points) == ("missing", 0)
    # scoring again (every line now known) gives the same results
    again = _scored("award")
    assert [cases.result_key(r) for r in again.values()] == [cases.result_key(r) for r in res.values()]


def test_a_band_line_is_shared_by_the_units_with_the_same_value_and_band():
    # t.bands_first reads one observation (days): its line is one record for the same days and band hit
    first, again = _scored("bands"), _scored("bands")

    def line(res, unit):
        return res[unit].leaf("t.bands_first").audit[0]

    assert line(first, "b1") is line(again, "b1")
    b3, b7 = line(first, "b3"), line(first, "b7")   # days 5 and 3: both in (2..5]
    assert b3 is not b7 and (b3.observations, b7.observations) == ({"days": 5}, {"days": 3})
    assert b3.detail == b7.detail and b3.points == b7.points == 5   # (2..5]: 50% of 10
    assert [cases.result_key(r) for r in again.values()] == [cases.result_key(r) for r in first.values()]


def _plain_types_run(tmp_path, criteria: str, units: list[dict], order: list[str]):
    """Score `units` (evidence of the p.plain indicator, whose criteria are the YAML lines `criteria`) in
    the given order of unit ids, with no shared lines to start from; results by unit id, and failures'
    messages by unit id."""
    import json

    from govscore.core.aggregate import forget_lines
    from govscore.core.evidence import load_evidence
    from govscore.core.plugins import load
    from govscore.core.runner import RunOptions, prepare, score_units
    from plugins_for_tests import plain_types

    (tmp_path / "ruleset.yaml").write_text("name: plain\nrun:\n  period: {start: 2023-01-01, end: 2023-12-31}\n", encoding="utf-8")
    (tmp_path / "rules.yaml").write_text("""category: {id: base, name: 基础, kind: base}
indicators:
  - id: p.plain
    name: 普通类型
    weight: 10
    criteria:
""" + criteria, encoding="utf-8")
    compiled = prepare(RunOptions(rules=str(tmp_path)), load(extra=[("plain-types", plain_types)]))
    (tmp_path / "units.json").write_text(json.dumps(units), encoding="utf-8")
    by_id = {ev.unit_id: ev for ev in load_evidence([tmp_path / "units.json"], compiled).units}
    forget_lines(compiled)
    results, failures = score_units(compiled, [by_id[u] for u in order], "durable")
    return {r.unit_id: r for r in results}, {f.unit_id: f.messages() for f in failures}


def test_equal_values_written_apart_get_lines_of_their_own(tmp_path):
    # -0.0 == 0.0 and Decimal("0.50") == Decimal("0.5"), but a report writes them apart: a unit's line must
    # show its own value whichever unit was scored before it
    import json

    units = [{"unit": {"id": "first", "name": "甲"}, "observations": {"p.plain": {"f": 0.0, "dec": "0.5"}}},
             {"unit": {"id": "target", "name": "乙"}, "observations": {"p.plain": {"f": -0.0, "dec": "0.50"}}}]
    criteria = ("      - {id: f, observation: f, share: 50%}\n"
                "      - {id: dec, observation: dec, share: 50%}\n")
    alone, _ = _plain_types_run(tmp_path, criteria, units, ["target"])
    after, _ = _plain_types_run(tmp_path, criteria, units, ["first", "target"])
    written = [json.dumps(a.to_dict()["observations"]) for a in after["target"].leaf("p.plain").audit]
    assert written == ['{"f": -0.0}', '{"dec": "0.50"}']
    assert written == [json.dumps(a.to_dict()["observations"]) for a in alone["target"].leaf("p.plain").audit]
    # f = -0.0: nothing met; dec: no rule reads a Decimal (facts hold numbers as codes; a Decimal has none)
    assert [(a.role, a.points) for a in after["target"].leaf("p.plain").audit] == [("not_met", 0), ("not_met", 0)]


def test_a_float_level_is_scored_alike_alone_and_after_an_integer_level(tmp_path):
    # the table of shared fractions is keyed by (level, max): (2.0, 4) equals (2, 4) as a key, but a float
    # level is read by Fraction as before (which refuses it: that unit's error), whether or not an integer
    # level 2 came first
    units = [{"unit": {"id": "int", "name": "甲"}, "observations": {"p.plain": {"whole_level": 2}}},
             {"unit": {"id": "float", "name": "乙"}, "observations": {"p.plain": {"level": 2.0}}}]
    criteria = ("      - {id: whole, kind: ordinal, observation: whole_level, max: 4, share: 50%}\n"
                "      - {id: level, kind: ordinal, observation: level, max: 4, share: 50%}\n")
    alone = _plain_types_run(tmp_path, criteria, units, ["float"])
    after = _plain_types_run(tmp_path, criteria, units, ["int", "float"])
    assert after[0]["int"].total == F(5, 2)  # 2 of 4 x 50% of 10
    assert ({u: r.total for u, r in alone[0].items()}, alone[1]) == ({u: r.total for u, r in after[0].items() if u == "float"},
                                                                    {u: m for u, m in after[1].items() if u == "float"})


def test_shared_fractions_and_is_one():
    from govscore.core.numbers import ONE, fraction, is_one

    assert fraction(6, 6) is ONE and fraction(3, 3) is ONE            # a full checklist (6 of 6) is the shared 1
    assert fraction(2, 4) == F(1, 2) and fraction(2, 4) is fraction(2, 4)
    assert fraction(-1, 3) == F(-1, 3)
    with pytest.raises(ZeroDivisionError):
        fraction(1, 0)
    assert is_one(F(4, 4)) and not is_one(F(2, 3)) and not is_one(F(0)) and is_one(1) and is_one(1.0) and not is_one(0.5)


def test_an_outcome_in_another_order_scores_the_same():
    # an engine gives the fired (rule, fact) pairs in the order it finds them: sorted, or with every
    # rule's pairs split apart, the result is the same
    from govscore.core.aggregate import score_unit
    from govscore.core.engine.base import EngineOutcome, make_engine
    from govscore.core.facts import build_facts, parse_unit, run_derivations

    compiled = cases.compiled("lists")
    ev = next(u for u in cases.units("lists") if u.unit_id == "l1")
    work = parse_unit(ev, compiled)
    run_derivations(work, compiled)
    uf = build_facts(work, compiled, "unsorted-1")
    outcome = make_engine("reference").evaluate(compiled, uf).normalised()
    interleaved = outcome.fired[1::2] + outcome.fired[0::2]   # every rule's pairs split apart
    assert sorted(interleaved) == outcome.fired and interleaved != outcome.fired
    sorted_total = score_unit(compiled, uf, outcome).total
    assert score_unit(compiled, uf, EngineOutcome(interleaved, outcome.unmatched)).total == sorted_total
    # l1 (tests/rulesets/lists, test_core_rule_kinds): t.msgs days 0, 2, 5 -> mean 25% x 6 = 3/2, min 0;
    # t.checks ok, ok, not ok -> all 0, mean 2/3 x 1/3 x 9 = 2, min 0; total 3/2 + 2 = 7/2
    assert sorted_total == F(7, 2)


def test_audit_records_are_immutable_and_have_dicts_of_their_own():
    import pickle

    from govscore.core.result import AuditRecord

    first, second = AuditRecord("cap", "cap", "cap"), AuditRecord("cap", "cap", "cap")
    assert first.observations == first.provenance == first.detail == {}
    assert first.detail is not second.detail and first.observations is not second.observations
    with pytest.raises(AttributeError):
        first.reason = "changed"   # a named tuple: a changed copy is _replace
    changed = first._replace(reason="改")
    assert changed.reason == "改" and first.reason == "" and changed.rule == "cap"
    back = pickle.loads(pickle.dumps(AuditRecord("r#1", "e", "award", None, F(5, 2), F(1, 2), {"a": True}, detail={"k": 1})))
    assert back == AuditRecord("r#1", "e", "award", None, F(5, 2), F(1, 2), {"a": True}, {}, {"k": 1})
    assert back.to_dict()["points"] == {"value": 2.5, "exact": "2.5"} and back.to_dict()["detail"] == {"k": 1}


def test_an_outcome_in_any_order_with_deductions_and_vetoes_scores_the_same():
    # score_unit sorts the fired (rule, fact) pairs itself: an outcome in reverse order (a third-party
    # engine) gives the same result, line for line, for deductions and vetoes as for criteria
    from govscore.core.aggregate import score_unit
    from govscore.core.engine.base import EngineOutcome, make_engine
    from govscore.core.facts import build_facts, parse_unit, run_derivations
    from govscore.core.reports.json_report import unit_dict

    compiled = cases.compiled("deduct_veto")
    for ev in cases.units("deduct_veto"):
        work = parse_unit(ev, compiled)
        run_derivations(work, compiled)
        uf = build_facts(work, compiled, f"reversed-{ev.unit_id}")
        outcome = make_engine("reference").evaluate(compiled, uf)
        reversed_outcome = EngineOutcome(outcome.fired[::-1], outcome.unmatched)
        assert reversed_outcome.fired != outcome.fired or len(outcome.fired) < 2
        expected, got = score_unit(compiled, uf, outcome), score_unit(compiled, uf, reversed_outcome)
        assert unit_dict(got, compiled) == unit_dict(expected, compiled)
        if ev.unit_id == "d2":
            leaf = got.leaf("t.deduct")
            # done: 100% x 5 = 5; errors: 7 x (20% x 5 = 1) = 7 deducted; 5 - 7 clamped at 0
            assert [(a.role, a.points) for a in leaf.audit] == [("award", 5), ("deduct", -7)]
            assert leaf.score == 0
            # criterion c2 vetoed by bad: only c1 earns, 50% x 4 = 2
            assert got.leaf("t.veto").score == 2
