"""Facts per unit: validated, derived and encoded evidence, ready for either engine backend.

Steps for one unit: :func:`parse_unit` validates the raw evidence against each indicator's evidence
model (every problem reported with its location), derivations add derived observations, then
:func:`build_facts` encodes one fact per indicator (all its observations as integer fields, see
:mod:`govscore.core.conditions`) and one fact per list item, and lists what is missing.

Fewer, richer facts keep durable_rules fast: about 25 indicator facts plus the list items.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from difflib import get_close_matches
from fractions import Fraction
from typing import Any

from pydantic import ValidationError

from .compile import LEAF_LIST, UNIT_LISTS, UNIT_OWNER, CompiledRuleSet
from .conditions import dcode, ncode
from .errors import ErrorList, EvidenceError, GovscoreError, Location
from .i18n import _
from .evidence import UNIT_ERRORS_KEY, Account, Adjustment, UnitEvidence, UnitInfo
from .observations import is_problem, split_provenance
from .yamlio import describe_pydantic_error, loc_text

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193


@dataclass
class UnitWork:
    """A unit's typed evidence while derivations run.

    Attributes:
        observations: indicator id -> observation name -> typed value (None = not recorded).
        provenance: indicator id -> observation name -> {source, checked_at, note}.
        lists: (owner, list name) -> typed items (dicts); owner is the indicator id, or "_unit" for
            the unit-level accounts.
        details: indicator id -> observation name -> audit detail of a derivation (e.g. missing weeks).
        item_details: (owner, list) -> per-item audit details, same order as the items.
    """

    unit: UnitInfo
    evidence: UnitEvidence
    observations: dict[str, dict[str, Any]] = field(default_factory=dict)
    provenance: dict[str, dict[str, dict]] = field(default_factory=dict)
    lists: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    item_details: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    adjustment_locations: list[Location] = field(default_factory=list)
    provided: dict[str, set] = field(default_factory=dict)

    def error(self, msgid: str, params: dict, path: tuple = (), fld: str | None = None) -> EvidenceError:
        """An EvidenceError for this unit located at `path` inside its evidence."""
        return EvidenceError(msgid, params, self.evidence.locate(path), self.unit.id, fld)

    @property
    def accounts(self) -> list[dict]:
        return self.lists.get((UNIT_OWNER, "accounts"), [])


@dataclass
class UnitFacts:
    """Encoded facts of one unit and the typed values behind each fact id."""

    work: UnitWork
    facts: list[dict]
    values: dict[str, dict]
    fact_items: dict[str, tuple[str, str, int]]
    missing: dict[str, list[str]]
    encoding_errors: list = field(default_factory=list)


def _val_errors(exc: ValidationError, work_unit: str | None, locate, prefix: tuple) -> list[GovscoreError]:
    out = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        msgid, params = describe_pydantic_error(err)
        out.append(EvidenceError(msgid, params, locate(loc), work_unit, loc_text(loc)))
    return out


def _provenance_problems(p: dict) -> list[tuple[str, str]]:
    """What is wrong with one observation's provenance: source and note are text, checked_at a date."""
    from .dates import parse_date

    out = []
    for key in ("source", "note"):
        if key in p and p[key] is not None and not isinstance(p[key], (str, int, float)):
            out.append((key, _("expected text, found {value}", value=type(p[key]).__name__)))
    if p.get("checked_at") is not None:
        try:
            parse_date(p["checked_at"])
        except ValueError as exc:
            out.append(("checked_at", str(exc)))
    return out


