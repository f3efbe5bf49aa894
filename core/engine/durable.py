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
- A part of a unit's facts (an indicator's fields, a list item's fields) that repeats one already
  matched in the process, or whose values lie in the same places among the constants the rules compare
  them with, is answered from a memo of what durable fired on it (:meth:`DurableEngine.evaluate`).
- At most 1024 live sessions per ruleset, and a new session costs more than matching a unit (durable
  clears memory for every rule): one session at a time per process, shared by
  :data:`UNITS_PER_SESSION` units in turn, then deleted; deleted at once after a unit that fails. Fact
  ids are checked for 32-bit hash collisions within a unit in :func:`facts.build_facts`; when one
  collides with an earlier unit's in the shared session, durable refuses it as already observed, and
  the unit is asserted again in a new session.
- At most 64 rule patterns may fire on one fact (a 65th fails with error 303 and can corrupt memory):
  the indicators' facts are merged only into facts of at most 32 patterns, and a rule set with one
  indicator over 64 is refused (:func:`_merge_groups`).
- Literals are integers only (:mod:`govscore.core.conditions`).
- Actions only record (rule index, fact id); nothing is counted in engine state.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import product, repeat

from durable import engine as _durable

from ..compile import LEAF_LIST
from ..conditions import EXACT_CODES, bounds_compared, to_durable
from ..errors import EvidenceError, RuleSetError
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

    def __init__(self, memo: bool = True) -> None:
        """Args:
            memo: answer a part already asserted in this process (an indicator's fields, a list
                item's fields, as the rules read them) with what durable fired on it then.
        """
        self._host = _QuietHost()
        self._use_memo = memo
        self.parts_asserted = 0
        """Parts (an indicator's fields, a group of list items) durable matched, over the engine's life."""
        self.parts_remembered = 0
        """Parts answered from the memo instead."""
        self._registered: set[str] = set()
        self._lock = threading.Lock()
        self._fired: list[tuple[int, str]] = []
        self._sids = itertools.count(1)
        self._actions: dict[str, dict] = {}
        self._sessions: dict[str, list] = {}  # rule set -> [session id, units asserted in it]

    @classmethod
    def shared(cls) -> "DurableEngine":
        """The process's single engine (one Host per process)."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def forget(self) -> None:
        """Empty the memo of fired rules (what the next unit's parts are answered from): the benchmark
        measures each pass from an empty memo, as a run of its own would start."""
        with self._lock:
            for prep in self._actions.values():
                if prep.memo is not None:
                    prep.memo.clear()

    def _action(self, index: int):
        fired = self._fired

        def action(c):
            fired.append((index, c.fid))
        return action

    def prepare(self, compiled) -> None:
        """Register the compiled rule set (once per process; the same rule set again is reused).

        Raises:
            RuleSetError: one indicator or list has more rule patterns than durable_rules can fire
                on one fact (:data:`PATTERNS_PER_FACT_LIMIT`); the reference engine has no such limit.
        """
        name = compiled.engine_hash
        with self._lock:
            if name in self._registered:
                return
            prefixes = _leaf_prefixes(compiled)
            groups = _merge_groups(compiled)
            definition = {}
            actions = {}
            own_recorder = type(self)._action is DurableEngine._action
            for r in compiled.rules:
                if r.list == LEAF_LIST:
                    # indicators' observations travel in a few merged facts, each field under its indicator's prefix
                    pattern = {"$and": [{"i": groups[r.owner]}, {"l": LEAF_LIST}, to_durable(_prefixed(r.condition, prefixes[r.owner]))]}
                else:
                    pattern = {"$and": [{"i": r.owner}, {"l": r.list}, to_durable(r.condition)]}
                action = self._action(r.index)
                definition[f"r{r.index}"] = {"all": [{"m": pattern}], "run": action}
                # the plain recorder is inlined in evaluate(); an overriding action is called
                actions[f"r{r.index}"] = (None if own_recorder else action, r.index, r.owner if r.list == LEAF_LIST else None)
            if not definition:
                definition["r_none"] = {"all": [{"m": {"i": "\u0000never"}}], "run": lambda c: None}
            self._host.register_rulesets({name: definition})
            self._registered.add(name)
            reads = compiled.fields_read  # the fields each (owner, list)'s rules read, sorted
            leaf_fields = {owner: fields for (owner, lst), fields in reads.items() if lst == LEAF_LIST}
            leaf_plan = {owner: tuple((k, json.dumps(prefixes[owner] + k, ensure_ascii=False) + ": ") for k in fields)
                         for owner, fields in leaf_fields.items()}
            item_fields = {sel: fields for sel, fields in reads.items() if sel[1] != LEAF_LIST}
            # the constant parts of each fact's text, as json.dumps would write them
            heads = {sel: _head(*sel) for sel in item_fields}
            heads.update((group, _head(group, LEAF_LIST)) for group in set(groups.values()))
            quoted = {sel: tuple(json.dumps(k, ensure_ascii=False) + ": " for k in fields) for sel, fields in item_fields.items()}
            # what durable fired on a part already asserted is reused only when every action is the plain
            # recorder: an overriding action must see each fact
            memo = {} if (own_recorder and self._use_memo) else None
            # per (owner, list): the sorted constants each field it reads is compared with, in the order of
            # the fields (see _classes)
            compared: dict[tuple, dict] = {}
            for r in compiled.rules:
                bounds_compared(r.condition, compared.setdefault((r.owner, r.list), {}))
            bounds = {sel: tuple(tuple(sorted(compared.get(sel, {}).get(f, ()))) for f in fields) for sel, fields in reads.items()}
            self._actions[name] = _Prepared(actions, prefixes, leaf_plan, item_fields, groups, heads, quoted, memo, leaf_fields,
                                            {owner: b for (owner, lst), b in bounds.items() if lst == LEAF_LIST},
                                            {sel: b for sel, b in bounds.items() if sel[1] != LEAF_LIST})

    def evaluate(self, compiled, unit_facts) -> EngineOutcome:
        """Assert the unit's facts and record the fired rules, in this thread.

        Only the fields some rule reads are asserted (a condition depends on nothing else), so:

        - the indicators' own facts (list "_") go in merged into a few facts (consecutive indicators,
          at most :data:`PATTERNS_PER_MERGED_FACT` rule patterns each), every field under its
          indicator's prefix (``3_reply_days``), the conditions of their rules prefixed the same way in
          :meth:`prepare`: a few assertions (four for 2023) instead of ~27 for the same matches, and a fired rule names
          its indicator, hence its fact id;
        - list items (messages, accounts, repost checks) go in one fact each, but items that agree on
          every field their rules read (24 repost checks all on time) go in once: they fire exactly the
          same rules, and the outcome lists every id;
        - the same reasoning across units: a part (an indicator's fields, a group of list items) whose
          fields equal a part asserted earlier in this process is answered with the rules durable fired
          on that one (rules have one pattern each, and nothing else in a fact or session can change
          whether a pattern matches); so is a part whose values lie in the same places among the
          constants their fields are compared with (:func:`_classes`: every comparison is a field
          against a constant, so such values satisfy the same comparisons; a date of 2023 against a
          rule's one cutoff has two places, not 365 values). 99% of parts are answered so over a
          process's first 1,000 bench units (bench/RESULTS.md); the rest are asserted as above. Only
          when every action is the plain recorder: an overriding action sees every fact.
          ``DurableEngine(memo=False)`` asserts every part.

        The C engine is driven directly (assert_fact, start_action_for_state, complete_and_start_action):
        the Python Host would build a Closure, serialise the session state to JSON and parse it back for
        every fired action, which cost more than the matching itself. Rules have one pattern each, so the
        actions pending after an assertion all belong to the fact just asserted.
        """
        self.prepare(compiled)
        name = compiled.engine_hash
        handle = self._host.get_ruleset(name)._handle
        prep = self._actions[name]
        actions, prefixes = prep.actions, prep.prefixes
        out = EngineOutcome()
        with self._lock:
            memo = prep.memo
            if memo is not None and len(memo) >= MEMO_ENTRIES:
                memo.clear()
            fired: list[tuple[int, str]] = []  # what the memo answered
            leaf_ids: dict[str, str] = {}
            groups: dict[tuple, list[str]] = {}
            # merged fact -> (its id: its first indicator's fact id, "field": value pieces)
            merged: dict[str, tuple[str, list[str]]] = {}
            learn: list[tuple] = []  # (memo key, its places, fact id) of the parts asserted: what fired on them is kept
            hit: set[str] = set()  # the facts some rule fired on
            remembered = parts = 0
            leaf_plan, item_fields, leaf_group, leaf_fields = prep.leaf_plan, prep.item_fields, prep.groups, prep.leaf_fields
            leaf_bounds, item_bounds = prep.leaf_bounds, prep.item_bounds
            for fact in unit_facts.facts:
                owner = fact["i"]
                if fact["l"] == LEAF_LIST and owner in prefixes:
                    fid = leaf_ids[owner] = fact["id"]
                    plan = leaf_plan.get(owner)
                    if plan:
                        parts += 1
                        if memo is not None:
                            # (LEAF_LIST keeps an indicator's keys apart from its list items' keys)
                            key = (owner, LEAF_LIST, *map(fact.get, leaf_fields[owner]))
                            if _KEY_TYPES.issuperset(map(type, key)):
                                known = memo.get(key)
                                if known is None:  # new values: perhaps in known places
                                    known = _by_place(memo, key, leaf_bounds[owner], learn, fid)
                                if known is not None:
                                    remembered += 1
                                    if known:
                                        fired.extend(zip(known, repeat(fid)))
                                        hit.add(fid)
                                    continue
                        group = leaf_group[owner]
                        pieces = merged.setdefault(group, (fid, []))[1]
                        for k, quoted in plan:
                            v = fact.get(k)
                            if v is not None:
                                pieces.append(quoted + (str(v) if type(v) is int else json.dumps(v, ensure_ascii=False)))
                    continue
                sel = (owner, fact["l"])
                key = sel + tuple(map(fact.get, item_fields.get(sel, ())))  # None: absent
                ids = groups.get(key)
                if ids is None:
                    groups[key] = ids = []
                ids.append(fact["id"])
            # the facts' texts, without their session (the "sid" field goes last)
            pending: list[tuple[str, list[str] | None]] = []
            heads, quoted = prep.heads, prep.quoted
            for group, (first, pieces) in merged.items():
                pending.append((heads[group] + json.dumps(first, ensure_ascii=False) + "".join([", " + piece for piece in pieces]) + ", ",
                                None))
            twins = {}  # first id -> all ids, of the groups asserted
            parts += len(groups)
            for key, ids in groups.items():
                if memo is not None and _KEY_TYPES.issuperset(map(type, key)):
                    known = memo.get(key)
                    if known is None:
                        known = _by_place(memo, key, item_bounds.get(key[:2], ()), learn, ids[0])
                    if known is not None:
                        remembered += 1
                        if known:
                            fired.extend(product(known, ids))
                            hit.add(ids[0])
                        continue
                if len(ids) > 1:
                    twins[ids[0]] = ids
                sel = key[:2]
                text = [heads[sel] if sel in heads else _head(*sel), json.dumps(ids[0], ensure_ascii=False)]
                for q, v in zip(quoted.get(sel, ()), key[2:]):
                    if v is not None:
                        text.append(", " + q + (str(v) if type(v) is int else json.dumps(v, ensure_ascii=False)))
                text.append(", ")
                pending.append(("".join(text), ids))
            try:
                if pending:
                    asserted: set[str] = set()
                    try:
                        self._assert_all(handle, name, pending, actions, prefixes, leaf_ids, asserted, unit_facts, fresh=False)
                    except _Collision:
                        # a fact id hashed like one of an earlier unit's in the session: again, in a new
                        # session (fresh: the old one is deleted first)
                        asserted.clear()
                        self._assert_all(handle, name, pending, actions, prefixes, leaf_ids, asserted, unit_facts, fresh=True)
                    hit |= asserted
                    if learn:
                        by_fact: dict[str, list[int]] = {}
                        for index, fid in self._fired:
                            by_fact.setdefault(fid, []).append(index)
                        for key, place, fid in learn:
                            memo[key] = memo[place] = tuple(by_fact.get(fid, ()))
                    if twins:
                        fired += [(idx, twin) for idx, fid in self._fired for twin in twins.get(fid, (fid,))]
                    else:
                        fired += self._fired
                self.parts_remembered += remembered
                self.parts_asserted += parts - remembered
                out.fired = fired
                out.unmatched = [fid for fid in leaf_ids.values() if fid not in hit]
                out.unmatched += [fid for ids in groups.values() if ids[0] not in hit for fid in ids]
            except BaseException:
                self._end_session(handle, name)  # nothing of a failed unit stays pending
                raise
            finally:
                self._fired.clear()
        return out  # in the order found: scoring reads the pairs as a set (EngineOutcome)

    def _session(self, handle, name: str, fresh: bool) -> str:
        """The session the next unit's facts go in: units share one, for :data:`UNITS_PER_SESSION`
        units (a new session costs more than matching a unit: durable clears its per-rule memory)."""
        current = self._sessions.get(name)
        if current is not None and (fresh or current[1] >= UNITS_PER_SESSION):
            self._end_session(handle, name)
            current = None
        if current is None:
            current = self._sessions[name] = [f"govscore-session-{next(self._sids)}", 0]
        current[1] += 1
        return current[0]

    def _end_session(self, handle, name: str) -> None:
        current = self._sessions.pop(name, None)
        if current is not None:
            try:
                _C.delete_state(handle, current[0])
            except Exception:  # a session that never got a fact
                pass

    def _assert_all(self, handle, name, pending, actions, prefixes, leaf_ids, hit, unit_facts, fresh: bool) -> None:
        """Assert one unit's facts in the current session and record what fired (in ``self._fired``).

        Raises:
            _Collision: durable refused a fact as a duplicate in a session that holds earlier units.
            EvidenceError: a fact refused in a session of its own unit only; a rule action that raised.
        """
        fired = self._fired
        fired.clear()
        sid = self._session(handle, name, fresh)
        shared = self._sessions[name][1] > 1
        tail = json.dumps(sid) + "}"
        key_sid = '"sid": '
        for text, ids in pending:
            result = _C.assert_fact(handle, text + key_sid + tail)
            code = result[0]
            if code == 1:  # matched no rule
                continue
            if code == 2:
                if shared:
                    raise _Collision()
                # durable drops a fact whose id hashes like an earlier one: never lose it silently
                raise EvidenceError("fact {id} was not taken by the engine: another fact of this unit has the same "
                                    "id hash", {"id": ids[0] if ids else next(iter(leaf_ids.values()))}, None,
                                    unit_facts.work.unit.id)
            state = result[1] if code == 0 else 0
            started = _C.start_action_for_state(handle, state)
            message = started[1] if started else None
            while message:
                action, index, owner = actions[message[2:message.index('"', 2)]]
                fid = leaf_ids[owner] if owner is not None else ids[0]
                hit.add(fid)
                if action is None:
                    fired.append((index, fid))
                else:
                    try:
                        action(_Context(message, fid, prefixes.get(owner), unit_facts.facts[0]["sid"]))
                    except Exception as exc:
                        try:
                            _C.abandon_action(handle, state)
                        except Exception:  # noqa: BLE001 - the session is deleted by the caller
                            pass
                        raise EvidenceError("a rule action failed: {reason}", {"reason": f"exception caught {exc}"},
                                            None, unit_facts.work.unit.id) from None
                message = _C.complete_and_start_action(handle, state)


class _Collision(Exception):
    """A fact id of this unit hashed like an earlier unit's in the same session."""


UNITS_PER_SESSION = 64
"""Units whose facts share one durable session before it is deleted and a new one started: bounds
the facts a session holds (durable keeps asserted facts until their session is deleted)."""


@dataclass(frozen=True)
class _Prepared:
    """A registered rule set: action name -> (overriding action or None, rule index, indicator of a
    leaf rule or None); indicator -> field prefix; indicator -> (field, its JSON key in the merged fact)
    for each field its rules read; (owner, list) of list items -> the fields their rules read; indicator
    -> the merged fact it travels in; (owner, list) or merged fact -> the start of its facts' text
    (:func:`_head`); (owner, list) -> the JSON keys of the fields its rules read; the memo of fired
    rules by part (None: every part is asserted); indicator -> the fields its rules read, in order;
    indicator, and (owner, list) of list items -> per field read, the sorted constants its rules compare
    it with (:func:`_classes`)."""

    actions: dict
    prefixes: dict
    leaf_plan: dict
    item_fields: dict
    groups: dict
    heads: dict
    quoted: dict
    memo: dict | None
    leaf_fields: dict
    leaf_bounds: dict
    item_bounds: dict


def _classes(values: tuple, bounds: tuple) -> tuple:
    """Each integer value as its place among the constants its field is compared with: 2i between the
    i-th and (i+1)-th constant (0 below all), 2i + 1 on the (i+1)-th; None and text as they are.

    A memo key: two parts whose values have the same places satisfy exactly the same comparisons, so
    durable fires the same rules on them (the dates of 2023 fall into a handful of places where each
    date alone would be a key of its own). Only for values durable compares exactly as Python does
    (below :data:`~govscore.core.conditions.EXACT_CODES`; durable saturates a value beyond 64 bits): a
    larger one stays itself, which no place number (at most twice the constants, plus one) can equal."""
    return tuple([bisect_left(b, v) + bisect_right(b, v) if (type(v) is int and -EXACT_CODES < v < EXACT_CODES) else v
                  for v, b in zip(values, bounds)])


def _by_place(memo: dict, key: tuple, bounds: tuple, learn: list, fid: str) -> tuple | None:
    """What fired on a part whose exact key (owner, list, values...) the memo lacks, by its places
    (:func:`_classes`; the key then remembered too), or None, the part listed in `learn` under both keys
    for durable to answer."""
    place = (0, *key[:2], *_classes(key[2:], bounds))  # 0: apart from every exact key, which starts with its owner
    known = memo.get(place)
    if known is None:
        learn.append((key, place, fid))
    else:
        memo[key] = known
    return known


_KEY_TYPES = frozenset({int, str, type(None)})
"""The types of a memo key's items: its owner and list, and the codes of :func:`facts._encode_into`
(integers, or None for an absent field). A part with a value of any other type is always asserted:
Python's equality makes True == 1 == 1.0 == Fraction(1) while their JSON differs, and a list cannot
be a key at all."""

MEMO_ENTRIES = 65536
"""Parts (an indicator's fields, a list item's fields) whose fired rules a process keeps per rule
set; the memo starts afresh when full."""


def _head(owner: str, lst: str) -> str:
    """The start of a fact's text, up to its id: ``{"i": <owner>, "l": <list>, "id": ``."""
    return '{"i": ' + json.dumps(owner, ensure_ascii=False) + ', "l": ' + json.dumps(lst, ensure_ascii=False) + ', "id": '


PATTERNS_PER_FACT_LIMIT = 64
"""durable_rules 2.0.28 fails ("Could not assert fact, error code: 303") and can corrupt its memory
when more than 64 rule patterns fire on one fact (measured on a bare Host: 64 fire, 65 fail)."""
PATTERNS_PER_MERGED_FACT = 32
"""The indicators merged into one fact carry at most this many rule patterns (half the limit), so
that even a unit on which every rule fires stays clear of it."""


def _patterns(cond: tuple) -> int:
    """How many alternative patterns durable makes of a condition (an "or" is one pattern per branch)."""
    if cond[0] == "cmp":
        return 1
    counts = [_patterns(c) for c in cond[1]]
    return sum(counts) if cond[0] == "or" else math.prod(counts)


def _merge_groups(compiled) -> dict[str, str]:
    """Indicator id -> the merged fact ("_indicators.0", ...) it travels in: consecutive indicators
    whose rules have at most :data:`PATTERNS_PER_MERGED_FACT` patterns together share one.

    Raises:
        RuleSetError: an indicator, or a list's items, with more patterns than durable can fire on one fact.
    """
    per_selector: dict[tuple[str, str], int] = {}
    for r in compiled.rules:
        per_selector[(r.owner, r.list)] = per_selector.get((r.owner, r.list), 0) + _patterns(r.condition)
    for (owner, lst), n in per_selector.items():
        if n > PATTERNS_PER_FACT_LIMIT:
            raise RuleSetError("the rules of {owner} ({list}) make {n} patterns, more than the durable engine can match on one "
                               "fact ({limit}); split the indicator, or score with --engine reference",
                               {"owner": owner, "list": lst, "n": n, "limit": PATTERNS_PER_FACT_LIMIT})
    groups: dict[str, str] = {}
    number, used = 0, 0
    for lf in compiled.leaves:
        n = per_selector.get((lf.id, LEAF_LIST), 0)
        if used and used + n > PATTERNS_PER_MERGED_FACT:
            number, used = number + 1, 0
        groups[lf.id] = f"_indicators.{number}"
        used += n
    return groups


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

    __slots__ = ("_message", "fid", "_prefix", "_m", "_sid")

    def __init__(self, message: str, fid: str, prefix: str | None, sid: str) -> None:
        self._message, self.fid, self._prefix, self._m, self._sid = message, fid, prefix, None, sid

    @property
    def m(self):
        if self._m is None:
            (body,) = json.loads(self._message).values()
            fact = body["m"] if "m" in body else body
            if self._prefix is not None:  # the indicator's own fields, without the merged fact's prefix
                n = len(self._prefix)
                fact = dict({k: fact[k] for k in ("sid", "l") if k in fact}, id=self.fid,
                            **{k[n:]: v for k, v in fact.items() if k.startswith(self._prefix)})
            if "sid" in fact:  # the unit's own session id, not that of the engine session its facts went in
                fact = dict(fact, sid=self._sid)
            self._m = _durable.Content(fact)
        return self._m
