"""A scoring run: rule set + evidence -> ranked results, one unit at a time, optionally on a pool.

Each unit goes through the same steps (:func:`score_one`): parse and validate its evidence, run the
derivations, build facts, evaluate them with the engine, aggregate. A unit whose evidence is bad
fails alone: its errors are recorded and every other unit is still scored and written.
Units are independent, so a process pool with chunked units gives results identical to one process.
"""

from __future__ import annotations

import datetime as _dt
import gc
import itertools
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .aggregate import score_unit
from .calendar import WorkingDayCalendar
from .compile import UNIT_LISTS, CompiledRuleSet, RunContext, compile_ruleset
from .engine.base import make_engine
from .errors import ErrorList, EvidenceError, GovscoreError, Location, RuleSetError
from .evidence import LoadedEvidence, SourceDoc, UnitEvidence, discover, load_evidence
from .facts import build_facts, parse_unit, run_derivations
from .i18n import current_language
from .plugins import Registry, load
from .result import UnitFailure, UnitResult
from .ruleset.loader import RuleSet, load_ruleset
from .spool import Spool, SpoolWriter, UnitSummary

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
    timings: dict = field(default_factory=dict)
    """Seconds spent reading evidence files (``read_s``, overlapping scoring) and scoring them (``score_s``,
    reading included): for the benchmark."""
    spool: Spool | None = None
    """Where the JSON texts of a lean run (``keep="summary"``) wait; None for a full run."""

    def close(self) -> None:
        """Remove the spool of a lean run (nothing to do for a full run)."""
        if self.spool is not None:
            self.spool.close()

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


def score_units(compiled: CompiledRuleSet, units: Iterable[UnitEvidence], engine_name: str = "durable",
                progress: Callable[[int], None] | None = None,
                keep: Callable[[UnitResult], object] | None = None) -> tuple[list, list[UnitFailure]]:
    """Score units in one process, in order.

    Args:
        keep: what to keep of each result (default: the whole :class:`UnitResult`); a lean run keeps a
            :class:`~govscore.core.spool.UnitSummary` and spools the JSON text.

    Returns:
        (results, failures) in input order.
    """
    engine = make_engine(engine_name)
    engine.prepare(compiled)
    results: list = []
    failures: list[UnitFailure] = []
    with _young_collections():
        for n, ev in enumerate(units, start=1):
            try:
                r = score_one(compiled, ev, engine)
                results.append(keep(r) if keep is not None else r)
            except GovscoreError as err:
                failures.append(_failure(ev, err))
            if progress:
                progress(1)
            if n % 1000 == 0:
                gc.collect(1)
    return results, failures


@contextmanager
def _young_collections():
    """No automatic collections while scoring: the results kept so far are long-lived and acyclic, and
    the collections that walked them cost about a third of the scoring time. Scoring a unit leaves no
    cyclic garbage (measured: none after 1,000 units), except the traceback of a failed unit, so the
    caller collects the young generations every 1,000 units; the usual collector resumes after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def duplicate_failures(units: list[UnitEvidence]) -> tuple[list[UnitEvidence], list[UnitFailure]]:
    """Split off units whose id repeats an earlier unit's (the first one is kept and scored)."""
    seen = _Seen()
    keep, fail = [], []
    for ev in units:
        dup = seen.duplicate(ev)
        if dup is not None:
            fail.append(dup)
        else:
            keep.append(ev)
    return keep, fail


class _Seen:
    """Unit ids seen so far, each with a way to locate it that does not keep its file in memory; a
    file is re-read (its line map built) at most once, and only when a duplicate names it."""

    def __init__(self) -> None:
        self.ids: dict[str, Callable[[tuple], Location]] = {}
        self.docs: dict[str, SourceDoc] = {}

    def duplicate(self, ev: UnitEvidence) -> UnitFailure | None:
        """The failure of `ev` if its unit id was seen before, else None (and its id is remembered)."""
        uid = ev.unit_id
        if uid is None:
            return None
        first = self.ids.get(uid)
        if first is not None:
            err = EvidenceError("duplicate unit id {id}: already given at {first}", {"id": uid, "first": first(("unit", "id")).render()},
                                ev.locate(("unit", "id")), uid, "unit.id")
            return _failure(ev, err)
        if ev.prefix is None:  # a workbook row: its locator holds no file text
            self.ids[uid] = ev.locate
        else:
            self.ids[uid] = UnitEvidence.rebuild(None, ev.source, ev.index, ev.prefix, docs=self.docs).locate
        return None


