"""The bad-input catalogue (tests/bad_inputs/): every case run through the real CLI in a subprocess.

Each case is a folder with its input files and a ``case.yaml``::

    # what the case shows
    plugin: {dist: gs-explode, module: gs_explode, entry_point: explode}   # optional, see below
    files: {report.partial: "previous content"}                            # optional files made first
    runs:
      - args: [score, bad.yaml, good.yaml, --format, json, -o, report.json]
        env: {GOVSCORE_DISABLE_PLUGINS: broken}   # optional
        exit: 1
        stderr_contains: ["bad.yaml:4:", "unit typo", "did you mean disclosure.overview?"]
        stdout_contains: [...]
        report: {file: report.json, units: {good: "93.65"}, names: {good: 合格局}, failed: [typo]}
        no_file: [report.json]          # nothing written
        unchanged: [report.partial]     # still as `files:` made it
        traceback: true                 # only with GOVSCORE_DEBUG=1

The case folder and ``bad_inputs/_shared`` (``good.yaml``, a complete unit scoring 93.65) are copied to a
temporary folder, which is the working directory of ``python -m govscore.core.cli <args>``; messages are
read in English (GOVSCORE_LANG=en). ``plugin:`` turns the case's ``<module>.py`` into an installed
distribution: a ``site`` folder with the module and a ``<dist>-0.1.dist-info`` holding its
``govscore.plugins`` entry point, put on PYTHONPATH, exactly as pip would leave a third-party plugin.

Every run also checks: no traceback on stderr (unless the case expects one), and every error line names
a place (file:line) when the exit code is 1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent / "bad_inputs"
SHARED = HERE / "_shared"
CASES = sorted(p.name for p in HERE.iterdir() if p.is_dir() and (p / "case.yaml").is_file())


def install_plugin(site: Path, case_dir: Path, spec: dict) -> None:
    """Lay out `spec` (dist, module, entry_point) as an installed distribution under `site`."""
    site.mkdir(parents=True, exist_ok=True)
    module = spec["module"]
    shutil.copy(case_dir / f"{module}.py", site / f"{module}.py")
    info = site / f"{spec['dist'].replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {spec['dist']}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[govscore.plugins]\n{spec['entry_point']} = {module}\n", encoding="utf-8")
    (info / "top_level.txt").write_text(module + "\n", encoding="utf-8")
    (info / "RECORD").write_text("", encoding="utf-8")


def prepare_case(name: str, tmp_path: Path) -> tuple[Path, dict, dict]:
    case_dir = HERE / name
    spec = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    work = tmp_path / "work"
    shutil.copytree(SHARED, work)
    shutil.copytree(case_dir, work, dirs_exist_ok=True)
    (work / "case.yaml").unlink()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVSCORE_", "PYTHONPATH"))}
    env["GOVSCORE_LANG"] = "en"
    env["PYTHONHASHSEED"] = "0"
    if spec.get("plugin"):
        site = tmp_path / "site"
        install_plugin(site, case_dir, spec["plugin"])
        env["PYTHONPATH"] = str(site)
        (work / f"{spec['plugin']['module']}.py").unlink()  # only importable from site/
    for fname, content in (spec.get("files") or {}).items():
        (work / fname).parent.mkdir(parents=True, exist_ok=True)
        (work / fname).write_text(content, encoding="utf-8")
    return work, spec, env


def run_cli(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govscore.core.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def check_report(work: Path, want: dict, where: str) -> None:
    path = work / want.get("file", "report.json")
    assert path.is_file(), f"{where}: no report {path.name} was written"
    doc = json.loads(path.read_text(encoding="utf-8"))
    got = {u["id"]: Fraction(u["total"]["exact"]) for u in doc["units"]}
    assert got == {k: Fraction(str(v)) for k, v in want.get("units", {}).items()}, where
    for uid, name in (want.get("names") or {}).items():
        assert next(u["name"] for u in doc["units"] if u["id"] == uid) == name, where
    failed = [f["unit"] for f in doc["failures"]]
    assert sorted(failed, key=str) == sorted(want.get("failed", []), key=str), where
    for f in doc["failures"]:
        for e in f["errors"]:
            assert e["location"].get("file") and e["message"], f"{where}: an error without a place: {e}"


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name: str, tmp_path: Path) -> None:
    work, spec, base_env = prepare_case(name, tmp_path)
    before = {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()}
    for i, run in enumerate(spec["runs"], start=1):
        where = f"{name} run {i} ({' '.join(run['args'])})"
        env = dict(base_env, **{k: str(v) for k, v in (run.get("env") or {}).items()})
        stale = list(run.get("no_file", [])) + ([run["report"].get("file", "report.json")] if run.get("report") else [])
        for fname in stale:  # a report of an earlier run must not pass for this run's
            (work / fname).unlink(missing_ok=True)
        proc = run_cli(run["args"], work, env)
        out, err = proc.stdout, proc.stderr
        assert proc.returncode == run["exit"], f"{where}: exit {proc.returncode}\nstdout:\n{out}\nstderr:\n{err}"
        for frag in run.get("stderr_contains", []):
            assert frag in err, f"{where}: {frag!r} not in stderr:\n{err}"
        for frag in run.get("stdout_contains", []):
            assert frag in out, f"{where}: {frag!r} not in stdout:\n{out}"
        if run.get("traceback"):
            assert "Traceback" in err, where
        else:
            assert "Traceback" not in err and "Traceback" not in out, f"{where}: a traceback:\n{err}"
        if run.get("report"):
            check_report(work, run["report"], where)
        for fname in run.get("no_file", []):
            assert not (work / fname).exists(), f"{where}: {fname} was written"
        for fname in run.get("unchanged", []):
            assert (work / fname).read_bytes() == before[fname], f"{where}: {fname} changed"
        leftovers = [p.name for p in work.iterdir() if p.name.startswith(".") and p.name.endswith((".tmp", ".json", ".partial"))]
        assert not leftovers, f"{where}: temporary files left behind: {leftovers}"
        if proc.returncode == 1 and run.get("stderr_contains") and not run.get("traceback"):
            # every unit's error line (indented under its unit) names a place: file:line
            lines = [ln.strip() for ln in err.splitlines() if ln.startswith("    ")]
            assert lines and all(":" in ln.split(" ")[0] for ln in lines), f"{where}: an error line without a place:\n{err}"


def test_the_catalogue_covers_the_issue() -> None:
    """Issue 8's list of accepted inputs and errors, each present as a case."""
    required = {"ok_json_bom", "ok_yaml_timestamps", "ok_numbers_as_text", "malformed_yaml", "unknown_indicator",
                "unknown_observation", "wrong_type_judgement", "share_over_100", "negative_count", "fraction_out_of_range",
                "answer_before_question", "date_past_calendar", "duplicate_unit_ids", "band_overlap_unique",
                "band_gap_is_a_warning", "extends_missing", "plugin_action_raises", "plugin_import_fails", "report_write_fails"}
    assert required <= set(CASES)


def test_atomic_write_bytes_leaves_the_old_report_when_interrupted(tmp_path: Path, monkeypatch) -> None:
    """The JSON writer's own path (atomic_write_bytes): an interruption after part of the bytes are
    written (here: the disk sync fails) leaves the previous report whole and no temporary file."""
    from govscore.core.reports import base

    target = tmp_path / "report.json"
    target.write_bytes(b'{"previous": true}\n')

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(base.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        base.atomic_write_bytes(target, b'{"new": "half written' * 1000)
    assert target.read_bytes() == b'{"previous": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
