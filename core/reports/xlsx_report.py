"""The result workbook (``--format xlsx``): 汇总, one sheet per level-1 category, 扣分明细, 有效权重, 运行信息.

Sheet names and headers follow the language of the run (汇总 / Summary ...).

- 汇总: the ranking (rank, and with ``group_by: kind`` the rank among departments or towns/streets),
  total, base, bonus, deductions (a positive number of points deducted) and the score of each base
  category (a bonus or deduction category gets a column only when there are several of its kind: the
  加分 and 扣分 columns already hold it), and the number of missing observations;
- one sheet per category: units x its leaves; each cell is the leaf's score (displayed points, 2
  decimals, adding up to the category), its header names the nominal weight; a deduction category
  shows the points deducted (positive), its headers the most it can deduct;
- 扣分明细: every deduction, veto, criterion not (fully) met, missing observation and appeal adjustment,
  with its reason, the rule (file:line), the observed values and their provenance. Moves of weight by
  applicability are not lost points and are not listed (``govscore explain`` and the JSON keep them);
  losses computed before an appeal adjustment are given in the reason, not as current losses;
- 有效权重: when applicability moved weight, each unit's effective weight of every leaf;
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
from ..numbers import exact_str, fmt2, half_up_steps, on_grid, round_half_up
from .base import atomic_path

SUMMARY = "汇总"  # the Chinese sheet names (the default language); sheet_title() gives the current language's
DETAILS = "扣分明细"
CONTEXT = "运行信息"
FAILURES = "未评分"
WEIGHTS = "有效权重"
SHEET_TITLES = {"summary": N_("Summary"), "details": N_("Lost points"), "weights": N_("Effective weights"),
                "context": N_("Run information"), "failures": N_("Not scored")}
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


def sheet_title(key: str) -> str:
    """A sheet's name in the current language: summary, details, weights, context, failures."""
    return _(SHEET_TITLES[key])


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


def _detail_text(detail: dict | None) -> str:
    """An audit line's detail in one cell, worded as ``govscore explain`` words it (the band, the
    credit, each item of a list with its share and dates), its lines joined by "; " (a heading ending
    in a colon by a space)."""
    from ..explain import detail_lines

    text = ""
    for line in detail_lines(detail):
        text += ("" if not text else " " if text.endswith((":", "：")) else _("; ")) + line.strip()
    return text


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


def deduction_limit(run, lf) -> Fraction:
    """The most a deduction leaf deducts (positive): its cap, else its weight."""
    try:
        cap = run.compiled.leaf(lf.id).cap
    except (KeyError, AttributeError):
        cap = None
    return Fraction(cap if cap is not None else (lf.weight or 0))


def category_limit(c) -> Fraction:
    """A category's weight as shown (positive): a deduction category's cap, else its weight."""
    if c.kind == "deduction" and c.cap is not None:
        return Fraction(c.cap)
    return Fraction(c.weight)


_ZERO = Fraction(0)


def leaf_figures(run, lf) -> dict:
    """What a leaf's row shows, in display values that add up exactly.

    Keys: kind; applicable; weight (the displayed effective weight; a deduction leaf's positive maximum);
    nominal (the rule file's weight, None without one); reweighted (applicability moved weight to or
    from the leaf); score (displayed, apportioned; a deduction leaf's points deducted, positive; None
    when the leaf does not apply); max (most attainable under the rubric's shares); lost (points lost
    against ``max``: what the unit lost; for a deduction leaf the points deducted; None for bonus leaves
    and leaves that do not apply); unattainable (the part of the weight the rubric's shares make
    unattainable: never the unit's loss); adjusted (appeal adjustments changed the score); computed
    (the score before them, rounded).

    For a base leaf ``score + lost + unattainable == weight``: ``max`` is the exact most attainable
    rounded half-up (or the displayed score when the score is exactly that), ``lost = max - score``.
    Display values are whole hundredths, worked in integers.
    """
    nominal = lf.weight
    kind = lf.kind
    computed = half_up_steps(lf.computed)
    out = {"kind": kind, "applicable": lf.applicable, "nominal": nominal,
           "reweighted": nominal is not None and kind != "deduction" and lf.effective_weight != nominal,
           "score": None, "max": None, "lost": None, "unattainable": _ZERO, "adjusted": bool(lf.adjustments)}
    if not lf.applicable:
        out.update(weight=_ZERO, computed=on_grid(computed), reweighted=nominal is not None and nominal != 0)
        return out
    score = half_up_steps(lf.display)  # already on the grid: exact
    if kind == "deduction":
        deducted = on_grid(-score)
        out.update(weight=deduction_limit(run, lf), score=deducted, lost=deducted, computed=on_grid(-computed))
        return out
    weight = score if lf.score == lf.effective_weight else half_up_steps(lf.effective_weight)
    out.update(weight=on_grid(weight), score=on_grid(score), computed=on_grid(computed))
    if kind == "bonus":  # a bonus not earned is no loss
        return out
    if lf.score == lf.max_attainable:
        top = score
    elif lf.score > lf.max_attainable:  # an appeal adjustment above what the shares allow: no share left unattainable
        top = max(weight, score)
    else:
        top = min(max(half_up_steps(lf.max_attainable), score), max(weight, score))
    weight = max(weight, top)
    out.update(weight=on_grid(weight), max=on_grid(top), lost=on_grid(top - score),
               unattainable=on_grid(weight - top))
    return out


