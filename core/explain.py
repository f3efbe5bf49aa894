"""``govscore explain``: a unit's audit trail as text, read straight from its :class:`UnitResult`.

For the unit: rank, total = base + bonus - deductions (+ floor), and each category. For each leaf
(or the one asked for): weight, effective weight and where normalisation moved weight, the most it can
give, the computed score, the final score, each rule with the observation values it read and their
provenance, the rule file and line, the points given or taken, vetoes, missing observations, and
appeal adjustments on lines of their own. Exact values are printed exactly ("20/3 ≈ 6.67"). Derivation
details are written out (:func:`detail_lines`): one line per item of a list rule, e.g. per consultation
message its times, working days elapsed, band and share, per account the periods it missed as date ranges.
"""

from __future__ import annotations

import json
import os
from fractions import Fraction

from .i18n import N_, _
from .numbers import exact_str, fmt2, round_half_up
from .result import LeafResult, UnitResult

ROLE_LABELS = {
    "award": N_("earned"), "deduct": N_("deducted"), "veto": N_("veto"), "criterion_veto": N_("criterion veto"),
    "missing": N_("missing"), "not_met": N_("not met"), "normalisation": N_("weight moved"), "cap": N_("cap"),
    "disabled": N_("disabled"),
}
KIND_NAMES = {"department": N_("department"), "town": N_("town or street")}
CATEGORY_KINDS = {"base": N_("base"), "bonus": N_("bonus"), "deduction": N_("deduction")}
PROVENANCE_LABELS = {"source": N_("source"), "checked_at": N_("checked at"), "note": N_("note")}


def points(value: Fraction | None, signed: bool = False) -> str:
    """Exact text of points, with the rounded value when the exact one has no finite decimal form."""
    if value is None:
        return "-"
    text = exact_str(value)
    if signed and value > 0:
        text = "+" + text
    if "/" in text:
        text += f" ≈ {fmt2(round_half_up(value))}"
    return text


def share_text(share: Fraction | None) -> str:
    if share is None:
        return "-"
    return exact_str(share * 100) + "%"


def where(file: str | None, line: int | None) -> str:
    """"file:line", the file shown relative to the working folder when it lies under it."""
    if not file:
        return ""
    shown = file
    try:
        rel = os.path.relpath(file)
        if not rel.startswith(".."):
            shown = rel
    except ValueError:
        pass
    shown = shown.replace(os.sep, "/")
    return f"{shown}:{line}" if line else shown


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return _("not recorded")
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v)


def unit_header(run, u: UnitResult) -> list[str]:
    d = u.display
    lines = [_("Unit {id} {name} ({kind}), evidence {source}", id=u.unit_id, name=u.name,
               kind=_(KIND_NAMES.get(u.kind, u.kind)), source=where(u.source, None))]
    rank = _("rank {rank} of {n}", rank=u.rank, n=len(run.units))
    if u.group_rank is not None:
        rank += _("; rank {rank} among {kind}", rank=u.group_rank, kind=_(KIND_NAMES.get(u.kind, u.kind)))
    lines.append(rank)
    lines.append(_("total {total} = base {base} + bonus {bonus} - deductions {deductions}",
                   total=points(u.total), base=points(u.base), bonus=points(u.bonus), deductions=points(u.deductions))
                 + (_(" + floor adjustment {floor}", floor=points(u.floor_adjustment)) if u.floor_adjustment else "")
                 + _(" (shown {total})", total=fmt2(d["total"])))
    ctx = run.context
    lines.append(_("rule set {name} (content sha256 {hash}), as of {as_of}, period {start} to {end}, engine {engine}",
                   name=run.ruleset.name, hash=run.ruleset.content_hash[:12], as_of=ctx.as_of.isoformat(),
                   start=ctx.period_start.isoformat(), end=ctx.period_end.isoformat(), engine=run.engine))
    lines.append(_("Categories:"))
    for c in u.categories:
        cap = _(", capped at {cap} (uncapped {uncapped})", cap=points(c.cap), uncapped=points(c.uncapped)) \
            if c.cap is not None and c.score != c.uncapped else ""
        lines.append("  " + _("{name} ({id}, {kind}): {score} of {weight}{cap}", name=c.name, id=c.id,
                                kind=_(CATEGORY_KINDS.get(c.kind, c.kind)), score=points(c.score), weight=points(c.weight), cap=cap))
    return lines


