"""The traps of durable-rules 2.0.28, one test each: first the trap shown on a bare durable Host, then
govscore's engine shown to be safe from it (rulesets under tests/rulesets, hand-computed values)."""

from __future__ import annotations

import datetime
import json
import platform
import random
import string
from fractions import Fraction as F
from pathlib import Path

import pytest
from durable import engine as durable_engine

from govscore.core.aggregate import score_unit
from govscore.core.conditions import Interval, bound_code, dcode, evaluate, ncode, to_durable
from govscore.core.engine.base import make_engine
from govscore.core.engine.durable import DurableEngine, _QuietHost
from govscore.core.errors import EvidenceError, GovscoreError
from govscore.core.evidence import load_evidence
from govscore.core.facts import UnitFacts, build_facts, fnv1_32, parse_unit, run_derivations
from govscore.core.hookspecs import hookimpl
from govscore.core.plugins import load
from govscore.core.rulekinds import Draft, Params, RuleKind
from govscore.core.ruleset.models import Share
from govscore.core.conditions import cmp
from govscore.core.runner import RunOptions, prepare, score_one, score_units
from plugins_for_tests import cases, indicators

EXAMPLE_UNITS = Path(__file__).resolve().parent.parent / "examples" / "2023-zengdu" / "units"

_names = iter(range(1, 10**6))


def bare_host(rules: dict) -> tuple[_QuietHost, str]:
    """A bare durable Host (no polling threads) with one ruleset of `rules`; returns it and the name."""
    host = _QuietHost()
    name = f"bare{next(_names)}"
    host.register_rulesets({name: rules})
    return host, name


def facts_of(case: str, unit_id: str, sid: str) -> UnitFacts:
    compiled = cases.compiled(case)
    ev = next(u for u in cases.units(case) if u.unit_id == unit_id)
    work = parse_unit(ev, compiled)
    run_derivations(work, compiled)
    return build_facts(work, compiled, sid)


# --- one Host, rule sets registered once by content hash ----------------------------------------

def test_registering_a_ruleset_name_twice_fails_in_durable():
    host, name = bare_host({"r": {"all": [{"m": {"x": 1}}], "run": lambda c: None}})
    with pytest.raises(Exception, match="already registered"):
        host.register_rulesets({name: {"r": {"all": [{"m": {"x": 1}}], "run": lambda c: None}}})


def test_loading_the_same_rule_set_twice_in_one_process():
    path = str(cases.RULESETS / "award")
    first = prepare(RunOptions(rules=path), cases.registry())
    # a fresh plugin registry and a second compile of the same files: a new CompiledRuleSet, same engine name
    second = prepare(RunOptions(rules=path), load(extra=[(cases.PLUGIN_NAME, indicators)]))
    assert first is not second and first.engine_hash == second.engine_hash
    assert make_engine("durable") is make_engine("durable") is DurableEngine.shared()
    units = cases.units("award")
    for compiled in (first, second, first):
        results, failures = score_units(compiled, units, "durable")
        assert failures == []
        # full 29, part 871/60, none 0, appeal 17.5 (see test_core_rule_kinds / test_core_aggregate)
        assert [r.total for r in results] == [29, F(871, 60), 0, F(35, 2)]
    assert first.engine_hash in DurableEngine.shared()._registered


# --- 1024 live sessions -------------------------------------------------------------------------

def test_durable_allows_at_most_1024_live_sessions():
    host, name = bare_host({"r": {"all": [{"m": {"x": 1}}], "run": lambda c: None}})
    for i in range(1024):
        host.assert_fact(name, {"sid": f"s{i}", "id": "f", "x": 1})
    with pytest.raises(MemoryError):
        host.assert_fact(name, {"sid": "s1024", "id": "f", "x": 1})