def leaf_lost(run, lf) -> Fraction | None:
    """Points a leaf lost (displayed): against the most attainable under the rubric's shares (base
    leaves), the points deducted (deduction leaves); None for bonus leaves and leaves that do not apply."""
    return leaf_figures(run, lf)["lost"]


def _signed(v: Fraction) -> str:
    return ("+" if v > 0 else "") + fmt_points(v)


def leaf_reason(run, lf, fig: dict | None = None) -> str:
    """The reason a report shows on a leaf's row: with appeal adjustments, the computed score (and its
    reason), the adjustment and the final score, so that computed losses never read as current ones."""
    if not lf.adjustments:
        return lf.reason
    fig = fig or leaf_figures(run, lf)
    sign = -1 if lf.kind == "deduction" else 1
    final = fig["score"] if fig["score"] is not None else Fraction(0)
    change = sign * (final - fig["computed"])
    if lf.kind == "deduction":
        return _("computed deduction {computed} ({reason}); appeal adjustment {change}; final deduction {score}",
                 computed=fmt_points(fig["computed"]), reason=lf.reason, change=_signed(change), score=fmt_points(final))
    return _("computed {computed} ({reason}); appeal adjustment {change}; final {score}",
             computed=fmt_points(fig["computed"]), reason=lf.reason, change=_signed(change), score=fmt_points(final))


def unattainable_note(fig: dict) -> str:
    """The neutral note on a leaf whose rubric shares add up to less than 100% ("" when there is none)."""
    if not fig.get("unattainable"):
        return ""
    return _("the rubric's shares add up to less than 100%: at most {max} points can be earned", max=fmt_points(fig["max"]))


def _share_out(lf, fig: dict, rows: list[dict]) -> None:
    """When a leaf's lines explain its whole loss exactly, show them as the leaf's displayed loss split by
    largest remainder (so that they add up to the loss on the leaf's row); else each is rounded alone."""
    from ..numbers import apportion

    target = fig["lost"]
    if target is None:
        return
    lines = [r for r in rows if r["lost"] is not None]
    if not lines:
        return
    cents = [half_up_steps(r["lost"]) for r in lines]
    if sum(cents) == half_up_steps(target) or min(cents) < 0:  # already adding up (the common case), or not a split
        return
    exact = -lf.score if lf.kind == "deduction" else lf.max_attainable - lf.score
    if sum((r["lost"] for r in lines), Fraction(0)) != exact:
        return
    try:
        shown_parts = apportion(target, [r["lost"] for r in lines])
    except ValueError:
        return
    for r, v in zip(lines, shown_parts):
        r["lost"] = v


def unit_figures(run, u) -> dict:
    """:func:`leaf_figures` of every leaf of a unit, by leaf id (computed once for a unit's rows)."""
    return {lf.id: leaf_figures(run, lf) for lf in u.indicators}


