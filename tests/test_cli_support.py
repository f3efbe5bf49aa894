"""Shared pieces of the CLI tests: a test plugin, a small rule set, evidence with hand-computed scores.

The test plugin (this module, registered as plugin "cli_test") declares six indicators; the rule set
``clitest`` (written by :func:`write_rules`) uses them in two base categories, a bonus and a
deduction category. :data:`EVIDENCE` holds five units; their scores are computed by hand below, and
the tests in test_cli.py, test_json_schema.py and test_compare.py check them.

Rule set (points):
  info 信息公开 (base): t.area 5 (applicability; structured judged 100%; veto falsified),
                         t.basic 4 (up 50%, clean 50%; deduction defects 10% per occurrence),
                         t.other 2 (ok 50%: shares sum to 50%), t.third 1 (fine 100%)
  service 办事服务 (base): t.svc 3 (ok 100%)
  bonus 加分 (bonus, cap 2): t.bonus 5 (award 100%)
  penalty 扣分 (deduction, cap 3): t.penalty 4 (notices: 50% of 4 = 2 per notice; leaf cap 4)

u1 甲局 (department): t.area not applicable: its 5 points move evenly to the 3 other info leaves, +5/3 each.
  t.basic  eff 4 + 5/3 = 17/3: up yes 1/2 x 17/3 = 17/6; clean 0.5 -> 0.5 x 1/2 x 17/3 = 17/12;
           defects 1 -> -1/10 x 17/3 = -17/30; 170/60 + 85/60 - 34/60 = 221/60 (3.6833...)
  t.other  eff 2 + 5/3 = 11/3: ok yes -> 1/2 x 11/3 = 11/6; appeal +0.5 -> 7/3 (within [0, 11/3])
  t.third  eff 1 + 5/3 = 8/3: fine yes -> 8/3
  info = 221/60 + 7/3 + 8/3 = 521/60; service: t.svc yes -> 3; base = 701/60 (11.6833...)
  bonus: award yes -> 5, capped at 2; penalty: 1 notice -> -2; total = 701/60 + 2 - 2 = 701/60 -> 11.68
u2 乙镇 (town): t.area structured yes but falsified -> vetoed 0; t.basic up yes 2 + clean yes 2 = 4;
  t.other ok yes 1; t.third fine yes 1; info 6; service t.svc no -> 0; base 6; bonus award no -> 0;
  penalty 3 notices -> 3 x 2 = 6, leaf cap 4 -> -4, category cap 3 -> -3; total 6 - 3 = 3
u3 丙局 (department): t.area structured yes -> 5; nothing else recorded (missing); base 5;
  penalty 1 notice -> -2; total 3 (tied with u2: both rank 2, u2 listed first by id; next rank 4)
u4 丁局: malformed (up: "maybe") -> fails alone, exit 1
u5 戊镇 (town): nothing recorded but 1 notice: base 0, penalty -2, raw total -2 -> floor 0 (+2 floor line)
Ranks: u1 1, u2 2, u3 2, u5 4. By kind: departments u1 1, u3 2; towns u2 1, u5 2.
"""

from __future__ import annotations

import sys
import textwrap
from fractions import Fraction
from pathlib import Path

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.observations import Applicable, Flag, Judgement, Observations, ProblemCount


class AreaEvidence(Observations):
    applicable: Applicable = True
    structured: Judgement = None
    falsified: Flag = False


class BasicEvidence(Observations):
    up: Judgement = None
    clean: Judgement = None
    defects: ProblemCount = 0


class OtherEvidence(Observations):
    ok: Judgement = None


class ThirdEvidence(Observations):
    fine: Judgement = None


class BonusEvidence(Observations):
    award: Judgement = None


class PenaltyEvidence(Observations):
    notices: ProblemCount = 0


@hookimpl
def register_indicators(register):
    register(IndicatorSpec("t.area", AreaEvidence, display_name="重点领域"))
    register(IndicatorSpec("t.basic", BasicEvidence, display_name="基本信息"))
    register(IndicatorSpec("t.other", OtherEvidence, display_name="其他信息"))
    register(IndicatorSpec("t.third", ThirdEvidence, display_name="第三项"))
    register(IndicatorSpec("t.svc", OtherEvidence, display_name="办事"))
    register(IndicatorSpec("t.bonus", BonusEvidence, display_name="表彰"))
    register(IndicatorSpec("t.penalty", PenaltyEvidence, display_name="通报"))