def test_5000_units_in_a_row(tmp_path: Path):
    units = []
    for i in range(5000):
        if i % 2:
            obs = {"t.judged": {"a": True, "b": "1/3"}, "t.checklist": {"docs": ["plan", "budget"]},
                   "t.ratio_const": {"answered": 2}, "t.ratio_obs": {"correct": 1, "sampled": 4}, "t.ordinal": {"level": 1}}
        else:
            obs = {"t.judged": {"a": True, "b": True}, "t.checklist": {"docs": ["plan", "report", "budget"]},
                   "t.ratio_const": {"answered": 5}, "t.ratio_obs": {"correct": 3, "sampled": 3}, "t.ordinal": {"level": 4}}
        units.append({"unit": {"id": f"u{i}", "name": f"单位{i}"}, "observations": obs})
    path = tmp_path / "units.json"
    path.write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    compiled = cases.compiled("award")
    loaded = load_evidence([path], compiled)
    results, failures = score_units(compiled, loaded.units, "durable")
    assert failures == [] and len(results) == 5000
    # 2500 units at 29 (full) and 2500 at 871/60 (part, see test_partial_unit_total)
    assert [r.total for r in results[:2]] == [29, F(871, 60)]
    assert sum((r.total for r in results), F(0)) == 2500 * 29 + 2500 * F(871, 60)


# --- identical facts ----------------------------------------------------------------------------

def test_an_identical_fact_is_dropped_by_durable():
    host, name = bare_host({"r": {"all": [{"m": {"ok": 1}}], "run": lambda c: None}})
    host.assert_fact(name, {"sid": "s", "ok": 1})
    with pytest.raises(durable_engine.MessageObservedException):
        host.assert_fact(name, {"sid": "s", "ok": 1})


def test_identical_items_are_all_counted():
    uf = facts_of("lists", "l1", "identical-1")
    # checks [ok, ok, not ok]: the two "ok" items encode to the same fields, but carry distinct ids
    items = [f for f in uf.facts if f["l"] == "checks"]
    assert [{k: v for k, v in f.items() if k not in ("id", "sid")} for f in items[:2]] == [{"i": "t.checks", "l": "checks", "ok": 2000}] * 2
    assert len({f["id"] for f in uf.facts}) == len(uf.facts)
    compiled = cases.compiled("lists")
    outcome = make_engine("durable").evaluate(compiled, uf)
    mean_rule = next(r.index for r in compiled.rules if r.rule_id == "t.checks:mean_ok")
    assert sorted(fid for idx, fid in outcome.fired if idx == mean_rule) == sorted(f["id"] for f in items[:2])
    # and so mean = 2/3 of the items: 2/3 x 1/3 x 9 = 2 (one lost item would give 1/2 x 1/3 x 9 = 1.5)
    assert next(a for a in score_unit(compiled, uf, outcome).leaf("t.checks").audit if a.entry == "mean_ok").points == 2


# --- facts matching no rule ---------------------------------------------------------------------

def test_a_fact_matching_no_rule_is_recorded_as_unmatched():
    host, name = bare_host({"r": {"all": [{"m": {"x": 1}}], "run": lambda c: None}})
    with pytest.raises(durable_engine.MessageNotHandledException):
        host.assert_fact(name, {"sid": "s", "id": "f", "x": 2})
    uf = facts_of("award", "none", "unmatched-1")
    outcome = make_engine("durable").evaluate(cases.compiled("award"), uf)
    # a false, b absent; docs absent; answered 0; correct absent; level 0: none of the 5 leaf facts matches
    assert outcome.fired == []
    assert outcome.unmatched == sorted(f["id"] for f in uf.facts) and len(outcome.unmatched) == 5
    results, _ = cases.score("award")
    assert results["none"].unmatched_facts == 5 and results["full"].unmatched_facts == 0


# --- an exception in a rule ---------------------------------------------------------------------

def test_an_action_exception_is_swallowed_by_durable():
    def action(c):
        raise ValueError("boom")
    host, name = bare_host({"r": {"all": [{"m": {"x": 1}}], "run": action}})
    state = host.assert_fact(name, {"sid": "s", "id": "f", "x": 1})
    assert "boom" in state["exception"]


class ExplodeParams(Params):
    observation: str
    share: Share


def _explode_credit(p, extra, values):
    v = values[p.observation]
    if v == F(1, 2):
        raise ValueError("cannot credit a half")
    return v


