"""Invariants of scoring (issue 8), as hypothesis properties over generated evidence for the full 2023
rule set (rules/2023-zengdu).

The strategies below produce valid evidence for every indicator: judgements (yes/no, fractions, 是/否,
percentages), checklists (lists or item: yes/no mappings), counts and levels (some typed as text),
dates, consultation messages with timestamps in 2023, accounts with weekly posts, repost checks, key
areas that may not apply, bonus and penalty counts. Units are scored through the core functions
(:func:`govscore.core.runner.prepare`, :func:`~govscore.core.runner.score_one`, and
:func:`~govscore.core.runner.run` on real YAML files where the order of files matters).

max_examples are set so that the file runs in about a minute here (a few minutes in CI at most).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govscore.core.aggregate import score_unit
from govscore.core.engine.base import make_engine
from govscore.core.errors import Location
from govscore.core.evidence import UnitEvidence
from govscore.core.facts import build_facts, parse_unit, run_derivations
from govscore.core.runner import RunOptions, prepare, run, score_one

PROFILE = settings(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                          HealthCheck.function_scoped_fixture])
D = Fraction

_COMPILED = None


def compiled():
    global _COMPILED
    if _COMPILED is None:
        _COMPILED = prepare(RunOptions())
    return _COMPILED


_sids = itertools.count(1)


def evidence(raw: dict, source: str = "generated.yaml") -> UnitEvidence:
    return UnitEvidence(raw, source, lambda path: Location(file=source), 0, ())


# --- strategies --------------------------------------------------------------------------------

judgement = st.one_of(st.booleans(), st.sampled_from(["1/2", 0.25, "是", "否", "75%", 0, 1, "0.6"]))
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731 - None: not recorded (the key is left out)
count_text = lambda lo, hi: st.one_of(st.integers(lo, hi), st.integers(lo, hi).map(str))  # noqa: E731
day_2023 = st.dates(dt.date(2022, 6, 1), dt.date(2023, 12, 31))


def checklist(items: list[str]):
    as_list = st.lists(st.sampled_from(items), unique=True)
    as_map = st.fixed_dictionaries({}, optional={it: st.booleans() for it in items})
    return st.one_of(as_list, as_map)


@st.composite
def message(draw):
    asked = draw(st.datetimes(dt.datetime(2023, 1, 1), dt.datetime(2023, 12, 20, 23, 59)))
    asked = asked.replace(second=0, microsecond=0)
    msg = {"asked_at": asked.strftime("%Y-%m-%d %H:%M"), "accurate": draw(st.booleans())}
    delay = draw(maybe(st.integers(0, 24 * 20)))
    if delay is not None:
        msg["answered_at"] = (asked + dt.timedelta(hours=delay)).strftime("%Y-%m-%dT%H:%M:%S")
    if draw(st.booleans()):
        msg["perfunctory"] = draw(st.booleans())
    return msg


MONDAYS = [dt.date(2023, 1, 2) + dt.timedelta(weeks=k) for k in range(52)]


@st.composite
def account(draw, i: int):
    weekday = draw(st.integers(0, 6))
    dropped = draw(st.sets(st.integers(0, 51), max_size=3))
    posts = [(d + dt.timedelta(days=weekday)).isoformat() for k, d in enumerate(MONDAYS) if k not in dropped]
    posts = [p for p in posts if p <= "2023-12-31"]
    acc = {"platform": draw(st.sampled_from(["wechat", "weibo", "douyin", "WeChat"])), "name": f"账号{i}",
           "kind": draw(st.sampled_from(["publishing", "service", "发布类"])), "filed": draw(st.booleans()), "posts": posts}
    if draw(st.booleans()):
        acc["opened_on"] = draw(st.dates(dt.date(2021, 1, 1), dt.date(2023, 6, 30))).isoformat()
        # an account posts only once it is open (a post before is an error of the evidence)
        acc["posts"] = [p for p in posts if p >= acc["opened_on"]]
    return acc


def key_area():
    return st.fixed_dictionaries({}, optional={"applicable": st.booleans(), "structured": judgement, "consistent": judgement,
                                               "last_updated": day_2023, "burst_publishing": st.booleans(), "falsified": st.booleans()})


def obs(**fields):
    return st.fixed_dictionaries({}, optional=fields)


def observations():
    return st.fixed_dictionaries({
        "disclosure.overview": obs(up_to_date=judgement, consistent=judgement),
        "disclosure.functions": obs(published_fields=checklist(["functions", "structure", "address", "office_hours", "contact", "head"]),
                                    consistent=judgement),
        "disclosure.leaders": obs(published_fields=checklist(["name", "post", "duties"]), consistent=judgement),
        "disclosure.policy_documents": obs(timely=judgement, cleanup_published=judgement, consistent=judgement,
                                           defective_documents=count_text(0, 4), last_updated=day_2023,
                                           burst_publishing=st.booleans(), falsified=st.booleans()),
        "disclosure.licensing_results": obs(published=judgement, consistent=judgement),
        "disclosure.enforcement": obs(double_random=checklist(["plan", "objects", "results"]), annual_statistics_report=judgement,
                                      consistent=judgement),
        "disclosure.budgets": obs(published=checklist(["budget", "final_accounts"])),
        "disclosure.proposals": obs(published=checklist(["reply_full_text", "progress", "annual_summary"]), consistent=judgement),
        "disclosure.major_projects": key_area(),
        "disclosure.public_welfare": key_area(),
        "disclosure.public_resources": key_area(),
        "disclosure.special_topics": obs(topic_columns=count_text(0, 4), structured=judgement, consistent=judgement,
                                         last_updated=day_2023, burst_publishing=st.booleans(), falsified=st.booleans()),
        "disclosure.policy_interpretation": obs(interpreted=count_text(0, 2), diverse_forms=judgement, content_focused=judgement,
                                                drafter_interprets=judgement, cross_linked=count_text(0, 2), consistent=judgement,
                                                last_updated=day_2023, copied_text=st.booleans(), burst_publishing=st.booleans(),
                                                falsified=st.booleans()),
        "portal.query_service": obs(own_service=judgement, form_level=count_text(0, 5), consistent=judgement,
                                    unusable=st.booleans(), falsified=st.booleans()),
        "portal.consultation": obs(messages=st.lists(message(), max_size=6)),
        "portal.opinion_collection": obs(solicitations=judgement, feedback_published=judgement),
        "portal.maintenance": obs(empty_or_stale_columns=count_text(0, 3), broken_links=count_text(0, 3), privacy_leaks=count_text(0, 2)),
        "portal.annual_report": obs(format_compliant=judgement, published_on=st.dates(dt.date(2023, 1, 1), dt.date(2023, 3, 31)),
                                    centrally_published=judgement),
        "newmedia.intensive": obs(lifecycle_compliant=judgement),
        "newmedia.publishing": obs(content_types=checklist(["dynamics", "policy_documents", "interpretations", "responses"]),
                                   mobile_adapted=judgement, same_source=judgement, irrelevant_posts=count_text(0, 3)),
        "newmedia.services": obs(mobile_services=judgement, novel_design=judgement, unusable=st.booleans(), falsified=st.booleans()),
        "newmedia.interaction": obs(consultation_available=judgement, replies_timely=judgement),
        "newmedia.coordination": obs(repost_checks=st.lists(st.fixed_dictionaries({"passed": st.booleans()}), max_size=24),
                                     joint_campaigns=count_text(0, 7)),
        "bonus.commendation": obs(commendations=count_text(0, 3), central_media_reports=count_text(0, 3)),
        "penalty.notices": obs(state_council_notices=count_text(0, 3), provincial_notices=count_text(0, 8)),
        "penalty.media_exposure": obs(central_media_exposures=count_text(0, 3), provincial_media_exposures=count_text(0, 8)),
        "penalty.service_items": obs(inaccurate_guides=count_text(0, 3)),
    })


@st.composite
def unit(draw, uid: str = "u"):
    n = draw(st.integers(0, 3))
    raw = {"unit": {"id": uid, "name": f"单位{uid}", "kind": draw(st.sampled_from(["department", "town"]))},
           "accounts": [draw(account(i)) for i in range(n)],
           "observations": {k: _jsonable(v) for k, v in draw(observations()).items()}}
    return raw


def _jsonable(v):
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


# --- helpers -------------------------------------------------------------------------------------

def score(raw: dict, engine: str = "durable"):
    return score_one(compiled(), evidence(raw), make_engine(engine))


def key(r) -> tuple:
    """Everything a result says, apart from per-item audit rows (which list items in evidence order)."""
    return (r.unit_id, r.total, r.base, r.bonus, r.deductions, r.floor_adjustment, r.missing_count, tuple(sorted(r.display.items())),
            tuple((c.id, c.weight, c.uncapped, c.score, c.display) for c in r.categories),
            tuple((lf.id, lf.effective_weight, lf.computed, lf.score, lf.display, lf.vetoed, lf.applicable, tuple(lf.missing),
                   lf.reason, tuple((a.rule, a.entry, a.role, a.points) for a in lf.audit)) for lf in r.indicators))


# --- bounds ----------------------------------------------------------------------------------------

@settings(PROFILE, max_examples=120)
@given(unit())
def test_bounds(raw):
    c = compiled()
    r = score(raw)
    kinds = {cat.id: cat.kind for cat in c.categories}
    for lf in r.indicators:
        if kinds[lf.category] == "deduction":
            assert -(lf.weight or 0) <= lf.score <= 0, lf.id
        else:
            assert 0 <= lf.score <= lf.effective_weight, lf.id
            assert lf.computed <= lf.max_attainable, lf.id
    base_leaves = [lf for lf in r.indicators if kinds[lf.category] == "base"]
    assert sum((lf.effective_weight for lf in base_leaves), D(0)) == 100
    max_base = sum((lf.max_attainable for lf in base_leaves), D(0))
    assert r.base <= max_base
    if all(lf.applicable for lf in base_leaves):
        assert max_base == c.max_attainable_base() == D("93.65")
    assert 0 <= r.bonus <= 10
    assert 0 <= r.deductions <= 10
    assert r.total >= 0
    assert r.total == max(D(0), r.base + r.bonus - r.deductions)


# --- the two engines --------------------------------------------------------------------------------

@settings(PROFILE, max_examples=80)
@given(unit())
def test_durable_and_reference_agree(raw):
    c = compiled()
    work = parse_unit(evidence(raw), c)
    run_derivations(work, c)
    uf = build_facts(work, c, f"prop-{next(_sids)}")
    out_d = make_engine("durable").evaluate(c, uf)
    out_r = make_engine("reference").evaluate(c, uf)
    assert out_d == out_r
    assert key(score_unit(c, uf, out_d)) == key(score_unit(c, uf, out_r))
    assert key(score(raw, "durable")) == key(score(raw, "reference"))


# --- monotonicity: more problems never raise a score ------------------------------------------------

def _add(raw, indicator, name, k):
    o = raw["observations"].setdefault(indicator, {})
    o[name] = int(o.get(name) or 0) + k


PROBLEMS = [("portal.maintenance", "broken_links"), ("portal.maintenance", "empty_or_stale_columns"),
            ("portal.maintenance", "privacy_leaks"), ("penalty.notices", "state_council_notices"),
            ("penalty.notices", "provincial_notices"), ("penalty.media_exposure", "central_media_exposures"),
            ("penalty.media_exposure", "provincial_media_exposures"), ("disclosure.policy_documents", "defective_documents"),
            ("newmedia.publishing", "irrelevant_posts")]


@st.composite
def worsened(draw):
    """A unit and the same unit with more problems: counts, later (or no) replies, missed weeks, flags."""
    raw = draw(unit())
    worse = _copy(raw)
    changed = set()
    for _ in range(draw(st.integers(1, 3))):
        what = draw(st.sampled_from(["count", "reply", "post", "flag"]))
        if what == "count":
            ind, name = draw(st.sampled_from(PROBLEMS))
            _add(worse, ind, name, draw(st.integers(1, 3)))
            changed.add(ind)
        elif what == "reply":
            msgs = worse["observations"].get("portal.consultation", {}).get("messages") or []
            if msgs:
                m = msgs[draw(st.integers(0, len(msgs) - 1))]
                if "answered_at" in m and draw(st.booleans()):
                    later = dt.datetime.fromisoformat(m["answered_at"]) + dt.timedelta(hours=draw(st.integers(1, 24 * 15)))
                    m["answered_at"] = later.isoformat()
                else:
                    m.pop("answered_at", None)
                changed.add("portal.consultation")
        elif what == "post":
            accs = [a for a in worse["accounts"] if a["posts"]]
            if accs:
                a = accs[draw(st.integers(0, len(accs) - 1))]
                a["posts"].pop(draw(st.integers(0, len(a["posts"]) - 1)))
                changed.add("newmedia.publishing")
        else:
            ind, name = draw(st.sampled_from([("disclosure.policy_documents", "falsified"), ("portal.query_service", "unusable"),
                                              ("newmedia.services", "falsified"), ("disclosure.special_topics", "burst_publishing"),
                                              ("disclosure.policy_interpretation", "copied_text")]))
            worse["observations"].setdefault(ind, {})[name] = True
            changed.add(ind)
    return raw, worse, changed


def _copy(raw):
    return yaml.safe_load(yaml.safe_dump(raw, allow_unicode=True))


@settings(PROFILE, max_examples=120)
@given(worsened())
def test_more_problems_never_raise_a_score(pair):
    raw, worse, changed = pair
    a, b = score(raw), score(worse)
    assert b.total <= a.total
    assert b.base <= a.base and b.deductions >= a.deductions
    for ind in changed:
        assert b.leaf(ind).score <= a.leaf(ind).score, ind


# --- order invariance -------------------------------------------------------------------------------

@settings(PROFILE, max_examples=60)
@given(unit(), st.randoms(use_true_random=False))
def test_order_of_messages_posts_accounts_and_checks_never_matters(raw, rnd):
    shuffled = _copy(raw)
    rnd.shuffle(shuffled["accounts"])
    for a in shuffled["accounts"]:
        rnd.shuffle(a["posts"])
    o = shuffled["observations"]
    for ind, lst in (("portal.consultation", "messages"), ("newmedia.coordination", "repost_checks")):
        if o.get(ind, {}).get(lst):
            rnd.shuffle(o[ind][lst])
    items = list(o.items())
    rnd.shuffle(items)
    shuffled["observations"] = dict(items)
    assert key(score(raw)) == key(score(shuffled))


@settings(PROFILE, max_examples=12)
@given(st.integers(2, 6).flatmap(lambda n: st.tuples(*[unit(f"u{i}") for i in range(n)])), st.randoms(use_true_random=False))
def test_order_of_units_and_files_never_matters(tmp_path_factory, units, rnd):
    def write(order: list[dict], nfiles: int) -> list[Path]:
        folder = tmp_path_factory.mktemp("ev")
        files = []
        for k in range(nfiles):
            part = order[k::nfiles]
            if part:
                p = folder / f"f{k}.yaml"
                p.write_text(yaml.safe_dump(part, allow_unicode=True, sort_keys=False), encoding="utf-8")
                files.append(p)
        return files

    first = run(write(list(units), 1), RunOptions(), compiled=compiled())
    order = list(units)
    rnd.shuffle(order)
    files = write(order, rnd.randint(1, len(order)))
    rnd.shuffle(files)
    second = run(files, RunOptions(), compiled=compiled())
    assert not first.failures and not second.failures
    assert [(r.unit_id, r.rank) for r in first.units] == [(r.unit_id, r.rank) for r in second.units]
    assert [key(r) for r in first.units] == [key(r) for r in second.units]


_ = (pytest, random)