def _observation_lines(rec) -> list[str]:
    out = []
    for name in rec.observations:
        text = f"{name} = {_value(rec.observations[name])}"
        prov = rec.provenance.get(name) if isinstance(rec.provenance, dict) else None
        if prov:
            parts = [_("{label}: {value}", label=_(PROVENANCE_LABELS.get(k, k)), value=_value(v)) for k, v in prov.items()]
            text += _(" ({provenance})", provenance=_("; ").join(parts))
        out.append(text)
    return out


DETAIL_LABELS = {
    "band": N_("band"), "credit": N_("credit"), "occurrences": N_("occurrences"), "cutoff": N_("updated before"),
    "deadline": N_("deadline"), "published_on": N_("published on"), "report_year": N_("report year"),
    "accounts": N_("accounts"), "platforms": N_("platforms"), "checked_on": N_("checked on"), "passed": N_("passed"),
    "platforms_with_several_accounts": N_("platforms with several accounts"), "on_time": N_("on time"),
    "one_account_per_platform": N_("one account per platform"), "moved": N_("moved"), "to": N_("to"),
}
AGGREGATE_LABELS = {
    "mean": N_("the mean over {n} item(s)"), "min": N_("the lowest of {n} item(s)"),
    "all": N_("all {n} item(s) must meet it"),
}
KIND_WORDS = {"publishing": N_("publishing"), "service": N_("service")}
ACCOUNT_FLAGS = {"filed": N_("filed"), "platform_shared": N_("another account on the same platform")}


def _label(key: str) -> str:
    return _(DETAIL_LABELS[key]) if key in DETAIL_LABELS else str(key)


def _plain(v, nested: bool = False) -> str:
    """A detail value as text: lists joined by commas, mappings as "key: value; ..." (in brackets
    inside another value)."""
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if v is None:
        return "-"
    if isinstance(v, dict):
        text = _("; ").join(_("{label}: {value}", label=_label(k), value=_plain(x, True)) for k, x in v.items()) or "-"
        return f"[{text}]" if nested and v else text
    if isinstance(v, (list, tuple)):
        return _(", ").join(_plain(x, True) for x in v) or "-"
    return str(v)


def _moment(text: str | None) -> str:
    """"2023-06-15T09:00:00+08:00" -> "2023-06-15 09:00" (the offset kept unless it is Beijing time)."""
    if not text:
        return "-"
    t = str(text)
    if "T" not in t:
        return t
    day, _sep, clock = t.partition("T")
    offset = ""
    for sign in ("+", "-", "Z"):
        if sign in clock:
            clock, _sep, rest = clock.partition(sign)
            offset = "" if sign + rest in ("+08:00", "+0800") else " " + sign + rest
            break
    if clock.count(":") == 2 and clock.endswith(":00"):
        clock = clock[:-3]
    return f"{day} {clock}{offset}"


def _share_of(row: dict) -> str:
    try:
        return share_text(Fraction(str(row["share"])))
    except (KeyError, ValueError, ZeroDivisionError):
        return "-"


def date_ranges(spans: list[str]) -> list[str]:
    """Missed periods ("2023-01-23..2023-01-29") as date ranges, consecutive periods merged:
    ["2023-01-23..2023-01-29", "2023-01-30..2023-02-05"] -> ["2023-01-23 to 2023-02-05"]."""
    import datetime as _dt

    merged: list[list] = []
    for span in spans:
        first, sep, last = str(span).partition("..")
        try:
            a = _dt.date.fromisoformat(first)
            b = _dt.date.fromisoformat(last if sep else first)
        except ValueError:
            merged.append([str(span), None])
            continue
        if merged and isinstance(merged[-1][1], _dt.date) and merged[-1][1] + _dt.timedelta(days=1) == a:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    out = []
    for a, b in merged:
        if b is None:
            out.append(str(a))
        elif a == b:
            out.append(a.isoformat())
        else:
            out.append(_("{first} to {last}", first=a.isoformat(), last=b.isoformat()))
    return out