class ExplodePlugin:
    """A test plugin: the rule kind "explode", which fails on the value 1/2."""

    @hookimpl
    def register_rule_kinds(self, register):
        register(RuleKind("explode", "award", "judged, but fails on 1/2", ExplodeParams,
                          lambda p, ctx: [Draft(cmp(p.observation, "gt", 0), p.share)],
                          _explode_credit, lambda p: [(None, p.observation)], lambda p: p.share))


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_a_failing_rule_fails_its_unit_only(engine):
    registry = load(extra=[(cases.PLUGIN_NAME, indicators), ("explode-kind", ExplodePlugin())])
    compiled = prepare(RunOptions(rules=str(cases.RULESETS / "failing_kind")), registry)
    units = load_evidence([cases.RULESETS / "failing_kind" / "evidence"], compiled).units
    results, failures = score_units(compiled, units, engine)
    # ok1: a true -> 100% x 10 = 10; ok2: a 1/4 -> 1/4 x 10 = 5/2
    assert {r.unit_id: r.total for r in results} == {"ok1": 10, "ok2": F(5, 2)}
    assert [f.unit_id for f in failures] == ["bad"]
    assert "ValueError: cannot credit a half" in failures[0].messages()[0]
    if engine == "durable":
        assert cases.assert_engines_agree(compiled, units) == 3   # each of the 3 units fires boom once


class FailingActionEngine(DurableEngine):
    """The real durable engine whose action raises on one value, to prove evaluate() checks 'exception'."""

    def _action(self, index: int):
        record = super()._action(index)

        def action(c):
            if c.m["a"] == ncode(F(1, 2)):   # durable's Content: a missing key reads None
                raise RuntimeError("action failed on purpose")
            record(c)
        return action


def test_an_action_exception_is_reported_as_that_units_error():
    engine = FailingActionEngine()
    compiled = cases.compiled("award")
    units = load_evidence([cases.RULESETS / "failing_kind" / "evidence"], compiled).units
    outcome = []
    for ev in units:
        try:
            outcome.append((ev.unit_id, score_one(compiled, ev, engine).total))
        except GovscoreError as err:
            outcome.append((ev.unit_id, err.render()))
    # ok1: a true -> t.judged first 50% x 10 = 5; ok2: a 1/4 -> 1/4 x 50% x 10 = 5/4
    assert outcome[0] == ("ok1", 5) and outcome[2] == ("ok2", F(5, 4))
    assert outcome[1][0] == "bad" and "a rule action failed: exception caught action failed on purpose" in outcome[1][1]
    assert "unit bad" in outcome[1][1]


# --- repeated parts answered from the memo -----------------------------------------------------

def _case_facts(sid_prefix: str) -> list[tuple]:
    """(compiled rule set, unit facts) of every well-formed unit of every test case and the example."""
    out = []
    for n, case in enumerate(cases.CASES):
        compiled = cases.compiled(case)
        for k, ev in enumerate(cases.units(case)):
            try:
                work = parse_unit(ev, compiled)
                run_derivations(work, compiled)
                out.append((compiled, build_facts(work, compiled, f"{sid_prefix}{n}-{k}")))
            except GovscoreError:
                continue
    compiled = prepare(RunOptions())
    for k, ev in enumerate(load_evidence([EXAMPLE_UNITS], compiled).units):
        work = parse_unit(ev, compiled)
        run_derivations(work, compiled)
        out.append((compiled, build_facts(work, compiled, f"{sid_prefix}x-{k}")))
    return out


def test_repeated_parts_are_answered_from_the_memo_as_durable_fired_them():
    engine, asserting, reference = DurableEngine(), DurableEngine(memo=False), make_engine("reference")
    units = _case_facts("memo-")
    first = [engine.evaluate(compiled, uf) for compiled, uf in units]
    assert first == [asserting.evaluate(compiled, uf) for compiled, uf in units]
    assert first == [reference.evaluate(compiled, uf) for compiled, uf in units]
    # the example's 32 units alone repeat parts (same indicator fields, same repost checks ...)
    assert engine.parts_remembered > 0 and asserting.parts_remembered == 0
    asserted = engine.parts_asserted
    assert asserted + engine.parts_remembered == asserting.parts_asserted
    # a second pass over the same facts: every part is remembered, durable is asked nothing more
    again = [engine.evaluate(compiled, uf) for compiled, uf in units]
    assert again == first and engine.parts_asserted == asserted
    assert engine.parts_remembered == 2 * asserting.parts_asserted - asserted
    # forgotten (as the benchmark does before each pass): the first unit's parts are asserted again
    engine.forget()
    (compiled, uf), remembered = units[0], engine.parts_remembered
    assert engine.evaluate(compiled, uf) == first[0]
    assert engine.parts_remembered == remembered and engine.parts_asserted > asserted


