"""Declarative rule kinds: what a rule-file entry may say, and how it compiles.

Each kind has a name (``kind:`` in rule files), a role (award a share, deduct per occurrence, veto), a
pydantic parameter model (``extra="forbid"``), a compile step to engine conditions (no Python expressions
in rule files: nothing is eval'd), and a credit function that turns a fired rule and the observed values
into the fraction of its share earned. Plugins add kinds through ``register_rule_kinds``.

Built-in kinds: judged, checklist, ratio, ordinal, bands, items (aggregation over a list: mean, min,
all), deduction (per occurrence), flag (veto on a yes/no or a count >= 1, of the indicator or of one
criterion), stale (veto on a date older than N months before the monitoring date).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, List, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .i18n import N_
from .conditions import Interval, all_of, cmp, dcode, ncode
from .i18n import _
from .numbers import ONE, fraction
from .ruleset.models import Share

Role = Literal["award", "deduct", "veto"]
COMMON_KEYS = ("id", "kind", "text", "label", "enabled", "note")


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


@dataclass
class Draft:
    """One engine rule a kind compiles to: match `condition` on facts of `target` (None: the leaf's
    observation fact; else a list name), award/deduct `share` of the weight times the credit."""

    condition: tuple
    share: Fraction = Fraction(0)
    target: str | None = None
    label: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class CompileContext:
    """What compiling needs besides the parameters: the run's monitoring date and period."""

    as_of: _dt.date
    period_start: _dt.date
    period_end: _dt.date


@dataclass(frozen=True)
class RuleKind:
    """A kind of declarative rule.

    Attributes:
        name: ``kind:`` in rule files.
        role: award (a share of the weight), deduct (per occurrence), or veto.
        description: shown by ``validate`` and ``indicators``.
        params: pydantic model of the entry's parameters besides id, kind, text, enabled, note.
        compile: ``compile(params, ctx) -> list[Draft]``.
        credit: ``credit(params, draft_extra, values) -> Fraction``: the fraction of the draft's share
            earned (award) or the number of occurrences (deduct), from the typed observed values.
        reads: ``reads(params) -> list[(list name or None, observation name)]``.
        max_share: ``max_share(params) -> Fraction`` of the weight attainable (awards only).
        encode: optional ``encode(params, values) -> dict`` of extra integer fields to assert.
        check: optional ``check(params, values) -> list[str]`` of problems with the observed values.
    """

    name: str
    role: Role
    description: str
    params: type[BaseModel]
    compile: Callable
    credit: Callable
    reads: Callable
    max_share: Callable = lambda p: Fraction(0)
    encode: Optional[Callable] = None
    check: Optional[Callable] = None


def _obs_present(field: str) -> tuple:
    return cmp(field, "gt", ncode(0))


# --- judged --------------------------------------------------------------------------------------

class JudgedParams(Params):
    observation: str
    share: Share


def _judged_compile(p: JudgedParams, ctx: CompileContext) -> list[Draft]:
    return [Draft(_obs_present(p.observation), p.share)]


def full_credit(p, extra, values) -> Fraction:
    """The credit of a kind whose rule, when it fires, earns its share in full (a band, an item's
    condition, a veto): :data:`ONE`, whatever the values. Scoring skips the call for such a kind."""
    return ONE


def value_credit(p, extra, values) -> Fraction:
    """The credit of a judged rule: the observation's value as a fraction (yes 1, no 0, or the fraction
    itself; a judgement is already one, which scoring reads without the call)."""
    v = values.get(p.observation)
    if v is True:
        return ONE
    if type(v) is Fraction:
        return v
    return Fraction(int(v)) if isinstance(v, bool) else Fraction(v)


JUDGED = RuleKind(
    "judged", "award",
    N_("The evaluator's judgment: yes earns the share, no earns nothing, a fraction 0-1 earns that part of it."),
    JudgedParams, _judged_compile, value_credit,
    lambda p: [(None, p.observation)], lambda p: p.share)


# --- checklist -----------------------------------------------------------------------------------

class ChecklistParams(Params):
    observation: str
    share: Share
    items: list[str] = Field(min_length=1)


def _cl_field(p) -> str:
    return f"{p.observation}__n"


def _cl_present(p, values) -> int:
    got = values.get(p.observation) or {}
    return sum(map(bool, map(got.get, p.items)))  # the items present (each a yes/no, or absent)


def _checklist_check(p, values) -> list[str]:
    got = values.get(p.observation)
    if not got:
        return []
    unknown = sorted(set(got) - set(p.items))
    if unknown:
        return [_("unknown checklist item(s) {items} of {observation}; expected {expected}", items=", ".join(unknown),
                  observation=p.observation, expected=", ".join(p.items))]
    return []


