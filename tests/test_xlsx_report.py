"""The result workbook: sheets, formats, identical values across runs, formula-looking text kept as text."""

from __future__ import annotations

from pathlib import Path

import openpyxl

import _reportkit as kit
from govscore.core.reports import BUILTIN_WRITERS
from govscore.core.reports.xlsx_report import DETAILS, SUMMARY, role_label, sheet_title, write_xlsx


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
    # sheet names follow the language (English in-process for tests); the categories are the rule set's names
    assert wb.sheetnames == [sheet_title("summary"), "网站与新媒体", "加分指标", "扣分指标", sheet_title("details"),
                             sheet_title("weights"), sheet_title("context")]
    s = wb[sheet_title("summary")]
    assert s.freeze_panes == "E2"
    # the single bonus and deduction categories are the Bonus and Deductions columns (no second, signed copy)
    head = [c.value for c in s[1]]
    assert head[5:] == ["Total", "Base", "Bonus", "Deductions", "网站与新媒体 (weight 31)", "Missing observations"]
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
    # the cells are scores; the headers name the rule file's (nominal) weight
    assert [c.value for c in cat[1]][4:6] == ["Category score (weight 31)", "网站建设: score (weight 10)"]
    assert cat.freeze_panes == "D2"
    # deductions are a positive number of points deducted: 区教育局 3 notices x 50% x 4 = 6, capped at the weight 4
    pen = wb["扣分指标"]
    assert [c.value for c in pen[1]][4:] == ["Category deductions (at most 4)", "通报曝光: deducted (at most 4)"]
    assert next(r for r in pen.iter_rows(min_row=2, values_only=True) if r[1] == "12")[4:] == (4, 4)
    assert next(r for r in s.iter_rows(min_row=2, values_only=True) if r[2] == "12")[8] == 4
    # effective weights in their own place: 何店镇's 重点领域 does not apply, its 6 points go evenly to the
    # other 4 leaves (+1.5 each): 10 + 1.5, 0, 5 + 1.5, 6 + 1.5, 4 + 1.5
    w = wb[sheet_title("weights")]
    assert [c.value for c in w[1]][4:6] == ["网站建设 (weight 10)", "重点领域 (weight 6)"]
    assert next(r for r in w.iter_rows(min_row=2, values_only=True) if r[1] == "zhen1")[4:] == (11.5, 0, 6.5, 7.5, 5.5)
    # 扣分明细: deductions, vetoes, lost criteria, missing observations and adjustments, with rule and provenance
    d = list(wb[sheet_title("details")].iter_rows(min_row=2, values_only=True))
    kinds = {r[6] for r in d}
    roles = ("deduct", "veto", "not_met", "award", "missing_observation", "adjustment", "missing")
    assert {role_label(r) for r in roles} <= kinds
    assert role_label("normalisation") not in kinds  # weight moved by applicability is no lost point
    # 网站建设 of 区发展和改革局 was adjusted on appeal: its computed losses are in the reason, not current losses
    broken = next(r for r in d if r[1] == "007" and r[7] == "broken_links")
    assert broken[9] == -2 and broken[10] is None and "https://fgj.example/links" in broken[13]
    assert broken[11] == "before the appeal adjustment, lost 2.00: 2 x 0.1 of the weight"  # 2 x 10% x 10
    assert broken[15] == "wbtest/base.yaml:20"
    veto = next(r for r in d if r[1] == "town2" and r[6] == role_label("veto"))
    assert veto[7] == "falsified" and veto[10] == 10  # the most attainable: shares 30% + 30% + 40% of 10
    adj = next(r for r in d if r[6] == role_label("adjustment"))
    # computed 3 (up to date) + 2/3 x 3 (2 of 3 fields) + 3/5 x 4 (level 3 of 5) - 2 (links) = 5.40; +1 = 6.40;
    # the leaf's loss now: 10 - 6.40 = 3.60
    assert adj[9] == 1 and adj[10] == 3.6
    assert adj[11] == "before 5.40, appeal adjustment +1.00, after 6.40: 复核认定链接已修复 (区政务公开办 2024-01-15)"
    # a criterion's displayed losses add up to its leaf's: 在线咨询 of 区发展和改革局 earns the mean of 50%, 20%
    # and 0% = 7/30 of 5 = 7/6 (1.17); the most its shares allow is 2.50, so it lost 2.50 - 1.17 = 1.33
    timeliness = next(r for r in d if r[1] == "007" and r[7] == "timeliness")
    assert timeliness[10] == 1.33
    # its detail cell says the same per message, in words (as `govscore explain` does), not as JSON
    assert timeliness[14] == ("per item (the mean over 3 item(s)): item 1: share 50%; band 1天内; item 2: share 20%; band 5天内; "
                              "item 3: share 0%")


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
    rows = list(wb[sheet_title("failures")].iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "x1" and "maybe" in rows[0][3]
    # rank, id, name, kind, total, base, bonus, deductions, the base category, missing: no group rank without group_by
    assert len(next(wb[sheet_title("summary")].iter_rows(max_row=1, values_only=True))) == 10


def test_chinese_workbook_is_chinese_throughout(tmp_path):
    """The default language: Chinese sheet names, and no English label in any header."""
    import re

    from govscore.core.i18n import set_language

    run = kit.run_paths([_evidence(tmp_path)], tmp_path, group_by="kind")
    set_language("zh_CN")  # the autouse fixture restores English afterwards
    out = tmp_path / "zh.xlsx"
    write_xlsx(run, out, {"group_by": "kind"})
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [SUMMARY, "网站与新媒体", "加分指标", "扣分指标", DETAILS, "有效权重", "运行信息"]
    for ws in wb.worksheets:
        head = [str(c.value) for c in ws[1] if c.value is not None]
        assert not [h for h in head if re.search(r"[A-Za-z]{3,}", h)], (ws.title, head)
    assert [c.value for c in wb["网站与新媒体"][1]][4:6] == ["一级指标得分（权重 31）", "网站建设 得分（权重 10）"]
    assert [c.value for c in wb["扣分指标"][1]][4] == "一级指标扣分（最多 4）"


def test_terminal_table_follows_the_same_conventions(tmp_path):
    """The ranking on the terminal: deductions positive in one column, a marker and a section for missing
    observations, and no empty ranking when every unit failed."""
    from govscore.core.reports.table import render_plain, sections

    run = kit.run_paths([_evidence(tmp_path)], tmp_path, group_by=None)
    secs = sections(run)
    ranking = secs[0]
    assert ranking.headers[3:] == ["Total", "Base", "Bonus", "Deductions", "网站与新媒体"]
    rows = {r[1]: r for r in ranking.rows}
    assert rows["12"][2] == "区教育局*" and rows["12"][6] == "4.00"  # 3 x 50% x 4 = 6, capped at 4: deducted 4
    assert rows["007"][2] == "区发展和改革局"  # nothing missing, no marker
    missing = next(s for s in secs if s.title.startswith("*"))
    # 区教育局 recorded no repost checks, no joint campaigns and no commendations: 3 observations missing
    assert [r[:3] for r in missing.rows][0] == ["12", "区教育局", "3"]
    assert "协调联动 (repost_checks, joint_campaigns)" in missing.rows[0][3]
    bad = tmp_path / "bad" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("unit: {id: x1, name: 坏单位}\nobservations:\n  wb.site: {up_to_date: maybe}\n", encoding="utf-8")
    failed = kit.run_paths([bad], tmp_path / "b", group_by="kind")
    assert not failed.units and sections(failed, "kind") == [] and sections(failed) == []
    text = render_plain(failed, "kind")
    assert "Rank" not in text and "No unit could be scored." in text