class EvidenceStream:
    """The units of the evidence paths, read file by file as they are consumed, duplicates of an earlier
    unit id split off (the first is kept). After iteration: ``files``, file-level ``errors``,
    ``duplicates``, ``count`` (units handed out) and ``read_seconds`` (spent reading files).

    Raises:
        RuleSetError: an evidence path that does not exist (at construction).
    """

    def __init__(self, paths: Iterable[Path], compiled: CompiledRuleSet, loaded: LoadedEvidence | None = None) -> None:
        self.compiled = compiled
        self.loaded = loaded
        self.paths = [] if loaded is not None else discover([Path(p) for p in paths])
        self.files: list[str] = list(loaded.files) if loaded is not None else []
        self.errors: list[GovscoreError] = list(loaded.errors) if loaded is not None else []
        self.duplicates: list[UnitFailure] = []
        self.count = 0
        self.read_seconds = 0.0

    @property
    def portable(self) -> bool:
        """True when every unit can be rebuilt in a worker process (YAML/JSON files, not workbooks)."""
        if self.loaded is not None:
            return all(u.prefix is not None for u in self.loaded.units)
        return all(p.suffix.lower() != ".xlsx" for p in self.paths)

    def _batches(self):
        if self.loaded is not None:
            yield self.loaded.units
            return
        for f in self.paths:
            self.files.append(str(f))
            t = time.perf_counter()
            loaded = load_evidence([f], self.compiled)
            self.read_seconds += time.perf_counter() - t
            self.errors.extend(loaded.errors)
            yield loaded.units

    def __iter__(self):
        seen = _Seen()
        index = 0
        for units in self._batches():
            for ev in units:
                ev.index = index
                index += 1
                dup = seen.duplicate(ev)
                if dup is not None:
                    self.duplicates.append(dup)
                    continue
                self.count += 1
                yield ev


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

POOL_MIN_UNITS = 200
"""Runs of at most this many units are scored in the main process even with --workers > 1."""
CHUNK = 50
"""Units handed to a worker at a time."""

_worker_state: dict = {}
_inherited: dict = {}  # set just before forking: workers inherit the compiled rule set instead of compiling it again


def _worker_init(options: RunOptions, lang: str | None = None, spool_folder: str | None = None) -> None:
    _die_with_parent()
    if lang:
        # messages are worded when raised: a spawned worker must speak the parent's language
        from .i18n import set_language

        set_language(lang)
    compiled = _inherited.get("compiled") or prepare(options)
    _worker_state["compiled"] = compiled
    _worker_state["engine"] = options.engine
    _worker_state["writer"] = writer = SpoolWriter(Path(spool_folder) / f"{os.getpid()}.jsonl") if spool_folder else None
    _worker_state["keep"] = summary_keeper(compiled, writer) if writer is not None else None


def _worker_chunk(chunk: list[tuple]):
    docs = _worker_state.setdefault("docs", {})
    if len(docs) > 4:  # a chunk spans one or two files: keep the line maps of the last few only
        docs.clear()
    units = [UnitEvidence.rebuild(*item, docs=docs) for item in chunk]
    results, failures = score_units(_worker_state["compiled"], units, _worker_state["engine"], keep=_worker_state["keep"])
    if _worker_state["writer"] is not None:
        _worker_state["writer"].flush()  # the main process reads these texts when it writes the report
    return results, failures


def summary_keeper(compiled: CompiledRuleSet, writer: SpoolWriter) -> Callable[[UnitResult], UnitSummary]:
    """What a lean run keeps of a result: its JSON text goes to `writer`, its summary stays."""
    from .reports.json_report import unit_text

    def keep(r: UnitResult) -> UnitSummary:
        return UnitSummary.of(r, writer.write(unit_text(r, compiled)))
    return keep


