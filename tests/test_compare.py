"""``govscore compare OLD.json NEW.json`` (core/compare.py) on hand-computed values.

Old: the five-unit evidence of test_cli_support (u1 701/60 rank 1; u2 3 and u3 3 rank 2; u5 0 rank 4;
u4 failed). New, changed by hand:
  u1: the appeal adjustment withdrawn: t.other back to 11/6 (-1/2), total 701/60 - 1/2 = 671/60 (11.18), rank 1;
  u3: t.basic up recorded yes: 1/2 x 4 = 2 more, base 7, total 7 - 2 = 5, rank 2 (was 2: +0 places);
  u2: unchanged at 3, but now behind u3 alone: rank 3 (was 2: -1 place);
  u5: dropped from the new evidence; u6 庚镇: new, t.svc ok -> 3, total 3, rank 3 (tied with u2).
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from typer.testing import CliRunner

import test_cli_support as sup
from govscore.core import cli
from govscore.core.compare import compare_results, load_result
from govscore.core.errors import GovscoreError

runner = CliRunner()

NEW_EVIDENCE = (
    sup.EVIDENCE
    .replace("  adjustments:\n    - {indicator: t.other, points: 0.5, reason: 复核认定栏目已整改, decided_by: 区政务公开办, decided_on: 2024-01-15}\n", "")
    .replace("    t.area: {structured: true}\n    t.penalty: {notices: 1}\n",
             "    t.area: {structured: true}\n    t.basic: {up: true}\n    t.penalty: {notices: 1}\n")
    .split("- unit: {id: u5")[0]
    + "- unit: {id: u6, name: 庚镇, kind: town}\n  observations:\n    t.svc: {ok: true}\n"
)


@pytest.fixture
def results(tmp_path, monkeypatch):
    rules = sup.write_rules(tmp_path / "rules")
    monkeypatch.setenv("GOVSCORE_PLUGINS", sup.PLUGIN_SPEC)
    paths = []
    for name, text in (("old", sup.EVIDENCE), ("new", NEW_EVIDENCE)):
        ev = sup.write_evidence(tmp_path / f"{name}.yaml", text)
        out = tmp_path / f"{name}.json"
        r = runner.invoke(cli.app, ["score", str(ev), "--rules", str(rules), "-o", str(out), "--lang", "en"])
        assert r.exit_code == 1, r.output  # u4 fails in both
        paths.append(out)
    return paths


def test_compare_results_on_hand_computed_values(results):
    old, new = (load_result(p) for p in results)
    cmp = compare_results(old, new)
    by_id = {u.id: u for u in cmp.units}
    assert [u.id for u in cmp.units] == ["u1", "u3", "u2", "u6", "u5"]  # new order, then old-only units
    u1 = by_id["u1"]
    assert (u1.old_total, u1.new_total, u1.delta) == (Fraction(701, 60), Fraction(671, 60), Fraction(-1, 2))
    assert (u1.old_rank, u1.new_rank, u1.rank_change) == (1, 1, 0)
    assert [(lf.id, lf.old, lf.new, lf.delta) for lf in u1.changed_leaves] == [("t.other", Fraction(7, 3), Fraction(11, 6), Fraction(-1, 2))]
    u3 = by_id["u3"]
    assert (u3.delta, u3.rank_change) == (Fraction(2), 0)
    assert [(lf.id, lf.old, lf.new) for lf in u3.changed_leaves] == [("t.basic", Fraction(0), Fraction(2))]
    u2 = by_id["u2"]
    assert (u2.delta, u2.old_rank, u2.new_rank, u2.rank_change, u2.changed_leaves) == (Fraction(0), 2, 3, -1, [])
    assert (by_id["u6"].status, by_id["u6"].new_total, by_id["u6"].new_rank, by_id["u6"].delta) == ("added", Fraction(3), 3, None)
    assert (by_id["u5"].status, by_id["u5"].old_total, by_id["u5"].old_rank) == ("removed", Fraction(0), 4)


def test_compare_cli_text(results):
    r = runner.invoke(cli.app, ["compare", str(results[0]), str(results[1]), "--lang", "en"])
    assert r.exit_code == 0, r.output
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines() if line[:2] in ("u1", "u2", "u3", "u5", "u6")
            and len(line.split()) == 8}
    # id, name, old total, new total, change, old rank, new rank, places: every score with 2 decimals
    assert rows["u1"] == ["u1", "甲局", "11.68", "11.18", "-0.50", "1", "1", "0"]  # 701/60 -> 671/60
    assert rows["u3"] == ["u3", "丙局", "3.00", "5.00", "+2.00", "2", "2", "0"]
    assert rows["u2"] == ["u2", "乙镇", "3.00", "3.00", "0.00", "2", "3", "-1"]
    assert rows["u6"] == ["u6", "庚镇", "-", "3.00", "-", "-", "3", "-"]
    assert rows["u5"] == ["u5", "戊镇", "0.00", "-", "-", "4", "-", "-"]
    # u1's info leaves as the reports show them (apportioned to the category's 8.68, then 8.18):
    # t.basic 221/60 -> 3.68, t.other 7/3 -> 2.33 then 11/6 -> 1.83, t.third 8/3 -> 2.67
    assert "  t.other 其他信息: 2.33 -> 1.83 (-0.50)" in r.stdout
    assert "  t.basic 基本信息: 0.00 -> 2.00 (+2.00)" in r.stdout
    assert "u6 庚镇: only in the new result" in r.stdout and "u5 戊镇: only in the old result" in r.stdout
    assert "t.third" not in r.stdout  # unchanged leaves only with --all
    full = runner.invoke(cli.app, ["compare", str(results[0]), str(results[1]), "--all", "--lang", "en"]).stdout
    assert "  t.third 第三项: 2.67 -> 2.67 (0.00)" in full  # 8/3 both times


def test_compare_cli_json(results):
    r = runner.invoke(cli.app, ["compare", str(results[0]), str(results[1]), "--json"])
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    u1 = doc["units"][0]
    assert u1["delta"] == {"value": -0.5, "exact": "-0.5"} and u1["new_total"]["exact"] == "671/60"
    assert u1["indicators"] == [{"id": "t.other", "name": "其他信息", "old": {"value": 2.33, "exact": "7/3"},
                                 "new": {"value": 1.83, "exact": "11/6"}, "delta": {"value": -0.5, "exact": "-0.5"}}]
    assert doc["old"]["ruleset"] == doc["new"]["ruleset"] == "clitest"


def test_compare_refuses_what_is_not_a_result(tmp_path, results):
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    r = runner.invoke(cli.app, ["compare", str(results[0]), str(other), "--lang", "en"])
    assert r.exit_code == 2 and "is not a govscore JSON result" in r.stderr
    r = runner.invoke(cli.app, ["compare", str(results[0]), str(tmp_path / "none.json"), "--lang", "en"])
    assert r.exit_code == 2 and "does not exist" in r.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"units": [\n', encoding="utf-8")
    r = runner.invoke(cli.app, ["compare", str(broken), str(results[1]), "--lang", "en"])
    assert r.exit_code == 2 and f"{broken}:" in r.stderr and "malformed JSON" in r.stderr
    future = json.loads(results[0].read_text(encoding="utf-8"))
    future["schema_version"] = "3.0"
    fpath = tmp_path / "future.json"
    fpath.write_text(json.dumps(future), encoding="utf-8")
    with pytest.raises(GovscoreError) as info:
        load_result(fpath)
    assert info.value.params["version"] == "3.0" and "schema version" in info.value.msgid


def test_compare_draws_a_rich_table_on_a_terminal(results, monkeypatch):
    import io

    from rich.console import Console

    buf = io.StringIO()
    monkeypatch.setattr(cli, "stdout_console", lambda: Console(file=buf, force_terminal=True, width=160, color_system=None))
    r = runner.invoke(cli.app, ["compare", str(results[0]), str(results[1]), "--lang", "en"])
    assert r.exit_code == 0 and r.stdout == ""
    drawn = buf.getvalue()
    assert "│" in drawn or "┃" in drawn
    row = next(line for line in drawn.splitlines() if " u2 " in line)
    assert [c.strip() for c in row.strip("│┃ ").split("│")] == ["u2", "乙镇", "3.00", "3.00", "0.00", "2", "3", "-1"]
    assert "t.basic 基本信息: 0.00 -> 2.00 (+2.00)" in drawn


def _doc(units: list[dict]) -> dict:
    return {"schema_version": "2.0", "context": {"ruleset": "hand", "ruleset_hash": "0" * 64, "as_of": "2023-12-31"},
            "units": units, "failures": []}


def _num(value: float, exact: str) -> dict:
    return {"value": value, "exact": exact}


@pytest.fixture
def hand_results(tmp_path):
    """Two results written by hand: exact values with 3 decimals (as the reports never show them) and a
    displayed value apportioned upwards (10/3 shown as 3.34, as a report may show it to make parts add up).

    a 甲: total 92.325 (shown 92.33) -> 92.7 (92.70): change 0.375 -> +0.38 (half-up, though the shown
          totals differ by 0.37); x 2.125 (2.13) -> 2.5: +0.375 -> +0.38; y 10/3 shown 3.34 both times.
    b 乙: total 84.565 (84.57) -> 84.44: change -0.125 -> -0.13 (half away from zero); z 1.125 -> 1: -0.13.
    """
    old = _doc([
        {"id": "a", "name": "甲", "rank": 1, "total": _num(92.33, "92.325"),
         "indicators": [{"id": "x", "name": "某项", "score": _num(2.13, "2.125")}, {"id": "y", "name": "另项", "score": _num(3.34, "10/3")}]},
        {"id": "b", "name": "乙", "rank": 2, "total": _num(84.57, "84.565"),
         "indicators": [{"id": "z", "name": "三项", "score": _num(1.13, "1.125")}]},
    ])
    new = _doc([
        {"id": "a", "name": "甲", "rank": 1, "total": _num(92.7, "92.7"),
         "indicators": [{"id": "x", "name": "某项", "score": _num(2.5, "2.5")}, {"id": "y", "name": "另项", "score": _num(3.34, "10/3")}]},
        {"id": "b", "name": "乙", "rank": 2, "total": _num(84.44, "84.44"),
         "indicators": [{"id": "z", "name": "三项", "score": _num(1, "1")}]},
    ])
    paths = []
    for name, doc in (("old", old), ("new", new)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def test_compare_prints_the_displayed_values_and_rounded_changes(hand_results):
    r = runner.invoke(cli.app, ["compare", *map(str, hand_results), "--all", "--lang", "en"])
    assert r.exit_code == 0, r.output
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines() if line[:2] in ("a ", "b ") and len(line.split()) == 8}
    assert rows["a"] == ["a", "甲", "92.33", "92.70", "+0.38", "1", "1", "0"]
    assert rows["b"] == ["b", "乙", "84.57", "84.44", "-0.13", "2", "2", "0"]
    assert "  x 某项: 2.13 -> 2.50 (+0.38)" in r.stdout
    assert "  y 另项: 3.34 -> 3.34 (0.00)" in r.stdout  # the shown value, not 10/3 rounded again (3.33)
    assert "  z 三项: 1.13 -> 1.00 (-0.13)" in r.stdout
    for exact in ("92.325", "84.565", "0.375", "2.125", "0.125"):
        assert exact not in r.stdout


def test_compare_json_values_are_the_displayed_ones(hand_results):
    doc = json.loads(runner.invoke(cli.app, ["compare", *map(str, hand_results), "--json"]).stdout)
    a, b = doc["units"]
    assert (a["old_total"], a["new_total"], a["delta"]) == (_num(92.33, "92.325"), _num(92.7, "92.7"), _num(0.38, "0.375"))
    assert a["indicators"] == [{"id": "x", "name": "某项", "old": _num(2.13, "2.125"), "new": _num(2.5, "2.5"),
                                "delta": _num(0.38, "0.375")}]  # y did not change
    assert b["delta"] == _num(-0.13, "-0.125")
