"""Aggregation: fired rules -> leaf, category and unit scores (exact), then display rounding.

The documented weighted sum (rubric-2023.md, Terms and Weight normalisation):

- effective weights: a non-applicable leaf's weight moves by the rule set's normalisation policy;
- a base or bonus leaf = 0 if vetoed, else clamp(sum over criteria of share x credit x scale x W
  - sum over deductions of occurrences x rate x W, 0, W), W its effective weight, scale 1 (or
  1/sum of shares with normalise_shares); a criterion veto zeroes one criterion;
- a deduction leaf = -min(cap, sum of occurrences x rate x weight), cap defaulting to its weight; a
  leaf without a weight records its occurrences and deducts nothing;
- categories sum their leaves; a bonus category is capped at +cap, a deduction category at -cap;
- final = base + bonus + deduction category, not below the floor (0), the floor shown as its own line;
- appeal adjustments apply after scoring, within each leaf's bounds, as lines of their own.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from .compile import LEAF_LIST, UNIT_LISTS, UNIT_OWNER, CompiledEntry, CompiledLeaf, CompiledRuleSet
from .engine.base import EngineOutcome
from .facts import UnitFacts
from .i18n import _
from .normalise import LeafWeight
from .numbers import apportion, exact_str, fmt2, round_half_up
from .result import AdjustmentRecord, AuditRecord, CategoryResult, LeafResult, UnitResult, jsonable

ZERO = Fraction(0)


def _clamp(v: Fraction, lo: Fraction, hi: Fraction) -> Fraction:
    return max(lo, min(hi, v))


def effective_weights(compiled: CompiledRuleSet, not_applicable: set[str]) -> tuple[dict, list]:
    """Each leaf's effective weight (points) and the moves of weight, category by category."""
    eff: dict[str, Fraction] = {}
    moves = []
    for cat in compiled.categories:
        leaves = [compiled.leaf(i) for i in cat.leaves]
        lw = [LeafWeight(lf.id, lf.weight or ZERO, lf.group) for lf in leaves]
        na = {lf.id for lf in leaves if lf.id in not_applicable}
        if cat.kind == "deduction" or not na:
            for x in lw:
                eff[x.id] = x.weight
            continue
        w, mv = compiled.policy.apply(lw, na)
        eff.update(w)
        moves.extend(mv)
    return eff, moves


_NONE: dict = {}  # shared by every audit line without observations or provenance; never mutated


def _obs_view(lf: CompiledLeaf, e: CompiledEntry, values: dict, prov: dict) -> tuple[dict, dict]:
    obs, pv = {}, {}
    for lst, name in e.reads:
        if lst is None:
            obs[name] = jsonable(values.get(name))
            if name in prov:
                pv[name] = prov[name]
    return obs or _NONE, pv or _NONE