def run(paths: Iterable[Path], options: RunOptions, group_by: str | None = None, registry: Registry | None = None,
        progress: Callable[[int], None] | None = None, loaded: LoadedEvidence | None = None,
        compiled: CompiledRuleSet | None = None, keep: str = "full",
        on_total: Callable[[int], None] | None = None) -> RunResult:
    """Score every unit found under `paths` and rank them.

    Evidence files are read one at a time as scoring proceeds, so a district of 20,000 units is never
    in memory at once. With ``options.workers > 1`` the worker processes start once more than
    :data:`POOL_MIN_UNITS` units have been read (forked then, they inherit the compiled rule set and
    no more evidence than that); a smaller run, or one with workbooks, is scored in this process.

    Args:
        keep: "full" keeps every :class:`UnitResult` (every report format can be written); "summary"
            keeps a :class:`~govscore.core.spool.UnitSummary` per unit and spools its JSON text into
            ``RunResult.spool`` (the JSON report and the ranking table can be written; close the
            result when done).
        progress: called with the number of units just scored (or failed).
        on_total: called once with the number of units to score, when the last file has been read.

    Returns:
        A :class:`RunResult`; file-level read errors and unit errors are listed in ``failures``.

    Raises:
        RuleSetError / PluginError: the rule set or a plugin is invalid, or an evidence path does not
        exist (nothing is scored).
    """
    if keep not in ("full", "summary"):
        raise ValueError(f"keep is full or summary, not {keep!r}")
    registry = registry or load()
    registry.require_healthy()
    compiled = compiled or prepare(options, registry)
    stream = EvidenceStream(paths, compiled, loaded)
    spool = Spool() if keep == "summary" else None
    main_writer = spool.writer("main") if spool is not None else None
    main_keep = summary_keeper(compiled, main_writer) if main_writer is not None else None
    pool = None

    def units():
        yield from stream
        if on_total:
            on_total(stream.count)

    started = time.perf_counter()
    try:
        source = units()
        head = list(itertools.islice(source, POOL_MIN_UNITS + 1))
        if options.workers > 1 and stream.portable and len(head) > POOL_MIN_UNITS:
            # forked now, the workers inherit the compiled rule set and these few units, not the district
            pool = _start_pool(options, compiled, spool)
            results, unit_fail = _run_pool(pool, pool_size(options.workers), itertools.chain(head, source), progress)
        else:
            results, unit_fail = score_units(compiled, itertools.chain(head, source), options.engine, progress, main_keep)
    except BaseException:
        if pool is not None:
            _stop_now(pool)
            pool = None
        if spool is not None:
            spool.close()
        raise
    finally:
        if main_writer is not None:
            main_writer.close()  # everything written here is readable once the report is written
        _inherited.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    failures = [UnitFailure(None, None, e.location.file or "", [e]) for e in stream.errors] + stream.duplicates + unit_fail
    ranked = rank(results, group_by)
    timings = {"read_s": stream.read_seconds, "score_s": time.perf_counter() - started}
    return RunResult(compiled.ruleset, compiled, compiled.context, options.engine, ranked, failures, stream.files, spool=spool,
                     timings=timings)


def _stop_now(pool) -> None:
    """End the workers at once (an interrupt, an error): their work is no longer wanted, and the pool's
    own orderly shutdown can wait forever when the interrupt landed inside the pool's machinery."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for p in processes:
        p.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.join(timeout=5)


def _die_with_parent() -> None:
    """Linux: end this worker when the main process dies (killed, crashed), instead of leaving it
    blocked on a pipe nobody reads. Elsewhere nothing: the pool shuts its workers down on every exit
    that runs Python code."""
    try:
        import ctypes
        import signal

        for name in ("SIGTERM", "SIGHUP"):  # the CLI's own handlers are for the main process only
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ValueError):
        pass


MAX_WORKERS_PER_CPU = 4
"""More workers than this many per CPU only add processes (each holds a rule set and a durable Host)."""


def pool_size(workers: int) -> int:
    """The worker processes of a pool asked for `workers`: at most :data:`MAX_WORKERS_PER_CPU` per CPU."""
    return max(1, min(workers, MAX_WORKERS_PER_CPU * (os.cpu_count() or 1)))


def _start_pool(options: RunOptions, compiled: CompiledRuleSet, spool: Spool | None):
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing as mp

    ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
    if ctx.get_start_method() == "fork":
        _inherited["compiled"] = compiled
    return ProcessPoolExecutor(pool_size(options.workers), mp_context=ctx, initializer=_worker_init,
                               initargs=(options, current_language(), str(spool.folder) if spool is not None else None))


def _run_pool(pool, workers: int, units: Iterable[UnitEvidence], progress) -> tuple[list, list]:
    """Score `units` on the pool's processes (one durable Host each), in chunks, in input order.

    At most two chunks per worker are in flight: evidence is read as the workers need it, so this
    process holds a few chunks at a time, never the whole district.

    Raises:
        GovscoreError: a worker process died (killed, out of memory): nothing is written.
    """
    from collections import deque
    from concurrent.futures.process import BrokenProcessPool

    results: list = []
    failures: list = []
    in_flight: deque = deque()

    def collect() -> None:
        res, fail = in_flight.popleft().result()
        results.extend(res)
        failures.extend(fail)
        if progress:
            progress(len(res) + len(fail))

    try:
        while True:
            part = list(itertools.islice(units, CHUNK))
            if not part:
                break
            in_flight.append(pool.submit(_worker_chunk, [u.portable() for u in part]))
            del part
            if len(in_flight) >= 2 * workers:
                collect()
        while in_flight:
            collect()
    except BrokenProcessPool:  # raised by submit() or by a result, whichever notices first
        raise GovscoreError("a worker process stopped before finishing (killed or out of memory?); "
                            "run again, or with --workers 1") from None
    return results, failures
