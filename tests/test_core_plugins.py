"""Plugins: one defined inside a test scores; duplicates are refused naming both plugins; a third-party
entry-point plugin that fails to import is reported, blocks scoring, and can be disabled."""

from __future__ import annotations

import sys
from fractions import Fraction as F
from pathlib import Path
from typing import Optional

import pytest

from govscore.core.conditions import bound_code, cmp
from govscore.core.errors import ExitCode, PluginError
from govscore.core.evidence import load_evidence
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Count, Item, Judgement, Observations
from govscore.core.plugins import load
from govscore.core.rulekinds import Draft, Params, RuleKind
from govscore.core.ruleset.models import Number, Share
from govscore.core.runner import RunOptions, prepare, run
from plugins_for_tests import cases, indicators

CUSTOM = cases.RULESETS / "custom_kind"


class CustomEvidence(Observations):
    visits: Count = None
    ok: Judgement = None


class AtLeastParams(Params):
    observation: str
    min: Number
    share: Share


class CustomPlugin:
    """Defined inside the test: the indicator x.custom and the rule kind at_least."""

    @hookimpl
    def register_indicators(self, register):
        register(IndicatorSpec(id="x.custom", evidence=CustomEvidence, rule_kinds=("at_least", "judged")))

    @hookimpl
    def register_rule_kinds(self, register):
        register(RuleKind(
            "at_least", "award", "The full share when the observation is at least min.", AtLeastParams,
            lambda p, ctx: [Draft(cmp(p.observation, "gte", bound_code(p.min)), p.share)],
            lambda p, extra, values: F(1), lambda p: [(None, p.observation)], lambda p: p.share))


def test_a_plugin_defined_in_a_test_registers_an_indicator_and_a_rule_kind_and_scores():
    registry = load(extra=[("custom-plugin", CustomPlugin())])
    assert registry.indicators["x.custom"].plugin == "custom-plugin"
    assert registry.rule_kinds["at_least"].plugin == "custom-plugin"
    assert registry.rule_kinds["judged"].plugin == "core.builtin"
    result = run([CUSTOM / "evidence"], RunOptions(rules=str(CUSTOM)), registry=registry)
    assert result.failures == []
    # p1: visits 100 >= 100 -> 60% x 10 = 6, ok true 40% x 10 = 4 -> 10
    # p2: visits 99 < 100 -> 0, ok 0.5 x 40% x 10 = 2 -> 2
    # p3: visits 250 -> 6, ok absent -> 0 (missing) -> 6
    assert [(r.unit_id, r.total, r.rank) for r in result.units] == [("p1", 10, 1), ("p3", 6, 2), ("p2", 2, 3)]
    assert result.units[1].leaf("x.custom").missing == ["ok"]
    compiled = prepare(RunOptions(rules=str(CUSTOM)), registry)
    # fired: p1 enough + some, p2 some, p3 enough = 4
    assert cases.assert_engines_agree(compiled, load_evidence([CUSTOM / "evidence"], compiled).units) == 4


def test_an_indicator_refuses_kinds_its_plugin_does_not_allow(tmp_path: Path):
    class Narrow:
        @hookimpl
        def register_indicators(self, register):
            register(IndicatorSpec(id="x.custom", evidence=CustomEvidence, rule_kinds=("judged",)))

        @hookimpl
        def register_rule_kinds(self, register):
            CustomPlugin.register_rule_kinds(self, register)

    with pytest.raises(Exception) as info:
        prepare(RunOptions(rules=str(CUSTOM)), load(extra=[("narrow", Narrow())]))
    assert "does not take rules of kind at_least" in info.value.render()
    assert f"{CUSTOM / 'custom.yaml'}:8" in info.value.render()


class _Dup:
    def __init__(self, ind: str) -> None:
        self.ind = ind

    @hookimpl
    def register_indicators(self, register):
        register(IndicatorSpec(id=self.ind, evidence=CustomEvidence))


def test_a_duplicate_registration_names_both_plugins():
    with pytest.raises(PluginError) as info:
        load(extra=[("first-plugin", _Dup("x.dup")), ("second-plugin", _Dup("x.dup"))])
    assert info.value.render() == "indicator x.dup is registered twice: by first-plugin and by second-plugin"
    assert info.value.exit_code == ExitCode.USAGE == 2
    with pytest.raises(PluginError, match="indicator t.judged is registered twice: by govscore-tests and by again"):
        load(extra=[(cases.PLUGIN_NAME, indicators), ("again", _Dup("t.judged"))])


def test_a_duplicate_rule_kind_names_the_builtin_plugin():
    class Judged:
        @hookimpl
        def register_rule_kinds(self, register):
            from govscore.core.rulekinds import JUDGED
            register(JUDGED)

    with pytest.raises(PluginError, match="rule kind judged is registered twice: by core.builtin and by my-judged"):
        load(extra=[("my-judged", Judged())])


def test_a_plugin_implementing_an_unknown_hook_is_refused():
    class Typo:
        @hookimpl
        def register_indicator(self, register):   # singular: not a govscore hook
            pass

    with pytest.raises(PluginError, match="register_indicator"):
        load(extra=[("typo", Typo())])


# --- third-party plugins through entry points ---------------------------------------------------

GOOD_MODULE = '''
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Judgement, Observations


class Evidence(Observations):
    done: Judgement = None


@hookimpl
def register_indicators(register):
    register(IndicatorSpec(id="x.thirdparty", evidence=Evidence))
'''


def _dist(root: Path, dist: str, ep_name: str, module: str, source: str) -> None:
    info = root / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[govscore.plugins]\n{ep_name} = {module}\n", encoding="utf-8")
    (root / f"{module}.py").write_text(source, encoding="utf-8")


