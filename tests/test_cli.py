"""The govscore CLI through typer's CliRunner: every command, option and exit code.

Scores are checked against the hand computation in test_cli_support.py (module docstring). Most tests
run in English (--lang en) so that sentences can be asserted; test_i18n.py covers the Chinese default.
"""

from __future__ import annotations

import io
import json
import os
import sys
import types
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

import test_cli_support as sup
from govscore.core import cli
from govscore.core.errors import ExitCode

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    return sup.cli_env(tmp_path, monkeypatch)


def invoke(*args, env=None):
    return runner.invoke(cli.app, [str(a) for a in args], env=env)


def good_evidence(env) -> Path:
    """The evidence without the malformed unit u4 (every other unit scores)."""
    text = sup.EVIDENCE.split("- unit: {id: u4")[0] + "- unit: {id: u5" + sup.EVIDENCE.split("- unit: {id: u5")[1]
    return sup.write_evidence(env.tmp / "good.yaml", text)


def ranking_rows(stdout: str) -> list[list[str]]:
    """Rows of the plain ranking table (lines after the header that start with a rank)."""
    rows = []
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[0].isdigit() and parts[1].startswith("u"):
            rows.append(parts)
    return rows


# --- score -----------------------------------------------------------------------------------------


def test_score_prints_ranking_with_ties_and_lists_failures(env):
    r = invoke("score", env.ev, "--rules", env.rules, "--lang", "en")
    assert r.exit_code == ExitCode.UNIT_ERRORS == 1
    rows = ranking_rows(r.stdout)
    # rank, id, name, total, base, bonus, deductions, 信息公开, 办事服务
    assert [row[:2] for row in rows] == [["1", "u1"], ["2", "u2"], ["2", "u3"], ["4", "u5"]]
    assert rows[0][3:] == ["11.68", "11.68", "2.00", "2.00", "8.68", "3.00"]  # 701/60, 701/60, cap 2, -2, 521/60, 3
    assert rows[1][3:] == ["3.00", "6.00", "0.00", "3.00", "6.00", "0.00"]  # u2: 6 - 3 (category cap)
    assert rows[3][3:] == ["0.00", "0.00", "0.00", "2.00", "0.00", "0.00"]  # u5: floored
    header = next(line for line in r.stdout.splitlines() if line.startswith("Rank "))
    assert header.split()[-2:] == ["信息公开", "办事服务"]  # one column per base category of the rule set
    # the appeal adjustment and the floor are lines of their own
    adjustments = r.stdout.split("Appeal adjustments")[1].splitlines()
    # computed 11/6 (1.83), +0.5 on appeal, adjusted 7/3 (2.33)
    assert adjustments[2].split() == ["u1", "甲局", "t.other", "其他信息", "1.83", "+0.50", "2.33", "+0.5", "复核认定栏目已整改",
                                      "区政务公开办", "2024-01-15"]
    floors = r.stdout.split("Totals raised to the floor")[1].splitlines()
    assert floors[2].split() == ["u5", "戊镇", "+2.00"]  # raw total -2 raised to the floor 0
    # the malformed unit is listed with file and line; the others were still scored
    assert "u4 丁局" in r.stderr
    assert f"{env.ev}:27" in r.stderr and "'maybe'" in r.stderr


def test_score_exit_0_when_every_unit_scores(env):
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--lang", "en")
    assert r.exit_code == ExitCode.OK
    assert [row[1] for row in ranking_rows(r.stdout)] == ["u1", "u2", "u3", "u5"]
    assert r.stderr == ""


def test_score_group_by_kind_ranks_departments_and_towns_separately(env):
    r = invoke("score", env.ev, "--rules", env.rules, "--group-by", "kind", "--lang", "en")
    assert r.exit_code == 1
    deps, towns = r.stdout.split("departments")[1].split("towns and streets")
    dep_rows = [line.split() for line in deps.splitlines() if line.strip()[:1].isdigit()]
    town_rows = [line.split() for line in towns.splitlines() if line.strip()[:1].isdigit() and " u" in line]
    # group rank, overall rank, id
    assert [row[:3] for row in dep_rows] == [["1", "1", "u1"], ["2", "2", "u3"]]
    assert [row[:3] for row in town_rows[:2]] == [["1", "2", "u2"], ["2", "4", "u5"]]


def test_score_group_by_rejects_other_values(env):
    r = invoke("score", env.ev, "--rules", env.rules, "--group-by", "town", "--lang", "en")
    assert r.exit_code == ExitCode.USAGE
    assert "--group-by accepts kind" in r.stderr


def test_score_json_on_stdout_carries_exact_values_and_adjustments(env):
    r = invoke("score", env.ev, "--rules", env.rules, "--format", "json", "--lang", "en")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    u1 = doc["units"][0]
    assert u1["id"] == "u1" and u1["total"] == {"value": 11.68, "exact": "701/60"}
    other = next(i for i in u1["indicators"] if i["id"] == "t.other")
    assert other["computed"]["exact"] == "11/6" and other["score"]["exact"] == "7/3"
    assert other["effective_weight"]["exact"] == "11/3"
    assert other["adjustments"] == [{"indicator": "t.other", "requested": "+0.5", "applied": {"value": 0.5, "exact": "0.5"},
                                     "reason": "复核认定栏目已整改", "decided_by": "区政务公开办", "decided_on": "2024-01-15",
                                     "location": f"{env.ev}:11"}]
    basic = next(i for i in u1["indicators"] if i["id"] == "t.basic")
    assert basic["score"]["exact"] == "221/60"
    assert [f["unit"] for f in doc["failures"]] == ["u4"]
    assert doc["units"][1]["rank"] == doc["units"][2]["rank"] == 2


def test_score_several_formats_go_to_a_folder(env):
    out = env.tmp / "out"
    r = invoke("score", env.ev, "--rules", env.rules, "--format", "json", "--format", "table", "--format", "units-csv",
               "-o", out, "--lang", "en")
    assert r.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["report.csv", "report.json", "report.txt"]
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["units"][0]["total"]["exact"] == "701/60"
    assert (out / "report.csv").read_text(encoding="utf-8").splitlines()[1:3] == ["u1,1,701/60", "u2,2,3"]
    txt = (out / "report.txt").read_text(encoding="utf-8")
    assert [row[1] for row in ranking_rows(txt)] == ["u1", "u2", "u3", "u5"]
    assert "wrote json report" in r.stderr
    # the ranking is still printed, and the failure listed
    assert ranking_rows(r.stdout)[0][1] == "u1" and "u4" in r.stderr


