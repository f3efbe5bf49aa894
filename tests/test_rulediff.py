"""``govscore rules diff OLD NEW`` (core/rulediff.py): indicators, weights, shares, thresholds, vetoes, settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import test_cli_support as sup
from govscore.core import cli
from govscore.core.plugins import load
from govscore.core.rulediff import diff_rulesets, flatten
from govscore.core.ruleset.loader import load_ruleset

runner = CliRunner()

BANDS_OLD = """\
  - id: t.svc
    name: 办事
    weight: 3
    criteria:
      - id: ok
        kind: bands
        observation: count
        bands:
          - {when: "[1..4]", share: 25%, label: 1-4次}
          - {when: "[5..]", share: 50%, label: 5次以上}
"""


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def pair(tmp_path):
    """Two versions of the clitest rule set; the new one changed by hand (see the expected list)."""
    a = sup.write_rules(tmp_path / "a")
    b = sup.write_rules(tmp_path / "b")
    for folder in (a, b):
        svc = folder / "service.yaml"
        svc.write_text(svc.read_text(encoding="utf-8").split("  - id: t.svc")[0] + BANDS_OLD, encoding="utf-8")
    for folder, n in ((a, 2), (b, 3)):
        edit(folder / "info.yaml", "  - id: t.other\n    name: 其他信息\n", f"  - id: t.other\n    name: 其他信息\n    settings: {{sample: {n}}}\n")
    edit(b / "ruleset.yaml", "policy: even", "policy: proportional")
    edit(b / "info.yaml", "    name: 基本信息\n    weight: 4", "    name: 基本信息\n    weight: 5")
    edit(b / "info.yaml", "{id: up, kind: judged, observation: up, share: 50%", "{id: up, kind: judged, observation: up, share: 40%")
    edit(b / "info.yaml", "{id: clean, kind: judged, observation: clean, share: 50%}", "{id: clean, kind: judged, observation: clean, share: 1/2}")
    edit(b / "info.yaml", "      - {id: falsified, kind: flag, observation: falsified}\n",
         "      - {id: stale, kind: stale, observation: last_updated, months: 6}\n")
    edit(b / "info.yaml", "  - id: t.third\n    name: 第三项", "  - id: t.fourth\n    name: 第四项")
    edit(b / "service.yaml", '{when: "[5..]", share: 50%', '{when: "[6..]", share: 50%')
    edit(b / "bonus.yaml", "cap: 2", "cap: 3")
    return a, b


def test_diff_lists_every_change_with_its_place(pair, english):
    a, b = pair
    changes = diff_rulesets(load_ruleset(a), load_ruleset(b))
    got = [(c.kind, c.scope, "/".join(x for x in (c.subject, c.section, c.entry) if x), c.field, c.old, c.new) for c in changes]
    assert got == [
        ("changed", "ruleset", "clitest", "scoring.normalisation.policy", "even", "proportional"),
        ("changed", "category", "bonus", "cap", "2", "3"),
        ("added", "entry", "t.area/vetoes/stale", "", None, "stale, observation last_updated, months 6"),
        ("removed", "entry", "t.area/vetoes/falsified", "", "flag, observation falsified", None),
        ("changed", "indicator", "t.basic", "weight", "4", "5"),
        ("changed", "entry", "t.basic/criteria/up", "share", "50%", "40%"),
        # clean: 50% -> 1/2 is the same share: no change
        ("changed", "indicator", "t.other", "settings.sample", "2", "3"),
        ("added", "indicator", "t.fourth", "", None, "第四项, 1 points"),
        ("changed", "entry", "t.svc/criteria/ok", "bands[2].when", "[5..]", "[6..]"),
        ("removed", "indicator", "t.third", "", "第三项, 1 points", None),
    ]
    where = {(c.subject, c.entry, c.field): c.location.render() for c in changes}
    assert where[("t.basic", None, "weight")] == f"{b / 'info.yaml'}:13"
    assert where[("t.basic", "up", "share")] == f"{b / 'info.yaml'}:15"
    assert where[("t.third", None, "")] == f"{a / 'info.yaml'}:25"  # a removal points into the old rule set
    assert where[("t.other", None, "settings.sample")] == f"{b / 'info.yaml'}:21"
    assert where[("t.svc", "ok", "bands[2].when")] == f"{b / 'service.yaml'}:12"


def test_identical_rule_sets_have_no_differences(tmp_path):
    a = sup.write_rules(tmp_path / "a")
    b = sup.write_rules(tmp_path / "b")
    assert diff_rulesets(load_ruleset(a), load_ruleset(b)) == []
    r = runner.invoke(cli.app, ["rules", "diff", str(a), str(b), "--lang", "en"])
    assert r.exit_code == 0 and r.stdout.splitlines()[-1] == "no differences"


def test_rules_diff_cli_text_and_json(pair):
    a, b = pair
    r = runner.invoke(cli.app, ["rules", "diff", str(a), str(b), "--lang", "en"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[1] == "2 added, 2 removed, 6 changed"
    assert f"  {b / 'info.yaml'}:13: changed indicator t.basic weight: 4 -> 5" in lines
    assert f"  {b / 'info.yaml'}:15: changed indicator t.basic criterion up share: 50% -> 40%" in lines
    assert f"  {b / 'service.yaml'}:12: changed indicator t.svc criterion ok bands[2].when: [5..] -> [6..]" in lines
    assert f"  {a / 'info.yaml'}:25: removed indicator t.third: 第三项, 1 points" in lines
    assert f"  {b / 'info.yaml'}:21: changed indicator t.other settings.sample: 2 -> 3" in lines
    doc = json.loads(runner.invoke(cli.app, ["rules", "diff", str(a), str(b), "--json"]).stdout)
    assert len(doc["changes"]) == 10
    assert doc["changes"][0] == {"kind": "changed", "scope": "ruleset", "subject": "clitest", "section": None, "entry": None,
                                 "field": "scoring.normalisation.policy",
                                 "old": "even", "new": "proportional", "location": {"file": str(b / "ruleset.yaml"), "line": 8}}
    assert doc["old"]["hash"] != doc["new"]["hash"]


def test_rules_diff_in_chinese_by_default(pair):
    a, b = pair
    r = runner.invoke(cli.app, ["rules", "diff", str(a), str(b)], env={"GOVSCORE_LANG": None})
    assert "新增 2 项，删除 2 项，变更 6 项" in r.stdout
    assert f"{b / 'info.yaml'}:13: 变更 指标 t.basic weight：4 -> 5" in r.stdout


def test_diff_against_the_shipped_rule_set_by_name(tmp_path):
    child = tmp_path / "child"
    child.mkdir()
    (child / "ruleset.yaml").write_text("name: 2024-child\ntitle: 2024年试行\nextends: 2023-zengdu\n", encoding="utf-8")
    (child / "overrides.yaml").write_text("indicators:\n  - id: disclosure.overview\n    weight: 3\n", encoding="utf-8")
    known = load().ruleset_paths()
    changes = diff_rulesets(load_ruleset("2023-zengdu", known), load_ruleset(child, known))
    # the title is the child's own; run defaults and scoring settings are inherited, so unchanged
    assert [(c.kind, c.subject, c.field, c.old, c.new) for c in changes] == [
        ("changed", "2024-child", "title", "2023年曾都区政府门户网站建设及政务新媒体绩效评估指标", "2024年试行"),
        ("changed", "disclosure.overview", "weight", "2", "3")]
    assert changes[0].location.render() == f"{child / 'ruleset.yaml'}:2"
    assert changes[1].location.render() == f"{child / 'overrides.yaml'}:3"
    r = runner.invoke(cli.app, ["rules", "diff", "2023-zengdu", str(child), "--lang", "en"])
    assert r.exit_code == 0 and "changed indicator disclosure.overview weight: 2 -> 3" in r.stdout
    r = runner.invoke(cli.app, ["rules", "diff", "2023-zengdu", "no-such-set", "--lang", "en"])
    assert r.exit_code == 2 and "rule set no-such-set not found" in r.stderr


def test_flatten_keys_lists_by_id_or_position():
    assert flatten({"a": {"b": 1}, "c": [{"id": "x", "v": 2}], "d": [{"when": "[0..1]"}], "e": [1, 2]}) == {
        "a.b": 1, "c[x].v": 2, "d[1].when": "[0..1]", "e": [1, 2]}


def test_list_positions_are_one_based_the_way_people_count():
    """One convention for positions in rule files: the first band is bands[1], in rules diff and in the
    field of a validate error (yamlio.loc_text turns a pydantic loc into the same text)."""
    from govscore.core.yamlio import loc_text

    bands = {"bands": [{"when": "[0..1]", "share": "50%"}, {"when": "(1..5]", "share": "150%"}]}
    assert "bands[2].share" in flatten(bands)
    assert loc_text(("bands", 1, "share")) == "bands[2].share"
    assert loc_text(("bands", 1, "share"), bands, prefix="portal.consultation.reply") == "portal.consultation.reply.bands[2].share"
    assert loc_text(("levels", 3), {"levels": {3: "高"}}) == "levels.3"  # an integer key of a mapping is no position
    assert loc_text(("indicators", 0, "weight")) == "indicators[1].weight"
