"""The durable_rules backend (the client's engine), designed around its sharp edges.

- One long-lived Host per process, without the polling threads its default Host starts and never
  stops (:class:`_QuietHost`); never shared across threads (a lock guards it; worker processes each
  get their own).
- A compiled rule set is registered once per process under its content hash; the same rule set again
  (as tests do) reuses it, since a name cannot be registered twice or unregistered.
- Rulesets are given as JSON definitions, never with the module-level ``durable.lang`` syntax.
- Facts are asserted one at a time (batched ``assert_facts`` runs some actions later on a background
  thread). MessageNotHandledException means the fact matched no rule: recorded. Each fact has a
  unique id, so MessageObservedException (an identical fact) cannot hide a fact.
- An exception inside an action is swallowed by durable into the state's 'exception' key: checked
  after every assert and raised as the unit's error.
- At most 1024 live sessions per ruleset: one unit at a time per process, ``delete_state`` in a
  finally; fact ids are checked for 32-bit hash collisions in :func:`facts.build_facts`.
- Literals are integers only (:mod:`govscore.core.conditions`).
- Actions only record (rule index, fact id); nothing is counted in engine state.
"""

from __future__ import annotations

import itertools
import threading

from durable import engine as _durable

from ..conditions import to_durable
from ..errors import EvidenceError
from .base import EngineOutcome


class _QuietHost(_durable.Host):
    """A durable Host that starts no dispatch/timer polling threads (we never use timers)."""

    def _run(self) -> None:  # noqa: D401 - overriding durable's thread starter
        return None

    def get_action(self, action_name):  # actions are passed as callables, never by name
        raise KeyError(action_name)


class DurableEngine:
    """durable_rules behind the :class:`~govscore.core.engine.base.Engine` interface."""

    name = "durable"
    _shared: "DurableEngine | None" = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self._host = _QuietHost()
        self._registered: set[str] = set()
        self._lock = threading.Lock()
        self._fired: list[tuple[int, str]] = []
        self._sids = itertools.count(1)

    @classmethod
    def shared(cls) -> "DurableEngine":
        """The process's single engine (one Host per process)."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def _action(self, index: int):
        fired = self._fired

        def action(c):
            fired.append((index, c.m["id"]))
        return action

    def prepare(self, compiled) -> None:
        name = compiled.engine_hash
        with self._lock:
            if name in self._registered:
                return
            definition = {}
            for r in compiled.rules:
                pattern = {"$and": [{"i": r.owner}, {"l": r.list}, to_durable(r.condition)]}
                definition[f"r{r.index}"] = {"all": [{"m": pattern}], "run": self._action(r.index)}
            if not definition:
                definition["r_none"] = {"all": [{"m": {"i": "\u0000never"}}], "run": lambda c: None}
            self._host.register_rulesets({name: definition})
            self._registered.add(name)

    def evaluate(self, compiled, unit_facts) -> EngineOutcome:
        self.prepare(compiled)
        name = compiled.engine_hash
        out = EngineOutcome()
        with self._lock:
            self._fired.clear()
            sid = unit_facts.facts[0]["sid"] if unit_facts.facts else str(next(self._sids))
            try:
                for fact in unit_facts.facts:
                    try:
                        state = self._host.assert_fact(name, fact)
                    except _durable.MessageNotHandledException:
                        out.unmatched.append(fact["id"])
                        continue
                    except _durable.MessageObservedException:
                        # durable drops a fact whose id hashes like an earlier one: never lose it silently
                        raise EvidenceError("fact {id} was not taken by the engine: another fact of this unit has the same "
                                            "id hash", {"id": fact["id"]}, None, unit_facts.work.unit.id) from None
                    if isinstance(state, dict) and state.get("exception"):
                        raise EvidenceError("a rule action failed: {reason}", {"reason": str(state["exception"]).split(", traceback")[0]},
                                            None, unit_facts.work.unit.id)
                out.fired = list(self._fired)
            finally:
                self._fired.clear()
                try:
                    self._host.delete_state(name, sid)
                except Exception:  # deleting a session that never got a fact
                    pass
        return out.normalised()
