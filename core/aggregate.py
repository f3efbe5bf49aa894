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

import datetime as _dt
from fractions import Fraction
from functools import partial
from math import gcd
from operator import attrgetter, itemgetter

from .compile import LEAF_LIST, UNIT_LISTS, UNIT_OWNER, CompiledEntry, CompiledLeaf, CompiledRuleSet
from .engine.base import EngineOutcome
from .facts import UnitFacts
from .i18n import _, current_language
from .normalise import LeafWeight
from .numbers import ONE, apportion, exact_str, fmt2, fraction, is_one, round_half_up
from .result import _PLAIN, AdjustmentRecord, AuditRecord, CategoryResult, LeafResult, UnitResult, jsonable
from .rulekinds import BANDS, full_credit, value_credit

ZERO = Fraction(0)
_FIRST = itemgetter(0)
_MISSING = attrgetter("missing")


def _less(a: Fraction, b: Fraction) -> bool:
    """a < b, on a Fraction's terms (denominators are positive; Fraction's < is several Python calls)."""
    if type(a) is Fraction and type(b) is Fraction:
        return a._numerator * b._denominator < b._numerator * a._denominator
    return a < b


_record = partial(tuple.__new__, AuditRecord)
"""An :class:`AuditRecord` of all twelve fields, in order, as one tuple (its ``__new__``, which fills in
defaults, is a Python call)."""


def _at_most(v: Fraction, hi: Fraction) -> Fraction:
    """min(hi, v), compared by :func:`_less` (hi when they are equal, as min gives it)."""
    return v if _less(v, hi) else hi


def _at_least(v: Fraction, lo: Fraction) -> Fraction:
    """max(lo, v), compared by :func:`_less` (lo when they are equal, as max gives it)."""
    return v if _less(lo, v) else lo


def _clamp(v: Fraction, lo: Fraction, hi: Fraction) -> Fraction:
    """max(lo, min(hi, v))."""
    return _at_least(_at_most(v, hi), lo)


# Sums and products below are done on the integers (a Fraction's properties are Python calls: its
# slots _numerator and _denominator are read instead), and each result built once, through the table
# of shared values (:func:`~govscore.core.numbers.fraction`).


def _fmul(a: Fraction, b: Fraction) -> Fraction:
    """a x b, exact, as a Fraction."""
    try:
        return fraction(a._numerator * b._numerator, a._denominator * b._denominator)
    except AttributeError:  # not Fractions (a plugin's int or float credit): Python's product, as before
        return ZERO + a * b


def _neg(v: Fraction) -> Fraction:
    """-v."""
    return fraction(-v._numerator, v._denominator) if type(v) is Fraction else -v


