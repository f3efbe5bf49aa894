"""The built distribution carries what a non-editable `pip install .` needs: rule sets and data files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_rules_catalogue_schema_and_templates(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(tmp_path.glob("govscore-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    # every file of the bundled 2023 rule set: ruleset.yaml and its seven category files
    shipped = {n for n in names if n.startswith("govscore/rules/2023-zengdu/")}
    expected = {f"govscore/rules/2023-zengdu/{p.name}" for p in (ROOT / "rules" / "2023-zengdu").glob("*.yaml")}
    assert len(expected) == 8 and shipped == expected
    assert "govscore/core/locale/zh_CN/LC_MESSAGES/govscore.po" in names
    assert "govscore/core/schema/result.schema.json" in names
    assert "govscore/core/reports/templates/report.html.j2" in names
    # every indicator module of the four built-in plugin packages
    for area in ("disclosure", "portal", "newmedia", "bonus_penalty"):
        modules = {p.name for p in (ROOT / "plugins" / area).glob("*.py")}
        assert {n.rsplit("/", 1)[1] for n in names if n.startswith(f"govscore/plugins/{area}/")} >= modules
