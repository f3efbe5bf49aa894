"""Evidence workbooks: the template generated from a compiled rule set, and reading a filled one.

:func:`write_template` writes the evaluator's workbook (issue 6):

- 单位: one row per unit; fixed columns 单位编号 / 单位名称 / 单位类型, then one column per observation of
  every leaf (two Chinese header rows: indicator / criterion; a checklist is one yes/no column per item;
  derived observations get no column);
- one sheet per list of an indicator (``IndicatorSpec.lists``): 咨询留言 (messages), 转载抽查 (repost checks),
  a generated name for any other list; 新媒体账号 (the unit-level accounts) and 发文记录 (their posts: unit id,
  account name, date); 复核调整 (adjustments) and 证据来源 (provenance: unit, indicator, observation, source,
  checked_at, note); every list sheet keyed by unit id;
- 说明: every column explained in the rubric's words (indicator name, criterion text, observation type);
- drop-downs for yes/no, levels and kinds (a list longer than Excel's 255-character limit comes from a
  range of the hidden sheet ``_选项``), input hints, frozen panes.

Below the visible headers every sheet has a hidden key row (``unit.id``, ``obs/<indicator>/<observation>``,
``list/<indicator>/<list>/<field>`` ...). :func:`read_workbook` maps columns through it, so inserted,
moved or re-labelled columns and merged header cells do not matter; without it (a hand-made sheet) the
visible headers are matched instead. The reader builds each unit's raw evidence exactly as a YAML file
would give it and a ``locate(path)`` that maps an evidence key path to the sheet and cell it came from;
validating the values is left to :func:`govscore.core.facts.parse_unit`, which reports through it.
"""

from __future__ import annotations

import datetime as _dt
import re
import types
import typing
import unicodedata
import warnings
from dataclasses import dataclass
from dataclasses import field as _field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Literal

from .errors import ErrorList, EvidenceError, GovscoreError, Location
from .evidence import UNIT_ERRORS_KEY, Account, Adjustment, UnitEvidence
from .observations import FALSE_WORDS, TRUE_WORDS, obs_kind

# --- names -----------------------------------------------------------------------------------------

SHEET_UNITS = "单位"
SHEET_ACCOUNTS = "新媒体账号"
SHEET_POSTS = "发文记录"
SHEET_ADJUSTMENTS = "复核调整"
SHEET_PROVENANCE = "证据来源"
SHEET_HELP = "说明"
SHEET_OPTIONS = "_选项"
KNOWN_LIST_SHEETS = {"messages": "咨询留言", "repost_checks": "转载抽查"}
"""Sheet names of the rubric's known lists (by list name); any other list gets a generated name."""

KEY_UNIT_ID = "unit.id"
KEY_UNIT_NAME = "unit.name"
KEY_UNIT_KIND = "unit.kind"

YES_NO = ["是", "否"]
UNIT_KIND_OPTIONS = ["部门", "镇街"]
ACCOUNT_KIND_OPTIONS = ["发布类", "服务类"]
PLATFORM_SUGGESTIONS = ["wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili", "app"]
MAX_INLINE_LIST = 255
LAST_ROW = 1048576

FIELD_LABELS = {
    # fallbacks when a plugin's model gives no Field(description=...); the rubric's raw-evidence words
    "asked_at": "提问时间", "answered_at": "答复时间", "accurate": "答复准确", "perfunctory": "敷衍塞责",
    "passed": "通过", "checked_on": "抽查日期", "on": "抽查日期", "date": "日期", "title": "标题", "url": "网址", "note": "备注",
    "applicable": "是否适用", "platform": "平台", "name": "名称", "kind": "类型", "filed": "已备案", "opened_on": "开设日期", "closed_on": "关闭日期",
}
ACCOUNT_LABELS = {"platform": "平台", "name": "账号名称", "kind": "账号类型", "filed": "是否备案",
                  "opened_on": "开设日期", "closed_on": "关闭日期"}
ADJUSTMENT_LABELS = {"indicator": "指标", "points": "调整分值（加减）", "set_to": "调整为（分）", "reason": "理由",
                     "decided_by": "决定单位", "decided_on": "决定日期"}
PROVENANCE_FIELDS = [("indicator", "指标"), ("observation", "观测项"), ("source", "来源（网址、截图、文件）"),
                     ("checked_at", "核查日期"), ("note", "备注")]

KIND_TEXT = {
    "judgement": "判断：是/否，或 0–1 之间的分数（部分得分，如 0.5、1/2、50%）",
    "count": "计数：0 或正整数",
    "problem_count": "问题计数：发现的问题个数；未发现可留空（按 0 计）",
    "level": "等级：0–{max} 的整数",
    "flag": "问题标记：是/否；未发现可留空（按“否”计）",
    "checklist_item": "清单项：是/否",
    "checklist": "清单：列出具备的项目，用顿号或逗号分隔",
    "date": "日期：如 2023-10-07、2023/10/7、2023年10月7日",
    "timestamp": "时间：如 2023-10-07 09:30、2023/10/7 9:30",
    "applicable": "是否适用：是/否；留空按“适用”",
    "yesno": "是/否",
    "integer": "整数",
    "number": "数值：如 1、0.5、-1",
    "text": "文本",
    "choice": "从下拉列表选择",
    "list": "多个值用逗号或换行分隔",
    "unit_id": "单位编号（按文本保存，可有前导零）",
    "unit_kind": "部门 或 镇街",
    "indicator": "指标编号（可从下拉列表选择）",
    "observation": "观测项（单位表第 3 行隐藏的键名末段，或单位表第 2 行的表头）",
}
MISSING_NOTE = "留空表示未记录：该项不得分并列为缺项。"
YESNO_KINDS = {"flag", "checklist_item", "applicable", "yesno"}
NUMERIC_KINDS = {"judgement", "count", "problem_count", "level", "integer", "number"}
DATE_KINDS = {"date", "timestamp"}


# --- layout ----------------------------------------------------------------------------------------

@dataclass
class Column:
    """One column of a sheet of the evidence workbook.

    Attributes:
        key: the machine key written in the hidden key row.
        label: the visible header (row 2 of 单位; row 1 of the other sheets).
        group: the row-1 header of 单位 (the indicator); None for the fixed columns.
        kind: how the cell is read: judgement, count, problem_count, level, flag, checklist_item, checklist,
            date, timestamp, applicable, yesno, integer, number, text, choice, list, unit_id, unit_kind,
            indicator, observation.
        options: drop-down values; strict: refuse other values (else warn only).
        hint: the input hint shown when the cell is selected.
        explain: what 说明 says about the column (indicator, criterion text, observation, type).
    """

    key: str
    label: str
    kind: str
    group: str | None = None
    options: list[str] = _field(default_factory=list)
    strict: bool = True
    hint: str = ""
    width: float = 14
    indicator: str | None = None
    field: str | None = None
    item: str | None = None
    explain: dict = _field(default_factory=dict)


