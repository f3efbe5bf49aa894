"""The engine interface: which rules fire on a unit's facts.

An engine receives a compiled rule set once (:meth:`Engine.prepare`) and then one unit's facts at a
time (:meth:`Engine.evaluate`), and returns the fired rules as (rule index, fact id) pairs plus the
facts no rule matched. Points are never counted inside an engine: effects are aggregated in Python
afterwards (:mod:`govscore.core.aggregate`), so both backends must only agree on what fired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class EngineOutcome:
    """What fired for one unit: sorted (rule index, fact id) pairs, and unmatched fact ids.

    A pair is a tuple of an int and a str, each pair once: :meth:`normalised` sorts them and drops
    repeats, and scoring puts them in a set and sorts them."""

    fired: list[tuple[int, str]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    def normalised(self) -> "EngineOutcome":
        return EngineOutcome(sorted(set(self.fired)), sorted(self.unmatched))


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
