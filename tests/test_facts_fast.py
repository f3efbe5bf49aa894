"""The fast paths of parsing, derivations and fact building give exactly what the plain ones give.

:func:`govscore.core.facts.parse_unit` validates a well-formed unit in one pydantic call and falls back
to the checked, part-by-part validation (:func:`~govscore.core.facts._parse_unit_checked`) for anything
else; the tests here run both on the example units, the test rule sets' units, generated units and
broken ones, and compare every value with its type and every key in its order. Fact building, posting
periods and timestamps are compared with straightforward reference versions.
"""

from __future__ import annotations

import copy
import datetime as dt
from bisect import bisect_left
from fractions import Fraction
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, computed_field, field_serializer, model_validator

from govscore.core import facts
from govscore.core.dates import _parse_timestamp, missing_periods, parse_date, parse_timestamp, required_periods
from govscore.core.errors import ErrorList, Location
from govscore.core.evidence import Account, UnitEvidence, UnitInfo, load_evidence
from govscore.core.facts import (_as_typed_dict, _dumps_as_its_dict, _encode_into, _encode_value, _numbered_hashes,
                                 _numbered_ids_collide, _parse_unit_checked, _prepared, build_facts, fnv1_32, parse_unit,
                                 run_derivations)
from govscore.core.observations import Item, Judgement
from govscore.plugins.newmedia.coordination import RepostCheck
from govscore.plugins.portal.consultation import Message
from plugins_for_tests import cases
from test_properties import PROFILE, compiled, unit

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "2023-zengdu" / "units"
def evidence(raw: Any, source: str = "generated.yaml") -> UnitEvidence:
    return UnitEvidence(raw, source, lambda path: Location(file=source, line=len(path)), 0, ())


def typed(v: Any) -> Any:
    """`v` with the exact type of every value and the order of every mapping."""
    if isinstance(v, dict):
        return ("dict", type(v).__name__, [(typed(k), typed(x)) for k, x in v.items()])
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, [typed(x) for x in v])
    if isinstance(v, (set, frozenset)):
        return (type(v).__name__, sorted(map(repr, v)))
    if isinstance(v, BaseModel):
        return (type(v).__name__, typed(v.__dict__), sorted(v.model_fields_set))
    return (type(v).__name__, v)


def snapshot(work: facts.UnitWork) -> Any:
    return typed({"unit": work.unit, "observations": work.observations, "provenance": work.provenance,
                  "lists": work.lists, "details": work.details, "item_details": work.item_details,
                  "adjustments": work.adjustments, "adjustment_locations": [loc.as_dict() for loc in work.adjustment_locations],
                  "provided": work.provided})


def outcome(parse, ev: UnitEvidence, c) -> Any:
    try:
        return snapshot(parse(ev, c))
    except ErrorList as errs:
        return ("errors", [(e.render(), e.unit, e.field, e.location.as_dict()) for e in errs.errors])


def fast(ev: UnitEvidence, c):
    """The one-call parse alone (None: it declined the unit)."""
    return _prepared(c).parse(ev)


def assert_paths_agree(ev: UnitEvidence, c, *, fast_path: bool | None = None) -> None:
    """parse_unit (fast path or not) and the checked path give the same work, or the same errors."""
    assert outcome(parse_unit, ev, c) == outcome(_parse_unit_checked, ev, c)
    if fast_path is not None:
        try:
            took = fast(ev, c) is not None
        except ErrorList:  # adjustments' own problems, found after the one-call validation
            took = True
        assert took == fast_path


# --- parse_unit: one call for well-formed units, the checked path for the others --------------------

def test_example_units_take_the_fast_path_and_agree():
    c = compiled()
    units = load_evidence([EXAMPLES], c).units
    assert len(units) > 20
    for ev in units:
        assert_paths_agree(ev, c, fast_path=True)


@pytest.mark.parametrize("case", sorted(cases.CASES))
def test_test_rule_set_units_agree(case):
    c = cases.compiled(case)
    for ev in cases.units(case):
        assert_paths_agree(ev, c)


@settings(PROFILE, max_examples=60)
@given(unit())
def test_generated_units_take_the_fast_path_and_agree(raw):
    assert_paths_agree(evidence(raw), compiled(), fast_path=True)


