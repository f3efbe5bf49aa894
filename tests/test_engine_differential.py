"""Differential test: the durable and reference engines fire the same rules (EngineOutcome) and give
identical UnitResults (totals, categories, leaves, audit) on every shared test case.

The cases are those of tests/plugins_for_tests/cases.py; tests that build their own rule set with a
plugin defined inside the test (test_core_plugins, test_engine_durable) run the same check on it.
"""

from __future__ import annotations

import pytest

from govscore.core.engine.base import EngineOutcome, make_engine
from plugins_for_tests import cases


@pytest.mark.parametrize("case", sorted(cases.CASES))
def test_durable_and_reference_agree(case):
    fired = cases.assert_engines_agree(cases.compiled(case), cases.units(case))
    # not vacuous: rules did fire on the case's units
    assert fired > 0


def test_outcomes_are_compared_exactly_in_any_order():
    # the comparison would notice one rule more, one unmatched fact less, or a rule on another fact; the
    # order of the pairs is not part of an outcome (engines give them as they find them)
    a = EngineOutcome([(0, "s.0"), (1, "s.1")], ["s.2"])
    assert a == EngineOutcome([(1, "s.1"), (0, "s.0")], ["s.2"])
    assert a == EngineOutcome([(1, "s.1"), (0, "s.0")], ["s.2"]).normalised()
    b = EngineOutcome([(1, "s.1"), (0, "s.0")], ["s.3", "s.2"])
    assert b.normalised() == b and b.normalised().fired == [(0, "s.0"), (1, "s.1")] and b.normalised().unmatched == ["s.2", "s.3"]
    assert a != EngineOutcome([(0, "s.0")], ["s.2"])
    assert a != EngineOutcome([(0, "s.0"), (1, "s.1")], [])
    assert a != EngineOutcome([(0, "s.1"), (1, "s.0")], ["s.2"])
    assert a != [(0, "s.0"), (1, "s.1")]


def test_both_engines_are_available():
    assert make_engine("durable").name == "durable" and make_engine("reference").name == "reference"
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("drools")