def test_score_one_format_writes_the_file_given(env):
    target = env.tmp / "deep" / "result.csv"
    r = invoke("score", env.ev, "--rules", env.rules, "--format", "units-csv", "-o", target, "--lang", "en")
    assert r.exit_code == 1
    assert target.read_text(encoding="utf-8").startswith("id,rank,total\nu1,1,701/60\n")


def test_score_one_format_into_a_folder_written_with_a_slash(env):
    """-o DIR/ (a trailing slash, the folder not there yet) or an existing folder: report<suffix> inside it,
    never a file named like the folder."""
    target = env.tmp / "x"
    r = invoke("score", env.ev, "--rules", env.rules, "--format", "xlsx", "-o", f"{target}/", "--lang", "en")
    assert r.exit_code == 1, r.stderr
    assert target.is_dir() and [p.name for p in target.iterdir()] == ["report.xlsx"]
    assert f"wrote xlsx report: {target / 'report.xlsx'}" in r.stderr
    existing = env.tmp / "existing"
    existing.mkdir()
    r = invoke("score", env.ev, "--rules", env.rules, "--format", "units-csv", "-o", existing, "--lang", "en")
    assert [p.name for p in existing.iterdir()] == ["report.csv"]
    assert (existing / "report.csv").read_text(encoding="utf-8").startswith("id,rank,total\nu1,1,701/60\n")
    # without --format, a folder has no suffix to infer a format from: the table, as report.txt
    r = invoke("score", env.ev, "--rules", env.rules, "-o", f"{env.tmp / 'y'}/", "--lang", "en")
    assert [p.name for p in (env.tmp / "y").iterdir()] == ["report.txt"]
    # a file in the way of DIR/ is refused, and left alone
    (env.tmp / "file").write_text("keep", encoding="utf-8")
    r = invoke("score", env.ev, "--rules", env.rules, "--format", "json", "-o", f"{env.tmp / 'file'}/", "--lang", "en")
    assert r.exit_code == 2 and f"error: -o {env.tmp / 'file'} is a file, but the reports need a folder there\n" == r.stderr
    assert (env.tmp / "file").read_text(encoding="utf-8") == "keep"


def test_score_infers_the_format_from_the_output_suffix(env):
    target = env.tmp / "r.json"
    r = invoke("score", env.ev, "--rules", env.rules, "-o", target, "--lang", "en")
    assert r.exit_code == 1
    assert json.loads(target.read_text(encoding="utf-8"))["schema_version"]


def test_score_format_errors_exit_2_and_write_nothing(env):
    out = env.tmp / "never"
    r = invoke("score", env.ev, "--rules", env.rules, "--format", "pdf", "-o", out, "--lang", "en")
    assert r.exit_code == ExitCode.USAGE
    assert "unknown report format pdf" in r.stderr and "units-csv" in r.stderr and "json" in r.stderr
    r = invoke("score", env.ev, "--rules", env.rules, "--format", "json", "--format", "table", "--lang", "en")
    assert r.exit_code == 2 and "need -o DIR" in r.stderr
    r = invoke("score", env.ev, "--rules", env.rules, "--format", "units-csv", "--lang", "en")
    assert r.exit_code == 2 and "writes a file" in r.stderr
    assert not out.exists()


def test_score_period_and_as_of_reach_the_run_context(env):
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--format", "json", "--period", "2023-01-01:2023-06-30",
               "--as-of", "2023-07-15", "--lang", "en")
    assert r.exit_code == 0
    ctx = json.loads(r.stdout)["context"]
    assert ctx["period"] == {"start": "2023-01-01", "end": "2023-06-30"} and ctx["as_of"] == "2023-07-15"
    # defaults come from the rule set
    ctx = json.loads(invoke("score", good_evidence(env), "--rules", env.rules, "--format", "json").stdout)["context"]
    assert ctx["period"] == {"start": "2023-01-01", "end": "2023-12-31"} and ctx["as_of"] == "2023-12-31"


@pytest.mark.parametrize("args, words", [
    (["--period", "2023-01-01"], "--period expects START:END"),
    (["--period", "2023-01-01:2023-02-30"], "--period expects a date"),
    (["--period", "2023-12-31:2023-01-01"], "the period starts after it ends"),
    (["--as-of", "tomorrow"], "--as-of expects a date"),
    (["--engine", "fast"], "unknown engine fast"),
    (["--workers", "0"], "--workers expects a whole number of at least 1"),
])
def test_score_bad_run_options_exit_2(env, args, words):
    r = invoke("score", env.ev, "--rules", env.rules, *args, "--lang", "en")
    assert r.exit_code == ExitCode.USAGE
    assert words in r.stderr


def test_score_calendar_override_is_recorded_and_a_bad_one_exits_2(env):
    cal = env.tmp / "cal.yaml"
    cal.write_text("days:\n  2023-10-07: workday\n", encoding="utf-8")
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--calendar", cal, "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["context"]["calendar"][-1] == f"override: {cal}"
    bad = env.tmp / "bad.yaml"
    bad.write_text("weeks: {}\n", encoding="utf-8")
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--calendar", bad, "--lang", "en")
    assert r.exit_code == 2 and f"{bad}:1" in r.stderr and "unknown key weeks" in r.stderr


def test_reference_engine_gives_the_same_result(env):
    a = json.loads(invoke("score", env.ev, "--rules", env.rules, "--format", "json", "--engine", "durable").stdout)
    b = json.loads(invoke("score", env.ev, "--rules", env.rules, "--format", "json", "--engine", "reference").stdout)
    assert a["context"].pop("engine") == "durable" and b["context"].pop("engine") == "reference"
    assert a == b


def test_strict_fails_units_with_missing_observations(env):
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--strict", "--lang", "en")
    assert r.exit_code == 1
    # only u1 and u2 record everything their rules read
    assert [row[1] for row in ranking_rows(r.stdout)] == ["u1", "u2"]
    assert "strict mode: observation up of t.basic is not recorded" in r.stderr


def test_an_unknown_language_in_the_environment_is_said_once_then_chinese(env, monkeypatch):
    monkeypatch.setenv("GOVSCORE_LANG", "fr")
    r = invoke("score", good_evidence(env), "--rules", env.rules)
    assert r.exit_code == ExitCode.OK
    assert r.stderr.startswith("警告：GOVSCORE_LANG=fr 不是 govscore 支持的语言（zh_CN 或 en）；改用 zh_CN")
    assert "名次" in r.stdout  # the ranking in Chinese
    # --lang overrides it: no warning
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--lang", "en")
    assert r.exit_code == ExitCode.OK and "GOVSCORE_LANG" not in r.stderr and "Rank" in r.stdout


