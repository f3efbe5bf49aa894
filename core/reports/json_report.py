"""The JSON result (schema: core/schema/result.schema.json, version :data:`SCHEMA_VERSION`).

Every number appears as {"value": rounded to 2 places (apportioned so parts add up), "exact": "20/3"}.
Same input, byte-identical output: keys are emitted in a fixed order and nothing depends on hash order.

Versioning: ``schema_version`` is MAJOR.MINOR. A new optional field bumps MINOR (readers of 1.x keep
working); removing or changing the meaning of a field bumps MAJOR, and with it the schema's ``$id``.
1.0: first version. 1.1: ``evidence_files`` and each indicator's ``group``.
2.0: the rubric's text, rule file and line of every rule entry are given once, in the top-level
``rules`` table keyed ``indicator:entry``, instead of in every audit line of every unit (a district of
20,000 units repeated them 1.7 million times); audit lines keep ``rule`` and ``entry``.

The document is written unit by unit (one unit per line inside ``units``), so a run of 20,000 units
never holds the whole text in memory.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..numbers import exact_str
from ..result import UnitResult, num, shown

SCHEMA_VERSION = "2.0"
SCHEMA_ID = "https://govscore.example/schema/result-2.json"
AUDIT_KEYS = ("rule", "entry", "role", "points", "share", "observations", "provenance", "detail", "reason")


def unit_dict(u: UnitResult, compiled=None) -> dict:
    """The JSON object of one unit (`compiled`, when given, adds each indicator's level-2 group)."""
    d = u.display
    groups = {lf.id: lf.group for lf in compiled.leaves} if compiled is not None else {}
    return {
        "id": u.unit_id, "name": u.name, "kind": u.kind, "source": u.source,
        "rank": u.rank, "group_rank": u.group_rank,
        "total": shown(d["total"], u.total), "base": shown(d["base"], u.base), "bonus": shown(d["bonus"], u.bonus),
        "deductions": shown(d["deductions"], u.deductions),
        "floor_adjustment": shown(d["floor_adjustment"], u.floor_adjustment),
        "missing_count": u.missing_count,
        "categories": [{"id": c.id, "name": c.name, "kind": c.kind, "weight": num(c.weight),
                        "score": shown(c.display, c.score), "uncapped": num(c.uncapped),
                        "cap": exact_str(c.cap) if c.cap is not None else None} for c in u.categories],
        "indicators": [{
            "id": lf.id, "name": lf.name, "category": lf.category, "group": groups.get(lf.id),
            "weight": num(lf.weight), "effective_weight": num(lf.effective_weight),
            "computed": num(lf.computed), "score": shown(lf.display, lf.score),
            "max_attainable": num(lf.max_attainable), "applicable": lf.applicable, "vetoed": lf.vetoed,
            "reason": lf.reason, "audit": [_audit(a) for a in lf.audit], "missing": list(lf.missing),
            "adjustments": [a.to_dict() for a in lf.adjustments],
        } for lf in u.indicators],
    }


def unit_text(u, compiled=None, spool=None) -> str:
    """One unit's JSON text, compact, keys in schema order: a full result serialised, or a spooled
    summary's text (see :mod:`govscore.core.spool`) with its ranks filled in. Byte-identical either way."""
    ref = getattr(u, "ref", None)
    if ref is not None:
        from ..spool import with_ranks

        return with_ranks(spool.read(ref), u.rank, u.group_rank)
    return json.dumps(unit_dict(u, compiled), ensure_ascii=False, separators=(",", ":"))


def _audit(a) -> dict:
    d = a.to_dict()
    return {k: d[k] for k in AUDIT_KEYS}


def rules_table(run) -> dict:
    """Every rule entry once: indicator, entry, kind, role, the rubric's text, rule file and line."""
    root = Path(run.ruleset.path).parent
    table = {}
    for lf in run.compiled.leaves:
        for e in lf.entries:
            try:
                file = str(Path(e.file).relative_to(root))
            except ValueError:
                file = e.file
            table[f"{lf.id}:{e.id}"] = {"indicator": lf.id, "entry": e.id, "kind": e.kind.name, "role": e.role,
                                         "text": e.text, "file": file, "line": e.line}
    return table


def _head(run) -> dict:
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "context": run.context_dict(),
        "evidence_files": list(run.evidence_files),
        "rules": rules_table(run),
    }


def _failures(run) -> list:
    return [{"unit": f.unit_id, "name": f.name, "source": f.source,
             "errors": [e.as_dict() for e in f.errors]} for f in run.failures]


def result_dict(run) -> dict:
    """The whole JSON document of a run (for tests and small runs; :func:`write_json` streams it)."""
    doc = _head(run)
    spool = getattr(run, "spool", None)
    doc["units"] = [json.loads(unit_text(u, run.compiled, spool)) if getattr(u, "ref", None) else unit_dict(u, run.compiled)
                    for u in run.units]
    doc["failures"] = _failures(run)
    return doc


def iter_chunks(run):
    """The JSON text of a run in pieces: the head, one line per unit, the failures.

    Equal to ``json.loads`` of :func:`result_dict`; byte-identical for the same input.
    """
    head = json.dumps(_head(run), ensure_ascii=False, indent=1)
    yield head[:-2] + ',\n "units": ['
    spool = getattr(run, "spool", None)
    for i, u in enumerate(run.units):
        yield ("\n  " if i == 0 else ",\n  ") + unit_text(u, run.compiled, spool)
    yield ("\n ]" if run.units else "]") + ',\n "failures": ' + json.dumps(_failures(run), ensure_ascii=False, indent=1).replace("\n", "\n ") + "\n}\n"


def dumps(run) -> str:
    return "".join(iter_chunks(run))


def write_json(run, path: Path, options: dict | None = None) -> None:
    """Write the JSON result atomically, unit by unit (temporary file, then rename)."""
    from .base import atomic_path

    with atomic_path(Path(path)) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for chunk in iter_chunks(run):
                fh.write(chunk)
