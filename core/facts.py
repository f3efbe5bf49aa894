"""Facts per unit: validated, derived and encoded evidence, ready for either engine backend.

Steps for one unit: :func:`parse_unit` validates the raw evidence against each indicator's evidence
model (every problem reported with its location), derivations add derived observations, then
:func:`build_facts` encodes one fact per indicator (all its observations as integer fields, see
:mod:`govscore.core.conditions`) and one fact per list item, and lists what is missing.

Fewer, richer facts keep durable_rules fast: about 25 indicator facts plus the list items.

What these steps need of a rule set (one schema for a whole unit, per leaf what its entries check,
encode and read) is worked out once per compiled rule set (:class:`_Prepared`): a well-formed unit
is then validated in one pydantic call, and only a unit with a problem goes through the slower,
part-by-part validation that locates every problem.
"""

from __future__ import annotations

import datetime as _dt
import weakref
from dataclasses import dataclass, field
from difflib import get_close_matches
from fractions import Fraction
from itertools import chain
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator, core_schema

from .compile import LEAF_LIST, UNIT_LISTS, UNIT_OWNER, CompiledRuleSet
from .conditions import dcode, ncode
from .errors import ErrorList, EvidenceError, GovscoreError, Location
from .i18n import _
from .evidence import UNIT_ERRORS_KEY, Account, Adjustment, UnitEvidence, UnitInfo
from .observations import FAST_FORMS, is_problem, split_provenance
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
    """fact id -> (owner, list, item index; -1 for a leaf's fact), in fact order: the leaves' facts,
    then each list's items in order."""
    missing: dict[str, list[str]]
    encoding_errors: list = field(default_factory=list)
    leaf_fact: dict[str, str] | None = None
    """indicator id -> the id of its own fact (:func:`build_facts` fills it; else :meth:`placement`)."""
    items_of: dict[tuple[str, str], list[str]] | None = None
    """(owner, list) -> its items' fact ids in item order (as ``leaf_fact``)."""

    def placement(self) -> tuple[dict[str, str], dict[tuple[str, str], list[str]]]:
        """(leaf_fact, items_of), worked out from ``fact_items`` when not given."""
        if self.leaf_fact is None or self.items_of is None:
            leaf_fact: dict[str, str] = {}
            items_of: dict[tuple[str, str], list[str]] = {}
            for fid, (owner, lst, _i) in self.fact_items.items():  # in fact order, hence item order
                if lst == LEAF_LIST:
                    leaf_fact[owner] = fid
                else:
                    items_of.setdefault((owner, lst), []).append(fid)
            self.leaf_fact, self.items_of = leaf_fact, items_of
        return self.leaf_fact, self.items_of


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

    A unit whose evidence is all well-formed is validated in one pydantic call
    (:meth:`_Prepared.parse`); any other unit, and any unit that call rejects, goes through
    :func:`_parse_unit_checked`, which finds and locates every problem. Both give the same
    :class:`UnitWork`.

    Returns:
        The typed :class:`UnitWork` (derivations not yet run).

    Raises:
        ErrorList of EvidenceError: every problem found, each with file and line (or sheet and
        cell), the unit, the field, what was expected and what was found; unknown indicators and
        observations come with a did-you-mean.
    """
    prepared = _prepared(compiled)
    if prepared.validate is not None:
        work = prepared.parse(ev)
        if work is not None:
            return work
    return _parse_unit_checked(ev, compiled)


def _parse_unit_checked(ev: UnitEvidence, compiled: CompiledRuleSet) -> UnitWork:
    """:func:`parse_unit` part by part: each part validated on its own, so that every problem is
    reported with its location."""
    raw = ev.raw
    errors: list[GovscoreError] = []
    if isinstance(raw, dict) and raw.get(UNIT_ERRORS_KEY):
        # problems the reader found in this unit's own rows (a workbook's list sheets): this unit fails
        errors.extend(raw[UNIT_ERRORS_KEY])
        raw = {k: v for k, v in raw.items() if k != UNIT_ERRORS_KEY}
    if "__invalid__" in raw or not isinstance(raw, dict):
        not_a_unit = EvidenceError("a unit's evidence is a mapping with unit:, observations: ...", {}, ev.locate(()))
        raise ErrorList([not_a_unit])
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
    _parse_adjustments(raw, work, known, errors)
    if errors:
        raise ErrorList(errors)
    return work


def _parse_adjustments(raw: dict, work: UnitWork, known: dict, errors: list) -> None:
    """Validate the unit's adjustments into `work`; problems are appended to `errors`."""
    ev, uid = work.evidence, work.unit.id
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


