"""A test plugin: the ``t.*`` indicators that the small rule sets under tests/rulesets use.

Every indicator shares one evidence model (:class:`Obs`) holding one observation of each type, so a
rule set can exercise any rule kind on any of them. The plugin also registers the test rule sets by
name, so ``extends:`` by name can be tested.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated, Optional

from pydantic import BeforeValidator

from govscore.core.hookspecs import hookimpl
from govscore.core.indicator import IndicatorSpec
from govscore.core.numbers import parse_fraction
from govscore.core.observations import (Applicable, Checklist, Count, Day, Flag, Item, Judgement, Level,
                                        ObsKind, Observations, ProblemCount, to_bool)

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"

# a plugin may declare its own observation types
Num = Annotated[Optional[Fraction], BeforeValidator(lambda v: None if v is None else parse_fraction(v)), ObsKind("number")]
YesNo = Annotated[Optional[bool], BeforeValidator(lambda v: None if v is None else to_bool(v)), ObsKind("yesno")]


class Message(Item):
    days: Count = None
    answered: YesNo = None


class Check(Item):
    ok: YesNo = None


class Obs(Observations):
    a: Judgement = None
    b: Judgement = None
    c: Judgement = None
    done: Judgement = None
    docs: Checklist = None
    answered: Count = None
    correct: Count = None
    sampled: Count = None
    level: Level = None
    days: Count = None
    rate: Num = None
    verified: YesNo = None
    errors: ProblemCount = 0
    broken: Flag = False
    bad: Flag = False
    updated_on: Day = None
    applicable: Applicable = True
    msgs: Optional[list] = None
    checks: Optional[list] = None


IDS = (
    # award kinds
    "t.judged", "t.checklist", "t.ratio_const", "t.ratio_obs", "t.ordinal",
    # bands and lists
    "t.bands_first", "t.bands_unique", "t.msgs", "t.checks",
    # deductions and vetoes
    "t.deduct", "t.veto", "t.stale",
    # categories, caps, floor
    "t.base1", "t.bonus1", "t.bonus2", "t.pen1", "t.pen2",
    # display rounding
    "t.third1", "t.third2", "t.third3", "t.half1", "t.half2",
    # normalisation
    "t.n1", "t.n2", "t.n3", "t.n4", "t.n5",
    # normalise_shares
    "t.shares", "t.noshares",
)


@hookimpl
def register_indicators(register):
    for ind in IDS:
        register(IndicatorSpec(id=ind, evidence=Obs, lists={"msgs": Message, "checks": Check}, display_name=ind))


@hookimpl
def register_rulesets(register):
    register("test-normalise-even", RULESETS / "normalise_even")
