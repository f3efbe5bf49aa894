"""Exact numbers: parsing shares and weights, and display rounding.

Scores are kept as :class:`fractions.Fraction` everywhere; rounding happens only for display, half-up
to 2 decimals, apportioned top-down by largest remainder so that displayed parts add up to the
displayed whole (brief: "Scores are exact").
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from fractions import Fraction
from typing import Sequence

from .i18n import _

CENT = Fraction(1, 100)

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


@lru_cache(maxsize=16384)
def exact_str(value: Fraction) -> str:
    """Exact text of a fraction: "1.8" when it has a finite decimal form, else "20/3".

    Cached: the same few shares and points recur in every unit's audit and report.
    """
    value = Fraction(value)
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


def round_half_up(value: Fraction, places: int = 2) -> Fraction:
    """Round half away from zero to `places` decimals (2.345 -> 2.35, -2.345 -> -2.35)."""
    scaled = Fraction(value) * (10**places)
    sign = -1 if scaled < 0 else 1
    scaled = abs(scaled)
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(sign * whole, 10**places)


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
    # Integer arithmetic on the grid: part p = (floor + r) / scale with 0 <= r < 1; a remainder is
    # compared as the exact fraction r = (num*scale mod den) / den.
    floors: list[int] = []
    rems: list[Fraction] = []
    for p in parts:
        p = Fraction(p)
        q, r = divmod(p.numerator * scale, p.denominator)
        floors.append(q)
        rems.append(Fraction(r, p.denominator))
    t = Fraction(total) * scale
    if t.denominator != 1:
        raise ValueError(f"cannot apportion to {total}: it has more than {places} decimals")
    k = t.numerator - sum(floors)
    if k < 0 or k > len(parts):
        # the total is not a rounding of the parts' sum: nothing to apportion consistently
        raise ValueError(f"cannot apportion {total} over parts summing to {sum(parts, Fraction(0))}")
    order = sorted(range(len(parts)), key=lambda i: (-rems[i], i))
    for i in order[:k]:
        floors[i] += 1
    return [Fraction(f, scale) for f in floors]


def fmt2(value: Fraction) -> str:
    """Display text with exactly 2 decimals of an already rounded value ("3.30", "-0.40")."""
    scaled = Fraction(value) * 100
    n = scaled.numerator // scaled.denominator if scaled >= 0 else -((-scaled.numerator) // scaled.denominator)
    sign = "-" if n < 0 else ""
    n = abs(n)
    return f"{sign}{n // 100}.{n % 100:02d}"