def write_units_csv(run, path, options=None) -> None:
    """A report format contributed by a plugin: one line per unit, id and exact total."""
    from govscore.core.numbers import exact_str
    from govscore.core.reports.base import atomic_write_bytes

    lines = ["id,rank,total"] + [f"{u.unit_id},{u.rank},{exact_str(u.total)}" for u in run.units]
    atomic_write_bytes(Path(path), ("\n".join(lines) + "\n").encode("utf-8"))


@hookimpl
def register_report_writers(register):
    from govscore.core.reports.base import ReportWriter

    register("units-csv", ReportWriter("units-csv", ".csv", write_units_csv, "units and totals as CSV"))


PLUGIN = sys.modules[__name__]

RULESET_YAML = """\
name: clitest
title: CLI 测试规则
run:
  period: {start: 2023-01-01, end: 2023-12-31}
  as_of: 2023-12-31
scoring:
  final_floor: 0
  normalisation: {policy: even}
"""

INFO_YAML = """\
category: {id: info, name: 信息公开, kind: base, order: 1}
indicators:
  - id: t.area
    name: 重点领域
    weight: 5
    applicability: {observation: applicable}
    criteria:
      - {id: structured, kind: judged, observation: structured, share: 100%, text: "栏目体系合理"}
    vetoes:
      - {id: falsified, kind: flag, observation: falsified}
  - id: t.basic
    name: 基本信息
    weight: 4
    criteria:
      - {id: up, kind: judged, observation: up, share: 50%, text: "1.及时更新，50%"}
      - {id: clean, kind: judged, observation: clean, share: 50%}
    deductions:
      - {id: defects, kind: deduction, observation: defects, rate: 10%}
  - id: t.other
    name: 其他信息
    weight: 2
    criteria:
      - {id: ok, kind: judged, observation: ok, share: 50%}
  - id: t.third
    name: 第三项
    weight: 1
    criteria:
      - {id: fine, kind: judged, observation: fine, share: 100%}
"""

SERVICE_YAML = """\
category: {id: service, name: 办事服务, kind: base, order: 2}
indicators:
  - id: t.svc
    name: 办事
    weight: 3
    criteria:
      - {id: ok, kind: judged, observation: ok, share: 100%}
"""

BONUS_YAML = """\
category: {id: bonus, name: 加分指标, kind: bonus, cap: 2, order: 3}
indicators:
  - id: t.bonus
    name: 表彰
    weight: 5
    criteria:
      - {id: award, kind: judged, observation: award, share: 100%}
"""

PENALTY_YAML = """\
category: {id: penalty, name: 扣分指标, kind: deduction, cap: 3, order: 4}
indicators:
  - id: t.penalty
    name: 通报
    weight: 4
    deductions:
      - {id: notices, kind: deduction, observation: notices, rate: 50%}
"""

EVIDENCE = """\
- unit: {id: u1, name: 甲局, kind: department}
  observations:
    t.area: {applicable: false}
    t.basic: {up: true, clean: {value: 0.5, source: "https://a.example/col", checked_at: 2023-11-20, note: 栏目内容部分相关}, defects: 1}
    t.other: {ok: true}
    t.third: {fine: true}
    t.svc: {ok: true}
    t.bonus: {award: true}
    t.penalty: {notices: 1}
  adjustments:
    - {indicator: t.other, points: 0.5, reason: 复核认定栏目已整改, decided_by: 区政务公开办, decided_on: 2024-01-15}
- unit: {id: u2, name: 乙镇, kind: town}
  observations:
    t.area: {structured: true, falsified: true}
    t.basic: {up: true, clean: true}
    t.other: {ok: true}
    t.third: {fine: true}
    t.svc: {ok: false}
    t.bonus: {award: false}
    t.penalty: {notices: 3}
- unit: {id: u3, name: 丙局, kind: department}
  observations:
    t.area: {structured: true}
    t.penalty: {notices: 1}
- unit: {id: u4, name: 丁局, kind: department}
  observations:
    t.basic: {up: maybe}
- unit: {id: u5, name: 戊镇, kind: town}
  observations:
    t.penalty: {notices: 1}
"""

# hand-computed exact results (see the module docstring)
U1_TOTAL = Fraction(701, 60)
U1_BASIC = Fraction(221, 60)
U1_OTHER_COMPUTED = Fraction(11, 6)
U1_OTHER_FINAL = Fraction(7, 3)
U1_THIRD = Fraction(8, 3)


