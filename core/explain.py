"""``govscore explain``: a unit's audit trail as text, read straight from its :class:`UnitResult`.

For the unit: rank, total = base + bonus - deductions (+ floor), and each category. For each leaf
(or the one asked for): weight, effective weight and where normalisation moved weight, the most it can
give, the computed score, the final score, each rule with the observation values it read and their
provenance, the rule file and line, the points given or taken, vetoes, missing observations, and
appeal adjustments on lines of their own. Exact values are printed exactly ("20/3 ≈ 6.67").
"""

from __future__ import annotations

import json
import os
from fractions import Fraction

from .i18n import N_, _
from .numbers import exact_str, fmt2, round_half_up
from .result import LeafResult, UnitResult

ROLE_LABELS = {
    "award": N_("earned"), "deduct": N_("deducted"), "veto": N_("veto"), "criterion_veto": N_("criterion veto"),
    "missing": N_("missing"), "not_met": N_("not met"), "normalisation": N_("weight moved"), "cap": N_("cap"),
    "disabled": N_("disabled"),
}
KIND_NAMES = {"department": N_("department"), "town": N_("town or street")}
CATEGORY_KINDS = {"base": N_("base"), "bonus": N_("bonus"), "deduction": N_("deduction")}
PROVENANCE_LABELS = {"source": N_("source"), "checked_at": N_("checked at"), "note": N_("note")}


def points(value: Fraction | None, signed: bool = False) -> str:
    """Exact text of points, with the rounded value when the exact one has no finite decimal form."""
    if value is None:
        return "-"
    text = exact_str(value)
    if signed and value > 0:
        text = "+" + text
    if "/" in text:
        text += f" ≈ {fmt2(round_half_up(value))}"
    return text


def share_text(share: Fraction | None) -> str:
    if share is None:
        return "-"
    return exact_str(share * 100) + "%"


def where(file: str | None, line: int | None) -> str:
    """"file:line", the file shown relative to the working folder when it lies under it."""
    if not file:
        return ""
    shown = file
    try:
        rel = os.path.relpath(file)
        if not rel.startswith(".."):
            shown = rel
    except ValueError:
        pass
    shown = shown.replace(os.sep, "/")
    return f"{shown}:{line}" if line else shown


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return _("not recorded")
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def unit_header(run, u: UnitResult) -> list[str]:
    d = u.display
    lines = [_("Unit {id} {name} ({kind}), evidence {source}", id=u.unit_id, name=u.name,
               kind=_(KIND_NAMES.get(u.kind, u.kind)), source=where(u.source, None))]
    rank = _("rank {rank} of {n}", rank=u.rank, n=len(run.units))
    if u.group_rank is not None:
        rank += _("; rank {rank} among {kind}", rank=u.group_rank, kind=_(KIND_NAMES.get(u.kind, u.kind)))
    lines.append(rank)
    lines.append(_("total {total} = base {base} + bonus {bonus} - deductions {deductions}",
                   total=points(u.total), base=points(u.base), bonus=points(u.bonus), deductions=points(u.deductions))
                 + (_(" + floor adjustment {floor}", floor=points(u.floor_adjustment)) if u.floor_adjustment else "")
                 + _(" (shown {total})", total=fmt2(d["total"])))
    ctx = run.context
    lines.append(_("rule set {name} (content sha256 {hash}), as of {as_of}, period {start} to {end}, engine {engine}",
                   name=run.ruleset.name, hash=run.ruleset.content_hash[:12], as_of=ctx.as_of.isoformat(),
                   start=ctx.period_start.isoformat(), end=ctx.period_end.isoformat(), engine=run.engine))
    lines.append(_("Categories:"))
    for c in u.categories:
        cap = _(", capped at {cap} (uncapped {uncapped})", cap=points(c.cap), uncapped=points(c.uncapped)) \
            if c.cap is not None and c.score != c.uncapped else ""
        lines.append("  " + _("{name} ({id}, {kind}): {score} of {weight}{cap}", name=c.name, id=c.id,
                                kind=_(CATEGORY_KINDS.get(c.kind, c.kind)), score=points(c.score), weight=points(c.weight), cap=cap))
    return lines


