"""The thinnest path end to end: rule file -> plugin -> engine -> score -> CLI output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EVIDENCE = """\
- unit: {id: a, name: 甲局, kind: department}
  observations:
    disclosure.overview: {up_to_date: true, consistent: {value: 0.5, source: "https://x.example/", checked_at: 2023-11-20}}
- unit: {id: b, name: 乙镇, kind: town}
  observations:
    disclosure.overview: {up_to_date: true}
"""


def test_overview_scores_through_the_cli(tmp_path: Path) -> None:
    ev = tmp_path / "units.yaml"
    ev.write_text(EVIDENCE, encoding="utf-8")
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "govscore.core.cli", "score", str(ev), "--format", "json", "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    overview_a = next(i for i in doc["units"][0]["indicators"] if i["id"] == "disclosure.overview")
    # unit a: up_to_date 50% x 2 = 1, consistent 0.5 x 50% x 2 = 0.5 -> 1.5
    assert overview_a["score"]["exact"] == "1.5"
    # the provenance recorded on consistent travels into the audit record of that criterion
    rec = next(r for r in overview_a["audit"] if r["entry"] == "consistent")
    assert rec["provenance"]["consistent"]["source"] == "https://x.example/"
    overview_b = next(i for i in doc["units"][1]["indicators"] if i["id"] == "disclosure.overview")
    # unit b: up_to_date 50% x 2 = 1; consistent not recorded -> missing, 0
    assert overview_b["score"]["exact"] == "1"
    assert overview_b["missing"] == ["consistent"]
