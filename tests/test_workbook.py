"""The evidence workbook: a template written from the rule set, filled by hand (here: by openpyxl, the way
evaluators do: text dates, serial numbers, numbers typed as text, merged cells, blank rows, leading
zeros), scores exactly like the same evidence written as YAML; bad cells are named by sheet and cell."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import openpyxl
import pytest

import _reportkit as kit
from govscore.core.evidence import load_evidence
from govscore.core.reports.json_report import result_dict
from govscore.core.workbook import (KEY_UNIT_ID, SHEET_OPTIONS, SHEET_UNITS, read_workbook, workbook_layout,
                                    write_template)


def _columns(ws) -> tuple[int, dict[str, int]]:
    """(key row, key -> column index) of a template sheet."""
    for r in range(1, 8):
        keys = {ws.cell(row=r, column=c).value: c for c in range(1, ws.max_column + 1)}
        if KEY_UNIT_ID in keys:
            return r, {k: c for k, c in keys.items() if k}
    raise AssertionError(f"no key row in {ws.title}")


def _put(ws, row: int, cols: dict[str, int], values: dict) -> None:
    for key, v in values.items():
        ws.cell(row=row, column=cols[key], value=v)


def fill(template: Path, out: Path, variant: dict | None = None) -> None:
    """Write the evidence of kit.EVIDENCE_YAML into the template as an evaluator would."""
    variant = variant or {}
    wb = openpyxl.load_workbook(template)
    ws = wb[SHEET_UNITS]
    kr, c = _columns(ws)
    o = "obs/wb.site/"
    rows = {
        "007": {KEY_UNIT_ID: "007", "unit.name": "区发展和改革局", "unit.kind": "部门",
                o + "up_to_date": "是", o + "published_fields/functions": "是", o + "published_fields/structure": "否",
                o + "published_fields/head": True, o + "form_level": "3：在本单位网站上提供本地化的事项清单，按类别分类展示",
                o + "last_updated": "2023年10月7日", o + "broken_links": "2",
                "obs/wb.keyarea/applicable": "是", "obs/wb.keyarea/structured": "0.5", "obs/wb.keyarea/consistent": 1,
                "obs/wb.media/mobile_adapted": "是", "obs/wb.coord/joint_campaigns": " 5 ",
                "obs/wbbonus.awards/commendations": 1, "obs/wbpen.notices/notices": 1},
        "zhen1": {KEY_UNIT_ID: "zhen1", "unit.name": "何店镇", "unit.kind": "镇街",
                  o + "up_to_date": "否", o + "form_level": 5, o + "last_updated": 44931,  # serial: 2023-01-05
                  "obs/wb.keyarea/applicable": "否", "obs/wb.coord/joint_campaigns": 2},
        "12": {KEY_UNIT_ID: 12, "unit.name": "区教育局", "unit.kind": "部门",  # a unit id typed as a number
               o + "up_to_date": "1/2", o + "published_fields/functions": "是", o + "published_fields/structure": "是",
               o + "published_fields/head": "是", o + "form_level": "4", o + "last_updated": _dt.datetime(2023, 12, 1),
               "obs/wb.keyarea/structured": "是", "obs/wb.keyarea/consistent": "是", "obs/wb.media/mobile_adapted": "否",
               "obs/wbpen.notices/notices": 3},
        "town2": {KEY_UNIT_ID: "town2", "unit.name": "万店镇", "unit.kind": "镇街",
                  o + "up_to_date": "是", o + "falsified": "是", o + "last_updated": "2023/12/20"},
    }
    r = kr + 1
    for uid, values in rows.items():
        values = dict(values, **variant.get(uid, {}))
        _put(ws, r, c, values)
        r += 2 if uid == "007" else 1  # a blank row after the first unit

    ws = wb["新媒体账号"]
    kr, c = _columns(ws)
    _put(ws, kr + 1, c, {KEY_UNIT_ID: "007", "account/platform": "wechat", "account/name": "曾都发改", "account/kind": "发布类",
                         "account/filed": "是", "account/opened_on": _dt.date(2019, 5, 1)})
    _put(ws, kr + 2, c, {KEY_UNIT_ID: "007", "account/platform": "weibo", "account/name": "发改微博", "account/kind": "服务类",
                         "account/filed": "否"})
    _put(ws, kr + 4, c, {KEY_UNIT_ID: "12", "account/platform": "douyin", "account/name": " 曾都教育", "account/kind": "发布类",
                         "account/filed": True})

    ws = wb["发文记录"]
    kr, c = _columns(ws)
    _put(ws, kr + 1, c, {KEY_UNIT_ID: "007", "post/account": "曾都发改", "post/date": "2023-01-03"})
    _put(ws, kr + 2, c, {KEY_UNIT_ID: "007", "post/account": "曾都发改", "post/date": 45206})  # serial: 2023-10-07
    _put(ws, kr + 3, c, {KEY_UNIT_ID: "12", "post/account": "曾都教育", "post/date": _dt.datetime(2023, 6, 1)})
    for k, v in variant.get("posts", {}).items():
        ws[k] = v

    ws = wb["咨询留言"]
    kr, c = _columns(ws)
    m = "list/wb.consult/messages/"
    _put(ws, kr + 1, c, {KEY_UNIT_ID: "007", m + "asked_at": "2023-09-28 16:00", m + "answered_at": _dt.datetime(2023, 9, 29, 9, 30),
                         m + "accurate": "是"})
    _put(ws, kr + 2, c, {m + "asked_at": _dt.datetime(2023, 10, 7, 9, 30), m + "answered_at": "2023/10/10 10:00", m + "accurate": True})
    _put(ws, kr + 3, c, {m + "asked_at": 45231 + 1 / 3, m + "accurate": "否"})  # serial: 2023-11-01 08:00
    ws.merge_cells(start_row=kr + 1, start_column=c[KEY_UNIT_ID], end_row=kr + 3, end_column=c[KEY_UNIT_ID])  # one id, 3 rows
    _put(ws, kr + 5, c, {KEY_UNIT_ID: "12", m + "asked_at": "2023年10月9日 10:00", m + "answered_at": "2023-10-09 17:00",
                         m + "accurate": "是"})
    for k, v in variant.get("messages", {}).items():
        ws[k] = v

    ws = wb["转载抽查"]
    kr, c = _columns(ws)
    p = "list/wb.coord/repost_checks/"
    _put(ws, kr + 1, c, {KEY_UNIT_ID: "007", p + "checked_on": "2023-03-01", p + "passed": "是"})
    _put(ws, kr + 2, c, {KEY_UNIT_ID: "007", p + "checked_on": "45017", p + "passed": "否"})  # a serial typed as text
    # a hand-edited sheet: the hidden key row deleted and a merged title row inserted above the headers
    ws.delete_rows(kr)
    ws.insert_rows(1)
    ws["A1"] = "转载抽查记录表"
    ws.merge_cells("A1:C1")

    ws = wb["复核调整"]
    kr, c = _columns(ws)
    _put(ws, kr + 1, c, {KEY_UNIT_ID: "007", "adjustment/indicator": "wb.site 网站建设", "adjustment/points": 1,
                         "adjustment/reason": "复核认定链接已修复", "adjustment/decided_by": "区政务公开办",
                         "adjustment/decided_on": "2024-01-15"})

    ws = wb["证据来源"]
    kr, c = _columns(ws)
    _put(ws, kr + 1, c, {KEY_UNIT_ID: "007", "provenance/indicator": "wb.site", "provenance/observation": "broken_links",
                         "provenance/source": "https://fgj.example/links", "provenance/checked_at": "2023-11-20",
                         "provenance/note": "首页两处"})
    wb.save(out)


def _strip_sources(doc):
    if isinstance(doc, dict):
        return {k: _strip_sources(v) for k, v in doc.items() if k not in ("source", "location", "evidence_files")}
    if isinstance(doc, list):
        return [_strip_sources(x) for x in doc]
    return doc


@pytest.fixture
def setup(tmp_path):
    compiled, reg, opts = kit.compiled_and_registry(tmp_path)
    template = tmp_path / "template.xlsx"
    write_template(compiled, template)
    return compiled, template


def test_template_layout(setup):
    compiled, template = setup
    wb = openpyxl.load_workbook(template)
    for name in ("单位", "新媒体账号", "发文记录", "咨询留言", "转载抽查", "复核调整", "证据来源", "说明"):
        assert name in wb.sheetnames
    ws = wb[SHEET_UNITS]
    # two header rows: indicator (merged over its columns) / criterion; one column per checklist item
    assert ws["D1"].value == "网站建设（wb.site）"
    assert any(str(r) == "D1:K1" for r in ws.merged_cells.ranges)
    row2 = [ws.cell(row=2, column=j).value or "" for j in range(1, ws.max_column + 1)]
    assert sum("published_fields." in v for v in row2) == 3
    assert ws.freeze_panes == "D4"
    assert ws.row_dimensions[3].hidden
    keys = [ws.cell(row=3, column=j).value for j in range(1, ws.max_column + 1)]
    # derived observations get no column; list observations have their own sheets
    assert not any("all_filed" in k or "posted" in k or "messages" in k for k in keys)
    dvs = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    col = {k: openpyxl.utils.get_column_letter(j) for j, k in enumerate(keys, start=1)}
    assert dvs[col["obs/wb.site/falsified"] + "4"].formula1 == '"是,否"'
    assert dvs[col["unit.kind"] + "4"].formula1 == '"部门,镇街"'
    assert dvs[col["obs/wb.site/up_to_date"] + "4"].prompt
    # a checklist item keeps its key (the evidence's) in the header; the hint gives the criterion's own words
    item = dvs[col["obs/wb.site/published_fields/head"] + "4"]
    assert "published_fields 的清单项 head" in item.prompt and "2.公开机构职能、内设机构、负责人等信息，30%；" in item.prompt
    assert "(published_fields.head)" in ws[col["obs/wb.site/published_fields/head"] + "2"].value
    # the level drop-down is longer than 255 characters: it comes from the hidden sheet
    level = dvs[col["obs/wb.site/form_level"] + "4"].formula1
    assert level.startswith(f"'{SHEET_OPTIONS}'!$A$1:$A$6")
    assert wb[SHEET_OPTIONS].sheet_state == "hidden"
    assert wb[SHEET_OPTIONS]["D1"].value is None and wb[SHEET_OPTIONS]["A4"].value.startswith("3：")
    # 说明 explains every column in the rubric's words
    help_text = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "2.公开机构职能、内设机构、负责人等信息，30%；" in help_text
    assert "考核网站栏目的建设和维护情况。" in help_text
    layout = workbook_layout(compiled)
    assert [s.name for s in layout.sheets if s.role == "list"] == ["咨询留言", "转载抽查"]


def test_filled_workbook_scores_like_yaml(setup, tmp_path):
    compiled, template = setup
    book = tmp_path / "filled.xlsx"
    fill(template, book)
    yaml_file = kit.write_yaml(tmp_path)
    from_yaml = kit.run_paths([yaml_file], tmp_path)
    from_book = kit.run_paths([book], tmp_path)
    assert not from_yaml.failures, [f.messages() for f in from_yaml.failures]
    assert not from_book.failures, [f.messages() for f in from_book.failures]
    a, b = _strip_sources(result_dict(from_yaml)), _strip_sources(result_dict(from_book))
    a["context"].pop("ruleset_hash", None), b["context"].pop("ruleset_hash", None)
    assert json.dumps(a, ensure_ascii=False, indent=1) == json.dumps(b, ensure_ascii=False, indent=1)
    ids = [u["id"] for u in b["units"]]
    assert "007" in ids and "12" in ids  # leading zeros kept; a number typed id read as text
    # the evidence really was used: provenance, adjustment, posts and messages
    unit = next(u for u in from_book.units if u.unit_id == "007")
    site = unit.leaf("wb.site")
    assert site.adjustments and site.adjustments[0].location.endswith("复核调整!A3")
    rec = next(r for r in site.audit if r.entry == "broken_links")
    assert rec.provenance["broken_links"]["source"] == "https://fgj.example/links"
    assert rec.provenance["broken_links"]["checked_at"] == "2023-11-20"
    assert unit.leaf("wb.consult").score > 0 and unit.leaf("wb.coord").score > 0


def test_locate_maps_key_paths_to_cells(setup, tmp_path):
    compiled, template = setup
    book = tmp_path / "filled.xlsx"
    fill(template, book)
    units = read_workbook(book, compiled)
    assert [u.unit_id for u in units] == ["007", "zhen1", "12", "town2"]
    u = units[0]
    keys = [k for k in _columns(openpyxl.load_workbook(template)[SHEET_UNITS])[1]]
    col = openpyxl.utils.get_column_letter(keys.index("obs/wb.site/broken_links") + 1)
    loc = u.locate(("observations", "wb.site", "broken_links"))
    assert (loc.sheet, loc.cell) == ("单位", f"{col}4")
    assert u.locate(("unit", "name")).cell == "B4"
    assert units[1].locate(("unit", "id")).cell == "A6"  # after the blank row
    loc = u.locate(("observations", "wb.consult", "messages", 1, "answered_at"))
    assert (loc.sheet, loc.cell) == ("咨询留言", "C4")
    loc = u.locate(("accounts", 0, "posts", 1))
    assert (loc.sheet, loc.cell) == ("发文记录", "C4")
    loc = u.locate(("observations", "wb.coord", "repost_checks", 1, "checked_on"))
    assert (loc.sheet, loc.cell) == ("转载抽查", "B4")  # title row inserted, key row deleted
    assert u.raw["observations"]["wb.site"]["published_fields"] == {"functions": "是", "head": True}
    assert u.raw["observations"]["wb.site"]["form_level"] == 3
    assert u.raw["accounts"][0]["posts"] == ["2023-01-03", _dt.date(2023, 10, 7)]
    assert u.raw["observations"]["wb.site"]["broken_links"] == {"value": "2", "source": "https://fgj.example/links",
                                                               "checked_at": _dt.date(2023, 11, 20), "note": "首页两处"}
    # load_evidence reads workbooks through the same reader
    loaded = load_evidence([book], compiled)
    assert [u.unit_id for u in loaded.units] == ["007", "zhen1", "12", "town2"] and not loaded.errors


def test_bad_cell_fails_naming_sheet_and_cell(setup, tmp_path):
    compiled, template = setup
    book = tmp_path / "bad.xlsx"
    keys = list(_columns(openpyxl.load_workbook(template)[SHEET_UNITS])[1])
    col = openpyxl.utils.get_column_letter(keys.index("obs/wb.site/last_updated") + 1)
    fill(template, book, {"zhen1": {"obs/wb.site/last_updated": "明天"}, "messages": {"C5": "yesterday"}})
    res = kit.run_paths([book], tmp_path / "r")
    assert sorted(u.unit_id for u in res.units) == ["12", "town2"]  # the other units are still scored
    messages = {f.unit_id: "\n".join(f.messages()) for f in res.failures}
    assert f"bad.xlsx 单位!{col}6" in messages["zhen1"] and "明天" in messages["zhen1"]
    assert "bad.xlsx 咨询留言!C5" in messages["007"] and "yesterday" in messages["007"]


def test_unreadable_cells_are_errors_with_sheet_and_cell(setup, tmp_path):
    compiled, template = setup
    book = tmp_path / "bad.xlsx"
    fill(template, book, {"town2": {"obs/wb.site/up_to_date": "#N/A"}, "posts": {"B6": "不存在的账号", "A6": "007", "C6": "2023-02-01"}})
    loaded = load_evidence([book], compiled)
    # both problems belong to known units: each fails its own unit, the others are read and scored
    assert loaded.errors == []
    from govscore.core.runner import score_units

    results, failures = score_units(compiled, loaded.units, "reference")
    text = {f.unit_id: "\n".join(f.messages()) for f in failures}
    assert len(text) == 2 and len(results) == len(loaded.units) - 2
    bad_cell = next(t for t in text.values() if "bad.xlsx 单位!D8" in t)
    assert "#N/A" in bad_cell
    assert "bad.xlsx 发文记录!B6" in text["007"] and "不存在的账号" in text["007"]


def test_unknown_unit_in_a_list_sheet(setup, tmp_path):
    compiled, template = setup
    book = tmp_path / "bad.xlsx"
    fill(template, book, {"messages": {"A8": "nobody", "B8": "2023-10-09 10:00"}})
    with pytest.raises(Exception) as exc:
        read_workbook(book, compiled)
    assert "咨询留言!A8" in exc.value.render() and "nobody" in exc.value.render()


def test_template_of_the_shipped_rule_set(tmp_path):
    """The real rubric (whatever of it exists today): a template is written and reads back empty."""
    from govscore.core.runner import RunOptions, prepare

    compiled = prepare(RunOptions())
    path = tmp_path / "evidence.xlsx"
    write_template(compiled, path)
    wb = openpyxl.load_workbook(path)
    assert SHEET_UNITS in wb.sheetnames and "说明" in wb.sheetnames
    ws = wb[SHEET_UNITS]
    ws["A4"], ws["B4"] = "001", "测试单位"
    wb.save(path)
    units = read_workbook(path, compiled)
    assert [u.unit_id for u in units] == ["001"] and units[0].raw == {"unit": {"id": "001", "name": "测试单位"}}


def test_units_sheet_without_its_key_row_is_read_by_its_merged_headers(setup, tmp_path):
    """A hand-edited sheet: the hidden key row deleted; the two merged header rows still name every column."""
    compiled, template = setup
    book = tmp_path / "filled.xlsx"
    fill(template, book)
    expected = [(u.raw, u.locate(("observations", "wb.site", "form_level")).cell) for u in read_workbook(book, compiled)]
    wb = openpyxl.load_workbook(book)
    ws = wb[SHEET_UNITS]
    ws.delete_rows(3)  # openpyxl keeps the merged header ranges where they are (rows 1-2)
    wb.save(book)
    got = read_workbook(book, compiled)
    assert [u.raw for u in got] == [raw for raw, _cell in expected]
    cells = [u.locate(("observations", "wb.site", "form_level")).cell for u in got]
    assert cells == [f"{c[0]}{int(c[1:]) - 1}" for _raw, c in expected]


def test_a_rubric_text_shared_by_two_entries_is_explained_once(tmp_path):
    """Like 政策文件's defective_documents: a disabled alternative criterion and a deduction read one observation
    and quote the same rubric sentence; 说明 gives it once."""
    from govscore.core.runner import RunOptions, prepare

    folder = kit.write_ruleset(tmp_path / "wbtest")
    base = folder / "base.yaml"
    alt = ('      - {id: no_broken_links, kind: bands, observation: broken_links, bands: [{when: "0", share: 10%}],\n'
           '         enabled: false, text: "存在错链断链的，每处扣10%"}\n')
    text = base.read_text(encoding="utf-8").replace("    deductions:\n      - {id: broken_links", alt + "    deductions:\n      - {id: broken_links", 1)
    base.write_text(text, encoding="utf-8")
    compiled = prepare(RunOptions(rules=str(folder), engine="reference"), kit.registry())
    col = next(c for c in workbook_layout(compiled).sheets[0].columns if c.key == "obs/wb.site/broken_links")
    assert col.explain["criterion"] == "存在错链断链的，每处扣10%"
    path = tmp_path / "t.xlsx"
    write_template(compiled, path)
    cells = [str(c.value) for row in openpyxl.load_workbook(path)["说明"].iter_rows() for c in row if c.value]
    quoting = [c for c in cells if "存在错链断链" in c]
    assert "存在错链断链的，每处扣10%" in quoting and all(c.count("存在错链断链") == 1 for c in quoting), quoting


def test_checklist_item_labels_when_the_rule_entry_gives_them():
    """An optional labels mapping on a checklist entry (item key -> words) is read for the header; the key stays."""
    from types import SimpleNamespace

    from govscore.core.workbook import _checklist_labels

    entry = SimpleNamespace(params=SimpleNamespace(observation="published_fields", items=["functions", "head"],
                                                   labels={"functions": "机构职能", "head": " 负责人\n姓名 "}))
    other = SimpleNamespace(params=SimpleNamespace(observation="other", items=["x"], labels={"x": "别的"}))
    assert _checklist_labels(SimpleNamespace(entries=[entry, other]), "published_fields") == {"functions": "机构职能",
                                                                                            "head": "负责人 姓名"}
    assert _checklist_labels(SimpleNamespace(entries=[SimpleNamespace(params=SimpleNamespace(observation="published_fields"))]),
                             "published_fields") == {}
