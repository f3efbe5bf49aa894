"""Typed observations: the building blocks of every indicator's evidence model.

An evaluator writes an observation bare (``broken_links: 2``) or with its provenance
(``broken_links: {value: 2, source: "https://...", checked_at: 2023-11-20, note: "..."}``).
Provenance is split off before validation (:func:`split_provenance`) and travels into the audit trail.

Types (rubric-2023.md, Terms):
- :data:`Judgement`: the evaluator's judgment, true/false or a fraction 0-1 of the criterion.
- :data:`Count`: a non-negative whole number.
- :data:`Flag` / :data:`ProblemCount`: problem observations; absent means false / 0.
- :data:`Checklist`: named items present or not (a mapping item -> yes/no, or a list of present items).
- :data:`Level`: an ordinal level 0..n.
- :data:`Day`, :data:`Timestamp`: Asia/Shanghai dates and date-times.
Every other observation, when absent, is None: listed as missing and earning nothing.
"""

from __future__ import annotations

import datetime as _dt
import re
from fractions import Fraction
from typing import Annotated, Any, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import core_schema

from .dates import parse_date, parse_timestamp
from .i18n import _
from .numbers import ONE, parse_fraction

# each word with its opposite (对/错, on/off: YAML 1.1 reads a bare on/off as yes/no, a quoted one is text)
TRUE_WORDS = {"true", "yes", "y", "on", "是", "有", "对", "√", "✓", "1", "t", "符合", "达标"}
FALSE_WORDS = {"false", "no", "n", "off", "否", "无", "没有", "错", "×", "✗", "0", "f", "不符合", "未达标"}
PROVENANCE_KEYS = {"source", "checked_at", "note"}


class ObsKind:
    """Marker placed in a type's metadata so that templates and docs know what an observation is."""

    def __init__(self, name: str, problem: bool = False) -> None:
        self.name = name
        self.problem = problem

    def __repr__(self) -> str:
        return f"ObsKind({self.name!r})"


def found(value: Any) -> str:
    """A value as an error message shows it: written as typed ('maybe', 0.5), and an empty cell or a
    YAML null as the word for nothing (not Python's None)."""
    return _("nothing (empty)") if value is None else repr(value)


def to_bool(value: Any) -> bool:
    """Read yes/no as written by hand: true/false, 是/否, 1/0, yes/no.

    Raises:
        ValueError: anything else (e.g. 0.5 or "maybe").
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, float) and value in (0.0, 1.0):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
    raise ValueError(_("expected yes/no (true/false, 是/否), found {value}", value=found(value)))


_JUDGEMENT_WORDS = TRUE_WORDS | FALSE_WORDS - {"0", "1"}
# Fractions are immutable: the yes/no judgements (most of them) share these two instead of building new ones.
_ZERO, _ONE = Fraction(0), ONE  # 1 is the credit in full that scoring tests by identity first


_JUDGEMENTS: dict[tuple, Fraction] = {}
"""Judgements already read from a float or a text (0.5, "50%"): reading one builds a Fraction from its
decimal text, in Python; a run's evidence holds a few distinct ones, and a Fraction is immutable."""


def _judgement(value: Any) -> Fraction:
    t = type(value)
    if t is float or t is str:
        key = (t, value)  # by type: 1.0 and "1" are equal to none of the other's kind
        frac = _JUDGEMENTS.get(key)
        if frac is None:
            frac = _read_judgement(value)
            if len(_JUDGEMENTS) >= 4096:
                _JUDGEMENTS.clear()
            _JUDGEMENTS[key] = frac
        return frac
    return _read_judgement(value)