def score_unit(compiled: CompiledRuleSet, uf: UnitFacts, outcome: EngineOutcome) -> UnitResult:
    """Aggregate one unit's fired rules into its exact result.

    Args:
        compiled: the compiled rule set.
        uf: the unit's facts (typed values behind each fact id, missing observations).
        outcome: what the engine fired.

    Returns:
        The :class:`UnitResult` with display values apportioned.

    Raises:
        EvidenceError: a rule kind's credit function failed on the unit's values (that unit's error).
    """
    work = uf.work
    fired: dict[int, list[str]] = defaultdict(list)
    for idx, fid in outcome.fired:
        fired[idx].append(fid)
    items_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    leaf_fact: dict[str, str] = {}
    for fid, (owner, lst, _i) in uf.fact_items.items():
        if lst == LEAF_LIST:
            leaf_fact[owner] = fid
        else:
            items_of[(owner, lst)].append(fid)
    for key in items_of:
        items_of[key].sort(key=lambda f: uf.fact_items[f][2])

    not_applicable = set()
    for lf in compiled.leaves:
        if lf.applicability and lf.redistribute and work.observations.get(lf.id, {}).get(lf.applicability) is False:
            not_applicable.add(lf.id)
    # Most units share a pattern of applicability: the policy runs once per pattern and run.
    cache = compiled.weight_cache
    key = frozenset(not_applicable)
    if key not in cache:
        cache[key] = effective_weights(compiled, not_applicable)
    eff, moves = cache[key]

    leaves: list[LeafResult] = []
    for lf in compiled.leaves:
        leaves.append(_score_leaf(compiled, lf, uf, fired, items_of, leaf_fact, eff, moves, lf.id in not_applicable))

    by_id = {r.id: r for r in leaves}
    cats: list[CategoryResult] = []
    for cat in compiled.categories:
        total = sum((by_id[i].score for i in cat.leaves), ZERO)
        score = total
        if cat.cap is not None:
            if cat.kind == "deduction":
                score = max(-cat.cap, total)
            else:
                score = min(cat.cap, total)
        weight = sum((by_id[i].effective_weight for i in cat.leaves), ZERO)
        cats.append(CategoryResult(cat.id, cat.name, cat.kind, weight, score, total, cat.cap, list(cat.leaves)))
    base = sum((c.score for c in cats if c.kind == "base"), ZERO)
    bonus = sum((c.score for c in cats if c.kind == "bonus"), ZERO)
    deduction = sum((c.score for c in cats if c.kind == "deduction"), ZERO)
    raw_total = base + bonus + deduction
    floor = compiled.ruleset.header.scoring.final_floor
    floor_adj = ZERO
    total = raw_total
    if floor is not None and raw_total < floor:
        floor_adj = floor - raw_total
        total = floor
    missing_count = sum(len(r.missing) for r in leaves)
    res = UnitResult(work.unit.id, work.unit.name, work.unit.kind, work.evidence.source, total, base, bonus, -deduction,
                     floor_adj, cats, leaves, missing_count, unmatched_facts=len(outcome.unmatched))
    apportion_display(res)
    return res


