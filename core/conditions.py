"""Engine conditions: a tiny AST shared by both engine backends, and the integer encodings of facts.

durable_rules compares literals safely only as integers (floats in exponent form fail, numeric strings
compare as text, '1' == 1 and 'true' == True match), so every observation is asserted as an integer:

- numbers (booleans, counts, fractions) as ``ncode(v) = 2*floor(1000*v) + (0 if 1000*v is whole else 1)``:
  comparing codes with ``2*1000*bound`` is exact for any bound with at most 3 decimals, and for any
  exact fraction value (a value strictly between two grid points gets the odd code between them);
- dates as yyyymmdd (:func:`dcode`).

A condition is ``("cmp", field, op, int)``, ``("and", [..])`` or ``("or", [..])`` with op one of
eq, lt, lte, gt, gte. A comparison on a field the fact lacks is false in both backends.
"""

from __future__ import annotations

import datetime as _dt
import re
from fractions import Fraction
from typing import Any

from .i18n import _
from .numbers import parse_fraction

OPS = ("eq", "lt", "lte", "gt", "gte")
_DURABLE_OP = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def ncode(value: Any) -> int:
    """Integer code of a number, bool or Fraction (see module docstring)."""
    if isinstance(value, int):  # bools and counts: the common case, no Fraction needed
        return 2000 * int(value)
    v = Fraction(value)
    scaled = v * 1000
    fl = scaled.numerator // scaled.denominator
    return 2 * fl + (0 if scaled.denominator == 1 else 1)


def bound_code(value: Any) -> int:
    """Code of a literal bound of a condition.

    Raises:
        ValueError: a bound with more than 3 decimals.
    """
    v = Fraction(value)
    scaled = v * 1000
    if scaled.denominator != 1:
        raise ValueError(_("a threshold may have at most 3 decimals, found {value}", value=value))
    if not -MAX_BOUND <= v <= MAX_BOUND:
        raise ValueError(_("a threshold must lie between -{max} and {max}, found {value}", max=MAX_BOUND, value=value))
    return 2 * scaled.numerator


MAX_BOUND = 10**12
"""The largest threshold magnitude (as the largest count): its code, 2 x 10**15, and every value's code
below 2**53 compare exactly whether durable reads them as 64-bit integers or as doubles (a bound of
10**19 was beyond both: durable saturated it, and disagreed with the reference backend)."""

EXACT_CODES = 2**53
"""Codes of magnitude below this are compared exactly by durable as by Python (see :data:`MAX_BOUND`)."""


def dcode(d: _dt.date) -> int:
    """yyyymmdd integer of a date (2023-10-07 -> 20231007)."""
    return d.year * 10000 + d.month * 100 + d.day


def cmp(field: str, op: str, value: int) -> tuple:
    assert op in OPS
    return ("cmp", field, op, int(value))


def all_of(*conds: tuple) -> tuple:
    flat = []
    for c in conds:
        if c[0] == "and":
            flat.extend(c[1])
        else:
            flat.append(c)
    return flat[0] if len(flat) == 1 else ("and", flat)


def any_of(*conds: tuple) -> tuple:
    flat = []
    for c in conds:
        if c[0] == "or":
            flat.extend(c[1])
        else:
            flat.append(c)
    return flat[0] if len(flat) == 1 else ("or", flat)


_INTERVAL = re.compile(r"^\s*([\[(])\s*([^.\s]+(?:\.\d+)?)\s*\.\.\s*([^\])\s]+)\s*([\])])\s*$")
_COMPARE = re.compile(r"^\s*(>=|<=|>|<|=|==|≥|≤)\s*(\S+)\s*$")