def _mixed_ruleset(tmp_path: Path):
    """One indicator with rules on its own fields (a, b) and on a list's items (msgs' days)."""
    (tmp_path / "ruleset.yaml").write_text("name: mixed\nrun:\n  period: {start: 2023-01-01, end: 2023-12-31}\n",
                                           encoding="utf-8")
    (tmp_path / "rules.yaml").write_text("""category: {id: base, name: 基础, kind: base}
indicators:
  - id: t.msgs
    name: 混合
    weight: 10
    criteria:
      - {id: a, observation: a, share: 25%}
      - {id: b, observation: b, share: 25%}
      - id: days
        kind: bands
        list: msgs
        value: days
        aggregate: mean
        bands:
          - {when: "[0..1]", share: 50%}
""", encoding="utf-8")
    compiled = prepare(RunOptions(rules=str(tmp_path)), cases.registry())
    path = tmp_path / "units.json"
    path.write_text(json.dumps([{"unit": {"id": "items", "name": "甲"}, "observations": {"t.msgs": {"msgs": [{"days": 1}]}}},
                                {"unit": {"id": "own", "name": "乙"}, "observations": {"t.msgs": {"a": True, "b": True}}}]),
                    encoding="utf-8")
    units = load_evidence([path], compiled).units
    out = []
    for k, ev in enumerate(units):
        work = parse_unit(ev, compiled)
        run_derivations(work, compiled)
        out.append(build_facts(work, compiled, f"mixed-{tmp_path.name}-{k}"))
    return compiled, out


def _outcome_or_error(engine, compiled, uf):
    try:
        return engine.evaluate(compiled, uf)
    except Exception as exc:  # noqa: BLE001 - compared between engines
        return type(exc).__name__


@pytest.mark.parametrize("value", ["msgs", True, 2000.0, F(2000), [2000]])
def test_the_memo_answers_only_parts_whose_values_stand_for_one_fact_text(tmp_path, value):
    # A plugin's encode() could put a non-integer in a fact. The indicator's own part is keyed apart from
    # its list items' (a text "msgs" in its first field once made its key equal the item's key
    # (t.msgs, "msgs", 2000), and it was answered with the item's rule); True, 2000.0 and Fraction(2000)
    # equal 2000 in Python but not in JSON; a list cannot be a key. Whatever durable makes of such a
    # value, the memo must give the same, in either order of the units.
    compiled, (items, own) = _mixed_ruleset(tmp_path)
    assert [f["days"] for f in items.facts if f["l"] == "msgs"] == [2000]   # days 1 -> code 2000
    own.facts[0]["a"] = value
    own.facts[0]["b"] = 2000
    expected = _outcome_or_error(DurableEngine(memo=False), compiled, own)
    for order in ((items, own), (own, items)):
        engine = DurableEngine()
        got = {id(uf): _outcome_or_error(engine, compiled, uf) for uf in order}
        assert got[id(own)] == expected
        # and the memo answers the same part again as durable did
        assert _outcome_or_error(engine, compiled, own) == expected


def test_a_part_with_an_unusual_value_is_asserted_not_remembered(tmp_path):
    compiled, (_items, own) = _mixed_ruleset(tmp_path)
    own.facts[0]["a"] = True  # == 2000 would be False; True == 1 in Python
    engine = DurableEngine()
    engine.evaluate(compiled, own)
    asserted = engine.parts_asserted
    engine.forget()
    engine.evaluate(compiled, own)
    engine.evaluate(compiled, own)  # the indicator's part again: asserted, never looked up
    assert engine.parts_asserted == 3 * asserted and engine.parts_remembered == 0


