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

from ..compile import LEAF_LIST
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
            fired.append((index, c.fid))
        return action

    def prepare(self, compiled) -> None:
        name = compiled.engine_hash
        with self._lock:
            if name in self._registered:
                return
            prefixes = _leaf_prefixes(compiled)
            definition = {}
            actions = {}
            for r in compiled.rules:
                if r.list == LEAF_LIST:
                    # every indicator's observations travel in one fact, each field under its indicator's prefix
                    pattern = {"$and": [{"l": LEAF_LIST}, to_durable(_prefixed(r.condition, prefixes[r.owner]))]}
                else:
                    pattern = {"$and": [{"i": r.owner}, {"l": r.list}, to_durable(r.condition)]}
                action = self._action(r.index)
                definition[f"r{r.index}"] = {"all": [{"m": pattern}], "run": action}
                actions[f"r{r.index}"] = (action, r.index, r.owner if r.list == LEAF_LIST else None)
            if not definition:
                definition["r_none"] = {"all": [{"m": {"i": "\u0000never"}}], "run": lambda c: None}
            self._host.register_rulesets({name: definition})
            self._registered.add(name)
            self._actions[name] = (actions, prefixes)

    def evaluate(self, compiled, unit_facts) -> EngineOutcome:
        """Assert the unit's facts and run the fired actions in this thread.

        The indicators' own facts (list "_") are asserted as one fact whose fields carry their
        indicator's prefix (``3_reply_days``), and the conditions of their rules were prefixed the same
        way in :meth:`prepare`: one assertion instead of ~27 for the same matches, and the fired rule
        names its indicator, hence its fact id. List items (messages, accounts, repost checks) stay one
        fact each; items whose fields are identical (24 repost checks that all passed) are asserted
        once: a rule's pattern reads one fact only, so an identical fact fires exactly the same rules,
        and the outcome lists every id.

        The C engine is driven directly (assert_fact, start_action_for_state, complete_and_start_action):
        the Python Host would build a Closure, serialise the session state to JSON and parse it back for
        every fired action, which cost more than the matching itself. Rules have one pattern each, so the
        actions pending after an assertion all belong to the fact just asserted; an action's message is
        parsed only if the action reads ``c.m``.
        """
        self.prepare(compiled)
        name = compiled.engine_hash
        handle = self._host.get_ruleset(name)._handle
        actions, prefixes = self._actions[name]
        out = EngineOutcome()
        with self._lock:
            self._fired.clear()
            sid = unit_facts.facts[0]["sid"] if unit_facts.facts else str(next(self._sids))
            merged: dict = {}
            leaf_ids: dict[str, str] = {}
            groups: dict[str, list[str]] = {}
            for fact in unit_facts.facts:
                if fact["l"] == LEAF_LIST and fact["i"] in prefixes:
                    if not merged:
                        merged.update(i=_MERGED, l=LEAF_LIST, id=fact["id"], sid=sid)
                    leaf_ids[fact["i"]] = fact["id"]
                    prefix = prefixes[fact["i"]]
                    for k, v in fact.items():
                        if k not in _RESERVED:
                            merged[prefix + k] = v
                    continue
                body = json.dumps({k: v for k, v in fact.items() if k != "id"}, ensure_ascii=False)
                ids = groups.get(body)
                if ids is None:
                    groups[body] = ids = []
                ids.append(fact["id"])
            pending = [(json.dumps(merged, ensure_ascii=False), None)] if merged else []
            pending += [(body[:-1] + ', "id": ' + json.dumps(ids[0]) + "}", ids) for body, ids in groups.items()]
            hit: set[str] = set()
            try:
                for text, ids in pending:
                    result = _C.assert_fact(handle, text)
                    code = result[0]
                    if code == 1:  # matched no rule
                        continue
                    if code == 2:
                        # durable drops a fact whose id hashes like an earlier one: never lose it silently
                        raise EvidenceError("fact {id} was not taken by the engine: another fact of this unit has the same "
                                            "id hash", {"id": ids[0] if ids else merged["id"]}, None, unit_facts.work.unit.id)
                    state = result[1] if code == 0 else 0
                    started = _C.start_action_for_state(handle, state)
                    message = started[1] if started else None
                    while message:
                        action, index, owner = actions[message[2:message.index('"', 2)]]
                        fid = leaf_ids[owner] if owner is not None else ids[0]
                        hit.add(owner if owner is not None else fid)
                        try:
                            action(_Context(message, fid, prefixes.get(owner)))
                        except Exception as exc:
                            try:
                                _C.abandon_action(handle, state)
                            except Exception:  # noqa: BLE001 - the session is deleted below anyway
                                pass
                            raise EvidenceError("a rule action failed: {reason}", {"reason": f"exception caught {exc}"},
                                                None, unit_facts.work.unit.id) from None
                        message = _C.complete_and_start_action(handle, state)
                twins = {ids[0]: ids for ids in groups.values() if len(ids) > 1}
                fired = list(self._fired)
                if twins:
                    fired = [(idx, twin) for idx, fid in fired for twin in twins.get(fid, (fid,))]
                out.fired = fired
                out.unmatched = [fid for owner, fid in leaf_ids.items() if owner not in hit]
                out.unmatched += [fid for ids in groups.values() if ids[0] not in hit for fid in ids]
            finally:
                self._fired.clear()
                try:
                    _C.delete_state(handle, sid)
                except Exception:  # deleting a session that never got a fact
                    pass
        return out.normalised()


_MERGED = "_indicators"
_RESERVED = frozenset({"i", "l", "id", "sid"})


def _leaf_prefixes(compiled) -> dict[str, str]:
    """Indicator id -> the prefix of its fields in the merged fact ("0_", "1_", ... in rule-set order)."""
    return {lf.id: f"{k}_" for k, lf in enumerate(compiled.leaves)}


def _prefixed(cond: tuple, prefix: str) -> tuple:
    if cond[0] == "cmp":
        return ("cmp", prefix + cond[1], cond[2], cond[3])
    return (cond[0], [_prefixed(c, prefix) for c in cond[1]])


class _Context:
    """What an action receives: ``c.fid``, the matched fact's id, and ``c.m``, the matched fact as its
    rule reads it (durable's Content: a missing key reads None), parsed from the message on first use."""

    __slots__ = ("_message", "fid", "_prefix", "_m")

    def __init__(self, message: str, fid: str, prefix: str | None) -> None:
        self._message, self.fid, self._prefix, self._m = message, fid, prefix, None

    @property
    def m(self):
        if self._m is None:
            (body,) = json.loads(self._message).values()
            fact = body["m"] if "m" in body else body
            if self._prefix is not None:  # the indicator's own fields, without the merged fact's prefix
                n = len(self._prefix)
                fact = dict({k: fact[k] for k in ("sid", "l") if k in fact}, id=self.fid,
                            **{k[n:]: v for k, v in fact.items() if k.startswith(self._prefix)})
            self._m = _durable.Content(fact)
        return self._m
