"""The result workbook: sheets, formats, identical values across runs, formula-looking text kept as text."""

from __future__ import annotations

from pathlib import Path

import openpyxl

import _reportkit as kit
from govscore.core.reports import BUILTIN_WRITERS
from govscore.core.reports.xlsx_report import DETAILS, SUMMARY, role_label, write_xlsx


def _values(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def _evidence(tmp_path: Path, names: dict | None = None) -> Path:
    text = kit.EVIDENCE_YAML
    for old, new in (names or {}).items():
        text = text.replace(f"name: {old}", f"name: {new}")
    p = tmp_path / "units.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_registered_as_the_xlsx_writer():
    writers = {w.name: w for w in BUILTIN_WRITERS()}
    assert writers["xlsx"].write is write_xlsx and writers["xlsx"].suffix == ".xlsx"


def test_sheets_formats_and_details(tmp_path):
    run = kit.run_paths([_evidence(tmp_path)], tmp_path, group_by="kind")
    out = tmp_path / "result.xlsx"
    write_xlsx(run, out, {"group_by": "kind"})
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:5] == [SUMMARY, "网站与新媒体", "加分指标", "扣分指标", DETAILS]
    s = wb[SUMMARY]
    assert s.freeze_panes == "E2"
    total_col = 6  # rank, rank in group, id, name, kind, total
    rows = list(s.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [1, 2, 3, 4]          # rank
    assert [r[1] for r in rows] == [1, 2, 1, 2]          # rank among departments / among towns
    assert rows[0][2] == "007"                            # unit ids stay text
    cell = s.cell(row=2, column=total_col)
    assert isinstance(cell.value, float) and cell.number_format == "0.00"
    assert s.column_dimensions["D"].width >= 10
    # one sheet per category: units x leaves
    cat = wb["网站与新媒体"]
    assert [c.value for c in cat[1]][5].startswith("网站建设")
    assert cat.freeze_panes == "D2"
    # 扣分明细: deductions, vetoes, lost criteria, missing observations and adjustments, with rule and provenance
    d = list(wb[DETAILS].iter_rows(min_row=2, values_only=True))
    kinds = {r[6] for r in d}
    roles = ("deduct", "veto", "not_met", "award", "missing_observation", "adjustment", "missing")
    assert {role_label(r) for r in roles} <= kinds
    broken = next(r for r in d if r[1] == "007" and r[7] == "broken_links")
    assert broken[9] == -2 and broken[10] == 2 and "https://fgj.example/links" in broken[13]
    assert broken[15] == "wbtest/base.yaml:20"
    veto = next(r for r in d if r[1] == "town2" and r[6] == role_label("veto"))
    assert veto[7] == "falsified" and veto[10] == 10
    adj = next(r for r in d if r[6] == role_label("adjustment"))
    assert adj[9] == 1 and "复核认定链接已修复" in adj[11]


def test_values_identical_across_runs_and_formulas_stay_text(tmp_path):
    names = {"万店镇": '"=1+1"', "何店镇": '"@SUM(A1:A3)"', "区教育局": '"-2+3"', "区发展和改革局": '"+cmd|x"'}
    ev = _evidence(tmp_path, names)
    one, two = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    write_xlsx(kit.run_paths([ev], tmp_path), one, {"group_by": "kind"})
    write_xlsx(kit.run_paths([ev], tmp_path), two, {"group_by": "kind"})
    assert _values(one) == _values(two)
    wb = openpyxl.load_workbook(one)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    found[c.value] = c.quotePrefix
    assert found.get("=1+1") is True and found.get("@SUM(A1:A3)") is True
    assert found.get("-2+3") is True and found.get("+cmd|x") is True
    # no leftover temporary files: the workbook is written through a temporary file and renamed
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".one.xlsx")]


def test_failures_listed(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("unit: {id: x1, name: 坏单位}\nobservations:\n  wb.site: {up_to_date: maybe}\n", encoding="utf-8")
    run = kit.run_paths([_evidence(tmp_path), bad], tmp_path, group_by=None)
    out = tmp_path / "r.xlsx"
    write_xlsx(run, out)
    wb = openpyxl.load_workbook(out)
    rows = list(wb["未评分"].iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "x1" and "maybe" in rows[0][3]
    assert len(next(wb[SUMMARY].iter_rows(max_row=1, values_only=True))) == 12  # no group rank without group_by
