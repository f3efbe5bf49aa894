"""Results: per unit, per category, per leaf, each with its score, reason and the details behind it.

In the manner of OpenSSF Scorecard and Lighthouse, every check (leaf) returns a score, a reason and
the audit records behind it; the aggregate is a documented weighted sum (see
:mod:`govscore.core.aggregate`). All numbers are exact :class:`~fractions.Fraction` values in points;
``display`` holds the rounded values (2 decimals) that add up level by level.
"""

from __future__ import annotations

import datetime as _dt
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

from .dates import iso_text
from .numbers import ValueMemo, exact_str, half_up_steps


def _interned_setstate(self, state) -> None:
    """Unpickle with shared strings: results come back from worker processes as pickles, and without
    this every unit would carry its own copy of each rule id, role, label and reason text."""
    slots = state[1] if isinstance(state, tuple) else state
    for name, value in slots.items():
        object.__setattr__(self, name, sys.intern(value) if type(value) is str else value)


_PLAIN = frozenset({str, int, bool, float, type(None)})
"""Types that are their own JSON value (exact types: a subclass takes the general path)."""


def jsonable(v: Any) -> Any:
    """Plain JSON value of an observation: dates as ISO text, fractions as exact text."""
    # the usual types first, by exact type, without the isinstance chain below (every audit line of
    # every unit passes through here)
    t = type(v)
    if t in _PLAIN:
        return v
    if t is dict:
        out = {}
        for k, x in v.items():  # a loop: cheaper than a comprehension for the usual one or two items
            out[k if type(k) is str else str(k)] = x if type(x) in _PLAIN else jsonable(x)
        return out
    if t is list or t is tuple:
        return [x if type(x) in _PLAIN else jsonable(x) for x in v]
    if t is Fraction:
        return v.numerator if v.denominator == 1 else exact_str(v)
    if t is _dt.date:
        return iso_text(v)
    if t is _dt.datetime:
        return v.isoformat()
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else exact_str(v)
    if isinstance(v, float):
        return v
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [jsonable(x) for x in v]
    return str(v)


def _interned_record(values: tuple) -> "AuditRecord":
    """Unpickle an :class:`AuditRecord` with shared strings (as :func:`_interned_setstate`)."""
    return AuditRecord(*[sys.intern(v) if type(v) is str else v for v in values])


class _AuditFields(NamedTuple):
    rule: str
    entry: str
    role: str
    text: str | None
    points: Fraction
    share: Fraction | None
    observations: dict
    provenance: dict
    detail: dict
    file: str | None
    line: int | None
    reason: str


_new_tuple = tuple.__new__
_ZERO_POINTS = Fraction(0)


class AuditRecord(_AuditFields):
    """One line of the audit trail of a leaf.

    Immutable, a named tuple: built in a fraction of a dataclass's time, and every unit has some ninety.
    A changed copy is ``record._replace(reason=...)``, its JSON form :meth:`to_dict`. Observations,
    provenance and detail not given are empty dicts of the record's own. A line that is the same in
    several units (a criterion's full points or nothing met, for the same value, with nothing the unit
    adds) is one record shared by them, as are a plan's normalisation lines: treat a record's dicts as
    read-only.

    Attributes:
        rule: compiled rule id ("portal.consultation:timeliness#2") or a step name ("normalisation").
        entry: the rule-file entry id (criterion, deduction or veto).
        role: award, deduct, veto, criterion_veto, missing, not_met, normalisation, cap, disabled.
        points: points given (+) or taken (-) by this line; 0 for vetoes and unmet criteria.
        share: the share or rate of the weight the rule carries.
        observations: the observed values the rule read, with provenance when recorded.
        detail: derivation details (elapsed working days, missing weeks, the band hit ...).
        file, line: where the rule is written.
    """

    __slots__ = ()

    def __new__(cls, rule: str, entry: str, role: str, text: str | None = None, points: Fraction = _ZERO_POINTS,
                share: Fraction | None = None, observations: dict | None = None, provenance: dict | None = None,
                detail: dict | None = None, file: str | None = None, line: int | None = None, reason: str = ""):
        return _new_tuple(cls, (rule, entry, role, text, points, share, {} if observations is None else observations,
                                {} if provenance is None else provenance, {} if detail is None else detail, file, line,
                                reason))

    def __reduce__(self):
        return (_interned_record, (tuple(self),))

    def to_dict(self) -> dict:
        share, pv, detail = self.share, self.provenance, self.detail
        return {
            "rule": self.rule, "entry": self.entry, "role": self.role, "text": self.text,
            "points": num(self.points), "share": exact_str(share) if share is not None else None,
            # most lines have no provenance and no detail: an empty dict needs no call
            "observations": jsonable(self.observations),
            "provenance": {} if (not pv and type(pv) is dict) else jsonable(pv),
            "detail": {} if (not detail and type(detail) is dict) else jsonable(detail),
            "file": self.file, "line": self.line, "reason": self.reason,
        }