def _example_raw() -> dict:
    return copy.deepcopy(load_evidence([EXAMPLES / "fgj.yaml"], compiled()).units[0].raw)


def _set(raw: dict, path: tuple, value: Any) -> dict:
    node = raw
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    node[path[-1]] = value
    return raw


WELL_FORMED = {
    "provenance": (("observations", "disclosure.overview", "consistent"),
                   {"value": True, "source": "https://example.org", "checked_at": "2023-11-20", "note": "ok"}),
    "checklist as a mapping": (("observations", "newmedia.publishing", "content_types"), {"dynamics": "是", "responses": False}),
    "counts as text": (("observations", "portal.maintenance", "broken_links"), "2"),
    "an indicator left empty": (("observations", "newmedia.services"), {}),
    "an adjustment": (("adjustments",), [{"indicator": "disclosure.overview", "points": "-0.5", "reason": "复核",
                                           "decided_by": "办公室", "decided_on": "2023-12-01"}]),
    "no accounts": (("accounts",), None),
    "a timestamp with an offset": (("observations", "portal.consultation", "messages"),
                                   [{"asked_at": "2023-10-06T20:00-05:00", "answered_at": "2023-10-09 9:30", "accurate": "是"}]),
    "post dates in other forms": (("accounts",), [{"platform": "wechat", "name": "号", "kind": "发布类", "filed": True,
                                                    "posts": ["2023/1/3", "2023-01-10T08:00:00+08:00", "2023年1月17日"]}]),
}

BROKEN = {
    "unknown indicator": (("observations", "disclosure.overviews"), {"consistent": True}),
    "unknown observation": (("observations", "disclosure.overview", "consistant"), True),
    "derived observation written": (("observations", "newmedia.intensive", "one_account_per_platform"), True),
    "bad provenance": (("observations", "disclosure.overview", "consistent"), {"value": True, "checked_at": "2023-02-30"}),
    "bad judgement": (("observations", "disclosure.overview", "consistent"), "maybe"),
    "negative count": (("observations", "portal.maintenance", "broken_links"), -1),
    "bad post date": (("accounts",), [{"platform": "wechat", "name": "号", "kind": "publishing", "filed": True,
                                       "posts": ["2023-01-03", "20230110xx"]}]),
    "wrong account kind": (("accounts",), [{"platform": "wechat", "name": "号", "kind": "订阅号", "filed": True}]),
    "an item not a mapping": (("observations", "newmedia.coordination", "repost_checks"), [{"passed": True}, "是"]),
    "a list not a list": (("observations", "portal.consultation", "messages"), {"asked_at": "2023-01-01 10:00"}),
    "a question asked on a day that does not exist": (("observations", "portal.consultation", "messages"),
                                                      [{"asked_at": "2023-02-30 10:00", "accurate": True}]),
    "observations not a mapping": (("observations", "disclosure.overview"), ["consistent"]),
    "unknown top-level field": (("observation",), {}),
    "unit without a name": (("unit", "name"), " "),
    "adjustment of an unknown indicator": (("adjustments",), [{"indicator": "disclosure.overviews", "points": 1, "reason": "r",
                                                                "decided_by": "d", "decided_on": "2023-12-01"}]),
    "adjustments not a list": (("adjustments",), {"indicator": "disclosure.overview"}),
}


@pytest.mark.parametrize("name", sorted(WELL_FORMED))
def test_well_formed_variants_agree(name):
    path, value = WELL_FORMED[name]
    assert_paths_agree(evidence(_set(_example_raw(), path, value)), compiled(), fast_path=True)


def test_observations_none_are_left_to_the_checked_path():
    # read as nothing written, by the checked path only
    ev = evidence(_set(_example_raw(), ("observations", "disclosure.overview"), None))
    assert_paths_agree(ev, compiled(), fast_path=False)
    assert parse_unit(ev, compiled()).provided["disclosure.overview"] == set()


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_units_report_what_the_checked_path_reports(name):
    path, value = BROKEN[name]
    ev = evidence(_set(_example_raw(), path, value))
    c = compiled()
    checked = outcome(_parse_unit_checked, ev, c)
    assert outcome(parse_unit, ev, c) == checked
    if checked[0] == "errors":
        # the one-call parse declines (it never reports), except for adjustments, validated after it
        # exactly as the checked path validates them
        if "adjustment" in name:
            with pytest.raises(ErrorList):
                fast(ev, c)
        else:
            assert fast(ev, c) is None


