"""``govscore new-plugin NAME`` (govscore.core.scaffold.new_plugin): the generated package installs,
registers through its entry point and passes its own tests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govscore.core.errors import ExitCode, GovscoreError
from govscore.core.scaffold import ScaffoldError, check_name, fields_for, new_plugin
from govscore.core.testing import pip_install_target


def test_the_generated_layout(tmp_path: Path):
    project = new_plugin("ramps", tmp_path)
    assert project == tmp_path / "govscore-ramps"
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == [
        "README.md", "pyproject.toml",
        "src/govscore_ramps/__init__.py", "src/govscore_ramps/plugin.py",
        "src/govscore_ramps/rules/ramps-example/ramps.yaml", "src/govscore_ramps/rules/ramps-example/ruleset.yaml",
        "tests/test_ramps.py",
    ]
    text = "".join(p.read_text(encoding="utf-8") for p in project.rglob("*") if p.is_file())
    assert re.search(r"\{\{\s*\w+\s*\}\}", text) is None  # every field filled in
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."govscore.plugins"]\nramps = "govscore_ramps.plugin"' in pyproject
    assert "extends: 2023-zengdu" in (project / "src/govscore_ramps/rules/ramps-example/ruleset.yaml").read_text(encoding="utf-8")
    # the generated Python compiles
    for py in project.rglob("*.py"):
        compile(py.read_text(encoding="utf-8"), str(py), "exec")


def test_names_with_underscores(tmp_path: Path):
    assert fields_for("open_data") == {"name": "open_data", "dist": "govscore-open-data", "package": "govscore_open_data",
                                       "ruleset": "open-data-example", "indicator": "open_data.example"}
    project = new_plugin("open_data", tmp_path / "new" / "folder")  # dest is created
    assert (project / "src" / "govscore_open_data" / "rules" / "open-data-example" / "open_data.yaml").is_file()


@pytest.mark.parametrize("bad", ["", "Ramps", "1ramps", "ramps-2", "Ramps.X", "坡道", "a" * 41, "_x"])
def test_invalid_names_are_refused(tmp_path: Path, bad: str):
    with pytest.raises(ScaffoldError) as exc:
        new_plugin(bad, tmp_path)
    err = exc.value
    # a GovscoreError the CLI renders and exits 2 with, and a ValueError
    assert isinstance(err, GovscoreError) and isinstance(err, ValueError)
    assert err.exit_code == ExitCode.USAGE
    assert "lowercase letters, digits and underscores" in err.msgid  # rendered in the current language
    assert repr(bad) in err.render()
    assert not any(tmp_path.iterdir())


def test_an_indicator_id_gets_a_hint(tmp_path: Path):
    with pytest.raises(ScaffoldError) as exc:
        new_plugin("portal.new_indicator", tmp_path)
    assert "looks like an indicator id" in exc.value.msgid
    assert exc.value.params == {"name": "portal.new_indicator", "suggestion": "new_indicator"}
    assert "new_indicator.example" in exc.value.render()


@pytest.mark.parametrize("taken", ["disclosure", "newmedia", "portal", "bonus", "penalty", "core"])
def test_names_govscore_uses_are_refused(tmp_path: Path, taken: str):
    with pytest.raises(ScaffoldError) as exc:
        check_name(taken)
    assert "taken by govscore" in exc.value.msgid and taken in exc.value.render()


def test_an_existing_project_is_never_overwritten(tmp_path: Path):
    project = new_plugin("ramps", tmp_path)
    (project / "README.md").write_text("mine", encoding="utf-8")
    with pytest.raises(ScaffoldError) as exc:
        new_plugin("ramps", tmp_path)
    assert "already exists" in exc.value.msgid and str(project) in exc.value.render()
    assert (project / "README.md").read_text(encoding="utf-8") == "mine"


def test_the_generated_package_installs_and_passes_its_own_tests(tmp_path: Path):
    project = new_plugin("ramps", tmp_path / "work")
    target = tmp_path / "site"
    pip_install_target(project, target)
    assert (target / "govscore_ramps" / "rules" / "ramps-example" / "ramps.yaml").is_file()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", GOVSCORE_LANG="en")
    env["PYTHONPATH"] = os.pathsep.join([str(target)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.pop("GOVSCORE_DISABLE_PLUGINS", None)
    # its own tests (the hand-computed 3.2 among them), against the installed package
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
    # and govscore finds it through its entry point
    code = ("import json; from govscore.core.plugins import load; r = load(); "
            "p = [x for x in r.plugins if x.name == 'ramps'][0]; "
            "print(json.dumps([p.distribution, p.error, r.indicators['ramps.example'].plugin, "
            "'ramps-example' in r.rulesets]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == ["govscore-ramps", None, "ramps", True]