def _score_leaf(compiled, lf: CompiledLeaf, uf: UnitFacts, fired, items_of, leaf_fact, eff, moves, na: bool) -> LeafResult:
    work = uf.work
    values = work.observations.get(lf.id, {})
    prov = work.provenance.get(lf.id, {})
    details = work.details.get(lf.id, {})
    W = eff.get(lf.id, lf.weight or ZERO)
    audit: list[AuditRecord] = []
    for mv in moves:
        if mv.source == lf.id:
            audit.append(AuditRecord("normalisation", "applicability", "normalisation", None, ZERO,
                                     detail={"moved": exact_str(mv.points), "to": {t: exact_str(p) for t, p in mv.targets}},
                                     reason=_("not applicable: {points} points moved to {n} other indicators (+{each} each)",
                                              points=fmt2(round_half_up(mv.points)), n=len(mv.targets),
                                              each=exact_str(mv.targets[0][1]) if len({p for _t, p in mv.targets}) == 1 else "…")))
        for tid, pts in mv.targets:
            if tid == lf.id:
                audit.append(AuditRecord("normalisation", "applicability", "normalisation", None, ZERO,
                                         detail={"from": mv.source, "points": exact_str(pts)},
                                         reason=_("weight +{points} from {source} (not applicable)", points=exact_str(pts), source=mv.source)))
    missing = list(uf.missing.get(lf.id, []))
    if na:
        return LeafResult(lf.id, lf.name, lf.category, lf.weight, ZERO, ZERO, ZERO, ZERO,
                          _("not applicable; its weight is redistributed"), audit, [], [], False, False,
                          kind=lf.category_kind)

    lf_fid = leaf_fact.get(lf.id)
    scale = lf.share_scale()
    unit_pts = W if scale == 1 else scale * W  # points of a share of 100% (one multiplication per leaf)
    vetoed = False
    crit_vetoed: dict[str, CompiledEntry] = {}
    for e in lf.entries:
        if e.role in ("veto", "criterion_veto"):
            hit = any(fired.get(i) for i in e.rules)
            if hit:
                obs, pv = _obs_view(lf, e, values, prov)
                rule = compiled.rules[e.rules[0]]
                audit.append(AuditRecord(rule.rule_id, e.id, e.role, e.text, ZERO, None, obs, pv, dict(rule.extra, **_details_for(e, details)),
                                         e.file, e.line,
                                         _("veto: the indicator scores 0") if e.role == "veto" else _("veto of criterion {criterion}: it scores 0", criterion=e.criterion)))
                if e.role == "veto":
                    vetoed = True
                else:
                    crit_vetoed[e.criterion] = e
    award_total = ZERO
    deduct_total = ZERO
    lost_entries: list[str] = []
    for e in lf.entries:
        if e.role == "award":
            if not e.rules:
                continue
            obs, pv = _obs_view(lf, e, values, prov)
            # an absent list is reported by its own name (accounts, messages), not by the item field read
            reads_missing = [lst if lst in missing else n for lst, n in e.reads if (n in missing or lst in missing)]
            earned, detail = _entry_share(compiled, lf, e, uf, fired, items_of, lf_fid)
            if e.id in crit_vetoed:
                earned = ZERO
            full = e.max_share * unit_pts
            pts = ZERO if not earned else (full if earned == e.max_share else earned * unit_pts)
            role = "award" if earned > 0 else ("missing" if reads_missing else "not_met")
            if e.id in crit_vetoed:
                role = "criterion_veto"
            if role == "award":
                reason = _("earned {points} of {full}", points=exact_str(pts), full=exact_str(full))
            elif role == "missing":
                reason = _("not recorded: {names}", names=", ".join(dict.fromkeys(reads_missing)))
            elif role == "criterion_veto":
                reason = _("vetoed by {veto}", veto=crit_vetoed[e.id].id)
            else:
                reason = _("not met")
            if pts < full:
                lost_entries.append(e.label)
            detail.update(_details_for(e, details))
            rid = compiled.rules[e.rules[0]].rule_id.split("#")[0]
            audit.append(AuditRecord(rid, e.id, role, e.text, pts, e.max_share, obs, pv, detail, e.file, e.line, reason))
            award_total += pts
        elif e.role == "deduct":
            for idx in e.rules:
                rule = compiled.rules[idx]
                for fid in fired.get(idx, []):
                    vals = uf.values[fid]
                    count = e.kind.credit(e.params, rule.extra, vals)
                    base_w = W if lf.category_kind != "deduction" else (lf.weight or ZERO)
                    pts = count * rule.share * base_w
                    obs, pv = _obs_view(lf, e, values, prov)
                    reason = _("{count} x {rate} of the weight", count=count, rate=exact_str(rule.share))
                    if lf.weight is None:
                        reason = _("{count} recorded; this indicator has no weight, so nothing is deducted", count=count)
                    audit.append(AuditRecord(rule.rule_id, e.id, "deduct", e.text, -pts, rule.share, obs, pv,
                                             {"occurrences": int(count)}, e.file, e.line, reason))
                    deduct_total += pts
                    lost_entries.append(e.label)
    if lf.category_kind == "deduction":
        cap = lf.cap if lf.cap is not None else (lf.weight or ZERO)
        computed = -min(cap, deduct_total)
        if deduct_total > cap:
            audit.append(AuditRecord("cap", "cap", "cap", None, deduct_total - cap, cap, reason=_("capped at -{cap}", cap=exact_str(cap))))
        max_att = ZERO
        eff_w = lf.weight or ZERO
        lo, hi = -cap, ZERO
    else:
        computed = ZERO if vetoed else _clamp(award_total - deduct_total, ZERO, W)
        max_att = W * lf.max_fraction()
        eff_w = W
        lo, hi = ZERO, W
    score = computed
    adjustments = []
    for adj, loc in zip(work.adjustments, work.adjustment_locations):
        if adj.indicator != lf.id:
            continue
        before = score
        if adj.set_to is not None:
            score = _clamp(adj.set_to, lo, hi)
            requested = f"set_to {exact_str(adj.set_to)}"
        else:
            score = _clamp(score + adj.points, lo, hi)
            requested = f"{'+' if adj.points >= 0 else ''}{exact_str(adj.points)}"
        adjustments.append(AdjustmentRecord(lf.id, requested, score - before, adj.reason, adj.decided_by,
                                            adj.decided_on.isoformat(), loc.render()))
    if vetoed:
        labels = {e.id: e.label for e in lf.entries}
        reason = _("vetoed: {vetoes}", vetoes="、".join(labels.get(a.entry, a.entry) for a in audit if a.role == "veto"))
    elif lf.category_kind == "deduction":
        reason = _("deducted {points}", points=exact_str(-computed)) if computed else _("nothing deducted")
    elif computed == eff_w:
        reason = _("full marks")
    elif computed == max_att:
        reason = _("highest attainable under the rubric's shares")
    elif lf.category_kind == "bonus":
        reason = _("not earned: {entries}", entries="；".join(dict.fromkeys(lost_entries)) or "-")
    else:
        reason = _("points lost on: {entries}", entries="；".join(dict.fromkeys(lost_entries)) or "-")
    if missing:
        reason += _("; not recorded: {names}", names=", ".join(missing))
    return LeafResult(lf.id, lf.name, lf.category, lf.weight, eff_w, computed, score, max_att, reason, audit,
                      missing, adjustments, vetoed, True, kind=lf.category_kind)


