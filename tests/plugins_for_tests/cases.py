"""The shared test cases: each small rule set of tests/rulesets with the units scored against it.

Every test module that scores a rule set goes through :func:`score`, and the differential test
(tests/test_engine_differential.py) runs every case listed in :data:`CASES` through both engines.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from govscore.core.compile import CompiledRuleSet
from govscore.core.evidence import UnitEvidence, load_evidence
from govscore.core.plugins import Registry, load
from govscore.core.result import UnitFailure, UnitResult
from govscore.core.runner import RunOptions, prepare, score_units

from . import indicators

RULESETS = indicators.RULESETS
PLUGIN_NAME = "govscore-tests"

# case name -> (rule-set folder, evidence folder), both under tests/rulesets
CASES: dict[str, tuple[str, str]] = {
    "award": ("award", "award/evidence"),
    "bands": ("bands", "bands/evidence"),
    "bands_child": ("bands_child", "bands/evidence"),
    "lists": ("lists", "lists/evidence"),
    "deduct_veto": ("deduct_veto", "deduct_veto/evidence"),
    "caps": ("caps", "caps/evidence"),
    "rounding": ("rounding", "rounding/evidence"),
    "normalise_even": ("normalise_even", "normalise_even/evidence"),
    "normalise_proportional": ("normalise_proportional", "normalise_even/evidence"),
    "normalise_by_group": ("normalise_by_group", "normalise_even/evidence"),
    "shares": ("shares", "shares/evidence"),
}

# extra cases registered by other test modules (name -> (compiled, units)), e.g. a test plugin's rule set
EXTRA_CASES: dict = {}


@lru_cache(maxsize=None)
def registry() -> Registry:
    """The built-in plugins plus the test plugin of :mod:`plugins_for_tests.indicators`."""
    return load(extra=[(PLUGIN_NAME, indicators)])


@lru_cache(maxsize=None)
def compiled(case: str) -> CompiledRuleSet:
    folder, _ev = CASES[case]
    return prepare(RunOptions(rules=str(RULESETS / folder)), registry())


def units(case: str) -> list[UnitEvidence]:
    _folder, ev = CASES[case]
    loaded = load_evidence([RULESETS / ev], compiled(case))
    assert not loaded.errors, [e.render() for e in loaded.errors]
    return loaded.units


def score(case: str, engine: str = "durable") -> tuple[dict[str, UnitResult], list[UnitFailure]]:
    """Score a case's units; results by unit id, and the failures."""
    results, failures = score_units(compiled(case), units(case), engine)
    return {r.unit_id: r for r in results}, failures


def leaf_scores(result: UnitResult) -> dict[str, object]:
    return {lf.id: lf.score for lf in result.indicators}


_ = Path
