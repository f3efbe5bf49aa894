"""The engine interface: which rules fire on a unit's facts.

An engine receives a compiled rule set once (:meth:`Engine.prepare`) and then one unit's facts at a
time (:meth:`Engine.evaluate`), and returns the fired rules as (rule index, fact id) pairs plus the
facts no rule matched. Points are never counted inside an engine: effects are aggregated in Python
afterwards (:mod:`govscore.core.aggregate`), so both backends must only agree on what fired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(eq=False)
class EngineOutcome:
    """What fired for one unit: (rule index, fact id) pairs, and the ids of the facts no rule matched.

    A pair is a tuple of an int and a str, each pair once, in any order: scoring reads the pairs as a set
    (and lists a rule's facts in the order of their items), so an engine need not sort them (sorting
    some eighty pairs a unit was 2% of the scoring time, 135K instructions). Two outcomes are equal
    when they hold the same pairs and the same unmatched facts, in whatever order; :meth:`normalised`
    gives them sorted."""

    fired: list[tuple[int, str]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    def normalised(self) -> "EngineOutcome":
        """The same outcome with its pairs and unmatched facts sorted, each once."""
        return EngineOutcome(sorted(set(self.fired)), sorted(set(self.unmatched)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EngineOutcome):
            return NotImplemented
        return set(self.fired) == set(other.fired) and set(self.unmatched) == set(other.unmatched)

    __hash__ = None  # mutable, as a dataclass with eq


class Engine(Protocol):
    """A rule-evaluation backend ("durable" or "reference")."""

    name: str

    def prepare(self, compiled) -> None:
        """Register the compiled rule set (idempotent: the same rule set again is reused)."""

    def evaluate(self, compiled, unit_facts) -> EngineOutcome:
        """Assert one unit's facts and return what fired.

        Raises:
            EvidenceError: an action raised (reported as that unit's error, never swallowed).
        """


def make_engine(name: str):
    """The engine called `name` ("durable", the default, or "reference").

    Raises:
        ValueError: an unknown name.
    """
    if name == "durable":
        from .durable import DurableEngine

        return DurableEngine.shared()
    if name == "reference":
        from .reference import ReferenceEngine

        return ReferenceEngine()
    raise ValueError(f"unknown engine {name!r}: durable or reference")
