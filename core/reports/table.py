"""The ranking table of a run: a rich table on a terminal, aligned plain text when piped or written.

Sections, each built once as rows of text (:func:`sections`) and drawn either way:

- the ranking: rank, unit id, unit, total, base, bonus, deductions, then one column per base category
  of the rule set (in rule-set order; a bonus or deduction category only when there are several of its
  kind, the 加分 and 扣分 columns already holding it); with ``group_by="kind"`` one table per kind
  (departments, towns/streets) ranked separately, the overall rank kept in its own column; a unit with
  missing observations is marked (``*`` after its name); no ranking when no unit was scored;
- missing observations: the units with observations not recorded, how many and in which indicators;
- appeal adjustments (复核), one line each, beside the computed score: never merged silently;
- floors: units whose total was raised to the rule set's floor (the difference as its own line).

Numbers are the display values (rounded half-up, apportioned so that parts add up to the total).
Deductions are a positive number of points deducted (扣分), in this table and in every report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import N_, _
from ..numbers import fmt2, round_half_up
from .base import atomic_write_bytes

KIND_LABELS = {"department": N_("departments"), "town": N_("towns and streets")}


@dataclass
class Section:
    """One table: a title, column headers, rows of text, and which columns are numbers (right-aligned)."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)


MISSING_MARK = "*"


def base_categories(run) -> list:
    """The rule set's base categories, in rule-set order."""
    return [c for c in run.compiled.categories if c.kind == "base"]


def ranking_categories(run) -> list:
    """The categories a ranking gives a column of its own, in rule-set order: every base category, and a
    bonus or deduction category only when there are several of its kind (else the bonus and deduction
    columns already hold it). Shared by this table, the HTML report and the result workbook."""
    cats = list(run.compiled.categories)
    count = {k: sum(1 for c in cats if c.kind == k) for k in ("bonus", "deduction")}
    return [c for c in cats if c.kind == "base" or count.get(c.kind, 0) > 1]


def category_shown(c):
    """A category result's displayed value: its score, or for a deduction category the points deducted
    (positive, the one convention of every report)."""
    return -c.display if c.kind == "deduction" else c.display


def category_header(c) -> str:
    """A ranking column's header: the category's name, marked as deducted points for a deduction category."""
    if c.kind != "deduction" or _("deducted") in c.name:  # 扣分指标 says so already
        return c.name
    return _("{name} (deducted)", name=c.name)


def _r(v) -> str:
    """Rounded display text (2 places) of an exact value."""
    return fmt2(round_half_up(v))


def _signed(v) -> str:
    return ("+" if v > 0 else "") + _r(v)


def ranking_section(run, units: list, title: str, group: bool = False) -> Section:
    cats = ranking_categories(run)
    headers = [_("Rank")]
    if group:
        headers.append(_("Overall rank"))
    headers += [_("Unit ID"), _("Unit"), _("Total"), _("Base"), _("Bonus"), _("Deductions")] + [category_header(c) for c in cats]
    rows = []
    for u in units:
        d = u.display
        by_id = {c.id: c for c in u.categories}
        row = [str(u.group_rank if group else u.rank)]
        if group:
            row.append(str(u.rank))
        name = u.name + (MISSING_MARK if u.missing_count else "")
        row += [u.unit_id, name, fmt2(d["total"]), fmt2(d["base"]), fmt2(d["bonus"]), fmt2(d["deductions"])]
        row += [fmt2(category_shown(by_id[c.id])) if c.id in by_id else "-" for c in cats]
        rows.append(row)
    first_num = 4 if group else 3
    numeric = {0} | ({1} if group else set()) | set(range(first_num, len(headers)))
    return Section(title, headers, rows, numeric)


def missing_section(run) -> Section | None:
    """Units with observations not recorded (marked * in the ranking): how many, and in which indicators."""
    rows = []
    for u in run.units:
        if not u.missing_count:
            continue
        where = [f"{lf.name} ({', '.join(lf.missing)})" for lf in u.indicators if lf.missing]
        rows.append([u.unit_id, u.name, str(u.missing_count), "; ".join(where)])
    if not rows:
        return None
    headers = [_("Unit ID"), _("Unit"), _("Missing observations"), _("Indicators")]
    return Section(_("{mark} missing observations (not recorded: those criteria score nothing)", mark=MISSING_MARK),
                   headers, rows, {2})


