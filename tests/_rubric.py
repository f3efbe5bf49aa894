"""Helpers shared by the per-indicator tests of the 2023 rule set (tests/test_rubric_*.py).

Each test writes its units as real YAML evidence and scores it through the runner, on both engines.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from govscore.core.runner import RunOptions, RunResult, run

ENGINES = ("durable", "reference")


def run_text(tmp_path: Path, engine: str, text: str, rules: str | None = None, as_of: _dt.date | None = None,
             calendar_files=()) -> RunResult:
    """Score the units of `text` (YAML written to tmp_path/units.yaml) with the 2023 rule set or `rules`."""
    path = tmp_path / "units.yaml"
    path.write_text(text, encoding="utf-8")
    opts = RunOptions(engine=engine, as_of=as_of, calendar_files=list(calendar_files))
    if rules is not None:
        opts.rules = rules
    return run([path], opts)


def score(tmp_path: Path, engine: str, text: str, rules: str | None = None, as_of: _dt.date | None = None,
          calendar_files=()) -> dict:
    """Like :func:`run_text`, but every unit must score. Returns unit id -> UnitResult."""
    res = run_text(tmp_path, engine, text, rules, as_of, calendar_files)
    assert not res.failures, [m for f in res.failures for m in f.messages()]
    return {u.unit_id: u for u in res.units}


def failure_messages(tmp_path: Path, engine: str, text: str, rules: str | None = None, calendar_files=()) -> list[str]:
    """Every error message of the units of `text` that could not be scored."""
    res = run_text(tmp_path, engine, text, rules, None, calendar_files)
    return [m for f in res.failures for m in f.messages()]


def leaf(unit, indicator: str):
    return next(x for x in unit.indicators if x.id == indicator)


def audit(lf, entry: str):
    """The first audit record of `entry` in leaf result `lf`."""
    return next(a for a in lf.audit if a.entry == entry)


def child_ruleset(tmp_path: Path, indicators_yaml: str, header_extra: str = "") -> str:
    """A rule set extending 2023-zengdu with `indicators_yaml` as its one rule file; returns its folder."""
    folder = tmp_path / "child"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(f"name: test-child\nextends: 2023-zengdu\n{header_extra}", encoding="utf-8")
    if indicators_yaml:
        (folder / "overrides.yaml").write_text(indicators_yaml, encoding="utf-8")
    return str(folder)
