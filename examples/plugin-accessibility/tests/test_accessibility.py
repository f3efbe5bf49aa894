"""Tests of the accessibility plugin, written with govscore's fixtures (govscore.core.testing).

The fixtures govscore_registry, tiny_ruleset and unit_builder come from govscore's pytest plugin (the
pytest11 entry point): no conftest is needed. Expected points are computed by hand in the comments:
a criterion earns share x credit x weight; the weight of 适老化改造 is 5.
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction as F
from pathlib import Path

import pytest

import govscore_accessibility.plugin as plugin
from govscore.core.testing import score, unit_result

ID = "accessibility.elderly"
EVIDENCE = Path(__file__).resolve().parent.parent / "evidence" / "units-2024.yaml"


@pytest.fixture
def registry(govscore_registry):
    # the built-ins plus this plugin, as if installed; entry points stay off, so the test does not
    # depend on whether the package is installed
    return govscore_registry(extra=[("accessibility", plugin)])


@pytest.fixture
def alone(tiny_ruleset):
    """The indicator in a rule set of its own (no 2023 rubric): the rule file of the package, verbatim."""
    text = (plugin.RULES_DIR / plugin.RULESET_NAME / "accessibility.yaml").read_text(encoding="utf-8")
    return tiny_ruleset(text, name="alone", period=("2024-01-01", "2024-12-31"))


def test_the_plugin_registers_its_indicator_and_rule_set(registry):
    assert registry.indicators[ID].plugin == "accessibility"
    assert registry.ruleset_paths()["2024-example"] == plugin.RULES_DIR / "2024-example"


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_criteria_hand_computed(registry, alone, unit_builder, engine):
    units = [
        unit_builder("full").observe(ID, elderly_mode=True, screen_reader=True,
                                     large_font=["enlarge_text", "high_contrast", "layout_kept"]),
        unit_builder("part").observe(ID, elderly_mode="是", screen_reader=0.5,
                                     large_font={"enlarge_text": "是", "high_contrast": "是", "layout_kept": "否"}),
        unit_builder("none").observe(ID, elderly_mode=False, screen_reader=False, large_font=[]),
    ]
    res = score(units, rules=alone, registry=registry, engine=engine)
    # full: (50% + 30% + 20% x 3/3) x 5 = 5
    assert unit_result(res, "full").leaf(ID).score == 5
    # part: 50% x 5 = 2.5; 0.5 x 30% x 5 = 0.75; 2/3 x 20% x 5 = 2/3; 2.5 + 0.75 + 2/3 = 47/12 (3.92 shown)
    leaf = unit_result(res, "part").leaf(ID)
    assert leaf.score == F(47, 12)
    assert {a.entry: a.points for a in leaf.audit if a.role == "award"} == {
        "elderly_mode": F(5, 2), "screen_reader": F(3, 4), "large_font": F(2, 3)}
    # none: every criterion recorded as not met -> 0, nothing missing
    none = unit_result(res, "none").leaf(ID)
    assert none.score == 0 and none.missing == []


def test_unusable_vetoes_the_indicator(registry, alone, unit_builder):
    u = unit_builder("broken").observe(ID, elderly_mode=True, screen_reader=True, large_font=["enlarge_text"], unusable="是")
    leaf = score(u, rules=alone, registry=registry).units[0].leaf(ID)
    # 2.5 + 1.5 + 1/3 would be earned, but the veto sets the indicator to 0
    assert leaf.vetoed and leaf.score == 0


def test_unrecorded_observations_are_missing(registry, alone, unit_builder):
    leaf = score(unit_builder("empty").observe(ID), rules=alone, registry=registry).units[0].leaf(ID)
    assert leaf.score == 0
    assert leaf.missing == ["elderly_mode", "screen_reader", "large_font"]


def test_an_unknown_checklist_item_fails_the_unit(registry, alone, unit_builder):
    res = score(unit_builder("typo").observe(ID, large_font=["enlarge_txt"]), rules=alone, registry=registry,
                allow_failures=True)
    assert not res.units
    assert "enlarge_txt" in res.failures[0].messages()[0]


def test_rule_set_2024_example_extends_2023(registry, unit_builder):
    # depends on govscore's built-in 2023-zengdu rule set on purpose: 2024-example extends it
    u = (unit_builder("u1", "示例局")
         .observe(ID, elderly_mode=True, screen_reader=F(1, 2), large_font=["enlarge_text", "high_contrast"])
         .observe("disclosure.overview", up_to_date=True, consistent=True))
    res = score(u, rules="2024-example", registry=registry)
    r = res.units[0]
    assert res.ruleset.chain == ["2023-zengdu", "2024-example"]
    # the run is the 2024 year of ruleset.yaml
    assert (res.context.period_start, res.context.as_of) == (_dt.date(2024, 1, 1), _dt.date(2024, 12, 31))
    # the new leaf as above: 47/12; a 2023 leaf still scores: 概况信息 (50% + 50%) x 2 = 2
    assert r.leaf(ID).score == F(47, 12)
    assert r.leaf("disclosure.overview").score == 2
    cat = r.category("accessibility")
    assert (cat.name, cat.kind, cat.score) == ("适老化与无障碍", "base", F(47, 12))
    # 100 base points of 2023 + 5 (scoring.base_total: 105)
    assert res.compiled.base_total == 105


def test_the_example_evidence_file(registry):
    from govscore.core.runner import RunOptions, run

    res = run([EVIDENCE], RunOptions(rules="2024-example"), registry=registry)
    assert not res.failures
    got = {u.unit_id: u.leaf(ID).score for u in res.units}
    # acc-full 5; acc-part 47/12 (as above); acc-broken vetoed (unusable) -> 0
    assert got == {"acc-full": 5, "acc-part": F(47, 12), "acc-broken": 0}