def _details_for(e: CompiledEntry, details: dict) -> dict:
    out = {}
    for lst, name in e.reads:
        key = name if lst is None else lst
        if key in details:
            out[key] = details[key]
    return out


def _entry_share(compiled, lf: CompiledLeaf, e: CompiledEntry, uf: UnitFacts, fired, items_of, lf_fid) -> tuple[Fraction, dict]:
    """Share of the weight an award entry earned (before scale), and its detail."""
    rules = [compiled.rules[i] for i in e.rules]
    target_list = rules[0].list if rules else LEAF_LIST
    if target_list == LEAF_LIST:
        earned = ZERO
        detail: dict = {}
        for r in rules:
            if lf_fid in fired.get(r.index, ()):
                credit = e.kind.credit(e.params, r.extra, uf.values[lf_fid])
                earned += r.share if credit == 1 else r.share * credit
                if len(rules) > 1:
                    detail["band"] = r.label
                if credit != 1:
                    detail["credit"] = exact_str(credit)
        return earned, detail
    owner = UNIT_OWNER if target_list in UNIT_LISTS else lf.id
    fids = items_of.get((owner, target_list), [])
    if not fids:
        return ZERO, {"items": 0}
    per_item = []
    item_rows = []
    for fid in fids:
        got = ZERO
        label = None
        for r in rules:
            if fid in fired.get(r.index, ()):
                credit = e.kind.credit(e.params, r.extra, uf.values[fid])
                got = got + (r.share if credit == 1 else r.share * credit)
                label = r.label
        per_item.append(got)
        idx = uf.fact_items[fid][2]
        extra = uf.work.item_details.get((owner, target_list), [])
        row = {"item": idx + 1, "share": exact_str(got)}
        if label is not None and len(rules) > 1:
            row["band"] = label
        if idx < len(extra):
            row.update(extra[idx])
        item_rows.append(row)
    agg = getattr(e.params, "aggregate", "mean")
    if agg == "mean":
        earned = sum(per_item, ZERO) / len(per_item)
    elif agg == "min":
        earned = min(per_item)
    else:  # all
        earned = e.max_share if all(p > 0 for p in per_item) else ZERO
    return earned, {"aggregate": agg, "items": item_rows}


def apportion_display(res: UnitResult) -> None:
    """Round for display top-down so that every displayed level adds up to the one above it.

    The total is rounded half-up to 2 decimals; then base, bonus, deduction category and floor
    are apportioned to it by largest remainder (ties to the earlier item); then each group's
    categories, then each category's leaves (plus any cap as its own part).
    """
    total_r = round_half_up(res.total)
    parts = [res.base, res.bonus, -res.deductions, res.floor_adjustment]
    base_r, bonus_r, ded_r, floor_r = apportion(total_r, parts)
    res.display = {"total": total_r, "base": base_r, "bonus": bonus_r, "deductions": -ded_r, "floor_adjustment": floor_r}
    for kind, target in (("base", base_r), ("bonus", bonus_r), ("deduction", ded_r)):
        cats = [c for c in res.categories if c.kind == kind]
        if not cats:
            continue
        shown = apportion(target, [c.score for c in cats])
        for c, v in zip(cats, shown):
            c.display = v
    by_id = {lf.id: lf for lf in res.indicators}
    for c in res.categories:
        leaves = [by_id[i] for i in c.leaves]
        parts = [lf.score for lf in leaves]
        capped = c.score - c.uncapped
        if capped:
            parts.append(capped)
        shown = apportion(c.display, parts)
        for lf, v in zip(leaves, shown):
            lf.display = v
        if capped:
            res.display[f"cap:{c.id}"] = shown[-1]