def test_the_fast_path_leaves_the_raw_evidence_as_it_was():
    raw = _set(_example_raw(), *WELL_FORMED["provenance"])
    before = copy.deepcopy(raw)
    work = parse_unit(evidence(raw), compiled())
    run_derivations(work, compiled())
    assert raw == before


def test_each_unit_gets_its_own_values():
    c = compiled()
    raw = _example_raw()
    one, two = parse_unit(evidence(raw), c), parse_unit(evidence(copy.deepcopy(raw)), c)
    one.observations["portal.annual_report"]["on_time"] = True
    one.lists[("_unit", "accounts")][0]["update_ok"] = True
    assert "on_time" not in two.observations["portal.annual_report"]
    assert "update_ok" not in two.lists[("_unit", "accounts")][0]


# --- the models read without an instance, and items whose __dict__ is their dump ------------------

class WithFraction(Item):
    share: Fraction = Fraction(1, 2)


class WithSerializer(Item):
    name: str

    @field_serializer("name")
    def _upper(self, v):
        return v.upper()


class WithComputed(Item):
    n: int = 1

    @computed_field
    @property
    def double(self) -> int:
        return 2 * self.n


class WithExtra(BaseModel):
    model_config = ConfigDict(extra="allow")
    n: int = 1


class WithAlias(Item):
    n: int = Field(1, serialization_alias="N")


class Nested(Item):
    inner: Optional[WithExtra] = None


class WithModelValidator(Item):
    n: int = 1

    @model_validator(mode="after")
    def _check(self):
        return self


class Plain(Item):
    n: int = 1
    label: Optional[str] = None
    days: list[dt.date] = Field(default_factory=list)
    ok: bool = False


class Judged(Item):
    level: Judgement = None
    n: int


def test_items_whose_dict_is_their_dump():
    for model in (Account, Message, RepostCheck, UnitInfo, Plain, WithModelValidator):
        assert _dumps_as_its_dict(model), model
    for model in (WithFraction, Judged, WithSerializer, WithComputed, WithExtra, WithAlias, Nested):
        assert not _dumps_as_its_dict(model), model


def test_models_read_as_typed_dicts():
    from pydantic_core import SchemaValidator

    # a model validator of mode "before" runs first in the typed dict too: RepostCheck's YAML 1.1 key on
    # (read by libyaml as True) is its field "on"
    for model, raw in ((Plain, {"n": "3", "days": ["2023-01-02"], "ok": "true"}), (Plain, {}), (Judged, {"level": "是", "n": 2}),
                       (Message, {"asked_at": "2023-01-02 10:00", "accurate": "否"}), (UnitInfo, {"id": 7, "name": "甲"}),
                       (RepostCheck, {True: "2023-02-15", "passed": "是"}), (RepostCheck, {"on": "2023-02-15", "passed": False})):
        schema = _as_typed_dict(model)
        assert schema is not None, model
        assert typed(SchemaValidator(schema).validate_python(raw)) == typed(model.model_validate(raw).__dict__)
    assert SchemaValidator(_as_typed_dict(RepostCheck)).validate_python({True: "2023-02-15", "passed": "是"}) == {
        "on": dt.date(2023, 2, 15), "passed": True}
    for model in (Account, WithModelValidator, WithExtra):   # after validators: the model runs them
        assert _as_typed_dict(model) is None, model