CHECKLIST = RuleKind(
    "checklist", "award",
    N_("A checklist of named items: credit = items present / items listed."),
    ChecklistParams,
    lambda p, ctx: [Draft(cmp(_cl_field(p), "gt", 0), p.share)],
    lambda p, extra, values: fraction(_cl_present(p, values), len(p.items)),
    lambda p: [(None, p.observation)], lambda p: p.share,
    encode=lambda p, values: {_cl_field(p): _cl_present(p, values)} if values.get(p.observation) is not None else {},
    check=_checklist_check)


# --- ratio ---------------------------------------------------------------------------------------

class RatioParams(Params):
    observation: str
    share: Share
    denominator: Union[int, str]

    @field_validator("denominator")
    @classmethod
    def _den(cls, v):
        if isinstance(v, int) and v < 1:
            raise ValueError(_("a denominator must be at least 1, found {value}", value=repr(v)))
        return v


def _ratio_den(p, values):
    if isinstance(p.denominator, int):
        return p.denominator
    return values.get(p.denominator)


def _ratio_credit(p, extra, values) -> Fraction:
    n, d = values[p.observation], _ratio_den(p, values)
    if type(n) is int and type(d) is int and d > 0:
        return ONE if n >= d else fraction(n, d)
    return min(ONE, Fraction(n, d))


def _ordinal_credit(p, extra, values) -> Fraction:
    level = values[p.observation]
    # a shared fraction for an integer level; anything else as Fraction reads it (2.0 is refused there)
    return fraction(level, p.max) if type(level) is int else Fraction(level, p.max)


def _ratio_check(p, values) -> list[str]:
    n, d = values.get(p.observation), _ratio_den(p, values)
    if n is not None and d is not None and n > d:
        return [_("{observation} is {n}, more than the {d} sampled", observation=p.observation, n=n, d=d)]
    return []


RATIO = RuleKind(
    "ratio", "award",
    N_("A ratio: credit = the observation / the denominator (a fixed sample size or another observation)."),
    RatioParams,
    lambda p, ctx: [Draft(_obs_present(p.observation) if isinstance(p.denominator, int)
                          else all_of(_obs_present(p.observation), _obs_present(p.denominator)), p.share)],
    _ratio_credit,
    lambda p: [(None, p.observation)] + ([] if isinstance(p.denominator, int) else [(None, p.denominator)]),
    lambda p: p.share, check=_ratio_check)


# --- ordinal -------------------------------------------------------------------------------------

class OrdinalParams(Params):
    observation: str
    share: Share
    max: int = Field(ge=1)
    levels: dict[int, str] = Field(default_factory=dict)


def _ordinal_check(p, values) -> list[str]:
    v = values.get(p.observation)
    if v is not None and v > p.max:
        return [_("{observation} is level {level}, above the highest level {max}", observation=p.observation, level=v, max=p.max)]
    return []


ORDINAL = RuleKind(
    "ordinal", "award",
    N_("An ordinal level 0..max: credit = level / max."),
    OrdinalParams,
    lambda p, ctx: [Draft(_obs_present(p.observation), p.share)],
    _ordinal_credit,
    lambda p: [(None, p.observation)], lambda p: p.share, check=_ordinal_check)


# --- bands ---------------------------------------------------------------------------------------

class Band(Params):
    when: str
    share: Share
    label: Optional[str] = None

    @field_validator("when", mode="before")
    @classmethod
    def _when(cls, v):
        v = str(v)
        Interval(v)
        return v


class BandsParams(Params):
    observation: Optional[str] = None
    list: Optional[str] = None
    value: Optional[str] = None
    hit_policy: Literal["FIRST", "UNIQUE"] = "FIRST"  # before bands: the bands validator reads it
    bands: List[Band] = Field(min_length=1)
    require: dict[str, bool] = Field(default_factory=dict)
    aggregate: Literal["mean", "min"] = "mean"

    @field_validator("bands")
    @classmethod
    def _unique_bands_do_not_overlap(cls, bands, info):
        """Under UNIQUE at most one band may match a value: overlapping bands are an error."""
        if info.data.get("hit_policy") != "UNIQUE":
            return bands
        ivs = [Interval(b.when) for b in bands]
        for i in range(len(bands)):
            for j in range(i + 1, len(bands)):
                if ivs[i].overlaps(ivs[j]):
                    def name(k):
                        b = bands[k]
                        if b.label:
                            return _("band {n} {when} ({label})", n=k + 1, when=b.when, label=b.label)
                        return _("band {n} {when}", n=k + 1, when=b.when)
                    raise ValueError(_("under hit_policy UNIQUE the bands must not overlap; found {first} overlapping {second}",
                                       first=name(i), second=name(j)))
        return bands

    @model_validator(mode="after")
    def _target(self):
        if self.list:
            if not self.value:
                raise ValueError(_("bands over a list need value: (the item field compared)"))
        elif not self.observation:
            raise ValueError(_("bands need observation: (or list: and value:)"))
        return self


