"""The pure-Python reference backend: the same compiled rules, matched by :func:`conditions.evaluate`.

It is the oracle the durable backend is tested against (both must fire exactly the same rules) and
the floor of the benchmark.
"""

from __future__ import annotations

from ..conditions import evaluate
from .base import EngineOutcome


class ReferenceEngine:
    """Evaluates every compiled rule against every fact of its (owner, list) selector."""

    name = "reference"

    def __init__(self) -> None:
        self._index: dict[str, dict] = {}

    def prepare(self, compiled) -> None:
        if compiled.engine_hash in self._index:
            return
        by_sel: dict = {}
        for r in compiled.rules:
            by_sel.setdefault((r.owner, r.list), []).append(r)
        self._index[compiled.engine_hash] = by_sel

    def evaluate(self, compiled, unit_facts) -> EngineOutcome:
        self.prepare(compiled)
        by_sel = self._index[compiled.engine_hash]
        out = EngineOutcome()
        for fact in unit_facts.facts:
            hit = False
            for r in by_sel.get((fact["i"], fact["l"]), ()):
                if evaluate(r.condition, fact):
                    out.fired.append((r.index, fact["id"]))
                    hit = True
            if not hit:
                out.unmatched.append(fact["id"])
        return out  # each pair once, in fact order (EngineOutcome: any order)
