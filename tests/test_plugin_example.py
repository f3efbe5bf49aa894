"""The plugin example (examples/plugin-accessibility) installed as a real package and used by govscore.

The package is installed with pip into a temporary folder (``pip install --no-deps --target``; no
build isolation when the venv's setuptools can build wheels, so nothing is downloaded) and govscore
runs in subprocesses with ``PYTHONPATH`` pointing there: importlib.metadata finds the package's
``govscore.plugins`` entry point exactly as after a normal install. Nothing is installed into the venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govscore.core.testing import pip_install_target

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "plugin-accessibility"
ID = "accessibility.elderly"
IGNORE = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", ".pytest_cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """Copy the example (pip writes build/ and *.egg-info beside the sources), install it into a target
    folder, and return the environment for subprocesses that should see it."""
    base = tmp_path_factory.mktemp("plugin-example")
    project = base / "plugin-accessibility"
    shutil.copytree(EXAMPLE, project, ignore=IGNORE)
    target = base / "site"
    pip_install_target(project, target)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(target)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["GOVSCORE_LANG"] = "en"
    env.pop("GOVSCORE_DISABLE_PLUGINS", None)
    return {"env": env, "target": target, "project": project, "tmp": base}


def govscore(env: dict, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the govscore console script (or ``python -m govscore.core.cli`` when there is none)."""
    script = Path(sys.executable).with_name("govscore")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "govscore.core.cli"]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env, cwd=cwd)


def python(env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)


def has_command(env: dict, name: str) -> bool:
    return govscore(env, name, "--help").returncode == 0


def test_the_package_is_installed_with_its_rule_files(installed):
    target = installed["target"]
    assert (target / "govscore_accessibility" / "plugin.py").is_file()
    # the rule files travel as package data
    assert (target / "govscore_accessibility" / "rules" / "2024-example" / "ruleset.yaml").is_file()
    assert (target / "govscore_accessibility" / "rules" / "2024-example" / "accessibility.yaml").is_file()
    eps = list((target).glob("govscore_accessibility-*.dist-info/entry_points.txt"))
    assert eps and "accessibility = govscore_accessibility.plugin" in eps[0].read_text(encoding="utf-8")


def test_govscore_loads_it_through_its_entry_point(installed):
    env = installed["env"]
    code = ("import json; from govscore.core.plugins import load; r = load(); "
            "p = [x for x in r.plugins if x.name == 'accessibility'][0]; "
            "print(json.dumps({'dist': p.distribution, 'version': p.version, 'builtin': p.builtin, 'error': p.error, "
            "'hooks': p.hooks, 'indicator': r.indicators['accessibility.elderly'].plugin, "
            "'ruleset': str(r.ruleset_paths()['2024-example'])}))")
    proc = python(env, code)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["dist"] == "govscore-accessibility" and got["version"] == "0.1.0"
    assert not got["builtin"] and got["error"] is None
    assert got["hooks"] == ["register_indicators", "register_rulesets"]
    assert got["indicator"] == "accessibility"
    assert got["ruleset"].startswith(str(installed["target"]))
    # without the target on the path, the plugin is simply not there
    bare = dict(env, PYTHONPATH="")
    assert "accessibility" not in python(bare, "from govscore.core.plugins import load; print([p.name for p in load().plugins])").stdout
    if has_command(env, "plugins"):
        proc = govscore(env, "plugins")
        assert proc.returncode == 0, proc.stderr
        assert "accessibility" in proc.stdout and "govscore-accessibility" in proc.stdout


def test_scoring_with_rule_set_2024_example(installed):
    env, tmp = installed["env"], installed["tmp"]
    out = tmp / "report.json"
    evidence = installed["project"] / "evidence" / "units-2024.yaml"
    proc = govscore(env, "score", str(evidence), "--rules", "2024-example", "--format", "json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["context"]["ruleset"] == "2024-example"
    assert doc["context"]["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    leaf = {u["id"]: next(i for i in u["indicators"] if i["id"] == ID) for u in doc["units"]}
    # weight 5; elderly_mode 50%, screen_reader 30%, large_font checklist of 3 20%; veto unusable.
    # acc-full: (50% + 30% + 3/3 x 20%) x 5 = 5
    assert leaf["acc-full"]["score"]["exact"] == "5"
    # acc-part: elderly_mode 是 -> 50% x 5 = 2.5; screen_reader 0.5 -> 0.5 x 30% x 5 = 0.75;
    # large_font 2 of 3 -> 2/3 x 20% x 5 = 2/3; 2.5 + 0.75 + 2/3 = 47/12, shown 3.92
    assert leaf["acc-part"]["score"]["exact"] == "47/12"
    assert leaf["acc-part"]["score"]["value"] == 3.92
    # the provenance of screen_reader travels into its audit line
    rec = next(a for a in leaf["acc-part"]["audit"] if a["entry"] == "screen_reader")
    assert rec["provenance"]["screen_reader"]["source"] == "https://www.example.gov.cn/"
    # acc-broken: unusable -> the indicator scores 0
    assert leaf["acc-broken"]["score"]["exact"] == "0"
    # without the plugin the rule set is unknown: exit 2
    proc = govscore(dict(env, PYTHONPATH=""), "score", str(evidence), "--rules", "2024-example")
    assert proc.returncode == 2
    assert "2024-example" in proc.stderr


def test_validate_shows_the_new_indicator(installed):
    env = installed["env"]
    # the analysis validate prints: the leaf is compiled from the package's rule file, 5 points attainable
    code = ("from govscore.core.plugins import load; from govscore.core.ruleset.loader import load_ruleset; "
            "from govscore.core.analysis import analyse; r = load(); "
            "rep = analyse(load_ruleset('2024-example', r.ruleset_paths()), r); "
            "assert not rep.errors, [e.render() for e in rep.errors]; "
            "lf = rep.compiled.leaf('accessibility.elderly'); "
            "print(lf.plugin, lf.category, rep.leaf_max['accessibility.elderly'], rep.base_total); "
            "print([w.code for w in rep.warnings if 'accessibility.elderly' in w.message()])")
    proc = python(env, code)
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert first == "accessibility accessibility 5 105"
    assert second == "[]"  # shares sum to 100%, base total as declared: no warning about it
    if has_command(env, "validate"):
        proc = govscore(env, "validate", "2024-example")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        # the 2023 rule set does not use the plugin's indicator, and validate says so
        proc = govscore(env, "validate", "2023-zengdu")
        assert ID in proc.stdout + proc.stderr
    if has_command(env, "indicators"):
        proc = govscore(env, "indicators", "2024-example")
        assert proc.returncode == 0, proc.stderr
        assert ID in proc.stdout and "适老化改造" in proc.stdout


def test_the_example_passes_its_own_tests(installed):
    # the package's tests (written with govscore.core.testing) against the installed package
    project = installed["project"]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          capture_output=True, text=True, env=installed["env"], cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " passed" in proc.stdout and "failed" not in proc.stdout