def test_workers_option_gives_the_same_result(env):
    one = invoke("score", env.ev, "--rules", env.rules, "--format", "json", "--workers", "1").stdout
    two = invoke("score", env.ev, "--rules", env.rules, "--format", "json", "--workers", "3").stdout
    assert one == two and json.loads(one)["units"][0]["id"] == "u1"


def test_per_unit_cards_are_written_through_the_html_report(env, monkeypatch):
    calls = []
    fake = types.ModuleType("govscore.core.reports.html_report")
    fake.write_cards = lambda run, folder: calls.append(([u.unit_id for u in run.units], Path(folder)))
    fake.write_html = lambda run, path, options=None: None
    monkeypatch.setitem(sys.modules, "govscore.core.reports.html_report", fake)
    cards = env.tmp / "cards"
    r = invoke("score", env.ev, "--rules", env.rules, "--per-unit", cards, "--lang", "en")
    assert r.exit_code == 1
    assert calls == [(["u1", "u2", "u3", "u5"], cards)]


def test_per_unit_without_the_html_report_exits_2(env, monkeypatch):
    monkeypatch.setitem(sys.modules, "govscore.core.reports.html_report", None)  # import fails
    r = invoke("score", env.ev, "--rules", env.rules, "--per-unit", env.tmp / "cards", "--lang", "en")
    assert r.exit_code == 2 and "--per-unit needs the HTML report" in r.stderr


def test_missing_evidence_and_unknown_rule_set_exit_2(env):
    r = invoke("score", env.tmp / "nope.yaml", "--rules", env.rules, "--lang", "en")
    assert r.exit_code == 2 and "does not exist" in r.stderr
    r = invoke("score", env.ev, "--rules", "no-such-rules", "--lang", "en")
    assert r.exit_code == 2 and "rule set no-such-rules not found" in r.stderr


def test_evidence_without_a_unit_exits_2(env):
    empty = env.tmp / "empty.yaml"
    empty.write_text("[]\n", encoding="utf-8")
    r = invoke("score", empty, "--rules", env.rules, "--lang", "en")
    assert r.exit_code == ExitCode.USAGE
    assert f"the evidence files hold no unit (1 file(s) read from {empty}): nothing to score" in r.stderr


def test_a_linked_folder_in_the_evidence_is_read_and_a_link_loop_is_not_followed(env):
    # the district's folder links to each office's own folder; one office's folder links back up
    office = env.tmp / "offices" / "office1"
    office.mkdir(parents=True)
    good_evidence(env).rename(office / "units.yaml")
    district = env.tmp / "district"
    district.mkdir()
    (district / "office1").symlink_to(office, target_is_directory=True)
    (office / "up").symlink_to(district, target_is_directory=True)
    r = invoke("score", district, "--rules", env.rules, "--lang", "en")
    # the four units of test_score_exit_0_when_every_unit_scores, each read once (no duplicate id)
    assert r.exit_code == ExitCode.OK, r.stderr
    assert [row[1] for row in ranking_rows(r.stdout)] == ["u1", "u2", "u3", "u5"]


def test_a_report_through_a_linked_folder_into_the_evidence_is_refused(env):
    # the evidence folder links to an office's folder elsewhere: a report written there (by the link, or
    # by the real path) would be read as evidence by the next run
    office = env.tmp / "office"
    office.mkdir()
    good_evidence(env).rename(office / "units.yaml")
    district = env.tmp / "district"
    district.mkdir()
    (district / "office").symlink_to(office, target_is_directory=True)
    for out in (district / "office" / "report.json", office / "report.json", office / "new" / "report.json"):
        r = invoke("score", district, "--rules", env.rules, "--format", "json", "-o", out, "--lang", "en")
        assert r.exit_code == ExitCode.USAGE and "would be written into the evidence folder" in r.stderr, (out, r.stderr)
        assert not out.exists()
    # next to the evidence: written
    r = invoke("score", district, "--rules", env.rules, "--format", "json", "-o", env.tmp / "report.json", "--lang", "en")
    assert r.exit_code == ExitCode.OK and (env.tmp / "report.json").is_file()


def test_a_report_over_an_evidence_file_reached_through_a_link_is_refused(env):
    # the evidence folder holds a link to a file elsewhere (read as evidence), and a link to a file
    # not there yet (a report written there would be read by the next run)
    folder = env.tmp / "ev"
    folder.mkdir()
    elsewhere = good_evidence(env).rename(env.tmp / "elsewhere.yaml")
    (folder / "linked.yaml").symlink_to(elsewhere)
    (folder / "later.json").symlink_to(env.tmp / "not-yet.json")
    before = elsewhere.read_bytes()
    for out, evidence in ((elsewhere, folder / "linked.yaml"), (env.tmp / "not-yet.json", folder / "later.json")):
        r = invoke("score", folder, "--rules", env.rules, "--format", "json", "-o", out, "--lang", "en")
        assert r.exit_code == ExitCode.USAGE, r.stderr
        assert f"the report {out} would overwrite the evidence file {evidence}" in r.stderr
    assert elsewhere.read_bytes() == before and not (env.tmp / "not-yet.json").exists()


def test_a_file_reached_twice_is_read_once(env):
    folder = env.tmp / "ev"
    folder.mkdir()
    ev = good_evidence(env).rename(folder / "good.yaml")
    (folder / "link.yaml").symlink_to(ev)
    # the same file as a path, again through its folder, and through a link: its four units once each, no
    # duplicate-id failures
    r = invoke("score", ev, folder, folder / "link.yaml", "--rules", env.rules, "--lang", "en")
    assert r.exit_code == ExitCode.OK, r.stderr
    assert [row[1] for row in ranking_rows(r.stdout)] == ["u1", "u2", "u3", "u5"]
    # a hard link is the same file too
    os.link(ev, env.tmp / "hard.yaml")
    r = invoke("score", ev, env.tmp / "hard.yaml", "--rules", env.rules, "--lang", "en")
    assert r.exit_code == ExitCode.OK, r.stderr