def test_the_usual_values_are_read_as_their_validators_read_them():
    # the one-call parse tries pydantic-core's own schemas first (true/false, a count, an ISO date text)
    # and calls the validator for anything else: the same values either way
    from pydantic_core import SchemaValidator

    from pydantic import ValidationError

    from govscore.core.facts import _fast_first
    from govscore.core.observations import Applicable, Count, Day, Flag, Observations, ProblemCount

    class Fields(Observations):
        count: Count = None
        problems: ProblemCount = 0
        flag: Flag = False
        applicable: Applicable = True
        day: Day = None

    fast = SchemaValidator(_fast_first(_as_typed_dict(Fields)))
    for raw in ({"count": 3, "problems": 0, "flag": True, "applicable": False, "day": "2023-02-28"},
                {"count": "3", "problems": None, "flag": "是", "applicable": None, "day": "2023/2/28"},
                {"count": 3.0, "flag": 0, "day": dt.date(2023, 2, 28)}, {"count": 10**12, "day": "2023-02-28 10:00"}, {}):
        assert typed(fast.validate_python(raw)) == typed(Fields.model_validate(raw).__dict__), raw
    # a default is a value, not a schema: the fast schema keeps it as it is
    from collections import OrderedDict

    class WithDefault(Observations):
        table: dict = OrderedDict(a=1)

    assert type(SchemaValidator(_fast_first(_as_typed_dict(WithDefault))).validate_python({})["table"]) is OrderedDict
    for bad in ({"count": -1}, {"count": 10**12 + 1}, {"count": True}, {"flag": "maybe"}, {"day": "2023-02-30"}):
        with pytest.raises(ValidationError):
            fast.validate_python(bad)
        with pytest.raises(ValidationError):
            Fields.model_validate(bad)


# --- build_facts ----------------------------------------------------------------------------------

def test_numbered_hashes_are_fnv1_32():
    for prefix in ("h-1.", "collide-429909.", "中db6z.", "é.3."):
        for signed in (True, False):
            # every count around the steps of the computation (one digit, two digits, three)
            for count in (0, 1, 9, 10, 11, 57, 99, 100, 101, 250):
                assert _numbered_hashes(prefix, count, signed) == [fnv1_32(f"{prefix}{n}", signed) for n in range(count)]


def _collide(ids: list[str]) -> bool:
    return any(len({fnv1_32(i, signed) for i in ids}) != len(ids) for signed in (True, False))


def test_numbered_ids_collide_as_their_hashes_do():
    for prefix, count in (("collide-429909.", 252), ("collide-429909.", 100), ("h-7.", 60), ("中db6z.", 30)):
        assert _numbered_ids_collide(prefix, count) == _collide([f"{prefix}{n}" for n in range(count)])
    assert _numbered_ids_collide("collide-429909.", 252)


class Code(int):
    pass


def test_encoding_matches_encode_value():
    values = {"t": True, "f": False, "zero": 0, "n": 12, "big": 10**12, "neg": -3, "half": Fraction(1, 2),
              "third": Fraction(1, 3), "negthird": Fraction(-1, 3), "tiny": Fraction(1, 3000), "one": Fraction(1),
              "float": 0.1, "day": dt.date(2023, 10, 7), "stamp": dt.datetime(2023, 10, 7, 9, 30), "none": None,
              "text": "x", "map": {"a": True}, "list": [1], "sub": Code(3)}
    fact: dict = {}
    _encode_into(fact, values)
    expected = {k: _encode_value(v) for k, v in values.items() if _encode_value(v) is not None}
    assert fact == expected and list(fact) == list(expected)
    assert all(type(v) is int for v in fact.values())


def test_build_facts_is_the_same_for_both_parses():
    c = compiled()
    for ev in load_evidence([EXAMPLES], c).units:
        shapes = []
        for parse in (parse_unit, _parse_unit_checked):
            work = parse(ev, c)
            run_derivations(work, c)
            uf = build_facts(work, c, "s-1")
            shapes.append(typed((uf.facts, uf.values, uf.fact_items, uf.missing)))
        assert shapes[0] == shapes[1]


# --- posting periods, timestamps, post dates -----------------------------------------------------

def reference_required(kind, period_start, period_end, as_of, opened_on=None, closed_on=None, weeks=None):
    step = {"publishing": 7, "service": 14}[kind] if weeks is None else 7 * weeks
    low = max(period_start, opened_on) if opened_on else period_start
    high = min(d for d in (period_end, closed_on, as_of) if d is not None)
    periods, start = [], period_start + dt.timedelta(days=(7 - period_start.weekday()) % 7)
    while start + dt.timedelta(days=step - 1) <= high:
        if start >= low:
            periods.append((start, start + dt.timedelta(days=step - 1)))
        start += dt.timedelta(days=step)
    return periods