def parse_unit(ev: UnitEvidence, compiled: CompiledRuleSet) -> UnitWork:
    """Validate one unit's raw evidence.

    Returns:
        The typed :class:`UnitWork` (derivations not yet run).

    Raises:
        ErrorList of EvidenceError: every problem found, each with file and line (or sheet and
        cell), the unit, the field, what was expected and what was found; unknown indicators and
        observations come with a did-you-mean.
    """
    raw = ev.raw
    errors: list[GovscoreError] = []
    if isinstance(raw, dict) and raw.get(UNIT_ERRORS_KEY):
        # problems the reader found in this unit's own rows (a workbook's list sheets): this unit fails
        errors.extend(raw[UNIT_ERRORS_KEY])
        raw = {k: v for k, v in raw.items() if k != UNIT_ERRORS_KEY}
    if "__invalid__" in raw or not isinstance(raw, dict):
        raise ErrorList([EvidenceError("a unit's evidence is a mapping with unit:, observations: ...", {}, ev.locate(()))])
    unknown_top = sorted(set(raw) - {"unit", "accounts", "observations", "adjustments"})
    for k in unknown_top:
        close = get_close_matches(k, ["unit", "accounts", "observations", "adjustments"], n=1)
        errors.append(EvidenceError("unknown field {field}{hint}", {"field": k, "hint": _(" (did you mean {options}?)", options=close[0]) if close else ""},
                                    ev.locate((k,)), ev.unit_id, k))
    try:
        unit = UnitInfo.model_validate(raw.get("unit") if isinstance(raw.get("unit"), dict) else {})
    except ValidationError as exc:
        errors.extend(_val_errors(exc, ev.unit_id, ev.locate, ("unit",)))
        raise ErrorList(errors) from None
    work = UnitWork(unit, ev)
    uid = unit.id

    accounts_raw = raw.get("accounts") or []
    if not isinstance(accounts_raw, list):
        errors.append(EvidenceError("accounts must be a list of accounts", {}, ev.locate(("accounts",)), uid, "accounts"))
        accounts_raw = []
    accounts = []
    for i, a in enumerate(accounts_raw):
        try:
            accounts.append(Account.model_validate(a if isinstance(a, dict) else {}).model_dump())
        except ValidationError as exc:
            errors.extend(_val_errors(exc, uid, ev.locate, ("accounts", i)))
    work.lists[(UNIT_OWNER, "accounts")] = accounts

    obs_raw = raw.get("observations") or {}
    if not isinstance(obs_raw, dict):
        errors.append(EvidenceError("observations must be a mapping of indicator id to observations", {}, ev.locate(("observations",)), uid, "observations"))
        obs_raw = {}
    known = {lf.id: lf for lf in compiled.leaves}
    for ind_id, values in obs_raw.items():
        ind_id = str(ind_id)
        if ind_id not in known:
            close = get_close_matches(ind_id, list(known), n=1)
            errors.append(EvidenceError("unknown indicator {id}{hint}", {"id": ind_id, "hint": _(" (did you mean {options}?)", options=close[0]) if close else ""},
                                        ev.locate(("observations", ind_id)), uid, ind_id))
            continue
        if values is None:
            values = {}
        if not isinstance(values, dict):
            errors.append(EvidenceError("the observations of {id} must be a mapping of name to value", {"id": ind_id},
                                        ev.locate(("observations", ind_id)), uid, ind_id))
            continue
    for lf in compiled.leaves:
        spec = lf.spec
        values = obs_raw.get(lf.id) or {}
        if not isinstance(values, dict):
            values = {}
        vals, prov = split_provenance(values)
        path = ("observations", lf.id)
        for name, p in prov.items():
            for problem_key, problem in _provenance_problems(p):
                errors.append(EvidenceError("provenance {key}: {problem}", {"key": problem_key, "problem": problem},
                                            ev.locate(path + (name, problem_key)), uid, f"{lf.id}.{name}.{problem_key}"))
        model_fields = spec.evidence.model_fields
        bad = False
        for name in list(vals):
            if name in spec.derived:
                errors.append(EvidenceError("{name} is derived from the raw evidence (accounts, messages, dates); do not write it",
                                            {"name": name}, ev.locate(path + (name,)), uid, f"{lf.id}.{name}"))
                vals.pop(name)
            elif name not in model_fields:
                close = get_close_matches(name, list(model_fields), n=1)
                errors.append(EvidenceError("unknown observation {name} of indicator {indicator}{hint}",
                                            {"name": name, "indicator": lf.id, "hint": _(" (did you mean {options}?)", options=close[0]) if close else ""},
                                            ev.locate(path + (name,)), uid, f"{lf.id}.{name}"))
                vals.pop(name)
                bad = True
        list_vals = {k: vals.pop(k) for k in list(vals) if k in spec.lists}
        try:
            model = spec.evidence.model_validate(vals)
        except ValidationError as exc:
            errors.extend(_val_errors(exc, uid, ev.locate, path))
            continue
        typed = {k: getattr(model, k) for k in model_fields if k not in spec.lists}
        work.observations[lf.id] = typed
        work.provenance[lf.id] = prov
        work.provided[lf.id] = set(vals) | set(list_vals)
        for lname, item_model in spec.lists.items():
            items = list_vals.get(lname)
            if items is None:
                items = []
            if not isinstance(items, list):
                errors.append(EvidenceError("{name} must be a list (found {found!r})", {"name": lname, "found": items},
                                            ev.locate(path + (lname,)), uid, f"{lf.id}.{lname}"))
                items = []
            parsed = []
            for i, it in enumerate(items):
                try:
                    parsed.append(item_model.model_validate(it if isinstance(it, dict) else {"value": it}).model_dump())
                except ValidationError as exc:
                    errors.extend(_val_errors(exc, uid, ev.locate, path + (lname, i)))
            work.lists[(lf.id, lname)] = parsed
        del bad
    adj_raw = raw.get("adjustments") or []
    if not isinstance(adj_raw, list):
        errors.append(EvidenceError("adjustments must be a list", {}, ev.locate(("adjustments",)), uid, "adjustments"))
        adj_raw = []
    for i, a in enumerate(adj_raw):
        try:
            adj = Adjustment.model_validate(a if isinstance(a, dict) else {})
        except ValidationError as exc:
            errors.extend(_val_errors(exc, uid, ev.locate, ("adjustments", i)))
            continue
        if adj.indicator not in known:
            close = get_close_matches(adj.indicator, list(known), n=1)
            errors.append(EvidenceError("unknown indicator {id}{hint}", {"id": adj.indicator, "hint": _(" (did you mean {options}?)", options=close[0]) if close else ""},
                                        ev.locate(("adjustments", i, "indicator")), uid, "adjustments"))
            continue
        work.adjustments.append(adj)
        work.adjustment_locations.append(ev.locate(("adjustments", i)))
    if errors:
        raise ErrorList(errors)
    return work


