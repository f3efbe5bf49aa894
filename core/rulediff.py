"""``govscore rules diff OLD NEW``: what changed between two rule sets.

Both rule sets are loaded and merged (``extends:`` resolved), then compared:

- rule-set settings: title, run defaults (period, as_of), scoring (floor, base total, normalisation
  policy), free-form settings, calendar files;
- categories by id: added, removed, changed name, kind, weight, cap, order, declared totals;
- indicators by id: added, removed, moved to another category, changed name, group, weight, cap,
  normalise_shares, applicability, settings, description;
- inside an indicator, criteria, deductions and vetoes by id: added, removed, changed kind,
  observation, share, rate, thresholds (bands: when, share, label), months, enabled, text ...

Shares, rates and weights are compared as numbers ("50%" equals "1/2") and shown as the rubric writes
them (percentages for shares and rates, points for weights). Every change names the file and line of
the new rule set (of the old one for removals).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .errors import Location
from .i18n import N_, _
from .numbers import exact_str, parse_fraction
from .ruleset.loader import Leaf, RuleEntry, RuleSet

PERCENT_KEYS = {"share", "rate"}
POINT_KEYS = {"weight", "cap", "base_total", "final_floor", "declared_totals"}
SECTION_LABELS = {"criteria": N_("criterion"), "deductions": N_("deduction"), "vetoes": N_("veto")}
KIND_LABELS = {"added": N_("added"), "removed": N_("removed"), "changed": N_("changed")}
SCOPE_LABELS = {"ruleset": N_("rule set"), "category": N_("category"), "indicator": N_("indicator"), "entry": N_("indicator")}


@dataclass(frozen=True)
class Change:
    """One difference.

    Attributes:
        kind: "added", "removed" or "changed".
        scope: "ruleset", "category", "indicator" or "entry".
        subject: what changed: the rule set's name, a category id or an indicator id.
        field: the dotted field inside the subject or entry ("" for a whole one added or removed).
        old, new: the values as text (None when absent).
        location: where it is written (new rule set; old one for removals).
        section, entry: for an entry of an indicator: "criteria", "deductions" or "vetoes", and its id.
    """

    kind: str
    scope: str
    subject: str
    field: str
    old: str | None
    new: str | None
    location: Location
    section: str | None = None
    entry: str | None = None

    def render(self) -> str:
        where = self.location.render()
        prefix = f"{where}: " if where else ""
        label = _(KIND_LABELS[self.kind])
        target = f"{_(SCOPE_LABELS[self.scope])} {self.subject}"
        if self.entry is not None:
            target += f" {_(SECTION_LABELS.get(self.section, self.section))} {self.entry}"
        if self.field:
            target += f" {self.field}"
        if self.kind == "changed":
            return prefix + _("{change} {target}: {old} -> {new}", change=label, target=target, old=self.old, new=self.new)
        value = self.new if self.kind == "added" else self.old
        if value in (None, ""):
            return prefix + _("{change} {target}", change=label, target=target)
        return prefix + _("{change} {target}: {value}", change=label, target=target, value=value)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "scope": self.scope, "subject": self.subject, "section": self.section, "entry": self.entry,
                "field": self.field, "old": self.old, "new": self.new, "location": self.location.as_dict()}


def _num(v: Any) -> Fraction | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return parse_fraction(v)
    except (ValueError, TypeError):
        return None


def _show(key: str, v: Any) -> str:
    """Display text of a value, numbers the way the rubric writes them."""
    last = key.rsplit(".", 1)[-1].split("[", 1)[0]
    f = _num(v) if not isinstance(v, (list, dict)) else None
    if f is not None and last in PERCENT_KEYS:
        return exact_str(f * 100) + "%"
    if f is not None and (last in POINT_KEYS or isinstance(v, (int, float, Fraction))):
        return exact_str(f)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "-"
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_show(key, x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_show(str(k), x)}" for k, x in v.items()) + "}"
    text = " ".join(str(v).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _same(key: str, a: Any, b: Any) -> bool:
    fa, fb = _num(a), _num(b)
    if fa is not None and fb is not None and not isinstance(a, (list, dict)) and not isinstance(b, (list, dict)):
        return fa == fb
    return a == b


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings and lists as dotted paths: lists of entries with ids are keyed by id
    (``bands[1].when`` by position otherwise); plain lists of scalars stay whole values."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        if not value and prefix:
            out[prefix] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, (list, tuple)) and any(isinstance(x, dict) for x in value):
        for i, x in enumerate(value):
            if isinstance(x, dict) and "id" in x:
                out.update(flatten({k: v for k, v in x.items() if k != "id"}, f"{prefix}[{x['id']}]"))
            else:
                out.update(flatten(x, f"{prefix}[{i + 1}]"))
    else:
        out[prefix] = value
    return out


def _compare_maps(old: dict, new: dict, scope: str, subject: str, loc_new, loc_old, section=None, entry=None) -> list[Change]:
    out: list[Change] = []
    fo, fn = flatten(old), flatten(new)
    for key in list(fo) + [k for k in fn if k not in fo]:
        if key in fo and key in fn:
            if not _same(key, fo[key], fn[key]):
                out.append(Change("changed", scope, subject, key, _show(key, fo[key]), _show(key, fn[key]), loc_new(key), section, entry))
        elif key in fn:
            if fn[key] is None:
                continue
            out.append(Change("added", scope, subject, key, None, _show(key, fn[key]), loc_new(key), section, entry))
        else:
            if fo[key] is None:
                continue
            out.append(Change("removed", scope, subject, key, _show(key, fo[key]), None, loc_old(key), section, entry))
    return out


def _path_of(key: str) -> tuple:
    parts: list = []
    for piece in key.replace("[", ".[").split("."):
        if not piece:
            continue
        if piece.startswith("[") and piece.endswith("]"):
            inner = piece[1:-1]
            parts.append(int(inner) - 1 if inner.isdigit() else inner)
        else:
            parts.append(piece)
    return tuple(parts)


def _header_dict(rs: RuleSet) -> dict:
    d = rs.header.model_dump(exclude={"name", "extends", "files", "source_notes", "calendar"})
    d["calendar"] = [p.name for p in rs.calendar_files]
    return d


def _leaf_dict(lf: Leaf) -> dict:
    d = lf.model.model_dump(exclude={"id", "criteria", "deductions", "vetoes", "source_notes"})
    d["category"] = lf.category
    return d


def _entry_where(e: RuleEntry):
    def loc(key: str) -> Location:
        return e.where(*_path_of(key)) if key else e.where()
    return loc


def _leaf_where(lf: Leaf):
    def loc(key: str) -> Location:
        return lf.where(*_path_of(key)) if key else lf.where()
    return loc


def diff_rulesets(old: RuleSet, new: RuleSet) -> list[Change]:
    """Every difference from `old` to `new`, in the new rule set's order (removals after)."""
    out: list[Change] = []
    out += _compare_maps(_header_dict(old), _header_dict(new), "ruleset", new.name,
                         lambda k: new.header_where(*_path_of(k)), lambda k: old.header_where(*_path_of(k)))
    for cid, cat in new.categories.items():
        loc = Location(file=cat.file, line=cat.line)
        if cid not in old.categories:
            out.append(Change("added", "category", cid, "", None, f"{cat.header.name} ({cat.header.kind})", loc))
            continue
        oc = old.categories[cid]
        a = oc.header.model_dump(exclude={"id", "source_notes"})
        b = cat.header.model_dump(exclude={"id", "source_notes"})

        def cat_loc(k, c=cat):
            hit = c.srcmap.get(_path_of(k)[:1])
            return Location(file=hit[0], line=hit[1]) if hit else Location(file=c.file, line=c.line)

        def cat_old(k, c=oc):
            hit = c.srcmap.get(_path_of(k)[:1])
            return Location(file=hit[0], line=hit[1]) if hit else Location(file=c.file, line=c.line)

        out += _compare_maps(a, b, "category", cid, cat_loc, cat_old)
    for cid, cat in old.categories.items():
        if cid not in new.categories:
            out.append(Change("removed", "category", cid, "", f"{cat.header.name} ({cat.header.kind})", None,
                              Location(file=cat.file, line=cat.line)))
    old_leaves = {lf.id: lf for lf in old.leaves}
    new_ids = {lf.id for lf in new.leaves}
    for lf in new.leaves:
        ol = old_leaves.get(lf.id)
        if ol is None:
            out.append(Change("added", "indicator", lf.id, "", None, _leaf_summary(lf), lf.where()))
            continue
        out += _compare_maps(_leaf_dict(ol), _leaf_dict(lf), "indicator", lf.id, _leaf_where(lf), _leaf_where(ol))
        old_entries = {(e.section, e.id): e for e in ol.entries}
        new_keys = set()
        for e in lf.entries:
            key = (e.section, e.id)
            new_keys.add(key)
            oe = old_entries.get(key)
            if oe is None:
                out.append(Change("added", "entry", lf.id, "", None, _entry_summary(e), e.where(), e.section, e.id))
                continue
            out += _compare_maps(_entry_dict(oe), _entry_dict(e), "entry", lf.id, _entry_where(e), _entry_where(oe), e.section, e.id)
        for key, oe in old_entries.items():
            if key not in new_keys:
                out.append(Change("removed", "entry", lf.id, "", _entry_summary(oe), None, oe.where(), oe.section, oe.id))
    for lf in old.leaves:
        if lf.id not in new_ids:
            out.append(Change("removed", "indicator", lf.id, "", _leaf_summary(lf), None, lf.where()))
    return out