@dataclass(slots=True)
class AdjustmentRecord:
    """An appeal adjustment (复核) applied to a leaf, shown beside the computed score.

    ``requested`` is the decision in the JSON result's form ("+1", "-0.5", "set_to 3"); reports show
    :meth:`requested_text`.
    """

    __setstate__ = _interned_setstate

    indicator: str
    requested: str
    applied: Fraction
    reason: str
    decided_by: str
    decided_on: str
    location: str = ""

    def requested_text(self) -> str:
        """The decision as readers see it, in the current language: "+1", "-0.5", "set to 3" (改为 3)."""
        if self.requested.startswith("set_to "):
            from .i18n import _

            return _("set to {points}", points=self.requested[len("set_to "):])
        return self.requested

    def to_dict(self) -> dict:
        return {"indicator": self.indicator, "requested": self.requested, "applied": num(self.applied),
                "reason": self.reason, "decided_by": self.decided_by, "decided_on": self.decided_on,
                "location": self.location}


@dataclass(slots=True)
class LeafResult:
    """A leaf indicator's result (points)."""

    __setstate__ = _interned_setstate

    id: str
    name: str
    category: str
    weight: Fraction | None
    effective_weight: Fraction
    computed: Fraction
    score: Fraction
    max_attainable: Fraction
    reason: str
    audit: list[AuditRecord] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    adjustments: list[AdjustmentRecord] = field(default_factory=list)
    vetoed: bool = False
    applicable: bool = True
    display: Fraction = Fraction(0)
    kind: str = "base"
    """The kind of the leaf's category: base, bonus or deduction."""

    @property
    def lost(self) -> Fraction | None:
        """Points lost: against the effective weight (base leaves), the points deducted (deduction
        leaves); None for bonus leaves (a bonus not earned is no loss) and leaves that do not apply."""
        if not self.applicable or self.kind == "bonus":
            return None
        if self.kind == "deduction":
            return -self.score
        return self.effective_weight - self.score


@dataclass(slots=True)
class CategoryResult:
    """A level-1 category: the sum of its leaves, capped for bonus (+cap) and deduction (-cap)."""

    __setstate__ = _interned_setstate

    id: str
    name: str
    kind: str
    weight: Fraction
    score: Fraction
    uncapped: Fraction
    cap: Fraction | None
    leaves: list[str]
    display: Fraction = Fraction(0)


@dataclass(slots=True)
class UnitResult:
    """One unit's result: final = base + bonus + deduction category, floored (rubric: never below 0).

    `deductions` is the absolute value of the deduction category (the summary's "deductions").
    """

    __setstate__ = _interned_setstate

    unit_id: str
    name: str
    kind: str
    source: str
    total: Fraction
    base: Fraction
    bonus: Fraction
    deductions: Fraction
    floor_adjustment: Fraction
    categories: list[CategoryResult]
    indicators: list[LeafResult]
    missing_count: int = 0
    rank: int | None = None
    group_rank: int | None = None
    display: dict = field(default_factory=dict)
    unmatched_facts: int = 0

    def leaf(self, indicator: str) -> LeafResult:
        for lf in self.indicators:
            if lf.id == indicator:
                return lf
        raise KeyError(indicator)

    def category(self, cid: str) -> CategoryResult:
        for c in self.categories:
            if c.id == cid:
                return c
        raise KeyError(cid)


@dataclass(slots=True)
class UnitFailure:
    """A unit that could not be scored, with every error found (each located)."""

    unit_id: str | None
    name: str | None
    source: str
    errors: list

    def messages(self) -> list[str]:
        return [e.render() for e in self.errors]


_NUMBER = ValueMemo(lambda v: (half_up_steps(v) / 100, exact_str(v)), 8192)
"""(rounded value, exact text) of a number: a report writes the same few hundred values again and again."""


def num(value: Fraction | None) -> dict | None:
    """A number in JSON: its rounded value (2 places, half-up) and its exact value as text."""
    if value is None:
        return None
    value_2, exact = _NUMBER(value)
    return {"value": value_2, "exact": exact}


def shown(display: Fraction, exact: Fraction) -> dict:
    """A displayed number: the apportioned rounded value and the exact value as text."""
    return {"value": _NUMBER(display)[0], "exact": _NUMBER(exact)[1]}