def _message_line(row: dict) -> str:
    """"message 1: asked 2023-06-15 09:00, answered 2023-06-19 10:00, 2 working day(s) elapsed, band ..., share 20%"."""
    band = _("band {band}", band=row["band"]) if row.get("band") else _("no band")
    if not row.get("band") and row.get("answered"):  # answered but no band: say what the bands required
        why = ([_("answer not accurate")] if row.get("accurate") is False else []) + \
              ([_("perfunctory answer (敷衍塞责)")] if row.get("perfunctory") is True else [])
        if why:
            band = _("no band ({why})", why=_(", ").join(why))
    if not row.get("answered"):
        return _("message {n}: asked {asked}, not answered, {band}, share {share}", n=row.get("item", "?"),
                 asked=_moment(row.get("asked")), band=band, share=_share_of(row))
    days = row.get("elapsed_working_days")
    return _("message {n}: asked {asked}, answered {answered}, {days}, {band}, share {share}",
             n=row.get("item", "?"), asked=_moment(row.get("asked")), answered=_moment(row.get("answered")),
             days=_("{n} working day(s) elapsed", n=days) if days is not None else "-", band=band, share=_share_of(row))


def _account_lines(row: dict, n) -> list[str]:
    kind = row.get("kind")
    head = _("account {n} {name} ({platform}, {kind})", n=n, name=row.get("account", "-"), platform=row.get("platform", "-"),
             kind=_(KIND_WORDS[kind]) if kind in KIND_WORDS else (kind or "-"))
    parts: list[str] = []
    if "share" in row:
        parts.append(_("share {share}", share=_share_of(row)))
    if "required_periods" in row:
        parts.append(_("{n} period(s) of {weeks} week(s) required", n=row["required_periods"], weeks=row.get("weeks_per_period", "-")))
    for key in ("filed", "platform_shared"):
        if key in row:
            parts.append(_("{label}: {value}", label=_(ACCOUNT_FLAGS[key]), value=_plain(row[key])))
    lines = [head + (_(": ") + _("; ").join(parts) if parts else "")]
    if "missing_periods" in row:
        missed = date_ranges(row.get("missing_periods") or [])
        lines.append("  " + (_("no post in: {ranges}", ranges=_(", ").join(missed)) if missed else _("a post in every period")))
    return lines



def _item_lines(row: dict) -> list[str]:
    n = row.get("item", "?")
    if "asked" in row:
        return [_message_line(row)]
    if "account" in row:
        return _account_lines(row, n)
    rest = [_("{label}: {value}", label=_label(k), value=_plain(v)) for k, v in row.items() if k not in ("item", "share", "band")]
    if row.get("band"):
        rest.insert(0, _("band {band}", band=row["band"]))
    return [_("item {n}: share {share}", n=n, share=_share_of(row)) + "".join(_("; ") + r for r in rest)]