def run_derivations(work: UnitWork, compiled: CompiledRuleSet) -> None:
    """Run every registered derivation that serves an indicator of the rule set, in name order.

    Raises:
        EvidenceError: from a derivation (e.g. an answer before its question, an uncovered date).
    """
    ids = {lf.id for lf in compiled.leaves}
    for name in sorted(compiled.registry.derivations):
        d = compiled.registry.derivations[name].value
        if ids.intersection(d.indicators):
            d.derive(work, compiled)


def _encode_value(v: Any) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or isinstance(v, (int, Fraction)):
        return ncode(v)
    if isinstance(v, float):
        return ncode(Fraction(repr(v)))
    if isinstance(v, _dt.datetime):
        return None
    if isinstance(v, _dt.date):
        return dcode(v)
    return None


def fnv1_32(text: str, signed_char: bool = True) -> int:
    """durable_rules' 32-bit hash of a sid or fact id (ids are compared by this hash only).

    durable's C ``fnv1Hash32`` is FNV-1a (xor the byte, then multiply) over the UTF-8 bytes read as
    ``char``: signed on x86 (a byte >= 0x80 is sign-extended before the xor), unsigned on ARM.
    """
    h = FNV_OFFSET
    for b in text.encode("utf-8"):
        if signed_char and b >= 0x80:
            b |= 0xFFFFFF00
        h ^= b
        h = (h * FNV_PRIME) & 0xFFFFFFFF
    return h