def _leaf_summary(lf: Leaf) -> str:
    w = _("{points} points", points=exact_str(lf.model.weight)) if lf.model.weight is not None else _("no weight")
    return _("{name}, {weight}", name=lf.model.name, weight=w)


def _entry_dict(e: RuleEntry) -> dict:
    d = {k: v for k, v in e.raw.items() if k != "id"}
    d.setdefault("enabled", True)
    return d


def _entry_summary(e: RuleEntry) -> str:
    parts = [str(e.raw.get("kind") or e.section)]
    for key in ("observation", "list", "share", "rate", "months"):
        if key in e.raw:
            parts.append(f"{key} {_show(key, e.raw[key])}")
    if "bands" in e.raw:
        parts.append("bands " + _show("bands", e.raw["bands"]))
    return ", ".join(parts)


def render(changes: list[Change], old: RuleSet, new: RuleSet) -> str:
    """The changes as text, grouped by subject."""
    lines = [_("Rule set {old} -> {new}", old=f"{old.name} ({old.content_hash[:12]})", new=f"{new.name} ({new.content_hash[:12]})")]
    if not changes:
        lines.append(_("no differences"))
        return "\n".join(lines) + "\n"
    counts = {k: sum(1 for c in changes if c.kind == k) for k in ("added", "removed", "changed")}
    lines.append(_("{added} added, {removed} removed, {changed} changed", **counts))
    for c in changes:
        lines.append("  " + c.render())
    return "\n".join(lines) + "\n"