def write_rules(folder: Path) -> Path:
    """Write the ``clitest`` rule set into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ruleset.yaml").write_text(RULESET_YAML, encoding="utf-8")
    (folder / "info.yaml").write_text(INFO_YAML, encoding="utf-8")
    (folder / "service.yaml").write_text(SERVICE_YAML, encoding="utf-8")
    (folder / "bonus.yaml").write_text(BONUS_YAML, encoding="utf-8")
    (folder / "penalty.yaml").write_text(PENALTY_YAML, encoding="utf-8")
    return folder


def write_evidence(path: Path, text: str = EVIDENCE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


PLUGIN_SPEC = f"{__name__}:PLUGIN"
"""GOVSCORE_PLUGINS value that registers this module's test plugin."""


# --- a standalone rule set that only needs the built-in disclosure.overview plugin (subprocess tests) ---

OVERVIEW_RULESET = """\
name: overview-only
title: 概况信息测试
run:
  period: {start: 2023-01-01, end: 2023-12-31}
"""

OVERVIEW_RULES = """\
category: {id: disclosure, name: 政府信息公开, kind: base, order: 1}
indicators:
  - id: disclosure.overview
    name: 概况信息
    group: 基本信息公开
    weight: 2
    criteria:
      - {id: up_to_date, kind: judged, observation: up_to_date, share: 50%}
      - {id: consistent, kind: judged, observation: consistent, share: 50%}
"""

# a: 1 + 0.5 x 1 = 1.5, +0.25 on appeal -> 1.75; b: 1 (consistent missing); c: 1/3 x 1 + 1 = 4/3 (1.33);
# d: malformed
OVERVIEW_EVIDENCE = """\
- unit: {id: a, name: 甲局, kind: department}
  observations:
    disclosure.overview: {up_to_date: true, consistent: {value: 0.5, source: "https://x.example/", checked_at: 2023-11-20}}
  adjustments:
    - {indicator: disclosure.overview, points: 0.25, reason: 复核认定栏目已更新, decided_by: 区政务公开办, decided_on: 2024-01-15}
- unit: {id: b, name: 乙镇, kind: town}
  observations:
    disclosure.overview: {up_to_date: true}
- unit: {id: c, name: 丙街道, kind: town}
  observations:
    disclosure.overview: {up_to_date: 1/3, consistent: true}
"""

OVERVIEW_BAD_UNIT = """\
- unit: {id: d, name: 丁局}
  observations:
    disclosure.overview: {up_to_date: maybe}
"""


def write_overview_rules(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ruleset.yaml").write_text(OVERVIEW_RULESET, encoding="utf-8")
    (folder / "disclosure.yaml").write_text(OVERVIEW_RULES, encoding="utf-8")
    return folder


def install_test_plugin(site: Path) -> Path:
    """Lay this module out as an installed third-party plugin under `site` (module + dist-info with a
    ``govscore.plugins`` entry point), so that a subprocess with PYTHONPATH=site loads it like pip's."""
    import shutil

    site.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__), site / "govscore_cli_test_plugin.py")
    info = site / "govscore_cli_test_plugin-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: govscore-cli-test-plugin\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[govscore.plugins]\ncli_test = govscore_cli_test_plugin\n", encoding="utf-8")
    (info / "top_level.txt").write_text("govscore_cli_test_plugin\n", encoding="utf-8")
    (info / "RECORD").write_text("", encoding="utf-8")
    return site


def subprocess_env(site: Path | None = None, **extra: str) -> dict:
    """The environment of a CLI subprocess: no GOVSCORE_* from outside, the test plugin on PYTHONPATH."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVSCORE_") and k not in ("PYTHONPATH", "LANG", "LC_ALL")}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    env.update(extra)
    return env


def run_cli(args, cwd: Path, env: dict, module: bool = True):
    """``python -m govscore.core.cli ARGS`` (or the ``govscore`` console script) in a subprocess."""
    import subprocess

    head = [sys.executable, "-m", "govscore.core.cli"] if module else [str(Path(sys.executable).parent / "govscore")]
    return subprocess.run(head + [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
                          encoding="utf-8")


def cli_env(tmp_path, monkeypatch):
    """The clitest rule set, the five-unit evidence, and the CLI loading the test plugin (in Chinese,
    unless a test asks otherwise); a namespace with rules, ev (the evidence file) and tmp."""
    import types

    rules = write_rules(tmp_path / "rules")
    ev = write_evidence(tmp_path / "units.yaml")
    monkeypatch.setenv("GOVSCORE_PLUGINS", PLUGIN_SPEC)
    monkeypatch.delenv("GOVSCORE_LANG", raising=False)
    monkeypatch.delenv("GOVSCORE_DEBUG", raising=False)
    return types.SimpleNamespace(rules=rules, ev=ev, tmp=tmp_path)
