"""Compiling a loaded rule set and its plugins into engine rules for one run context.

Rule files + plugins -> :class:`CompiledRuleSet`: every enabled entry of every leaf becomes one or more
:class:`CompiledRule` (a condition over one kind of fact, and the share, rate or veto it carries).
Stale vetoes depend on the monitoring date, so a compiled rule set belongs to a (rule set, as_of,
period) triple; its :attr:`CompiledRuleSet.engine_hash` names it in the engine.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ValidationError

from .conditions import fields_read
from .errors import ErrorList, GovscoreError, Location, RuleSetError
from .i18n import _
from .indicator import IndicatorSpec
from .normalise import NormalisationPolicy
from .plugins import Registry
from .rulekinds import COMMON_KEYS, DEFAULT_KIND, SECTION_ROLE, CompileContext, RuleKind
from .ruleset.loader import Leaf, RuleEntry, RuleSet
from .yamlio import describe_pydantic_error, loc_text

UNIT_OWNER = "_unit"
LEAF_LIST = "_"
UNIT_LISTS = ("accounts",)
RESERVED_FIELDS = frozenset({"i", "l", "id", "sid"})
"""Fact fields the engine itself uses: an observation of one of these names would overwrite them."""


@dataclass
class CompiledRule:
    """One engine rule: on facts selected by (owner, list), when `condition` holds, the effect fires."""

    index: int
    rule_id: str
    indicator: str
    entry: str
    role: str
    kind: str
    owner: str
    list: str
    condition: tuple
    share: Fraction
    label: str
    extra: dict
    file: str
    line: int | None


@dataclass
class CompiledEntry:
    """A rule-file entry (criterion, deduction or veto) with its kind, parameters and rules."""

    id: str
    section: str
    role: str
    kind: RuleKind
    params: BaseModel
    text: str | None
    note: str | None
    rules: list[int]
    max_share: Fraction
    criterion: str | None
    reads: list
    file: str
    line: int | None
    label: str = ""
    """A short name for reasons and reports: the entry's `label:`, else drawn from its text, else its id."""


_NUMBERING = re.compile(r"^\s*[（(]?\s*\d+\s*[.、．)）]\s*")
_TAIL = re.compile(r"[，,；;。\s]*\d+(?:\.\d+)?\s*[%％][;；。]?\s*$")


def short_label(text: str | None, fallback: str, limit: int = 18) -> str:
    """A short label from a criterion's verbatim text: "1.公开……情况，50%；" -> "公开……情况" (at most
    `limit` characters, then "…"); `fallback` (the entry id) when there is no text."""
    if not text:
        return fallback
    first = str(text).strip().splitlines()[0]
    first = _TAIL.sub("", _NUMBERING.sub("", first)).strip(" ，,；;。")
    if not first:
        return fallback
    return first if len(first) <= limit else first[:limit] + "…"


@dataclass
class CompiledLeaf:
    """A leaf indicator ready for scoring (weights in points, shares as fractions of the weight)."""

    id: str
    name: str
    category: str
    category_kind: str
    group: str | None
    weight: Fraction | None
    cap: Fraction | None
    normalise_shares: bool
    applicability: str | None
    redistribute: bool
    entries: list[CompiledEntry]
    spec: IndicatorSpec
    plugin: str
    settings: dict
    file: str
    line: int | None

    @property
    def award_entries(self) -> list[CompiledEntry]:
        return [e for e in self.entries if e.role == "award"]

    def share_sum(self) -> Fraction:
        """Sum of the award entries' highest shares (1 = the criteria cover 100% of the weight)."""
        key = (id(self.entries), len(self.entries), self.normalise_shares)
        cached = self.__dict__.get("_memo")
        if cached is None or cached[0] != key:  # computed once per compiled leaf (scoring asks per unit)
            total = sum((e.max_share for e in self.award_entries), Fraction(0))
            scale = 1 / total if (self.normalise_shares and total > 0) else Fraction(1)
            cached = (key, total, scale, min(Fraction(1), total * scale))
            self.__dict__["_memo"] = cached
        return cached[1]

    def share_scale(self) -> Fraction:
        """Factor applied to shares: 1, or 1/share_sum when normalise_shares scales them to 100%."""
        self.share_sum()
        return self.__dict__["_memo"][2]

    def max_fraction(self) -> Fraction:
        """Most of the (effective) weight a unit can earn: min(1, share_sum x scale)."""
        self.share_sum()
        return self.__dict__["_memo"][3]


