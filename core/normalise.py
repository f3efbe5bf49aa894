"""Weight normalisation: where a non-applicable indicator's weight goes.

Rubric clause (说明 under the three key-area rows): 不涉及重点领域信息公开考核的单位，该项分值平均分配到
“政府信息公开”其他指标中. Policies are plugins (``register_normalisation_policies``); the rule set picks one
with ``scoring.normalisation.policy``. Built-in:

- ``even`` (default): the freed weight split in equal parts over the applicable leaves of the same
  level-1 category (18 points over 10 leaves: +1.8 each);
- ``proportional``: split in proportion to the applicable leaves' weights;
- ``even_by_group``: split evenly over the applicable level-2 groups (其他指标 read as the other level-2
  indicators), then evenly inside each group.
The base total is kept: effective weights of a category always sum to its nominal weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable


@dataclass(frozen=True)
class LeafWeight:
    """Input to a policy: a leaf's id, nominal weight (points) and level-2 group (or None)."""

    id: str
    weight: Fraction
    group: str | None


@dataclass(frozen=True)
class WeightMove:
    """One move of weight, for the audit trail: `points` from `source` to each of `targets`."""

    source: str
    points: Fraction
    targets: tuple[tuple[str, Fraction], ...]


@dataclass(frozen=True)
class NormalisationPolicy:
    """A named policy: ``apply(leaves, not_applicable) -> (effective weights, moves)``.

    `leaves` are one level-1 category's leaves in rule-file order; `not_applicable` the ids whose
    weight is freed. Effective weights must sum to the sum of nominal weights whenever at least one
    leaf stays applicable.
    """

    name: str
    description: str
    apply: Callable


def _split(leaves, not_applicable, shares_for) -> tuple[dict, list]:
    eff = {lf.id: (Fraction(0) if lf.id in not_applicable else lf.weight) for lf in leaves}
    receivers = [lf for lf in leaves if lf.id not in not_applicable and lf.weight > 0]
    moves = []
    if not receivers:
        return eff, moves
    for lf in leaves:
        if lf.id in not_applicable and lf.weight > 0:
            parts = shares_for(lf.weight, receivers)
            for rid, pts in parts:
                eff[rid] += pts
            moves.append(WeightMove(lf.id, lf.weight, tuple(parts)))
    return eff, moves


def even(leaves, not_applicable):
    return _split(leaves, not_applicable, lambda w, rec: [(r.id, w / len(rec)) for r in rec])


def proportional(leaves, not_applicable):
    def shares(w, rec):
        total = sum((r.weight for r in rec), Fraction(0))
        return [(r.id, w * r.weight / total) for r in rec]
    return _split(leaves, not_applicable, shares)


def even_by_group(leaves, not_applicable):
    def shares(w, rec):
        groups: dict = {}
        for r in rec:
            groups.setdefault(r.group or r.id, []).append(r)
        out = []
        for members in groups.values():
            for r in members:
                out.append((r.id, w / len(groups) / len(members)))
        return out
    return _split(leaves, not_applicable, shares)


BUILTIN_POLICIES = (
    NormalisationPolicy("even", "split evenly over the other applicable leaves of the category (平均分配)", even),
    NormalisationPolicy("proportional", "split in proportion to the other applicable leaves' weights", proportional),
    NormalisationPolicy("even_by_group", "split evenly over the other level-2 indicators, then evenly inside each", even_by_group),
)