@pytest.fixture
def third_party(tmp_path: Path, monkeypatch):
    """Two installed third-party plugins: gs_good (fine) and gs_broken (raises ImportError on import)."""
    _dist(tmp_path, "gs_good_plugin", "gs_good", "gs_good_mod", GOOD_MODULE)
    _dist(tmp_path, "gs_broken_plugin", "gs_broken", "gs_broken_mod", 'raise ImportError("needs libfoo")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("GOVSCORE_DISABLE_PLUGINS", raising=False)
    yield tmp_path
    for mod in ("gs_good_mod", "gs_broken_mod"):
        sys.modules.pop(mod, None)


def test_a_third_party_plugin_that_fails_to_import_is_reported(third_party):
    registry = load(extra=[(cases.PLUGIN_NAME, indicators)])
    failed = registry.failed
    assert [(p.name, p.distribution, p.error) for p in failed] == [("gs_broken", "gs_broken_plugin", "ImportError: needs libfoo")]
    # load() still returns everything else: the other third-party plugin, the built-ins, the test plugin
    assert registry.indicators["x.thirdparty"].plugin == "gs_good"
    assert "judged" in registry.rule_kinds and "t.judged" in registry.indicators
    good = next(p for p in registry.plugins if p.name == "gs_good")
    assert (good.distribution, good.version, good.builtin, good.error) == ("gs_good_plugin", "1.0", False, None)
    # scoring refuses to run (exit 2), naming the plugin and the reason
    with pytest.raises(PluginError) as info:
        registry.require_healthy()
    assert info.value.exit_code == ExitCode.USAGE == 2
    assert "plugin gs_broken failed to load: ImportError: needs libfoo" in info.value.render()
    assert "GOVSCORE_DISABLE_PLUGINS=gs_broken" in info.value.render()
    with pytest.raises(PluginError):
        run([cases.RULESETS / "award" / "evidence"], RunOptions(rules=str(cases.RULESETS / "award")), registry=registry)


def test_govscore_disable_plugins_skips_it(third_party, monkeypatch):
    monkeypatch.setenv("GOVSCORE_DISABLE_PLUGINS", "gs_broken")
    registry = load(extra=[(cases.PLUGIN_NAME, indicators)])
    assert registry.failed == [] and "gs_broken" not in [p.name for p in registry.plugins]
    assert "x.thirdparty" in registry.indicators
    registry.require_healthy()
    result = run([cases.RULESETS / "award" / "evidence"], RunOptions(rules=str(cases.RULESETS / "award")), registry=registry)
    # full 29, appeal 17.5, part 871/60, none 0 (ranked)
    assert [r.total for r in result.units] == [29, F(35, 2), F(871, 60), 0]
    # several names, spaces allowed; built-ins always load
    monkeypatch.setenv("GOVSCORE_DISABLE_PLUGINS", "gs_good, gs_broken, core.builtin")
    registry = load()
    assert "x.thirdparty" not in registry.indicators and "judged" in registry.rule_kinds



class _Call(Item):
    late: Count = None


class _CallsEvidence(Observations):
    ok: Judgement = None
    calls: Optional[list] = None


class _LateParams(Params):
    list: str
    field: str
    rate: Share


class PerItemDeduction:
    """Defined inside the test: a deduction kind over a list's items (one occurrence per day late)."""

    @hookimpl
    def register_indicators(self, register):
        register(IndicatorSpec(id="x.calls", evidence=_CallsEvidence, lists={"calls": _Call}))

    @hookimpl
    def register_rule_kinds(self, register):
        register(RuleKind(
            "late_items", "deduct", "Each day an item is late deducts the rate.", _LateParams,
            lambda p, ctx: [Draft(cmp(p.field, "gt", bound_code(0)), p.rate, target=p.list)],
            lambda p, extra, values: values.get(p.field), lambda p: [(p.list, p.field)]))


def test_deductions_over_a_list_are_listed_in_the_order_of_its_items(tmp_path: Path):
    # fact ids sort as text ("u.10" before "u.2"): the audit lines follow the evidence's order of the items
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ruleset.yaml").write_text(
        "name: per-item\nrun:\n  period: {start: 2023-01-01, end: 2023-12-31}\n", encoding="utf-8")
    (tmp_path / "rules" / "calls.yaml").write_text(
        "category: {id: base, name: 基础, kind: base}\n"
        "indicators:\n"
        "  - id: x.calls\n    name: 来电\n    weight: 100\n"
        "    criteria:\n      - {id: ok, observation: ok, share: 100%}\n"
        "    deductions:\n      - {id: late, kind: late_items, list: calls, field: late, rate: 1%}\n", encoding="utf-8")
    (tmp_path / "units.yaml").write_text(
        "- unit: {id: u1, name: 甲}\n  observations:\n    x.calls:\n      ok: true\n      calls: ["
        + ", ".join(f"{{late: {n}}}" for n in range(1, 13)) + "]\n", encoding="utf-8")
    registry = load(extra=[("per-item", PerItemDeduction())])
    for engine in ("durable", "reference"):
        result = run([tmp_path / "units.yaml"], RunOptions(rules=str(tmp_path / "rules"), engine=engine), registry=registry)
        assert result.failures == []
        leaf = result.units[0].leaf("x.calls")
        deducted = [(a.detail["occurrences"], a.points) for a in leaf.audit if a.role == "deduct"]
        # item n is n days late: n x (1% x 100 = 1) = n points, in the items' order 1..12
        assert deducted == [(n, -n) for n in range(1, 13)]
        # ok: 100 points; late: 1 + 2 + ... + 12 = 78 deducted -> 100 - 78 = 22
        assert leaf.score == 22
