"""Evidence derivations: raw dated evidence -> observations, run before facts are built.

A derivation is contributed through the ``register_derivations`` hook. It receives the unit's working
evidence (:class:`govscore.core.facts.UnitWork`) and the run context, and sets derived observations
and per-item fields, each with the audit details that explain it (e.g. the weeks without a post).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Derivation:
    """A named function that derives observations for the indicators it serves.

    Attributes:
        name: unique name, e.g. ``"consultation.elapsed_working_days"``.
        indicators: ids of the indicators whose observations it sets; it runs only when one of them
            is in the rule set.
        derive: ``derive(work: UnitWork, context: RunContext) -> None``; may raise EvidenceError.
        description: one sentence shown by ``govscore plugins``.
    """

    name: str
    indicators: tuple[str, ...]
    derive: Callable
    description: str = ""