def test_values_in_the_same_places_among_the_constants_are_answered_from_the_memo(tmp_path):
    # The band [0..1] of msgs' days compares the code of days (2000 per day) with 0 and 2000 only. Codes
    # between the two (0.3 and 0.7 days: 600, 1400; 1999) satisfy the same comparisons, so durable, asked
    # once, answers for all; 0 and 2000 (on a constant) and 4000 (above both) are places of their own.
    from govscore.core.conditions import bounds_compared

    compiled, (items, _own) = _mixed_ruleset(tmp_path)
    days_rule = next(r for r in compiled.rules if r.list == "msgs")
    assert bounds_compared(days_rule.condition) == {"days": {0, 2000}}
    engine, asserting = DurableEngine(), DurableEngine(memo=False)
    item = next(f for f in items.facts if f["l"] == "msgs")
    assert item["days"] == 2000  # 1 day
    engine.evaluate(compiled, items)  # the indicator's own part and the item (on 2000) are asserted once
    for code, new_place, fires in ((600, True, True), (1400, False, True), (1999, False, True), (2000, False, True),
                                   (4000, True, False), (3000, False, False), (0, True, True)):
        item["days"] = code
        asserted = engine.parts_asserted
        got = engine.evaluate(compiled, items)
        assert got == asserting.evaluate(compiled, items) == make_engine("reference").evaluate(compiled, items)
        assert engine.parts_asserted == asserted + (1 if new_place else 0), code
        assert ((days_rule.index, item["id"]) in got.fired) == fires, code


def test_a_value_beyond_exact_comparison_is_remembered_only_as_itself(tmp_path):
    # a code of 2**60 (a plugin's number of 5.7 x 10**14 days) lies above the band's 2000 like 3000 does,
    # but beyond 2**53 durable need not compare as Python does: it is remembered as itself, and 3000 is
    # then asked of durable (a place of its own), not answered from it
    compiled, (items, _own) = _mixed_ruleset(tmp_path)
    engine, asserting = DurableEngine(), DurableEngine(memo=False)
    item = next(f for f in items.facts if f["l"] == "msgs")
    engine.evaluate(compiled, items)
    for code, new_place in ((2**60, True), (3000, True), (4000, False), (2**60, False)):
        item["days"] = code
        asserted = engine.parts_asserted
        assert engine.evaluate(compiled, items) == asserting.evaluate(compiled, items)
        assert engine.parts_asserted == asserted + (1 if new_place else 0), code


class CountingEngine(DurableEngine):
    """The real durable engine with an overriding action that counts its calls."""

    calls = 0

    def _action(self, index: int):
        record = super()._action(index)

        def action(c):
            CountingEngine.calls += 1
            record(c)
        return action


def test_an_overriding_action_sees_every_fact_without_the_memo():
    engine, compiled = CountingEngine(), cases.compiled("award")
    ev = next(u for u in cases.units("award") if u.unit_id == "full")
    outcomes = []
    for sid in ("count-1", "count-2"):
        work = parse_unit(ev, compiled)
        run_derivations(work, compiled)
        outcomes.append(engine.evaluate(compiled, build_facts(work, compiled, sid)))
    # the same unit twice: the action runs once per fired rule each time
    assert CountingEngine.calls == 2 * len(outcomes[0].fired) > 0
    assert engine.parts_remembered == 0


# --- at most 64 rule patterns firing on one fact ------------------------------------------------

def fire_on_one_fact(n: int) -> int:
    """Assert one fact that `n` single-pattern rules match on a bare Host; the number that fired."""
    host, name = bare_host({f"r{i}": {"all": [{"m": {"$gt": {f"f{i}": 0}}}], "run": lambda c: None} for i in range(n)})
    handle = host.get_ruleset(name)._handle
    result = durable_engine.durable_rules_engine.assert_fact(handle, json.dumps({"sid": "s", "id": "f", **{f"f{i}": 1 for i in range(n)}}))
    started = durable_engine.durable_rules_engine.start_action_for_state(handle, result[1])
    message, fired = (started[1] if started else None), 0
    while message:
        fired += 1
        message = durable_engine.durable_rules_engine.complete_and_start_action(handle, result[1])
    return fired


def test_durable_fires_at_most_64_patterns_on_one_fact():
    assert fire_on_one_fact(64) == 64
    with pytest.raises(Exception, match="error code: 303"):
        fire_on_one_fact(65)