def loss_rows(run, u, figures: dict | None = None) -> list[dict]:
    """Every line of a unit that explains lost points, in leaf and audit order (shared with the HTML report).

    Each row: leaf, role, entry, text, points (signed, this line), lost (points lost against the
    criterion's full share, the most attainable for a veto, the points deducted; None where not
    meaningful), reason, observations, provenance, detail, rule location, and ``before_adjustment``
    (the leaf's score was changed on appeal: ``lost`` is then None, the loss computed before the
    adjustment is in ``lost_before`` and named in the reason).

    When the lines of a leaf explain its whole loss, their ``lost``, rounded half-up to 2 places as every
    report shows them, add up to the loss shown on the leaf's row (split by largest remainder if need be). Weight moved by applicability ("normalisation" audit lines) loses no
    points and is left out. An
    appeal adjustment's row gives the computed score, the change and the score after it; the last
    adjustment of a leaf carries the leaf's current loss.
    """
    compiled = run.compiled
    figures = figures if figures is not None else unit_figures(run, u)
    rows: list[dict] = []
    for lf in u.indicators:
        fig = figures.get(lf.id) or leaf_figures(run, lf)
        try:
            clf = compiled.leaf(lf.id)
            scale = clf.share_scale()
            bonus = clf.category_kind == "bonus"
        except (KeyError, AttributeError):
            scale, bonus = Fraction(1), False
        adjusted = bool(lf.adjustments)
        first = len(rows)
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
                lost = lf.max_attainable
            elif rec.role == "deduct":
                lost = None if lf.vetoed else -rec.points  # a vetoed leaf loses its points once, to the veto
            elif rec.role == "cap":
                lost = None
            else:  # normalisation: weight moved by applicability is not a lost point
                continue
            reason, before = rec.reason, None
            if adjusted and lost is not None:
                before, lost = lost, None
                reason = _("before the appeal adjustment, lost {lost}: {reason}", lost=fmt_points(before), reason=reason)
            rows.append({"leaf": lf, "role": rec.role, "entry": rec.entry, "text": rec.text or "",
                         "points": rec.points, "lost": lost, "reason": reason, "observations": rec.observations,
                         "provenance": rec.provenance, "detail": rec.detail,
                         "rule": rule_location(run, rec.file, rec.line), "rule_id": rec.rule,
                         "before_adjustment": adjusted, "lost_before": before})
        if not adjusted:
            _share_out(lf, fig, rows[first:])
        for name in lf.missing:
            rows.append({"leaf": lf, "role": "missing_observation", "entry": name, "text": "", "points": Fraction(0),
                         "lost": None, "reason": _("not recorded: {names}", names=name), "observations": {},
                         "provenance": {}, "detail": {}, "rule": "", "rule_id": "", "before_adjustment": adjusted,
                         "lost_before": None})
        if adjusted:
            from ..numbers import round_half_up

            sign = -1 if lf.kind == "deduction" else 1  # a deduction leaf shows points deducted
            score = lf.computed
            shown_before = fig["computed"]
            for k, adj in enumerate(lf.adjustments):
                last = k == len(lf.adjustments) - 1
                score = score + adj.applied
                shown_after = fig["score"] if last and fig["score"] is not None else sign * round_half_up(score)
                change = sign * (shown_after - shown_before)
                msgid = (N_("deducted before {before}, appeal adjustment {change}, deducted after {after}: {reason} ({decided_by} {decided_on})")
                         if sign < 0 else
                         N_("before {before}, appeal adjustment {change}, after {after}: {reason} ({decided_by} {decided_on})"))
                reason = _(msgid, before=fmt_points(shown_before), change=_signed(change), after=fmt_points(shown_after),
                           reason=adj.reason, decided_by=adj.decided_by, decided_on=adj.decided_on)
                rows.append({"leaf": lf, "role": "adjustment", "entry": adj.requested_text(), "text": "", "points": adj.applied,
                             "lost": fig["lost"] if last else None, "reason": reason,
                             "observations": {}, "provenance": {}, "detail": {}, "rule": adj.location,
                             "rule_id": "adjustment", "before_adjustment": False, "lost_before": None})
                shown_before = shown_after
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


def _category_head(c) -> str:
    """A category's column header: its name and weight, or for a deduction category the most it deducts."""
    if c.kind == "deduction":
        return _("{name}: deducted (at most {weight})", name=c.name, weight=_weight_text(category_limit(c)))
    return _("{name} (weight {weight})", name=c.name, weight=_weight_text(c.weight))


def _leaf_head(run, lf) -> str:
    """A leaf's column header in its category's sheet: the cell is its score (a deduction leaf's points
    deducted); the header names the rule file's (nominal) weight."""
    if lf.category_kind == "deduction":
        limit = lf.cap if lf.cap is not None else lf.weight
        if limit is None:
            return _("{name}: deducted (no weight: occurrences are recorded, nothing is deducted)", name=lf.name)
        return _("{name}: deducted (at most {weight})", name=lf.name, weight=_weight_text(limit))
    return _("{name}: score (weight {weight})", name=lf.name, weight=_weight_text(lf.weight))


