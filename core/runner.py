"""A scoring run: rule set + evidence -> ranked results, one unit at a time, optionally on a pool.

Each unit goes through the same steps (:func:`score_one`): parse and validate its evidence, run the
derivations, build facts, evaluate them with the engine, aggregate. A unit whose evidence is bad
fails alone: its errors are recorded and every other unit is still scored and written.
Units are independent, so a process pool with chunked units gives results identical to one process.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .aggregate import score_unit
from .calendar import WorkingDayCalendar
from .compile import UNIT_LISTS, CompiledRuleSet, RunContext, compile_ruleset
from .engine.base import make_engine
from .errors import ErrorList, EvidenceError, GovscoreError, RuleSetError
from .evidence import LoadedEvidence, UnitEvidence, load_evidence
from .facts import build_facts, parse_unit, run_derivations
from .i18n import current_language
from .plugins import Registry, load
from .result import UnitFailure, UnitResult
from .ruleset.loader import RuleSet, load_ruleset

DEFAULT_RULESET = "2023-zengdu"


@dataclass
class RunOptions:
    """Options of a scoring run; None means the rule set's default."""

    rules: str = DEFAULT_RULESET
    as_of: _dt.date | None = None
    period: tuple[_dt.date, _dt.date] | None = None
    calendar_files: list[Path] = field(default_factory=list)
    engine: str = "durable"
    strict: bool = False
    workers: int = 1


@dataclass
class RunResult:
    """A scored run: context, ranked units, failures (unit-level and file-level)."""

    ruleset: RuleSet
    compiled: CompiledRuleSet
    context: RunContext
    engine: str
    units: list[UnitResult]
    failures: list[UnitFailure]
    evidence_files: list[str]
    version: str = __version__

    def context_dict(self) -> dict:
        """The run context shown in every report."""
        return {
            "ruleset": self.ruleset.name,
            "ruleset_title": self.ruleset.title,
            "ruleset_hash": self.ruleset.content_hash,
            "ruleset_chain": self.ruleset.chain,
            "as_of": self.context.as_of.isoformat(),
            "period": {"start": self.context.period_start.isoformat(), "end": self.context.period_end.isoformat()},
            "calendar": list(getattr(self.context.calendar, "sources", [])),
            "engine": self.engine,
            "govscore_version": self.version,
        }


def prepare(options: RunOptions, registry: Registry | None = None) -> CompiledRuleSet:
    """Load plugins and the rule set, build the run context and compile.

    Raises:
        RuleSetError / ErrorList / PluginError: invalid rule set or plugins (exit 2).
    """
    registry = registry or load()
    rs = load_ruleset(options.rules, registry.ruleset_paths())
    run = rs.header.run
    as_of = options.as_of or run.as_of
    period = options.period or ((run.period.start, run.period.end) if run.period else None)
    if period is None:
        raise RuleSetError("the rule set gives no run period; pass --period START:END", {}, rs.header_where("run"))
    if as_of is None:
        as_of = period[1]
    if period[0] > period[1]:
        raise RuleSetError("the period starts after it ends: {start} > {end}", {"start": period[0], "end": period[1]})
    cal = WorkingDayCalendar.from_files(list(rs.calendar_files) + list(options.calendar_files))
    ctx = RunContext(as_of, period[0], period[1], cal, options.strict)
    return compile_ruleset(rs, registry, ctx)


_sid_counter = itertools.count(1)


def score_one(compiled: CompiledRuleSet, ev: UnitEvidence, engine) -> UnitResult:
    """Score one unit.

    Raises:
        ErrorList / EvidenceError: the unit's evidence is bad (other units are unaffected).
    """
    work = parse_unit(ev, compiled)
    run_derivations(work, compiled)
    uf = build_facts(work, compiled, f"{os.getpid()}-{next(_sid_counter)}")
    if compiled.context.strict:
        errs = []
        for ind, names in uf.missing.items():
            for n in names:
                # point at the observation's own cell or line (the unit's accounts for the account list)
                path = ("accounts",) if n in UNIT_LISTS else ("observations", ind, n)
                errs.append(EvidenceError("strict mode: observation {name} of {indicator} is not recorded",
                                          {"name": n, "indicator": ind}, ev.locate(path), work.unit.id, f"{ind}.{n}"))
        if errs:
            raise ErrorList(errs)
    outcome = engine.evaluate(compiled, uf)
    try:
        return score_unit(compiled, uf, outcome)
    except GovscoreError:
        raise
    except Exception as exc:  # a plugin's credit function failing is that unit's error, never swallowed
        raise EvidenceError("a rule of this unit could not be evaluated: {reason}", {"reason": f"{type(exc).__name__}: {exc}"},
                            ev.locate(()), work.unit.id) from None


def _failure(ev: UnitEvidence, err: GovscoreError) -> UnitFailure:
    errors = err.errors if isinstance(err, ErrorList) else [err]
    unit = ev.raw.get("unit") if isinstance(ev.raw, dict) else None
    name = unit.get("name") if isinstance(unit, dict) else None
    return UnitFailure(ev.unit_id, name, ev.source, errors)


