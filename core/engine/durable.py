"""The durable_rules backend (the client's engine), designed around its sharp edges.

- One long-lived Host per process, without the polling threads its default Host starts and never
  stops (:class:`_QuietHost`); never shared across threads (a lock guards it; worker processes each
  get their own).
- A compiled rule set is registered once per process under its content hash; the same rule set again
  (as tests do) reuses it, since a name cannot be registered twice or unregistered.
- Rulesets are given as JSON definitions, never with the module-level ``durable.lang`` syntax.
- Facts are asserted one at a time through the C engine's own calls, and the fired actions are run
  here, in this thread (batched ``assert_facts`` and the Host's dispatch run some actions later on a
  background thread, and its per-action JSON round trip of the session state cost more than matching).
  "Not handled" means the fact matched no rule: recorded. Each fact has a unique id, so an "observed"
  (identical) fact cannot hide a fact; facts with identical fields are asserted once and the outcome
  lists all their ids.
- An exception inside an action is raised as the unit's error, never swallowed.
- At most 1024 live sessions per ruleset: one unit at a time per process, ``delete_state`` in a
  finally; fact ids are checked for 32-bit hash collisions in :func:`facts.build_facts`.
- Literals are integers only (:mod:`govscore.core.conditions`).
- Actions only record (rule index, fact id); nothing is counted in engine state.
"""

from __future__ import annotations

import itertools
import json
import threading

from durable import engine as _durable

from ..conditions import to_durable
from ..errors import EvidenceError
from .base import EngineOutcome

_C = _durable.durable_rules_engine


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
        self._actions: dict[str, dict] = {}

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
            actions = {}
            for r in compiled.rules:
                pattern = {"$and": [{"i": r.owner}, {"l": r.list}, to_durable(r.condition)]}
                action = self._action(r.index)
                definition[f"r{r.index}"] = {"all": [{"m": pattern}], "run": action}
                actions[f"r{r.index}"] = action
            if not definition:
                definition["r_none"] = {"all": [{"m": {"i": "\u0000never"}}], "run": lambda c: None}
                actions["r_none"] = lambda c: None
            self._host.register_rulesets({name: definition})
            self._registered.add(name)
            self._actions[name] = actions

    def evaluate(self, compiled, unit_facts) -> EngineOutcome:
        """Assert the unit's facts one at a time and run the fired actions in this thread.

        The C engine is driven directly (assert_fact, start_action_for_state, complete_and_start_action):
        the Python Host would build a Closure, serialise the session state to JSON and parse it back for
        every fired action, which cost more than the matching itself. Facts whose fields are identical
        (24 repost checks that all passed) are asserted once: a rule's pattern reads one fact only, so
        an identical fact fires exactly the same rules, and the outcome lists every fact id.
        """
        self.prepare(compiled)
        name = compiled.engine_hash
        handle = self._host.get_ruleset(name)._handle
        actions = self._actions[name]
        out = EngineOutcome()
        with self._lock:
            self._fired.clear()
            sid = unit_facts.facts[0]["sid"] if unit_facts.facts else str(next(self._sids))
            groups: dict[tuple, list[str]] = {}
            first: list[dict] = []
            for fact in unit_facts.facts:
                key = tuple(sorted((k, v) for k, v in fact.items() if k != "id" and k != "sid"))
                ids = groups.get(key)
                if ids is None:
                    groups[key] = ids = []
                    first.append(fact)
                ids.append(fact["id"])
            twins = {ids[0]: ids for ids in groups.values() if len(ids) > 1}
            try:
                for fact in first:
                    result = _C.assert_fact(handle, json.dumps(fact, ensure_ascii=False))
                    code = result[0]
                    if code == 1:  # matched no rule
                        out.unmatched.extend(twins.get(fact["id"], (fact["id"],)))
                        continue
                    if code == 2:
                        # durable drops a fact whose id hashes like an earlier one: never lose it silently
                        raise EvidenceError("fact {id} was not taken by the engine: another fact of this unit has the same "
                                            "id hash", {"id": fact["id"]}, None, unit_facts.work.unit.id)
                    state = result[1] if code == 0 else 0
                    started = _C.start_action_for_state(handle, state)
                    message = started[1] if started else None
                    while message:
                        for action_name, m in json.loads(message).items():
                            try:
                                actions[action_name](_Context(m))
                            except Exception as exc:
                                try:
                                    _C.abandon_action(handle, state)
                                except Exception:  # noqa: BLE001 - the session is deleted below anyway
                                    pass
                                raise EvidenceError("a rule action failed: {reason}", {"reason": f"exception caught {exc}"},
                                                    None, unit_facts.work.unit.id) from None
                        message = _C.complete_and_start_action(handle, state)
                fired = list(self._fired)
                if twins:
                    fired = [(idx, twin) for idx, fid in fired for twin in twins.get(fid, (fid,))]
                out.fired = fired
            finally:
                self._fired.clear()
                try:
                    _C.delete_state(handle, sid)
                except Exception:  # deleting a session that never got a fact
                    pass
        return out.normalised()


class _Context:
    """What an action receives: ``c.m``, the matched fact (durable's Content: a missing key reads None)."""

    __slots__ = ("m",)

    def __init__(self, message: dict) -> None:
        self.m = _durable.Content(message["m"] if "m" in message else message)