def test_explain_names_the_files_that_could_not_be_read(env):
    broken = env.tmp / "broken.yaml"
    broken.write_text("unit: {id: lost\n", encoding="utf-8")
    r = invoke("explain", good_evidence(env), broken, "--unit", "lost", "--rules", env.rules, "--lang", "en")
    assert r.exit_code == ExitCode.UNIT_ERRORS
    assert "unit lost is not among the units read; 1 file(s) could not be read, and it may be in one of them:" in r.stderr
    assert f"{broken}:" in r.stderr


def test_check_refuses_evidence_without_units_like_score(env):
    empty = env.tmp / "empty.yaml"
    empty.write_text("[]\n", encoding="utf-8")
    folder = env.tmp / "nothing"
    folder.mkdir()
    for cmd in ("check", "score"):
        r = invoke(cmd, empty, "--rules", env.rules, "--lang", "en")
        assert r.exit_code == ExitCode.USAGE and "the evidence files hold no unit" in r.stderr, (cmd, r.stderr)
        r = invoke(cmd, folder, "--rules", env.rules, "--lang", "en")
        assert r.exit_code == ExitCode.USAGE and "no evidence files" in r.stderr, (cmd, r.stderr)


def test_per_unit_folder_is_probed_before_scoring(env, monkeypatch):
    blocker = env.tmp / "afile"
    blocker.write_text("not a folder\n", encoding="utf-8")
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--per-unit", blocker, "--lang", "en")
    assert r.exit_code == ExitCode.USAGE
    assert f"{blocker}: cannot be written: a file of that name is in the way: a folder is needed there" in r.stderr
    assert ranking_rows(r.stdout) == []  # refused before scoring: no ranking printed
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--per-unit", "", "--lang", "en")
    assert r.exit_code == ExitCode.USAGE and "--per-unit needs a folder name, found ''" in r.stderr
    # the current folder, named as such, is a folder like any other: one card for each of u1, u2, u3, u5
    cards = env.tmp / "here"
    cards.mkdir()
    monkeypatch.chdir(cards)
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--per-unit", ".", "--lang", "en")
    assert r.exit_code == ExitCode.OK, r.stderr
    assert sorted(p.name for p in cards.glob("*.html")) == ["u1.html", "u2.html", "u3.html", "u5.html"]


def test_invalid_rule_set_exits_2_with_file_and_line(env):
    bad = sup.write_rules(env.tmp / "bad")
    text = (bad / "info.yaml").read_text(encoding="utf-8").replace("kind: judged, observation: ok", "kind: guessed, observation: ok")
    (bad / "info.yaml").write_text(text, encoding="utf-8")
    r = invoke("score", env.ev, "--rules", bad, "--lang", "en")
    assert r.exit_code == 2
    assert f"{bad / 'info.yaml'}:23" in r.stderr and "unknown rule kind guessed" in r.stderr


def test_failed_plugin_stops_scoring_with_exit_2(env, monkeypatch):
    # a plugin named in GOVSCORE_PLUGINS that cannot be imported fails like a broken entry point
    monkeypatch.setenv("GOVSCORE_PLUGINS", f"{sup.PLUGIN_SPEC},govscore_no_such_plugin_module")
    r = invoke("score", env.ev, "--rules", env.rules, "--lang", "en")
    assert r.exit_code == 2 and "plugin govscore_no_such_plugin_module failed to load: ModuleNotFoundError" in r.stderr
    r = invoke("plugins", "--lang", "en")
    assert r.exit_code == 2 and "govscore_no_such_plugin_module" in r.stdout and "failed: ModuleNotFoundError" in r.stdout
    r = invoke("validate", env.rules, "--lang", "en")
    assert r.exit_code == 2 and "plugin govscore_no_such_plugin_module failed to load" in r.stderr


