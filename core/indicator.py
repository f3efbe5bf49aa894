"""What an indicator plugin contributes: :class:`IndicatorSpec` and the list models it owns."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator (a leaf of the rubric) as a plugin declares it.

    Attributes:
        id: the stable id of rubric-2023.md, e.g. ``"disclosure.overview"``; rule files refer to it.
        evidence: the pydantic model of the observations recorded for it (subclass of
            :class:`govscore.core.observations.Observations`).
        rule_kinds: names of the rule kinds its rules may use; empty means any registered kind.
        lists: list-valued observations whose items become facts of their own, by observation name
            -> the item model (e.g. ``{"messages": Message}``); items are matched by ``list`` rules.
        uses_accounts: True when the indicator reads the unit-level new-media accounts.
        derived: observations a derivation computes (``"one_account_per_platform"``) and derived item
            fields (``"messages.elapsed_working_days"``); evaluators do not write them.
        display_name: the Chinese name, for messages when no rule file names it.
    """

    id: str
    evidence: type[BaseModel]
    rule_kinds: tuple[str, ...] = ()
    lists: dict = field(default_factory=dict)
    uses_accounts: bool = False
    derived: tuple[str, ...] = ()
    display_name: str = ""