@dataclass
class CompiledCategory:
    id: str
    name: str
    kind: str
    weight: Fraction
    cap: Fraction | None
    leaves: list[str]


@dataclass
class RunContext:
    """The evaluation context of a run: rule set, monitoring date (监测时间点) and evaluated period.

    Dates are Asia/Shanghai calendar dates. `calendar` is the working-day calendar in force.
    """

    as_of: _dt.date
    period_start: _dt.date
    period_end: _dt.date
    calendar: Any = None
    strict: bool = False


@dataclass
class CompiledRuleSet:
    """Everything scoring needs, compiled once per run."""

    ruleset: RuleSet
    context: RunContext
    leaves: list[CompiledLeaf]
    categories: list[CompiledCategory]
    rules: list[CompiledRule]
    policy: NormalisationPolicy
    registry: Registry
    selectors: list[tuple[str, str]] = field(default_factory=list)
    fields_read: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """(owner, list) -> the fact fields its rules' conditions read, sorted: no other field of a fact
    can change what fires, so facts carry only these."""
    engine_hash: str = ""
    _by_id: dict = field(default_factory=dict)
    weight_cache: dict = field(default_factory=dict)
    """Aggregation's per-run cache (effective weights and scoring constants per set of non-applicable
    leaves and language; most units share one): filled and read by :mod:`govscore.core.aggregate` only."""

    def leaf(self, indicator: str) -> CompiledLeaf:
        return self._by_id[indicator]

    @property
    def base_total(self) -> Fraction:
        return sum((c.weight for c in self.categories if c.kind == "base"), Fraction(0))

    def max_attainable_base(self) -> Fraction:
        """Highest base score a unit can reach with every indicator applicable (points)."""
        return sum((lf.weight * lf.max_fraction() for lf in self.leaves
                    if lf.category_kind == "base" and lf.weight is not None), Fraction(0))


def _entry_errors(exc: ValidationError, entry: RuleEntry, indicator: str) -> list[GovscoreError]:
    out: list[GovscoreError] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        msgid, params = describe_pydantic_error(err)
        out.append(RuleSetError(msgid, params, entry.where(*loc), None, loc_text(loc, entry.raw, prefix=f"{indicator}.{entry.id}")))
    return out


