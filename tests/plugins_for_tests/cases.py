"""The shared test cases: each small rule set of tests/rulesets with the units scored against it.

Every test module that scores a rule set goes through :func:`score`, and the differential test
(tests/test_engine_differential.py) runs every case listed in :data:`CASES` through both engines.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from govscore.core.aggregate import score_unit
from govscore.core.compile import CompiledRuleSet
from govscore.core.engine.base import make_engine
from govscore.core.engine.durable import DurableEngine
from govscore.core.errors import GovscoreError
from govscore.core.evidence import UnitEvidence, load_evidence
from govscore.core.facts import build_facts, parse_unit, run_derivations
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


def result_key(r: UnitResult) -> tuple:
    """What both engines must agree on: totals, categories, and every leaf's weight, score and audit."""
    return (r.unit_id, r.total, r.base, r.bonus, r.deductions, r.floor_adjustment, r.missing_count,
            r.unmatched_facts, tuple(sorted(r.display.items())),
            tuple((c.id, c.weight, c.uncapped, c.score, c.display) for c in r.categories),
            tuple((lf.id, lf.effective_weight, lf.computed, lf.score, lf.display, lf.vetoed, tuple(lf.missing),
                   tuple((a.rule, a.entry, a.role, a.points) for a in lf.audit)) for lf in r.indicators))


_diff_sids = itertools.count(1)
_ASSERTING: DurableEngine | None = None  # a durable engine without the memo, made on first use


def assert_engines_agree(compiled_rs: CompiledRuleSet, unit_list: list[UnitEvidence]) -> int:
    """The durable and reference engines fire the same rules and give the same results on every unit.

    Returns:
        The number of (rule, fact) pairs fired over all units (so a caller can check it is not vacuous).
    """
    durable, reference = make_engine("durable"), make_engine("reference")
    fired = 0
    global _ASSERTING
    if _ASSERTING is None:
        _ASSERTING = DurableEngine(memo=False)
    for ev in unit_list:
        try:
            work = parse_unit(ev, compiled_rs)
            run_derivations(work, compiled_rs)
            uf = build_facts(work, compiled_rs, f"diff-{next(_diff_sids)}")
        except GovscoreError:
            continue  # bad evidence fails before any engine runs; compared below through score_units
        out_d, out_r = durable.evaluate(compiled_rs, uf), reference.evaluate(compiled_rs, uf)
        assert out_d == out_r, ev.unit_id
        # each pair once (compared as sets above; a pair twice would count a deduction twice)
        assert len(set(out_d.fired)) == len(out_d.fired), ev.unit_id
        # durable itself on every part (the shared engine answers repeated parts from its memo)
        assert _ASSERTING.evaluate(compiled_rs, uf) == out_r, ev.unit_id
        fired += len(out_d.fired)
        try:
            res_d = result_key(score_unit(compiled_rs, uf, out_d))
        except Exception as exc:  # a plugin's credit function failing: both engines must fail alike
            res_d = ("error", type(exc).__name__, str(exc))
        try:
            res_r = result_key(score_unit(compiled_rs, uf, out_r))
        except Exception as exc:
            res_r = ("error", type(exc).__name__, str(exc))
        assert res_d == res_r, ev.unit_id
    # the whole pipeline too (sids differ between the runs; results must not)
    res_d, fail_d = score_units(compiled_rs, unit_list, "durable")
    res_r, fail_r = score_units(compiled_rs, unit_list, "reference")
    assert [result_key(r) for r in res_d] == [result_key(r) for r in res_r]
    assert [(f.unit_id, f.messages()) for f in fail_d] == [(f.unit_id, f.messages()) for f in fail_r]
    return fired

