"""govscore.core.testing: the fixtures plugin authors use (loaded through the pytest11 entry point).

The demo indicator below lives only in this file: the fixtures must work without the 2023 plugins,
except in the test that extends 2023-zengdu on purpose.
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction as F
from pathlib import Path

import pytest

from govscore.core.errors import PluginError
from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Checklist, Flag, Judgement, Level, Observations
from govscore.core.testing import UnitBuilder, score, unit_result, write_ruleset


class WidgetEvidence(Observations):
    present: Judgement = None
    level: Level = None
    parts: Checklist = None
    broken: Flag = False


class DemoPlugin:
    """A plugin object (any object with hookimpls will do; a module is the usual one)."""

    @staticmethod
    @hookimpl
    def register_indicators(register):
        register(IndicatorSpec(id="demo.widget", evidence=WidgetEvidence, display_name="部件"))


class DuplicatePlugin:
    @staticmethod
    @hookimpl
    def register_indicators(register):
        register(IndicatorSpec(id="demo.widget", evidence=WidgetEvidence))


WIDGET_RULES = {
    "category": {"id": "demo", "name": "示例", "kind": "base", "order": 1},
    "indicators": [{
        "id": "demo.widget", "name": "部件", "weight": 4,
        "criteria": [
            {"id": "present", "kind": "judged", "observation": "present", "share": "50%"},
            {"id": "level", "kind": "ordinal", "observation": "level", "max": 4, "share": "30%"},
            {"id": "parts", "kind": "checklist", "observation": "parts", "items": ["a", "b"], "share": "20%"},
        ],
        "vetoes": [{"id": "broken", "kind": "flag", "observation": "broken"}],
    }],
}


def test_registry_has_builtins_and_the_extra_plugin(govscore_registry):
    reg = govscore_registry(extra=[("demo", DemoPlugin)])
    assert reg.indicators["demo.widget"].plugin == "demo"
    assert "judged" in reg.rule_kinds and "2023-zengdu" in reg.rulesets
    info = next(p for p in reg.plugins if p.name == "demo")
    assert not info.builtin and info.hooks == ["register_indicators"]
    # each call is a fresh plugin manager: nothing leaks from one registry into the next
    assert "demo.widget" not in govscore_registry().indicators


def test_registry_refuses_a_duplicate_naming_both_plugins(govscore_registry):
    with pytest.raises(PluginError) as exc:
        govscore_registry(extra=[("demo", DemoPlugin), ("copycat", DuplicatePlugin)])
    assert "demo" in str(exc.value) and "copycat" in str(exc.value)


def test_tiny_ruleset_from_a_dict(tiny_ruleset):
    path = tiny_ruleset(WIDGET_RULES)
    assert sorted(p.name for p in path.iterdir()) == ["demo.yaml", "ruleset.yaml"]
    text = (path / "ruleset.yaml").read_text(encoding="utf-8")
    assert "name: tiny" in text and "2023-01-01" in text
    # a second call gets a folder of its own
    assert tiny_ruleset(WIDGET_RULES, name="other") != path


def test_unit_builder_shape(unit_builder):
    b = (unit_builder("u1", "测试局", kind="town")
         .observe("demo.widget", present=True)
         .observe("demo.widget", {"level": 2})
         .item("x.y", "messages", asked_at="2023-09-28 16:00")
         .account("wechat", "曾都测试", kind="service", posts=[_dt.date(2023, 1, 3)])
         .adjust("demo.widget", points=1, reason="复核", decided_by="区政务公开办", decided_on="2024-01-15"))
    doc = b.build()
    assert doc == {
        "unit": {"id": "u1", "name": "测试局", "kind": "town"},
        "accounts": [{"platform": "wechat", "name": "曾都测试", "kind": "service", "filed": True, "posts": [_dt.date(2023, 1, 3)]}],
        "observations": {"demo.widget": {"present": True, "level": 2}, "x.y": {"messages": [{"asked_at": "2023-09-28 16:00"}]}},
        "adjustments": [{"indicator": "demo.widget", "reason": "复核", "decided_by": "区政务公开办", "decided_on": "2024-01-15", "points": 1}],
    }
    doc["observations"]["demo.widget"]["present"] = False
    assert b.build()["observations"]["demo.widget"]["present"] is True  # build() hands out copies
    assert UnitBuilder("u2").build() == {"unit": {"id": "u2", "name": "单位u2", "kind": "department"}, "observations": {}}


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_score_hand_computed(govscore_registry, tiny_ruleset, unit_builder, engine, tmp_path):
    reg = govscore_registry(extra=[("demo", DemoPlugin)])
    rules = tiny_ruleset(WIDGET_RULES)
    full = unit_builder("full", "满分局").observe("demo.widget", present=True, level=4, parts=["a", "b"])
    part = unit_builder("part", "部分局").observe("demo.widget", present=F(1, 2), level=3, parts={"a": True, "b": False})
    vetoed = unit_builder("veto", "否决局").observe("demo.widget", present=True, level=4, parts=["a", "b"], broken="是")
    res = score([full, part, vetoed], rules=rules, registry=reg, engine=engine, workdir=tmp_path)
    assert (tmp_path / "units.yaml").is_file()
    # full: 50% + 30% x 4/4 + 20% x 2/2 = 100% of 4 = 4
    assert unit_result(res, "full").leaf("demo.widget").score == 4
    # part: 1/2 x 50% x 4 = 1; 3/4 x 30% x 4 = 0.9; 1/2 x 20% x 4 = 0.4 -> 2.3
    leaf = unit_result(res, "part").leaf("demo.widget")
    assert leaf.score == F(23, 10)
    assert {a.entry: a.points for a in leaf.audit if a.role == "award"} == {"present": 1, "level": F(9, 10), "parts": F(2, 5)}
    # veto: the indicator scores 0
    assert unit_result(res, "veto").leaf("demo.widget").score == 0 and unit_result(res, "veto").leaf("demo.widget").vetoed
    assert [u.unit_id for u in res.units] == ["full", "part", "veto"]
    assert res.context.period_start == _dt.date(2023, 1, 1)


def test_score_reports_failures(govscore_registry, tiny_ruleset, unit_builder):
    reg = govscore_registry(extra=[("demo", DemoPlugin)])
    rules = tiny_ruleset(WIDGET_RULES)
    bad = unit_builder("bad").observe("demo.widget", presnt=True)
    with pytest.raises(AssertionError, match="presnt"):  # the unknown name, in any language
        score(bad, rules=rules, registry=reg)
    res = score([bad, unit_builder("ok").observe("demo.widget", present=True)], rules=rules, registry=reg, allow_failures=True)
    assert [f.unit_id for f in res.failures] == ["bad"]
    with pytest.raises(AssertionError, match="failed to score"):
        unit_result(res, "bad")
    assert unit_result(res, "ok").leaf("demo.widget").score == 2
    assert unit_result(res, "ok").leaf("demo.widget").missing == ["level", "parts"]


def test_tiny_ruleset_from_yaml_text_and_run_defaults(govscore_registry, tiny_ruleset, unit_builder):
    reg = govscore_registry(extra=[("demo", DemoPlugin)])
    rules = tiny_ruleset("""
        category: {id: demo, name: 示例, kind: base}
        indicators:
          - id: demo.widget
            name: 部件
            weight: 10
            criteria:
              - {id: present, observation: present, share: 100%}
    """, name="from-text", period=("2024-01-01", "2024-12-31"), as_of="2024-06-30")
    res = score(unit_builder("u").observe("demo.widget", present="是"), rules=rules, registry=reg)
    # judged is the default kind: yes -> 100% x 10
    assert res.units[0].leaf("demo.widget").score == 10
    assert (res.context.period_start, res.context.as_of) == (_dt.date(2024, 1, 1), _dt.date(2024, 6, 30))
    assert res.ruleset.name == "from-text"


def test_extending_2023_zengdu_inherits_its_run_and_adds_a_category(govscore_registry, tiny_ruleset, unit_builder):
    # this test depends on the 2023 rule set on purpose: a child adds a category and overrides one leaf
    reg = govscore_registry(extra=[("demo", DemoPlugin)])
    rules = tiny_ruleset({
        "demo.yaml": WIDGET_RULES,
        "disclosure.yaml": "indicators:\n  - {id: disclosure.overview, weight: 4}\n",
    }, name="child", extends="2023-zengdu")
    res = score(unit_builder("u", "测试局").observe("disclosure.overview", up_to_date=True)
                .observe("demo.widget", present=True), rules=rules, registry=reg)
    u = res.units[0]
    # overview's weight is now 4: up_to_date 50% x 4 = 2; the demo leaf: present 50% x 4 = 2
    assert u.leaf("disclosure.overview").score == 2
    assert u.leaf("demo.widget").score == 2
    assert res.ruleset.chain == ["2023-zengdu", "child"]
    # run defaults come from the parent when the child gives none
    assert (res.context.period_start, res.context.period_end) == (_dt.date(2023, 1, 1), _dt.date(2023, 12, 31))


def test_write_ruleset_refuses_a_used_folder(tmp_path: Path):
    write_ruleset(tmp_path / "rs", WIDGET_RULES)
    with pytest.raises(FileExistsError):
        write_ruleset(tmp_path / "rs", WIDGET_RULES)


@pytest.mark.parametrize("kwargs, expected", [
    ({}, ("2023-01-01", "2023-12-31", "2023-12-31")),                                  # all from the parent
    ({"as_of": "2023-06-30"}, ("2023-01-01", "2023-12-31", "2023-06-30")),             # the parent's period
    ({"period": ("2024-01-01", "2024-12-31")}, ("2024-01-01", "2024-12-31", "2024-12-31")),  # as_of: its end
])
def test_run_defaults_along_extends(govscore_registry, tiny_ruleset, kwargs, expected):
    from govscore.core.runner import RunOptions, prepare

    rules = tiny_ruleset(None, name="child", extends="2023-zengdu", **kwargs)
    ctx = prepare(RunOptions(rules=str(rules)), govscore_registry()).context
    assert (ctx.period_start.isoformat(), ctx.period_end.isoformat(), ctx.as_of.isoformat()) == expected