def _hash_collision(ids: list[str]) -> bool:
    """True when two ids share a durable hash (under either reading of ``char``)."""
    return any(len({fnv1_32(i, signed) for i in ids}) != len(ids) for signed in (True, False))


def build_facts(work: UnitWork, compiled: CompiledRuleSet, sid: str) -> UnitFacts:
    """Encode the unit's facts for the engine and list missing observations per indicator.

    Fact ids are ``<sid>.<n>``; they are checked for 32-bit hash collisions (durable_rules would
    silently merge colliding facts) and re-salted when one occurs.

    Raises:
        ErrorList of EvidenceError: values a rule kind rejects (e.g. an unknown checklist item, a
        level above the maximum), with their locations.
    """
    facts: list[dict] = []
    values: dict[str, dict] = {}
    fact_items: dict[str, tuple[str, str, int]] = {}
    missing: dict[str, list[str]] = {}
    errors: list[GovscoreError] = []
    salt = 0

    def new_id(n: int) -> str:
        return f"{sid}.{n}" if not salt else f"{sid}.{salt}.{n}"

    for lf in compiled.leaves:
        obs = work.observations.get(lf.id, {})
        fact: dict = {"i": lf.id, "l": LEAF_LIST}
        for name, v in obs.items():
            code = _encode_value(v)
            if code is not None:
                fact[name] = code
        miss: list[str] = []
        for e in lf.entries:
            if e.kind.check:
                problems = e.kind.check(e.params, obs)
                if problems:  # located at the observation the entry reads, where the evaluator wrote it
                    name = next((n for lst, n in e.reads if lst is None), None)
                    path = ("observations", lf.id) + ((name,) if name else ())
                    for problem in problems:
                        errors.append(work.error("{problem}", {"problem": problem}, path, f"{lf.id}.{name}" if name else lf.id))
            if e.kind.encode:
                fact.update(e.kind.encode(e.params, obs))
            if not e.rules:
                continue
            for lst, name in e.reads:
                if lst is None:
                    if obs.get(name) is None and not is_problem(lf.spec.evidence, name) and name not in miss:
                        miss.append(name)
                else:
                    owner = UNIT_OWNER if lst in UNIT_LISTS else lf.id
                    if not work.lists.get((owner, lst)) and lst not in miss:
                        miss.append(lst)
        if lf.applicability and obs.get(lf.applicability) is False:
            miss = []
        missing[lf.id] = miss
        n = len(facts)
        fid = new_id(n)
        fact["id"] = fid
        facts.append(fact)
        values[fid] = obs
        fact_items[fid] = (lf.id, LEAF_LIST, -1)
    for owner, lst in compiled.selectors:
        if lst == LEAF_LIST:
            continue
        for i, item in enumerate(work.lists.get((owner, lst), [])):
            fact = {"i": owner, "l": lst}
            for name, v in item.items():
                code = _encode_value(v)
                if code is not None:
                    fact[name] = code
            fid = new_id(len(facts))
            fact["id"] = fid
            facts.append(fact)
            values[fid] = item
            fact_items[fid] = (owner, lst, i)
    while _hash_collision([f["id"] for f in facts]):
        salt += 1
        remap = {}
        for n, f in enumerate(facts):
            nid = new_id(n)
            remap[nid] = f["id"]
            f["id"] = nid
        values = {nid: values[old] for nid, old in remap.items()}
        fact_items = {nid: fact_items[old] for nid, old in remap.items()}
    for f in facts:
        f["sid"] = sid
    if errors:
        raise ErrorList(errors)
    return UnitFacts(work, facts, values, fact_items, missing)