def run_derivations(work: UnitWork, compiled: CompiledRuleSet) -> None:
    """Run every registered derivation that serves an indicator of the rule set, in name order.

    Raises:
        EvidenceError: from a derivation (e.g. an answer before its question, an uncovered date).
    """
    for derive in _prepared(compiled).derivations(compiled):
        derive(work, compiled)


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


_NOT_ENCODED = frozenset({type(None), str, dict, list, _dt.datetime})
"""Types :func:`_encode_value` gives no code (no field in the fact)."""


def _encode_into(fact: dict, values: dict, names: tuple | None = None) -> None:
    """``fact[name] = _encode_value(v)`` for every value that has a code (of the given names only,
    when given: the fields some rule's condition reads, since no other field can change what fires).

    The exact types observations have are encoded inline (this runs for every value of every unit);
    anything else goes through :func:`_encode_value`. The Fraction case is :func:`ncode` worked on the
    fraction in lowest terms n/d: floor(1000 n / d) and whether 1000 n / d is whole (read from its
    slots: the numerator and denominator properties are Python calls).
    """
    get = values.get
    for name in (values if names is None else names):
        v = get(name)
        t = type(v)
        if t is bool or t is int:
            fact[name] = 2000 * v
        elif t is Fraction:
            q, r = divmod(v._numerator * 1000, v._denominator)
            fact[name] = 2 * q + (1 if r else 0)
        elif t is _dt.date:
            fact[name] = v.year * 10000 + v.month * 100 + v.day
        elif t not in _NOT_ENCODED:
            code = _encode_value(v)
            if code is not None:
                fact[name] = code


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


