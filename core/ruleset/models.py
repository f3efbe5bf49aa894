"""Pydantic models of rule files (``extra="forbid"``: a misspelt key is an error with its line).

A rule set is a folder: ``ruleset.yaml`` (name, extends, run defaults, scoring settings) and one file per
level-1 category holding that category's indicators. Shares are written as the rubric writes them
("50%") or as fractions ("1/3"); weights in points.
"""

from __future__ import annotations

import datetime as _dt
from fractions import Fraction
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ..i18n import _
from ..numbers import parse_fraction


def _frac(v: Any) -> Fraction:
    try:
        return parse_fraction(v)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _share(v: Any) -> Fraction:
    f = _frac(v)
    if f < 0:
        raise ValueError(_("a share cannot be negative, found {value}", value=repr(v)))
    if f > 1:
        raise ValueError(_("a share cannot exceed 100%, found {value}", value=repr(v)))
    return f


def _weight(v: Any) -> Fraction:
    f = _frac(v)
    if f < 0:
        raise ValueError(_("a weight is written as a positive number of points, found {value}", value=repr(v)))
    return f


Share = Annotated[Fraction, BeforeValidator(_share)]
Points = Annotated[Fraction, BeforeValidator(_weight)]
Number = Annotated[Fraction, BeforeValidator(_frac)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class SourceNote(Strict):
    """Where the source rubric is itself off, and how this rule set reads it (shown by validate)."""

    defect: Optional[int] = None
    says: str
    reading: str

    @field_validator("says")
    @classmethod
    def _no_closing_stop(cls, v: str) -> str:
        """The quotation without its closing full stop: messages go on after it ("...100%; this rule
        set reads ..."), and a stop left there doubles the punctuation ("100%。；")."""
        return v.rstrip().rstrip("。.；;，,").rstrip()


class Applicability(Strict):
    """Key-area indicators a unit may not be assessed on (说明: 该项分值平均分配到其他指标)."""

    observation: str = "applicable"
    redistribute: bool = True


class IndicatorModel(Strict):
    """One leaf indicator.

    Attributes:
        weight: points; None only where the source gives none (the leaf then records, scores 0).
        cap: for a deduction leaf, the most it can deduct (default: its weight).
        criteria, deductions, vetoes: rule entries; each has ``id``, ``kind`` and the kind's parameters.
    """

    id: str
    name: str
    group: Optional[str] = None
    weight: Optional[Points] = None
    description: Optional[str] = None
    normalise_shares: bool = False
    applicability: Optional[Applicability] = None
    cap: Optional[Points] = None
    criteria: list[dict] = Field(default_factory=list)
    deductions: list[dict] = Field(default_factory=list)
    vetoes: list[dict] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)
    source_notes: list[SourceNote] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if "." not in v:
            raise ValueError(_("an indicator id reads category.name, e.g. disclosure.overview, found {value}", value=repr(v)))
        return v


class CategoryHeader(Strict):
    """A level-1 category (一级指标)."""

    id: str
    name: str
    kind: Literal["base", "bonus", "deduction"] = "base"
    weight: Optional[Points] = None
    declared_totals: list[Points] = Field(default_factory=list)
    cap: Optional[Points] = None
    order: int = 0
    source_notes: list[SourceNote] = Field(default_factory=list)


class CategoryFile(Strict):
    """One rule file: a category and its indicators (a child rule set may give indicators only)."""

    category: Optional[CategoryHeader] = None
    indicators: list[dict] = Field(default_factory=list)


class Period(Strict):
    start: _dt.date
    end: _dt.date


class RunDefaults(Strict):
    """Defaults of a scoring run: evaluated period and monitoring date (监测时间点)."""

    period: Optional[Period] = None
    as_of: Optional[_dt.date] = None


class Normalisation(Strict):
    """How a non-applicable indicator's weight moves (rubric 说明: 平均分配到“政府信息公开”其他指标)."""

    policy: str = "even"


class Scoring(Strict):
    """Totals and floors of the aggregate."""

    base_total: Optional[Points] = None
    final_floor: Optional[Number] = Fraction(0)
    normalisation: Normalisation = Field(default_factory=Normalisation)


class RuleSetHeader(Strict):
    """``ruleset.yaml``."""

    name: str
    title: Optional[str] = None
    extends: Optional[str] = None
    files: Optional[list[str]] = None
    run: RunDefaults = Field(default_factory=RunDefaults)
    calendar: list[str] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)
    scoring: Scoring = Field(default_factory=Scoring)
    source_notes: list[SourceNote] = Field(default_factory=list)