class Interval:
    """A band's range over a number: ``[0..1]``, ``(1..5]``, ``>10``, ``>=5``, ``<1``, ``3``.

    Bounds are exact fractions (percentages allowed: ``[0..50%]``); ``lo``/``hi`` None means unbounded.
    """

    def __init__(self, text: str) -> None:
        self.text = str(text).strip()
        self.lo: Fraction | None = None
        self.hi: Fraction | None = None
        self.lo_closed = True
        self.hi_closed = True
        m = _INTERVAL.match(self.text)
        if m:
            self.lo_closed = m.group(1) == "["
            self.hi_closed = m.group(4) == "]"
            self.lo = parse_fraction(m.group(2))
            self.hi = parse_fraction(m.group(3))
            if self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed)):
                raise ValueError(_("empty interval {interval}", interval=repr(self.text)))
        else:
            m = _COMPARE.match(self.text)
            if m:
                op, num = m.group(1), parse_fraction(m.group(2))
                op = {"≥": ">=", "≤": "<=", "==": "="}.get(op, op)
                if op == ">":
                    self.lo, self.lo_closed = num, False
                elif op == ">=":
                    self.lo = num
                elif op == "<":
                    self.hi, self.hi_closed = num, False
                elif op == "<=":
                    self.hi = num
                else:
                    self.lo = self.hi = num
            else:
                try:
                    num = parse_fraction(self.text)
                except ValueError:
                    raise ValueError(_("expected an interval such as [0..1], (1..5], >10 or 3, found {value}", value=repr(self.text))) from None
                self.lo = self.hi = num
        for b in (self.lo, self.hi):
            if b is not None:
                bound_code(b)

    def contains(self, v: Fraction) -> bool:
        if self.lo is not None and (v < self.lo or (v == self.lo and not self.lo_closed)):
            return False
        if self.hi is not None and (v > self.hi or (v == self.hi and not self.hi_closed)):
            return False
        return True

    def condition(self, field: str) -> tuple:
        """The engine condition "field's value lies in this interval"."""
        parts = []
        if self.lo is not None:
            parts.append(cmp(field, "gte" if self.lo_closed else "gt", bound_code(self.lo)))
        if self.hi is not None:
            parts.append(cmp(field, "lte" if self.hi_closed else "lt", bound_code(self.hi)))
        if not parts:
            parts.append(cmp(field, "gte", -(2**62)))
        return all_of(*parts)

    def negation(self, field: str) -> tuple:
        """The engine condition "field's value lies outside this interval" (the field present)."""
        parts = []
        if self.lo is not None:
            parts.append(cmp(field, "lt" if self.lo_closed else "lte", bound_code(self.lo)))
        if self.hi is not None:
            parts.append(cmp(field, "gt" if self.hi_closed else "gte", bound_code(self.hi)))
        if not parts:
            return cmp(field, "lt", -(2**62))
        return any_of(*parts)

    def overlaps(self, other: "Interval") -> bool:
        lo_a, lo_b = self.lo, other.lo
        # a point test on the grid is enough for 3-decimal bounds
        candidates = {b for b in (self.lo, self.hi, other.lo, other.hi) if b is not None}
        probe = set()
        for c in candidates:
            probe.update({c, c + Fraction(1, 2000), c - Fraction(1, 2000)})
        if not probe:
            return True
        del lo_a, lo_b
        return any(self.contains(p) and other.contains(p) for p in probe)

    def __repr__(self) -> str:
        return self.text


def fields_read(cond: tuple) -> set[str]:
    """The fact fields a condition reads (a fact's other fields cannot change its outcome)."""
    return set(bounds_compared(cond))


def bounds_compared(cond: tuple, out: dict[str, set[int]] | None = None) -> dict[str, set[int]]:
    """The constants a condition compares each field with ({field: {int}}; added to `out` if given).

    Every comparison is a field against a constant, so two values of a field that lie on the same side
    of each of its constants, or on the same constant, satisfy exactly the same comparisons."""
    out = {} if out is None else out
    if cond[0] == "cmp":
        out.setdefault(cond[1], set()).add(cond[3])
    else:
        for c in cond[1]:
            bounds_compared(c, out)
    return out


def evaluate(cond: tuple, fact: dict) -> bool:
    """Evaluate a condition on a fact in Python (the reference backend's matcher)."""
    tag = cond[0]
    if tag == "cmp":
        _, field, op, value = cond
        if field not in fact:
            return False
        x = fact[field]
        if op == "eq":
            return x == value
        if op == "lt":
            return x < value
        if op == "lte":
            return x <= value
        if op == "gt":
            return x > value
        return x >= value
    if tag == "and":
        return all(evaluate(c, fact) for c in cond[1])
    if tag == "or":
        return any(evaluate(c, fact) for c in cond[1])
    raise ValueError(f"unknown condition {cond!r}")


def to_durable(cond: tuple) -> dict:
    """Translate a condition to durable_rules' JSON pattern syntax."""
    tag = cond[0]
    if tag == "cmp":
        _, field, op, value = cond
        if op == "eq":
            return {field: value}
        return {_DURABLE_OP[op]: {field: value}}
    if tag == "and":
        return {"$and": [to_durable(c) for c in cond[1]]}
    if tag == "or":
        return {"$or": [to_durable(c) for c in cond[1]]}
    raise ValueError(f"unknown condition {cond!r}")