def _read_judgement(value: Any) -> Fraction:
    if isinstance(value, (bool,)) or (isinstance(value, str) and value.strip().lower() in _JUDGEMENT_WORDS):
        return _ONE if to_bool(value) else _ZERO
    try:
        frac = parse_fraction(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise ValueError(_("expected yes/no or a fraction between 0 and 1, found {value}", value=found(value))) from None
    if not 0 <= frac <= 1:
        raise ValueError(_("a fraction must lie between 0 and 1, found {value}", value=found(value)))
    return frac


_WHOLE_TEXT = re.compile(r"^[+-]?\d{1,12}(?:\.0*)?$")
MAX_COUNT = 10**12
"""The largest count accepted (a larger one is a typing slip, and would only slow exact arithmetic)."""


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(_("expected a whole number, found {value}", value=found(value)))
    if isinstance(value, str):
        text = value.strip()
        # plain digits only ("3", "3.0"): no exponents or ratios, which Fraction would expand
        # ("1e400000000" takes minutes) or divide by zero ("1/0")
        if not _WHOLE_TEXT.match(text):
            raise ValueError(_("expected a whole number, found {value}", value=repr(value[:40])))
        value = Fraction(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("expected a whole number, found {value}", value=found(value)))
        value = int(value)
    if isinstance(value, Fraction):
        if value.denominator != 1:
            raise ValueError(_("expected a whole number, found {value}", value=str(value)))
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(_("expected a whole number, found {value}", value=found(value)[:40]))
    if value > MAX_COUNT:
        raise ValueError(_("expected a whole number, found {value}", value=found(value)[:40]))
    if value < 0:
        raise ValueError(_("a count cannot be negative, found {value}", value=str(value)))
    return value


def _checklist(value: Any) -> dict[str, bool]:
    if isinstance(value, dict):
        return {str(k): to_bool(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return {str(item): True for item in value}
    if isinstance(value, str):
        items = [p.strip() for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()]
        return {item: True for item in items}
    raise ValueError(_("expected a checklist (item: yes/no, or a list of items present), found {value}", value=found(value)))


# The validators below run for every observation of every unit: each is one function (no lambda around
# a helper) and answers the common values (None, a bool, a small whole number) before the general path.

def _optional_judgement(value: Any) -> Fraction | None:
    if value is None:
        return None
    if value is True:
        return _ONE
    if value is False:
        return _ZERO
    return _judgement(value)


def _count_or(missing: int | None):
    """The validator of a count: `missing` when not written (None, or 0 for a problem count)."""
    def check(value: Any) -> int | None:
        if value is None:
            return missing
        if type(value) is int and 0 <= value <= MAX_COUNT:  # the common case, as _count would return it
            return value
        return _count(value)
    return check


def _bool_or(missing: bool):
    """The validator of a yes/no: `missing` when not written (False for a problem flag, True for
    "applicable")."""
    def check(value: Any) -> bool:
        if value is None:
            return missing
        if value is True or value is False:
            return value
        return to_bool(value)
    return check


def _optional_checklist(value: Any) -> dict[str, bool] | None:
    return None if value is None else _checklist(value)


_DAYS: dict[str, _dt.date] = {}
"""ISO date texts already read (a run's evidence holds a few hundred distinct days; a date is immutable)."""


def _optional_day(value: Any) -> _dt.date | None:
    if value is None:
        return None
    if type(value) is str:
        day = _DAYS.get(value)
        if day is not None:
            return day
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:  # parse_date's own first step, without the call
                day = _dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                if len(_DAYS) >= 4096:
                    _DAYS.clear()
                _DAYS[value] = day
                return day
    return parse_date(value)


def _optional_timestamp(value: Any) -> _dt.datetime | None:
    return None if value is None else parse_timestamp(value)


_count_check, _problem_count_check = _count_or(None), _count_or(0)
_flag_check, _applicable_check = _bool_or(False), _bool_or(True)

Judgement = Annotated[Optional[Fraction], BeforeValidator(_optional_judgement), ObsKind("judgement")]
Count = Annotated[Optional[int], BeforeValidator(_count_check), ObsKind("count")]
Level = Annotated[Optional[int], BeforeValidator(_count_check), ObsKind("level")]
Flag = Annotated[bool, BeforeValidator(_flag_check), ObsKind("flag", problem=True)]
ProblemCount = Annotated[int, BeforeValidator(_problem_count_check), ObsKind("count", problem=True)]
Checklist = Annotated[Optional[dict[str, bool]], BeforeValidator(_optional_checklist), ObsKind("checklist")]
Day = Annotated[Optional[_dt.date], BeforeValidator(_optional_day), ObsKind("date")]
Timestamp = Annotated[Optional[_dt.datetime], BeforeValidator(_optional_timestamp), ObsKind("timestamp")]
Applicable = Annotated[bool, BeforeValidator(_applicable_check), ObsKind("applicable")]

_STRICT_BOOL = core_schema.bool_schema(strict=True)
_STRICT_COUNT = core_schema.int_schema(strict=True, ge=0, le=MAX_COUNT)
FAST_FORMS: dict[Any, Any] = {
    to_bool: _STRICT_BOOL, _flag_check: _STRICT_BOOL, _applicable_check: _STRICT_BOOL,
    _count_check: _STRICT_COUNT, _problem_count_check: _STRICT_COUNT,
    # an ISO date text, read by pydantic-core as date.fromisoformat reads it
    _optional_day: core_schema.chain_schema([core_schema.str_schema(strict=True, pattern=r"^\d{4}-\d{2}-\d{2}$"),
                                            core_schema.date_schema()]),
}
"""Validators (the functions of BeforeValidator) -> a core schema that accepts the usual form of their
input (true and false; a whole number from 0 to MAX_COUNT; "2023-05-25") and gives what the validator
gives for it, in pydantic-core itself. The one-call parse of well-formed units (facts._Prepared) tries it
first and calls the validator, a Python call, only for any other input; the checked path, which reports
errors, runs the validators alone."""


class Observations(BaseModel):
    """Base of an indicator's evidence model: one field per observation of rubric-2023.md.

    Non-problem fields default to None (missing); problem fields default to False / 0.
    Unknown observation names are errors (extra="forbid").
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=False)


class Item(BaseModel):
    """Base of a list item's model (a consultation message, a repost check, an account)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


def split_provenance(raw: dict) -> tuple[dict, dict]:
    """Split ``{obs: value | {value, source, checked_at, note}}`` into (values, provenance).

    Returns:
        (values by observation name, provenance dicts by observation name).
    """
    values: dict = {}
    prov: dict = {}
    for name, val in raw.items():
        if isinstance(val, dict) and "value" in val and set(val) - {"value"} <= PROVENANCE_KEYS:
            values[name] = val["value"]
            p = {k: (v.isoformat() if isinstance(v, (_dt.date, _dt.datetime)) else v) for k, v in val.items() if k != "value"}
            prov[name] = p
        else:
            values[name] = val
    return values, prov


def obs_kind(model: type[BaseModel], field: str) -> ObsKind | None:
    """The :class:`ObsKind` marker of `field` in `model`, or None for plain fields (lists, nested models)."""
    info = model.model_fields.get(field)
    if info is None:
        return None
    for meta in info.metadata:
        if isinstance(meta, ObsKind):
            return meta
    return None


def is_problem(model: type[BaseModel], field: str) -> bool:
    """True when `field` is a problem observation (absent means false / 0, never missing)."""
    kind = obs_kind(model, field)
    return bool(kind and kind.problem) or (kind is not None and kind.name == "applicable")