def adjustments_section(run) -> Section | None:
    """Appeal adjustments, one line each: computed score, the change applied, the final leaf score."""
    rows = []
    for u in run.units:
        for lf in u.indicators:
            score = lf.computed
            for a in lf.adjustments:
                after = score + a.applied
                rows.append([u.unit_id, u.name, lf.id, lf.name, _r(score), _signed(a.applied), _r(after),
                             a.requested_text(), a.reason, a.decided_by, a.decided_on])
                score = after
    if not rows:
        return None
    headers = [_("Unit ID"), _("Unit"), _("Indicator ID"), _("Indicator"), _("Computed"), _("Adjustment"), _("Adjusted"),
               _("Requested"), _("Reason"), _("Decided by"), _("Decided on")]
    return Section(_("Appeal adjustments (复核), shown beside the computed scores"), headers, rows, {4, 5, 6})


def floors_section(run) -> Section | None:
    rows = [[u.unit_id, u.name, _signed(u.floor_adjustment)] for u in run.units if u.floor_adjustment]
    if not rows:
        return None
    return Section(_("Totals raised to the floor of the rule set"), [_("Unit ID"), _("Unit"), _("Floor adjustment")], rows, {2})


def sections(run, group_by: str | None = None) -> list[Section]:
    """Every section of the table for `run` (ranking first)."""
    out: list[Section] = []
    if not run.units:  # every unit failed: no empty ranking (the failures are listed on their own)
        pass
    elif group_by == "kind":
        for kind in sorted({u.kind for u in run.units}):
            units = sorted((u for u in run.units if u.kind == kind), key=lambda u: (u.group_rank or 0, u.unit_id))
            out.append(ranking_section(run, units, _(KIND_LABELS.get(kind, kind)), group=True))
    else:
        out.append(ranking_section(run, run.units, _("Ranking")))
    for extra in (missing_section(run), adjustments_section(run), floors_section(run)):
        if extra is not None:
            out.append(extra)
    return out


def _width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def render_section_plain(sec: Section) -> str:
    """One section as aligned plain text (CJK characters count as two columns)."""
    widths = [_width(h) for h in sec.headers]
    for row in sec.rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))
    lines = [sec.title]
    lines.append("  ".join(_pad(h, widths[i], i in sec.numeric) for i, h in enumerate(sec.headers)).rstrip())
    for row in sec.rows:
        lines.append("  ".join(_pad(c, widths[i], i in sec.numeric) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


def render_plain(run, group_by: str | None = None) -> str:
    """The whole table as plain text, sections separated by a blank line."""
    head = _("Rule set {name} ({title}), as of {as_of}, period {start} to {end}",
             name=run.ruleset.name, title=run.ruleset.title or "-", as_of=run.context.as_of.isoformat(),
             start=run.context.period_start.isoformat(), end=run.context.period_end.isoformat())
    parts = [head] + [render_section_plain(s) for s in sections(run, group_by)]
    if not run.units:
        parts.append(_("No unit could be scored."))
    return "\n\n".join(parts) + "\n"


def print_section(console, sec: Section) -> None:
    """One section: a rich table on a terminal, aligned plain text otherwise."""
    if not console.is_terminal:
        console.print(render_section_plain(sec), markup=False, highlight=False, soft_wrap=True)
        return
    from rich.table import Table

    table = Table(title=sec.title, title_justify="left", header_style="bold")
    for i, h in enumerate(sec.headers):
        table.add_column(h, justify="right" if i in sec.numeric else "left", overflow="fold")
    for row in sec.rows:
        table.add_row(*row)
    console.print(table)


def render_rich(run, console, group_by: str | None = None) -> None:
    """Print the table with rich (a terminal)."""
    console.print(_("Rule set {name} ({title}), as of {as_of}, period {start} to {end}",
                    name=run.ruleset.name, title=run.ruleset.title or "-", as_of=run.context.as_of.isoformat(),
                    start=run.context.period_start.isoformat(), end=run.context.period_end.isoformat()), markup=False, highlight=False)
    for sec in sections(run, group_by):
        print_section(console, sec)
    if not run.units:
        console.print(_("No unit could be scored."), markup=False, highlight=False)


def write_table(run, path: Path, options: dict | None = None) -> None:
    """The ``table`` report writer: the plain-text table written atomically to `path`."""
    group_by = (options or {}).get("group_by")
    atomic_write_bytes(Path(path), render_plain(run, group_by).encode("utf-8"))

