"""A bad row of the evidence workbook fails its own unit (or is a file-level error), never the others."""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

from govscore.core.runner import RunOptions, run

ROOT = Path(__file__).resolve().parent.parent


def test_bad_rows_fail_only_their_unit(tmp_path: Path) -> None:
    book = tmp_path / "evidence.xlsx"
    shutil.copy(ROOT / "examples" / "2023-zengdu-workbook.xlsx", book)
    wb = load_workbook(book)
    # row 3 of 咨询留言 is fgj's first message: give it a unit id the 单位 sheet does not have
    assert wb["咨询留言"]["A3"].value == "fgj"
    wb["咨询留言"]["A3"] = "nobody"
    # row 4 of 发文记录 is a post of fgj's account 曾都发改: name an account fgj does not have
    assert (wb["发文记录"]["A4"].value, wb["发文记录"]["B4"].value) == ("fgj", "曾都发改")
    wb["发文记录"]["B4"] = "不存在的账号"
    wb.save(book)

    res = run([book], RunOptions())
    # 32 example units: fgj fails (its post names an unknown account), the other 31 are scored
    assert len(res.units) == 31 and "fgj" not in {u.unit_id for u in res.units}
    by_unit = {f.unit_id: f for f in res.failures}
    assert set(by_unit) == {None, "fgj"}
    (fgj_error,) = by_unit["fgj"].errors
    assert (fgj_error.location.sheet, fgj_error.location.cell) == ("发文记录", "B4")
    (loose,) = by_unit[None].errors
    assert (loose.location.sheet, loose.location.cell, loose.unit) == ("咨询留言", "A3", "nobody")


def test_formula_without_computed_value_is_an_error_of_its_unit(tmp_path: Path) -> None:
    book = tmp_path / "evidence.xlsx"
    shutil.copy(ROOT / "examples" / "2023-zengdu-workbook.xlsx", book)
    wb = load_workbook(book)
    ws = wb["单位"]
    # the hidden key row (row 3) names each column; fgj is the first unit row (row 4)
    col = next(c.column_letter for c in ws[3] if c.value == "obs/portal.maintenance/broken_links")
    assert ws["A4"].value == "fgj"
    ws[f"{col}4"] = "=1+1"  # openpyxl saves formulas without a computed value
    wb.save(book)
    res = run([book], RunOptions())
    # read as empty, the count would default to 0 broken links and silently raise fgj's score
    assert len(res.units) == 31
    (fail,) = res.failures
    (err,) = fail.errors
    assert fail.unit_id == "fgj" and (err.location.sheet, err.location.cell) == ("单位", f"{col}4")
    assert "formula without a computed value" in err.message()
