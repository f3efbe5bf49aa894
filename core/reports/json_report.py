"""The JSON result (schema: core/schema/result.schema.json, version :data:`SCHEMA_VERSION`).

Every number appears as {"value": rounded to 2 places (apportioned so parts add up), "exact": "20/3"}.
Same input, byte-identical output: keys are emitted in a fixed order and nothing depends on hash order.

Versioning: ``schema_version`` is MAJOR.MINOR. A new optional field bumps MINOR (readers of 1.x keep
working); removing or changing the meaning of a field bumps MAJOR, and with it the schema's ``$id``.
1.0: first version. 1.1: ``evidence_files`` and each indicator's ``group``.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..numbers import exact_str
from ..result import UnitResult, num, shown
from .base import atomic_write_bytes

SCHEMA_VERSION = "1.1"
SCHEMA_ID = "https://govscore.example/schema/result-1.json"


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
            "reason": lf.reason, "audit": [a.to_dict() for a in lf.audit], "missing": list(lf.missing),
            "adjustments": [a.to_dict() for a in lf.adjustments],
        } for lf in u.indicators],
    }


def result_dict(run) -> dict:
    """The whole JSON document of a run."""
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "context": run.context_dict(),
        "evidence_files": list(run.evidence_files),
        "units": [unit_dict(u, run.compiled) for u in run.units],
        "failures": [{"unit": f.unit_id, "name": f.name, "source": f.source,
                      "errors": [e.as_dict() for e in f.errors]} for f in run.failures],
    }


def dumps(run) -> str:
    return json.dumps(result_dict(run), ensure_ascii=False, indent=2) + "\n"


def write_json(run, path: Path, options: dict | None = None) -> None:
    """Write the JSON result atomically."""
    atomic_write_bytes(Path(path), dumps(run).encode("utf-8"))