def test_merged_indicator_facts_stay_under_the_limit_and_a_later_as_of_scores():
    """The 2023 rule set's indicators travel in merged facts of at most 32 patterns each. At as_of
    2024-06-30 every "stale" veto fires as well: one merged fact of all indicators would carry more than
    64 firing patterns for 东城街道 (durable failed with error 303, or aborted); both engines agree."""
    from govscore.core.engine.durable import PATTERNS_PER_MERGED_FACT, _merge_groups, _patterns

    compiled = prepare(RunOptions(as_of=datetime.date(2024, 6, 30)))
    groups = _merge_groups(compiled)
    per_group: dict[str, int] = {}
    for r in compiled.rules:
        if r.list == "_":
            per_group[groups[r.owner]] = per_group.get(groups[r.owner], 0) + _patterns(r.condition)
    assert len(per_group) > 1 and max(per_group.values()) <= PATTERNS_PER_MERGED_FACT
    units = load_evidence([EXAMPLE_UNITS], compiled).units
    assert cases.assert_engines_agree(compiled, units) > 0
    results, failures = score_units(compiled, units, "durable")
    assert not failures and len(results) == 32
    dc_jd = next(r for r in results if r.unit_id == "dc_jd")
    # its six columns last updated in 2023 are stale by mid-2024: each of those indicators is vetoed (0)
    stale = [lf.id for lf in dc_jd.indicators if lf.vetoed]
    assert stale == ["disclosure.policy_documents", "disclosure.major_projects", "disclosure.public_welfare",
                     "disclosure.public_resources", "disclosure.special_topics", "disclosure.policy_interpretation"]
    # 83.40 on 2023-12-31, less what those six earned then: 1.4 + 6 + 4.5 + 4.5 + 3 + 5 = 24.4 -> 59
    assert dc_jd.total == 59 and all(lf.score == 0 for lf in dc_jd.indicators if lf.vetoed)


# --- 32-bit fact-id hashes ----------------------------------------------------------------------

def find_collision(seed: int = 20231231, limit: int = 2_000_000) -> tuple[str, str]:
    """Two distinct short ids with the same fnv1_32 (birthday search: about 10^5 random strings)."""
    rng = random.Random(seed)
    seen: dict[int, str] = {}
    for _ in range(limit):
        s = "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
        h = fnv1_32(s)
        if h in seen and seen[h] != s:
            return seen[h], s
        seen[h] = s
    raise AssertionError("no collision found")


def assert_pair(ids: tuple[str, str]) -> list[str]:
    """Assert two facts with these ids under one sid on a bare durable Host; return the ids that fired."""
    fired: list[str] = []
    host, name = bare_host({"r": {"all": [{"m": {"x": 1}}], "run": lambda c: fired.append(c.m["id"])}})
    lost = []
    for fid in ids:
        try:
            host.assert_fact(name, {"sid": "s", "id": fid, "x": 1})
        except durable_engine.MessageObservedException:
            lost.append(fid)
    assert not lost or lost == [ids[1]]
    return fired


def test_fnv1_32_is_durables_hash():
    a, b = find_collision()
    assert a != b and fnv1_32(a) == fnv1_32(b)
    # durable takes the first and drops the second: its hash is ours
    assert assert_pair((a, b)) == [a]
    # a pair that does not collide is kept whole
    assert fnv1_32(a) != fnv1_32(a + "x")
    assert assert_pair((a, a + "x")) == [a, a + "x"]


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686"), reason="char is signed on x86")
def test_fnv1_32_reads_bytes_as_signed_char_like_durable_on_x86():
    # found by the same birthday search over "中" + 1-5 letters/digits: collides only with sign extension
    a, b = "中db6z", "中aaq8a"
    assert fnv1_32(a) == fnv1_32(b) and fnv1_32(a, signed_char=False) != fnv1_32(b, signed_char=False)
    assert assert_pair((a, b)) == [a]


COLLIDING_SID = "collide-429909"   # found offline: "<sid>.77" and "<sid>.220" share a hash (and 15 more pairs)


@pytest.fixture(scope="module")
def many_checks(tmp_path_factory) -> list:
    # 250 checks: 50 not ok, then 200 ok -> 2 leaf facts + 250 item facts, ids <sid>.0 .. <sid>.251
    unit = {"unit": {"id": "many", "name": "多项"},
            "observations": {"t.checks": {"checks": [{"ok": False}] * 50 + [{"ok": True}] * 200}}}
    path = tmp_path_factory.mktemp("many") / "many.yaml"
    path.write_text(json.dumps(unit), encoding="utf-8")   # JSON is YAML
    return load_evidence([path], cases.compiled("lists")).units


