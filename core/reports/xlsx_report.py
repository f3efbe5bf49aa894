"""The result workbook (``--format xlsx``): 汇总, one sheet per level-1 category, 扣分明细, 运行信息.

- 汇总: the ranking (rank, and with ``group_by: kind`` the rank among departments or towns/streets),
  total, base, bonus, deductions and each category's score;
- one sheet per category: units x its leaves (displayed points, 2 decimals, adding up to the category);
- 扣分明细: every deduction, veto, criterion not (fully) met, missing observation and appeal adjustment,
  with its reason, the rule (file:line), the observed values and their provenance;
- 运行信息: the run context (rule set and hash, as_of, period, calendar, engine), and 未评分 lists the
  units that could not be scored.

Frozen headers, column widths, number format 0.00. Text that starts with = + - @ is written as text
(never a formula): the cell is a string with Excel's quote prefix. Written with openpyxl's write-only
workbook (fast and lean at 20,000 units) through a temporary file renamed into place.
"""

from __future__ import annotations

import json
import unicodedata
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..i18n import N_, _
from ..numbers import exact_str, fmt2, round_half_up
from .base import atomic_path

SUMMARY = "汇总"
DETAILS = "扣分明细"
CONTEXT = "运行信息"
FAILURES = "未评分"
FORMULA_START = ("=", "+", "-", "@")
MAX_CELL = 32000
NUMBER = "0.00"


def _illegal():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fmt_points(value) -> str:
    """Display text of a number of points, rounded half away from zero to 2 places ("3.30", "-0.40").

    The same as ``fmt2(round_half_up(value))``, in integer arithmetic (reports format many numbers).
    """
    if isinstance(value, int):
        return f"{value}.00" if value >= 0 else f"-{-value}.00"
    if not isinstance(value, Fraction):
        return fmt2(round_half_up(Fraction(value)))
    n, d = value.numerator * 100, value.denominator
    q, r = divmod(abs(n), d)
    if 2 * r >= d:
        q += 1
    sign = "-" if n < 0 and q else ""
    return f"{sign}{q // 100}.{q % 100:02d}"


def points(value: Fraction | None) -> float | None:
    """A number of points for a cell: rounded half-up to 2 places (display only)."""
    if value is None:
        return None
    return float(fmt_points(value))


def shown(value: Fraction) -> float:
    """An already apportioned display value as a cell number."""
    return float(fmt_points(value))


def kind_label(kind: str) -> str:
    return _("department") if kind == "department" else _("town/street") if kind == "town" else kind


def rule_location(run, file: str | None, line: int | None) -> str:
    """"2023-zengdu/portal.yaml:12": the rule file relative to the rule set's parent folder."""
    if not file:
        return ""
    return _rule_file(str(getattr(run.ruleset, "path", "")), file) + (f":{line}" if line else "")


@lru_cache(maxsize=1024)
def _rule_file(ruleset_path: str, file: str) -> str:
    p = Path(file)
    try:
        p = p.resolve().relative_to(Path(ruleset_path).resolve().parent)
    except (ValueError, OSError):
        pass
    return p.as_posix()


def _compact(value: Any) -> str:
    if value in (None, {}, []):
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}={_compact_value(v)}" for k, v in value.items())
    return _compact_value(value)


def _compact_value(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "-"
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=False, default=str)


def provenance_text(prov: dict) -> str:
    """"broken_links: https://... (checked 2023-11-20) note" for each observation with provenance."""
    parts = []
    for name, p in (prov or {}).items():
        if not isinstance(p, dict):
            continue
        bits = [str(p["source"])] if p.get("source") else []
        if p.get("checked_at"):
            bits.append(_("checked {date}", date=p["checked_at"]))
        if p.get("note"):
            bits.append(str(p["note"]))
        parts.append(f"{name}: {' '.join(bits)}")
    return "; ".join(parts)


ROLE_LABELS = {
    "award": N_("criterion partly met"), "not_met": N_("criterion not met"), "missing": N_("criterion not recorded"),
    "criterion_veto": N_("criterion vetoed"), "veto": N_("veto"), "deduct": N_("deduction"), "cap": N_("cap"),
    "normalisation": N_("weight moved"), "adjustment": N_("adjustment"), "missing_observation": N_("missing observation"),
}