def test_internal_errors_have_no_traceback_unless_debug(env, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(cli, "print_table", boom)
    r = invoke("score", env.ev, "--rules", env.rules, "--lang", "en")
    assert r.exit_code == 2
    assert "internal error: RuntimeError: disk on fire (set GOVSCORE_DEBUG=1 for details)" in r.stderr
    assert "Traceback" not in r.output
    r = invoke("score", env.ev, "--rules", env.rules, "--lang", "en", env={"GOVSCORE_DEBUG": "1"})
    assert isinstance(r.exception, RuntimeError)


def test_rich_table_on_a_terminal_plain_text_when_piped(env, monkeypatch):
    from rich.console import Console

    plain = invoke("score", good_evidence(env), "--rules", env.rules, "--lang", "en").stdout
    assert "│" not in plain and "┃" not in plain and "11.68" in plain
    buf = io.StringIO()
    monkeypatch.setattr(cli, "stdout_console", lambda: Console(file=buf, force_terminal=True, width=200, color_system=None))
    r = invoke("score", good_evidence(env), "--rules", env.rules, "--lang", "en")
    assert r.exit_code == 0 and r.stdout == ""
    drawn = buf.getvalue()
    assert "┃" in drawn or "│" in drawn
    assert "11.68" in drawn and "甲局" in drawn


def test_progress_bar_appears_only_after_the_delay_and_on_a_terminal():
    from rich.console import Console

    now = [0.0]
    clock = lambda: now[0]  # noqa: E731
    buf = io.StringIO()
    bar = cli.DelayedProgress(10, Console(file=buf, force_terminal=True, width=100), delay=1.5, clock=clock)
    bar.advance()
    now[0] = 1.0
    bar.advance()
    assert bar.bar is None and buf.getvalue() == ""  # a short run draws nothing
    now[0] = 2.0
    bar.advance()
    assert bar.bar is not None and bar.done == 3
    bar.close()
    assert "3/10" in buf.getvalue()
    piped = io.StringIO()
    bar = cli.DelayedProgress(10, Console(file=piped, force_terminal=False), delay=0, clock=clock)
    bar.advance()
    bar.close()
    assert bar.bar is None and piped.getvalue() == ""


# --- usage errors and help ------------------------------------------------------------------------------


COMMANDS = [["score"], ["check"], ["explain"], ["validate"], ["indicators"], ["plugins"], ["rules"], ["rules", "diff"],
            ["compare"], ["template"], ["new-plugin"], []]


SCORING_CODES = ["0: every unit scored and its reports written",
                 "1: some units could not be scored: the others are scored and written, the failures listed",
                 "2: bad usage, an invalid rule set or a plugin that failed to load"]
RULES_DIFF_CODES = ["0: the differences printed (none is no error)", "2: bad usage or an invalid rule set"]
EXIT_CODES = {
    "govscore": SCORING_CODES,
    "score": SCORING_CODES,
    "check": ["0: every unit can be scored",
              "1: some units have errors (with --strict: or observations not recorded), or a file cannot be read",
              "2: bad usage, an invalid rule set or a plugin that failed to load"],
    "explain": ["0: the unit explained", "1: the unit could not be scored",
                "2: bad usage, an unknown unit or indicator, an invalid rule set or a plugin that failed to load"],
    "validate": ["0: the rule set is valid (warnings may be listed)", "2: the rule set has errors, a plugin failed to load, or bad usage"],
    "indicators": ["0: the tree printed", "2: bad usage, an invalid rule set or a plugin that failed to load"],
    "plugins": ["0: every plugin loaded", "2: a plugin failed to load, or bad usage"],
    "rules": RULES_DIFF_CODES,
    "rules diff": RULES_DIFF_CODES,
    "compare": ["0: the comparison printed", "2: bad usage, or a file that is not a govscore JSON result"],
    "template": ["0: the workbook written", "2: bad usage, an invalid rule set, a plugin that failed to load, or a workbook already there"],
    "new-plugin": ["0: the plugin package created", "2: bad usage, a bad name or a folder that cannot be written"],
}


def epilog_lines(stdout: str) -> list[str]:
    """The lines of a --help from "Exit codes:" on, stripped (blank ones dropped)."""
    lines = [ln.strip() for ln in stdout.splitlines()]
    start = lines.index("Exit codes:") if "Exit codes:" in lines else lines.index("退出码：")
    return [ln for ln in lines[start:] if ln]


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c) or "govscore")
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_everywhere_lists_the_exit_codes_that_apply(cmd, flag):
    """The main --help, score and check list every exit code; the other commands only those they can end
    with; a heading, then one line per code, nothing after."""
    r = invoke(*cmd, flag, "--lang", "en", env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "Usage: govscore" in " ".join(r.stdout.split())
    assert epilog_lines(r.stdout) == ["Exit codes:"] + EXIT_CODES[" ".join(cmd) or "govscore"]


def test_exit_codes_in_chinese_one_line_each():
    r = invoke("--help", env={"COLUMNS": "200"})
    assert epilog_lines(r.stdout) == ["退出码：", "0：所有单位均已评分，报告已写出",
                                      "1：部分单位未能评分：其余单位已评分并写出，失败的单位已列出",
                                      "2：用法错误、规则集无效或插件加载失败"]
    r = invoke("compare", "--help", env={"COLUMNS": "200"})
    assert epilog_lines(r.stdout) == ["退出码：", "0：已打印对比结果", "2：用法错误，或文件不是 govscore 的 JSON 结果"]
    # a narrow terminal folds a long Chinese line, but never parts a code from its meaning
    narrow = invoke("--help", env={"COLUMNS": "40"})
    lines = epilog_lines(narrow.stdout)
    assert lines[0] == "退出码：" and lines[1].startswith("0：所有单位") and any(ln.startswith("1：部分单位") for ln in lines)


def test_score_help_names_every_option():
    text = invoke("score", "--help", "--lang", "en").stdout
    for opt in ("--rules", "--as-of", "--period", "--calendar", "--engine", "--format", "--output", "-o", "--group-by",
                "--strict", "--per-unit", "--workers", "--lang", "-h"):
        assert opt in text


@pytest.mark.parametrize("args, words", [
    (["score"], "missing argument EVIDENCE"),
    (["score", "x.yaml", "--bogus"], "no such option: --bogus"),
    (["scroe"], "no such command: scroe"),
    (["explain", "x.yaml"], "missing option --unit"),
    (["score", "x.yaml", "--workers", "many"], "--workers expects a whole number of at least 1, found many"),
    (["score", "x.yaml", "--rules"], "option --rules needs a value"),
])
def test_usage_errors_exit_2_with_one_sentence(args, words):
    r = invoke(*args, "--lang", "en") if "--rules" != args[-1] else invoke("--lang", "en", *args)
    assert r.exit_code == ExitCode.USAGE
    assert words in r.stderr
    assert "Traceback" not in r.output


def test_no_arguments_shows_help():
    r = invoke()
    assert r.exit_code == 2 and "score" in r.output


# --- check ------------------------------------------------------------------------------------------------


def test_check_reports_malformed_missing_and_defaulted(env):
    r = invoke("check", env.ev, "--rules", env.rules, "--lang", "en")
    assert r.exit_code == 1
    out = r.stdout
    assert f"u4 丁局 ({env.ev}): 1 error(s)" in out
    assert f"error: {env.ev}:27: unit u4, field observations.t.basic.up" in out
    block_u3 = out.split("u3 丙局")[1].split("u4 丁局")[0]
    assert "can be scored" in block_u3
    assert "not recorded (earns nothing): t.basic: up, clean" in block_u3
    assert "defaulted: t.basic.defects = 0" in block_u3 and "defaulted: t.area.falsified = false" in block_u3
    # u1 records everything but relies on no default except... u1 writes applicable: false, defects: 1
    block_u1 = out.split("u1 甲局")[1].split("u2 乙镇")[0]
    assert "not recorded" not in block_u1 and "t.area.applicable" not in block_u1 and "t.basic.defects" not in block_u1
    assert "defaulted: t.area.falsified = false" in block_u1
    assert "5 unit(s) checked: 4 can be scored, 1 with errors; 0 file error(s)" in out


def test_check_passes_good_evidence_and_strict_counts_missing(env):
    assert invoke("check", good_evidence(env), "--rules", env.rules, "--lang", "en").exit_code == 0
    r = invoke("check", good_evidence(env), "--rules", env.rules, "--strict", "--lang", "en")
    assert r.exit_code == 1
    assert "u3 丙局" in r.stdout and "fails under --strict" in r.stdout
    assert "4 unit(s) checked: 2 can be scored, 2 with errors" in r.stdout


def test_check_reports_duplicate_ids_and_unreadable_files(env):
    dup = sup.write_evidence(env.tmp / "dup.yaml", "- unit: {id: u1, name: 重复}\n")
    broken = env.tmp / "broken.yaml"
    broken.write_text("- unit: {id: x\n", encoding="utf-8")
    r = invoke("check", good_evidence(env), dup, broken, "--rules", env.rules, "--lang", "en")
    assert r.exit_code == 1
    assert "duplicate unit id u1" in r.stdout
    assert f"file error: {broken}" in r.stdout


# --- explain ----------------------------------------------------------------------------------------------


def test_explain_gives_the_audit_trail_on_hand_computed_values(env):
    r = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u1", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "rank 1 of 4" in out
    assert "total 701/60 ≈ 11.68 = base 701/60 ≈ 11.68 + bonus 2 - deductions 2" in out
    assert "加分指标 (bonus, bonus): 2 of 5, capped at 2 (uncapped 5)" in out
    # normalisation: t.area's 5 points go to the 3 other info leaves, 5/3 each
    assert "weight moved: not applicable: 5.00 points moved to 3 other indicators (+5/3 each)" in out
    basic = out.split("Indicator t.basic")[1].split("Indicator t.other")[0]
    # effective 4 + 5/3 = 17/3; up 1/2 x 17/3 = 17/6; clean 0.5 x 1/2 x 17/3 = 17/12; defects 1 x 10% x 17/3 = 17/30
    assert "effective weight 17/3 ≈ 5.67" in basic and "computed 221/60 ≈ 3.68; score 221/60 ≈ 3.68" in basic
    assert "weight moved: weight +5/3 from t.area (not applicable)" in basic
    assert "[earned] up (share 50%): +17/6 ≈ 2.83" in basic
    assert "[earned] clean (share 50%): +17/12 ≈ 1.42" in basic
    assert "[deducted] defects (share 10%): -17/30 ≈ -0.57 (1 x 0.1 of the weight)" in basic
    assert f"rule t.basic:defects, {env.rules / 'info.yaml'}:18" in basic
    assert "observed clean = 0.5 (source: https://a.example/col; checked at: 2023-11-20; note: 栏目内容部分相关)" in basic
    assert "rubric text: 1.及时更新，50%" in basic
    other = out.split("Indicator t.other")[1].split("Indicator t.third")[0]
    # effective 2 + 5/3 = 11/3; ok 1/2 x 11/3 = 11/6; appeal +0.5 -> 7/3, on a line of its own
    assert "computed 11/6 ≈ 1.83; score 7/3 ≈ 2.33" in other
    assert ("appeal adjustment: 11/6 ≈ 1.83 -> 7/3 ≈ 2.33 (applied +0.5, requested +0.5); reason: 复核认定栏目已整改; "
            f"decided by 区政务公开办 on 2024-01-15; {env.ev}:11") in other
    assert "[deducted] notices (share 50%): -2 (1 x 0.5 of the weight)" in out


def test_explain_one_indicator_vetoes_and_missing(env):
    r = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u2", "--indicator", "t.area", "--lang", "en")
    assert r.exit_code == 0
    assert "Indicator t.area" in r.stdout and "Indicator t.basic" not in r.stdout
    assert "vetoed: the indicator scores 0" in r.stdout
    assert "[veto] falsified: 0 (veto: the indicator scores 0)" in r.stdout
    assert "observed falsified = true" in r.stdout
    r = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u3", "--indicator", "t.basic", "--lang", "en")
    assert "missing observations: up, clean" in r.stdout
    assert "[missing] up (share 50%): 0 (not recorded: up)" in r.stdout


def test_explain_group_rank_and_json(env):
    r = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u5", "--group-by", "kind", "--lang", "en")
    assert "rank 4 of 4; rank 2 among town or street" in r.stdout
    assert "+ floor adjustment 2" in r.stdout
    r = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u1", "--json")
    doc = json.loads(r.stdout)
    assert doc["id"] == "u1" and doc["total"]["exact"] == "701/60"
    assert next(i for i in doc["indicators"] if i["id"] == "t.third")["score"]["exact"] == "8/3"


def test_explain_unknown_or_failed_units(env):
    r = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u11", "--lang", "en")
    assert r.exit_code == 2 and "unit u11 is not in the evidence (did you mean u1?)" in r.stderr
    r = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u4", "--lang", "en")
    assert r.exit_code == 1 and "unit u4 could not be scored" in r.stderr and "'maybe'" in r.stderr
    r = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u1", "--indicator", "t.basik", "--lang", "en")
    assert r.exit_code == 2 and "unknown indicator t.basik (did you mean t.basic?)" in r.stderr


def test_explain_engine_and_period_options(env):
    a = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u1", "--engine", "reference", "--lang", "en")
    b = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u1", "--lang", "en")
    assert a.stdout.replace("engine reference", "engine durable") == b.stdout
    c = invoke("explain", env.ev, "--rules", env.rules, "--unit", "u1", "--period", "2023-01-01:2023-06-30", "--as-of",
               "2023-06-30", "--strict", "--lang", "en")
    assert "as of 2023-06-30, period 2023-01-01 to 2023-06-30" in c.stdout


# --- validate, indicators, plugins ----------------------------------------------------------------------------------


def test_validate_reports_warnings_and_the_maximum(env):
    r = invoke("validate", env.rules, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    # t.other's criteria cover 50%: at most 1 of 2; base max = 5 + 4 + 1 + 1 + 3 = 14 of 15
    assert "maximum attainable base score: 14 of 15 points" in r.stdout
    assert "t.other: at most 1 of 2" in r.stdout
    assert "warning:" in r.stdout and "50%" in r.stdout
    assert "the rule set is valid" in r.stdout


def test_validate_invalid_rule_set_exits_2(env):
    bad = sup.write_rules(env.tmp / "bad")
    text = (bad / "info.yaml").read_text(encoding="utf-8").replace("observation: fine", "observation: fin")
    (bad / "info.yaml").write_text(text, encoding="utf-8")
    r = invoke("validate", bad, "--lang", "en")
    assert r.exit_code == 2
    assert f"{bad / 'info.yaml'}:28" in r.stderr and "did you mean fine?" in r.stderr
    (bad / "service.yaml").write_text("category: {id: service\n", encoding="utf-8")
    r = invoke("validate", bad, "--lang", "en")
    assert r.exit_code == 2 and "malformed YAML" in r.stderr


def test_indicators_tree(env):
    r = invoke("indicators", env.rules, "--lang", "en")
    assert r.exit_code == 0
    lines = [line.rstrip() for line in r.stdout.splitlines()]
    assert lines[0] == "Rule set clitest (CLI 测试规则)"
    assert lines[1] == "信息公开 (info) [base] 12 points"
    assert "  t.area  重点领域  5 points  (may not apply to a unit (observation applicable); its weight then moves to the others)" in lines
    assert "    - criterion up (judged): 50%" in lines
    assert "    - deduction defects: 10% of the weight per occurrence of defects" in lines
    assert "    - veto falsified (flag): falsified zeroes the indicator" in lines
    assert "加分指标 (bonus) [bonus] 5 points, cap 2" in lines
    order = [line.split(" (")[0] for line in lines if not line.startswith(" ")][1:]
    assert order == ["信息公开", "办事服务", "加分指标", "扣分指标"]


def test_indicators_of_the_shipped_rule_set():
    r = invoke("indicators", "--lang", "en")
    assert r.exit_code == 0
    assert "  基本信息公开" in r.stdout
    assert "    disclosure.overview  概况信息  2 points" in r.stdout


def test_plugins_table_and_json(env):
    r = invoke("plugins", "--json")
    assert r.exit_code == 0
    rows = {p["name"]: p for p in json.loads(r.stdout)}
    mine = rows[sup.PLUGIN_SPEC]  # registered through GOVSCORE_PLUGINS, named by its spec
    assert mine["builtin"] is False
    assert mine["contributes"]["indicators"] == ["t.area", "t.basic", "t.other", "t.third", "t.svc", "t.bonus", "t.penalty"]
    assert mine["contributes"]["report_writers"] == ["units-csv"]
    assert mine["hooks"] == ["register_indicators", "register_report_writers"]
    assert rows["core.builtin"]["builtin"] is True and rows["core.builtin"]["distribution"] == "govscore"
    assert "json" in rows["core.builtin"]["contributes"]["report_writers"]
    assert rows["disclosure.overview"]["contributes"]["indicators"] == ["disclosure.overview"]
    assert all(p["error"] is None for p in rows.values())
    text = invoke("plugins", "--lang", "en").stdout
    line = next(line for line in text.splitlines() if line.startswith(sup.PLUGIN_SPEC + " "))
    assert "register_indicators" in line and "indicators: t.area" in line and line.rstrip().endswith("loaded")


# --- template, new-plugin ---------------------------------------------------------------------------------------------


def test_template_calls_the_workbook_writer(env, monkeypatch):
    calls = []
    fake = types.ModuleType("govscore.core.workbook")
    fake.write_template = lambda compiled, path: calls.append(([lf.id for lf in compiled.leaves], Path(path)))
    monkeypatch.setitem(sys.modules, "govscore.core.workbook", fake)
    target = env.tmp / "t.xlsx"
    r = invoke("template", env.rules, "-o", target, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert calls == [(["t.area", "t.basic", "t.other", "t.third", "t.svc", "t.bonus", "t.penalty"], target)]
    assert "wrote the template" in r.stderr
    assert invoke("template", env.rules, "--lang", "en").exit_code == 2  # -o is required
    monkeypatch.setitem(sys.modules, "govscore.core.workbook", None)
    r = invoke("template", env.rules, "-o", target, "--lang", "en")
    assert r.exit_code == 2 and "govscore.core.workbook" in r.stderr


def test_new_plugin_calls_the_scaffold(env, monkeypatch):
    calls = []
    fake = types.ModuleType("govscore.core.scaffold")
    fake.new_plugin = lambda name, dest: calls.append((name, Path(dest))) or Path(dest) / "made"
    monkeypatch.setitem(sys.modules, "govscore.core.scaffold", fake)
    r = invoke("new-plugin", "widgets", "--dest", env.tmp, "--lang", "en")
    assert r.exit_code == 0
    assert calls == [("widgets", env.tmp)]
    assert f"created plugin widgets in {env.tmp / 'made'}" in r.stderr
    monkeypatch.setitem(sys.modules, "govscore.core.scaffold", None)
    r = invoke("new-plugin", "widgets", "--lang", "en")
    assert r.exit_code == 2 and "govscore.core.scaffold" in r.stderr


def test_version():
    from govscore.core import __version__

    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"govscore {__version__}"


def test_fraction_helper_points():
    from govscore.core.explain import points

    assert points(Fraction(20, 3)) == "20/3 ≈ 6.67"
    assert points(Fraction(9, 5), signed=True) == "+1.8"
    assert points(Fraction(-17, 30)) == "-17/30 ≈ -0.57"


# --- the real report, workbook and scaffold modules behind the thin wrappers ------------------------------


def test_per_unit_cards_with_the_real_html_report(env):
    pytest.importorskip("govscore.core.reports.html_report")
    cards = env.tmp / "cards"
    r = invoke("score", env.ev, "--rules", env.rules, "--per-unit", cards, "--lang", "en")
    assert r.exit_code == 1
    written = sorted(p.name for p in cards.iterdir())
    assert len(written) == 4 and all(name.endswith(".html") for name in written)
    assert any("u1" in name for name in written)


def test_template_with_the_real_workbook_writer(env):
    pytest.importorskip("govscore.core.workbook")
    import openpyxl

    target = env.tmp / "template.xlsx"
    r = invoke("template", env.rules, "-o", target, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    book = openpyxl.load_workbook(target)
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert any("t.basic" in c for c in cells)
    # the workbook may since hold filled-in evidence: not replaced unless asked
    target.write_bytes(b"filled in")
    r = invoke("template", env.rules, "-o", target, "--lang", "en")
    assert r.exit_code == 2 and "exists (it may hold filled-in evidence)" in r.stderr and "--force" in r.stderr
    assert target.read_bytes() == b"filled in"
    r = invoke("template", env.rules, "-o", target, "--force", "--lang", "en")
    assert r.exit_code == 0 and target.read_bytes() != b"filled in"
    # a workbook under another name would later be read as text: refused
    r = invoke("template", env.rules, "-o", env.tmp / "t.json", "--lang", "en")
    assert r.exit_code == 2 and "give -o a file name ending in .xlsx" in r.stderr and not (env.tmp / "t.json").exists()


def test_new_plugin_with_the_real_scaffold(env):
    pytest.importorskip("govscore.core.scaffold")
    r = invoke("new-plugin", "widgets", "--dest", env.tmp / "plugins", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert (env.tmp / "plugins" / "govscore-widgets").is_dir()
    r = invoke("new-plugin", "portal.widgets", "--dest", env.tmp / "plugins", "--lang", "en")
    assert r.exit_code == 2 and "looks like an indicator id" in r.stderr


def test_check_names_the_defaulted_unit_kind(env):
    ev = sup.write_evidence(env.tmp / "nokind.yaml", "- unit: {id: n1, name: 无类型单位}\n  observations:\n    t.svc: {ok: true}\n")
    r = invoke("check", ev, "--rules", env.rules, "--lang", "en")
    assert r.exit_code == 0
    assert "defaulted: unit.kind = department" in r.stdout
    assert "not recorded (earns nothing): t.area: structured" in r.stdout


# --- explain: details of list rules, one line each -----------------------------------------------------------


def test_explain_detail_lines_are_readable():
    from govscore.core.explain import date_ranges, detail_lines

    messages = {"aggregate": "mean", "items": [
        {"item": 1, "share": "0.2", "band": "超过1个且在5个工作日内", "asked": "2023-06-15T09:00:00+08:00",
         "answered": "2023-06-19T10:00:00+08:00", "elapsed_working_days": 2},
        {"item": 2, "share": "0", "asked": "2023-01-17T09:00:00+08:00", "answered": None, "elapsed_working_days": None}]}
    assert detail_lines(messages) == [
        "per item (the mean over 2 item(s)):",
        "  message 1: asked 2023-06-15 09:00, answered 2023-06-19 10:00, 2 working day(s) elapsed, band 超过1个且在5个工作日内, share 20%",
        "  message 2: asked 2023-01-17 09:00, not answered, no band, share 0%"]
    row = {"account": "曾都交通", "platform": "wechat", "kind": "publishing", "weeks_per_period": 1, "required_periods": 52,
           "missing_periods": ["2023-01-23..2023-01-29", "2023-01-30..2023-02-05", "2023-10-02..2023-10-08"], "update_ok": False}
    accounts = {"accounts": [row], "aggregate": "all", "items": [dict(row, item=1, share="0", platform_shared=False)]}
    assert detail_lines(accounts) == [  # the accounts are listed once, as the items
        "per item (all 1 item(s) must meet it):",
        "  account 1 曾都交通 (wechat, publishing): share 0%; 52 period(s) of 1 week(s) required; another account on the same platform: no",
        "    no post in: 2023-01-23 to 2023-02-05, 2023-10-02 to 2023-10-08"]  # two adjacent weeks are one range
    assert detail_lines({"accounts": [dict(row, missing_periods=[])]}) == [
        "account 1 曾都交通 (wechat, publishing): 52 period(s) of 1 week(s) required", "  a post in every period"]
    assert date_ranges(["2023-07-31..2023-08-13"]) == ["2023-07-31 to 2023-08-13"]
    assert detail_lines({"band": "无"}) == ["band: 无"]
    assert detail_lines({"credit": "1/3"}) == ["credit: 1/3"]
    assert detail_lines({"occurrences": 2}) == ["occurrences: 2"]
    assert detail_lines({"on_time": {"report_year": 2022, "deadline": "2023-01-31", "published_on": "2023-01-21"}}) == [
        "on time: report year: 2022; deadline: 2023-01-31; published on: 2023-01-21"]
    assert detail_lines({"one_account_per_platform": {"accounts": 2, "platforms": {"wechat": ["甲", "乙"]}}}) == [
        "one account per platform: accounts: 2; platforms: [wechat: 甲, 乙]"]
    assert detail_lines({"items": 0}) == ["no items recorded"]
    assert detail_lines({}) == []


def test_explain_lists_each_consultation_message_on_a_line(root, monkeypatch):
    """sfj's three test questions of 在线咨询 (rules/2023-zengdu/interaction.yaml, bands [0..1] 50%, (1..5] 20%,
    >10 0%): Thu 06-15 -> Mon 06-19 is 2 working days (20%); 12-11 answered the same day, 0 (50%); Tue 01-17
    -> Fri 02-03 is 10 working days (Jan 18-20, the make-up days Jan 28-29, Jan 30-Feb 3), in no band (0%).
    Mean 70%/3 = 7/30 of the weight 5: 7/6."""
    monkeypatch.chdir(root)
    r = invoke("explain", "examples/2023-zengdu", "--unit", "sfj", "--indicator", "portal.consultation", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    lines = [ln.strip() for ln in r.stdout.splitlines()]
    start = lines.index("per item (the mean over 3 item(s)):")
    assert "+7/6 ≈ 1.17" in lines[start - 2] and lines[start - 1].startswith("rule portal.consultation:reply, rules/2023-zengdu/")
    assert lines[start:start + 4] == [
        "per item (the mean over 3 item(s)):",
        "message 1: asked 2023-06-15 09:00, answered 2023-06-19 10:00, 2 working day(s) elapsed, band 超过1个且在5个工作日内答复且准确, share 20%",
        "message 2: asked 2023-12-11 08:45, answered 2023-12-11 11:00, 0 working day(s) elapsed, band 1个工作日内答复且准确, share 50%",
        "message 3: asked 2023-01-17 09:00, answered 2023-02-03 10:00, 10 working day(s) elapsed, no band, share 0%"]
    assert "{" not in r.stdout  # no JSON left


def test_a_report_folder_that_cannot_be_written_is_refused_before_scoring(env):
    blocker = env.tmp / "blocker"
    blocker.write_text("a file where the report's folder should be", encoding="utf-8")
    res = invoke("score", good_evidence(env), "--rules", env.rules, "--format", "json", "-o", blocker / "r.json", "--lang", "en")
    assert res.exit_code == 2
    assert "cannot be written" in res.stderr and str(blocker / "r.json") in res.stderr
    assert "Ranking" not in res.stdout   # nothing was scored


def test_disable_plugins_skips_a_module_named_in_govscore_plugins(env, monkeypatch):
    monkeypatch.setenv("GOVSCORE_PLUGINS", sup.PLUGIN_SPEC + ",no_such_module_anywhere")
    res = invoke("score", good_evidence(env), "--rules", env.rules, "--lang", "en")
    assert res.exit_code == 2 and "no_such_module_anywhere" in res.stderr
    monkeypatch.setenv("GOVSCORE_DISABLE_PLUGINS", "no_such_module_anywhere")
    res = invoke("score", good_evidence(env), "--rules", env.rules, "--lang", "en")
    assert res.exit_code == 0, res.stderr


def test_a_folder_without_evidence_files_is_an_error_not_an_empty_ranking(env):
    empty = env.tmp / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not evidence", encoding="utf-8")
    res = invoke("score", empty, "--rules", env.rules, "--lang", "en")
    assert res.exit_code == 2
    assert f"no evidence files (.yaml, .yml, .json, .xlsx) in {empty}" in res.stderr
