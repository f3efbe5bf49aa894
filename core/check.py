"""``govscore check``: read and validate evidence without scoring.

Per unit: what is malformed (every error with file and line, or sheet and cell), which observations
are not recorded (they will earn nothing, or fail the unit under ``--strict``), and what will be
defaulted (problem observations absent = false / 0, key-area applicability absent = applicable, a unit
without a kind = department). Files that cannot be read and repeated unit ids are reported too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ErrorList, GovscoreError
from .i18n import _
from .observations import is_problem


@dataclass
class UnitCheck:
    """What check found for one unit."""

    unit_id: str | None
    name: str | None
    source: str
    errors: list[GovscoreError] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)
    defaulted: list[tuple[str, str, str]] = field(default_factory=list)

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and any(self.missing.values()))


@dataclass
class CheckResult:
    units: list[UnitCheck]
    file_errors: list[GovscoreError]
    strict: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(u.failed(self.strict) for u in self.units)


def _flat(err: GovscoreError) -> list[GovscoreError]:
    return list(err.errors) if isinstance(err, ErrorList) else [err]


def check_unit(compiled, ev) -> UnitCheck:
    """Parse, derive and encode one unit the way scoring would, collecting instead of scoring."""
    from .facts import build_facts, parse_unit, run_derivations

    raw_unit = ev.raw.get("unit") if isinstance(ev.raw, dict) else None
    name = raw_unit.get("name") if isinstance(raw_unit, dict) else None
    uc = UnitCheck(ev.unit_id, str(name) if name is not None else None, ev.source)
    try:
        work = parse_unit(ev, compiled)
    except GovscoreError as err:
        uc.errors.extend(_flat(err))
        return uc
    try:
        run_derivations(work, compiled)
        uf = build_facts(work, compiled, f"check-{ev.index}")
    except GovscoreError as err:
        uc.errors.extend(_flat(err))
        return uc
    uc.missing = {k: list(v) for k, v in uf.missing.items() if v}
    if isinstance(raw_unit, dict) and raw_unit.get("kind") is None:
        uc.defaulted.append(("unit", "kind", "department"))
    for lf in compiled.leaves:
        provided = work.provided.get(lf.id, set())
        read = {name for e in lf.entries if e.rules for lst, name in e.reads if lst is None}
        if lf.applicability:
            read.add(lf.applicability)
        for name in lf.spec.evidence.model_fields:
            if name not in read or name in provided or not is_problem(lf.spec.evidence, name):
                continue
            value = work.observations.get(lf.id, {}).get(name)
            shown = ("true" if value else "false") if isinstance(value, bool) else str(value)
            uc.defaulted.append((lf.id, name, shown))
    return uc


def check_evidence(compiled, loaded, strict: bool = False) -> CheckResult:
    """Check every unit of `loaded` (see :func:`govscore.core.evidence.load_evidence`)."""
    from .runner import duplicate_failures

    keep, dups = duplicate_failures(loaded.units)
    units = [check_unit(compiled, ev) for ev in keep]
    for f in dups:
        units.append(UnitCheck(f.unit_id, f.name, f.source, list(f.errors)))
    return CheckResult(units, list(loaded.errors), strict)


def render(result: CheckResult) -> str:
    """The findings as text, unit by unit."""
    lines = []
    for e in result.file_errors:
        lines.append(_("file error: {message}", message=e.render()))
    for u in result.units:
        who = f"{u.unit_id or '?'} {u.name or ''}".strip()
        if u.errors:
            state = _("{n} error(s)", n=len(u.errors))
        elif result.strict and any(u.missing.values()):
            state = _("fails under --strict: observations not recorded")
        else:
            state = _("can be scored")
        lines.append(_("{who} ({source}): {state}", who=who, source=u.source, state=state))
        for e in u.errors:
            lines.append("  " + _("error: {message}", message=e.render()))
        for ind, names in u.missing.items():
            lines.append("  " + _("not recorded (earns nothing): {indicator}: {names}", indicator=ind, names=", ".join(names)))
        for ind, name, value in u.defaulted:
            lines.append("  " + _("defaulted: {indicator}.{name} = {value}", indicator=ind, name=name, value=value))
    bad = sum(1 for u in result.units if u.failed(result.strict))
    lines.append(_("{n} unit(s) checked: {ok} can be scored, {bad} with errors; {files} file error(s)",
                   n=len(result.units), ok=len(result.units) - bad, bad=bad, files=len(result.file_errors)))
    return "\n".join(lines) + "\n"