def detail_lines(detail: dict | None) -> list[str]:
    """An audit record's detail as readable lines: its single values on one line, then one line per
    item of a list (a consultation message: asked, answered, working days elapsed, band, share; an
    account: its share and required periods, then the weeks it missed as date ranges)."""
    if not detail:
        return []
    lines = []
    items = detail.get("items")
    singles = {k: v for k, v in detail.items() if k not in ("items", "aggregate") and not isinstance(v, (list, dict))}
    if singles:
        lines.append(_("; ").join(_("{label}: {value}", label=_label(k), value=_plain(v)) for k, v in singles.items()))
    for k, v in detail.items():
        if k == "items" or not isinstance(v, (list, dict)):
            continue
        if k == "accounts" and isinstance(v, list):
            if isinstance(items, list) and any("account" in r for r in items):
                continue  # the same accounts, with their shares, are listed as items below
            for i, row in enumerate(v, start=1):
                lines.extend(_account_lines(row, i) if isinstance(row, dict) else [f"{i}: {_plain(row)}"])
            continue
        lines.append(_("{label}: {value}", label=_label(k), value=_plain(v)))
    if isinstance(items, list):
        agg = detail.get("aggregate")
        how = _(AGGREGATE_LABELS[agg], n=len(items)) if agg in AGGREGATE_LABELS else _("{n} item(s)", n=len(items))
        lines.append(_("per item ({how}):", how=how))
        for row in items:
            lines.extend("  " + ln for ln in (_item_lines(row) if isinstance(row, dict) else [_plain(row)]))
    elif items == 0:
        lines.append(_("no items recorded"))
    return lines


def leaf_lines(run, u: UnitResult, lf: LeafResult) -> list[str]:
    """The audit trail of one leaf."""
    cat = next((c for c in u.categories if c.id == lf.category), None)
    lines = [_("Indicator {id} {name} [{category}]", id=lf.id, name=lf.name, category=cat.name if cat else lf.category)]
    lines.append("  " + _("weight {weight}; effective weight {effective}; most attainable {max}; computed {computed}; score {score}",
                          weight=points(lf.weight), effective=points(lf.effective_weight), max=points(lf.max_attainable),
                          computed=points(lf.computed), score=points(lf.score)))
    if not lf.applicable:
        lines.append("  " + _("not applicable to this unit"))
    if lf.vetoed:
        lines.append("  " + _("vetoed: the indicator scores 0"))
    lines.append("  " + _("reason: {reason}", reason=lf.reason))
    moves = [a for a in lf.audit if a.role == "normalisation"]
    rules = [a for a in lf.audit if a.role != "normalisation"]
    for a in moves:
        lines.append("  " + _("weight moved: {reason}", reason=a.reason))
    if rules:
        lines.append("  " + _("Rules:"))
    for a in rules:
        label = _(ROLE_LABELS.get(a.role, a.role))
        share = _(" (share {share})", share=share_text(a.share)) if a.share is not None else ""
        head = _("[{role}] {entry}{share}: {points}", role=label, entry=a.entry, share=share, points=points(a.points, signed=True))
        if a.reason:
            head += _(" ({reason})", reason=a.reason)
        lines.append("    " + head)
        lines.append("      " + _("rule {rule}, {where}", rule=a.rule, where=where(a.file, a.line) or "-"))
        for ol in _observation_lines(a):
            lines.append("      " + _("observed {observation}", observation=ol))
        for dl in detail_lines(a.detail):
            lines.append("      " + dl)
        if a.text:
            lines.append("      " + _("rubric text: {text}", text=" ".join(str(a.text).split())))
    if lf.missing:
        lines.append("  " + _("missing observations: {names}", names=", ".join(lf.missing)))
    score = lf.computed
    for adj in lf.adjustments:
        after = score + adj.applied
        lines.append("  " + _("appeal adjustment: {before} -> {after} (applied {applied}, requested {requested}); "
                              "reason: {reason}; decided by {decided_by} on {decided_on}; {where}",
                              before=points(score), after=points(after), applied=points(adj.applied, signed=True),
                              requested=adj.requested_text(), reason=adj.reason, decided_by=adj.decided_by,
                              decided_on=adj.decided_on, where=adj.location or "-"))
        score = after
    return lines


def explain_text(run, u: UnitResult, indicator: str | None = None) -> str:
    """The whole explanation of unit `u` (only `indicator` when given)."""
    lines = unit_header(run, u)
    for lf in u.indicators:
        if indicator is not None and lf.id != indicator:
            continue
        lines.append("")
        lines.extend(leaf_lines(run, u, lf))
    return "\n".join(lines) + "\n"