def role_label(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


def leaf_kind(run, indicator: str) -> str:
    """base, bonus or deduction: the kind of the leaf's category."""
    try:
        return run.compiled.leaf(indicator).category_kind
    except (KeyError, AttributeError):
        return "base"


def leaf_lost(run, lf) -> Fraction | None:
    """Points a leaf lost: against its effective weight (base), the points deducted (deduction leaves),
    None for bonus leaves (a bonus not earned is not a loss) and for leaves that do not apply."""
    return lf.lost


def loss_rows(run, u) -> list[dict]:
    """Every line of a unit that explains lost points, in leaf and audit order (shared with the HTML report).

    Each row: leaf, role, entry, text, points (signed, this line), lost (points lost against the
    criterion's full share or the leaf's weight; None where not meaningful), reason, observations,
    provenance, detail, rule location.
    """
    compiled = run.compiled
    rows: list[dict] = []
    for lf in u.indicators:
        try:
            clf = compiled.leaf(lf.id)
            scale = clf.share_scale()
            bonus = clf.category_kind == "bonus"
        except (KeyError, AttributeError):
            scale, bonus = Fraction(1), False
        for rec in lf.audit:
            lost: Fraction | None = None
            if rec.role in ("award", "not_met", "missing", "criterion_veto"):
                if bonus:  # a bonus not earned is no loss; its missing observations are still listed below
                    continue
                if lf.vetoed:
                    lost = None
                else:
                    full = (rec.share or 0) * lf.effective_weight
                    lost = (full * scale if scale != 1 else full) - rec.points
                if rec.role == "award" and (lost is None or lost <= 0):
                    continue
            elif rec.role == "veto":
                lost = lf.effective_weight
            elif rec.role == "deduct":
                lost = -rec.points
            elif rec.role == "cap":
                lost = None
            elif rec.role == "normalisation":
                lost = None
            else:
                continue
            rows.append({"leaf": lf, "role": rec.role, "entry": rec.entry, "text": rec.text or "",
                         "points": rec.points, "lost": lost, "reason": rec.reason, "observations": rec.observations,
                         "provenance": rec.provenance, "detail": rec.detail,
                         "rule": rule_location(run, rec.file, rec.line), "rule_id": rec.rule})
        for name in lf.missing:
            rows.append({"leaf": lf, "role": "missing_observation", "entry": name, "text": "", "points": Fraction(0),
                         "lost": None, "reason": _("not recorded: {names}", names=name), "observations": {},
                         "provenance": {}, "detail": {}, "rule": "", "rule_id": ""})
        for adj in lf.adjustments:
            rows.append({"leaf": lf, "role": "adjustment", "entry": adj.requested, "text": "", "points": adj.applied,
                         "lost": -adj.applied, "reason": f"{adj.reason}（{adj.decided_by} {adj.decided_on}）",
                         "observations": {}, "provenance": {}, "detail": {}, "rule": adj.location, "rule_id": "adjustment"})
    return rows


class _Sheet:
    """Rows of one sheet kept in memory (values), then written with widths and formats."""

    def __init__(self, title: str, header: list[str], numeric: set[int] | None = None, freeze: str = "A2",
                 integer: set[int] | None = None, max_width: int = 60) -> None:
        self.title = title
        self.header = header
        self.rows: list[list] = []
        self.numeric = numeric or set()
        self.integer = integer or set()
        self.freeze = freeze
        self.max_width = max_width

    def add(self, row: list) -> None:
        self.rows.append(row)

    def write(self, wb) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        ws = wb.create_sheet(self.title)
        illegal = _illegal()
        widths = [_width(str(h)) + 2 for h in self.header]
        for row in self.rows[:2000]:  # a sample is enough for widths
            for j, v in enumerate(row):
                if v is None or j >= len(widths):
                    continue
                w = _width(f"{v:.2f}" if isinstance(v, float) else str(v)) + 2
                if w > widths[j]:
                    widths[j] = w
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = max(6, min(self.max_width, w))
        ws.freeze_panes = self.freeze
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDEBF7")
        wrap = Alignment(wrap_text=True, vertical="center")

        def cell(v, j, head=False):
            if isinstance(v, Fraction):
                v = points(v)
            if isinstance(v, str):
                v = illegal.sub("", v)
                if len(v) > MAX_CELL:
                    v = v[:MAX_CELL] + "…"
            c = WriteOnlyCell(ws, value=v)
            if isinstance(v, str) and v.startswith(FORMULA_START):
                c.data_type = "s"  # text, never a formula
                c.quotePrefix = True
            if head:
                c.font, c.fill, c.alignment = bold, fill, wrap
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                if j in self.numeric:
                    c.number_format = NUMBER
                elif j in self.integer:
                    c.number_format = "0"
            return c

        ws.append([cell(h, j, True) for j, h in enumerate(self.header)])
        for row in self.rows:
            ws.append([cell(v, j) for j, v in enumerate(row)])
        if self.rows and self.header:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(self.header))}{len(self.rows) + 1}"


def _sheet_title(name: str, used: set[str]) -> str:
    import re

    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "sheet"
    title, n = base, 2
    while title.lower() in {u.lower() for u in used}:
        suffix = f"-{n}"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title)
    return title


def _weight_text(w: Fraction | None) -> str:
    return exact_str(w) if w is not None else "-"