def _fsum(values: list) -> Fraction:
    """Exact sum of fractions, in integer arithmetic over the running common denominator."""
    n, d = 0, 1
    try:
        for v in values:
            vd = v._denominator
            if vd == d:
                n += v._numerator
            else:
                g = gcd(d, vd)
                n = n * (vd // g) + v._numerator * (d // g)
                d = d // g * vd
    except AttributeError:  # not Fractions (a plugin's int or float credit): the generic sum
        return sum(values, ZERO)
    return fraction(n, d)


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


# --- what every unit of a run shares --------------------------------------------------------------
#
# Everything below that depends only on the rule set, the set of non-applicable leaves (which fixes the
# effective weights) and the language is worked out once per run and pattern: a criterion's full
# points and their text, a leaf's highest attainable score and its reason when every criterion earns
# its full share, the normalisation lines. Each unit then does only what its own values decide, with
# as few Fraction operations as possible (each costs microseconds: ~700 of them per unit were most of
# the time of aggregation).

_CACHE_KEY = "aggregate"
"""Key of the :class:`_RunCache` in ``compiled.weight_cache`` (the compiled rule set's cache for
aggregation; a compiled rule set is not hashable, so it cannot key a cache of its own)."""


class _RunCache:
    """Per compiled rule set: the leaves whose weight may move, and one :class:`_Plan` per
    (non-applicable leaves, language)."""

    __slots__ = ("redistributable", "plans")

    def __init__(self, compiled: CompiledRuleSet):
        self.redistributable = [(lf.id, lf.applicability) for lf in compiled.leaves if lf.applicability and lf.redistribute]
        self.plans: dict = {}


class _Plan:
    """A run's constants for one set of non-applicable leaves (and language)."""

    __slots__ = ("leaves", "cats", "groups", "leaf_idx")

    def __init__(self, compiled: CompiledRuleSet, not_applicable: frozenset):
        eff, moves = effective_weights(compiled, set(not_applicable))
        self.leaves = [_LeafPlan(compiled, lf, eff, moves, lf.id in not_applicable) for lf in compiled.leaves]
        at = {lf.id: k for k, lf in enumerate(compiled.leaves)}
        self.cats = []
        for cat in compiled.categories:
            idx = [at[i] for i in cat.leaves]
            # a category's weight is the sum of its leaves' effective weights (0 for a leaf that does not apply)
            self.cats.append((cat, idx, sum((self.leaves[k].eff_w for k in idx), ZERO), -cat.cap if cat.cap is not None else None))
        # for display rounding: the positions of each kind's categories, and of each category's leaves
        self.groups = _kind_groups(compiled.categories)
        self.leaf_idx = [idx for _cat, idx, _w, _c in self.cats]


class _Award:
    """An award entry with rules: where its facts are, its full points and their reason."""

    __slots__ = ("e", "rules", "rule0", "single", "on_leaf", "leaf_single", "share0", "owner", "target", "rid",
                 "obs_names", "ms", "ms_pos", "full", "full_pos", "full_text", "full_reason", "share_texts", "credit0", "obs_name",
                 "quick", "lines", "detail_keys", "bands_shared", "shared", "rule_indices", "judged", "index0")

    def __init__(self, compiled: CompiledRuleSet, lf: CompiledLeaf, e: CompiledEntry, unit_pts: Fraction):
        self.e = e
        self.rules = [compiled.rules[i] for i in e.rules]
        self.rule0 = self.rules[0]
        self.single = len(self.rules) == 1
        self.target = self.rule0.list
        self.on_leaf = self.target == LEAF_LIST
        self.leaf_single = self.on_leaf and self.single  # the usual criterion: one rule on the leaf's own fact
        share = self.rule0.share
        self.share0 = share if type(share) is Fraction else ZERO + share  # what a full credit earns
        self.owner = UNIT_OWNER if self.target in UNIT_LISTS else lf.id
        self.rid = self.rule0.rule_id.split("#")[0]
        self.obs_names = [name for lst, name in e.reads if lst is None]
        self.obs_name = self.obs_names[0] if len(self.obs_names) == 1 else None
        self.ms = e.max_share
        self.ms_pos = e.max_share > 0
        self.full = e.max_share * unit_pts
        self.full_pos = self.full > 0
        self.full_text = exact_str(self.full)
        self.full_reason = _("earned {points} of {full}", points=self.full_text, full=self.full_text)
        # the usual criterion of all: one rule on the leaf's fact, one observation read, and a full credit
        # earns share0, the entry's highest share itself (same object), so full points; its line of full
        # points or of nothing met is the same from unit to unit for the same value
        self.quick = self.leaf_single and self.share0 is self.ms and self.ms_pos and self.obs_name is not None
        # (full points, nothing met or the bands hit; type of the value; the value or its terms) -> that line
        self.lines: dict[tuple, AuditRecord] = {}
        self.detail_keys = frozenset(name if lst is None else lst for lst, name in e.reads)  # what _details_for reads
        # bands on one observation of the leaf (credit 1 for a band hit): its line is shared as the quick
        # criterion's is, by the value and the bands hit
        self.bands_shared = not self.single and self.on_leaf and self.obs_name is not None and e.kind is BANDS
        self.shared = self.quick or self.bands_shared
        self.rule_indices = tuple(r.index for r in self.rules)
        self.index0 = self.rule0.index
        # a judged criterion's credit is its one observation's value (value_credit)
        self.judged = e.kind.credit is value_credit and getattr(e.params, "observation", None) == self.obs_name
        self.credit0 = partial(e.kind.credit, e.params, self.rule0.extra)  # the first rule's credit of the values
        # the texts of the rules' own shares, by the share objects' ids (what a fully credited item earns;
        # the rules hold the objects, so their ids stay theirs)
        self.share_texts = {id(r.share): exact_str(r.share) for r in self.rules}


class _Deduct:
    """A deduction entry: per rule, the points one occurrence takes (rate x weight) and the rate's text."""

    __slots__ = ("e", "rules", "obs_names", "base_w")

    def __init__(self, compiled: CompiledRuleSet, e: CompiledEntry, base_w: Fraction):
        self.e = e
        self.base_w = base_w
        self.rules = [(r, r.share * base_w, exact_str(r.share)) for r in (compiled.rules[i] for i in e.rules)]
        self.obs_names = [name for lst, name in e.reads if lst is None]


class _LeafPlan:
    """A leaf's constants under one set of effective weights."""

    __slots__ = ("lf", "na", "W", "unit_pts", "eff_w", "max_att", "lo", "hi", "cap", "deduction", "unweighted", "norm",
                 "vetoes", "steps", "sum_full", "full_computed", "full_reason", "na_reason", "not_met", "nothing_deducted",
                 "labels", "reasons", "nothing_computed", "nothing_capped", "W_nd", "veto_rules")

    def __init__(self, compiled: CompiledRuleSet, lf: CompiledLeaf, eff: dict, moves: list, na: bool):
        self.lf = lf
        self.na = na
        self.W = W = eff.get(lf.id, lf.weight or ZERO)
        self.W_nd = (W.numerator, W.denominator) if (type(W) is Fraction and W > 0) else None  # for clamp()
        self.deduction = lf.category_kind == "deduction"
        self.unweighted = lf.weight is None
        norm = []  # the normalisation lines, in order: the same records for every unit of the plan (immutable)
        for mv in moves:
            if mv.source == lf.id:
                norm.append(AuditRecord(
                    "normalisation", "applicability", "normalisation", None, ZERO,
                    detail={"moved": exact_str(mv.points), "to": {t: exact_str(p) for t, p in mv.targets}},
                    reason=_("not applicable: {points} points moved to {n} other indicators (+{each} each)",
                             points=fmt2(round_half_up(mv.points)), n=len(mv.targets),
                             each=exact_str(mv.targets[0][1]) if len({p for _t, p in mv.targets}) == 1 else "…")))
            for tid, pts in mv.targets:
                if tid == lf.id:
                    norm.append(AuditRecord("normalisation", "applicability", "normalisation", None, ZERO,
                                            detail={"from": mv.source, "points": exact_str(pts)},
                                            reason=_("weight +{points} from {source} (not applicable)",
                                                     points=exact_str(pts), source=mv.source)))
        self.norm = tuple(norm)
        self.na_reason = _("not applicable; its weight is redistributed")
        self.not_met = _("not met")
        self.nothing_deducted = _("nothing deducted")
        self.labels = {e.id: e.label for e in lf.entries}
        self.reasons: dict = {}  # leaf_reason's memo
        scale = lf.share_scale()
        self.unit_pts = W if scale == 1 else scale * W  # points of a share of 100% (one multiplication per leaf)
        self.vetoes = []
        self.steps = []  # award and deduction entries, in rule-file order
        base_w = W if not self.deduction else (lf.weight or ZERO)
        for e in lf.entries:
            if e.role in ("veto", "criterion_veto"):
                if e.rules:
                    reason = (_("veto: the indicator scores 0") if e.role == "veto"
                              else _("veto of criterion {criterion}: it scores 0", criterion=self.labels.get(e.criterion, e.criterion)))
                    self.vetoes.append((e, compiled.rules[e.rules[0]], [n for lst, n in e.reads if lst is None], reason))
            elif e.role == "award":
                if e.rules:
                    self.steps.append(_Award(compiled, lf, e, self.unit_pts))
            elif e.role == "deduct":
                self.steps.append(_Deduct(compiled, e, base_w))
        self.veto_rules = frozenset(i for v in self.vetoes for i in v[0].rules)
        awards = [st for st in self.steps if type(st) is _Award]
        self.sum_full = sum((st.full for st in awards), ZERO)  # every criterion earning its full share
        if self.deduction:
            self.cap = lf.cap if lf.cap is not None else (lf.weight or ZERO)
            self.max_att = ZERO
            self.eff_w = lf.weight or ZERO
            self.lo, self.hi = -self.cap, ZERO
            self.nothing_computed = -min(self.cap, ZERO)  # the leaf when nothing is deducted
            self.nothing_capped = ZERO > self.cap
        else:
            self.cap = None
            self.max_att = W * lf.max_fraction()
            self.eff_w = W
            self.lo, self.hi = ZERO, W
            self.nothing_computed, self.nothing_capped = None, None
        if na:
            self.eff_w = ZERO
        self.full_computed = _clamp(self.sum_full, ZERO, W)
        # the leaf's reason when every criterion earns its full share and nothing is deducted or vetoed
        # (then no entry lost points)
        self.full_reason = self.leaf_reason(self.full_computed, [])

    def clamp(self, v: Fraction) -> Fraction:
        """max(0, min(W, v)) of a sum of awarded points: compared on the integers when W > 0."""
        if type(v) is not Fraction or self.W_nd is None:
            return _clamp(v, ZERO, self.W)
        n = v._numerator
        if n <= 0:
            return ZERO
        wn, wd = self.W_nd
        if n * wd >= wn * v._denominator:
            return self.W
        return v

    def leaf_reason(self, computed: Fraction, lost_entries: list) -> str:
        """The reason of a base or bonus leaf that is not vetoed (memoised: a pure function of the
        score and the entries that lost points, worded in the plan's language)."""
        try:
            key = (computed._numerator, computed._denominator, tuple(lost_entries))
        except AttributeError:
            return self._leaf_reason(computed, lost_entries)
        memo = self.reasons
        hit = memo.get(key)
        if hit is None:
            hit = self._leaf_reason(computed, lost_entries)
            if len(memo) < 4096:
                memo[key] = hit
        return hit

    def _leaf_reason(self, computed: Fraction, lost_entries: list) -> str:
        if computed == self.eff_w:
            return _("full marks")
        if computed == self.max_att:
            return _("highest attainable under the rubric's shares")
        if self.lf.category_kind == "bonus":
            return _("not earned: {entries}", entries="；".join(dict.fromkeys(lost_entries)) or "-")
        return _("points lost on: {entries}", entries="；".join(dict.fromkeys(lost_entries)) or "-")


def forget_lines(compiled: CompiledRuleSet) -> None:
    """Empty the shared audit lines of `compiled`'s plans (what later units' lines are taken from): the
    benchmark measures each pass from none, as a run of its own would start."""
    rc = compiled.weight_cache.get(_CACHE_KEY)
    for plan in (rc.plans.values() if rc is not None else ()):
        for lp in plan.leaves:
            for st in lp.steps:
                if type(st) is _Award:
                    st.lines.clear()


def _plan(compiled: CompiledRuleSet, work) -> _Plan:
    rc = compiled.weight_cache.get(_CACHE_KEY)
    if rc is None:
        rc = compiled.weight_cache[_CACHE_KEY] = _RunCache(compiled)
    not_applicable = set()
    observations = work.observations
    for lid, appl in rc.redistributable:
        if observations.get(lid, {}).get(appl) is False:
            not_applicable.add(lid)
    # Most units share a pattern of applicability: the policy runs once per pattern and run.
    key = (frozenset(not_applicable), current_language())  # reasons are worded in the language in force
    plan = rc.plans.get(key)
    if plan is None:
        plan = rc.plans[key] = _Plan(compiled, key[0])
    return plan


_NONE: dict = {}  # shared by every audit line without observations or provenance; never mutated
_LINES_MAX = 256  # most shared lines per criterion (then further values get lines of their own)
_KEYED = frozenset({str, int, bool, type(None), _dt.date, Fraction})
"""Types whose equal values are shown alike (a line is shared by value): not float, whose -0.0 equals 0.0,
nor datetime, whose equal instants in two time zones are written apart."""


def _obs_view(names: list, values: dict, prov: dict) -> tuple[dict, dict]:
    """The observed values an entry read (names: its reads of the leaf's own observations), and
    their provenance."""
    if not names:
        return _NONE, _NONE
    obs = {}
    for name in names:
        obs[name] = jsonable(values.get(name))
    if prov:
        pv = {name: prov[name] for name in names if name in prov}
        return obs, pv or _NONE
    return obs, _NONE


def score_unit(compiled: CompiledRuleSet, uf: UnitFacts, outcome: EngineOutcome) -> UnitResult:
    """Aggregate one unit's fired rules into its exact result.

    Args:
        compiled: the compiled rule set.
        uf: the unit's facts (typed values behind each fact id, missing observations).
        outcome: what the engine fired: (rule index, fact id) tuples, in any order.

    Returns:
        The :class:`UnitResult` with display values apportioned.

    Raises:
        EvidenceError: a rule kind's credit function failed on the unit's values (that unit's error).
    """
    work = uf.work
    # the fired (rule index, fact id) pairs, in any order, as a set for "did rule i fire on fact f", and the
    # rules that fired: each built in C, where grouping the pairs by rule was a Python loop
    pairs = outcome.fired
    hit = set(pairs)
    rules_hit = set(map(_FIRST, pairs))
    leaf_fact, items_of = uf.placement()

    plan = _plan(compiled, work)
    observations, provenance, all_details, all_missing = work.observations, work.provenance, work.details, uf.missing
    leaves: list[LeafResult] = []
    for lp in plan.leaves:
        lid = lp.lf.id
        leaves.append(_score_leaf(lp, uf, pairs, hit, rules_hit, items_of, leaf_fact.get(lid), observations.get(lid, _NONE),
                                  provenance.get(lid, _NONE) if provenance else _NONE,
                                  all_details.get(lid, _NONE) if all_details else _NONE,
                                  all_missing.get(lid) or [] if all_missing else []))

    cats: list[CategoryResult] = []
    base_parts, bonus_parts, deduction_parts = [], [], []
    for cat, idx, weight, neg_cap in plan.cats:
        total = _sum_memo([leaves[k].score for k in idx])
        score = total
        if cat.cap is not None:
            if cat.kind == "deduction":
                score = _at_least(total, neg_cap)
            else:
                score = _at_most(total, cat.cap)
        cats.append(CategoryResult(cat.id, cat.name, cat.kind, weight, score, total, cat.cap, list(cat.leaves)))
        if cat.kind == "base":
            base_parts.append(score)
        elif cat.kind == "bonus":
            bonus_parts.append(score)
        elif cat.kind == "deduction":
            deduction_parts.append(score)
    base, bonus, deduction = _sum_memo(base_parts), _sum_memo(bonus_parts), _sum_memo(deduction_parts)
    raw_total = _fsum([base, bonus, deduction])  # (a unit's own total, mostly: not memoised)
    floor = compiled.ruleset.header.scoring.final_floor
    floor_adj = ZERO
    total = raw_total
    if floor is not None and _less(raw_total, floor):
        floor_adj = floor - raw_total
        total = floor
    missing_count = sum(map(len, map(_MISSING, leaves)))
    res = UnitResult(work.unit.id, work.unit.name, work.unit.kind, work.evidence.source, total, base, bonus, _neg(deduction),
                     floor_adj, cats, leaves, missing_count, unmatched_facts=len(outcome.unmatched))
    _apportion(res, plan.groups, plan.leaf_idx)
    return res


def _score_leaf(lp: _LeafPlan, uf: UnitFacts, pairs: list, hit: set, rules_hit: set, items_of, lf_fid, values: dict,
                prov: dict, details: dict, missing: list) -> LeafResult:
    lf = lp.lf
    audit: list[AuditRecord] = list(lp.norm)
    if lp.na:
        return LeafResult(lf.id, lf.name, lf.category, lf.weight, ZERO, ZERO, ZERO, ZERO, lp.na_reason, audit, [], [],
                          False, False, kind=lf.category_kind)

    vetoed = False
    crit_vetoed: dict[str, CompiledEntry] = {}
    # (no veto fired is the usual case: one set operation instead of a look-up per rule)
    for e, rule, names, reason in (lp.vetoes if not rules_hit.isdisjoint(lp.veto_rules) else ()):
        if rules_hit.isdisjoint(e.rules):
            continue
        obs, pv = _obs_view(names, values, prov)
        audit.append(AuditRecord(rule.rule_id, e.id, e.role, e.text, ZERO, None, obs, pv,
                                 dict(rule.extra, **_details_for(e, details)) if details else dict(rule.extra),
                                 e.file, e.line, reason))
        if e.role == "veto":
            vetoed = True
        else:
            crit_vetoed[e.criterion] = e
    award_pts: list[Fraction] = []  # points of the award lines that earned something
    all_full = True  # every award line earned its full points
    deduct_pts: list[Fraction] = []
    lost_entries: list[str] = []
    plain = not (crit_vetoed or prov or details)  # the usual leaf: nothing of its own for any shared line
    for st in lp.steps:
        e = st.e
        if type(st) is _Award:
            rec = key = None
            if st.shared and (plain or (not crit_vetoed and (not prov or st.obs_name not in prov)
                                        and (not details or st.detail_keys.isdisjoint(details)))):
                # a line the unit adds nothing to (provenance or details of what it reads, a veto, a missing
                # observation) is the same from unit to unit for the same value and outcome: one shared
                # record, built once below
                v = values.get(st.obs_name)
                t = type(v)
                if t in _KEYED:  # a value whose equals are shown alike (not -0.0 and 0.0, "0.50" and "0.5" ...)
                    if st.quick:  # full points, or nothing met
                        if (st.index0, lf_fid) in hit:
                            # a judgement is its own credit (a shared Fraction): no call
                            credit = v if (st.judged and t is Fraction) else st.credit0(values)
                            outcome = True if (credit is ONE or is_one(credit)) else None  # a part of the share: its own line
                        else:
                            outcome = None if missing else False
                    else:  # the bands hit
                        outcome = None if missing else tuple([i for i in st.rule_indices if (i, lf_fid) in hit])
                    if outcome is not None:
                        # by type and value (True and 1 are equal, shown apart); a Fraction by its terms, its hash being slow
                        key = (outcome, t, v) if t is not Fraction else (outcome, t, v._numerator, v._denominator)
                        rec = st.lines.get(key)
            if rec is None:
                name = st.obs_name
                if name is not None:  # the usual criterion reads one observation
                    v = values.get(name)
                    t = type(v)
                    obs = {name: v if t in _PLAIN else (v._numerator if (t is Fraction and v._denominator == 1) else jsonable(v))}
                    pv = ({name: prov[name]} if name in prov else _NONE) if prov else _NONE
                elif names := st.obs_names:
                    obs = {}
                    for name in names:
                        v = values.get(name)
                        t = type(v)
                        # jsonable(v), its usual cases inline: a plain value, a whole Fraction
                        obs[name] = v if t in _PLAIN else (v._numerator if (t is Fraction and v._denominator == 1) else jsonable(v))
                    pv = ({name: prov[name] for name in names if name in prov} or _NONE) if prov else _NONE
                else:
                    obs = pv = _NONE
                # an absent list is reported by its own name (accounts, messages), not by the item field read
                reads_missing = [lst if lst in missing else n for lst, n in e.reads if (n in missing or lst in missing)] if missing else None
                if st.leaf_single:  # one rule on the leaf's fact: its share, or a part of it
                    r = st.rule0
                    if (st.index0, lf_fid) in hit:
                        credit = st.credit0(values)  # the leaf's observations are its fact's values
                        if credit is ONE or is_one(credit):  # the shared full credit, tested by identity first
                            earned, detail = st.share0, {}
                        else:
                            earned, detail = _fmul(r.share, credit), {"credit": exact_str(credit)}
                    else:
                        earned, detail = ZERO, {}
                else:
                    earned, detail = _entry_share(st, uf, hit, rules_hit, items_of, lf_fid)
                veto = crit_vetoed.get(e.id) if crit_vetoed else None
                if veto is not None:
                    earned = ZERO
                full = st.full
                if earned is st.ms and st.ms_pos:  # the full share, usually the very object (tested first)
                    pts, earning = full, True
                elif earned is ZERO or (not earned._numerator if type(earned) is Fraction else not earned):
                    pts, earning = ZERO, False
                elif (earned._numerator == st.ms._numerator and earned._denominator == st.ms._denominator
                      if (type(earned) is Fraction and type(st.ms) is Fraction) else earned == st.ms):  # ==, on the terms
                    pts, earning = full, st.ms_pos
                elif type(earned) is Fraction:
                    pts = _fmul(earned, lp.unit_pts)
                    earning = earned._numerator > 0
                else:
                    pts = earned * lp.unit_pts
                    earning = earned > 0
                if veto is not None:
                    role, reason = "criterion_veto", _("vetoed by {veto}", veto=veto.label)
                elif earning:
                    role = "award"
                    reason = st.full_reason if pts is full else _("earned {points} of {full}", points=exact_str(pts), full=st.full_text)
                elif reads_missing:
                    role, reason = "missing", _("not recorded: {names}", names=", ".join(dict.fromkeys(reads_missing)))
                else:
                    role, reason = "not_met", lp.not_met
                if details:
                    detail.update(_details_for(e, details))
                rec = _record((st.rid, e.id, role, e.text, pts, st.ms, obs, pv, detail, e.file, e.line, reason))
                if key is not None and len(st.lines) < _LINES_MAX:
                    st.lines[key] = rec
            pts, full = rec.points, st.full
            if pts is not full:
                all_full = False
                if (st.full_pos if pts is ZERO else _less(pts, full)):
                    lost_entries.append(e.label)
                if pts is not ZERO:
                    award_pts.append(pts)
            else:
                award_pts.append(pts)
            audit.append(rec)
        else:
            for rule, rate_w, rate_text in st.rules:
                for fid in (_facts_of(pairs, rule.index, uf.fact_items) if rule.index in rules_hit else ()):
                    count = e.kind.credit(e.params, rule.extra, uf.values[fid])
                    # count x (rate x weight): the same exact product, one multiplication per occurrence
                    pts = count * rate_w if type(count) in (Fraction, int) else count * rule.share * st.base_w
                    obs, pv = _obs_view(st.obs_names, values, prov)
                    if lp.unweighted:
                        reason = _("{count} recorded; this indicator has no weight, so nothing is deducted", count=count)
                    else:
                        reason = _("{count} x {rate} of the weight", count=count, rate=rate_text)
                    audit.append(AuditRecord(rule.rule_id, e.id, "deduct", e.text, -pts, rule.share, obs, pv,
                                             {"occurrences": int(count)}, e.file, e.line, reason))
                    deduct_pts.append(pts)
                    lost_entries.append(e.label)
    if lp.deduction:
        cap = lp.cap
        if deduct_pts:
            deduct_total = _fsum(deduct_pts)
            computed = _neg(_at_most(deduct_total, cap))
            capped = _less(cap, deduct_total)
        else:
            deduct_total, computed, capped = ZERO, lp.nothing_computed, lp.nothing_capped
        if capped:
            audit.append(AuditRecord("cap", "cap", "cap", None, deduct_total - cap, cap, reason=_("capped at -{cap}", cap=exact_str(cap))))
    elif vetoed:
        computed = ZERO
    elif all_full and not deduct_pts:
        computed = lp.full_computed
    elif deduct_pts:
        award_total = lp.sum_full if all_full else _fsum(award_pts)
        computed = _clamp(award_total - _fsum(deduct_pts), ZERO, lp.W)
    else:
        computed = lp.clamp(_sum_memo(award_pts))
    score = computed
    adjustments = []
    if uf.work.adjustments:
        lo, hi = lp.lo, lp.hi
        for adj, loc in zip(uf.work.adjustments, uf.work.adjustment_locations):
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
        reason = _("vetoed: {vetoes}", vetoes="、".join(lp.labels.get(a.entry, a.entry) for a in audit if a.role == "veto"))
    elif lp.deduction:
        reason = _("deducted {points}", points=exact_str(_neg(computed))) if computed else lp.nothing_deducted
    elif computed is lp.full_computed and not lost_entries:
        reason = lp.full_reason
    else:
        reason = lp.leaf_reason(computed, lost_entries)
    if missing:
        reason += _("; not recorded: {names}", names=", ".join(missing))
    return LeafResult(lf.id, lf.name, lf.category, lf.weight, lp.eff_w, computed, score, lp.max_att, reason, audit,
                      missing, adjustments, vetoed, True, ZERO, lf.category_kind)


def _details_for(e: CompiledEntry, details: dict) -> dict:
    out = {}
    for lst, name in e.reads:
        key = name if lst is None else lst
        if key in details:
            out[key] = details[key]
    return out


def _facts_of(pairs: list, index: int, fact_items: dict) -> list[str]:
    """The facts rule `index` fired on, from the fired (rule index, fact id) pairs, in the order of their
    items in the evidence (whatever the order of the pairs; fact ids would sort "u.10" before "u.2")."""
    out = [fid for i, fid in pairs if i == index]
    if len(out) > 1:  # a rule over a list's items
        out.sort(key=lambda fid: fact_items[fid][2])
    return out


def _entry_share(st: _Award, uf: UnitFacts, hit: set, rules_hit: set, items_of, lf_fid) -> tuple[Fraction, dict]:
    """Share of the weight an award entry earned (before scale), and its detail: an entry of several rules
    (bands) on the leaf's fact, or of rules over a list's items (one rule on the leaf's fact is scored
    inline by _score_leaf)."""
    e = st.e
    if st.on_leaf:
        earned = ZERO
        detail: dict = {}
        for r in st.rules:
            if (r.index, lf_fid) in hit:
                credit = e.kind.credit(e.params, r.extra, uf.values[lf_fid])
                one = credit is ONE or is_one(credit)
                part = r.share if one else r.share * credit
                earned = part if (earned is ZERO and type(part) is Fraction) else earned + part
                detail["band"] = r.label
                if not one:
                    detail["credit"] = exact_str(credit)
        return earned, detail
    owner, target_list, rules = st.owner, st.target, st.rules
    fids = items_of.get((owner, target_list), [])
    if not fids:
        return ZERO, {"items": 0}
    per_item = []
    item_rows = []
    extra = uf.work.item_details.get((owner, target_list), [])
    n_extra = len(extra)
    values, credit_of, params = uf.values, e.kind.credit, e.params
    in_full = credit_of is full_credit  # every rule hit earns its share: no call per item
    # the rules that fired on some item (each item is then tested against these only)
    hit_rules = [(r, r.index) for r in rules if r.index in rules_hit]
    shares = st.share_texts
    bands = not st.single
    for idx, fid in enumerate(fids):  # items_of lists a list's items in order
        got = ZERO
        label = None
        for r, index in hit_rules:
            if (index, fid) in hit:
                if in_full:
                    part = r.share
                else:
                    credit = credit_of(params, r.extra, values[fid])
                    part = r.share if (credit is ONE or is_one(credit)) else r.share * credit
                got = part if (got is ZERO and type(part) is Fraction) else got + part
                label = r.label
        per_item.append(got)
        share = "0" if got is ZERO else (shares.get(id(got)) or exact_str(got))
        # the row in one literal (an item's details after its share and band, overriding them as update() would)
        if label is not None and bands:
            item_rows.append({"item": idx + 1, "share": share, "band": label, **extra[idx]} if idx < n_extra
                             else {"item": idx + 1, "share": share, "band": label})
        else:
            item_rows.append({"item": idx + 1, "share": share, **extra[idx]} if idx < n_extra else {"item": idx + 1, "share": share})
    agg = getattr(e.params, "aggregate", "mean")
    if agg == "mean":
        total = _sum_memo(per_item)  # mostly the same shares of the same items from unit to unit
        earned = fraction(total._numerator, total._denominator * len(per_item)) if type(total) is Fraction else total / len(per_item)
    elif agg == "min":
        earned = min(per_item)
    else:  # all
        earned = e.max_share if all((p._numerator > 0) if type(p) is Fraction else (p > 0) for p in per_item) else ZERO
    return earned, {"aggregate": agg, "items": item_rows}


def apportion_display(res: UnitResult) -> None:
    """Round for display top-down so that every displayed level adds up to the one above it.

    The total is rounded half-up to 2 decimals; then base, bonus, deduction category and floor
    are apportioned to it by largest remainder (ties to the earlier item); then each group's
    categories, then each category's leaves (plus any cap as its own part).
    """
    at = {lf.id: k for k, lf in enumerate(res.indicators)}
    _apportion(res, _kind_groups(res.categories), [[at[i] for i in c.leaves] for c in res.categories])


def _kind_groups(categories: list) -> tuple[list[int], list[int], list[int]]:
    """The positions of the base, bonus and deduction categories among `categories`."""
    return tuple([k for k, c in enumerate(categories) if c.kind == kind] for kind in ("base", "bonus", "deduction"))


def _apportion(res: UnitResult, groups: tuple, leaf_idx: list[list[int]]) -> None:
    """apportion_display, given the positions of each kind's categories (:func:`_kind_groups`) and of each
    category's leaves among ``res.indicators`` (a plan's, worked out once per run)."""
    total_r = round_half_up(res.total)
    parts = [res.base, res.bonus, _neg(res.deductions), res.floor_adjustment]
    base_r, bonus_r, ded_r, floor_r = apportion(total_r, parts)  # (a unit's own total, mostly: not memoised)
    res.display = {"total": total_r, "base": base_r, "bonus": bonus_r, "deductions": _neg(ded_r), "floor_adjustment": floor_r}
    all_cats, all_leaves = res.categories, res.indicators
    for positions, target in zip(groups, (base_r, bonus_r, ded_r)):
        if not positions:
            continue
        cats = [all_cats[k] for k in positions]
        shown = _apportion_memo(target, [c.score for c in cats])
        for c, v in zip(cats, shown):
            c.display = v
    for c, idx in zip(all_cats, leaf_idx):
        leaves = [all_leaves[k] for k in idx]
        parts = [lf.score for lf in leaves]
        # (the same object when the cap did not apply; None when nothing was capped)
        capped = None if c.score is c.uncapped else (c.score - c.uncapped or None)
        if capped is not None:
            parts.append(capped)
        shown = _apportion_memo(c.display, parts)
        for lf, v in zip(leaves, shown):
            lf.display = v
        if capped is not None:
            res.display[f"cap:{c.id}"] = shown[-1]


# Memos keyed by the ids of the Fraction objects given: scores are mostly the same objects from unit to
# unit (a plan's constants, and sums shared through fraction()), so most categories are added up and
# apportioned once per run. Each entry holds the objects of its key, so that no other object can take
# one of those ids while it is cached; equal objects give equal results (both functions are exact).
_MEMO_MAX = 8192
_SUMS: dict[tuple, tuple] = {}
_APPORTIONED: dict[tuple, tuple] = {}


def _by_ids(table: dict, objs, compute, *args):
    """compute(*args), memoised in `table` by the ids of `objs` (the entry holds them, so that their ids
    cannot be reused while cached)."""
    key = tuple(map(id, objs))
    hit = table.get(key)
    if hit is None:
        hit = (tuple(objs), compute(*args))
        if len(table) >= _MEMO_MAX:
            table.clear()
        table[key] = hit
    return hit[1]


def _sum_memo(values: list) -> Fraction:
    """_fsum(values), memoised by the values' ids."""
    return _by_ids(_SUMS, values, _fsum, values)


def _apportion_memo(total: Fraction, parts: list) -> list[Fraction]:
    """apportion(total, parts), memoised by the ids of total and parts (a new list each time)."""
    return list(_by_ids(_APPORTIONED, (total, *parts), apportion, total, parts))
