"""Exact numbers: parsing shares and weights, and display rounding.

Scores are kept as :class:`fractions.Fraction` everywhere; rounding happens only for display, half-up
to 2 decimals, apportioned top-down by largest remainder so that displayed parts add up to the
displayed whole (brief: "Scores are exact").
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from math import lcm
from typing import Sequence

from .i18n import _

CENT = Fraction(1, 100)
ONE = Fraction(1)
"""1 as a shared object: a credit in full, tested by identity first (``credit is ONE``) where it is
computed for every fired rule."""

# Fraction arithmetic runs in Python and builds a normalised Fraction (a gcd) per operation: scoring
# builds its values from integers once, through a table of the values already built (the same few
# hundred credits and points recur from unit to unit; a Fraction is immutable).
_SHARED: dict[tuple, Fraction] = {}
_SHARED_MAX = 16384


def fraction(n: int, d: int) -> Fraction:
    """Fraction(n, d) of two ints, shared with earlier results of the same n and d (1 is :data:`ONE`).

    Only for ints: (2.0, 4) equals (2, 4) as a key, but Fraction(2.0, 4) is an error.

    Raises:
        ZeroDivisionError: d == 0 (as Fraction does).
    """
    key = (n, d)
    f = _SHARED.get(key)
    if f is None:
        f = Fraction(n, d)
        if f._numerator == 1 and f._denominator == 1:
            f = ONE
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[key] = f
    return f


def is_one(v) -> bool:
    """v == 1, read from a Fraction's terms (Fraction's == is a Python call; in lowest terms n/d is 1
    exactly when n == d)."""
    return v._numerator == v._denominator if type(v) is Fraction else v == 1


_PERCENT = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*[%％]\s*$")
_RATIO = re.compile(r"^\s*([+-]?\d+)\s*/\s*(\d+)\s*$")
_DECIMAL = re.compile(r"^\s*[+-]?\d+(?:\.\d+)?\s*$")


def parse_fraction(value: object) -> Fraction:
    """Parse a share or weight written as the rubric writes it.

    Accepts "50%", "12.5%", "1/3", "0.5", 2, 0.25 (floats through their decimal text, so 0.1 is 1/10).

    Returns:
        Fraction: "50%" -> 1/2, "1/3" -> 1/3, 2 -> 2.

    Raises:
        ValueError: text that is none of these forms, or a zero denominator.
    """
    if isinstance(value, bool):
        raise ValueError(_("expected a number, found {value}", value=repr(value)))
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, str):
        m = _PERCENT.match(value)
        if m:
            return Fraction(m.group(1)) / 100
        m = _RATIO.match(value)
        if m:
            if int(m.group(2)) == 0:
                raise ValueError(_("zero denominator in {value}", value=repr(value)))
            return Fraction(int(m.group(1)), int(m.group(2)))
        if _DECIMAL.match(value):
            return Fraction(value.strip())
    raise ValueError(_("expected a number such as 50%, 1/3 or 0.5, found {value}", value=repr(value)))


class ValueMemo:
    """A bounded memo of a function of exact numbers (each table cleared when it reaches `limit`).

    The same few hundred shares and points recur in every unit's audit and report, mostly as the very
    same Fraction objects: looked up first by the object's id (the entry holds the object, so that its
    id cannot be reused while cached), then by (numerator, denominator), a pair of ints that hashes far
    faster than a Fraction (whose hash takes a modular inverse). Other numbers (floats) are not cached.
    """

    __slots__ = ("_compute", "_limit", "_by_id", "_by_pair")

    def __init__(self, compute, limit: int = 16384) -> None:
        self._compute, self._limit = compute, limit
        self._by_id: dict[int, tuple[object, object]] = {}
        self._by_pair: dict[tuple[int, int], object] = {}

    def __call__(self, value):
        hit = self._by_id.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        try:
            key = (value.numerator, value.denominator)
        except AttributeError:
            return self._compute(value)
        out = self._by_pair.get(key)
        if out is None:
            out = self._compute(value)
            if len(self._by_pair) >= self._limit:
                self._by_pair.clear()
            self._by_pair[key] = out
        if len(self._by_id) >= self._limit:
            self._by_id.clear()
        self._by_id[id(value)] = (value, out)
        return out


def exact_str(value: Fraction) -> str:
    """Exact text of a fraction: "1.8" when it has a finite decimal form, else "20/3" (memoised)."""
    return _EXACT(value)


def _exact_text(value: Fraction) -> str:
    num, den = value.numerator, value.denominator
    d, twos, fives = den, 0, 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return f"{num}/{den}"
    places = max(twos, fives)
    if places == 0:
        return str(num)
    scaled = num * (10**places) // den  # exact: den divides 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    return sign + text


_EXACT = ValueMemo(lambda v: _exact_text(Fraction(v)))


def half_up_steps(value: Fraction, places: int = 2) -> int:
    """`value` in steps of 10**-places, rounded half away from zero (2.345 -> 235, -2.345 -> -235)."""
    if type(value) is not Fraction:
        value = Fraction(value)
    # integer arithmetic: |value| x scale = q + r/den with 0 <= r < den; half-up is 2r >= den
    n = value._numerator * 10**places
    den = value._denominator
    q, r = divmod(-n if n < 0 else n, den)
    if 2 * r >= den:
        q += 1
    return -q if n < 0 else q


def round_half_up(value: Fraction, places: int = 2) -> Fraction:
    """Round half away from zero to `places` decimals (2.345 -> 2.35, -2.345 -> -2.35)."""
    return on_grid(half_up_steps(value, places), places)


class _Grid(dict):
    """steps -> Fraction(steps, 100), filled on first use: display values repeat from unit to unit, and
    a Fraction is immutable, so they are shared (a hit is a plain dict lookup)."""

    def __missing__(self, steps: int) -> Fraction:
        f = Fraction(steps, 100)
        if len(self) < 100_000:
            self[steps] = f
        return f


_CENTS = _Grid()


def on_grid(steps: int, places: int = 2) -> Fraction:
    """steps x 10**-places as a Fraction (hundredths shared: 235 -> 2.35)."""
    return _CENTS[steps] if places == 2 else Fraction(steps, 10**places)


def apportion(total: Fraction, parts: Sequence[Fraction], places: int = 2) -> list[Fraction]:
    """Round `parts` to `places` decimals so that they add up to the already rounded `total`.

    Largest remainder: each part is floored to the grid, then the missing steps go to the parts with the
    largest remainders, ties to the earlier part (rule-file order). Three parts of 10/3 with total 10
    give 3.34, 3.33, 3.33.

    Args:
        total: the displayed (rounded) value of the whole.
        parts: exact values whose exact sum rounds to `total`.

    Returns:
        One rounded value per part, summing exactly to `total`.
    """
    scale = 10**places
    # Integer arithmetic on the grid: part p = (floor + r/den) / scale with 0 <= r < den; remainders are
    # compared exactly as integers over the common denominator of the parts.
    floors: list[int] = []
    rems: list[int] = []
    dens: list[int] = []
    for p in parts:
        if type(p) is not Fraction:
            p = Fraction(p)
        den = p._denominator  # the slots: a Fraction's numerator and denominator properties are Python calls
        q, r = divmod(p._numerator * scale, den)
        floors.append(q)
        rems.append(r)
        dens.append(den)
    t = total if type(total) is Fraction else Fraction(total)
    tn, td = t._numerator * scale, t._denominator
    if tn % td:
        raise ValueError(f"cannot apportion to {total}: it has more than {places} decimals")
    k = tn // td - sum(floors)
    n = len(floors)
    if k < 0 or k > n:
        # the total is not a rounding of the parts' sum: nothing to apportion consistently
        raise ValueError(f"cannot apportion {total} over parts summing to {sum(parts, Fraction(0))}")
    if k == n:
        floors = [f + 1 for f in floors]
    elif k:
        common = lcm(*dens)
        weighted = [r * (common // den) for r, den in zip(rems, dens)]
        # largest remainder first; sorted() is stable, reverse=True too, so equal remainders keep the
        # earlier part first
        order = sorted(range(n), key=weighted.__getitem__, reverse=True)
        for i in order[:k]:
            floors[i] += 1
    if scale == 100:
        cents = _CENTS
        return [cents[f] for f in floors]
    return [Fraction(f, scale) for f in floors]


def fmt2(value: Fraction) -> str:
    """Display text with exactly 2 decimals of an already rounded value ("3.30", "-0.40")."""
    scaled = Fraction(value) * 100
    n = scaled.numerator // scaled.denominator if scaled >= 0 else -((-scaled.numerator) // scaled.denominator)
    sign = "-" if n < 0 else ""
    n = abs(n)
    return f"{sign}{n // 100}.{n % 100:02d}"