def build_sheets(run, options: dict | None = None) -> list[_Sheet]:
    """The sheets of the result workbook, as rows of values (deterministic for the same run)."""
    options = options or {}
    units = list(run.units)
    grouped = options.get("group_by") == "kind" or any(u.group_rank is not None for u in units)
    cats = list(run.compiled.categories)
    show_floor = any(u.floor_adjustment for u in units)

    head = [_("Rank")] + ([_("Rank in group")] if grouped else []) + [_("Unit id"), _("Unit"), _("Kind"), _("Total"),
                                                                   _("Base"), _("Bonus"), _("Deductions")]
    head += [_("Floor adjustment")] if show_floor else []
    head += [f"{c.name}（{_weight_text(c.weight)}）" for c in cats]
    head += [_("Missing observations")]
    id_col = 2 if grouped else 1
    numeric = set(range(id_col + 3, len(head) - 1))
    summary = _Sheet(SUMMARY, head, numeric, freeze=f"{'DE'[grouped]}2", integer={0, 1} if grouped else {0})
    for u in units:
        d = u.display
        row = [u.rank] + ([u.group_rank] if grouped else []) + [u.unit_id, u.name, kind_label(u.kind), shown(d["total"]),
                                                               shown(d["base"]), shown(d["bonus"]), shown(d["deductions"])]
        row += [shown(d["floor_adjustment"])] if show_floor else []
        by_id = {c.id: c for c in u.categories}
        row += [shown(by_id[c.id].display) if c.id in by_id else None for c in cats]
        row += [u.missing_count]
        summary.add(row)
    sheets = [summary]

    used = {SUMMARY, DETAILS, CONTEXT, FAILURES}
    for cat in run.compiled.categories:
        leaves = [run.compiled.leaf(i) for i in cat.leaves]
        h = [_("Rank"), _("Unit id"), _("Unit"), _("Kind"), f"{_('Category score')}（{_weight_text(cat.weight)}）"]
        h += [f"{lf.name}（{_weight_text(lf.weight)}）" for lf in leaves]
        sh = _Sheet(_sheet_title(cat.name, used), h, set(range(4, len(h))), freeze="D2", integer={0}, max_width=30)
        for u in units:
            try:
                c = u.category(cat.id)
            except KeyError:
                continue
            row = [u.rank, u.unit_id, u.name, kind_label(u.kind), shown(c.display)]
            for lf in leaves:
                try:
                    r = u.leaf(lf.id)
                except KeyError:
                    row.append(None)
                    continue
                row.append(shown(r.display) if r.applicable else _("n/a"))
            sh.add(row)
        sheets.append(sh)

    dh = [_("Rank"), _("Unit id"), _("Unit"), _("Category"), _("Indicator id"), _("Indicator"), _("Type"), _("Entry"),
          _("Criterion text"), _("Points"), _("Points lost"), _("Reason"), _("Observed values"), _("Provenance"),
          _("Details"), _("Rule")]
    details = _Sheet(DETAILS, dh, {9, 10}, freeze="D2", integer={0})
    cat_names = {c.id: c.name for c in run.compiled.categories}
    for u in units:
        for row in loss_rows(run, u):
            lf = row["leaf"]
            details.add([u.rank, u.unit_id, u.name, cat_names.get(lf.category, lf.category), lf.id, lf.name,
                         role_label(row["role"]), row["entry"], row["text"], points(row["points"]),
                         points(row["lost"]) if row["lost"] is not None else None, row["reason"],
                         _compact(row["observations"]), provenance_text(row["provenance"]), _compact(row["detail"]),
                         row["rule"]])
    sheets.append(details)

    ctx = run.context_dict()
    info = _Sheet(CONTEXT, [_("Item"), _("Value")], freeze="A2", max_width=100)
    period = ctx.get("period") or {}
    for label, value in ((_("Rule set"), ctx.get("ruleset")), (_("Title"), ctx.get("ruleset_title")),
                         (_("Rule set hash"), ctx.get("ruleset_hash")), (_("Rule set chain"), " > ".join(ctx.get("ruleset_chain") or [])),
                         (_("Monitoring date (as_of)"), ctx.get("as_of")),
                         (_("Period"), f"{period.get('start', '')} – {period.get('end', '')}"),
                         (_("Working-day calendar"), "; ".join(str(x) for x in ctx.get("calendar") or [])),
                         (_("Engine"), ctx.get("engine")), (_("govscore version"), ctx.get("govscore_version")),
                         (_("Units scored"), len(units)), (_("Units not scored"), len(run.failures))):
        info.add([label, value])
    for f in getattr(run, "evidence_files", []) or []:
        info.add([_("Evidence file"), f])
    sheets.append(info)

    if run.failures:
        fail = _Sheet(FAILURES, [_("Unit id"), _("Unit"), _("Source"), _("Error")], freeze="A2", max_width=100)
        for f in run.failures:
            for e in f.errors:
                fail.add([f.unit_id, f.name, f.source, e.render()])
        sheets.append(fail)
    return sheets


def write_xlsx(run, path: Path, options: dict | None = None) -> None:
    """Write the result workbook of `run` to `path` atomically.

    Args:
        run: a :class:`~govscore.core.runner.RunResult`.
        path: the .xlsx file.
        options: ``group_by`` ("kind" adds the rank among departments / towns and streets).
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for sh in build_sheets(run, options):
        sh.write(wb)
    wb.properties.creator = "govscore"
    wb.properties.title = f"{run.ruleset.name} {run.context.as_of.isoformat()}"
    with atomic_path(Path(path)) as tmp:
        wb.save(tmp)