def reference_missing(posts, *args, **kwargs):
    posts = sorted(parse_date(p) for p in posts)
    out = []
    for first, last in reference_required(*args, **kwargs):
        i = bisect_left(posts, first)
        if i == len(posts) or posts[i] > last:
            out.append((first, last))
    return out


days = st.dates(dt.date(2022, 6, 1), dt.date(2024, 6, 30))


@settings(PROFILE, max_examples=300)
@given(kind=st.sampled_from(["publishing", "service"]), start=days, length=st.integers(0, 500), as_of=days,
       opened_on=st.one_of(st.none(), days), closed_on=st.one_of(st.none(), days), weeks=st.one_of(st.none(), st.integers(1, 5)),
       posts=st.lists(st.one_of(days, days.map(dt.date.isoformat),
                                days.map(lambda d: dt.datetime.combine(d, dt.time(23, 30), dt.timezone.utc))), max_size=40))
def test_periods_match_the_reference(kind, start, length, as_of, opened_on, closed_on, weeks, posts):
    args = (kind, start, start + dt.timedelta(days=length), as_of, opened_on, closed_on)
    assert required_periods(*args, weeks=weeks) == reference_required(*args, weeks=weeks)
    assert missing_periods(posts, *args, weeks=weeks) == reference_missing(posts, *args, weeks=weeks)


def test_required_periods_are_a_new_list_each_time():
    args = ("publishing", dt.date(2023, 1, 1), dt.date(2023, 12, 31), dt.date(2023, 12, 31))
    first = required_periods(*args)
    first.clear()
    assert len(required_periods(*args)) == 52


def test_missing_periods_reads_posts_before_refusing_the_kind():
    with pytest.raises(ValueError, match="2023-02-30"):
        missing_periods(["2023-02-30"], "newsletter", dt.date(2023, 1, 1), dt.date(2023, 12, 31), dt.date(2023, 12, 31))


@pytest.mark.parametrize("text", ["2023-02-04 10:23", "2023-02-04T10:23:59", "2023-02-30 10:00", "2023-02-04 24:00",
                                  "2023-02-04 23:60", "2023-02-04 10:23:60", "0000-01-01 00:00", "9999-12-31 23:59",
                                  "2024-02-29 00:00", "2023-2-4 10:23", " 2023-02-04 10:23", "2023-02-04 10:23Z",
                                  "２０２３-02-04 10:23"])
def test_common_timestamps_read_as_the_general_path_reads_them(text):
    def read(f):
        try:
            got = f(text)
        except (ValueError, OverflowError) as exc:
            return ("error", str(exc))
        return (got, got.tzinfo, got.isoformat())

    assert read(parse_timestamp) == read(_parse_timestamp)


@pytest.mark.parametrize("posts", [["2023-01-03", "2023-12-31"], [], ["20230103xx"], ["2023-W01-1"], ["2023-01-03", 5],
                                   ["2023-02-30"], ["2023/1/3"], ["2023-01-03T10:00"], [dt.date(2023, 1, 3)]])
def test_post_dates_read_as_each_post_is_read(posts):
    raw = {"platform": "wechat", "name": "号", "kind": "publishing", "filed": True, "posts": posts}
    try:
        got = Account.model_validate(raw).posts
    except Exception as exc:  # noqa: BLE001 - compared below
        got = [(e["loc"], e["msg"]) for e in exc.errors()]
    try:
        expected = [parse_date(p) for p in posts]
    except ValueError:
        assert isinstance(got[0], tuple) and got[0][0][0] == "posts"
    else:
        assert got == expected and all(type(d) is dt.date for d in got)


def test_judgements_read_again_are_what_reading_gives():
    # a float or text judgement is read once per run and remembered; what comes back must be what reading gives
    from govscore.core.observations import _judgement

    for value, expected in ((0.5, Fraction(1, 2)), ("50%", Fraction(1, 2)), ("1/3", Fraction(1, 3)), ("是", 1), ("否", 0),
                            (1.0, 1), ("0.25", Fraction(1, 4))):
        first, again = _judgement(value), _judgement(value)
        assert first == again == expected and type(again) is Fraction
    for bad in (1.5, "1.5", "maybe", float("nan")):
        for _attempt in range(2):  # refused each time: an error is not remembered as a value
            with pytest.raises(ValueError):
                _judgement(bad)