def compile_ruleset(rs: RuleSet, registry: Registry, context: RunContext) -> CompiledRuleSet:
    """Compile `rs` for `context`.

    Raises:
        ErrorList: indicators without a plugin, unknown or disallowed rule kinds, invalid parameters,
            unknown observations, a veto naming an unknown criterion, an unknown normalisation policy;
            every error with file and line.
    """
    errors: list[GovscoreError] = []
    ctx = CompileContext(context.as_of, context.period_start, context.period_end)
    rules: list[CompiledRule] = []
    leaves: list[CompiledLeaf] = []
    for leaf in rs.leaves:
        contrib = registry.indicators.get(leaf.id)
        if contrib is None:
            errors.append(RuleSetError("indicator {id} has no plugin: no installed plugin registers it", {"id": leaf.id},
                                       leaf.where("id"), None, leaf.id))
            continue
        spec: IndicatorSpec = contrib.value
        clash = sorted(RESERVED_FIELDS.intersection(spec.evidence.model_fields, *[m.model_fields for m in spec.lists.values()]))
        if clash:
            errors.append(RuleSetError("plugin {plugin} names an observation {names}, a name the engine reserves (i, l, id, sid)",
                                       {"plugin": contrib.plugin, "names": ", ".join(clash)}, leaf.where("id"), None, leaf.id))
            continue
        cat = rs.categories[leaf.category].header
        m = leaf.model
        entries: list[CompiledEntry] = []
        for e in leaf.entries:
            ce = _compile_entry(leaf, e, spec, registry, ctx, rules, errors)
            if ce is not None:
                entries.append(ce)
        criteria_ids = {c.id for c in entries if c.role == "award"}
        for ce in entries:
            if ce.criterion and ce.criterion not in criteria_ids:
                errors.append(RuleSetError("veto {id} names criterion {criterion}, which indicator {indicator} does not have",
                                           {"id": ce.id, "criterion": ce.criterion, "indicator": leaf.id},
                                           Location(file=ce.file, line=ce.line), None, f"{leaf.id}.{ce.id}.criterion"))
        if cat.kind != "deduction" and m.weight is None:
            errors.append(RuleSetError("indicator {id} needs a weight in points", {"id": leaf.id}, leaf.where("weight"), None, f"{leaf.id}.weight"))
        appl = m.applicability.observation if m.applicability else None
        if appl and appl not in spec.evidence.model_fields:
            errors.append(RuleSetError("observation {name} is not recorded for indicator {indicator} (known: {known})",
                                       {"name": appl, "indicator": leaf.id, "known": ", ".join(spec.evidence.model_fields)},
                                       leaf.where("applicability"), None, f"{leaf.id}.applicability"))
        leaves.append(CompiledLeaf(
            leaf.id, m.name, leaf.category, cat.kind, m.group, m.weight, m.cap, m.normalise_shares, appl,
            bool(m.applicability and m.applicability.redistribute), entries, spec, contrib.plugin, dict(m.settings),
            leaf.file, leaf.line))
    policy_name = rs.header.scoring.normalisation.policy
    policy_c = registry.normalisation_policies.get(policy_name)
    if policy_c is None:
        errors.append(RuleSetError("unknown normalisation policy {name} (known: {known})",
                                   {"name": policy_name, "known": ", ".join(sorted(registry.normalisation_policies))},
                                   rs.header_where("scoring", "normalisation", "policy"), None, "scoring.normalisation.policy"))
    if errors:
        raise ErrorList(errors)
    categories = []
    # in the categories' `order:` (the rubric's order), file order among equals, as the leaves are sorted
    for cid, cat in sorted(rs.categories.items(), key=lambda kv: kv[1].header.order):
        members = [lf.id for lf in leaves if lf.category == cid]
        weight = cat.header.weight
        if weight is None:
            weight = sum((lf.weight for lf in leaves if lf.category == cid and lf.weight is not None), Fraction(0))
        categories.append(CompiledCategory(cid, cat.header.name, cat.header.kind, weight, cat.header.cap, members))
    selectors = sorted({(r.owner, r.list) for r in rules})
    read: dict[tuple[str, str], set[str]] = {}
    for r in rules:
        read.setdefault((r.owner, r.list), set()).update(fields_read(r.condition))
    crs = CompiledRuleSet(rs, context, leaves, categories, rules, policy_c.value, registry, selectors,
                          {sel: tuple(sorted(names)) for sel, names in read.items()})
    crs._by_id = {lf.id: lf for lf in leaves}
    crs.engine_hash = _engine_hash(crs)
    return crs