def test_colliding_fact_ids_are_resalted(many_checks):
    assert fnv1_32(f"{COLLIDING_SID}.77") == fnv1_32(f"{COLLIDING_SID}.220")
    compiled = cases.compiled("lists")
    work = parse_unit(many_checks[0], compiled)
    uf = build_facts(work, compiled, COLLIDING_SID)
    ids = [f["id"] for f in uf.facts]
    assert len(ids) == 252
    # re-salted: "<sid>.<salt>.<n>", and no two ids share a hash any more
    assert all(i.startswith(COLLIDING_SID + ".1.") for i in ids)
    assert len({fnv1_32(i) for i in ids}) == 252
    outcome = make_engine("durable").evaluate(compiled, uf)
    assert outcome == make_engine("reference").evaluate(compiled, uf)
    leaf = score_unit(compiled, uf, outcome).leaf("t.checks")
    # all -> 0 (50 not ok); mean 200/250 = 4/5 x 1/3 x 9 = 12/5; min -> 0
    assert leaf.score == F(12, 5)


def test_without_resalting_durable_would_lose_a_fact_and_our_engine_refuses(many_checks):
    compiled = cases.compiled("lists")
    work = parse_unit(many_checks[0], compiled)
    salted = build_facts(work, compiled, COLLIDING_SID)
    # the same facts under the plain ids "<sid>.<n>" (what build_facts would give without re-salting)
    plain_ids = {f["id"]: f"{COLLIDING_SID}.{n}" for n, f in enumerate(salted.facts)}
    facts = [dict(f, id=plain_ids[f["id"]]) for f in salted.facts]
    # a bare durable Host drops fact .220 (an "ok" item) as already observed
    fired: list[str] = []
    host, name = bare_host({"r": {"all": [{"m": {"ok": 2000}}], "run": lambda c: fired.append(c.m["id"])}})
    dropped = []
    for f in facts:
        try:
            host.assert_fact(name, f)
        except durable_engine.MessageNotHandledException:
            pass
        except durable_engine.MessageObservedException:
            dropped.append(f["id"])
    assert dropped[0] == f"{COLLIDING_SID}.220" and f"{COLLIDING_SID}.220" not in fired
    # our engine never loses it silently: the unit fails with an error naming the fact, or (facts with
    # identical fields are asserted once, core/engine/durable.py) it is taken along with its twin
    plain = UnitFacts(work, facts, {plain_ids[k]: v for k, v in salted.values.items()},
                      {plain_ids[k]: v for k, v in salted.fact_items.items()}, salted.missing)
    try:
        outcome = DurableEngine(memo=False).evaluate(compiled, plain)  # every fact asserted
    except EvidenceError as err:
        assert f"fact {COLLIDING_SID}.220 was not taken" in err.render()
    else:
        assert f"{COLLIDING_SID}.220" in {fid for _i, fid in outcome.fired}


def test_units_share_an_engine_session_and_a_cross_unit_id_collision_starts_a_new_one():
    # Units' facts share a durable session (UNITS_PER_SESSION units each). "c693596.0" and "c1170850.0"
    # (found offline by a birthday search) share a hash: durable would drop the second unit's first
    # fact as already observed. The engine asserts that unit again in a session of its own.
    assert fnv1_32("c693596.0") == fnv1_32("c1170850.0")
    compiled = cases.compiled("award")
    # its own Host and sessions: the two units go in one session; without the memo, which could answer
    # the second unit's first fact without asserting it
    engine = DurableEngine(memo=False)
    first, second = facts_of("award", "full", "c693596"), facts_of("award", "part", "c1170850")
    assert first.facts[0]["id"] == "c693596.0" and second.facts[0]["id"] == "c1170850.0"
    outcomes = [engine.evaluate(compiled, uf) for uf in (first, second)]
    assert outcomes == [make_engine("reference").evaluate(compiled, uf) for uf in (first, second)]
    # full 29, part 871/60 (test_loading_the_same_rule_set_twice_in_one_process)
    assert [score_unit(compiled, uf, o).total for uf, o in zip((first, second), outcomes)] == [29, F(871, 60)]