def _bands_field(p) -> str:
    return p.value if p.list else p.observation


def _bands_compile(p: BandsParams, ctx: CompileContext) -> list[Draft]:
    fld = _bands_field(p)
    req = [cmp(k, "eq", ncode(v)) for k, v in sorted(p.require.items())]
    out = []
    intervals = [Interval(b.when) for b in p.bands]
    for i, (b, iv) in enumerate(zip(p.bands, intervals)):
        parts = [iv.condition(fld)]
        if p.hit_policy == "FIRST":
            parts += [prev.negation(fld) for prev in intervals[:i]]
        out.append(Draft(all_of(*req, *parts), b.share, p.list, b.label or b.when, {"band": i}))
    return out


def _bands_reads(p) -> list:
    if p.list:
        return [(p.list, p.value)] + [(p.list, k) for k in p.require]
    return [(None, p.observation)] + [(None, k) for k in p.require]


BANDS = RuleKind(
    "bands", "award",
    N_("A decision table over a number (interval syntax [0..1], (1..5], >10, 3), hit policy FIRST or UNIQUE, "
    "a share per band; over a list's items, averaged (mean) or the lowest (min)."),
    BandsParams, _bands_compile, full_credit, _bands_reads,
    lambda p: max(b.share for b in p.bands))


# --- items ---------------------------------------------------------------------------------------

class ItemsParams(Params):
    list: str
    share: Share
    when: dict[str, bool] = Field(min_length=1)
    aggregate: Literal["all", "mean", "min"] = "all"


ITEMS = RuleKind(
    "items", "award",
    N_("A condition on every item of a list: all (full share only if every item meets it), mean (the share "
    "of items that do) or min; an empty list earns nothing and is listed as missing."),
    ItemsParams,
    lambda p, ctx: [Draft(all_of(*[cmp(k, "eq", ncode(v)) for k, v in sorted(p.when.items())]), p.share, p.list)],
    full_credit,
    lambda p: [(p.list, k) for k in p.when], lambda p: p.share)


# --- deduction -----------------------------------------------------------------------------------

class DeductionParams(Params):
    observation: str
    rate: Share


DEDUCTION = RuleKind(
    "deduction", "deduct",
    N_("Each occurrence deducts rate x weight (扣完为止: a leaf never goes below 0; a deduction leaf never "
    "below -its cap)."),
    DeductionParams,
    lambda p, ctx: [Draft(_obs_present(p.observation), p.rate)],
    lambda p, extra, values: Fraction(int(values[p.observation])),
    lambda p: [(None, p.observation)])


# --- vetoes --------------------------------------------------------------------------------------

class FlagParams(Params):
    observation: str
    criterion: Optional[str] = None


FLAG = RuleKind(
    "flag", "veto",
    N_("Veto (该指标不得分) when the observation is yes or a count of at least 1; with criterion: only that "
    "criterion scores 0."),
    FlagParams,
    lambda p, ctx: [Draft(_obs_present(p.observation), Fraction(0))],
    full_credit,
    lambda p: [(None, p.observation)])


class StaleParams(Params):
    observation: str
    months: int = Field(ge=1)
    criterion: Optional[str] = None


def _stale_compile(p: StaleParams, ctx: CompileContext) -> list[Draft]:
    from .dates import months_before

    cutoff = months_before(ctx.as_of, p.months)
    return [Draft(cmp(p.observation, "lt", dcode(cutoff)), Fraction(0), None, f"< {cutoff.isoformat()}",
                  {"cutoff": cutoff.isoformat()})]


STALE = RuleKind(
    "stale", "veto",
    N_("Veto when a column's last update lies more than N calendar months before the monitoring date "
    "(month ends clamped: as_of 2023-08-31, 6 months -> before 2023-02-28)."),
    StaleParams, _stale_compile, full_credit,
    lambda p: [(None, p.observation)])


BUILTIN_KINDS = (JUDGED, CHECKLIST, RATIO, ORDINAL, BANDS, ITEMS, DEDUCTION, FLAG, STALE)
DEFAULT_KIND = {"criteria": "judged", "deductions": "deduction", "vetoes": "flag"}
SECTION_ROLE = {"criteria": "award", "deductions": "deduct", "vetoes": "veto"}

