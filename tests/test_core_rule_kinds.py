"""Every built-in rule kind, scored through durable_rules on the small rule sets of tests/rulesets.

Each expected value is computed by hand from the rule files (the arithmetic is in the comment); the
units live in tests/rulesets/<set>/evidence/units.yaml.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from plugins_for_tests import cases


@pytest.fixture(scope="module")
def award():
    results, failures = cases.score("award")
    assert failures == []
    return results


@pytest.fixture(scope="module")
def bands():
    results, failures = cases.score("bands")
    assert failures == []
    return results


@pytest.fixture(scope="module")
def lists():
    results, failures = cases.score("lists")
    assert failures == []
    return results


@pytest.fixture(scope="module")
def deduct_veto():
    results, failures = cases.score("deduct_veto")
    assert failures == []
    return results


# --- judged, checklist, ratio, ordinal (rulesets/award) -----------------------------------------

def test_every_award_kind_at_full_marks(award):
    full = award["full"]
    # judged 10 + checklist 6 + ratio 4 + ratio 4 + ordinal 5 = 29
    assert full.total == 29
    assert cases.leaf_scores(full) == {"t.judged": 10, "t.checklist": 6, "t.ratio_const": 4, "t.ratio_obs": 4, "t.ordinal": 5}


def test_judged_bool_and_fraction(award):
    leaf = award["part"].leaf("t.judged")
    # a = true: 50% x 10 = 5; b = "1/3": 1/3 x 50% x 10 = 5/3; 5 + 5/3 = 20/3
    assert leaf.score == F(20, 3)
    second = next(a for a in leaf.audit if a.entry == "second")
    assert second.points == F(5, 3) and second.detail["credit"] == "1/3"


def test_checklist_credit_is_present_over_listed(award):
    # plan and budget of [plan, report, budget]: 2/3 x 100% x 6 = 4
    assert award["part"].leaf("t.checklist").score == 4


def test_ratio_with_a_fixed_denominator(award):
    # answered 2 of a sample of 5: 2/5 x 4 = 8/5
    assert award["part"].leaf("t.ratio_const").score == F(8, 5)


def test_ratio_with_an_observed_denominator(award):
    # correct 1 of sampled 4: 1/4 x 4 = 1
    assert award["part"].leaf("t.ratio_obs").score == 1


def test_ordinal_level_over_max(award):
    # level 1 of max 4: 1/4 x 5 = 5/4
    assert award["part"].leaf("t.ordinal").score == F(5, 4)


def test_partial_unit_total(award):
    # 20/3 + 4 + 8/5 + 1 + 5/4 = (400 + 240 + 96 + 60 + 75)/60 = 871/60
    assert award["part"].total == F(871, 60)
    # displayed: 871/60 = 14.51666.. -> 14.52
    assert award["part"].display["total"] == F("14.52")


def test_absent_and_zero_observations_earn_nothing_and_absent_ones_are_missing(award):
    none = award["none"]
    # a false, b absent, docs absent, answered 0, correct absent, level 0: every leaf 0
    assert none.total == 0
    assert none.leaf("t.judged").missing == ["b"]
    assert none.leaf("t.checklist").missing == ["docs"]
    assert none.leaf("t.ratio_obs").missing == ["correct"]
    # a zero is recorded, not missing
    assert none.leaf("t.ratio_const").missing == [] and none.leaf("t.ordinal").missing == []
    # b, docs, correct: 3 missing observations
    assert none.missing_count == 3


def test_provenance_travels_into_the_audit_record(award):
    rec = next(a for a in award["part"].leaf("t.judged").audit if a.entry == "first")
    assert rec.provenance["a"] == {"source": "https://example.gov.cn/a", "checked_at": "2023-11-20", "note": "首页可见"}
    assert rec.observations == {"a": 1}
    # the audit record names the rule file and line of the criterion (base.yaml line 7)
    assert rec.file.endswith("award/base.yaml") and rec.line == 7


# --- bands (rulesets/bands) ---------------------------------------------------------------------

@pytest.mark.parametrize("unit, expected", [
    ("b1", 10),   # days 0: "0" is the first band hit (FIRST), though [0..2] holds 0 too -> 100% x 10
    ("b2", 8),    # days 2: [0..2] closed -> 80% x 10
    ("b7", 5),    # days 3: (2..5] -> 50% x 10
    ("b3", 5),    # days 5: (2..5] closed at 5 -> 50% x 10
    ("b4", 3),    # days 7: "<8" after the earlier bands, i.e. (5, 8) -> 30% x 10
    ("b5", 0),    # days 8: no band covers [8, 10) -> 0
    ("b6", 1),    # days 10: ">=10" -> 10% x 10
    ("b8", 1),    # days 12: ">=10" -> 10% x 10
])
def test_bands_first_hit_policy_and_interval_forms(bands, unit, expected):
    assert bands[unit].leaf("t.bands_first").score == expected


@pytest.mark.parametrize("unit, expected", [
    ("b1", 5),    # rate 1/3 (0.3333..) lies in (0.333..0.5), not in [0.2..0.333]: 50% x 10
    ("b2", 2),    # rate 0.333 lies in [0.2..0.333] (closed): 20% x 10
    ("b3", 10),   # rate 1: the exact band "1": 100% x 10
    ("b5", 10),   # rate 2: ">1": 100% x 10
    ("b6", 0),    # rate 0.1: "<0.2" with share 0%: 0
    ("b4", 0),    # rate 0.5 but verified false: require fails, nothing
    ("b7", 0),    # rate 50% but verified absent: nothing, listed as missing
    ("b8", 0),    # rate absent: nothing, listed as missing
])
def test_bands_unique_hit_policy_with_require(bands, unit, expected):
    assert bands[unit].leaf("t.bands_unique").score == expected


def test_bands_missing_inputs_and_band_label_in_audit(bands):
    assert bands["b7"].leaf("t.bands_unique").missing == ["verified"]
    assert bands["b8"].leaf("t.bands_unique").missing == ["rate"]
    rec = next(a for a in bands["b1"].leaf("t.bands_first").audit if a.entry == "delay")
    assert rec.detail["band"] == "当天"


def test_bands_totals(bands):
    # b1 10 + 5; b2 8 + 2; b3 5 + 10; b4 3 + 0; b5 0 + 10; b6 1 + 0; b7 5 + 0; b8 1 + 0
    assert {u: r.total for u, r in bands.items()} == {"b1": 15, "b2": 10, "b3": 15, "b4": 3, "b5": 10, "b6": 1, "b7": 5, "b8": 1}


# --- bands over a list, items (rulesets/lists) --------------------------------------------------

def test_bands_over_a_list_mean_and_min(lists):
    leaf = lists["l1"].leaf("t.msgs")
    # days 0, 2, 5 -> per item 50%, 25%, 0%; mean = 75%/3 = 25% -> 1/4 x 6 = 3/2; min = 0
    assert leaf.score == F(3, 2)
    by_entry = {a.entry: a.points for a in leaf.audit}
    assert by_entry == {"timely_mean": F(3, 2), "timely_min": 0}
    # days 1, 1 -> 50% each: mean 50% x 6 = 3, min 50% x 6 = 3
    assert lists["l2"].leaf("t.msgs").score == 6
    # days 3 -> 25%: mean 1.5 + min 1.5 = 3
    assert lists["l4"].leaf("t.msgs").score == 3


def test_items_all_mean_min(lists):
    # ok, ok, not ok: all -> 0; mean 2/3 x 1/3 x 9 = 2; min -> 0
    leaf = lists["l1"].leaf("t.checks")
    assert {a.entry: a.points for a in leaf.audit} == {"all_ok": 0, "mean_ok": 2, "min_ok": 0}
    assert leaf.score == 2
    # ok, ok: 3 + 3 + 3 = 9
    assert lists["l2"].leaf("t.checks").score == 9
    # not ok: 0
    assert lists["l4"].leaf("t.checks").score == 0


def test_an_empty_list_earns_nothing_and_is_missing(lists):
    l3 = lists["l3"]
    # msgs: [] and checks absent: all([]) would be True in Python; here both earn 0 and are missing
    assert l3.leaf("t.msgs").score == 0 and l3.leaf("t.msgs").missing == ["msgs"]
    assert l3.leaf("t.checks").score == 0 and l3.leaf("t.checks").missing == ["checks"]
    assert l3.total == 0


def test_lists_totals(lists):
    # l1 3/2 + 2; l2 6 + 9; l3 0; l4 3 + 0
    assert {u: r.total for u, r in lists.items()} == {"l1": F(7, 2), "l2": 15, "l3": 0, "l4": 3}


# --- deductions and vetoes (rulesets/deduct_veto) -----------------------------------------------

def test_deduction_in_a_base_leaf(deduct_veto):
    # done (5) - 2 errors x 20% x 5 = 5 - 2 = 3
    leaf = deduct_veto["d1"].leaf("t.deduct")
    assert leaf.score == 3
    rec = next(a for a in leaf.audit if a.role == "deduct")
    assert rec.points == -2 and rec.detail == {"occurrences": 2}


def test_deduction_floors_a_base_leaf_at_zero(deduct_veto):
    # 5 - 7 x 20% x 5 = 5 - 7 = -2 -> 0 (扣完为止)
    assert deduct_veto["d2"].leaf("t.deduct").score == 0
    # done absent, 1 error: 0 - 1 -> 0
    assert deduct_veto["d4"].leaf("t.deduct").score == 0


def test_indicator_veto(deduct_veto):
    # a and b true would give 4, but broken vetoes the indicator: 0
    leaf = deduct_veto["d3"].leaf("t.veto")
    assert leaf.score == 0 and leaf.vetoed
    assert [a.entry for a in leaf.audit if a.role == "veto"] == ["broken"]


def test_criterion_veto(deduct_veto):
    # bad vetoes c2 only: c1 50% x 4 = 2
    leaf = deduct_veto["d2"].leaf("t.veto")
    assert leaf.score == 2 and not leaf.vetoed
    assert {a.entry: a.role for a in leaf.audit} == {"c2_bad": "criterion_veto", "c1": "award", "c2": "criterion_veto"}


def test_stale_veto(deduct_veto):
    # as_of 2023-12-31, 6 months -> stale when updated before 2023-06-30
    assert deduct_veto["d1"].leaf("t.stale").score == 3       # 2023-07-01
    assert deduct_veto["d3"].leaf("t.stale").score == 3       # 2023-06-30 is not stale
    stale = deduct_veto["d2"].leaf("t.stale")                 # 2023-06-29 is
    assert stale.score == 0 and stale.vetoed
    assert next(a for a in stale.audit if a.role == "veto").detail["cutoff"] == "2023-06-30"


def test_a_veto_without_its_input_fires_nothing_and_is_missing(deduct_veto):
    leaf = deduct_veto["d4"].leaf("t.stale")
    assert leaf.score == 3 and not leaf.vetoed and leaf.missing == ["updated_on"]


def test_deduct_veto_totals(deduct_veto):
    # d1 3 + 4 + 3; d2 0 + 2 + 0; d3 2.5 + 0 + 3; d4 0 + 2 (b missing) + 3
    assert {u: r.total for u, r in deduct_veto.items()} == {"d1": 10, "d2": 2, "d3": F(11, 2), "d4": 5}


def test_yes_no_words_come_in_pairs():
    from govscore.core.observations import to_bool

    # each word an evaluator may write has its opposite (对/错, on/off); case and spaces do not matter
    for word, value in (("对", True), ("错", False), ("on", True), (" OFF ", False), ("是", True), ("否", False),
                        ("达标", True), ("未达标", False)):
        assert to_bool(word) is value, word
    with pytest.raises(ValueError):
        to_bool("maybe")


def test_an_empty_value_is_named_as_such_not_as_python_none():
    from govscore.core import i18n
    from govscore.core.observations import to_bool

    saved = list(i18n._current)
    try:
        i18n.set_language("en")
        with pytest.raises(ValueError, match=r"found nothing \(empty\)$"):
            to_bool(None)
        i18n.set_language("zh_CN")
        with pytest.raises(ValueError, match="实际为 空值$"):
            to_bool(None)
    finally:
        i18n._current[:] = saved