def _compile_entry(leaf: Leaf, e: RuleEntry, spec: IndicatorSpec, registry: Registry, ctx: CompileContext,
                   rules: list[CompiledRule], errors: list) -> CompiledEntry | None:
    kind_name = e.raw.get("kind") or DEFAULT_KIND[e.section]
    kc = registry.rule_kinds.get(kind_name)
    if kc is None:
        errors.append(RuleSetError("unknown rule kind {kind} (known: {known})",
                                   {"kind": kind_name, "known": ", ".join(sorted(registry.rule_kinds))},
                                   e.where("kind"), None, f"{leaf.id}.{e.id}.kind"))
        return None
    kind: RuleKind = kc.value
    if spec.rule_kinds and kind_name not in spec.rule_kinds:
        errors.append(RuleSetError("indicator {indicator} does not take rules of kind {kind} (its plugin allows: {allowed})",
                                   {"indicator": leaf.id, "kind": kind_name, "allowed": ", ".join(spec.rule_kinds)},
                                   e.where("kind"), None, f"{leaf.id}.{e.id}.kind"))
        return None
    want = SECTION_ROLE[e.section]
    if kind.role != want:
        errors.append(RuleSetError("a {kind} rule cannot stand under {section}: it is a rule that {role}s",
                                   {"kind": kind_name, "section": e.section, "role": kind.role},
                                   e.where("kind"), None, f"{leaf.id}.{e.id}.kind"))
        return None
    enabled = e.raw.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.append(RuleSetError("{field}: expected true or false (found {found!r})", {"field": "enabled", "found": enabled},
                                   e.where("enabled"), None, f"{leaf.id}.{e.id}.enabled"))
        return None
    params_raw = {k: v for k, v in e.raw.items() if k not in COMMON_KEYS}
    try:
        params = kind.params.model_validate(params_raw)
    except ValidationError as exc:
        errors.extend(_entry_errors(exc, e, leaf.id))
        return None
    reads = kind.reads(params)
    ok = True
    for lst, name in reads:
        if not _knows(spec, lst, name):
            ok = False
            known = _known_names(spec, lst)
            from difflib import get_close_matches

            close = get_close_matches(name, known, n=1)
            errors.append(RuleSetError("observation {name} is not recorded for indicator {indicator}{hint}",
                                       {"name": f"{lst + '.' if lst else ''}{name}", "indicator": leaf.id,
                                        "hint": _(" (did you mean {options}?)", options=close[0]) if close else ""},
                                       e.where("observation") if lst is None else e.where("list"), None, f"{leaf.id}.{e.id}"))
    if not ok:
        return None
    criterion = getattr(params, "criterion", None)
    role = "criterion_veto" if (kind.role == "veto" and criterion) else kind.role
    idxs: list[int] = []
    if enabled:
        drafts = kind.compile(params, ctx)
        for k, d in enumerate(drafts):
            owner = LEAF_LIST
            lst = LEAF_LIST
            if d.target:
                owner = UNIT_OWNER if d.target in UNIT_LISTS else leaf.id
                lst = d.target
            else:
                owner = leaf.id
            rid = f"{leaf.id}:{e.id}" + (f"#{k + 1}" if len(drafts) > 1 else "")
            idx = len(rules)
            rules.append(CompiledRule(idx, rid, leaf.id, e.id, role, kind.name, owner, lst, d.condition, d.share,
                                      d.label, d.extra, e.file, e.line))
            idxs.append(idx)
    label = e.raw.get("label") or short_label(e.raw.get("text"), e.id)
    return CompiledEntry(e.id, e.section, role, kind, params, e.raw.get("text"), e.raw.get("note"), idxs,
                         kind.max_share(params) if (kind.role == "award" and enabled) else Fraction(0),  # a disabled criterion adds no share
                         criterion, reads, e.file, e.line, str(label))


def _list_model(spec: IndicatorSpec, lst: str):
    if lst in spec.lists:
        return spec.lists[lst]
    if lst in UNIT_LISTS:
        from .evidence import Account

        return Account
    return None


def _knows(spec: IndicatorSpec, lst: str | None, name: str) -> bool:
    if lst is None:
        return name in spec.evidence.model_fields or name in spec.derived
    model = _list_model(spec, lst)
    if model is None:
        return False
    return name in model.model_fields or f"{lst}.{name}" in spec.derived


def _known_names(spec: IndicatorSpec, lst: str | None) -> list[str]:
    if lst is None:
        return list(spec.evidence.model_fields) + [d for d in spec.derived if "." not in d]
    model = _list_model(spec, lst)
    names = list(model.model_fields) if model else []
    return names + [d.split(".", 1)[1] for d in spec.derived if d.startswith(lst + ".")]


def _engine_hash(crs: CompiledRuleSet) -> str:
    doc = [[r.rule_id, r.owner, r.list, r.condition] for r in crs.rules]
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return "gs" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