@dataclass
class SheetLayout:
    """A sheet of the evidence workbook: its name, role and columns.

    role: units, list (an indicator's list), accounts, posts, adjustments, provenance.
    """

    name: str
    role: str
    columns: list[Column]
    indicator: str | None = None
    list_name: str | None = None
    description: str = ""

    @property
    def header_rows(self) -> int:
        return 2 if self.role == "units" else 1

    @property
    def key_row(self) -> int:
        return self.header_rows + 1

    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}


@dataclass
class WorkbookLayout:
    sheets: list[SheetLayout]

    def sheet(self, role: str, indicator: str | None = None, list_name: str | None = None) -> SheetLayout | None:
        for s in self.sheets:
            if s.role == role and s.indicator == indicator and s.list_name == list_name:
                return s
        return None


def _unwrap(annotation: Any) -> Any:
    """The annotation without Annotated[...] and Optional[...]."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _field_kind(model, name: str) -> tuple[str, list[str]]:
    """(column kind, literal options) of a model field, from its ObsKind marker or its annotation."""
    ok = obs_kind(model, name)
    if ok is not None:
        if ok.name == "count" and ok.problem:
            return "problem_count", []
        return ok.name, []
    ann = _unwrap(model.model_fields[name].annotation)
    origin = typing.get_origin(ann)
    if origin is Literal:
        return "choice", [str(a) for a in typing.get_args(ann)]
    if origin in (list, tuple, set, frozenset) or ann in (list, tuple, set):
        return "list", []
    if ann is bool:
        return "yesno", []
    if ann is _dt.datetime:
        return "timestamp", []
    if ann is _dt.date:
        return "date", []
    if ann is int:
        return "integer", []
    if ann in (float, Fraction, Decimal):
        return "number", []
    return "text", []


def _field_label(model, name: str, fallback: dict | None = None) -> str:
    info = model.model_fields.get(name)
    for text in ((info.description if info else None), (info.title if info else None),
                 (fallback or {}).get(name), FIELD_LABELS.get(name)):
        if text:
            return str(text).strip().splitlines()[0]
    return name


_SHARE_TAIL = re.compile(r"(?:[，,；;。:：]\s*|[（(]\s*)\d+(?:\.\d+)?\s*[%％]\s*[)）]?\s*[；;。，,.]?\s*$")


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    text = _SHARE_TAIL.sub("", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _entries_reading(lf, lst: str | None, name: str) -> list:
    return [e for e in lf.entries if (lst, name) in [tuple(r) for r in e.reads]]


def _entry_text(e) -> str:
    if e.text:
        return " ".join(str(e.text).split())
    return f"{e.id}（{e.kind.name}）"


def _level_info(lf, name: str) -> tuple[int | None, dict]:
    for e in lf.entries:
        p = e.params
        if getattr(p, "observation", None) == name and isinstance(getattr(p, "max", None), int):
            return p.max, dict(getattr(p, "levels", {}) or {})
    return None, {}


def _checklist_items(lf, name: str) -> list[str]:
    items: list[str] = []
    for e in lf.entries:
        p = e.params
        got = getattr(p, "items", None)
        if getattr(p, "observation", None) == name and isinstance(got, list):
            items.extend(str(i) for i in got if str(i) not in items)
    return items


def _checklist_labels(lf, name: str) -> dict[str, str]:
    """Display names of a checklist's items, when the rule entry gives them (an optional ``labels``
    mapping of its parameters: item key -> 机构职能 ...); the key itself stays what the evidence uses."""
    out: dict[str, str] = {}
    for e in lf.entries:
        p = e.params
        got = getattr(p, "labels", None)
        if getattr(p, "observation", None) == name and isinstance(got, dict):
            for k, v in got.items():
                if v and str(k) not in out:
                    out[str(k)] = " ".join(str(v).split())
    return out


def _level_options(max_level: int, labels: dict) -> list[str]:
    out = []
    for n in range(max_level + 1):
        lab = labels.get(n) or labels.get(str(n))
        out.append(f"{n}：{lab}" if lab else str(n))
    return out


def _hint(kind: str, extra: str = "", level_max: int | None = None, missing_note: bool = False) -> str:
    text = KIND_TEXT.get(kind, "").replace("{max}", str(level_max if level_max is not None else "n"))
    parts = [p for p in (text, extra, MISSING_NOTE if missing_note else "") if p]
    return "；".join(parts)


def _leaf_label(lf) -> str:
    return f"{lf.name}（{lf.id}）"


def _obs_columns(lf, desc: str = "") -> list[Column]:
    spec = lf.spec
    model = spec.evidence
    derived = set(spec.derived)
    cols: list[Column] = []
    for name in model.model_fields:
        if name in spec.lists or name in derived:
            continue
        kind, lit = _field_kind(model, name)
        readers = _entries_reading(lf, None, name)
        crit = "；".join(dict.fromkeys(_entry_text(e) for e in readers))  # entries sharing one rubric text: once
        awards = [e for e in readers if e.role == "award" and e.text]
        info = model.model_fields[name]
        if awards:  # the criterion's own words; for veto and deduction inputs the field's description first
            head = _short(awards[0].text)
        elif info.description or info.title:
            head = _short(_field_label(model, name))
        elif readers and readers[0].text:
            head = _short(readers[0].text)
        else:
            head = _field_label(model, name)
        base = dict(indicator=_leaf_label(lf), group=lf.group or "", description=desc, criterion=crit, observation=name)
        problem = kind in ("flag", "problem_count", "applicable")
        if kind == "checklist":
            items = _checklist_items(lf, name)
            if items:
                labels = _checklist_labels(lf, name)
                # the item key must match the evidence: it stays in the header; the criterion's own words go into
                # the input hint (the rule set's labels, when it gives them, into the header too)
                rubric = "；".join(dict.fromkeys(_entry_text(e) for e in awards)) or crit
                for it in items:
                    shown_item = f"{labels[it]}（{it}）" if it in labels else it
                    hint = _hint("checklist_item", f"{name} 的清单项 {shown_item}", missing_note=True)
                    if rubric:
                        hint += f"评分细则：{rubric}" if hint.endswith("。") else f"；评分细则：{rubric}"
                    cols.append(Column(f"obs/{lf.id}/{name}/{it}", f"{head}：{shown_item}\n({name}.{it})", "checklist_item",
                                       _leaf_label(lf), YES_NO, True, hint,
                                       indicator=lf.id, field=name, item=it,
                                       explain=dict(base, observation=f"{name}.{it}", type=KIND_TEXT["checklist_item"])))
                continue
        options: list[str] = []
        strict = True
        level_max = None
        if kind in YESNO_KINDS:
            options = YES_NO
        elif kind == "judgement":
            options, strict = YES_NO, False
        elif kind == "level":
            level_max, labels = _level_info(lf, name)
            if level_max is not None:
                options = _level_options(level_max, labels)
        elif kind == "choice":
            options = lit
        type_text = KIND_TEXT.get(kind, kind).replace("{max}", str(level_max if level_max is not None else "n"))
        cols.append(Column(f"obs/{lf.id}/{name}", f"{head}\n({name})", kind, _leaf_label(lf), options, strict,
                           _hint(kind, level_max=level_max, missing_note=not problem), indicator=lf.id, field=name,
                           explain=dict(base, type=type_text)))
    return cols


def _item_columns(model, key_prefix: str, skip: set, lf=None, lst: str | None = None, labels: dict | None = None,
                  indicator_label: str = "", desc: str = "") -> list[Column]:
    cols = []
    for name in model.model_fields:
        if name in skip:
            continue
        kind, lit = _field_kind(model, name)
        options, strict = [], True
        if kind in YESNO_KINDS:
            options = YES_NO
        elif kind == "judgement":
            options, strict = YES_NO, False
        elif kind == "choice":
            options = lit
        crit = ""
        if lf is not None:
            crit = "；".join(dict.fromkeys(_entry_text(e) for e in _entries_reading(lf, lst, name)))
        cols.append(Column(f"{key_prefix}{name}", _field_label(model, name, labels), kind, None, options, strict,
                           _hint(kind), 16, field=name,
                           explain=dict(indicator=indicator_label, description=desc, criterion=crit,
                                        observation=f"{lst}.{name}" if lst else name,
                                        type=KIND_TEXT.get(kind, kind).replace("{max}", "n"))))
    return cols


def _unit_id_column(explain_ind: str = "") -> Column:
    return Column(KEY_UNIT_ID, "单位编号", "unit_id", None, [], True, _hint("unit_id", "与“单位”表的单位编号一致"), 12,
                  explain=dict(indicator=explain_ind, criterion="", observation="unit.id", type=KIND_TEXT["unit_id"]))


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(wanted: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", wanted).strip("'") or "sheet"
    base = base[:31]
    name, n = base, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f"-{n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def workbook_layout(compiled) -> WorkbookLayout:
    """The sheets and columns of the evidence workbook of a compiled rule set (deterministic)."""
    descs = {}
    for lf in compiled.leaves:  # the rule-file description (指标说明), for 说明
        try:
            descs[lf.id] = " ".join(str(compiled.ruleset.leaf(lf.id).model.description or "").split())
        except KeyError:
            descs[lf.id] = ""
    used = {SHEET_UNITS, SHEET_ACCOUNTS, SHEET_POSTS, SHEET_ADJUSTMENTS, SHEET_PROVENANCE, SHEET_HELP, SHEET_OPTIONS}
    unit_cols = [
        _unit_id_column(),
        Column(KEY_UNIT_NAME, "单位名称", "text", None, [], True, "单位全称", 24,
               explain=dict(indicator="", criterion="", observation="unit.name", type=KIND_TEXT["text"])),
        Column(KEY_UNIT_KIND, "单位类型", "unit_kind", None, UNIT_KIND_OPTIONS, True, "部门 或 镇街；留空按部门", 10,
               explain=dict(indicator="", criterion="", observation="unit.kind", type=KIND_TEXT["unit_kind"])),
    ]
    for lf in compiled.leaves:
        unit_cols.extend(_obs_columns(lf, descs[lf.id]))
    sheets = [SheetLayout(SHEET_UNITS, "units", unit_cols, description="每个被评估单位一行；每个观测项一列")]

    list_sheets = []
    for lf in compiled.leaves:
        for lname, model in lf.spec.lists.items():
            derived = {d.split(".", 1)[1] for d in lf.spec.derived if d.startswith(lname + ".")}
            wanted = KNOWN_LIST_SHEETS.get(lname)
            if wanted is None or wanted in used:
                wanted = f"{lf.name}-{lname}" if wanted is None else f"{wanted}-{lf.name}"
            name = _sheet_name(wanted, used)
            cols = [_unit_id_column(_leaf_label(lf))] + _item_columns(model, f"list/{lf.id}/{lname}/", derived, lf, lname,
                                                                        indicator_label=_leaf_label(lf), desc=descs[lf.id])
            list_sheets.append(SheetLayout(name, "list", cols, lf.id, lname,
                                           f"{_leaf_label(lf)} 的 {lname}：每条一行，按单位编号归属"))

    acc_cols = [_unit_id_column("新媒体账号")] + _item_columns(Account, "account/", {"posts"}, labels=ACCOUNT_LABELS,
                                                              indicator_label="新媒体账号")
    for c in acc_cols:
        if c.key == "account/kind":
            c.options, c.hint = ACCOUNT_KIND_OPTIONS, "发布类 或 服务类"
        elif c.key == "account/platform":
            c.options, c.strict = PLATFORM_SUGGESTIONS, False
            c.hint = "如 wechat（微信）、weibo（微博）、douyin（抖音）、toutiao（今日头条）；同一平台请统一写法"
        elif c.key == "account/name":
            c.hint = "账号名称；发文记录按单位编号和账号名称对应到账号"
            c.width = 20
    sheets.append(SheetLayout(SHEET_ACCOUNTS, "accounts", acc_cols, description="单位开设的政务新媒体账号，每个账号一行"))
    post_cols = [
        _unit_id_column("新媒体账号"),
        Column("post/account", "账号名称", "text", None, [], True, "与“新媒体账号”表的账号名称一致", 20,
               explain=dict(indicator="新媒体账号", criterion="", observation="posts（账号）", type=KIND_TEXT["text"])),
        Column("post/date", "发文日期", "date", None, [], True, _hint("date", "每条发文（或每个有发文的日期）一行"), 14,
               explain=dict(indicator="新媒体账号", criterion="", observation="posts", type=KIND_TEXT["date"])),
        Column("post/platform", "平台（同名账号时填写）", "text", None, [], True, "仅当同一单位有同名账号时填写平台", 14,
               explain=dict(indicator="新媒体账号", criterion="", observation="posts（平台）", type=KIND_TEXT["text"])),
    ]
    sheets.append(SheetLayout(SHEET_POSTS, "posts", post_cols, description="新媒体账号的发文记录：单位编号、账号名称、发文日期"))
    sheets.extend(list_sheets)

    ind_options = [f"{lf.id} {lf.name}" for lf in compiled.leaves]
    adj_cols = [_unit_id_column("复核调整")]
    for name in Adjustment.model_fields:
        kind, _lit = _field_kind(Adjustment, name)
        if name == "indicator":
            kind = "indicator"
        elif name in ("points", "set_to"):
            kind = "number"
        col = Column(f"adjustment/{name}", ADJUSTMENT_LABELS.get(name, name), kind, None, [], True, _hint(kind), 16,
                     field=name, explain=dict(indicator="复核调整", criterion="", observation=name, type=KIND_TEXT.get(kind, kind)))
        if name == "indicator":
            col.options, col.width = ind_options, 28
        if name == "points":
            col.hint = "加减的分值，如 1、-0.5；与“调整为”二选一"
        if name == "set_to":
            col.hint = "调整后的指标得分；与“调整分值”二选一"
        if name == "reason":
            col.width = 30
        adj_cols.append(col)
    sheets.append(SheetLayout(SHEET_ADJUSTMENTS, "adjustments", adj_cols, description="复核（申诉）决定：每项调整一行"))

    obs_names = sorted({c.field for c in unit_cols if c.field} | {ln for lf in compiled.leaves for ln in lf.spec.lists})
    prov_cols = [_unit_id_column("证据来源")]
    for name, label in PROVENANCE_FIELDS:
        kind = {"indicator": "indicator", "observation": "observation", "checked_at": "date"}.get(name, "text")
        col = Column(f"provenance/{name}", label, kind, None, [], True, _hint(kind), 16, field=name,
                     explain=dict(indicator="证据来源", criterion="", observation=name, type=KIND_TEXT.get(kind, kind)))
        if name == "indicator":
            col.options, col.width = ind_options, 28
        elif name == "observation":
            col.options, col.strict, col.width = obs_names, False, 20
        elif name in ("source", "note"):
            col.width = 36
        prov_cols.append(col)
    sheets.append(SheetLayout(SHEET_PROVENANCE, "provenance", prov_cols,
                              description="观测值的来源：每个观测项一行（单位、指标、观测项、来源、核查日期、备注）"))
    return WorkbookLayout(sheets)


# --- template --------------------------------------------------------------------------------------

class _Options:
    """Drop-down lists: inline when short, else a column of the hidden options sheet."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self.ws = None
        self.cols: dict[tuple, str] = {}

    def formula(self, values: list[str]) -> str:
        inline = ",".join(values)
        # Excel refuses inline lists over 255 characters; counted in UTF-8 bytes to stay clear of it with CJK
        if len(inline.encode("utf-8")) <= MAX_INLINE_LIST and not any(("," in v or '"' in v) for v in values):
            return f'"{inline}"'
        key = tuple(values)
        if key not in self.cols:
            from openpyxl.utils import get_column_letter

            if self.ws is None:
                self.ws = self.wb.create_sheet(SHEET_OPTIONS)
                self.ws.sheet_state = "hidden"
            col = len(self.cols) + 1
            for i, v in enumerate(values, start=1):
                c = self.ws.cell(row=i, column=col, value=v)
                c.data_type = "s"
            letter = get_column_letter(col)
            self.cols[key] = f"'{SHEET_OPTIONS}'!${letter}$1:${letter}${len(values)}"
        return self.cols[key]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_sheet(wb, sl: SheetLayout, options: _Options) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(sl.name)
    head_font = Font(bold=True)
    fill_fixed = PatternFill("solid", fgColor="DDEBF7")
    fill_group = PatternFill("solid", fgColor="FCE4D6")
    fill_label = PatternFill("solid", fgColor="FFF2CC")
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    key_font = Font(color="808080", size=8)
    hr = sl.header_rows
    for j, col in enumerate(sl.columns, start=1):
        letter = get_column_letter(j)
        if hr == 2:
            top = ws.cell(row=1, column=j, value=col.group if col.group else col.label)
            low = ws.cell(row=2, column=j, value=col.label)
            for c in (top, low):
                c.font, c.alignment, c.border = head_font, wrap, border
            top.fill = fill_group if col.group else fill_fixed
            low.fill = fill_label if col.group else fill_fixed
        else:
            c = ws.cell(row=1, column=j, value=col.label)
            c.font, c.alignment, c.border, c.fill = head_font, wrap, border, fill_fixed
        kc = ws.cell(row=sl.key_row, column=j, value=col.key)
        kc.font = key_font
        kc.data_type = "s"
        width = max(col.width, min(30, max(_display_width(x) for x in col.label.split("\n")) * 0.55 + 2))
        ws.column_dimensions[letter].width = round(width, 1)
        if col.kind == "unit_id":
            ws.column_dimensions[letter].number_format = "@"
        elif col.kind == "date":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
        elif col.kind == "timestamp":
            ws.column_dimensions[letter].number_format = "yyyy-mm-dd hh:mm"
        rng = f"{letter}{sl.key_row + 1}:{letter}{LAST_ROW}"
        if col.options:
            dv = DataValidation(type="list", formula1=options.formula(col.options), allow_blank=True,
                                showDropDown=False, showErrorMessage=True, showInputMessage=True,
                                errorStyle="stop" if col.strict else "warning")
            dv.error = "请从下拉列表中选择" if col.strict else "不在下拉列表中，请确认"
            dv.errorTitle = "输入值"
        elif col.kind in ("count", "problem_count", "level", "integer"):
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                showErrorMessage=True, showInputMessage=True, errorStyle="warning")
            dv.error, dv.errorTitle = "应为 0 或正整数", "输入值"
        else:
            dv = DataValidation(allow_blank=True, showInputMessage=True)
        if col.hint:
            dv.prompt = col.hint[:255]
            dv.promptTitle = col.label.split("\n")[0][:32]
        dv.add(rng)
        ws.add_data_validation(dv)
    if hr == 2:
        # merged headers: the fixed columns over both rows, each indicator over its columns
        start = 1
        cols = sl.columns
        for j in range(1, len(cols) + 1):
            if cols[j - 1].group is None:
                ws.merge_cells(start_row=1, start_column=j, end_row=2, end_column=j)
        while start <= len(cols):
            g = cols[start - 1].group
            end = start
            while end < len(cols) and g is not None and cols[end].group == g:
                end += 1
            if g is not None and end > start:
                ws.merge_cells(start_row=1, start_column=start, end_row=1, end_column=end)
            start = end + 1
        ws.row_dimensions[1].height = 36
        ws.row_dimensions[2].height = 66
        ws.freeze_panes = ws.cell(row=sl.key_row + 1, column=4)
    else:
        ws.row_dimensions[1].height = 30
        ws.freeze_panes = ws.cell(row=sl.key_row + 1, column=2)
    ws.row_dimensions[sl.key_row].hidden = True