def score_units(compiled: CompiledRuleSet, units: list[UnitEvidence], engine_name: str = "durable",
                progress: Callable[[int], None] | None = None) -> tuple[list[UnitResult], list[UnitFailure]]:
    """Score units in one process, in order; duplicates of an earlier unit id fail.

    Returns:
        (results, failures) in input order.
    """
    engine = make_engine(engine_name)
    engine.prepare(compiled)
    results: list[UnitResult] = []
    failures: list[UnitFailure] = []
    for ev in units:
        try:
            results.append(score_one(compiled, ev, engine))
        except GovscoreError as err:
            failures.append(_failure(ev, err))
        if progress:
            progress(1)
    return results, failures


def duplicate_failures(units: list[UnitEvidence]) -> tuple[list[UnitEvidence], list[UnitFailure]]:
    """Split off units whose id repeats an earlier unit's (the first one is kept and scored)."""
    seen: dict[str, UnitEvidence] = {}
    keep, fail = [], []
    for ev in units:
        uid = ev.unit_id
        if uid is not None and uid in seen:
            first = seen[uid]
            err = EvidenceError("duplicate unit id {id}: already given at {first}", {"id": uid, "first": first.locate(("unit", "id")).render()},
                                ev.locate(("unit", "id")), uid, "unit.id")
            fail.append(_failure(ev, err))
            continue
        if uid is not None:
            seen[uid] = ev
        keep.append(ev)
    return keep, fail


def rank(results: list[UnitResult], group_by: str | None = None) -> list[UnitResult]:
    """Order by exact total (descending), ties by unit id; ties share a rank (1, 2, 2, 4).

    With group_by="kind", ``group_rank`` ranks departments and towns/streets separately.
    """
    ordered = sorted(results, key=lambda r: (-r.total, r.unit_id))
    _assign(ordered, "rank")
    if group_by == "kind":
        for kind in sorted({r.kind for r in ordered}):
            _assign([r for r in ordered if r.kind == kind], "group_rank")
    return ordered


def _assign(ordered: list[UnitResult], attr: str) -> None:
    prev_total: Fraction | None = None
    prev_rank = 0
    for i, r in enumerate(ordered, start=1):
        if prev_total is not None and r.total == prev_total:
            setattr(r, attr, prev_rank)
        else:
            setattr(r, attr, i)
            prev_rank = i
            prev_total = r.total


# --- process pool -------------------------------------------------------------------------------

_worker_state: dict = {}


def _worker_init(options: RunOptions, lang: str | None = None) -> None:
    if lang:
        # messages are worded when raised: a spawned worker must speak the parent's language
        from .i18n import set_language

        set_language(lang)
    _worker_state["compiled"] = prepare(options)
    _worker_state["engine"] = options.engine


def _worker_chunk(chunk: list[tuple]):
    compiled = _worker_state["compiled"]
    units = [UnitEvidence.rebuild(*item) for item in chunk]
    results, failures = score_units(compiled, units, _worker_state["engine"])
    return results, failures


def run(paths: Iterable[Path], options: RunOptions, group_by: str | None = None, registry: Registry | None = None,
        progress: Callable[[int], None] | None = None, loaded: LoadedEvidence | None = None,
        compiled: CompiledRuleSet | None = None) -> RunResult:
    """Score every unit found under `paths` and rank them.

    With ``options.workers > 1`` the worker processes start before the evidence is read, so that they
    do not inherit (and, touching it, copy) the whole district's evidence; a run of 200 units or fewer
    is scored in this process all the same.

    Returns:
        A :class:`RunResult`; file-level read errors and unit errors are listed in ``failures``.

    Raises:
        RuleSetError / PluginError: the rule set or a plugin is invalid (nothing is scored).
    """
    registry = registry or load()
    registry.require_healthy()
    compiled = compiled or prepare(options, registry)
    pool = _start_pool(options) if options.workers > 1 and loaded is None else None
    try:
        loaded = loaded or load_evidence([Path(p) for p in paths], compiled)
        units, dup_fail = duplicate_failures(loaded.units)
        files = loaded.files
        failures = [UnitFailure(None, None, e.location.file or "", [e]) for e in loaded.errors] + dup_fail
        del loaded
        if pool is not None and len(units) > 200 and all(u.prefix is not None for u in units):
            results, unit_fail = _run_pool(pool, units, options, progress)
        else:
            results, unit_fail = score_units(compiled, units, options.engine, progress)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    failures += unit_fail
    ranked = rank(results, group_by)
    return RunResult(compiled.ruleset, compiled, compiled.context, options.engine, ranked, failures, files)


def _start_pool(options: RunOptions):
    import multiprocessing as mp

    ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
    return ctx.Pool(options.workers, initializer=_worker_init, initargs=(options, current_language()))


def _run_pool(pool, units: list[UnitEvidence], options: RunOptions, progress) -> tuple[list, list]:
    """Score `units` on the pool's processes (one durable Host each), in chunks, in input order.

    Chunks are handed over lazily and each unit's raw evidence is released once it is on its way, so
    this process never holds the evidence and all the results at once.
    """
    size = max(25, len(units) // (options.workers * 8) or 1)

    def chunks():
        for i in range(0, len(units), size):
            part = units[i:i + size]
            payload = [u.portable() for u in part]
            for u in part:
                u.raw = None
            yield payload

    results: list = []
    failures: list = []
    for res, fail in pool.imap(_worker_chunk, chunks()):
        results.extend(res)
        failures.extend(fail)
        if progress:
            progress(len(res) + len(fail))
    return results, failures
