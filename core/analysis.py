"""Static analysis of a rule set: errors, the rubric's own inconsistencies, the maximum attainable score.

``govscore validate`` prints what :func:`analyse` finds. Errors make the rule set unusable (exit 2);
warnings point policy staff at places where the rubric itself is off, each with the rule file and line:
declared totals that differ from the leaves' weights, criteria shares that do not sum to 100% (with the
most each leaf can then give), band tables with gaps (overlaps under UNIQUE are errors), deduction
leaves without a weight, disabled alternative readings, indicators without a plugin (error) and plugin
indicators that no rule set uses, and every ``source_notes`` entry of the rule files.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from fractions import Fraction

from .compile import CompiledRuleSet, RunContext, compile_ruleset
from .conditions import Interval
from .errors import ErrorList, GovscoreError, Location
from .i18n import _
from .numbers import exact_str, fmt2, round_half_up
from .plugins import Registry
from .ruleset.loader import RuleSet


@dataclass
class Finding:
    """A warning of validate: a code, a sentence (catalogue id + params) and where it applies."""

    code: str
    msgid: str
    params: dict
    location: Location

    def message(self) -> str:
        return _(self.msgid, **self.params)

    def render(self) -> str:
        where = self.location.render()
        return f"{where}: {self.message()}" if where else self.message()


@dataclass
class AnalysisReport:
    """What :func:`analyse` found.

    Attributes:
        errors: problems that make the rule set unusable.
        warnings: :class:`Finding` objects, in rule-file order.
        base_total: the sum of the base categories' weights (points).
        max_attainable_base: the most a unit with every indicator applicable can reach (points).
        leaf_max: per leaf id, the most it can give (points).
    """

    errors: list[GovscoreError] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    base_total: Fraction = Fraction(0)
    max_attainable_base: Fraction = Fraction(0)
    leaf_max: dict[str, Fraction] = field(default_factory=dict)
    compiled: CompiledRuleSet | None = None


def _pct(f: Fraction) -> str:
    return f"{exact_str(f * 100)}%"


def band_gaps(intervals: list[Interval], lo: Fraction = Fraction(0)) -> list[str]:
    """Stretches of [lo, +inf) that no interval covers, as interval text ("(5..10]", ">10").

    The line is cut at every bound into points and open pieces; each piece is tested once, and
    consecutive uncovered pieces are merged.
    """
    pts = sorted({b for iv in intervals for b in (iv.lo, iv.hi) if b is not None and b >= lo} | {lo})
    pieces: list[tuple[str, Fraction, Fraction | None]] = []
    for i, p in enumerate(pts):
        pieces.append(("point", p, p))
        nxt = pts[i + 1] if i + 1 < len(pts) else None
        pieces.append(("open", p, nxt))

    def covered(piece) -> bool:
        kind, a, b = piece
        probe = a if kind == "point" else ((a + b) / 2 if b is not None else a + 1)
        return any(iv.contains(probe) for iv in intervals)

    # With whole-number bounds the observation is a count or a number of days: a stretch holding no
    # whole number, like (0..1), is no gap.
    whole = all(p.denominator == 1 for p in pts)

    def holds_whole(first, last) -> bool:
        if not whole:
            return True
        a = first[1] if first[0] == "point" else first[1] + 1
        b = last[2]
        return b is None or a <= (b if last[0] == "point" else b - 1)

    out: list[str] = []
    run: list = []
    for piece in pieces + [None]:
        if piece is not None and not covered(piece):
            run.append(piece)
            continue
        if run and not holds_whole(run[0], run[-1]):
            run = []
        if run:
            first, last = run[0], run[-1]
            left = "[" if first[0] == "point" else "("
            if last[2] is None:
                out.append(f"{'>=' if left == '[' else '>'}{exact_str(first[1])}")
            else:
                right = "]" if last[0] == "point" else ")"
                end_v = last[2]
                if first[0] == "point" and last[0] == "point" and first[1] == end_v:
                    out.append(exact_str(end_v))
                else:
                    out.append(f"{left}{exact_str(first[1])}..{exact_str(end_v)}{right}")
            run = []
    return out


def analyse(ruleset: RuleSet, registry: Registry, context: RunContext | None = None) -> AnalysisReport:
    """Check a loaded rule set against the registry and report the rubric's inconsistencies.

    Args:
        ruleset: the loaded rule set (:func:`govscore.core.ruleset.loader.load_ruleset`).
        registry: the plugin registry.
        context: the run context to compile for (default: the rule set's run defaults).

    Returns:
        An :class:`AnalysisReport`; it never raises for problems of the rule set itself.
    """
    rep = AnalysisReport()
    if context is None:
        run = ruleset.header.run
        start = run.period.start if run.period else _dt.date(2000, 1, 1)
        end = run.period.end if run.period else _dt.date(2000, 12, 31)
        context = RunContext(run.as_of or end, start, end)
    try:
        compiled = compile_ruleset(ruleset, registry, context)
    except ErrorList as err:
        rep.errors.extend(err.errors)
        compiled = None
    except GovscoreError as err:
        rep.errors.append(err)
        compiled = None
    rep.compiled = compiled
    w = rep.warnings

    for note in ruleset.header.source_notes:
        w.append(Finding("source", "rubric defect {defect}: the source says {says}; this rule set reads: {reading}",
                         {"defect": note.defect or "-", "says": note.says, "reading": note.reading}, ruleset.header_where("source_notes")))
    used = {lf.id for lf in ruleset.leaves}
    for cid, cat in ruleset.categories.items():
        leaves = [lf for lf in ruleset.leaves if lf.category == cid]
        total = sum((lf.model.weight or Fraction(0) for lf in leaves), Fraction(0))
        for declared in cat.header.declared_totals:
            if declared != total:
                hit = cat.srcmap.get(("declared_totals",))
                w.append(Finding("declared_total", "category {name} ({id}) is headed {declared} points in the source, but its indicators' weights sum to {total}",
                                 {"name": cat.header.name, "id": cid, "declared": exact_str(declared), "total": exact_str(total)},
                                 Location(file=hit[0], line=hit[1]) if hit else Location(file=cat.file, line=cat.line)))
        for note in cat.header.source_notes:
            hit = cat.srcmap.get(("source_notes",))
            w.append(Finding("source", "rubric defect {defect}: the source says {says}; this rule set reads: {reading}",
                             {"defect": note.defect or "-", "says": note.says, "reading": note.reading},
                             Location(file=hit[0], line=hit[1]) if hit else Location(file=cat.file, line=cat.line)))
    base_total = sum((lf.model.weight or Fraction(0) for lf in ruleset.leaves
                      if ruleset.categories[lf.category].header.kind == "base"), Fraction(0))
    rep.base_total = base_total
    declared_base = ruleset.header.scoring.base_total
    if declared_base is not None and declared_base != base_total:
        w.append(Finding("base_total", "the base categories sum to {total}, not the declared {declared}",
                         {"total": exact_str(base_total), "declared": exact_str(declared_base)}, ruleset.header_where("scoring", "base_total")))

    for leaf in ruleset.leaves:
        m = leaf.model
        kind = ruleset.categories[leaf.category].header.kind
        for note in m.source_notes:
            w.append(Finding("source", "{id} {name}: rubric defect {defect}: the source says {says}; this rule set reads: {reading}",
                             {"id": leaf.id, "name": m.name, "defect": note.defect or "-", "says": note.says, "reading": note.reading},
                             leaf.where("source_notes")))
        if kind == "deduction" and m.weight is None:
            w.append(Finding("no_weight", "{id} {name} has no weight in the source: occurrences are recorded and nothing is deducted until a weight is set",
                             {"id": leaf.id, "name": m.name}, leaf.where("id")))
        for e in leaf.entries:
            if e.raw.get("enabled") is False:
                w.append(Finding("disabled", "{id}: entry {entry} is an alternative reading, disabled; set enabled: true to apply it",
                                 {"id": leaf.id, "entry": e.id}, e.where("enabled")))
            if (e.raw.get("kind") == "bands") and isinstance(e.raw.get("bands"), list):
                try:
                    ivs = [Interval(str(b.get("when"))) for b in e.raw["bands"] if isinstance(b, dict)]
                except ValueError:
                    continue
                gaps = band_gaps(ivs)
                if gaps:
                    w.append(Finding("band_gap", "{id}: the bands of {entry} leave {gaps} unstated: a value there earns nothing",
                                     {"id": leaf.id, "entry": e.id, "gaps": ", ".join(gaps)}, e.where("bands")))
                # overlaps under UNIQUE are the bands kind's own validation error (reported by compiling)

    if compiled is not None:
        for lf in compiled.leaves:
            if lf.category_kind == "deduction":
                rep.leaf_max[lf.id] = Fraction(0)
                continue
            s = lf.share_sum()
            mx = (lf.weight or Fraction(0)) * lf.max_fraction()
            rep.leaf_max[lf.id] = mx
            if s != 1 and not lf.normalise_shares:
                w.append(Finding("shares", "{id} {name}: its criteria's shares sum to {sum}, so a unit earns at most {max} of {weight} points",
                                 {"id": lf.id, "name": lf.name, "sum": _pct(s), "max": fmt2(round_half_up(mx)), "weight": exact_str(lf.weight or 0)},
                                 Location(file=lf.file, line=lf.line)))
            elif s != 1 and lf.normalise_shares:
                w.append(Finding("shares_scaled", "{id} {name}: its criteria's shares sum to {sum}; normalise_shares scales them to 100%",
                                 {"id": lf.id, "name": lf.name, "sum": _pct(s)}, Location(file=lf.file, line=lf.line)))
        rep.max_attainable_base = compiled.max_attainable_base()
        if rep.max_attainable_base != base_total:
            w.append(Finding("max_base", "a perfect unit reaches {max} of the {total} base points under this rule set's readings",
                             {"max": fmt2(round_half_up(rep.max_attainable_base)), "total": exact_str(base_total)}, Location(file=ruleset.header_file)))
    for ind_id, contrib in sorted(registry.indicators.items()):
        if ind_id not in used:
            w.append(Finding("unused_plugin", "plugin {plugin} registers indicator {id}, which this rule set does not use",
                             {"plugin": contrib.plugin, "id": ind_id}, Location(file=ruleset.header_file)))
    return rep