def _observation_lines(rec) -> list[str]:
    out = []
    for name in rec.observations:
        text = f"{name} = {_value(rec.observations[name])}"
        prov = rec.provenance.get(name) if isinstance(rec.provenance, dict) else None
        if prov:
            parts = [_("{label}: {value}", label=_(PROVENANCE_LABELS.get(k, k)), value=_value(v)) for k, v in prov.items()]
            text += _(" ({provenance})", provenance=_("; ").join(parts))
        out.append(text)
    return out


def leaf_lines(run, u: UnitResult, lf: LeafResult) -> list[str]:
    """The audit trail of one leaf."""
    cat = next((c for c in u.categories if c.id == lf.category), None)
    lines = [_("Indicator {id} {name} [{category}]", id=lf.id, name=lf.name, category=cat.name if cat else lf.category)]
    lines.append("  " + _("weight {weight}; effective weight {effective}; most attainable {max}; computed {computed}; score {score}",
                          weight=points(lf.weight), effective=points(lf.effective_weight), max=points(lf.max_attainable),
                          computed=points(lf.computed), score=points(lf.score)))
    if not lf.applicable:
        lines.append("  " + _("not applicable to this unit"))
    if lf.vetoed:
        lines.append("  " + _("vetoed: the indicator scores 0"))
    lines.append("  " + _("reason: {reason}", reason=lf.reason))
    moves = [a for a in lf.audit if a.role == "normalisation"]
    rules = [a for a in lf.audit if a.role != "normalisation"]
    for a in moves:
        lines.append("  " + _("weight moved: {reason}", reason=a.reason))
    if rules:
        lines.append("  " + _("Rules:"))
    for a in rules:
        label = _(ROLE_LABELS.get(a.role, a.role))
        share = _(" (share {share})", share=share_text(a.share)) if a.share is not None else ""
        head = _("[{role}] {entry}{share}: {points}", role=label, entry=a.entry, share=share, points=points(a.points, signed=True))
        if a.reason:
            head += _(" ({reason})", reason=a.reason)
        lines.append("    " + head)
        lines.append("      " + _("rule {rule}, {where}", rule=a.rule, where=where(a.file, a.line) or "-"))
        for ol in _observation_lines(a):
            lines.append("      " + _("observed {observation}", observation=ol))
        if a.detail:
            lines.append("      " + _("detail {detail}", detail=json.dumps(a.detail, ensure_ascii=False, sort_keys=True, default=str)))
        if a.text:
            lines.append("      " + _("rubric text: {text}", text=" ".join(str(a.text).split())))
    if lf.missing:
        lines.append("  " + _("missing observations: {names}", names=", ".join(lf.missing)))
    score = lf.computed
    for adj in lf.adjustments:
        after = score + adj.applied
        lines.append("  " + _("appeal adjustment: {before} -> {after} (applied {applied}, requested {requested}); "
                              "reason: {reason}; decided by {decided_by} on {decided_on}; {where}",
                              before=points(score), after=points(after), applied=points(adj.applied, signed=True),
                              requested=adj.requested, reason=adj.reason, decided_by=adj.decided_by,
                              decided_on=adj.decided_on, where=adj.location or "-"))
        score = after
    return lines


def explain_text(run, u: UnitResult, indicator: str | None = None) -> str:
    """The whole explanation of unit `u` (only `indicator` when given)."""
    lines = unit_header(run, u)
    for lf in u.indicators:
        if indicator is not None and lf.id != indicator:
            continue
        lines.append("")
        lines.extend(leaf_lines(run, u, lf))
    return "\n".join(lines) + "\n"

