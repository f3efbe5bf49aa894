"""README's worked example for policy staff: "within 1 working day" becomes 2, in a child rule set.

examples/rules-2days extends 2023-zengdu and only rewrites the bands of portal.consultation's `reply`.
The commands of README are run for real: validate, rules diff, score twice, compare.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "govscore.core.cli"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args, "--lang", "en"], capture_output=True, text=True, cwd=ROOT)


def test_two_working_days_variant(tmp_path: Path) -> None:
    child = str(ROOT / "examples" / "rules-2days")
    v = _cli("validate", child)
    assert v.returncode == 0, v.stderr
    diff = _cli("rules", "diff", "2023-zengdu", child)
    assert diff.returncode == 0, diff.stderr
    assert "[0..1] -> [0..2]" in diff.stdout and "(1..5] -> (2..5]" in diff.stdout

    before, after = tmp_path / "before.json", tmp_path / "after.json"
    evidence = str(ROOT / "examples" / "2023-zengdu")
    assert _cli("score", evidence, "--format", "json", "-o", str(before)).returncode == 0
    assert _cli("score", evidence, "--rules", child, "--format", "json", "-o", str(after)).returncode == 0

    def consultation(path: Path, unit: str) -> str:
        doc = json.loads(path.read_text(encoding="utf-8"))
        u = next(x for x in doc["units"] if x["id"] == unit)
        return next(i for i in u["indicators"] if i["id"] == "portal.consultation")["score"]["exact"]

    # yjj (区应急管理局) has three test questions: two answered the same day (0 working days, 50% each) and
    # one asked Fri 2023-04-21, answered Mon 2023-04-24: Sun 04-23 is a make-up working day, so 2 working
    # days. 2023-zengdu: (50% + 50% + 20%) / 3 x 5 = 2; with 2 working days the third earns 50% too:
    # (50% + 50% + 50%) / 3 x 5 = 2.5.
    assert consultation(before, "yjj") == "2"
    assert consultation(after, "yjj") == "2.5"

    cmp = _cli("compare", str(before), str(after))
    assert cmp.returncode == 0, cmp.stderr
    yjj = next(line for line in cmp.stdout.splitlines() if line.startswith("yjj"))
    assert "+0.5" in yjj