def _numbered_hashes(prefix: str, count: int, signed_char: bool) -> list[int]:
    """``[fnv1_32(f"{prefix}{n}", signed_char) for n in range(count)]``, one FNV step per id.

    FNV-1a reads its input left to right, so the hash of ``<prefix>12`` is the hash of ``<prefix>1``
    continued over "2": the prefix is hashed once, and each id continues the hash of its number
    without the last digit. Digits are ASCII, which both readings of ``char`` take alike.
    """
    start = fnv1_32(prefix, signed_char)
    out = [((start ^ c) * FNV_PRIME) & 0xFFFFFFFF for c in _DIGITS[:count]]  # ids 0-9
    if count > 10:  # ids 10-99: each continues the hash of its first digit (a unit has some sixty facts)
        firsts = out[1:1 - (-(count - 10) // 10)]  # the first digits needed
        out += [((h ^ c) * FNV_PRIME) & 0xFFFFFFFF for h in firsts for c in _DIGITS][:count - 10]
    for n in range(100, count):
        out.append(((out[n // 10] ^ (48 + n % 10)) * FNV_PRIME) & 0xFFFFFFFF)
    return out


_DIGITS = tuple(range(48, 58))  # the bytes of "0" to "9"


def _numbered_ids_collide(prefix: str, count: int) -> bool:
    """True when two of the ids ``<prefix>0`` .. ``<prefix><count - 1>`` share a durable hash (under
    either reading of ``char``)."""
    if len(set(_numbered_hashes(prefix, count, True))) != count:
        return True
    # ASCII bytes read the same as signed and unsigned char: the second reading can only differ when
    # the prefix (the sid) has other characters
    return not prefix.isascii() and len(set(_numbered_hashes(prefix, count, False))) != count


def build_facts(work: UnitWork, compiled: CompiledRuleSet, sid: str) -> UnitFacts:
    """Encode the unit's facts for the engine and list missing observations per indicator.

    Fact ids are ``<sid>.<n>``; they are checked for 32-bit hash collisions (durable_rules would
    silently merge colliding facts) and re-salted when one occurs.

    Raises:
        ErrorList of EvidenceError: values a rule kind rejects (e.g. an unknown checklist item, a
        level above the maximum), with their locations.
    """
    prepared = _prepared(compiled)
    facts: list[dict] = []
    values: dict[str, dict] = {}
    fact_items: dict[str, tuple[str, str, int]] = {}
    missing: dict[str, list[str]] = {}
    leaf_fact: dict[str, str] = {}
    items_of: dict[tuple[str, str], list[str]] = {}
    errors: list[GovscoreError] = []
    prefix = f"{sid}."
    observations = work.observations
    lists = work.lists

    for lf_id, applicability, entries, reads, item, read_fields in prepared.leaf_facts:
        obs = observations.get(lf_id)
        if obs is None:
            obs = {}
        fact: dict = {"i": lf_id, "l": LEAF_LIST}
        _encode_into(fact, obs, read_fields)
        for check, encode, params, where in entries:
            if check:
                problems = check(params, obs)
                if problems:  # located at the observation the entry reads, where the evaluator wrote it
                    path, fld = where
                    for problem in problems:
                        errors.append(work.error("{problem}", {"problem": problem}, path, fld))
            if encode:
                fact.update(encode(params, obs))
        miss: list[str] = []
        if not (applicability and obs.get(applicability) is False):
            for lst, name, key in reads:
                if lst is None:
                    if obs.get(name) is None and name not in miss:
                        miss.append(name)
                elif not lists.get(key) and lst not in miss:
                    miss.append(lst)
        missing[lf_id] = miss
        fid = leaf_fact[lf_id] = f"{prefix}{len(facts)}"
        fact["id"] = fid
        fact["sid"] = sid
        facts.append(fact)
        values[fid] = obs
        fact_items[fid] = item
    n = len(facts)
    for owner, lst, read_fields in prepared.item_selectors:
        items = lists.get((owner, lst))
        if not items:
            continue
        fids = items_of[(owner, lst)] = []
        for i, item in enumerate(items):
            fact = {"i": owner, "l": lst}
            _encode_into(fact, item, read_fields)
            fid = f"{prefix}{n}"
            fids.append(fid)
            n += 1
            fact["id"] = fid
            fact["sid"] = sid
            facts.append(fact)
            values[fid] = item
            fact_items[fid] = (owner, lst, i)
    salt = 0
    while _numbered_ids_collide(prefix, len(facts)):
        salt += 1
        prefix = f"{sid}.{salt}."
        remap = {}
        for n, f in enumerate(facts):
            nid = f"{prefix}{n}"
            remap[nid] = f["id"]
            f["id"] = nid
        values = {nid: values[old] for nid, old in remap.items()}
        fact_items = {nid: fact_items[old] for nid, old in remap.items()}
    if errors:
        raise ErrorList(errors)
    return UnitFacts(work, facts, values, fact_items, missing, leaf_fact=None if salt else leaf_fact,
                     items_of=None if salt else items_of)


# --- what parsing and fact building need of a rule set, worked out once --------------------------

_TOP_KEYS = frozenset({"unit", "accounts", "observations", "adjustments"})


_PLAIN_TYPES = frozenset({bool, int, float, str, list, type(None)})
"""Types of raw values that are not mappings (so never a value with provenance)."""

_SCALAR_SCHEMAS = frozenset({"str", "int", "bool", "float", "date", "datetime", "time", "timedelta", "literal", "none"})
_WRAPPING_SCHEMAS = frozenset({"nullable", "default", "function-before", "function-after", "function-wrap"})
_SCHEMA_KEYS = {
    "model": {"type", "cls", "config", "custom_init", "root_model", "post_init", "schema", "metadata", "ref"},
    "model-fields": {"type", "fields", "model_name", "computed_fields", "metadata"},
    "model-field": {"type", "schema", "metadata", "frozen", "validation_alias"},
}


def _dumps_as_its_dict(model: type[BaseModel]) -> bool:
    """True when ``item.model_dump()`` equals ``item.__dict__`` for every instance of `model`.

    That holds when its fields are scalars (text, integers, floats, booleans, dates, times, literals),
    and lists and mappings of them, with no serializer, alias, exclusion, computed or extra field: the
    dump then copies the validated values as they are. Anything else in the model's core schema
    answers False and the items are dumped (a Fraction, for one, dumps as text).
    """

    def plain(schema: Any, top: bool = False) -> bool:
        if not isinstance(schema, dict) or "serialization" in schema:
            return False
        kind = schema.get("type")
        if kind in _SCALAR_SCHEMAS:
            return True
        if kind in _WRAPPING_SCHEMAS:
            return plain(schema.get("schema"), top)
        if kind == "list":
            return plain(schema.get("items_schema"))
        if kind == "dict":
            return plain(schema.get("keys_schema")) and plain(schema.get("values_schema"))
        if kind in _SCHEMA_KEYS and not set(schema) <= _SCHEMA_KEYS[kind]:
            return False
        if kind == "model":
            config = schema.get("config") or {}
            return (top and schema.get("cls") is model and not schema.get("root_model")
                    and config.get("extra_fields_behavior") != "allow" and not config.get("serialize_by_alias")
                    and plain(schema.get("schema")))
        if kind == "model-fields":
            fields = schema.get("fields")
            return (not schema.get("computed_fields") and isinstance(fields, dict)
                    and all(isinstance(f, dict) and f.get("type") == "model-field" and plain(f) for f in fields.values()))
        if kind == "model-field":
            return plain(schema.get("schema"))
        return False

    try:
        return plain(model.__pydantic_core_schema__, top=True)
    except Exception:  # a schema of another shape: dump the items
        return False


def _functions_without_info(schema: Any) -> bool:
    """True when every validator function in `schema` takes the value alone (no ValidationInfo, which
    could tell a model from a typed dict) and the schema refers to no definitions elsewhere."""
    if isinstance(schema, dict):
        if schema.get("type") in ("definitions", "definition-ref"):
            return False
        function = schema.get("function")
        if isinstance(function, dict) and function.get("type") != "no-info":
            return False
        return all(_functions_without_info(v) for v in schema.values())
    if isinstance(schema, (list, tuple)):
        return all(_functions_without_info(v) for v in schema)
    return True


def _as_typed_dict(model: type[BaseModel]) -> Any:
    """A core schema that validates what `model` validates into the dict of its fields (its
    ``__dict__``), without making an instance. A model validator of mode "before" is kept, in front;
    None when the model has anything else beyond its fields (an after or wrap validator, extra fields,
    aliases, a custom __init__ ...), which only the model itself runs.

    Same fields, same field schemas, same config, so the same values: a field with a default takes it
    when absent, any other absent field is an error.
    """
    try:
        schema = model.__pydantic_core_schema__
        if (schema.get("type") != "model" or not set(schema) <= _SCHEMA_KEYS["model"] or schema.get("cls") is not model
                or schema.get("custom_init") or schema.get("root_model") or schema.get("post_init")):
            return None
        inner, config = schema["schema"], dict(schema.get("config") or {})
        before = None
        if inner.get("type") == "function-before" and set(inner) <= {"type", "function", "schema", "metadata"}:
            # a model validator of mode "before" (RepostCheck's YAML 1.1 "on"): it reads the raw input and
            # returns what the fields validate, for a model as for this dict; it runs first here too
            function = inner.get("function")
            if not (isinstance(function, dict) and function.get("type") == "no-info"):
                return None
            before, inner = function["function"], inner["schema"]
        extra = config.get("extra_fields_behavior", "ignore")
        if inner.get("type") != "model-fields" or not set(inner) <= _SCHEMA_KEYS["model-fields"] or extra not in ("forbid", "ignore"):
            return None
        fields = {}
        for name, f in inner["fields"].items():
            if f.get("type") != "model-field" or not set(f) <= {"type", "schema", "metadata", "frozen"}:
                return None
            if not _functions_without_info(f["schema"]):
                return None
            fields[name] = core_schema.typed_dict_field(f["schema"], required=f["schema"].get("type") != "default")
        as_dict = core_schema.typed_dict_schema(fields, extra_behavior=extra, config=config)
        return as_dict if before is None else core_schema.no_info_before_validator_function(before, as_dict)
    except Exception:  # a schema of another shape: the model validates it
        return None


def _fast_first(schema: Any) -> Any:
    """A copy of a core schema in which each validator of :data:`observations.FAST_FORMS` is tried after
    its fast form: ``union([fast form, validator], left to right)``. The same values for every input;
    the usual ones never reach Python. (A failure is no matter: the one-call parse then gives way to the
    checked path, which reports it with the validators' own messages.)"""
    if isinstance(schema, dict):
        if schema.get("type") == "function-before":
            function = schema.get("function")
            fast = FAST_FORMS.get(function.get("function")) if isinstance(function, dict) else None
            if fast is not None:
                return core_schema.union_schema([fast, _fast_copy(schema)], mode="left_to_right")
        return _fast_copy(schema)
    if isinstance(schema, list):
        return [_fast_first(v) for v in schema]
    return schema


def _fast_copy(schema: dict) -> dict:
    # a field's default is a value, not a schema: kept as it is (an OrderedDict default stays one)
    return {k: (v if k in ("default", "metadata") else _fast_first(v)) for k, v in schema.items()}


def _model_schema(model: type[BaseModel]) -> Any:
    """The core schema of `model` (validates into an instance), as pydantic built it."""
    return model.__pydantic_core_schema__


class _Prepared:
    """A rule set's leaves worked out for :func:`parse_unit`, :func:`run_derivations` and
    :func:`build_facts`, built once per compiled rule set (:func:`_prepared`).

    Attributes:
        validate: validates a whole well-formed unit in one call: the unit, the accounts, each
            indicator's evidence and each of its lists, by their own models' schemas (a model with
            no more than fields into the dict of its fields, :func:`_as_typed_dict`).
        leaf_facts: per leaf (id, applicability, entries, reads, fact item, fields its rules read): the entries with a
            check or an encode as (check, encode, params, (path, field) of the check's problems), in
            entry order; the reads of the entries with rules that can be missing, in order, as
            (None, observation, None) or (list, name, key of the list in ``work.lists``); the leaf
            fact's entry of ``fact_items``.
        item_selectors: the (owner, list, fields their rules read) of the selectors whose items become
            facts, in order.
    """

    def __init__(self, compiled: CompiledRuleSet) -> None:
        self.known = {lf.id: lf for lf in compiled.leaves}
        self.leaf_ids = frozenset(self.known)
        self.order = [lf.id for lf in compiled.leaves]
        self.list_fields: dict[str, str] = {}
        """Fields of the unit schema that hold lists of items -> how an item becomes the dict
        ``model_dump`` gives: "dict" (validated into it), "attrs" (its __dict__) or "dump"."""
        self.lists: list[tuple] = []
        """(leaf id, list name, field of the unit schema) of every indicator list, in order."""
        self.list_leaves: list[tuple] = []
        """(leaf id, ((list name, field), ...)) of the leaves with lists."""
        self.name_checks: list[tuple] = []
        """(leaf id, the names an evaluator may write) of the leaves whose schema does not itself
        refuse every other name: lists (validated apart), derived fields, extra names not forbidden."""
        self.fixups: list[tuple] = []
        """(leaf id, model instance?, the typed names) of the leaves whose validated evidence is not
        already their typed observations: an instance (its __dict__) or a dict with lists."""
        fields = {"unit": _model_schema(UnitInfo)}  # work.unit is a UnitInfo
        evidence = {}
        for j, lf in enumerate(compiled.leaves):
            spec = lf.spec
            model_fields = spec.evidence.model_fields
            as_dict = _as_typed_dict(spec.evidence)
            # absent evidence is validated as {} (its defaults), as the checked path does
            evidence[lf.id] = core_schema.typed_dict_field(core_schema.with_default_schema(
                as_dict or _model_schema(spec.evidence), default={}, validate_default=True), required=False)
            lists = tuple((lname, f"l{j}_{k}") for k, lname in enumerate(spec.lists))
            self.lists.extend((lf.id, lname, fld) for lname, fld in lists)
            if lists:
                self.list_leaves.append((lf.id, lists))
            forbids = (as_dict or _model_schema(spec.evidence)).get("config", {}).get("extra_fields_behavior") == "forbid"
            if lists or not forbids or set(spec.derived) & set(model_fields):
                self.name_checks.append((lf.id, frozenset(n for n in model_fields if n not in spec.derived)))
            if lists or not as_dict:
                self.fixups.append((lf.id, not as_dict, tuple(k for k in model_fields if k not in spec.lists)))
        fields["accounts"] = None
        fields["obs"] = core_schema.typed_dict_schema(evidence, extra_behavior="forbid")
        for fld, item_model in [("accounts", Account)] + [(fld, lf.spec.lists[lname]) for lf in compiled.leaves
                                                          for leaf_id, lname, fld in self.lists if leaf_id == lf.id]:
            flat = _dumps_as_its_dict(item_model)
            as_dict = _as_typed_dict(item_model) if flat else None
            fields[fld] = core_schema.list_schema(as_dict or _model_schema(item_model))
            self.list_fields[fld] = "dict" if as_dict else "attrs" if flat else "dump"
        self.validate: Any = None
        """validate_python of the whole unit's schema; None when the rule set's models cannot be
        combined (then every unit takes the checked path)."""
        try:
            self.validate = SchemaValidator(_fast_first(core_schema.typed_dict_schema(
                {f: core_schema.typed_dict_field(schema) for f, schema in fields.items()}, extra_behavior="forbid"))).validate_python
        except Exception:  # a plugin's model pydantic cannot nest: the checked path still works
            self.validate = None

        read_fields = compiled.fields_read  # a fact carries only these: no other field can change what fires
        self.leaf_facts = []
        for lf in compiled.leaves:
            entries = []
            reads: list[tuple] = []
            for e in lf.entries:
                if e.kind.check or e.kind.encode:
                    name = next((n for lst, n in e.reads if lst is None), None)
                    where = (("observations", lf.id) + ((name,) if name else ()), f"{lf.id}.{name}" if name else lf.id)
                    entries.append((e.kind.check, e.kind.encode, e.params, where))
                if not e.rules:
                    continue
                for lst, rname in e.reads:
                    if lst is None:
                        # a problem observation (absent means false / 0) is never missing
                        read = None if is_problem(lf.spec.evidence, rname) else (None, rname, None)
                    else:
                        read = (lst, rname, (UNIT_OWNER if lst in UNIT_LISTS else lf.id, lst))
                    # a read already listed adds nothing: it is missing (and listed) or not, as before
                    if read is not None and read not in reads:
                        reads.append(read)
            self.leaf_facts.append((lf.id, lf.applicability, tuple(entries), tuple(reads), (lf.id, LEAF_LIST, -1),
                                    read_fields.get((lf.id, LEAF_LIST), ())))
        self.item_selectors = [(owner, lst, read_fields.get((owner, lst), ())) for owner, lst in compiled.selectors if lst != LEAF_LIST]
        self._derivations: tuple = (None, None)

    def derivations(self, compiled: CompiledRuleSet) -> list:
        """The derive functions of the derivations that serve a leaf of the rule set, in name order."""
        registered = compiled.registry.derivations
        source, derives = self._derivations
        if source != (id(registered), len(registered)):
            ids = self.leaf_ids
            derives = [registered[name].value.derive for name in sorted(registered)
                       if ids.intersection(registered[name].value.indicators)]
            self._derivations = ((id(registered), len(registered)), derives)
        return derives

    def parse(self, ev: UnitEvidence) -> UnitWork | None:
        """:func:`parse_unit` of a unit whose evidence is all well-formed, in one pydantic call.

        Returns None, having changed nothing, at the first sign of a problem (a name that is not
        known, a shape the checked path reports, provenance to report, a value the models reject):
        :func:`_parse_unit_checked` then reports every problem with its location. What it returns
        equals what :func:`_parse_unit_checked` returns for the same unit.
        """
        raw = ev.raw
        if not isinstance(raw, dict) or not raw.keys() <= _TOP_KEYS:
            return None
        unit_raw = raw.get("unit")
        accounts_raw = raw.get("accounts") or []
        obs_raw = raw.get("observations") or {}
        if (not isinstance(unit_raw, dict) or not isinstance(accounts_raw, list) or not isinstance(obs_raw, dict)
                or not obs_raw.keys() <= self.leaf_ids):
            return None
        for a in accounts_raw:
            if not isinstance(a, dict):
                return None
        try:
            # every value of every indicator at once: without a mapping among them there is no
            # provenance to split off anywhere
            plain = set(map(type, chain.from_iterable(map(dict.values, obs_raw.values())))) <= _PLAIN_TYPES
        except TypeError:  # an indicator's observations are not a mapping (or None): the checked path
            return None
        obs_in = dict(obs_raw)
        provenance: dict[str, dict] = {}
        if not plain:
            for leaf_id, values in obs_raw.items():
                if not set(map(type, values.values())) <= _PLAIN_TYPES:
                    vals, provenance[leaf_id] = split_provenance(values)
                    for p in provenance[leaf_id].values():
                        if _provenance_problems(p):
                            return None
                    obs_in[leaf_id] = vals
        for leaf_id, allowed in self.name_checks:
            values = obs_in.get(leaf_id)
            if values is not None and not values.keys() <= allowed:
                return None
        data: dict[str, Any] = {"unit": unit_raw, "accounts": accounts_raw, "obs": obs_in}
        for leaf_id, lists in self.list_leaves:
            vals = dict(obs_in.get(leaf_id) or {})
            for lname, fld in lists:
                items = vals.pop(lname, None)
                if items is None:
                    items = []
                elif not isinstance(items, list):
                    return None
                data[fld] = [it if isinstance(it, dict) else {"value": it} for it in items]
            obs_in[leaf_id] = vals
        try:
            fields = self.validate(data)
        except Exception:  # the checked path reports it (or raises it) where it is
            return None
        observations = fields["obs"]  # leaf id -> typed observations, in leaf order
        for leaf_id, instance, keys in self.fixups:
            # a model's __dict__ holds its validated fields, in the model's order (getattr(model, name)
            # for each name); the lists are not observations
            typed = observations[leaf_id].__dict__ if instance else observations[leaf_id]
            observations[leaf_id] = {k: typed[k] for k in keys}
        items: dict[str, list] = {}
        for fld, how in self.list_fields.items():
            # the models are not kept: an item's __dict__, where its dump would copy it, will do
            items[fld] = (fields[fld] if how == "dict" else [item.__dict__ for item in fields[fld]] if how == "attrs"
                          else [item.model_dump() for item in fields[fld]])
        lists = {(UNIT_OWNER, "accounts"): items["accounts"]}
        for leaf_id, lname, fld in self.lists:
            lists[(leaf_id, lname)] = items[fld]
        get = obs_raw.get
        work = UnitWork(fields["unit"], ev, observations=observations,
                        provenance={leaf_id: provenance.get(leaf_id) or {} for leaf_id in self.order}, lists=lists,
                        provided={leaf_id: set(get(leaf_id) or ()) for leaf_id in self.order})
        errors: list[GovscoreError] = []
        _parse_adjustments(raw, work, self.known, errors)
        if errors:
            raise ErrorList(errors)
        return work


_PREPARED: dict[int, tuple] = {}


def _prepared(compiled: CompiledRuleSet) -> _Prepared:
    """The :class:`_Prepared` of `compiled`, made on first use.

    Kept here, keyed by the rule set's id and checked by a weak reference (an id is reused once its
    rule set is gone), rather than on the rule set: a compiled rule set is pickled to worker
    processes, which make their own on first use instead of receiving validators.
    """
    hit = _PREPARED.get(id(compiled))
    if hit is not None and hit[0]() is compiled and hit[1] is compiled.leaves and hit[2] == len(compiled.leaves):
        return hit[3]
    for key in [k for k, v in _PREPARED.items() if v[0]() is None]:
        del _PREPARED[key]
    prepared = _Prepared(compiled)
    _PREPARED[id(compiled)] = (weakref.ref(compiled), compiled.leaves, len(compiled.leaves), prepared)
    return prepared