def _write_help(wb, layout: WorkbookLayout, compiled) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(SHEET_HELP)
    rs = compiled.ruleset
    lines = [
        f"证据采集表：{rs.title or rs.name}（规则集 {rs.name}）",
        "“单位”表每个被评估单位一行，每个观测项一列（第 1 行指标，第 2 行评分细则）；第 3 行为隐藏的字段键，请勿修改。",
        "其他各表每条记录一行，以“单位编号”归属到单位；空行会被跳过。",
        "日期可写作 2023-10-07、2023/10/7、2023年10月7日，时间可写作 2023-10-07 9:30；数字可按文本输入。",
        "是/否 可写作 是/否、有/无、1/0、true/false。问题类观测项（问题标记、问题计数）未发现可留空；其他观测项留空表示未记录，该项不得分并列为缺项。",
        "由账号、留言、日期等推导的观测项（如更新频率、答复用时）不设列，由程序计算。",
    ]
    bold = Font(bold=True)
    for i, text in enumerate(lines, start=1):
        c = ws.cell(row=i, column=1, value=text)
        if i == 1:
            c.font = Font(bold=True, size=13)
    header = ["工作表", "列", "表头", "指标", "二级指标", "指标说明", "评分细则（原文）", "观测项", "类型与填写说明"]
    r0 = len(lines) + 2
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, h in enumerate(header, start=1):
        c = ws.cell(row=r0, column=j, value=h)
        c.font, c.fill = bold, fill
    r = r0 + 1
    wrap = Alignment(wrap_text=True, vertical="top")
    for sl in layout.sheets:
        for j, col in enumerate(sl.columns, start=1):
            ex = col.explain
            vals = [sl.name, get_column_letter(j), col.label.replace("\n", " "), ex.get("indicator", ""), ex.get("group", ""),
                    ex.get("description", ""), ex.get("criterion", ""), ex.get("observation", ""), col.hint or ex.get("type", "")]
            for k, v in enumerate(vals, start=1):
                c = ws.cell(row=r, column=k, value=v)
                c.data_type = "s"
                c.alignment = wrap
            r += 1
    for j, w in enumerate([12, 6, 28, 24, 14, 36, 60, 22, 48], start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = ws.cell(row=r0 + 1, column=1)


def write_template(compiled, path: Path) -> None:
    """Write the evidence workbook of a compiled rule set to `path` (atomically).

    Args:
        compiled: the :class:`~govscore.core.compile.CompiledRuleSet` whose leaves, evidence models,
            lists and checklist items define the columns.
        path: the .xlsx file to write.
    """
    from openpyxl import Workbook

    from .reports.base import atomic_path

    layout = workbook_layout(compiled)
    wb = Workbook()
    wb.remove(wb.active)
    options = _Options(wb)
    for sl in layout.sheets:
        _write_sheet(wb, sl, options)
    _write_help(wb, layout, compiled)
    if options.ws is not None:
        wb.move_sheet(options.ws, offset=len(wb.sheetnames))
    wb.active = 0
    wb.properties.creator = "govscore"
    wb.properties.title = f"证据采集表 {compiled.ruleset.name}"
    with atomic_path(Path(path)) as tmp:
        wb.save(tmp)


# --- reading ---------------------------------------------------------------------------------------

_LEVEL_LABEL = re.compile(r"^\s*(\d+)\s*(?:[：:、.．\-—\s].*)?$", re.S)
_NUMBER_TEXT = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
SERIAL_MIN, SERIAL_MAX = 18264, 2958465  # 1950-01-01 .. 9999-12-31: plausible date serial numbers
KEY_PREFIXES = ("obs/", "list/", "account/", "post/", "adjustment/", "provenance/")


def _is_key(v: Any) -> bool:
    return isinstance(v, str) and (v in (KEY_UNIT_ID, KEY_UNIT_NAME, KEY_UNIT_KIND) or v.startswith(KEY_PREFIXES))


def _norm_header(v: Any) -> str:
    if v is None:
        return ""
    return " ".join(unicodedata.normalize("NFKC", str(v)).split())


def _role_of_keys(keys: list[str]) -> tuple[str | None, str | None, str | None]:
    for k in keys:
        if k.startswith("obs/") or k in (KEY_UNIT_NAME, KEY_UNIT_KIND):
            return "units", None, None
    for k in keys:
        if k.startswith("list/"):
            parts = k.split("/", 3)
            if len(parts) == 4:
                return "list", parts[1], parts[2]
        for prefix, role in (("account/", "accounts"), ("post/", "posts"), ("adjustment/", "adjustments"),
                             ("provenance/", "provenance")):
            if k.startswith(prefix):
                return role, None, None
    return None, None, None


@dataclass
class _Cell:
    value: Any
    coord: str


class _SheetData:
    """A recognised sheet: its role, its columns (index -> key) and its data rows."""

    def __init__(self, ws, role: str, cols: dict[int, str], data_start: int, indicator=None, list_name=None) -> None:
        self.ws = ws
        self.name = ws.title
        self.role = role
        self.cols = cols
        self.data_start = data_start
        self.indicator = indicator
        self.list_name = list_name


class _Reader:
    def __init__(self, wb, file: str, compiled) -> None:
        self.wb = wb
        self.file = file
        self.compiled = compiled
        self.layout = workbook_layout(compiled) if compiled is not None else None
        self.columns: dict[str, Column] = {}
        if self.layout:
            for sl in self.layout.sheets:
                for c in sl.columns:
                    if c.key != KEY_UNIT_ID or sl.role == "units":
                        self.columns.setdefault(c.key, c)
        self.epoch = getattr(wb, "epoch", None)
        self.uncomputed: set[tuple[str, str]] = set()
        self.errors: list[GovscoreError] = []
        self.leaf_ids = [lf.id for lf in compiled.leaves] if compiled is not None else []
        self.leaf_names = {}
        if compiled is not None:
            names: dict[str, list[str]] = {}
            for lf in compiled.leaves:
                names.setdefault(lf.name, []).append(lf.id)
            self.leaf_names = {n: ids[0] for n, ids in names.items() if len(ids) == 1}

    # -- locating and cells --

    def loc(self, sheet: str, coord: str) -> Location:
        return Location(file=self.file, sheet=sheet, cell=coord)

    def error(self, msgid: str, params: dict, sheet: str, coord: str, unit: str | None = None, fld: str | None = None) -> None:
        self.errors.append(EvidenceError(msgid, params, self.loc(sheet, coord), unit, fld))

    @staticmethod
    def _merged_map(ws) -> dict[tuple[int, int], tuple[Any, str]]:
        out = {}
        for rng in ws.merged_cells.ranges:
            tl = ws.cell(row=rng.min_row, column=rng.min_col)
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        out[(r, c)] = (tl.value, tl.coordinate, tl.data_type)
        return out

    # -- recognising sheets --

    def _find_key_row(self, ws) -> tuple[int, dict[int, str]] | None:
        for r in range(1, min(ws.max_row, 12) + 1):
            row = {}
            has_id = False
            for c in range(1, ws.max_column + 1):
                v = ws.cell(row=r, column=c).value
                if _is_key(v):
                    row[c] = v.strip()
                    has_id = has_id or v.strip() == KEY_UNIT_ID
            if has_id and len(row) >= 2:
                return r, row
        return None

    def _match_labels(self, ws, sl: SheetLayout) -> tuple[int, dict[int, str]] | None:
        """Without a key row: find the header row(s) by the visible labels (merged cells propagated)."""
        merged = self._merged_map(ws)

        def text(r, c):
            if (r, c) in merged:
                return _norm_header(merged[(r, c)][0])
            return _norm_header(ws.cell(row=r, column=c).value)

        id_label = _norm_header(sl.columns[0].label)
        for r in range(1, min(ws.max_row, 12) + 1):
            if not any(text(r, c) == id_label for c in range(1, ws.max_column + 1)):
                continue
            cols: dict[int, str] = {}
            hr = sl.header_rows
            for c in range(1, ws.max_column + 1):
                texts = [text(r + k, c) for k in range(hr)]
                for col in sl.columns:
                    label = _norm_header(col.label)
                    if col.group is None and label in texts:
                        cols[c] = col.key
                        break
                    if col.group is not None and hr == 2 and texts[0] == _norm_header(col.group) and texts[1] == label:
                        cols[c] = col.key
                        break
            if KEY_UNIT_ID in cols.values():
                return r + hr - 1, cols
        return None

    def recognise(self) -> list[_SheetData]:
        out = []
        by_name = {sl.name: sl for sl in self.layout.sheets} if self.layout else {}
        for ws in self.wb.worksheets:
            if ws.title in (SHEET_HELP, SHEET_OPTIONS):
                continue
            found = self._find_key_row(ws)
            if found is not None:
                r, cols = found
                role, ind, lst = _role_of_keys(list(cols.values()))
                if role is None:
                    continue
                out.append(_SheetData(ws, role, cols, r + 1, ind, lst))
                continue
            sl = by_name.get(ws.title)
            if sl is None:
                continue
            got = self._match_labels(ws, sl)
            if got is None:
                self.error("sheet {sheet} has none of the expected headers (the hidden key row or the template's column titles)",
                           {"sheet": ws.title}, ws.title, "A1")
                continue
            last_header, cols = got
            out.append(_SheetData(ws, sl.role, cols, last_header + 1, sl.indicator, sl.list_name))
        return out

    # -- values --

    def kind_of(self, key: str) -> str:
        col = self.columns.get(key)
        if col is not None:
            return col.kind
        if key == KEY_UNIT_ID:
            return "unit_id"
        if key == "post/date" or key.endswith("_on") or key.endswith("/checked_at"):
            return "date"
        if key.endswith("_at"):
            return "timestamp"
        return "text"

    def _serial(self, number: float) -> _dt.datetime | None:
        from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

        if not (SERIAL_MIN <= number <= SERIAL_MAX):
            return None
        return from_excel(number, self.epoch or WINDOWS_EPOCH)

    def convert(self, value: Any, kind: str) -> Any:
        """A cell's value as the YAML reader would give it (validation happens in parse_unit)."""
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
        if kind in ("unit_id", "text", "indicator", "observation", "unit_kind", "choice"):
            if isinstance(value, bool):
                return value
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            if isinstance(value, (int, float)):
                return str(value)
            if isinstance(value, _dt.datetime) and kind == "text":
                return value.date() if value.time() == _dt.time(0) else value
            return value
        if kind in NUMERIC_KINDS or kind in DATE_KINDS or kind in YESNO_KINDS:
            if isinstance(value, str):
                value = unicodedata.normalize("NFKC", value).strip()
        if kind == "level" and isinstance(value, str):
            m = _LEVEL_LABEL.match(value)
            if m:
                return int(m.group(1))
            return value
        if kind in ("count", "problem_count", "level", "integer") and isinstance(value, float) and value.is_integer():
            return int(value)
        if kind in DATE_KINDS:
            if isinstance(value, str) and _NUMBER_TEXT.match(value):
                got = self._serial(float(value))
                value = got if got is not None else value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                got = self._serial(float(value))
                value = got if got is not None else value
            if isinstance(value, _dt.datetime) and kind == "date" and value.time() == _dt.time(0):
                return value.date()
            return value
        if kind == "list" and isinstance(value, str):
            return [p.strip() for p in re.split(r"[,，、;；\n]", value) if p.strip()]
        return value

    def rows(self, sd: _SheetData):
        """Yield (row number, {key: _Cell}) for each non-blank data row; merged cells give their value."""
        from openpyxl.cell.cell import MergedCell
        from openpyxl.utils import get_column_letter

        ws = sd.ws
        merged = self._merged_map(ws)
        maxcol = max(sd.cols) if sd.cols else 0
        letters = {c: get_column_letter(c) for c in sd.cols}
        # Only rows that hold something: iter_rows would create every cell down to max_row, and one
        # formatted cell at row 1,048,576 makes that millions of rows (minutes, gigabytes).
        data_rows = sorted({r for (r, _c), cell in getattr(ws, "_cells", {}).items()
                            if r >= sd.data_start and cell.value is not None}
                           | {r for (r, _c) in merged if r >= sd.data_start})
        for r in data_rows:
            row = [ws.cell(row=r, column=c) for c in range(1, maxcol + 1)]
            got: dict[str, _Cell] = {}
            for c, key in sd.cols.items():
                cell = row[c - 1] if c - 1 < len(row) else None
                if cell is None:
                    continue
                if isinstance(cell, MergedCell):
                    if (r, c) not in merged:
                        continue
                    value, coord, dtype = merged[(r, c)]
                else:
                    value, coord, dtype = cell.value, f"{letters[c]}{r}", cell.data_type
                if value is None and (sd.name, coord) in self.uncomputed:
                    self.error("the cell holds a formula without a computed value; enter the value itself (or recalculate and save in Excel)",
                               {}, sd.name, coord, None, key)
                    continue
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                if dtype == "e":
                    self.error("cell holds the spreadsheet error {value}; enter the value itself", {"value": value},
                               sd.name, coord, None, key)
                    continue
                if isinstance(value, (_dt.time, _dt.timedelta)) and self.kind_of(key) not in DATE_KINDS:
                    value = str(value)
                got[key] = _Cell(value, coord)
            if got:
                yield r, got

    # -- assembling --

    def read(self, partial: bool = False):
        """The workbook's units; with `partial`, (units, errors that belong to no unit).

        With `partial`, a row problem that belongs to a known unit fails that unit only (the unit's
        evidence carries it to :func:`govscore.core.facts.parse_unit`), and one that belongs to no unit
        (a list row for an unknown unit id) is returned as a file-level error while every other unit is
        still read: one unit's bad row never loses the others.
        """
        sheets = self.recognise()
        units_sheets = [s for s in sheets if s.role == "units"]
        if not units_sheets:
            if not self.errors:
                self.error("the workbook has no {sheet} sheet: no sheet has the unit columns (write one with govscore template)",
                           {"sheet": SHEET_UNITS}, SHEET_UNITS, "A1")
            self._raise()
        units: list[dict] = []
        cells: list[dict[tuple, tuple[str, str]]] = []
        by_id: dict[str, int] = {}
        for sd in units_sheets:
            for r, got in self.rows(sd):
                self._read_unit_row(sd, r, got, units, cells, by_id)
        # accounts before their posts; provenance last, wrapping values and lists already read
        for role, handler in (("accounts", self._read_accounts), ("list", self._read_list), ("adjustments", self._read_adjustments),
                              ("posts", self._read_posts), ("provenance", self._read_provenance)):
            for sd in sheets:
                if sd.role == role:
                    handler(sd, units, cells, by_id)
        if not partial:
            self._raise()
        # a cell problem found before its row's unit id was read belongs to the unit of that row
        row_unit = {}
        for i, cmap in enumerate(cells):
            sheet, coord = cmap.get(("unit", "id"), (None, ""))
            row_unit[(sheet, "".join(ch for ch in coord if ch.isdigit()))] = i
        loose = []
        for err in self.errors:
            loc = err.location
            at = row_unit.get((loc.sheet, "".join(ch for ch in (loc.cell or "") if ch.isdigit())))
            if err.unit is not None and err.unit in by_id:
                at = by_id[err.unit]
            if at is not None:
                units[at].setdefault(UNIT_ERRORS_KEY, []).append(err)
            else:
                loose.append(err)
        out = []
        for raw, cmap in zip(units, cells):
            out.append(UnitEvidence(raw, self.file, self._locator(cmap)))
        return (out, loose) if partial else out

    def _raise(self) -> None:
        if self.errors:
            raise self.errors[0] if len(self.errors) == 1 else ErrorList(self.errors)

    def _locator(self, cmap: dict) -> Callable[[tuple], Location]:
        file = self.file

        def locate(path: tuple) -> Location:
            path = tuple(path)
            for n in range(len(path), -1, -1):
                hit = cmap.get(path[:n])
                if hit:
                    return Location(file=file, sheet=hit[0], cell=hit[1])
            return Location(file=file)
        return locate

    def _unit_id(self, sd: _SheetData, got: dict[str, _Cell]) -> tuple[str | None, _Cell | None]:
        cell = got.get(KEY_UNIT_ID)
        if cell is None:
            first = min(got.values(), key=lambda c: (len(c.coord), c.coord))
            self.error("this row has data but no unit id (单位编号)", {}, sd.name, _id_coord(sd, first.coord))
            return None, None
        v = self.convert(cell.value, "unit_id")
        return (str(v) if v is not None else None), cell

    def _read_unit_row(self, sd, r, got, units, cells, by_id) -> None:
        uid, id_cell = self._unit_id(sd, got)
        if uid is None:
            return
        unit: dict = {"id": uid}
        cmap: dict[tuple, tuple[str, str]] = {(): (sd.name, id_cell.coord), ("unit",): (sd.name, id_cell.coord),
                                              ("unit", "id"): (sd.name, id_cell.coord),
                                              ("observations",): (sd.name, id_cell.coord)}
        for key, fld in ((KEY_UNIT_NAME, "name"), (KEY_UNIT_KIND, "kind")):
            col = _col_of(sd, key)
            if col:
                cmap[("unit", fld)] = (sd.name, f"{col}{r}")
            if key in got:
                unit[fld] = self.convert(got[key].value, "text")
        obs: dict[str, dict] = {}
        checklist_cells: dict[tuple, list[tuple[str, Any]]] = {}
        for c, key in sorted(sd.cols.items()):
            if not key.startswith("obs/"):
                continue
            parts = key.split("/", 3)
            if len(parts) < 3:
                continue
            ind, name = parts[1], parts[2]
            coord = f"{_col_letter(c)}{r}"
            cmap.setdefault(("observations", ind), (sd.name, coord))
            if len(parts) == 4:
                item = parts[3]
                cmap.setdefault(("observations", ind, name), (sd.name, coord))
                cmap[("observations", ind, name, item)] = (sd.name, coord)
                if key in got:
                    cell = got[key]
                    v = self.convert(cell.value, "checklist_item")
                    checklist = obs.setdefault(ind, {}).setdefault(name, {})
                    if not _is_no(v):  # like a YAML list of the items present; "no" items are simply absent
                        checklist[item] = v
                    checklist_cells.setdefault((ind, name), []).append((cell.coord, v))
                continue
            cmap[("observations", ind, name)] = (sd.name, coord)
            if key in got:
                cell = got[key]
                obs.setdefault(ind, {})[name] = self.convert(cell.value, self.kind_of(key))
                cmap[("observations", ind, name)] = (sd.name, cell.coord)
        for (ind, name), given in checklist_cells.items():
            # a checklist is validated as a whole: point at its first unreadable item, else its first item given
            bad = [coord for coord, v in given if not _yes_no_ok(v)]
            cmap[("observations", ind, name)] = (sd.name, (bad or [given[0][0]])[0])
        raw: dict = {"unit": unit}
        if obs:
            raw["observations"] = obs
        if uid not in by_id:
            by_id[uid] = len(units)
        units.append(raw)
        cells.append(cmap)

    def _owner(self, sd, got, units, by_id) -> int | None:
        uid, cell = self._unit_id(sd, got)
        if uid is None:
            return None
        if uid not in by_id:
            self.error("unit id {id} is not in the {sheet} sheet", {"id": uid, "sheet": SHEET_UNITS}, sd.name, cell.coord, uid,
                       KEY_UNIT_ID)
            return None
        return by_id[uid]

    def _item(self, sd, got, prefix: str, base_path: tuple, cmap: dict, row: int) -> dict:
        item: dict = {}
        for c, key in sd.cols.items():
            if key.startswith(prefix):
                cmap.setdefault(base_path + (key[len(prefix):],), (sd.name, f"{_col_letter(c)}{row}"))
        for key, cell in got.items():
            if not key.startswith(prefix):
                continue
            name = key[len(prefix):]
            item[name] = self.convert(cell.value, self.kind_of(key))
            cmap[base_path + (name,)] = (sd.name, cell.coord)
        return item

    def _read_list(self, sd, units, cells, by_id) -> None:
        prefix = f"list/{sd.indicator}/{sd.list_name}/"
        for r, got in self.rows(sd):
            k = self._owner(sd, got, units, by_id)
            if k is None:
                continue
            obs = units[k].setdefault("observations", {}).setdefault(sd.indicator, {})
            items = obs.setdefault(sd.list_name, [])
            if not isinstance(items, list):  # a value written in the 单位 sheet: parse_unit reports it
                continue
            i = len(items)
            base = ("observations", sd.indicator, sd.list_name, i)
            cells[k][base] = (sd.name, got[KEY_UNIT_ID].coord)
            cells[k].setdefault(("observations", sd.indicator, sd.list_name), (sd.name, got[KEY_UNIT_ID].coord))
            items.append(self._item(sd, got, prefix, base, cells[k], r))

    def _read_accounts(self, sd, units, cells, by_id) -> None:
        for r, got in self.rows(sd):
            k = self._owner(sd, got, units, by_id)
            if k is None:
                continue
            accounts = units[k].setdefault("accounts", [])
            i = len(accounts)
            base = ("accounts", i)
            cells[k][base] = (sd.name, got[KEY_UNIT_ID].coord)
            cells[k].setdefault(("accounts",), (sd.name, got[KEY_UNIT_ID].coord))
            accounts.append(self._item(sd, got, "account/", base, cells[k], r))

    def _read_posts(self, sd, units, cells, by_id) -> None:
        for r, got in self.rows(sd):
            k = self._owner(sd, got, units, by_id)
            if k is None:
                continue
            name_cell, date_cell = got.get("post/account"), got.get("post/date")
            uid = units[k]["unit"]["id"]
            if name_cell is None:
                self.error("a post needs the account name (账号名称)", {}, sd.name, _sibling(sd, got[KEY_UNIT_ID].coord, "post/account"),
                           uid, "post/account")
                continue
            if date_cell is None:
                self.error("a post needs its date (发文日期)", {}, sd.name, _sibling(sd, name_cell.coord, "post/date"), uid, "post/date")
                continue
            name = str(self.convert(name_cell.value, "text"))
            platform_cell = got.get("post/platform")
            platform = str(self.convert(platform_cell.value, "text")) if platform_cell else None
            accounts = units[k].get("accounts", [])
            hits = [i for i, a in enumerate(accounts) if str(a.get("name", "")).strip() == name
                    and (platform is None or str(a.get("platform", "")).strip() == platform)]
            if not hits:
                self.error("unit {id} has no account named {name}{platform} in the {sheet} sheet",
                           {"id": uid, "name": name, "platform": f" ({platform})" if platform else "", "sheet": SHEET_ACCOUNTS},
                           sd.name, name_cell.coord, uid, "post/account")
                continue
            if len(hits) > 1:
                self.error("unit {id} has several accounts named {name}: give the platform (平台) of this post",
                           {"id": uid, "name": name}, sd.name, name_cell.coord, uid, "post/account")
                continue
            i = hits[0]
            posts = accounts[i].setdefault("posts", [])
            j = len(posts)
            posts.append(self.convert(date_cell.value, "date"))
            cells[k][("accounts", i, "posts", j)] = (sd.name, date_cell.coord)
            cells[k].setdefault(("accounts", i, "posts"), (sd.name, date_cell.coord))

    def _indicator(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text in self.leaf_ids:
            return text
        head = text.split()[0] if text.split() else text
        if head in self.leaf_ids:
            return head
        if text in self.leaf_names:
            return self.leaf_names[text]
        return text

    def _read_adjustments(self, sd, units, cells, by_id) -> None:
        for r, got in self.rows(sd):
            k = self._owner(sd, got, units, by_id)
            if k is None:
                continue
            adjustments = units[k].setdefault("adjustments", [])
            i = len(adjustments)
            base = ("adjustments", i)
            cells[k][base] = (sd.name, got[KEY_UNIT_ID].coord)
            cells[k].setdefault(("adjustments",), (sd.name, got[KEY_UNIT_ID].coord))
            item = self._item(sd, got, "adjustment/", base, cells[k], r)
            if "indicator" in item:
                item["indicator"] = self._indicator(item["indicator"])
            adjustments.append(item)

    def _observation_name(self, indicator: str, text: Any) -> str:
        text = str(text).strip()
        if self.layout is None:
            return text
        sl = self.layout.sheet("units")
        cands = [c for c in sl.columns if c.indicator == indicator]
        if any(c.field == text for c in cands):
            return text
        for c in cands:
            first = _norm_header(c.label.split("\n")[0])
            if _norm_header(text) == first and c.item is None:
                return c.field
        lf = next((lf for lf in self.compiled.leaves if lf.id == indicator), None)
        if lf is not None and text in lf.spec.lists:
            return text
        return text

    def _read_provenance(self, sd, units, cells, by_id) -> None:
        for r, got in self.rows(sd):
            k = self._owner(sd, got, units, by_id)
            if k is None:
                continue
            uid = units[k]["unit"]["id"]
            ind_cell, obs_cell = got.get("provenance/indicator"), got.get("provenance/observation")
            if ind_cell is None or obs_cell is None:
                missing = "provenance/indicator" if ind_cell is None else "provenance/observation"
                self.error("a provenance row names the indicator (指标) and the observation (观测项)", {}, sd.name,
                           _sibling(sd, got[KEY_UNIT_ID].coord, missing), uid, missing)
                continue
            ind = self._indicator(self.convert(ind_cell.value, "text"))
            name = self._observation_name(ind, self.convert(obs_cell.value, "text"))
            prov = {}
            for fld in ("source", "checked_at", "note"):
                cell = got.get(f"provenance/{fld}")
                if cell is not None:
                    v = self.convert(cell.value, "date" if fld == "checked_at" else "text")
                    if fld == "checked_at" and isinstance(v, str):
                        v = _date_text(v)
                    prov[fld] = v
            obs = units[k].setdefault("observations", {}).setdefault(ind, {})
            if not isinstance(obs, dict):
                continue
            current = obs.get(name)
            if isinstance(current, dict) and "value" in current and set(current) - {"value"} <= {"source", "checked_at", "note"}:
                current.update(prov)
            else:
                obs[name] = dict({"value": current}, **prov)
            cmap = cells[k]
            cmap.setdefault(("observations", ind), (sd.name, ind_cell.coord))
            cmap.setdefault(("observations", ind, name), (sd.name, obs_cell.coord))
            cmap[("observations", ind, name, "source")] = (sd.name, (got.get("provenance/source") or obs_cell).coord)


def _is_no(v: Any) -> bool:
    if isinstance(v, bool):
        return not v
    if isinstance(v, (int, float)):
        return v == 0
    return isinstance(v, str) and v.strip().lower() in FALSE_WORDS


def _yes_no_ok(v: Any) -> bool:
    if isinstance(v, bool) or v in (0, 1):
        return True
    return isinstance(v, str) and v.strip().lower() in TRUE_WORDS | FALSE_WORDS


def _date_text(text: str) -> Any:
    """checked_at written as text: a date when it reads as a bare date (as YAML would give it)."""
    from .dates import parse_timestamp

    try:
        stamp = parse_timestamp(text)
    except ValueError:
        return text
    if re.search(r"\d[:：]\d", text):
        return text
    return stamp.date()


def _col_letter(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(c)


def _col_of(sd: _SheetData, key: str) -> str | None:
    for c, k in sd.cols.items():
        if k == key:
            return _col_letter(c)
    return None


def _sibling(sd: _SheetData, coord: str, key: str) -> str:
    """The cell of column `key` in the row of `coord`."""
    row = re.search(r"\d+$", coord).group(0)
    col = _col_of(sd, key)
    return f"{col}{row}" if col else coord


def _id_coord(sd: _SheetData, coord: str) -> str:
    return _sibling(sd, coord, KEY_UNIT_ID)


def read_workbook(path: Path, compiled=None, partial: bool = False):
    """Read every unit of a filled evidence workbook.

    Args:
        path: the .xlsx file.
        compiled: the compiled rule set the workbook was written for (column kinds: dates, levels ...).

    Returns:
        One :class:`UnitEvidence` per unit row of 单位, in row order; its ``raw`` has the shape of a YAML
        evidence file (unit, accounts, observations with {value, source, checked_at, note} where a
        provenance row exists, lists, adjustments) and its ``locate`` maps key paths to sheet and cell.

        With ``partial=True``: (units, errors that belong to no unit); a problem in a known unit's row
        fails that unit only (see ``_Reader.read``).

    Raises:
        EvidenceError / ErrorList: an unreadable workbook or cell (a spreadsheet error value, a row with
            data but no unit id, a list row for an unknown unit, a post for an unknown account), each
            naming the sheet and the cell (without `partial`; with it, only an unreadable workbook).
    """
    import zipfile

    from openpyxl import load_workbook

    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise EvidenceError("cannot read the workbook: {reason}", {"reason": f"{type(exc).__name__}: {exc}"},
                            Location(file=str(path))) from None
    reader = _Reader(wb, str(path), compiled)
    reader.uncomputed = _uncomputed_formulas(path, wb)
    try:
        return reader.read(partial)
    finally:
        wb.close()


def _uncomputed_formulas(path: Path, values_wb) -> set[tuple[str, str]]:
    """(sheet, cell) of formulas that have no computed value saved with the file.

    Read with data_only=True such a cell looks empty, and an evidence value silently disappears (a
    workbook written by a program, or saved without recalculation); they are reported instead.
    """
    from openpyxl import load_workbook

    out: set[tuple[str, str]] = set()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            formulas = load_workbook(path, data_only=False, read_only=True)
    except Exception:  # the values workbook was readable; this second look is best effort
        return out
    try:
        for ws in formulas.worksheets:
            vws = values_wb[ws.title] if ws.title in values_wb.sheetnames else None
            if vws is None:
                continue
            for row in ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "f" and vws[cell.coordinate].value is None:
                        out.add((ws.title, cell.coordinate))
    finally:
        formulas.close()
    return out
