"""``govscore compare OLD.json NEW.json``: per unit, how total, rank and each leaf moved.

Reads two JSON results (core/schema/result.schema.json) and compares them exactly: every number is
read from its ``exact`` text ("20/3"), so a change is never an artefact of rounding. Units are matched
by id, leaves by indicator id. A rank change is old rank - new rank: positive means the unit moved up.
Units or indicators present on one side only are listed as such.

What is printed is what the reports show: old and new scores are the results' displayed values (their
``value``, 2 decimals), a change is the exact change rounded half-up to 2 decimals, and every number is
written with 2 decimals ("92.33", "+0.38", "0.00").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .errors import Location, RuleSetError
from .i18n import _
from .numbers import exact_str, fmt2, parse_fraction, round_half_up
from .yamlio import parser_problem, read_text


@dataclass
class LeafChange:
    """One leaf of a unit on both sides (None where absent)."""

    id: str
    name: str
    old: Fraction | None
    new: Fraction | None
    old_shown: Fraction | None = None
    new_shown: Fraction | None = None
    """The displayed values (the results' ``value``, 2 decimals); None where absent."""

    @property
    def delta(self) -> Fraction | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class UnitChange:
    """One unit on both sides: status "both", "added" (new only) or "removed" (old only)."""

    id: str
    name: str
    status: str
    old_total: Fraction | None = None
    new_total: Fraction | None = None
    old_rank: int | None = None
    new_rank: int | None = None
    leaves: list[LeafChange] = field(default_factory=list)
    old_total_shown: Fraction | None = None
    new_total_shown: Fraction | None = None

    @property
    def delta(self) -> Fraction | None:
        if self.old_total is None or self.new_total is None:
            return None
        return self.new_total - self.old_total

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost (negative)."""
        if self.old_rank is None or self.new_rank is None:
            return None
        return self.old_rank - self.new_rank

    @property
    def changed_leaves(self) -> list[LeafChange]:
        return [lf for lf in self.leaves if lf.changed]


@dataclass
class Comparison:
    """The comparison of two result files."""

    old_context: dict
    new_context: dict
    units: list[UnitChange]

    def as_dict(self) -> dict:
        def n(v, shown=None):
            if v is None:
                return None
            return {"value": float(fmt2(shown if shown is not None else round_half_up(v))), "exact": exact_str(v)}

        return {
            "old": self.old_context, "new": self.new_context,
            "units": [{
                "id": u.id, "name": u.name, "status": u.status,
                "old_total": n(u.old_total, u.old_total_shown), "new_total": n(u.new_total, u.new_total_shown),
                "delta": n(u.delta),
                "old_rank": u.old_rank, "new_rank": u.new_rank, "rank_change": u.rank_change,
                "indicators": [{"id": lf.id, "name": lf.name, "old": n(lf.old, lf.old_shown), "new": n(lf.new, lf.new_shown),
                                "delta": n(lf.delta)} for lf in u.leaves if lf.changed],
            } for u in self.units],
        }


def _exact(node) -> Fraction | None:
    if node is None:
        return None
    if isinstance(node, dict):
        node = node.get("exact", node.get("value"))
    if node is None:
        return None
    return parse_fraction(node)


def _shown(node) -> Fraction | None:
    """The displayed value of a number of a result: its ``value`` (2 decimals, apportioned so that parts
    add up to the whole), else its exact value rounded half-up to 2 decimals."""
    if node is None:
        return None
    if isinstance(node, dict) and isinstance(node.get("value"), (int, float)) and not isinstance(node.get("value"), bool):
        return round_half_up(parse_fraction(node["value"]))
    exact = _exact(node)
    return None if exact is None else round_half_up(exact)


def load_result(path: Path) -> dict:
    """Read a JSON result file.

    Raises:
        RuleSetError: unreadable, not JSON, or not a govscore result (exit 2).
    """
    path = Path(path)
    if not path.is_file():
        raise RuleSetError("result file {path} does not exist", {"path": str(path)}, Location(file=str(path)))
    try:
        doc = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise RuleSetError("malformed JSON: {problem}", {"problem": parser_problem(exc.msg)}, Location(file=str(path), line=exc.lineno)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("units"), list) or "schema_version" not in doc:
        raise RuleSetError("{path} is not a govscore JSON result (score --format json)", {"path": str(path)}, Location(file=str(path)))
    major = str(doc.get("schema_version")).split(".")[0]
    # compare reads units, totals, ranks and indicator scores, which versions 1 and 2 share
    if major not in ("1", "2"):
        raise RuleSetError("{path} has result schema version {version}; this govscore reads versions 1 and 2",
                           {"path": str(path), "version": doc.get("schema_version")}, Location(file=str(path)))
    return doc


def compare_results(old: dict, new: dict) -> Comparison:
    """Compare two loaded results (see :func:`_compare_results`).

    Raises:
        RuleSetError: a document that has the outer shape of a result but not its inner one (a unit
            without id, a score that is not a number ...), exit 2, never a traceback.
    """
    try:
        return _compare_results(old, new)
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError, IndexError) as exc:
        raise RuleSetError("a result file does not have the shape of a govscore JSON result: {reason}",
                           {"reason": f"{type(exc).__name__}: {exc}"[:200]}) from None


def _compare_results(old: dict, new: dict) -> Comparison:
    """Compare two loaded results; units in the new file's order, then units only in the old one."""
    old_units = {u["id"]: u for u in old["units"]}
    new_ids = set()
    out: list[UnitChange] = []
    for nu in new["units"]:
        new_ids.add(nu["id"])
        ou = old_units.get(nu["id"])
        if ou is None:
            out.append(UnitChange(nu["id"], nu.get("name", ""), "added", None, _exact(nu.get("total")), None, nu.get("rank"),
                                  new_total_shown=_shown(nu.get("total"))))
            continue
        uc = UnitChange(nu["id"], nu.get("name", ""), "both", _exact(ou.get("total")), _exact(nu.get("total")),
                        ou.get("rank"), nu.get("rank"), old_total_shown=_shown(ou.get("total")),
                        new_total_shown=_shown(nu.get("total")))
        old_leaves = {i["id"]: i for i in ou.get("indicators", [])}
        seen = set()
        for ni in nu.get("indicators", []):
            seen.add(ni["id"])
            oi = old_leaves.get(ni["id"])
            uc.leaves.append(LeafChange(ni["id"], ni.get("name", ""), _exact(oi.get("score")) if oi else None, _exact(ni.get("score")),
                                        _shown(oi.get("score")) if oi else None, _shown(ni.get("score"))))
        for oid, oi in old_leaves.items():
            if oid not in seen:
                uc.leaves.append(LeafChange(oid, oi.get("name", ""), _exact(oi.get("score")), None, _shown(oi.get("score")), None))
        out.append(uc)
    for ou in old["units"]:
        if ou["id"] not in new_ids:
            out.append(UnitChange(ou["id"], ou.get("name", ""), "removed", _exact(ou.get("total")), None, ou.get("rank"), None,
                                  old_total_shown=_shown(ou.get("total"))))
    return Comparison(old.get("context", {}), new.get("context", {}), out)


def _pts(shown: Fraction | None) -> str:
    """A displayed score with 2 decimals ("92.33"); "-" where absent."""
    return "-" if shown is None else fmt2(shown)


def _change(delta: Fraction | None) -> str:
    """An exact change rounded half-up to 2 decimals, signed when it rounds to more than 0 ("+0.38",
    "-0.50", "0.00"); "-" where absent."""
    if delta is None:
        return "-"
    shown = round_half_up(delta)
    return ("+" if shown > 0 else "") + fmt2(shown)


def _rank(v: int | None) -> str:
    if v is None:
        return "-"
    return f"+{v}" if v > 0 else str(v)


def table_rows(cmp: Comparison) -> tuple[list[str], list[list[str]]]:
    """The per-unit summary as (headers, rows)."""
    headers = [_("Unit ID"), _("Unit"), _("Old total"), _("New total"), _("Change"), _("Old rank"), _("New rank"),
               _("Places")]
    rows = []
    for u in cmp.units:
        rows.append([u.id, u.name, _pts(u.old_total_shown), _pts(u.new_total_shown), _change(u.delta),
                     "-" if u.old_rank is None else str(u.old_rank), "-" if u.new_rank is None else str(u.new_rank),
                     _rank(u.rank_change)])
    return headers, rows


def render_parts(cmp: Comparison, show_all: bool = False):
    """(heading lines, the per-unit summary table as a Section, lines of the indicators that changed)."""
    from .reports.table import Section

    oc, nc = cmp.old_context, cmp.new_context
    head = [_("old: rule set {name} ({hash}), as of {as_of}", name=oc.get("ruleset", "-"), hash=str(oc.get("ruleset_hash", ""))[:12],
              as_of=oc.get("as_of", "-")),
            _("new: rule set {name} ({hash}), as of {as_of}", name=nc.get("ruleset", "-"), hash=str(nc.get("ruleset_hash", ""))[:12],
              as_of=nc.get("as_of", "-"))]
    headers, rows = table_rows(cmp)
    return head, Section(_("Change per unit"), headers, rows, {2, 3, 4, 5, 6, 7}), detail_lines(cmp, show_all)


def render(cmp: Comparison, show_all: bool = False) -> str:
    """The comparison as plain text: the summary table, then each unit's changed leaves."""
    from .reports.table import render_section_plain

    head, sec, detail = render_parts(cmp, show_all)
    lines = head + ["", render_section_plain(sec)]
    if detail:
        lines += [""] + detail
    return "\n".join(lines) + "\n"


def detail_lines(cmp: Comparison, show_all: bool = False) -> list[str]:
    """Each unit's changed indicators (all with `show_all`), and units present on one side only."""
    detail = []
    for u in cmp.units:
        if u.status == "added":
            detail.append(_("{id} {name}: only in the new result", id=u.id, name=u.name))
            continue
        if u.status == "removed":
            detail.append(_("{id} {name}: only in the old result", id=u.id, name=u.name))
            continue
        leaves = u.leaves if show_all else u.changed_leaves
        if not leaves:
            continue
        detail.append(_("{id} {name}:", id=u.id, name=u.name))
        for lf in leaves:
            if lf.old is None:
                detail.append("  " + _("{id} {name}: new indicator, {new}", id=lf.id, name=lf.name, new=_pts(lf.new_shown)))
            elif lf.new is None:
                detail.append("  " + _("{id} {name}: indicator removed, was {old}", id=lf.id, name=lf.name, old=_pts(lf.old_shown)))
            else:
                detail.append("  " + _("{id} {name}: {old} -> {new} ({delta})", id=lf.id, name=lf.name, old=_pts(lf.old_shown),
                                       new=_pts(lf.new_shown), delta=_change(lf.delta)))
    return [_("Indicators that changed:")] + detail if detail else []
