"""Rule files: errors name file, line and field; extends by path and by name; a child overrides one
criterion by id."""

from __future__ import annotations

import textwrap
from fractions import Fraction as F
from pathlib import Path

import pytest

from govscore.core.errors import ErrorList, GovscoreError, RuleSetError
from govscore.core.ruleset.loader import load_ruleset
from govscore.core.runner import RunOptions, prepare
from plugins_for_tests import cases

HEADER = """\
name: broken
run:
  period: {start: 2023-01-01, end: 2023-12-31}
"""

BASE = """\
category: {id: base, name: 基础指标, kind: base}
indicators:
  - id: t.judged
    name: 判断
    weight: 10
    criteria:
      - id: first
        observation: a
        share: 50%
"""


def write_set(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def errors_of(folder: Path) -> list[GovscoreError]:
    with pytest.raises(GovscoreError) as info:
        prepare(RunOptions(rules=str(folder)), cases.registry())
    err = info.value
    return list(err.errors) if isinstance(err, ErrorList) else [err]


def one(errors: list[GovscoreError], field: str) -> GovscoreError:
    hits = [e for e in errors if e.field == field]
    assert len(hits) == 1, [e.render() for e in errors]
    return hits[0]


def test_the_base_of_these_tests_is_valid(tmp_path):
    folder = write_set(tmp_path / "ok", {"ruleset.yaml": HEADER, "base.yaml": BASE})
    assert [r.rule_id for r in prepare(RunOptions(rules=str(folder)), cases.registry()).rules] == ["t.judged:first"]


def test_a_misspelt_criterion_key_names_file_line_and_field(tmp_path):
    folder = write_set(tmp_path / "s", {"ruleset.yaml": HEADER, "base.yaml": BASE.replace("observation: a", "observaton: a")})
    errors = errors_of(folder)
    err = one(errors, "t.judged.first.observaton")
    # observaton is on line 8 of base.yaml
    assert (err.location.file, err.location.line) == (str(folder / "base.yaml"), 8)
    assert err.render().startswith(f"{folder / 'base.yaml'}:8: ")
    assert "t.judged.first.observaton" in err.render() and "unknown field observaton" in err.message()
    # and the real key is reported missing, at the entry's line (7)
    missing = one(errors, "t.judged.first.observation")
    assert missing.location.line == 7 and "required field observation is missing" in missing.message()


def test_a_misspelt_indicator_key_names_file_line_and_field(tmp_path):
    folder = write_set(tmp_path / "s", {"ruleset.yaml": HEADER, "base.yaml": BASE.replace("weight: 10", "wieght: 10")})
    err = one(errors_of(folder), "t.judged.wieght")
    assert err.render().startswith(f"{folder / 'base.yaml'}:5: ")
    assert "t.judged.wieght" in err.render() and "unknown field wieght" in err.message()


def test_a_misspelt_ruleset_key_names_file_line_and_field(tmp_path):
    folder = write_set(tmp_path / "s", {"ruleset.yaml": HEADER + "scorng: {final_floor: 0}\n", "base.yaml": BASE})
    err = one(errors_of(folder), "scorng")
    assert err.render().startswith(f"{folder / 'ruleset.yaml'}:4: ")
    assert "scorng" in err.render() and "unknown field scorng" in err.message()


def test_a_share_above_100_percent_is_an_error(tmp_path):
    folder = write_set(tmp_path / "s", {"ruleset.yaml": HEADER, "base.yaml": BASE.replace("share: 50%", "share: 150%")})
    err = one(errors_of(folder), "t.judged.first.share")
    assert (err.location.file, err.location.line) == (str(folder / "base.yaml"), 9)
    assert "a share cannot exceed 100%, found '150%'" in err.message()


BANDS = """\
category: {id: base, name: 基础指标, kind: base}
indicators:
  - id: t.bands_unique
    name: 准确率
    weight: 10
    criteria:
      - id: accuracy
        kind: bands
        observation: rate
        hit_policy: UNIQUE
        bands:
          - {when: "[0..5]", share: 50%, label: 低}
          - {when: "[5..10]", share: 100%, label: 高}
"""


def test_overlapping_bands_under_unique_are_an_error_naming_both(tmp_path):
    folder = write_set(tmp_path / "s", {"ruleset.yaml": HEADER, "bands.yaml": BANDS})
    err = one(errors_of(folder), "t.bands_unique.accuracy.bands")
    # [0..5] and [5..10] share the value 5
    assert err.location.line == 11
    assert "under hit_policy UNIQUE the bands must not overlap; found band 1 [0..5] (低) overlapping band 2 [5..10] (高)" in err.message()


@pytest.mark.parametrize("first, second, policy, overlap", [
    ("[0..5]", "(5..10]", "UNIQUE", False),   # adjacent, 5 in the first only
    ("<5", ">=5", "UNIQUE", False),
    ("(0..1)", "0.5", "UNIQUE", True),        # 0.5 lies inside (0..1)
    (">10", ">=20", "UNIQUE", True),
    ("[0..5]", "[5..10]", "FIRST", False),    # FIRST resolves an overlap by order: not an error
])
def test_band_overlap_check(tmp_path, first, second, policy, overlap):
    text = BANDS.replace("[0..5]", first).replace("[5..10]", second).replace("UNIQUE", policy)
    folder = write_set(tmp_path / "s", {"ruleset.yaml": HEADER, "bands.yaml": text})
    if overlap:
        assert "must not overlap" in one(errors_of(folder), "t.bands_unique.accuracy.bands").message()
    else:
        assert len(prepare(RunOptions(rules=str(folder)), cases.registry()).rules) == 2


@pytest.mark.parametrize("when, refused", [
    ("<5000000000000000", True),        # 5 x 10**15: its code (10**19) is beyond durable's 64-bit integers
    ("[-1000000000001..0]", True),
    ("<=1000000000000", False),         # 10**12, the largest count, is the largest threshold
    ("[-1000000000000..0]", False),
])
def test_a_threshold_beyond_10_to_the_12_is_refused_where_it_is_written(tmp_path, when, refused):
    text = BANDS.replace("[0..5]", when).replace("UNIQUE", "FIRST")
    folder = write_set(tmp_path / "s", {"ruleset.yaml": HEADER, "bands.yaml": text})
    if refused:
        err = one(errors_of(folder), "t.bands_unique.accuracy.bands[1].when")
        assert "1000000000000" in err.message() and (err.location.file, err.location.line) == (str(folder / "bands.yaml"), 12)
    else:
        assert len(prepare(RunOptions(rules=str(folder)), cases.registry()).rules) == 2


def test_extends_naming_a_missing_rule_set_names_the_file_and_line_of_extends(tmp_path):
    folder = write_set(tmp_path / "child", {"ruleset.yaml": "# a child\nname: child\nextends: no-such-set\n"})
    with pytest.raises(RuleSetError) as info:
        load_ruleset(folder, cases.registry().ruleset_paths())
    err = info.value
    assert (err.location.file, err.location.line, err.field) == (str(folder / "ruleset.yaml"), 3, "extends")
    assert err.render().startswith(f"{folder / 'ruleset.yaml'}:3: ")
    assert "rule set no-such-set not found" in err.message()


def test_extends_by_relative_path_and_by_name():
    known = cases.registry().ruleset_paths()
    assert known["test-normalise-even"] == cases.RULESETS / "normalise_even"
    by_path = load_ruleset(cases.RULESETS / "normalise_proportional", known)
    by_name = load_ruleset(cases.RULESETS / "normalise_by_group", known)
    assert by_path.chain == ["test-normalise-even", "test-normalise-proportional"]
    assert by_name.chain == ["test-normalise-even", "test-normalise-by-group"]
    # both inherit the parent's indicators and run period, and change only the policy
    for rs, policy in ((by_path, "proportional"), (by_name, "even_by_group")):
        assert [lf.id for lf in rs.leaves] == ["t.n1", "t.n2", "t.n3", "t.n4", "t.n5"]
        assert rs.header.scoring.normalisation.policy == policy
        assert (rs.header.run.period.start.isoformat(), rs.header.run.period.end.isoformat()) == ("2023-01-01", "2023-12-31")


def test_a_child_overrides_one_criterions_bands_by_id():
    compiled = cases.compiled("bands_child")
    assert compiled.ruleset.chain == ["test-bands", "test-bands-child"]
    delay = [r for r in compiled.rules if r.entry == "delay"]
    # the child's two bands replace the parent's five; the entry now points at the child's file
    assert [(r.label, r.share) for r in delay] == [("[0..5]", 1), (">5", F(2, 5))]
    assert delay[0].file == str(cases.RULESETS / "bands_child" / "override.yaml")
    # the other criterion (t.bands_unique) is the parent's, untouched: six bands
    assert len([r for r in compiled.rules if r.entry == "accuracy"]) == 6
    results, failures = cases.score("bands_child")
    assert failures == []
    # delay: days <= 5 -> 100% x 10 = 10, days > 5 -> 40% x 10 = 4; accuracy as in the parent
    # b1 10 + 5; b2 10 + 2; b3 10 + 10; b4 4 + 0; b5 4 + 10; b6 4 + 0; b7 10 + 0; b8 4 + 0
    assert {u: r.total for u, r in results.items()} == {"b1": 15, "b2": 12, "b3": 20, "b4": 4, "b5": 14, "b6": 4, "b7": 10, "b8": 4}