def build_sheets(run, options: dict | None = None) -> list[_Sheet]:
    """The sheets of the result workbook, as rows of values (deterministic for the same run)."""
    from .table import category_shown, ranking_categories

    options = options or {}
    units = list(run.units)
    grouped = options.get("group_by") == "kind" or any(u.group_rank is not None for u in units)
    cats = ranking_categories(run)
    show_floor = any(u.floor_adjustment for u in units)

    head = [_("Rank")] + ([_("Rank in group")] if grouped else []) + [_("Unit id"), _("Unit"), _("Kind"), _("Total"),
                                                                   _("Base"), _("Bonus"), _("Deductions")]
    head += [_("Floor adjustment")] if show_floor else []
    head += [_category_head(c) for c in cats]
    head += [_("Missing observations")]
    id_col = 2 if grouped else 1
    numeric = set(range(id_col + 3, len(head) - 1))
    titles = {k: sheet_title(k) for k in SHEET_TITLES}
    summary = _Sheet(titles["summary"], head, numeric, freeze=f"{'DE'[grouped]}2", integer={0, 1} if grouped else {0})
    for u in units:
        d = u.display
        row = [u.rank] + ([u.group_rank] if grouped else []) + [u.unit_id, u.name, kind_label(u.kind), shown(d["total"]),
                                                               shown(d["base"]), shown(d["bonus"]), shown(d["deductions"])]
        row += [shown(d["floor_adjustment"])] if show_floor else []
        by_id = {c.id: c for c in u.categories}
        row += [shown(category_shown(by_id[c.id])) if c.id in by_id else None for c in cats]
        row += [u.missing_count]
        summary.add(row)
    sheets = [summary]

    used = set(titles.values())
    for cat in run.compiled.categories:
        leaves = [run.compiled.leaf(i) for i in cat.leaves]
        deduction = cat.kind == "deduction"
        h = [_("Rank"), _("Unit id"), _("Unit"), _("Kind"),
             _("Category deductions (at most {weight})", weight=_weight_text(category_limit(cat))) if deduction
             else _("Category score (weight {weight})", weight=_weight_text(cat.weight))]
        h += [_leaf_head(run, lf) for lf in leaves]
        sh = _Sheet(_sheet_title(cat.name, used), h, set(range(4, len(h))), freeze="D2", integer={0}, max_width=30)
        for u in units:
            try:
                c = u.category(cat.id)
            except KeyError:
                continue
            row = [u.rank, u.unit_id, u.name, kind_label(u.kind), shown(category_shown(c))]
            for lf in leaves:
                try:
                    r = u.leaf(lf.id)
                except KeyError:
                    row.append(None)
                    continue
                if not r.applicable:
                    row.append(_("n/a"))
                else:
                    row.append(shown(-r.display if deduction else r.display))
            sh.add(row)
        sheets.append(sh)

    dh = [_("Rank"), _("Unit id"), _("Unit"), _("Category"), _("Indicator id"), _("Indicator"), _("Type"), _("Entry"),
          _("Criterion text"), _("Points"), _("Points lost"), _("Reason"), _("Observed values"), _("Provenance"),
          _("Details"), _("Rule")]
    details = _Sheet(titles["details"], dh, {9, 10}, freeze="D2", integer={0})
    cat_names = {c.id: c.name for c in run.compiled.categories}
    for u in units:
        for row in loss_rows(run, u):
            lf = row["leaf"]
            details.add([u.rank, u.unit_id, u.name, cat_names.get(lf.category, lf.category), lf.id, lf.name,
                         role_label(row["role"]), row["entry"], row["text"], points(row["points"]),
                         points(row["lost"]) if row["lost"] is not None else None, row["reason"],
                         _compact(row["observations"]), provenance_text(row["provenance"]), _detail_text(row["detail"]),
                         row["rule"]])
    sheets.append(details)

    # effective weights in their own place: the categories where applicability moved weight for some unit
    moved = {lf.category for u in units for lf in u.indicators
             if lf.kind != "deduction" and lf.effective_weight != (lf.weight or 0)}
    if moved:
        wl = [lf for lf in run.compiled.leaves if lf.category in moved and lf.category_kind != "deduction"]
        wh = [_("Rank"), _("Unit id"), _("Unit"), _("Kind")]
        wh += [_("{name} (weight {weight})", name=lf.name, weight=_weight_text(lf.weight)) for lf in wl]
        weights = _Sheet(titles["weights"], wh, set(range(4, len(wh))), freeze="D2", integer={0}, max_width=30)
        for u in units:
            eff = {lf.id: lf.effective_weight for lf in u.indicators}
            weights.add([u.rank, u.unit_id, u.name, kind_label(u.kind)] + [eff.get(lf.id) for lf in wl])
        sheets.append(weights)

    ctx = run.context_dict()
    info = _Sheet(titles["context"], [_("Item"), _("Value")], freeze="A2", max_width=100)
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
        fail = _Sheet(titles["failures"], [_("Unit id"), _("Unit"), _("Source"), _("Error")], freeze="A2", max_width=100)
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