# --- literals: integers only --------------------------------------------------------------------

def test_durable_literal_traps():
    fired: list[str] = []
    host, name = bare_host({
        "gt9": {"all": [{"m": {"$gt": {"y": 9}}}], "run": lambda c: fired.append(c.m["id"])},
        "yes": {"all": [{"m": {"z": True}}], "run": lambda c: fired.append(c.m["id"])},
    })
    for fid, fact in (("ten-text", {"y": "10"}), ("nine-and-a-half-text", {"y": "9.5"}), ("true-text", {"z": "true"})):
        try:
            host.assert_fact(name, dict(fact, sid="s", id=fid))
        except durable_engine.MessageNotHandledException:
            pass
    # numeric strings compare as text ("10" > 9 is false, "9.5" > 9 true) and 'true' == True matches
    assert fired == ["nine-and-a-half-text", "true-text"]
    with pytest.raises(Exception):
        host.assert_fact(name, {"sid": "s", "id": "exp", "y": 1e20})   # floats in exponent form fail


def test_number_codes():
    # ncode(v) = 2 x floor(1000 v) + (1 if 1000 v is not whole)
    assert ncode(True) == ncode(1) == 2000 and ncode(False) == ncode(0) == 0
    assert ncode(F(1, 3)) == 2 * 333 + 1 == 667
    assert ncode(F(-1, 3)) == 2 * -334 + 1 == -667
    assert ncode(F("0.333")) == 666 and ncode(F(5, 2)) == 5000
    # bounds: 2 x 1000 x bound; at most 3 decimals
    assert bound_code("0.333") == 666 and bound_code(F("0.334")) == 668 and bound_code(10) == 20000
    with pytest.raises(ValueError):
        bound_code(F(1, 3))
    assert dcode(__import__("datetime").date(2023, 10, 7)) == 20231007


@pytest.mark.parametrize("value, inside", [
    (F(1, 3), {"(0.333..0.5)", "(0.333..0.5]"}),              # 0.3333.. > 0.333
    (F("0.333"), {"[0.2..0.333]", "<=0.333"}),                # exactly 0.333
    (F(-1, 3), {"<=0.333", "<-0.333", "[-0.334..-0.333)"}),   # -0.3333.. lies between -0.334 and -0.333
    (F("0.5"), {"(0.333..0.5]"}),                             # the open end excludes 0.5
])
def test_fractions_compare_exactly_with_3_decimal_bounds_in_both_engines(value, inside):
    texts = ["(0.333..0.5)", "[0.2..0.333]", "<=0.333", "<-0.333", "[-0.334..-0.333)", "(0.333..0.5]"]
    fact = {"v": ncode(value)}
    got_reference = {t for t in texts if evaluate(Interval(t).condition("v"), fact)}
    fired: list[str] = []
    rules = {f"r{i}": {"all": [{"m": to_durable(Interval(t).condition("v"))}], "run": (lambda t: lambda c: fired.append(t))(t)}
             for i, t in enumerate(texts)}
    host, name = bare_host(rules)
    host.assert_fact(name, dict(fact, sid="s", id="v"))
    assert got_reference == set(fired) == inside
    assert all(Interval(t).contains(value) == (t in inside) for t in texts)


def test_facts_carry_integers_only():
    for case in cases.CASES:
        compiled = cases.compiled(case)
        for ev in cases.units(case):
            work = parse_unit(ev, compiled)
            run_derivations(work, compiled)
            for fact in build_facts(work, compiled, "ints").facts:
                for key, value in fact.items():
                    if key in ("i", "l", "id", "sid"):
                        assert isinstance(value, str)
                    else:
                        assert type(value) is int, (case, ev.unit_id, key, value)


@pytest.mark.parametrize("engine", ["durable", "reference"])
def test_one_third_against_0_333_through_the_pipeline(engine):
    results, _ = cases.score("bands", engine)
    # b1 rate 1/3 -> (0.333..0.5) 50% x 10 = 5; b2 rate 0.333 -> [0.2..0.333] 20% x 10 = 2
    assert results["b1"].leaf("t.bands_unique").score == 5
    assert results["b2"].leaf("t.bands_unique").score == 2
